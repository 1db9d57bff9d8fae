/**
 * The SQLite log store: the LogStore interface (store.ts) over one better-sqlite3 connection.
 * Opened by openLog (open.ts), which has already checked the file is a triage log at the current
 * schema.
 *
 * better-sqlite3 is synchronous, and stays so inside: each method does its work at once and only
 * hands the result back as a promise, so the asynchronous interface costs one promise per call.
 *
 * Every write runs in BEGIN IMMEDIATE, which takes SQLite's write lock before reading the chain
 * head, so two processes appending at once still build one chain. Nested writes (recordDecision →
 * append, or anything inside `batch`) become savepoints of the outer transaction. While a batch's
 * callback runs, the connection is inside its transaction: the callback uses `tx` (this store) and
 * awaits nothing but the store, so nothing else in the process can slip into the transaction.
 */
import { draftFromRow, type DraftRow } from "./draft-row.js";
import type Database from "better-sqlite3";
import { TriageError } from "../errors.js";
import type { Decision } from "../rules/types.js";
import { canonicalJson, sha256Hex } from "./canonical.js";
import { checkImport, entryHash, GENESIS_HASH } from "./chain.js";
import { decisionIndexRow } from "./index-row.js";
import { buildListQuery } from "./list-query.js";
import { nameKey, normaliseIdentity } from "../workflow/match.js";
import { describeSqliteError, withLogErrors } from "./sqlite-errors.js";
import { prepareStatements, type Statements } from "./statements.js";
import { withOsUser } from "./os-user.js";
import { formatRecordedAt, withRecordedAt } from "./recorded-at.js";
import type { LogStore, LogTx } from "./store.js";
import type { Candidate, ChainHead, DecisionRow, Draft, DraftInput, EventKind, Identity, ListFilters, LogEntry, NewEvent, RuleSetRecord } from "./types.js";
import type { VerifyOptions, VerifyResult } from "./verify.js";
import { formatRef, yearOf } from "./refs.js";
import { EVENT_KINDS } from "./types.js";

export interface StoreInfo {
  path: string;
  /** True when this open created the log (the CLI then says where it is). */
  isNew: boolean;
  readonly: boolean;
  /** Opened as immutable (a log on read-only media, open.ts): verify's workers must open it so too. */
  immutable?: boolean;
  busyTimeoutMs: number;
  /** The operating-system account writing, recorded in every entry's body (os-user.ts). */
  osUser?: string | undefined;
  /** The machine's real clock, recorded in every entry's body as recorded_at (recorded-at.ts). */
  clock?: (() => Date) | undefined;
}

type Row = [number, string | null, EventKind, string, string, string, string, string];

// Kinds whose index rows or content tables must be written with them: only via their own verbs.
const KINDS_WITH_OWN_VERB: ReadonlySet<EventKind> = new Set(["decision", "rule_set"]);

export class SqliteLogStore implements LogStore {
  readonly backend = "sqlite" as const;
  readonly path: string;
  readonly isNew: boolean;
  readonly readonly: boolean;
  readonly busyTimeoutMs: number;
  readonly immutable: boolean;
  readonly osUser: string | undefined;
  readonly #clock: (() => Date) | undefined;
  readonly #db: Database.Database;
  readonly #s: Statements;
  readonly #listStatements = new Map<string, Database.Statement>();
  #savepoints = 0;

  constructor(db: Database.Database, info: StoreInfo) {
    this.#db = db;
    this.path = info.path;
    this.isNew = info.isNew;
    this.readonly = info.readonly;
    this.busyTimeoutMs = info.busyTimeoutMs;
    this.immutable = info.immutable === true;
    this.osUser = info.osUser;
    this.#clock = info.clock;
    this.#s = prepareStatements(db);
  }

  /** The connection, for verify.ts and tests inside src/log only. */
  get sqlite(): Database.Database {
    return this.#db;
  }

  /** Runs `fn` inside one write transaction (many appends, one fsync). Rolls back everything if it throws. */
  async batch<T>(fn: (tx: LogTx) => Promise<T>): Promise<T> {
    this.#requireWritable();
    // Inside another batch: a savepoint, so this one can roll back alone.
    const nested = this.#db.inTransaction;
    const name = `batch_${++this.#savepoints}`;
    this.#guard(() => this.#db.exec(nested ? `SAVEPOINT ${name}` : "BEGIN IMMEDIATE"));
    try {
      const result = await fn(this);
      this.#guard(() => this.#db.exec(nested ? `RELEASE ${name}` : "COMMIT"));
      return result;
    } catch (error) {
      if (this.#db.inTransaction) this.#db.exec(nested ? `ROLLBACK TO ${name}; RELEASE ${name}` : "ROLLBACK");
      throw error;
    }
  }

  async head(): Promise<ChainHead> {
    return this.#guard(() => {
      const row = this.#s.head.get() as ChainHead | undefined;
      return row ?? { seq: 0, hash: GENESIS_HASH };
    });
  }

  async hashAt(seq: number): Promise<string | undefined> {
    return this.#guard(() => this.#s.hashAt.get(seq) as string | undefined);
  }

  /** Appends one entry (any kind but `decision` and `rule_set`, which have their own verbs). */
  async append(event: NewEvent): Promise<ChainHead> {
    if (KINDS_WITH_OWN_VERB.has(event.kind))
      throw new Error(`append: use ${event.kind === "decision" ? "recordDecision" : "registerRuleSet"} for ${event.kind} entries`);
    return this.#write(() => {
      if (event.ref != null && this.#s.decisionExists.get(event.ref) === undefined) {
        throw new TriageError(`there is no referral ${event.ref} in the log ${this.path}`);
      }
      return this.#appendInTransaction(event);
    });
  }

  /**
   * Stores a rule set's content once per hash; appends a `rule_set` entry (by `by.actor`, at
   * `by.at`) only the first time. Returns whether it was new.
   */
  async registerRuleSet(ruleSet: RuleSetRecord, by: { actor: string; at: string }): Promise<boolean> {
    return this.#write(() => this.#registerRuleSet(ruleSet, by));
  }

  async getRuleSetContent(sha256: string): Promise<unknown> {
    return this.#guard(() => {
      const text = this.#s.ruleSetContent.get(sha256) as string | undefined;
      return text === undefined ? undefined : (JSON.parse(text) as unknown);
    });
  }

  /**
   * Records a decision: allocates TRG-<year decided>-<nnnnnn>, registers its rule set, appends the
   * `decision` entry (the body is the decision with `ref` set), indexes it and deletes its draft —
   * all in one transaction, so the draft disappears exactly when the decision is safely written.
   */
  async recordDecision(decision: Decision, options: { actor: string; ruleSetContent: unknown; draftId?: string }): Promise<string> {
    if (decision.ref !== undefined) throw new Error(`recordDecision: this decision is already recorded as ${decision.ref}`);
    return this.#write(() => {
      const ref = this.#nextRef(yearOf(decision.decided_at));
      this.#registerRuleSet({ ...decision.rule_set, content: options.ruleSetContent }, { actor: options.actor, at: decision.decided_at });
      const body: Decision = { ...decision, ref };
      const { seq } = this.#appendInTransaction({ kind: "decision", ref, actor: options.actor, at: decision.decided_at, body });
      this.#s.insertDecision.run(decisionIndexRow({ ...body, ref }, seq, options.actor));
      if (options.draftId !== undefined) this.#s.deleteDraft.run(options.draftId);
      return ref;
    });
  }

  async getDecision(ref: string): Promise<Decision | undefined> {
    return this.#guard(() => {
      const text = this.#s.decisionBody.get(ref) as string | undefined;
      return text === undefined ? undefined : (JSON.parse(text) as Decision);
    });
  }

  /** The index row of one decision (what `log list` shows), or undefined. */
  async getDecisionRow(ref: string): Promise<DecisionRow | undefined> {
    return this.#guard(() => this.#s.decisionRow.get(ref) as DecisionRow | undefined);
  }

  /** Every entry about `ref` (its decision, then checks, reviews, overrides, closures…), oldest first. */
  async eventsFor(ref: string): Promise<LogEntry[]> {
    return this.#guard(() => (this.#s.eventsFor.raw(true).all(ref) as Row[]).map(toEntry));
  }

  async eventsOfKind(kind: EventKind): Promise<LogEntry[]> {
    return this.#guard(() => (this.#s.unattachedOfKind.raw(true).all(kind) as Row[]).map(toEntry));
  }

  async listDecisions(filters: ListFilters): Promise<DecisionRow[]> {
    const { sql, params } = buildListQuery(filters);
    return this.#guard(() => {
      // At most one statement per combination of filters, so prepare each once.
      let stmt = this.#listStatements.get(sql);
      if (stmt === undefined) this.#listStatements.set(sql, (stmt = this.#db.prepare(sql)));
      return stmt.all(params) as DecisionRow[];
    });
  }

  async countDecisions(filters: ListFilters): Promise<number> {
    const { sql, params } = buildListQuery(filters, "sqlite", { count: true });
    return this.#guard(() => {
      let stmt = this.#listStatements.get(sql);
      if (stmt === undefined) this.#listStatements.set(sql, (stmt = this.#db.prepare(sql)));
      return (stmt.get(params) as { n: number }).n;
    });
  }

  /**
   * Earlier referrals that share a local reference, date of birth, postcode or phonetic name key
   * with `identity`, newest first. A prefilter only: classify each with classifyMatch (src/workflow/match.ts).
   */
  async findCandidates(identity: Identity, options: { excludeRef?: string; limit?: number } = {}): Promise<Candidate[]> {
    const n = normaliseIdentity(identity);
    const orNull = (s: string): string | null => (s === "" ? null : s);
    const params = {
      ref: orNull(n.ref),
      dob: orNull(n.dob),
      postcode: orNull(n.postcode),
      nameKey: orNull(nameKey(n.name)),
      exclude: options.excludeRef ?? null,
      limit: options.limit ?? 500,
    };
    type CandidateRow = {
      seq: number;
      ref: string;
      received_at: string;
      outcome: string;
      child_name: string | null;
      child_dob: string | null;
      child_ref: string | null;
      postcode_norm: string | null;
    };
    return this.#guard(() =>
      (this.#s.candidates.all(params) as CandidateRow[]).map((r) => ({
        seq: r.seq,
        ref: r.ref,
        received_at: r.received_at,
        outcome: r.outcome,
        identity: { name: r.child_name, dob: r.child_dob, ref: r.child_ref, postcode: r.postcode_norm },
      })),
    );
  }

  /**
   * Every entry in chain order, body parsed. Streams: fine for exporting millions. The connection is
   * busy until the iteration finishes, so do not write from inside the loop.
   */
  async *allEvents(): AsyncGenerator<LogEntry> {
    try {
      for (const row of this.#s.allEvents.raw(true).iterate() as IterableIterator<Row>) yield toEntry(row);
    } catch (error) {
      throw describeSqliteError(error, this.path, this.busyTimeoutMs) ?? error;
    }
  }

  async importEntry(entry: LogEntry, ruleSetContent?: unknown): Promise<void> {
    this.#write(() => {
      const prev = (this.#s.head.get() as ChainHead | undefined) ?? { seq: 0, hash: GENESIS_HASH };
      const fields = { seq: entry.seq, ref: entry.ref, kind: entry.kind, actor: entry.actor, at: entry.at, prev_hash: entry.prev_hash };
      const body = canonicalJson(entry.body);
      checkImport(entry, prev, entryHash(fields, body));
      this.#s.insertEvent.run({ ...fields, body, hash: entry.hash });
      if (entry.kind === "rule_set") {
        const { id, version, sha256 } = entry.body as { id: string; version: string; sha256: string };
        const content = canonicalJson(ruleSetContent);
        if (sha256Hex(content) !== sha256) throw new TriageError(`entry ${entry.seq}: the rule set ${id} ${version} has no content that hashes to ${sha256}`);
        this.#s.insertRuleSet.run(sha256, id, version, content, entry.seq);
      }
      if (entry.kind === "decision") this.#s.insertDecision.run(decisionIndexRow({ ...(entry.body as Decision), ref: entry.ref! }, entry.seq, entry.actor));
    });
  }

  async saveDraft(draft: DraftInput): Promise<void> {
    const { id, createdBy, ruleSetSha256, state, at } = draft;
    this.#write(() => this.#s.saveDraft.run({ id, createdBy, ruleSetSha256, at, state: JSON.stringify(state) }));
  }

  async getDraft(id: string): Promise<Draft | undefined> {
    return this.#guard(() => {
      const row = this.#s.getDraft.get(id) as DraftRow | undefined;
      return row && draftFromRow(row);
    });
  }

  /** Drafts (of one person, if given), most recently touched first. */
  async listDrafts(createdBy?: string): Promise<Draft[]> {
    return this.#guard(() => (this.#s.listDrafts.all({ by: createdBy ?? null }) as DraftRow[]).map(draftFromRow));
  }

  /** Returns whether there was such a draft. */
  async deleteDraft(id: string): Promise<boolean> {
    return this.#write(() => this.#s.deleteDraft.run(id).changes > 0);
  }

  async verify(options: VerifyOptions = {}): Promise<VerifyResult> {
    const { verifySqlite } = await import("./verify.js");
    return verifySqlite(this, options);
  }

  async close(): Promise<void> {
    this.closeNow();
  }

  /** Closes at once (for `finally` blocks and exit handlers that cannot wait). */
  closeNow(): void {
    if (this.#db.open) this.#db.close();
  }

  #guard<T>(fn: () => T): T {
    return withLogErrors(this.path, this.busyTimeoutMs, fn);
  }

  #requireWritable(): void {
    if (this.readonly) throw new Error(`the log ${this.path} was opened read-only`);
  }

  #write<T>(fn: () => T): T {
    this.#requireWritable();
    return this.#guard(() => this.#db.transaction(fn).immediate());
  }

  // Callers hold the write lock, so the head read here is the head this entry links to.
  #appendInTransaction(event: NewEvent): ChainHead {
    if (!EVENT_KINDS.includes(event.kind)) throw new Error(`append: unknown kind ${String(event.kind)}`);
    if (event.actor.trim() === "") throw new TriageError("every log entry needs a person: the actor is empty");
    const prev = (this.#s.head.get() as ChainHead | undefined) ?? { seq: 0, hash: GENESIS_HASH };
    const fields = { seq: prev.seq + 1, ref: event.ref ?? null, kind: event.kind, actor: event.actor, at: event.at, prev_hash: prev.hash };
    const recordedAt = this.#clock && formatRecordedAt(this.#clock());
    const body = canonicalJson(withRecordedAt(withOsUser(event.body, this.osUser), recordedAt));
    const hash = entryHash(fields, body);
    this.#s.insertEvent.run({ ...fields, body, hash });
    return { seq: fields.seq, hash };
  }

  #registerRuleSet(ruleSet: RuleSetRecord, by: { actor: string; at: string }): boolean {
    if (this.#s.ruleSetExists.get(ruleSet.sha256) !== undefined) return false;
    // Content may come as the value or as its JSON text (e.g. ruleSetDigest's `content`).
    const content = canonicalJson(typeof ruleSet.content === "string" ? JSON.parse(ruleSet.content) : ruleSet.content);
    // Replaying a decision relies on the stored content being exactly what the hash names.
    if (sha256Hex(content) !== ruleSet.sha256) {
      throw new Error(`registerRuleSet: ${ruleSet.id} ${ruleSet.version}: content hashes to ${sha256Hex(content)}, not ${ruleSet.sha256}`);
    }
    const { id, version, sha256 } = ruleSet;
    const { seq } = this.#appendInTransaction({ kind: "rule_set", actor: by.actor, at: by.at, body: { id, version, sha256 } });
    this.#s.insertRuleSet.run(sha256, id, version, content, seq);
    return true;
  }

  #nextRef(year: string): string {
    const prefix = `TRG-${year}-`;
    const last = this.#s.lastRefOfYear.get(prefix, `TRG-${year}.`) as string | undefined;
    const next = last === undefined ? 1 : Number(last.slice(prefix.length)) + 1;
    return formatRef(year, next);
  }
}

function toEntry([seq, ref, kind, actor, at, body, prev_hash, hash]: Row): LogEntry {
  return { seq, ref, kind, actor, at, body: JSON.parse(body), prev_hash, hash };
}
