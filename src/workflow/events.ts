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
