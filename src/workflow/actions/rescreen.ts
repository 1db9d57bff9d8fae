/**
 * Out-of-hours decisions and their re-screen by the day team (part of src/workflow/actions.ts).
 */
import type { CompiledRuleSet } from "../../rules/compile.js";
import { isOutOfHours } from "../../rules/time.js";
import type { ReferralState } from "../state.js";
import { refused, type Verdict } from "./shared.js";

/** The flag that marks an out-of-hours provisional decision (the rule set's invariant names it). */
export function provisionalFlag(rs: CompiledRuleSet): string {
  for (const inv of rs.raw.invariants) if (inv.kind === "out_of_hours_provisional") return inv.flag;
  return "ooh_provisional";
}

/** A later decision about the same child (found by the shell: its history counts this referral). */
export interface LaterDecision {
  ref: string;
  decided_at: string;
}

export interface Rescreen {
  /** The decision was made out of hours and is provisional. */
  required: boolean;
  done: boolean;
  /** What re-screened it: "review #12 by mia.manager" or "TRG-2026-000031". */
  by?: string;
}

/**
 * Out-of-hours decisions are provisional until the day team re-screens them (docs/architecture.md, principle 7): a manager's
 * agreement with or escalation of the decision made in office hours, or a later decision about the
 * same child made in office hours. A challenge is not a re-screen.
 */
export function rescreenStatus(state: ReferralState, rs: CompiledRuleSet, later: readonly LaterDecision[] = []): Rescreen {
  const required = state.decision.flags.includes(provisionalFlag(rs));
  if (!required) return { required, done: false };
  const inHours = (iso: string) => !isOutOfHours(new Date(iso), rs.officeHours);
  const review = state.reviews.find((r) => r.of === "decision" && r.action !== "challenge" && r.by !== state.decision.decided_by && inHours(r.at));
  if (review) return { required, done: true, by: `review #${review.seq} by ${review.by}` };
  const decided = Date.parse(state.decision.decided_at);
  const next = later.find((d) => d.ref !== state.ref && Date.parse(d.decided_at) > decided && inHours(d.decided_at));
  if (next) return { required, done: true, by: next.ref };
  return { required, done: false };
}

export function rescreenRefusal<T>(state: ReferralState, what: string): Verdict<T> {
  return refused(
    `refused: ${state.ref} was decided out of hours and is provisional until the day team re-screens it; it cannot be ${what} before then`,
    `re-screen it first: a manager's review in office hours (triage review ${state.ref} --agree, or --escalate), or a new decision about the child by the day team (triage new)`,
  );
}
