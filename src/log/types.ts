/** Plain data that goes in and out of the log store. */
import type { Identity } from "../workflow/match.js";

export const EVENT_KINDS = [
  "decision",
  "check",
  "review",
  "override",
  "closure",
  "rule_set",
  "anchor",
  "history_link",
  // Rule-set governance (src/workflow/rule-approval.ts): four eyes on every rule change.
  "rule_set_proposed",
  "rule_set_approved",
  // The questions left for later after an urgent decision, answered (src/workflow/events.ts).
  "answers_completed",
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** What a caller appends. `at` is the explicit clock (ISO 8601): the store never reads the time itself. */
export interface NewEvent {
  kind: EventKind;
  /** The referral the entry is about; absent for rule sets and anchors. */
  ref?: string | null;
  actor: string;
  at: string;
  /** Any JSON value; stored as canonical JSON. */
  body: unknown;
}

/** One entry of the chain as read back, body parsed. */
export interface LogEntry {
  seq: number;
  ref: string | null;
  kind: EventKind;
  actor: string;
  at: string;
  body: unknown;
  prev_hash: string;
  hash: string;
}

/** The chain's last entry ({ seq: 0, hash: 64 zeros } for an empty log). */
export interface ChainHead {
  seq: number;
  hash: string;
}

export interface RuleSetRecord {
  id: string;
  version: string;
  /** sha256Hex(canonicalJson(content)); checked. */
  sha256: string;
  /** The rule set as a JSON value, or that value's JSON text (a rule set is never a bare string). */
  content: unknown;
}

/** Filters for listing decisions; a filter left undefined is not applied. */
export interface ListFilters {
  /** Received at or after this instant (ISO 8601; resolve dates to instants in the rule set's zone first). */
  since?: string | undefined;
  /** Received before this instant. */
  until?: string | undefined;
  /**
   * The current outcome, as a superset for the caller to refine with derived state: decisions
   * recorded with this outcome, and every decision whose outcome may have changed since (it has an
   * override, closure or review entry).
   */
  outcome?: string | undefined;
  /** Exactly the outcome recorded at decision time. */
  recordedOutcome?: string | undefined;
  worker?: string | undefined;
  /** Part of the child's name (normalised) or their local reference, or a referral reference. */
  child?: string | undefined;
  /** Referrals matched by the caller (fuzzy name, date of birth, postcode): listed as well as `child`'s. */
  childRefs?: string[] | undefined;
  /** Not yet reviewed: no review of the decision other than a challenge (as workflow/state.ts counts it). */
  unreviewed?: boolean | undefined;
  /** Possibly awaiting approval (superset): has an override or closure entry. */
  pending?: boolean | undefined;
  limit: number;
  /** Rows to skip, for paging. */
  offset?: number | undefined;
}

/** One row of `log list`. */
export interface DecisionRow {
  seq: number;
  ref: string;
  received_at: string;
  decided_at: string;
  child_name: string | null;
  outcome: string;
  outcome_level: number;
  computed_level: number;
  decide_by: string | null;
  respond_by: string | null;
  worker: string;
  rule_set_sha256: string;
}

/** Who a referral is about: the matching policy owns the type (src/workflow/match.ts). */
export type { Identity };

/** An earlier referral that might be about the same child (prefiltered in SQL; classify with src/workflow/match.ts). */
export interface Candidate {
  seq: number;
  ref: string;
  received_at: string;
  outcome: string;
  identity: Identity;
}

export interface DraftInput {
  id: string;
  createdBy: string;
  ruleSetSha256: string;
  /** The interview so far: any JSON value. */
  state: unknown;
  /** The explicit clock (ISO 8601). */
  at: string;
}

export interface Draft {
  id: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  ruleSetSha256: string;
  state: unknown;
}
