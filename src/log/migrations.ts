/**
 * Numbered schema migrations. `PRAGMA user_version` records how far a file has come; each step
 * runs in its own BEGIN IMMEDIATE transaction that also bumps user_version, so a crash leaves the
 * file at a whole version, and two processes opening a new log at once migrate it only once (the
 * second re-reads user_version inside its transaction and finds nothing to do).
 *
 * Never edit a shipped migration: add the next number.
 */
import type Database from "better-sqlite3";

/** Written to the header's application_id at creation: tells a triage log apart from any other SQLite file. ("TRIG") */
export const TRIAGE_APPLICATION_ID = 0x54524947;

export interface Migration {
  version: number;
  description: string;
  up: (db: Database.Database) => void;
}

/** Tables whose rows are never changed or removed once written, and their guarding triggers. */
export const APPEND_ONLY_TABLES = ["events", "rule_sets", "decisions"] as const;

const guardTriggers = (table: string): Record<string, string> => ({
  [`${table}_no_update`]: `CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table} BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END`,
  [`${table}_no_delete`]: `CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table} BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END`,
});

/** Every trigger verify expects, by name, with its exact SQL (a same-named no-op trigger must not pass). */
export const EXPECTED_TRIGGERS: Readonly<Record<string, string>> = Object.freeze(
  Object.assign({}, ...APPEND_ONLY_TABLES.map(guardTriggers)) as Record<string, string>,
);

const V1_SCHEMA = `
CREATE TABLE events (
  seq       INTEGER PRIMARY KEY,
  ref       TEXT,
  kind      TEXT NOT NULL CHECK (kind IN ('decision','check','review','override','closure','rule_set','anchor','history_link')),
  actor     TEXT NOT NULL,
  at        TEXT NOT NULL,
  body      TEXT NOT NULL,   -- canonical JSON; hashed verbatim (chain.ts)
  prev_hash TEXT NOT NULL,
  hash      TEXT NOT NULL UNIQUE
) STRICT;
CREATE INDEX events_by_ref ON events (ref) WHERE ref IS NOT NULL;
-- "Has this referral an override / review / closure?" answered from the index alone, without
-- reading entry bodies (list filters ask it of each decision they pass).
CREATE INDEX events_by_kind ON events (kind, ref) WHERE ref IS NOT NULL;

-- Content once per hash. Not chained itself: the rule_set event at registered_seq carries the sha256,
-- and verify re-hashes the content, so the chain covers it.
CREATE TABLE rule_sets (
  sha256         TEXT PRIMARY KEY,
  id             TEXT NOT NULL,
  version        TEXT NOT NULL,
  content        TEXT NOT NULL,
  registered_seq INTEGER NOT NULL REFERENCES events (seq)
) STRICT;

-- An index of facts that are also in each decision event's body, for fast listing and history
-- lookups. Insert-only; verify checks it against the chain. received_utc orders and filters
-- instants correctly whatever offset received_at was written with.
CREATE TABLE decisions (
  seq             INTEGER PRIMARY KEY REFERENCES events (seq),
  ref             TEXT NOT NULL UNIQUE,
  received_at     TEXT NOT NULL,
  received_utc    TEXT NOT NULL,
  decided_at      TEXT NOT NULL,
  outcome         TEXT NOT NULL,
  outcome_level   INTEGER NOT NULL,
  computed_level  INTEGER NOT NULL,
  decide_by       TEXT,
  respond_by      TEXT,
  worker          TEXT NOT NULL,
  rule_set_sha256 TEXT NOT NULL REFERENCES rule_sets (sha256),
  child_name      TEXT,
  child_name_norm TEXT,
  name_key        TEXT,
  child_dob       TEXT,
  child_ref       TEXT,
  postcode_norm   TEXT
) STRICT;
CREATE INDEX decisions_by_received ON decisions (received_utc);
CREATE INDEX decisions_by_outcome  ON decisions (outcome, received_utc);
CREATE INDEX decisions_by_worker   ON decisions (worker, received_utc);
CREATE INDEX decisions_by_child_ref ON decisions (child_ref) WHERE child_ref IS NOT NULL;
CREATE INDEX decisions_by_name_dob ON decisions (child_name_norm, child_dob) WHERE child_name_norm IS NOT NULL;
CREATE INDEX decisions_by_dob      ON decisions (child_dob) WHERE child_dob IS NOT NULL;
CREATE INDEX decisions_by_postcode ON decisions (postcode_norm) WHERE postcode_norm IS NOT NULL;
CREATE INDEX decisions_by_name_key ON decisions (name_key) WHERE name_key IS NOT NULL;

-- Interviews in progress: not part of the record, so not chained; upserted after every answer.
CREATE TABLE drafts (
  id              TEXT PRIMARY KEY,
  created_by      TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  rule_set_sha256 TEXT NOT NULL,
  state           TEXT NOT NULL
) STRICT;
CREATE INDEX drafts_by_updated ON drafts (updated_at);
`;

/** The event kinds of schema version 1, as its CHECK constraint lists them. */
const V1_KINDS = "'decision','check','review','override','closure','rule_set','anchor','history_link'";
/** The kinds after migration 2 (governance). */
const V2_KINDS = `${V1_KINDS},'rule_set_proposed','rule_set_approved'`;

/**
 * Loosens the events table's CHECK constraint to admit more kinds. SQLite cannot ALTER a CHECK;
 * its documented procedure for loosening one (sqlite.org/lang_altertable.html, "making other kinds
 * of table schema changes") edits the stored CREATE TABLE text, which changes nothing on disk: every
 * existing row satisfied the stricter check. Copying the table instead would rewrite every entry
 * of a possibly large chain.
 */
function allowKinds(db: Database.Database, from: string, to: string): void {
  const sql = db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'events'").pluck().get() as string;
  if (!sql.includes(`kind IN (${from})`)) throw new Error(`migration: the events table does not have the expected kinds (${from})`);
  const version = db.pragma("schema_version", { simple: true }) as number;
  db.unsafeMode(true);
  try {
    db.pragma("writable_schema = ON");
    db.prepare("UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = 'events'").run(sql.replace(`kind IN (${from})`, `kind IN (${to})`));
    db.pragma(`schema_version = ${version + 1}`);
  } finally {
    db.pragma("writable_schema = OFF");
    db.unsafeMode(false);
  }
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "events chain, rule sets, decisions index, drafts",
    up: (db) => {
      db.exec(V1_SCHEMA);
      for (const sql of Object.values(EXPECTED_TRIGGERS)) db.exec(`${sql};`);
      db.pragma(`application_id = ${TRIAGE_APPLICATION_ID}`);
    },
  },
  {
    version: 2,
    description: "rule-set governance: rule_set_proposed and rule_set_approved entries, found by kind",
    up: (db) => {
      allowKinds(db, V1_KINDS, V2_KINDS);
      // Entries about the log itself (rule sets, approvals, anchors) by kind, without reading the chain.
      db.exec("CREATE INDEX events_unattached_by_kind ON events (kind, seq) WHERE ref IS NULL");
    },
  },
  {
    version: 3,
    description: "answers_completed entries: the questions left for later after an urgent decision, answered",
    up: (db) => allowKinds(db, V2_KINDS, `${V2_KINDS},'answers_completed'`),
  },
];

export const LATEST_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

export function userVersion(db: Database.Database): number {
  return db.pragma("user_version", { simple: true }) as number;
}

/**
 * Brings `db` up to `target` (default: the latest), one migration per transaction, in order.
 * Returns the versions applied. A migration that throws rolls back alone; earlier ones stay.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS, target?: number): number[] {
  const goal = target ?? migrations.reduce((max, m) => Math.max(max, m.version), 0);
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  const applied: number[] = [];
  for (const migration of ordered) {
    if (migration.version > goal) break;
    // Up to date needs no write lock: a log another process is busy writing still opens.
    if (userVersion(db) >= migration.version) continue;
    const ran = db
      .transaction(() => {
        // Re-read inside the write lock: another process may have migrated while we waited.
        if (userVersion(db) >= migration.version) return false;
        migration.up(db);
        db.pragma(`user_version = ${migration.version}`);
        return true;
      })
      .immediate();
    if (ran) applied.push(migration.version);
  }
  return applied;
}
