/**
 * Plain data shared by the core and the shell: answers, history facts, the clock, and the decision
 * record (a contract: docs/rule-format.md and docs/architecture.md, principle 5).
 */

/** The threshold that sets how far back earlier referrals count (days); read by the history lookup. */
export const HISTORY_WINDOW_THRESHOLD = "history_window_days";
/** The threshold for how recent an earlier advice/NFA or closed referral must be to be re-examined (days). */
export const RECENT_CLOSURE_THRESHOLD = "recent_closure_days";

/** The token that means "not known" in answers files, drafts and the log, for any question type. */
export const UNKNOWN = "unknown";

/** A validated answer: select/text/date/datetime → string, number → number, multiselect → string[]. */
export type Answer = string | number | readonly string[];
export type Answers = Readonly<Record<string, Answer>>;

/** Facts about this child from the log, computed before evaluation (rules read them as `history.*`). */
export interface HistoryFacts {
  /** Earlier referrals about this child (confirmed matches) received within the rule set's window. */
  referrals_in_window: number;
  /** Distinct referrer types among them, counting this referral's referrer. */
  distinct_referrers: number;
  /** Earlier closures as not substantiated / malicious about this child. */
  earlier_unsubstantiated_closures: number;
  earlier_malicious_closures: number;
  /** Of those closures, how many were made without the guard's checks all recorded. */
  earlier_closures_without_checks: number;
  /** Highest level of any earlier outcome (0 when none). */
  highest_earlier_level: number;
  /** Earlier referrals in the window that reported an injury (cumulative physical harm). */
  earlier_injuries: number;
  /**
   * Earlier referrals ending in advice / no further action, or closed for a reason no guard governs,
   * received within the rule set's `recent_closure_days` (default 30) before this one: a closure to
   * re-examine (closures as malicious or not substantiated are E2's facts).
   */
  recent_nfa_closures: number;
}

export const NO_HISTORY: HistoryFacts = Object.freeze({
  referrals_in_window: 0,
  distinct_referrers: 0,
  earlier_unsubstantiated_closures: 0,
  earlier_malicious_closures: 0,
  earlier_closures_without_checks: 0,
  highest_earlier_level: 0,
  earlier_injuries: 0,
  recent_nfa_closures: 0,
});

export interface EarlierReferral {
  ref: string;
  received_at: string;
  outcome: string;
  /** Set when the referral was later closed: the closure reason and whether the guard passed. */
  closed_as?: string;
  closure_passed_guard?: boolean;
  /** Whether that referral reported an injury (set by the history lookup; kept out of the record). */
  injury?: boolean;
}

export interface PossibleMatch {
  ref: string;
  why: string;
  /** The worker's choice, once made. */
  confirmed?: boolean;
}

/** History as used by a decision (the record's `history`). */
export interface HistoryUsed {
  referrals_in_window: number;
  distinct_referrers: number;
  earlier: EarlierReferral[];
  possible_matches: PossibleMatch[];
  facts: HistoryFacts;
}

export const EMPTY_HISTORY: HistoryUsed = Object.freeze({
  referrals_in_window: 0,
  distinct_referrers: 0,
  earlier: [],
  possible_matches: [],
  facts: NO_HISTORY,
});

export interface OutcomeRef {
  id: string;
  level: number;
  label: string;
}

export interface FiredRule {
  id: string;
  title: string;
  /** floor: sets a minimum; raise: +N levels up to a cap; note: adds steps/flags only. */
  effect: "floor" | "raise" | "note";
  /** The outcome the effect asked for (floor target, or the level the raise reached). */
  outcome?: string;
  hard: boolean;
  /** False when another rule already put the outcome at or above what this one asked (it still fired). */
  applied: boolean;
  because: string;
}

export interface DecisionStep {
  id: string;
  text: string;
  due_by?: string;
  /** Set when the step was already past due when the decision was made (e.g. a late-picked-up referral). */
  overdue_at_decision?: true;
  from: string[];
}

export type GuardStatus = "holding" | "released" | "not_applicable";

export interface GuardState {
  id: string;
  title: string;
  status: GuardStatus;
  floor: string;
  outstanding: string[];
  /** Checks satisfied by answers at decision time. */
  satisfied: string[];
  /** Whether closures it governs are impossible at the front door (a hard stop). */
  hard_stop: boolean;
}

export interface Decision {
  ref?: string;
  /** Who recorded the decision, and their analysis ("what is life like for this child?"); set when recorded. */
  decided_by?: string;
  analysis?: string;
  /** A local log file records the operating-system account that wrote each entry (src/log/os-user.ts). */
  os_user?: string;
  /** When the entry was really written, by the machine's clock whatever --now said (src/log/recorded-at.ts). */
  recorded_at?: string;
  rule_set: { id: string; version: string; sha256: string };
  received_at: string;
  decided_at: string;
  computed_outcome: OutcomeRef;
  outcome: OutcomeRef;
  /** The highest hard floor that fired (no one at the front door may go below it), or null. */
  hard_floor: string | null;
  deadlines: Record<string, string>;
  fired: FiredRule[];
  steps: DecisionStep[];
  guards: GuardState[];
  flags: string[];
  unknowns: string[];
  history: HistoryUsed;
  /** The answers as used: visible questions only, as validated (before unknown_counts_as). */
  answers: Record<string, Answer>;
  clock: { now: string; out_of_hours: boolean; received_out_of_hours: boolean };
  warnings: string[];
  /**
   * Optional (an urgent call recorded before its interview was finished): the questions left for
   * later, answered "not known" in `answers` (counted as the worst case) until a follow-up
   * `answers_completed` entry answers them. The decision's steps then include `finish_the_interview`.
   */
  left_for_later?: string[];
  /**
   * Optional: the worker's notes on answers (what was actually said), by question id — free text
   * from a person, kept exact here and shown inert. Only on answered questions.
   */
  answer_notes?: Record<string, string>;
}

/** What the evaluator needs besides the compiled rule set. */
export interface EvaluationInput {
  answers: Answers;
  history?: HistoryUsed;
  /** The clock: when the decision is being made (ISO 8601 with offset). */
  now: string;
}
