/**
 * Automatic anchoring (issue 10): with TRIAGE_ANCHOR_DIR (or --anchor-dir), every command that writes
 * the log also writes its new head to a file in that folder, owner-only and atomically; `log verify`
 * compares with it by default. Entries removed from the end, or an entry rewritten with a fresh hash,
 * leave a chain that verifies on its own — only the anchor kept elsewhere shows them.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/log/canonical.js";
import { entryHash } from "../../src/log/chain.js";
import { EXPECTED_TRIGGERS } from "../../src/log/migrations.js";
import { runCli, sandbox } from "../helpers/cli.js";

const FIXTURE = "fixtures/referrals/02-early-help-health-visitor-parental-low-mood.yaml";

/** What someone with write access to the file does: drop the guarding triggers, change things, put the triggers back. */
function tamper(path: string, change: (db: Database.Database) => void): void {
  const db = new Database(path);
  for (const name of Object.keys(EXPECTED_TRIGGERS)) db.exec(`DROP TRIGGER IF EXISTS ${name}`);
  change(db);
  for (const sql of Object.values(EXPECTED_TRIGGERS)) db.exec(`${sql};`);
  db.close();
}

describe("the anchor folder", () => {
  const box = sandbox();
  afterAll(() => box.cleanup());
  let n = 0;
  /** A fresh log and anchor folder; `cli` runs with TRIAGE_ANCHOR_DIR set, `bare` without. */
  const setup = () => {
    const dir = join(box.dir, `case${++n}`);
    const anchors = join(dir, "anchors");
    mkdirSync(anchors, { recursive: true, mode: 0o700 });
    const db = join(dir, "triage.db");
    const bare = (args: string[]) => runCli(args, { env: { ...box.env, TRIAGE_DB: db } });
    const cli = (args: string[]) => runCli(args, { env: { ...box.env, TRIAGE_DB: db, TRIAGE_ANCHOR_DIR: anchors } });
    const record = () => {
      const r = cli(["new", "--answers", FIXTURE, "--json"]);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout).ref as string;
    };
    const anchorFiles = () => readdirSync(anchors);
    const anchor = () => JSON.parse(readFileSync(join(anchors, anchorFiles()[0]!), "utf8")) as Record<string, unknown>;
    return { dir, anchors, db, cli, bare, record, anchorFiles, anchor };
  };

  it("every write leaves the new head there (count, hash, time, the log's identity), owner-only; verify compares with it by default", () => {
    const t = setup();
    t.record();
    const head1 = JSON.parse(t.bare(["log", "verify", "--json"]).stdout).head as { seq: number; hash: string };
    const first = JSON.parse(t.bare(["log", "export"]).stdout.split("\n")[0]!) as { seq: number; hash: string };
    expect(t.anchorFiles()).toEqual([`triage-anchor-${first.hash.slice(0, 16)}.json`]);
    const file = join(t.anchors, t.anchorFiles()[0]!);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const written = t.anchor();
    expect(written).toMatchObject({ seq: head1.seq, hash: head1.hash, count: head1.seq, log_id: first.hash, log: t.db });
    expect(Math.abs(Date.parse(written.at as string) - Date.now())).toBeLessThan(60_000);
    // No temporary file is left beside it.
    expect(readdirSync(t.anchors)).toHaveLength(1);

    t.record();
    const head2 = JSON.parse(t.bare(["log", "verify", "--json"]).stdout).head as { seq: number; hash: string };
    expect(head2.seq).toBeGreaterThan(head1.seq);
    expect(t.anchor()).toMatchObject({ seq: head2.seq, hash: head2.hash });

    const verified = t.cli(["log", "verify"]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toContain(`anchor (${file}): entry ${head2.seq} matches the anchor`);
    expect(JSON.parse(t.cli(["log", "verify", "--json"]).stdout)).toMatchObject({ ok: true, anchor: { matches: true }, anchorFile: file });
    // The same file works as an explicit --anchor, without the folder.
    expect(t.bare(["log", "verify", "--anchor", file]).code).toBe(0);
  });

  it("entries deleted from the end: the chain still verifies alone, but verify against the anchor fails (exit 1) and nothing more is recorded (exit 4)", () => {
    const t = setup();
    t.record();
    t.record();
    const head = JSON.parse(t.bare(["log", "verify", "--json"]).stdout).head as { seq: number };
    tamper(t.db, (db) => {
      db.prepare("DELETE FROM decisions WHERE seq = ?").run(head.seq);
      db.prepare("DELETE FROM events WHERE seq = ?").run(head.seq);
    });
    // What the log alone can prove: nothing is wrong.
    expect(t.bare(["log", "verify"]).code).toBe(0);
    const r = t.cli(["log", "verify"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("LOG NOT INTACT");
    expect(r.stdout).toContain(`the anchor is at entry ${head.seq} but the log has no such entry (it ends at ${head.seq - 1}): entries were removed`);
    const refused = t.cli(["new", "--answers", FIXTURE]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain(`does not match its anchor in ${t.anchors}: the anchor records ${head.seq} entries`);
    expect(refused.stderr).toContain("nothing was recorded");
    expect(JSON.parse(t.bare(["log", "verify", "--json"]).stdout).count).toBe(head.seq - 1);
    expect(t.anchor()).toMatchObject({ seq: head.seq }); // the evidence is kept
  });

  it("the last entry rewritten with a fresh hash: verify against the anchor names the entry (exit 1)", () => {
    const t = setup();
    t.record();
    t.cli(["log", "anchor"]);
    const head = JSON.parse(t.bare(["log", "verify", "--json"]).stdout).head as { seq: number; hash: string };
    tamper(t.db, (db) => {
      const row = db.prepare("SELECT seq, ref, kind, actor, at, body, prev_hash FROM events WHERE seq = ?").get(head.seq) as {
        seq: number;
        ref: string | null;
        kind: string;
        actor: string;
        at: string;
        body: string;
        prev_hash: string;
      };
      const body = canonicalJson({ ...(JSON.parse(row.body) as object), purpose: "nothing to see" });
      db.prepare("UPDATE events SET body = ?, hash = ? WHERE seq = ?").run(body, entryHash(row, body), head.seq);
    });
    expect(t.bare(["log", "verify"]).code).toBe(0);
    const r = t.cli(["log", "verify", "--json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).anchor).toEqual({
      matches: false,
      reason: `entry ${head.seq} has a different hash from the anchor: the log was rewritten at or before entry ${head.seq}`,
    });
    expect(t.cli(["new", "--answers", FIXTURE]).code).toBe(4);
  });

  it("a log replaced by another at the same place is reported, not taken for a new log", () => {
    const t = setup();
    t.record();
    rmSync(t.db);
    for (const suffix of ["-wal", "-shm"]) if (existsSync(t.db + suffix)) rmSync(t.db + suffix);
    const other = join(t.dir, "other.db");
    expect(runCli(["new", "--answers", FIXTURE], { env: { ...box.env, TRIAGE_DB: other } }).code).toBe(0);
    writeFileSync(t.db, readFileSync(other));
    const r = t.cli(["log", "verify"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("for this log's place");
    expect(r.stdout).toContain("records another first entry: the log was replaced, or rewritten from its first entry");
    expect(t.cli(["new", "--answers", FIXTURE]).code).toBe(4);
  });

  it("no anchor yet for the log is a finding until a write (or `log anchor`) makes one", () => {
    const t = setup();
    expect(t.bare(["new", "--answers", FIXTURE]).code).toBe(0);
    const r = t.cli(["log", "verify"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`there is no anchor for this log in ${t.anchors}`);
    expect(t.cli(["log", "anchor"]).code).toBe(0);
    expect(t.cli(["log", "verify"]).code).toBe(0);
  });

  it("a missing anchor folder is refused before anything is written (exit 2); one the command cannot write is a warning after recording", () => {
    const t = setup();
    const missing = runCli(["new", "--answers", FIXTURE], { env: { ...box.env, TRIAGE_DB: t.db, TRIAGE_ANCHOR_DIR: join(t.dir, "not-mounted") } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("does not exist (is the disk or share mounted?); nothing was done");
    expect(existsSync(join(t.dir, "not-mounted"))).toBe(false);
    expect(existsSync(t.db)).toBe(false);
    expect(runCli(["log", "verify"], { env: { ...box.env, TRIAGE_DB: t.db, TRIAGE_ANCHOR_DIR: join(t.dir, "not-mounted") } }).code).not.toBe(0);

    // A symlink planted where the anchor goes is never read or written through: refused before recording (exit 5).
    t.record();
    const file = join(t.anchors, t.anchorFiles()[0]!);
    const elsewhere = join(t.dir, "elsewhere.json");
    writeFileSync(elsewhere, "untouched\n");
    rmSync(file);
    symlinkSync(elsewhere, file);
    const before = JSON.parse(t.bare(["log", "verify", "--json"]).stdout).count as number;
    const linked = t.cli(["new", "--answers", FIXTURE]);
    expect(linked.code).toBe(5);
    expect(linked.stderr).toContain("is a symbolic link");
    expect(readFileSync(elsewhere, "utf8")).toBe("untouched\n");
    expect(JSON.parse(t.bare(["log", "verify", "--json"]).stdout).count).toBe(before);

    // An anchor that cannot be written after recording (here a folder in its place): the entry is recorded, the command warns.
    rmSync(file);
    mkdirSync(file);
    const r = t.cli(["new", "--answers", FIXTURE]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("warning: what was recorded is in the log, but its anchor in");
    expect(r.stderr).toContain("it is a folder");
    expect(JSON.parse(t.bare(["log", "verify", "--json"]).stdout).count).toBeGreaterThan(before);
  });

  it("--anchor-dir does the same as TRIAGE_ANCHOR_DIR", () => {
    const t = setup();
    const r = t.bare(["--anchor-dir", t.anchors, "new", "--answers", FIXTURE]);
    expect(r.code, r.stderr).toBe(0);
    expect(t.anchorFiles()).toHaveLength(1);
    expect(t.bare(["--anchor-dir", t.anchors, "log", "verify"]).code).toBe(0);
    chmodSync(t.anchors, 0o700);
  });
});
