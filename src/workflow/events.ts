/**
 * The bodies of the log entries that follow a decision. Each is a new entry in the chain; current
 * state is derived from them (state.ts), never written back.
 */

export type Role = "manager" | "senior_manager";

/** How a role reads in a sentence: the one place role names are spelt. */
export const roleName = (r: Role): string => (r === "senior_manager" ? "senior manager" : "manager");

/** Who must agree, as a sentence: "a senior manager and a manager". */
export const rolesNeeded = (roles: readonly Role[]): string => roles.map((r) => `a ${roleName(r)}`).join(" and ");

/** A check done (what, by whom — the entry's actor — when, what was found). */
export interface CheckBody {
  check: string;
  found: string;
  /** When the check was done (may precede the entry's own time). */
  done_at: string;
}

/** A manager's review of the decision or of a pending override/closure (`of` = that entry's seq). */
export interface ReviewBody {
  action: "agree" | "challenge" | "escalate";
  of: "decision" | number;
  role: Role;
  reason?: string;
  /** For escalate: the outcome the reviewer raises to. */
  to?: string;
}

/** A change of outcome. Up: effective at once. Down: pending until a manager agrees. */
export interface OverrideBody {
  from: string;
  to: string;
  direction: "up" | "down";
  reason: string;
  pending: boolean;
  /**
   * Optional (added by the workflow commands): who must agree to a downgrade — a manager, plus
   * whatever a guard governing downgrades asks. Absent means ["manager"].
   */
  approvals_required?: Role[];
  /** Optional: the guards that governed the downgrade and their checks at the time. */
  guards?: { id: string; checks: string[] }[];
}

/** A proposed closure; effective when every required approval has agreed. */
export interface ClosureBody {
  reason: string;
  rationale: string;
  evidence?: string;
  approvals_required: Role[];
  /** The guard that governed the closure and its checks at the time (none outstanding, or it was refused). */
  guard?: { id: string; checks: string[] };
  /** Optional: every guard that governed the closure, when more than one did (`guard` is the first). */
  guards?: { id: string; checks: string[] }[];
}

/** The worker's choice about a possible earlier referral about the same child. */
export interface HistoryLinkBody {
  other_ref: string;
  confirmed: boolean;
  why: string;
}

/** The worker's acceptance of (or escalation from) the computed outcome, and their analysis, at decision time. */
export interface DecisionExtras {
  decided_by: string;
  analysis?: string;
  escalation?: { to: string; reason: string };
}

/**
 * The step a decision recorded before its interview was finished carries (docs/architecture.md,
 * "Urgent calls first"): answer the questions left for later. A follow-up entry (`answers_completed`)
 * is what does it.
 */
export const FINISH_STEP = "finish_the_interview";

/**
 * The questions left for later after an urgent decision, answered: a follow-up entry about the
 * referral (`triage resume REF`). The decision entry is never changed; this entry says what the
 * answers now are and what the rules make of them, under the rule set the decision was made with.
 */
export interface AnswersCompletedBody {
  /** The answers given now, by question id (the questions recorded as "not known" at the decision, and any they revealed). */
  answers: Record<string, string | number | readonly string[]>;
  /** Optional notes by question id (what the caller actually said), as for the decision's answers. */
  answer_notes?: Record<string, string>;
  /** The rules' outcome with every answer as it now stands (the decision's clock and history). */
  computed_outcome: { id: string; level: number; label: string };
  hard_floor: string | null;
  /** The referral's outcome before this entry, and after it: higher when the answers raised it, never lower. */
  outcome_before: string;
  outcome_after: string;
  /** Set when the rules now give a lower outcome than the referral has: it stays (a downgrade needs `triage override` and a manager). */
  lower_not_applied?: string;
  /** Steps the completed answers add (not in the decision), with their due times. */
  steps_added: { id: string; text: string; due_by?: string }[];
  /** Questions still "not known" after this entry (the worker answered "not known" again). */
  still_unknown: string[];
}
