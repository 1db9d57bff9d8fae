/**
 * Issue 10, "Verify proves what history relies on": someone with write access drops the index's
 * guarding trigger, changes a child's name in the decisions index, and puts the trigger back. No hash
 * breaks, but the next referral about that child no longer finds the earlier one. Default
 * `triage log verify` (not only --full) must say so.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { EXPECTED_TRIGGERS } from "../../src/log/migrations.js";
import { runCli, sandbox } from "../helpers/cli.js";

const FIXTURE = "fixtures/referrals/02-early-help-health-visitor-parental-low-mood.yaml";

describe("default verify covers the decisions index", () => {
  const box = sandbox();
  afterAll(() => box.cleanup());
  const db = join(box.dir, "triage.db");
  const cli = (args: string[]) => runCli(args, { env: { ...box.env, TRIAGE_DB: db } });

  it("a child's name changed in the index behind the trigger's back is found by default (exit 1), and was hiding the child's history", () => {
    const first = JSON.parse(cli(["new", "--answers", FIXTURE, "--json"]).stdout).ref as string;
    expect(cli(["log", "verify"]).code).toBe(0);
    const before = JSON.parse(cli(["new", "--answers", FIXTURE, "--dry-run", "--json"]).stdout) as { history: { earlier: Array<{ ref: string }> } };
    expect(before.history.earlier.map((e) => e.ref)).toEqual([first]);

    const raw = new Database(db);
    const row = raw.prepare("SELECT seq, child_name FROM decisions WHERE ref = ?").get(first) as { seq: number; child_name: string };
    raw.exec("DROP TRIGGER decisions_no_update");
    raw
      .prepare("UPDATE decisions SET child_name = 'Someone Else', child_name_norm = 'someone else', name_key = 'S500', child_dob = NULL WHERE ref = ?")
      .run(first);
    raw.exec(`${EXPECTED_TRIGGERS.decisions_no_update};`);
    raw.close();

    // The harm: a new referral about the same child no longer counts the earlier one.
    const again = JSON.parse(cli(["new", "--answers", FIXTURE, "--dry-run", "--json"]).stdout) as { history: { earlier: unknown[] } };
    expect(again.history.earlier).toEqual([]);

    const r = cli(["log", "verify"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("LOG NOT INTACT");
    expect(r.stdout).toContain(`decisions index row ${first} does not match its decision entry ${row.seq} (child_name, child_name_norm, name_key, child_dob)`);
    expect(r.stdout).not.toContain("append-only triggers missing");
    const json = JSON.parse(cli(["log", "verify", "--json"]).stdout) as { ok: boolean; firstBroken?: unknown; triggersPresent: boolean };
    expect(json).toMatchObject({ ok: false, triggersPresent: true });
    expect(json.firstBroken).toBeUndefined();
  });
});
