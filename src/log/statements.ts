/**
 * Every statement the store runs, prepared once per connection (preparing is the expensive part
 * of a small query, and the CLI may run thousands in `demo` or `rules diff`).
 */
import type Database from "better-sqlite3";
import { DECISION_ROW_COLUMNS } from "./list-query.js";

const ENTRY_COLUMNS = "seq, ref, kind, actor, at, body, prev_hash, hash";

export function prepareStatements(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  return {
    head: p("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1"),
    hashAt: p("SELECT hash FROM events WHERE seq = ?").pluck(),
    insertEvent: p(`INSERT INTO events (${ENTRY_COLUMNS}) VALUES (@seq, @ref, @kind, @actor, @at, @body, @prev_hash, @hash)`),
    eventsFor: p(`SELECT ${ENTRY_COLUMNS} FROM events WHERE ref = ? ORDER BY seq`),
    allEvents: p(`SELECT ${ENTRY_COLUMNS} FROM events ORDER BY seq`),
    // Served by events_unattached_by_kind (migration 2).
    unattachedOfKind: p(`SELECT ${ENTRY_COLUMNS} FROM events WHERE kind = ? AND ref IS NULL ORDER BY seq`),
    decisionExists: p("SELECT 1 FROM decisions WHERE ref = ?").pluck(),

    ruleSetExists: p("SELECT 1 FROM rule_sets WHERE sha256 = ?").pluck(),
    ruleSetContent: p("SELECT content FROM rule_sets WHERE sha256 = ?").pluck(),
    insertRuleSet: p("INSERT INTO rule_sets (sha256, id, version, content, registered_seq) VALUES (?, ?, ?, ?, ?)"),

    // The unique index on ref serves this: the highest reference of the year, in one probe.
    lastRefOfYear: p("SELECT ref FROM decisions WHERE ref >= ? AND ref < ? ORDER BY ref DESC LIMIT 1").pluck(),
    insertDecision: p(
      "INSERT INTO decisions (seq, ref, received_at, received_utc, decided_at, outcome, outcome_level, computed_level, " +
        "decide_by, respond_by, worker, rule_set_sha256, child_name, child_name_norm, name_key, child_dob, child_ref, postcode_norm) " +
        "VALUES (@seq, @ref, @received_at, @received_utc, @decided_at, @outcome, @outcome_level, @computed_level, " +
        "@decide_by, @respond_by, @worker, @rule_set_sha256, @child_name, @child_name_norm, @name_key, @child_dob, @child_ref, @postcode_norm)",
    ),
    decisionBody: p("SELECT e.body FROM decisions d JOIN events e ON e.seq = d.seq WHERE d.ref = ?").pluck(),
    decisionRow: p(`SELECT ${DECISION_ROW_COLUMNS} FROM decisions d WHERE d.ref = ?`),
    // Each arm is an index probe; UNION de-duplicates. A NULL parameter matches nothing.
    candidates: p(
      "SELECT seq, ref, received_at, outcome, child_name, child_dob, child_ref, postcode_norm FROM decisions WHERE seq IN (" +
        "SELECT seq FROM decisions WHERE child_ref = @ref UNION SELECT seq FROM decisions WHERE child_dob = @dob " +
        "UNION SELECT seq FROM decisions WHERE postcode_norm = @postcode UNION SELECT seq FROM decisions WHERE name_key = @nameKey) " +
        "AND ref IS NOT @exclude ORDER BY received_utc DESC, seq DESC LIMIT @limit",
    ),

    saveDraft: p(
      "INSERT INTO drafts (id, created_by, created_at, updated_at, rule_set_sha256, state) VALUES (@id, @createdBy, @at, @at, @ruleSetSha256, @state) " +
        "ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at, rule_set_sha256 = excluded.rule_set_sha256, state = excluded.state",
    ),
    getDraft: p("SELECT id, created_by, created_at, updated_at, rule_set_sha256, state FROM drafts WHERE id = ?"),
    listDrafts: p(
      "SELECT id, created_by, created_at, updated_at, rule_set_sha256, state FROM drafts WHERE @by IS NULL OR created_by = @by ORDER BY updated_at DESC, id",
    ),
    deleteDraft: p("DELETE FROM drafts WHERE id = ?"),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
