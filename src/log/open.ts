/**
 * Opening the log: the only place that decides whether a file may be used as a triage log.
 *
 * Everything that could refuse the file is checked before anything is written to it, so a file we
 * refuse (not SQLite, someone else's SQLite, a newer schema) is left byte-for-byte as it was.
 * The file is created owner-only before SQLite sees it, because referrals are sensitive and SQLite
 * would otherwise create it with the umask's (usually world-readable) mode; SQLite gives its -wal
 * and -shm files the same mode as the database.
 */
import { accessSync, chmodSync, closeSync, constants, existsSync, mkdirSync, openSync, readSync, statSync, type Stats } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { LogError } from "../errors.js";
import { refuseBrokenHead } from "./head-check.js";
import { LATEST_VERSION, migrate, TRIAGE_APPLICATION_ID, userVersion } from "./migrations.js";
import { describeSqliteError } from "./sqlite-errors.js";
import { SqliteLogStore } from "./sqlite-store.js";

export interface OpenOptions {
  /** Read only: never creates, migrates or writes. */
  readonly?: boolean;
  /** How long to wait for another process's write lock before giving up (default 5000 ms). */
  busyTimeoutMs?: number;
  /** The operating-system account, recorded in every entry written (os-user.ts). */
  osUser?: string;
  /** The machine's real clock, recorded in every entry written as recorded_at (recorded-at.ts). */
  clock?: () => Date;
  /** Told what was done to the file that the user should know (its permissions tightened). */
  notice?: (message: string) => void;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

// URI filenames (file:…?immutable=1) open a log on read-only media (readOnlyMedia below).
// better-sqlite3 reads this once, when its first connection loads SQLite; our paths are absolute,
// so no plain path is ever read as a URI.
process.env.SQLITE_USE_URI ??= "1";
const SQLITE_MAGIC = Buffer.from("SQLite format 3\0", "latin1");

const reason = (error: unknown): string => {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? `${code}: ${(error as Error).message}` : String(error);
};

export function openLog(path: string, options: OpenOptions = {}): SqliteLogStore {
  const file = resolve(path);
  const readonly = options.readonly === true;
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const created = readonly ? requireExisting(file) : prepareFile(file);
  ownerOnly(file, readonly, options.notice);
  refuseIfNotSqlite(file);

  // Look before touching: a read-only connection can neither change the file nor, when it closes,
  // fold someone else's pending write-ahead log into it (closing a read-write one would).
  const immutable = readonly && readOnlyMedia(file);
  const inspector = connect(immutable ? immutableUri(file) : file, true, busyTimeoutMs);
  let isEmpty: boolean;
  try {
    isEmpty = checkIdentity(inspector, file, readonly);
    if (readonly) {
      inspector.pragma("foreign_keys = ON");
      return new SqliteLogStore(inspector, { path: file, isNew: false, readonly, immutable, busyTimeoutMs, osUser: options.osUser, clock: options.clock });
    }
  } catch (error) {
    inspector.close();
    throw describeSqliteError(error, file, busyTimeoutMs) ?? error;
  }
  inspector.close();

  const db = connect(file, false, busyTimeoutMs);
  try {
    // 16 KiB pages hold several ~2 KB entries each (4 KiB pages hold one or two): verify reads
    // about 10% faster. Only takes effect on a new, empty database, and must come before WAL.
    if (isEmpty) db.pragma("page_size = 16384");
    // WAL: readers never block the writer; FULL: a recorded decision survives power loss.
    const mode = db.pragma("journal_mode = WAL", { simple: true });
    if (mode !== "wal") throw new LogError(`the log ${file} cannot use write-ahead logging (SQLite chose "${String(mode)}")`, "keep the log on a local disk");
    db.pragma("synchronous = FULL");
    db.pragma("foreign_keys = ON");
    // 32 MiB of page cache (default 8): the random-keyed indexes (hash, name key, date of birth)
    // make inserts into a large log miss a small cache; memory is only taken as pages are read.
    db.pragma("cache_size = -32768");
    migrate(db);
    refuseBrokenHead(db, file);
    return new SqliteLogStore(db, { path: file, isNew: created || isEmpty, readonly, busyTimeoutMs, osUser: options.osUser, clock: options.clock });
  } catch (error) {
    db.close();
    throw describeSqliteError(error, file, busyTimeoutMs) ?? error;
  }
}

function connect(file: string, readonly: boolean, busyTimeoutMs: number): Database.Database {
  try {
    return new Database(file, { readonly, fileMustExist: true, timeout: busyTimeoutMs });
  } catch (error) {
    throw describeSqliteError(error, file, busyTimeoutMs) ?? error;
  }
}

/**
 * A log in a folder we cannot write (a backup on read-only media, a read-only share): SQLite cannot
 * create the shared-memory file a write-ahead log needs even to read, so such a log is opened as
 * immutable — read as the file is, without locks. Only when nothing is waiting in a -wal file (its
 * entries would be missed): a log with one is refused, saying so.
 */
function readOnlyMedia(file: string): boolean {
  try {
    accessSync(dirname(file), constants.W_OK);
    return false;
  } catch {
    /* the folder cannot be written */
  }
  const wal = statSync(`${file}-wal`, { throwIfNoEntry: false });
  if (wal === undefined || wal.size === 0) return true;
  if (existsSync(`${file}-shm`)) return false; // SQLite reads both read-only
  throw new LogError(
    `the log ${file} is in a read-only folder with writes not yet folded into it (${file}-wal), which cannot be read there without its -shm file`,
    "copy the log together with its -wal file to a writable folder and read it there",
  );
}

/** The log as an immutable SQLite URI (each path segment percent-encoded). */
export function immutableUri(file: string): string {
  return `file:${file.split("/").map(encodeURIComponent).join("/")}?immutable=1`;
}

function requireExisting(file: string): boolean {
  const stat = statSync(file, { throwIfNoEntry: false });
  if (!stat) throw new LogError(`there is no log at ${file}`, "it is created when the first referral is recorded; check --db / TRIAGE_DB");
  refuseNonFile(file, stat);
  return false;
}

// A FIFO would block the first read for ever; a socket or device is never a log. Refused at once.
function refuseNonFile(file: string, stat: Stats): void {
  if (stat.isFile()) return;
  const what = stat.isFIFO()
    ? "a named pipe (FIFO)"
    : stat.isSocket()
      ? "a socket"
      : stat.isCharacterDevice() || stat.isBlockDevice()
        ? "a device"
        : stat.isDirectory()
          ? "a folder"
          : "something else";
  throw new LogError(`${file} is not a file (it is ${what}), so it cannot be the log; it was not opened`, "point --db / TRIAGE_DB at a file");
}

/**
 * Referrals are sensitive: the log and its journal files are owner-only. A log whose mode lets
 * others read or write it (copied with cp, restored from a backup, a umask) is tightened to 0600
 * when we own it, saying so; read-only opens only say so. Never claims owner-only when it is not.
 */
function ownerOnly(file: string, readonly: boolean, notice: ((message: string) => void) | undefined): void {
  for (const path of [file, `${file}-wal`, `${file}-shm`]) {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat || (stat.mode & 0o077) === 0) continue;
    const mode = (stat.mode & 0o777).toString(8).padStart(4, "0");
    const mine = process.getuid === undefined || stat.uid === process.getuid();
    if (!readonly && mine) {
      try {
        chmodSync(path, 0o600);
        notice?.(`The log file ${path} was readable or writable by others (mode ${mode}); it is now owner-only (0600).`);
        continue;
      } catch {
        /* fall through to the warning */
      }
    }
    notice?.(`warning: the log file ${path} is readable or writable by others (mode ${mode}); make it owner-only: chmod 600 ${path}`);
  }
}

/** Makes sure the folder and file exist and can be written. Returns whether the file was created. */
function prepareFile(file: string): boolean {
  const dir = dirname(file);
  if (!existsSync(dir)) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new LogError(`cannot create the folder ${dir} for the log ${file} (${reason(error)})`, "choose another place with --db / TRIAGE_DB");
    }
  }
  let created = false;
  const stat = statSync(file, { throwIfNoEntry: false });
  if (stat === undefined) {
    try {
      closeSync(openSync(file, "wx", 0o600));
      created = true;
    } catch (error) {
      // Another process may have created it a moment ago: then it is theirs and ours alike.
      if ((error as { code?: unknown }).code !== "EEXIST") {
        throw new LogError(
          `cannot create the log ${file}: the folder ${dir} is read-only or not accessible (${reason(error)})`,
          "check the folder's permissions or use --db",
        );
      }
    }
  } else refuseNonFile(file, stat);
  try {
    accessSync(file, constants.R_OK | constants.W_OK);
  } catch (error) {
    throw new LogError(`the log ${file} is read-only (${reason(error)})`, "check the file's permissions; read-only commands can still use it");
  }
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new LogError(
      `the folder ${dir} is read-only, and the log needs to write its journal files beside ${file} (${reason(error)})`,
      "check the folder's permissions",
    );
  }
  return created;
}

// SQLite would report NOTADB too, but only after opening; reading 16 bytes ourselves cannot change anything.
function refuseIfNotSqlite(file: string): void {
  const header = Buffer.alloc(SQLITE_MAGIC.length);
  let read: number;
  try {
    const fd = openSync(file, "r");
    try {
      read = readSync(fd, header, 0, header.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw new LogError(`cannot read the log ${file} (${reason(error)})`, "check the file's permissions");
  }
  if (read > 0 && (read < header.length || !header.equals(SQLITE_MAGIC))) {
    throw new LogError(`${file} is not a database (not a SQLite file), so it is not a triage log; it was left unchanged`, "check --db / TRIAGE_DB");
  }
}

/** Refuses a file that is someone else's or too new. Returns whether the database is empty (ours to set up). */
function checkIdentity(db: Database.Database, file: string, readonly: boolean): boolean {
  const applicationId = db.pragma("application_id", { simple: true }) as number;
  const version = userVersion(db);
  const objects = db.prepare("SELECT count(*) FROM sqlite_master").pluck().get() as number;
  const isEmpty = applicationId === 0 && objects === 0 && version === 0;
  if (applicationId !== TRIAGE_APPLICATION_ID && !isEmpty) {
    throw new LogError(
      `${file} is a SQLite database but not a triage log (it has ${objects} tables and indexes and no triage marker); it was left unchanged`,
      "check --db / TRIAGE_DB",
    );
  }
  if (version > LATEST_VERSION) {
    throw new LogError(
      `the log ${file} was written by a newer version of triage (schema ${version}; this version knows up to ${LATEST_VERSION}); it was left unchanged`,
      "upgrade triage to use this log",
    );
  }
  if (readonly && isEmpty) throw new LogError(`the log ${file} is empty: nothing has been recorded in it yet`);
  // Marked as ours but without the tables its schema version promises: damaged, or made by hand.
  if (applicationId === TRIAGE_APPLICATION_ID && version >= 1) {
    const tables = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('events', 'decisions')").pluck().get() as number;
    if (tables < 2)
      throw new LogError(
        `${file} is marked as a triage log (schema ${version}) but its tables are missing: it is damaged or was not written by triage; it was left unchanged`,
        "restore the log from a backup, or check --db / TRIAGE_DB",
      );
  }
  if (readonly && version < LATEST_VERSION) {
    throw new LogError(
      `the log ${file} uses an older schema (${version}) and cannot be upgraded read-only`,
      "run any command that records something to upgrade it",
    );
  }
  return isEmpty;
}
