/**
 * Who the referral is about, from the identity questions (part of the pure flow,
 * src/interview/flow.ts).
 */
import type { CompiledRuleSet } from "../../rules/compile.js";
import { NO_HISTORY, type Answer, type HistoryFacts } from "../../rules/types.js";
import { identityFromAnswers, type Identity } from "../../workflow/match.js";
import { effectiveAnswers, visibility, type FlowState } from "./state.js";

// ---------------------------------------------------------------------------------------------
// Identity (history lookups happen after the child's name and date of birth)

export type IdentityKind = "name" | "dob" | "ref" | "postcode";

/** The identity answers given so far (visible, on the path), by kind; "not known" is left out (src/workflow/match.ts reads them). */
export function identityOf(rs: CompiledRuleSet, state: FlowState, history: HistoryFacts = NO_HISTORY): Identity {
  return identityFromAnswers(rs, effectiveAnswers(rs, state, history));
}

/** The identity questions' answers by question id (for the history lookup). */
export function identityAnswers(rs: CompiledRuleSet, state: FlowState, history: HistoryFacts = NO_HISTORY): Record<string, Answer> {
  const answers = effectiveAnswers(rs, state, history);
  const out: Record<string, Answer> = {};
  for (const q of rs.questions) if (q.raw.identity && answers[q.id] !== undefined) out[q.id] = answers[q.id]!;
  return out;
}

/**
 * True once every visible name and date-of-birth question is on the path (and there is at least
 * one): the point where earlier referrals about the child can be looked up.
 */
export function identityReady(rs: CompiledRuleSet, state: FlowState, history: HistoryFacts = NO_HISTORY): boolean {
  const visible = visibility(rs, state, history);
  const key = rs.questions.filter((q) => visible[q.index] && (q.raw.identity === "name" || q.raw.identity === "dob"));
  return key.length > 0 && key.every((q) => state.asked.includes(q.id));
}
