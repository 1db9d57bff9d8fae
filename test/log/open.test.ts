import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { LogError } from "../../src/errors.js";
import { LATEST_VERSION, TRIAGE_APPLICATION_ID } from "../../src/log/migrations.js";
import { openLog } from "../../src/log/open.js";
import { describeSqliteError } from "../../src/log/sqlite-errors.js";
import { verifyLog } from "../../src/log/verify.js";
import { builtLogModule, FIXTURES, IS_ROOT, NOBODY, REPO, tempDir } from "./helpers.js";

function refusal(fn: () => unknown): LogError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(LogError);
    return error as LogError;
  }
  throw new Error("expected a LogError, but it opened");
}

async function rejection(promise: Promise<unknown>): Promise<LogError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(LogError);
    return error as LogError;
  }
  throw new Error("expected a LogError, but it succeeded");
}

/** Opens in a child process, as `nobody` when we are root (root would ignore the modes under test). */
function probe(dbPath: string, mode: "write" | "readonly" = "write"): { ok: boolean; name?: string; message?: string } {
  const result = spawnSync(process.execPath, [join(FIXTURES, "open-probe.mjs"), builtLogModule(), dbPath, mode], {
    encoding: "utf8",
    ...(IS_ROOT && { uid: NOBODY, gid: NOBODY }),
  });
  expect(result.stderr).toBe("");
  return JSON.parse(result.stdout) as { ok: boolean; name?: string; message?: string };
}

/** A folder the probe's user owns, so it is their permissions that count. */
function probeOwnedDir(): string {
  const root = tempDir();
  chmodSync(root, 0o755);
  const dir = join(root, "logs");
  mkdirSync(dir);
  if (IS_ROOT) chownSync(dir, NOBODY, NOBODY);
  return dir;
}

describe("openLog: a new log", () => {
  it("creates a missing folder (0700) and the file owner-only (0600), with the pragmas set", async () => {
    const dir = join(tempDir(), "a", "b");
    const store = openLog(join(dir, "triage.db"));
    expect(store.isNew).toBe(true);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "triage.db")).mode & 0o777).toBe(0o600);
    const db = store.sqlite;
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("synchronous", { simple: true })).toBe(2); // FULL
    expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(db.pragma("busy_timeout", { simple: true })).toBe(5000);
    expect(db.pragma("page_size", { simple: true })).toBe(16384);
    expect(db.pragma("user_version", { simple: true })).toBe(LATEST_VERSION);
    expect(db.pragma("application_id", { simple: true })).toBe(TRIAGE_APPLICATION_ID);
    expect(store.path).toBe(join(dir, "triage.db"));
    await store.close();
    // The journal files SQLite made are owner-only too.
    const again = openLog(join(dir, "triage.db"), { busyTimeoutMs: 250 });
    expect(again.isNew).toBe(false);
    expect(again.sqlite.pragma("busy_timeout", { simple: true })).toBe(250);
    await again.append({ kind: "anchor", actor: "ada", at: "2026-03-02T10:00:00Z", body: {} });
    expect(statSync(join(dir, "triage.db-wal")).mode & 0o777).toBe(0o600);
    await again.close();
  });

  it("treats an existing empty file as a new log", async () => {
    const path = join(tempDir(), "empty.db");
    writeFileSync(path, "");
    const store = openLog(path);
    expect(store.isNew).toBe(true);
    await store.close();
  });
});

describe("openLog refuses, leaving the file as it was", () => {
  it("a text file: not a database", async () => {
    const path = join(tempDir(), "notes.db");
    writeFileSync(path, "Shopping: milk, eggs\n");
    const before = readFileSync(path);
    const error = refusal(() => openLog(path));
    expect(error.message).toContain(path);
    expect(error.message).toContain("not a database");
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it("someone else's SQLite database: not a triage log", async () => {
    const path = join(tempDir(), "other.db");
    const other = new Database(path);
    other.exec("CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('soup')");
    other.close();
    const before = readFileSync(path);
    const error = refusal(() => openLog(path));
    expect(error.message).toContain(path);
    expect(error.message).toContain("not a triage log");
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it("someone else's SQLite database with a write-ahead log still pending, left by a crash", async () => {
    const path = join(tempDir(), "crashed.db");
    // Another program writes in WAL mode and dies before checkpointing.
    const script = `const D = require("better-sqlite3"); const db = new D(${JSON.stringify(path)}); db.pragma("journal_mode = WAL");
      db.exec("CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('pending')"); process.kill(process.pid, "SIGKILL");`;
    expect(spawnSync(process.execPath, ["-e", script], { cwd: REPO }).signal).toBe("SIGKILL");
    const [main, wal] = [readFileSync(path), readFileSync(`${path}-wal`)];
    expect(wal.length).toBeGreaterThan(0);
    expect(refusal(() => openLog(path)).message).toContain("not a triage log");
    // Neither the database nor its pending log was folded in or changed.
    expect(readFileSync(path).equals(main)).toBe(true);
    expect(readFileSync(`${path}-wal`).equals(wal)).toBe(true);
  });

  it("a log written by a newer version of triage", async () => {
    const path = join(tempDir(), "newer.db");
    openLog(path).closeNow();
    const db = new Database(path);
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    db.close();
    const before = readFileSync(path);
    const error = refusal(() => openLog(path));
    expect(error.message).toContain("written by a newer version of triage");
    expect(error.message).toContain(path);
    expect(refusal(() => openLog(path, { readonly: true })).message).toContain("newer version");
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it("a folder that cannot be created (its parent is a file)", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "plain-file"), "x");
    const error = refusal(() => openLog(join(dir, "plain-file", "sub", "triage.db")));
    expect(error.message).toContain("cannot create the folder");
    expect(error.exitCode).toBe(4);
  });

  it("a folder in place of the file", async () => {
    const dir = tempDir();
    expect(refusal(() => openLog(dir)).message).toContain("is not a file");
  });

  it("read-only: a missing log is not created", async () => {
    const path = join(tempDir(), "none.db");
    expect(refusal(() => openLog(path, { readonly: true })).message).toContain(`there is no log at ${path}`);
    expect(existsSync(path)).toBe(false);
  });
});

describe("permissions (checked as an unprivileged user)", () => {
  it("a read-only folder when writing", async () => {
    const dir = probeOwnedDir();
    chmodSync(dir, 0o555);
    const result = probe(join(dir, "triage.db"));
    expect(result).toMatchObject({ ok: false, name: "LogError" });
    expect(result.message).toMatch(/read-only/);
    expect(result.message).toContain(join(dir, "triage.db"));
  });

  it("a read-only file when writing, though reading it still works", async () => {
    const dir = probeOwnedDir();
    const path = join(dir, "triage.db");
    const store = openLog(path);
    await store.append({ kind: "anchor", actor: "ada", at: "2026-03-02T10:00:00Z", body: {} });
    await store.close();
    if (IS_ROOT) chownSync(path, NOBODY, NOBODY);
    chmodSync(path, 0o444);
    const result = probe(path);
    expect(result).toMatchObject({ ok: false, name: "LogError" });
    expect(result.message).toContain(`the log ${path} is read-only`);
    expect(probe(path, "readonly")).toEqual({ ok: true, count: 1 });
  });
});

describe("a locked log", () => {
  it("waits for the busy timeout, then fails with a clear LogError", async () => {
    const path = join(tempDir(), "locked.db");
    openLog(path).closeNow();
    const holder = new Database(path);
    holder.exec("BEGIN EXCLUSIVE");
    try {
      const store = openLog(path, { busyTimeoutMs: 300 });
      const started = performance.now();
      const error = await rejection(store.append({ kind: "anchor", actor: "ada", at: "2026-03-02T10:00:00Z", body: {} }));
      const waited = performance.now() - started;
      expect(error.message).toContain("the log is locked by another triage process");
      expect(error.message).toContain(path);
      expect(waited).toBeGreaterThanOrEqual(250);
      expect(waited).toBeLessThan(5000);
      holder.exec("ROLLBACK");
      // Once the lock is gone the same store works.
      expect((await store.append({ kind: "anchor", actor: "ada", at: "2026-03-02T10:00:01Z", body: {} })).seq).toBe(1);
      await store.close();
    } finally {
      if (holder.inTransaction) holder.exec("ROLLBACK");
      holder.close();
    }
  });
});

describe("a damaged log", () => {
  it("is reported as damaged, not as a crash", async () => {
    const path = join(tempDir(), "damaged.db");
    const store = openLog(path);
    for (let i = 0; i < 50; i++) await store.append({ kind: "anchor", actor: "ada", at: "2026-03-02T10:00:00Z", body: { i, pad: "x".repeat(500) } });
    const pageSize = store.sqlite.pragma("page_size", { simple: true }) as number;
    await store.close();
    // Everything after page 1 (the schema) becomes garbage: the tables' pages.
    const fd = openSync(path, "r+");
    const rest = statSync(path).size - pageSize;
    writeSync(fd, Buffer.alloc(rest, 0xa5), 0, rest, pageSize);
    closeSync(fd);
    let error: unknown;
    try {
      const reopened = openLog(path);
      try {
        await verifyLog(reopened);
      } finally {
        await reopened.close();
      }
    } catch (e) {
      error = e;
    }
    if (!(error instanceof LogError)) throw new Error(`expected a LogError, got ${String(error)}`);
    expect(error.message).toMatch(/damaged|not a database/);
    expect(error.message).toContain(path);
  });
});

describe("SQLite result codes become messages", () => {
  it.each([
    ["SQLITE_BUSY", "locked by another triage process"],
    ["SQLITE_BUSY_SNAPSHOT", "locked by another triage process"],
    ["SQLITE_NOTADB", "is not a database"],
    ["SQLITE_CORRUPT_INDEX", "is damaged"],
    ["SQLITE_READONLY_DIRECTORY", "cannot be written"],
    ["SQLITE_CANTOPEN_ISDIR", "cannot open the log"],
    ["SQLITE_FULL", "the disk is full"],
  ])("%s", (code, message) => {
    const error = describeSqliteError(Object.assign(new Error("sqlite says"), { code }), "/x/log.db", 100);
    expect(error).toBeInstanceOf(LogError);
    expect(error?.message).toContain(message);
    expect(error?.message).toContain("/x/log.db");
  });

  it("leaves other errors alone", async () => {
    expect(describeSqliteError(Object.assign(new Error("constraint"), { code: "SQLITE_CONSTRAINT_TRIGGER" }), "/x", 1)).toBeUndefined();
    expect(describeSqliteError(new TypeError("bug"), "/x", 1)).toBeUndefined();
  });
});
