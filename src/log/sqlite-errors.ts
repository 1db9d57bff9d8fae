/**
 * better-sqlite3 throws SqliteError with SQLite's (extended) result code as `code`. The user cannot
 * act on "SQLITE_BUSY", so each family we can explain becomes a LogError naming the file and saying
 * what to do; anything else is a bug and is rethrown unchanged.
 */
import { LogError } from "../errors.js";

export function sqliteCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && code.startsWith("SQLITE_") ? code : undefined;
}

/** A LogError for `error` if it is a SQLite condition the user can act on, else undefined. */
export function describeSqliteError(error: unknown, path: string, busyTimeoutMs: number): LogError | undefined {
  const code = sqliteCode(error);
  if (code === undefined) return undefined;
  const detail = error instanceof Error ? error.message : String(error);
  const family = (prefix: string): boolean => code === prefix || code.startsWith(`${prefix}_`);
  if (family("SQLITE_BUSY") || family("SQLITE_LOCKED")) {
    return new LogError(
      `the log is locked by another triage process (${path}); gave up after waiting ${busyTimeoutMs} ms`,
      "try again in a moment; if it stays locked, look for a triage command that is still running",
    );
  }
  if (family("SQLITE_NOTADB")) {
    return new LogError(`${path} is not a database, so it cannot be a triage log; it was left unchanged`, "check --db / TRIAGE_DB");
  }
  if (family("SQLITE_CORRUPT")) {
    return new LogError(`the log ${path} is damaged: SQLite reports corruption (${detail})`, "restore it from a backup; do not write to it");
  }
  if (family("SQLITE_READONLY")) {
    return new LogError(`the log ${path} cannot be written: it or its folder is read-only (${detail})`, "check the file's and folder's permissions");
  }
  if (family("SQLITE_CANTOPEN") || family("SQLITE_PERM") || family("SQLITE_AUTH")) {
    return new LogError(`cannot open the log ${path} (${detail})`, "check that the path and its folder exist and are accessible");
  }
  if (family("SQLITE_FULL")) {
    return new LogError(`the log ${path} cannot grow: the disk is full`, "free some space and try again; nothing was recorded");
  }
  if (family("SQLITE_IOERR")) {
    return new LogError(`reading or writing the log ${path} failed (${detail})`, "check the disk; nothing partial was recorded");
  }
  return undefined;
}

/** Runs `fn`, turning SQLite conditions into LogError. */
export function withLogErrors<T>(path: string, busyTimeoutMs: number, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw describeSqliteError(error, path, busyTimeoutMs) ?? error;
  }
}
