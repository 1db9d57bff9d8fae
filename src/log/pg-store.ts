/**
 * The server log: the LogStore interface (store.ts) over one PostgreSQL connection (node-postgres).
 * Same entries, same canonical JSON, same hash chain as the SQLite log (chain.ts), so a log copied
 * between them verifies with the same head hash.
 *
 * The database links, hashes and signs every entry itself (pg-schema.ts): an insert gives only ref,
 * kind, at and body; the trigger sets seq, prev_hash and the actor (session_user) and computes the
 * hash. The store recomputes that hash from what came back and refuses to go on if it differs (one
 * definition of the chain, checked on every write).
 *
 * Every write transaction first takes the chain's advisory lock, so reading the head, allocating a
 * reference and appending happen as one step for every writer on every machine.
 */
import { draftFromRow, type DraftRow } from "./draft-row.js";
import type { Client, QueryResultRow } from "pg";
import { TriageError } from "../errors.js";
import type { Decision } from "../rules/types.js";
import { canonicalJson, sha256Hex } from "./canonical.js";
import { checkImport, entryHash, GENESIS_HASH } from "./chain.js";
import { decisionIndexRow } from "./index-row.js";
import { buildListQuery, DECISION_ROW_COLUMNS } from "./list-query.js";
import { nameKey, normaliseIdentity } from "../workflow/match.js";
import { describePgError, redactUrl } from "./pg-errors.js";
import { CHAIN_LOCK } from "./pg-schema.js";
import type { LogStore, LogTx, ServerIdentity } from "./store.js";
import type { Candidate, ChainHead, DecisionRow, Draft, DraftInput, EventKind, Identity, ListFilters, LogEntry, NewEvent, RuleSetRecord } from "./types.js";
import { formatRecordedAt, withRecordedAt } from "./recorded-at.js";
import { formatRef, yearOf } from "./refs.js";
import { EVENT_KINDS } from "./types.js";
import type { VerifyOptions, VerifyResult } from "./verify.js";

const KINDS_WITH_OWN_VERB: ReadonlySet<EventKind> = new Set(["decision", "rule_set"]);
const ENTRY_COLUMNS = "seq, ref, kind, actor, at, body, prev_hash, hash";
const PAGE = 5000;

type EntryRow = { seq: string | number; ref: string | null; kind: EventKind; actor: string; at: string; body: string; prev_hash: string; hash: string };

export interface PgInfo {
  path: string;
  readonly: boolean;
  busyTimeoutMs: number;
  identity: ServerIdentity;
  /** The machine's real clock, recorded in every entry's body as recorded_at (recorded-at.ts). */
  clock?: () => Date;
}

export class PgLogStore implements LogStore {
  readonly backend = "postgres" as const;
  readonly path: string;
  readonly isNew = false;
  readonly readonly: boolean;
  readonly busyTimeoutMs: number;
  readonly identity: ServerIdentity;
  readonly #client: Client;
  readonly #clock: (() => Date) | undefined;
  #depth = 0;
  /** Rule sets known to be registered: one query saved per decision. Forgotten on any rollback. */
  readonly #ruleSets = new Set<string>();
  /** The last reference allocated per year, valid only while this transaction holds the chain's lock. */
  readonly #lastRef = new Map<string, number>();

  constructor(client: Client, info: PgInfo) {
    this.#client = client;
    this.path = info.path;
    this.readonly = info.readonly;
    this.busyTimeoutMs = info.busyTimeoutMs;
    this.identity = info.identity;
    this.#clock = info.clock;
  }

  /** The connection, for verify and admin within src/log and for tests. */
  get client(): Client {
    return this.#client;
  }

  async query<R extends QueryResultRow = QueryResultRow>(sql: string, values: unknown[] = []): Promise<R[]> {
    try {
      return (await this.#client.query<R>(sql, values)).rows;
    } catch (error) {
      throw describePgError(error, this.path, this.busyTimeoutMs) ?? error;
    }
  }

  /** Rows as arrays (no per-row objects: for scans over every entry). */
  async queryArrays<R extends unknown[]>(sql: string, values: unknown[] = []): Promise<R[]> {
    try {
      return (await this.#client.query<R>({ text: sql, values, rowMode: "array" })).rows;
    } catch (error) {
      throw describePgError(error, this.path, this.busyTimeoutMs) ?? error;
    }
  }

  async batch<T>(fn: (tx: LogTx) => Promise<T>): Promise<T> {
    this.#requireWritable();
    const nested = this.#depth > 0;
    const name = `batch_${this.#depth + 1}`;
    // The chain's lock first (one round trip with BEGIN): the head, the next reference and the appends are one step.
    await this.query(nested ? `SAVEPOINT ${name}` : `BEGIN; SELECT pg_advisory_xact_lock(${CHAIN_LOCK})`);
    this.#depth++;
    try {
      const result = await fn(this);
      await this.query(nested ? `RELEASE SAVEPOINT ${name}` : "COMMIT");
      return result;
    } catch (error) {
      await this.#client.query(nested ? `ROLLBACK TO SAVEPOINT ${name}` : "ROLLBACK").catch(() => undefined);
      this.#ruleSets.clear();
      this.#lastRef.clear();
      throw error;
    } finally {
      this.#depth--;
      if (this.#depth === 0) this.#lastRef.clear();
    }
  }

  async head(): Promise<ChainHead> {
    const [row] = await this.query<{ seq: string; hash: string }>("SELECT seq, hash FROM triage.events ORDER BY seq DESC LIMIT 1");
    return row ? { seq: Number(row.seq), hash: row.hash } : { seq: 0, hash: GENESIS_HASH };
  }

  async hashAt(seq: number): Promise<string | undefined> {
    const [row] = await this.query<{ hash: string }>("SELECT hash FROM triage.events WHERE seq = $1", [seq]);
    return row?.hash;
  }

  async append(event: NewEvent): Promise<ChainHead> {
    if (KINDS_WITH_OWN_VERB.has(event.kind))
      throw new Error(`append: use ${event.kind === "decision" ? "recordDecision" : "registerRuleSet"} for ${event.kind} entries`);
    return this.#write(async () => {
      if (event.ref != null && (await this.query("SELECT 1 FROM triage.decisions WHERE ref = $1", [event.ref])).length === 0) {
        throw new TriageError(`there is no referral ${event.ref} in the log ${this.path}`);
      }
      return this.#insert(event);
    });
  }

  async registerRuleSet(ruleSet: RuleSetRecord, by: { actor: string; at: string }): Promise<boolean> {
    return this.#write(() => this.#registerRuleSet(ruleSet, by));
  }

  async getRuleSetContent(sha256: string): Promise<unknown> {
    const [row] = await this.query<{ content: string }>("SELECT content FROM triage.rule_sets WHERE sha256 = $1", [sha256]);
    return row === undefined ? undefined : JSON.parse(row.content);
  }

  async recordDecision(decision: Decision, options: { actor: string; ruleSetContent: unknown; draftId?: string }): Promise<string> {
    if (decision.ref !== undefined) throw new Error(`recordDecision: this decision is already recorded as ${decision.ref}`);
    return this.#write(async () => {
      const ref = await this.#nextRef(yearOf(decision.decided_at));
      await this.#registerRuleSet({ ...decision.rule_set, content: options.ruleSetContent }, { actor: options.actor, at: decision.decided_at });
      const body: Decision = { ...decision, ref };
      const { seq, actor } = await this.#insert({ kind: "decision", ref, actor: options.actor, at: decision.decided_at, body });
      // The index names the recorder as the database did.
      const row = decisionIndexRow({ ...body, ref }, seq, actor);
      const columns = Object.keys(row);
      await this.query(
        `INSERT INTO triage.decisions (${columns.join(", ")}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(", ")})`,
        columns.map((c) => row[c as keyof typeof row]),
      );
      if (options.draftId !== undefined) await this.query("DELETE FROM triage.drafts WHERE id = $1", [options.draftId]);
      return ref;
    });
  }

  async getDecision(ref: string): Promise<Decision | undefined> {
    const [row] = await this.query<{ body: string }>("SELECT e.body FROM triage.decisions d JOIN triage.events e ON e.seq = d.seq WHERE d.ref = $1", [ref]);
    return row === undefined ? undefined : (JSON.parse(row.body) as Decision);
  }

  async getDecisionRow(ref: string): Promise<DecisionRow | undefined> {
    const [row] = await this.query(`SELECT ${DECISION_ROW_COLUMNS} FROM triage.decisions d WHERE d.ref = $1`, [ref]);
    return row === undefined ? undefined : toDecisionRow(row);
  }

  async eventsFor(ref: string): Promise<LogEntry[]> {
    return (await this.query<EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM triage.events WHERE ref = $1 ORDER BY seq`, [ref])).map(toEntry);
  }

  async eventsOfKind(kind: EventKind): Promise<LogEntry[]> {
    return (await this.query<EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM triage.events WHERE kind = $1 AND ref IS NULL ORDER BY seq`, [kind])).map(toEntry);
  }

  async listDecisions(filters: ListFilters): Promise<DecisionRow[]> {
    const { sql, values } = buildListQuery(filters, "postgres");
    return (await this.query(sql.replace(/\b(FROM|JOIN) (decisions|events)\b/g, "$1 triage.$2"), values)).map(toDecisionRow);
  }

  async countDecisions(filters: ListFilters): Promise<number> {
    const { sql, values } = buildListQuery(filters, "postgres", { count: true });
    const rows = await this.query(sql.replace(/\b(FROM|JOIN) (decisions|events)\b/g, "$1 triage.$2"), values);
    return Number((rows[0] as { n: string | number } | undefined)?.n ?? 0);
  }

  async findCandidates(identity: Identity, options: { excludeRef?: string; limit?: number } = {}): Promise<Candidate[]> {
    const n = normaliseIdentity(identity);
    const orNull = (s: string): string | null => (s === "" ? null : s);
    const values = [orNull(n.ref), orNull(n.dob), orNull(n.postcode), orNull(nameKey(n.name)), options.excludeRef ?? null, options.limit ?? 500];
    type CandidateRow = {
      seq: string;
      ref: string;
      received_at: string;
      outcome: string;
      child_name: string | null;
      child_dob: string | null;
      child_ref: string | null;
      postcode_norm: string | null;
    };
    // Each arm is an index probe; UNION de-duplicates. A NULL parameter matches nothing.
    const rows = await this.query<CandidateRow>(
      "SELECT seq, ref, received_at, outcome, child_name, child_dob, child_ref, postcode_norm FROM triage.decisions WHERE seq IN (" +
        "SELECT seq FROM triage.decisions WHERE child_ref = $1 UNION SELECT seq FROM triage.decisions WHERE child_dob = $2 " +
        "UNION SELECT seq FROM triage.decisions WHERE postcode_norm = $3 UNION SELECT seq FROM triage.decisions WHERE name_key = $4) " +
        "AND ref IS DISTINCT FROM $5 ORDER BY received_utc DESC, seq DESC LIMIT $6",
      values,
    );
    return rows.map((r) => ({
      seq: Number(r.seq),
      ref: r.ref,
      received_at: r.received_at,
      outcome: r.outcome,
      identity: { name: r.child_name, dob: r.child_dob, ref: r.child_ref, postcode: r.postcode_norm },
    }));
  }

  async *allEvents(): AsyncGenerator<LogEntry> {
    // Keyset pages: each is one index range; nothing is held open between them.
    let after = 0;
    for (;;) {
      const rows = await this.query<EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM triage.events WHERE seq > $1 ORDER BY seq LIMIT ${PAGE}`, [after]);
      for (const row of rows) yield toEntry(row);
      if (rows.length < PAGE) return;
      after = Number(rows[rows.length - 1]!.seq);
    }
  }

  async importEntry(entry: LogEntry, ruleSetContent?: unknown): Promise<void> {
    await this.#write(async () => {
      const body = canonicalJson(entry.body);
      const fields = { seq: entry.seq, ref: entry.ref, kind: entry.kind, actor: entry.actor, at: entry.at, prev_hash: entry.prev_hash };
      checkImport(entry, await this.head(), entryHash(fields, body));
      // Given its hash, the database takes the entry verbatim (only from the log's owner) after
      // checking the link and the hash itself.
      await this.query("INSERT INTO triage.events (seq, ref, kind, actor, at, body, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", [
        entry.seq,
        entry.ref,
        entry.kind,
        entry.actor,
        entry.at,
        body,
        entry.prev_hash,
        entry.hash,
      ]);
      if (entry.kind === "rule_set") {
        const { id, version, sha256 } = entry.body as { id: string; version: string; sha256: string };
        const content = canonicalJson(ruleSetContent);
        if (sha256Hex(content) !== sha256) throw new TriageError(`entry ${entry.seq}: the rule set ${id} ${version} has no content that hashes to ${sha256}`);
        await this.query("INSERT INTO triage.rule_sets (sha256, id, version, content, registered_seq) VALUES ($1, $2, $3, $4, $5)", [
          sha256,
          id,
          version,
          content,
          entry.seq,
        ]);
      }
      if (entry.kind === "decision") {
        const row = decisionIndexRow({ ...(entry.body as Decision), ref: entry.ref! }, entry.seq, entry.actor);
        const columns = Object.keys(row);
        await this.query(
          `INSERT INTO triage.decisions (${columns.join(", ")}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(", ")})`,
          columns.map((c) => row[c as keyof typeof row]),
        );
      }
    });
  }

  async saveDraft(draft: DraftInput): Promise<void> {
    const { id, createdBy, ruleSetSha256, state, at } = draft;
    void createdBy; // the database records who saved it (session_user)
    await this.#write(() =>
      this.query(
        "INSERT INTO triage.drafts (id, created_at, updated_at, rule_set_sha256, state) VALUES ($1, $2, $2, $3, $4) " +
          "ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at, rule_set_sha256 = excluded.rule_set_sha256, state = excluded.state",
        [id, at, ruleSetSha256, JSON.stringify(state)],
      ),
    );
  }

  async getDraft(id: string): Promise<Draft | undefined> {
    const [row] = await this.query<DraftRow>("SELECT id, created_by, created_at, updated_at, rule_set_sha256, state FROM triage.drafts WHERE id = $1", [id]);
    return row && draftFromRow(row);
  }

  async listDrafts(createdBy?: string): Promise<Draft[]> {
    const rows = await this.query<DraftRow>(
      "SELECT id, created_by, created_at, updated_at, rule_set_sha256, state FROM triage.drafts WHERE $1::text IS NULL OR created_by = $1 ORDER BY updated_at DESC, id",
      [createdBy ?? null],
    );
    return rows.map(draftFromRow);
  }

  async deleteDraft(id: string): Promise<boolean> {
    return this.#write(async () => (await this.query<{ id: string }>("DELETE FROM triage.drafts WHERE id = $1 RETURNING id", [id])).length > 0);
  }

  async verify(options: VerifyOptions = {}): Promise<VerifyResult> {
    const { verifyPg } = await import("./pg-verify.js");
    return verifyPg(this, options);
  }

  async close(): Promise<void> {
    await this.#client.end().catch(() => undefined);
  }

  #requireWritable(): void {
    if (this.readonly) throw new Error(`the log ${this.path} was opened read-only`);
  }

  /** Inside a batch: as part of it. Otherwise: its own transaction, with the chain's lock. */
  async #write<T>(fn: () => Promise<T>): Promise<T> {
    this.#requireWritable();
    return this.#depth > 0 ? fn() : this.batch(fn);
  }

  // The caller holds the chain's lock, so the database links this entry to the head it reads.
  async #insert(event: NewEvent): Promise<{ seq: number; hash: string; actor: string }> {
    if (!EVENT_KINDS.includes(event.kind)) throw new Error(`append: unknown kind ${String(event.kind)}`);
    // The same body shape as the SQLite log's (without os_user: the server knows who logged in).
    const body = canonicalJson(withRecordedAt(event.body, this.#clock && formatRecordedAt(this.#clock())));
    const ref = event.ref ?? null;
    const [row] = await this.query<{ seq: string; actor: string; prev_hash: string; hash: string }>(
      "INSERT INTO triage.events (ref, kind, at, body) VALUES ($1, $2, $3, $4) RETURNING seq, actor, prev_hash, hash",
      [ref, event.kind, event.at, body],
    );
    const seq = Number(row!.seq);
    const fields = { seq, ref, kind: event.kind, actor: row!.actor, at: event.at, prev_hash: row!.prev_hash };
    if (entryHash(fields, body) !== row!.hash) {
      // Nothing is committed: the batch rolls back.
      throw new Error(`the server computed hash ${row!.hash} for entry ${seq}, but chain.ts gives ${entryHash(fields, body)}: the two definitions differ`);
    }
    return { seq, hash: row!.hash, actor: row!.actor };
  }

  async #registerRuleSet(ruleSet: RuleSetRecord, by: { actor: string; at: string }): Promise<boolean> {
    if (this.#ruleSets.has(ruleSet.sha256)) return false;
    if ((await this.query("SELECT 1 FROM triage.rule_sets WHERE sha256 = $1", [ruleSet.sha256])).length > 0) {
      this.#ruleSets.add(ruleSet.sha256);
      return false;
    }
    const content = canonicalJson(typeof ruleSet.content === "string" ? JSON.parse(ruleSet.content) : ruleSet.content);
    if (sha256Hex(content) !== ruleSet.sha256) {
      throw new Error(`registerRuleSet: ${ruleSet.id} ${ruleSet.version}: content hashes to ${sha256Hex(content)}, not ${ruleSet.sha256}`);
    }
    const { id, version, sha256 } = ruleSet;
    const { seq } = await this.#insert({ kind: "rule_set", actor: by.actor, at: by.at, body: { id, version, sha256 } });
    await this.query("INSERT INTO triage.rule_sets (sha256, id, version, content, registered_seq) VALUES ($1, $2, $3, $4, $5)", [
      sha256,
      id,
      version,
      content,
      seq,
    ]);
    return true;
  }

  async #nextRef(year: string): Promise<string> {
    const prefix = `TRG-${year}-`;
    let last = this.#lastRef.get(year);
    if (last === undefined) {
      const [row] = await this.query<{ ref: string }>("SELECT ref FROM triage.decisions WHERE ref >= $1 AND ref < $2 ORDER BY ref DESC LIMIT 1", [
        prefix,
        `TRG-${year}.`,
      ]);
      last = row === undefined ? 0 : Number(row.ref.slice(prefix.length));
    }
    const next = last + 1;
    this.#lastRef.set(year, next);
    return formatRef(year, next);
  }
}

function toEntry(r: EntryRow): LogEntry {
  return { seq: Number(r.seq), ref: r.ref, kind: r.kind, actor: r.actor, at: r.at, body: JSON.parse(r.body), prev_hash: r.prev_hash, hash: r.hash };
}

function toDecisionRow(r: QueryResultRow): DecisionRow {
  return { ...(r as DecisionRow), seq: Number(r.seq) };
}

export { redactUrl };
