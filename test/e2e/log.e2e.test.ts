import { chmodSync, chownSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { AS_UNPRIVILEGED, IS_ROOT, NOBODY, runCli, sandbox } from "../helpers/cli.js";
import { parseCsvStrict as parseCsv } from "../helpers/csv.js";

const box = sandbox();
afterAll(() => box.cleanup());
const db = join(box.dir, "demo.db");
const cli = (args: string[]) => runCli(["--db", db, ...args], { env: box.env });

describe("the log through the spawned binary", () => {
  let decisions = 0;
  it("demo builds a fresh log of a month of fictional referrals, refusing to add to an existing one", () => {
    const r = cli(["demo", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ path: db, team: join(box.dir, "team.yaml"), team_written: true });
    decisions = summary.decisions;
    expect(decisions).toBeGreaterThan(25);
    const again = cli(["demo"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("already exists");
  });

  it("log list shows decisions newest first; --child finds the repeat referrals about one child", () => {
    const rows = JSON.parse(cli(["log", "list", "--json", "--limit", "100"]).stdout) as { ref: string; received_at: string }[];
    expect(rows).toHaveLength(decisions);
    const times = rows.map((r) => Date.parse(r.received_at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // Five referrals are about one fictional child, one with her name misspelt.
    const skye = JSON.parse(cli(["log", "list", "--json", "--child", "Skye Brennan"]).stdout) as { child_name: string }[];
    expect(skye).toHaveLength(5);
    expect(new Set(skye.map((r) => r.child_name))).toEqual(new Set(["Skye Brennan", "Skye Brenan"]));
    const table = cli(["log", "list", "--limit", "3"]);
    expect(table.stdout.split("\n")[0]).toMatch(/^REFERENCE\s+RECEIVED\s+CHILD\s+OUTCOME\s+WORKER\s+RESPOND BY\s+STATE/);
  });

  it("a later referral about the same child carries the earlier ones as history", () => {
    const skye = JSON.parse(cli(["log", "list", "--json", "--child", "Skye Brennan"]).stdout) as { ref: string }[];
    const latest = JSON.parse(cli(["log", "show", skye[0]!.ref, "--json"]).stdout);
    expect(latest.history.referrals_in_window).toBeGreaterThanOrEqual(3); // the earlier ones within 12 months
    expect(latest.history.earlier.map((e: { ref: string }) => e.ref)).toEqual(expect.arrayContaining(skye.slice(1, 4).map((r) => r.ref)));
    const card = cli(["log", "show", skye[0]!.ref]);
    expect(card.stdout).toContain("Entries");
    expect(card.stdout).toMatch(/#\d+ .* decision recorded/);
  });

  it("verify: intact, then against an anchor, then tampering is found at the entry", () => {
    const ok = cli(["log", "verify", "--json"]);
    expect(ok.code, ok.stderr).toBe(0);
    const verified = JSON.parse(ok.stdout);
    expect(verified).toMatchObject({ ok: true, triggersPresent: true });
    const anchorFile = join(box.dir, "anchor.json");
    const anchor = cli(["log", "anchor", "--out", anchorFile]);
    expect(anchor.code).toBe(0);
    const written = JSON.parse(readFileSync(anchorFile, "utf8")) as { seq: number; hash: string };
    expect(written.seq).toBe(verified.count + 1); // the anchor entry itself is the new head
    expect(cli(["log", "verify", "--anchor", anchorFile]).stdout).toContain(`entry ${written.seq} matches the anchor`);

    // Someone with write access drops the trigger and edits a decision's body.
    const raw = new Database(db);
    raw.exec("DROP TRIGGER IF EXISTS events_no_update");
    const triggers = (raw.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'").all() as { name: string }[]).map(
      (t) => t.name,
    );
    for (const name of triggers) raw.exec(`DROP TRIGGER ${name}`);
    // A decision entry (the log starts with the shipped rule set and its implicit approval).
    const target = raw.prepare("SELECT seq FROM events WHERE kind = 'decision' AND body LIKE '%strategy%' ORDER BY seq LIMIT 1").pluck().get() as number;
    raw.prepare("UPDATE events SET body = replace(body, 'strategy', 'early') WHERE seq = ?").run(target);
    raw.close();
    const broken = cli(["log", "verify", "--anchor", anchorFile]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain("LOG NOT INTACT");
    expect(broken.stdout).toMatch(new RegExp(`first broken entry: #${target}\\b`));
    expect(broken.stdout).toContain("append-only triggers missing or altered");
  });

  it("export writes every entry with its hashes as JSON lines, or as CSV with --events", () => {
    const lines = cli(["log", "export"]).stdout.trim().split("\n");
    const entries = lines.map((l) => JSON.parse(l) as { seq: number; hash: string; prev_hash: string });
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    expect(entries[1]!.prev_hash).toBe(entries[0]!.hash);
    const rows = parseCsv(cli(["log", "export", "--format", "csv", "--events"]).stdout);
    expect(rows[0]).toEqual(["seq", "ref", "kind", "actor", "at", "prev_hash", "hash", "body"]);
    expect(rows).toHaveLength(entries.length + 1);
    expect(rows.slice(1).map((r) => Number(r[0]))).toEqual(entries.map((e) => e.seq));
    expect(JSON.parse(rows[1]![7]!)).toEqual((JSON.parse(lines[0]!) as { body: unknown }).body);
  });

  it("a file that is not a triage log, a corrupt one and a read-only folder are refused clearly (exit 4)", () => {
    const text = join(box.dir, "notes.db");
    writeFileSync(text, "these are not referrals\n");
    const notSqlite = runCli(["--db", text, "log", "list"], { env: box.env });
    expect(notSqlite.code).toBe(4);
    expect(notSqlite.stderr).toMatch(/not a (SQLite|triage)/i);
    expect(readFileSync(text, "utf8")).toBe("these are not referrals\n");

    const foreign = join(box.dir, "other.db");
    const other = new Database(foreign);
    other.exec("CREATE TABLE shopping (item TEXT)");
    other.close();
    const r = runCli(["--db", foreign, "log", "list"], { env: box.env });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("not a triage log");
    expect(r.stderr).not.toMatch(/\n\s+at /);

    const missing = runCli(["--db", join(box.dir, "none", "x.db"), "log", "list"], { env: box.env });
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain("there is no log at");
  });

  // Root ignores folder modes and CI runs as root: the binary then runs as `nobody`, for whom they apply.
  it("a read-only folder is a clear error", () => {
    const own = sandbox();
    try {
      if (IS_ROOT) chownSync(own.dir, NOBODY, NOBODY);
      const ro = join(own.dir, "ro");
      const demo = runCli(["--db", join(ro, "t.db"), "demo"], { env: own.env, ...AS_UNPRIVILEGED });
      expect(demo.code, demo.stderr).toBe(0);
      chmodSync(ro, 0o500);
      const r = runCli(["--db", join(ro, "new.db"), "new", "--answers", "fixtures/referrals/01-nfa-school-information-request.yaml"], {
        env: own.env,
        ...AS_UNPRIVILEGED,
      });
      chmodSync(ro, 0o700);
      expect(r.code, r.stderr).toBe(4);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      own.cleanup();
    }
  });
});
