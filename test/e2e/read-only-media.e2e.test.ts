/**
 * A log on read-only media (issue 10): a backup on a read-only disk or share, or a folder the reader
 * cannot write. SQLite cannot create the -shm file a write-ahead log needs even to read, so read-only
 * commands open such a log as immutable — when no -wal file is waiting to be folded in. Root ignores
 * folder modes and CI runs as root: the binary then runs as `nobody`, for whom they apply.
 */
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { AS_UNPRIVILEGED, IS_ROOT, NOBODY, runCli, sandbox } from "../helpers/cli.js";

describe("read-only commands on a log in a read-only folder", () => {
  const box = sandbox();
  afterAll(() => {
    for (const dir of ["ro", "ro-wal"]) if (existsSync(join(box.dir, dir))) chmodSync(join(box.dir, dir), 0o700);
    box.cleanup();
  });
  if (IS_ROOT) chownSync(box.dir, NOBODY, NOBODY);
  const ro = join(box.dir, "ro");
  const db = join(ro, "backup.db");
  const cli = (args: string[]) => runCli(["--db", db, ...args], { env: box.env, ...AS_UNPRIVILEGED });

  it("list, show, verify, export and stats work, and nothing is created beside the log", () => {
    // The live log, then its backup: the file alone (the live one is closed, so nothing waits in a -wal).
    const live = join(box.dir, "live", "triage.db");
    const onLive = (args: string[]) => runCli(["--db", live, ...args], { env: box.env, ...AS_UNPRIVILEGED });
    const demo = onLive(["demo"]);
    expect(demo.code, demo.stderr).toBe(0);
    const writable = {
      list: onLive(["log", "list", "--limit", "500", "--json"]).stdout,
      verify: JSON.parse(onLive(["log", "verify", "--json"]).stdout) as { count: number; head: unknown },
      export: onLive(["log", "export"]).stdout,
    };
    mkdirSync(ro);
    copyFileSync(live, db);
    if (IS_ROOT) for (const path of [ro, db]) chownSync(path, NOBODY, NOBODY);
    chmodSync(ro, 0o500);

    const list = cli(["log", "list", "--limit", "500", "--json"]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toBe(writable.list);
    const ref = (JSON.parse(list.stdout) as Array<{ ref: string }>)[0]!.ref;
    const show = cli(["log", "show", ref, "--no-pager"]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain(ref);
    const verify = cli(["log", "verify", "--json"]);
    expect(verify.code, verify.stderr).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, count: writable.verify.count, head: writable.verify.head });
    const exported = cli(["log", "export"]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toBe(writable.export);
    const stats = cli(["stats", "--json"]);
    expect(stats.code, stats.stderr).toBe(0);
    expect(readdirSync(ro)).toEqual(["backup.db"]);

    // Writing is still refused clearly (exit 4), and the file is untouched.
    const write = cli(["log", "anchor"]);
    expect(write.code).toBe(4);
    expect(write.stderr).toMatch(/read-only/);
    expect(write.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(ro)).toEqual(["backup.db"]);
  });

  it("a log whose -wal file still holds writes, without its -shm file, is refused with a clear message (exit 4), not read short", () => {
    const source = join(box.dir, "live.db");
    expect(runCli(["--db", source, "demo"], { env: box.env, ...AS_UNPRIVILEGED }).code).toBe(0);
    // A writer that has not checkpointed (killed, or still running): its writes are only in the -wal file.
    const writer = new Database(source);
    writer.pragma("wal_autocheckpoint = 0");
    writer.prepare("INSERT INTO drafts (id, created_by, created_at, updated_at, rule_set_sha256, state) VALUES ('d', 'x', 'now', 'now', 'x', '{}')").run();
    const walDir = join(box.dir, "ro-wal");
    mkdirSync(walDir);
    copyFileSync(source, join(walDir, "live.db"));
    copyFileSync(`${source}-wal`, join(walDir, "live.db-wal"));
    writer.close();
    if (IS_ROOT) for (const f of ["", "/live.db", "/live.db-wal"]) chownSync(walDir + f, NOBODY, NOBODY);
    chmodSync(walDir, 0o500);
    const r = runCli(["--db", join(walDir, "live.db"), "log", "list"], { env: box.env, ...AS_UNPRIVILEGED });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("writes not yet folded into it");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
