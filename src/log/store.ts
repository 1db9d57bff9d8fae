/**
 * The log store: one asynchronous interface for every backend (SQLite on this machine today; a
 * server log beside it). Callers await every call, so a backend that talks to a server and one
 * that answers in-process look the same.
 *
 * Writes that must land together go through `batch(async (tx) => …)`: everything done through `tx`
 * commits at once or not at all, and appends inside it are serialised on the chain head (so the
 * head read when an entry is linked is the head it is written after). Use `tx`, not the store,
 * inside the callback: on a server backend the store's own methods run on another connection.
 */
import type { Decision } from "../rules/types.js";
import type { Candidate, ChainHead, DecisionRow, Draft, DraftInput, EventKind, Identity, ListFilters, LogEntry, NewEvent, RuleSetRecord } from "./types.js";
import type { VerifyOptions, VerifyResult } from "./verify.js";

/** Reads, on the store or inside a batch. */
export interface LogReads {
  /** Where the log is, for messages: a file path, or a server address without any password. */
  readonly path: string;
  head(): Promise<ChainHead>;
  /** The stored hash of entry `seq`, or undefined when there is none (entry 1's names the log: anchor folders use it). */
  hashAt(seq: number): Promise<string | undefined>;
  getRuleSetContent(sha256: string): Promise<unknown>;
  getDecision(ref: string): Promise<Decision | undefined>;
  /** The index row of one decision (what `log list` shows), or undefined. */
  getDecisionRow(ref: string): Promise<DecisionRow | undefined>;
  /** Every entry about `ref` (its decision, then checks, reviews, overrides, closures…), oldest first. */
  eventsFor(ref: string): Promise<LogEntry[]>;
  /**
   * Entries of one kind about the log itself rather than a referral (ref null: rule-set proposals
   * and approvals, anchors…), oldest first.
   */
  eventsOfKind(kind: EventKind): Promise<LogEntry[]>;
  listDecisions(filters: ListFilters): Promise<DecisionRow[]>;
  /** How many decisions the filters match in the index (limit and offset ignored): "showing 50 of 312". */
  countDecisions(filters: ListFilters): Promise<number>;
  /**
   * Earlier referrals that share a local reference, date of birth, postcode or phonetic name key
   * with `identity`, newest first. A prefilter only: classify each with classifyMatch (match.ts).
   */
  findCandidates(identity: Identity, options?: { excludeRef?: string; limit?: number }): Promise<Candidate[]>;
  getDraft(id: string): Promise<Draft | undefined>;
  /** Drafts (of one person, if given), most recently touched first. */
  listDrafts(createdBy?: string): Promise<Draft[]>;
}

/** Writes. Each call on the store is its own transaction; inside a batch they share the batch's. */
export interface LogWrites {
  /** Appends one entry (any kind but `decision` and `rule_set`, which have their own verbs). */
  append(event: NewEvent): Promise<ChainHead>;
  /**
   * Stores a rule set's content once per hash; appends a `rule_set` entry (by `by.actor`, at
   * `by.at`) only the first time. Returns whether it was new.
   */
  registerRuleSet(ruleSet: RuleSetRecord, by: { actor: string; at: string }): Promise<boolean>;
  /**
   * Records a decision: allocates TRG-<year decided>-<nnnnnn>, registers its rule set, appends the
   * `decision` entry (the body is the decision with `ref` set), indexes it and deletes its draft —
   * all in one transaction, so the draft disappears exactly when the decision is safely written.
   */
  recordDecision(decision: Decision, options: { actor: string; ruleSetContent: unknown; draftId?: string | undefined }): Promise<string>;
  /**
   * Appends an entry from another log exactly as it was (seq, actor, at, prev_hash, hash), after
   * checking that it follows this log's head and matches its hash; `log copy` only. A rule_set entry
   * brings its rule set's content; a decision entry's index row is rebuilt from its body.
   */
  importEntry(entry: LogEntry, ruleSetContent?: unknown): Promise<void>;
  saveDraft(draft: DraftInput): Promise<void>;
  /** Returns whether there was such a draft. */
  deleteDraft(id: string): Promise<boolean>;
}

/** What a batch's callback is given. */
export type LogTx = LogReads & LogWrites;

/** Who the server says is logged in, and which triage roles they hold (server logs only). */
export interface ServerIdentity {
  user: string;
  roles: readonly string[];
}

export interface LogStore extends LogTx {
  readonly backend: "sqlite" | "postgres";
  /** For a server log: the database's view of who is acting (the actor of every entry they write). */
  readonly identity?: ServerIdentity;
  /** True when this open created the log (the CLI then says where it is). */
  readonly isNew: boolean;
  readonly readonly: boolean;
  readonly busyTimeoutMs: number;
  /** Runs `fn` inside one write transaction (many appends, one commit). Rolls back everything if it throws. */
  batch<T>(fn: (tx: LogTx) => Promise<T>): Promise<T>;
  /**
   * Every entry in chain order, body parsed. Streams: fine for exporting millions. Do not write
   * from inside the loop (the connection is busy reading).
   */
  allEvents(): AsyncIterable<LogEntry>;
  /** `triage log verify`: recompute the chain and check everything around it (verify.ts). */
  verify(options?: VerifyOptions): Promise<VerifyResult>;
  close(): Promise<void>;
}
