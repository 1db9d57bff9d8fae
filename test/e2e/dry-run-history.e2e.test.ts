/**
 * `new --dry-run` reads the child's history read-only when the log exists, and says so (issue 13 a):
 * a dry run must never decide lower than recording the same referral would.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { parse } from "yaml";
import { repoPath } from "../helpers/rules.js";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, sandbox } from "../helpers/cli.js";

const box = sandbox();
afterAll(() => box.cleanup());
const db = join(box.dir, "log.db");
// The shipped rule set (approved implicitly, so it records); fixture 57 is a neglect referral at early help.
const cli = (args: string[]) => runCli(["--db", db, ...args], { env: box.env });
const BASE = parse(readFileSync(repoPath("fixtures/referrals/57-e6-not-fired-neglect-hearsay-older-child.yaml"), "utf8")) as {
  answers: Record<string, unknown>;
};

function answersFile(name: string, receivedAt: string): string {
  const file = join(box.dir, name);
  writeFileSync(file, JSON.stringify({ ...BASE.answers, received_at: receivedAt, child_name: "Fictional Repeat", child_dob: "2014-02-02" }));
  return file;
}

describe("new --dry-run and the log", () => {
  it("without a log: says earlier referrals are not counted, and creates no log", () => {
    const r = cli(["new", "--answers", answersFile("a0.json", "2026-11-02T10:00"), "--dry-run", "--json", "--now", "2026-11-02T10:30"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(""); // --json keeps stderr clean; the record's history says what was counted
    expect(JSON.parse(r.stdout).history.referrals_in_window).toBe(0);
    const text = cli(["new", "--answers", answersFile("a0.json", "2026-11-02T10:00"), "--dry-run", "--now", "2026-11-02T10:30"]);
    expect(text.stderr).toContain("no decision log at");
    expect(existsSync(db)).toBe(false);
  });

  it("with a log: counts the earlier referrals read-only, and decides as the recording does", () => {
    // Three earlier referrals about the same child: E1 (two or more earlier in 12 months) applies to the fourth.
    // Same name and date of birth are exact matches; --link confirms them all the same.
    const refs: string[] = [];
    for (const [i, day] of ["03", "04", "05"].entries()) {
      const rec = cli(["new", "--answers", answersFile(`a${i + 1}.json`, `2026-11-${day}T10:00`), "--json", "--now", `2026-11-${day}T10:30`]);
      expect(rec.code, rec.stderr).toBe(0);
      refs.push(JSON.parse(rec.stdout).ref);
    }
    const fourth = answersFile("a4.json", "2026-11-06T10:00");
    const unlinked = cli(["new", "--answers", fourth, "--dry-run", "--json", "--now", "2026-11-06T10:30"]);
    expect(JSON.parse(unlinked.stdout).history.referrals_in_window).toBe(3); // exact matches count without --link
    const dry = cli(["new", "--answers", fourth, "--dry-run", "--json", "--now", "2026-11-06T10:30", "--link", ...refs]);
    expect(dry.code, dry.stderr).toBe(0);
    const d = JSON.parse(dry.stdout);
    expect(d.ref).toBeUndefined();
    expect(d.history.referrals_in_window).toBe(3);
    expect(d.fired.map((f: { id: string }) => f.id)).toContain("E1_repeat_referral");
    // Nothing was recorded by the dry run: the recording still sees three earlier referrals.
    const rec = cli(["new", "--answers", fourth, "--json", "--now", "2026-11-06T10:30", "--link", ...refs]);
    expect(rec.code, rec.stderr).toBe(0);
    const recorded = JSON.parse(rec.stdout);
    expect(recorded.history.referrals_in_window).toBe(3);
    expect(recorded.computed_outcome).toEqual(d.computed_outcome);
    // The human card of a dry run says the same on stderr.
    const text = cli(["new", "--answers", fourth, "--dry-run", "--now", "2026-11-06T10:30", "--link", ...refs]);
    expect(text.code).toBe(0);
    expect(text.stderr).toContain("earlier referrals read from");
  });
});
