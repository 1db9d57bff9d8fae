/**
 * One row per decision for a spreadsheet (`triage log export --format csv`): the referral as it
 * stands now, in named columns. The column names and their meaning are a contract (README "Exporting
 * the log"); add columns at the end, never rename or reorder. Pure: a replayed state in, strings out.
 */
import type { Rescreen } from "./actions.js";
import { overdue, type ReferralState } from "./state.js";

export const DECISION_COLUMNS = [
  "ref",
  "received_at",
  "decided_at",
  "child_name",
  "child_dob",
  "child_ref",
  "referrer_type",
  "computed_outcome",
  "current_outcome",
  "hard_floor",
  "decided_by",
  "reviewed_by",
  "review_state",
  "guard_state",
  "checks_outstanding",
  "pending",
  "closure",
  "closure_state",
  "overdue_steps",
  "out_of_hours_rescreen",
  "respond_by",
  "rule_set_id",
  "rule_set_version",
] as const;

export type DecisionColumn = (typeof DECISION_COLUMNS)[number];

/** Several values in one cell are separated by "; " (a spreadsheet's text-to-columns splits them). */
const LIST = "; ";

const answer = (state: ReferralState, id: string): string => {
  const a = state.decision.answers[id];
  return typeof a === "string" && a !== "unknown" ? a : "";
};

/**
 * review_state: "agreed" or "escalated" (the latest review of the decision that counts), "challenged"
 * (a challenge not yet answered), else "unreviewed". guard_state: "holding" if any guard holds,
 * "released" if every applicable guard is satisfied, "none" if no guard applied.
 */
export function decisionRow(state: ReferralState, rescreen: Rescreen, now: Date): Record<DecisionColumn, string> {
  const d = state.decision;
  const decider = d.decided_by;
  const counted = state.reviews.filter((r) => r.of === "decision" && r.action !== "challenge" && r.by !== decider);
  const applying = state.guards.filter((g) => g.status !== "not_applicable");
  const outstanding = [...new Set(applying.filter((g) => g.status === "holding").flatMap((g) => g.outstanding))];
  const pending = [...state.overrides.filter((o) => o.status === "pending").map((o) => `downgrade to ${o.to}`)];
  if (state.closure?.status === "pending") pending.push(`closure as ${state.closure.reason}`);
  return {
    ref: state.ref,
    received_at: d.received_at,
    decided_at: d.decided_at,
    child_name: answer(state, "child_name"),
    child_dob: answer(state, "child_dob"),
    child_ref: answer(state, "child_ref"),
    referrer_type: answer(state, "referrer_type"),
    computed_outcome: d.computed_outcome.id,
    current_outcome: state.outcome.id,
    hard_floor: d.hard_floor ?? "",
    decided_by: decider ?? "",
    reviewed_by: [...new Set(counted.map((r) => r.by))].join(LIST),
    review_state: state.challenged
      ? "challenged"
      : counted.length > 0
        ? counted[counted.length - 1]!.action === "escalate"
          ? "escalated"
          : "agreed"
        : "unreviewed",
    guard_state: applying.length === 0 ? "none" : outstanding.length > 0 ? "holding" : "released",
    checks_outstanding: outstanding.join(LIST),
    pending: pending.join(LIST),
    closure: state.closed ? state.closure!.reason : "",
    closure_state: state.closure ? state.closure.status : "",
    overdue_steps: overdue(state, now)
      .map((l) => l.id)
      .join(LIST),
    out_of_hours_rescreen: rescreen.required ? (rescreen.done ? "done" : "outstanding") : "",
    respond_by: d.deadlines.respond_by ?? "",
    rule_set_id: d.rule_set.id,
    rule_set_version: d.rule_set.version,
  };
}
