/**
 * Closing a referral: what each closure reason needs now, and the closure itself (part of
 * src/workflow/actions.ts).
 */
import type { CompiledRuleSet } from "../../rules/compile.js";
import type { ClosureBody } from "../events.js";
import { analyseClosure, subjectOfState } from "../floors.js";
import type { ReferralState } from "../state.js";
import { rescreenRefusal, type Rescreen } from "./rescreen.js";
import { blank, bullets, checkText, invalid, ok, proposalPendingRefusal, recordHint, refused, REOPEN_HINT, type Verdict } from "./shared.js";

// ─── Closure ─────────────────────────────────────────────────────────────────────────────────────

export interface ClosureInput {
  reason: string;
  rationale: string | undefined;
  evidence?: string | undefined;
  rescreen: Rescreen;
}

export function planClosure(state: ReferralState, rs: CompiledRuleSet, input: ClosureInput): Verdict<ClosureBody> {
  const ref = state.ref;
  const reasons = rs.raw.closure_reasons;
  if (!reasons.some((c) => c.id === input.reason)) {
    return invalid(
      `"${input.reason}" is not a closure reason of rule set ${rs.id} ${rs.version}; expected one of:${bullets(reasons.map((c) => `${c.id} — ${c.label}`))}`,
    );
  }
  if (blank(input.rationale)) return invalid("--rationale is required: why the referral can be closed");
  if (state.closed) return refused(`refused: ${ref} is already closed as ${state.closure!.reason}`, REOPEN_HINT);
  const busy = proposalPendingRefusal<ClosureBody>(state);
  if (busy) return busy;
  if (input.rescreen.required && !input.rescreen.done) return rescreenRefusal(state, "closed");

  // What holds the closure is decided in floors.ts alone.
  const a = analyseClosure(rs, subjectOfState(state), input.reason);
  if (a.refused_outright) {
    return refused(
      `refused: ${ref} cannot be closed as ${input.reason} at the front door: ${a.refused_outright}. It must go to a strategy discussion.`,
      "no one at the front door may close it this way; record the strategy discussion's decision instead",
    );
  }
  if (a.outstanding.length > 0) {
    return refused(
      `refused: closing ${ref} as ${input.reason} is governed by guard ${a.governed_by.join(", ")}, and ${a.outstanding.length} of its checks are outstanding:${bullets(a.outstanding.map((c) => checkText(rs, c)))}`,
      recordHint(ref),
    );
  }
  const floor = a.floors[0];
  if (floor) {
    return refused(
      `refused: a closure takes ${ref} to ${rs.outcomes[0]!.id}, below ${floor.floor}, where guard ${floor.guard} holds it until these checks are recorded:${bullets(floor.outstanding.map((c) => checkText(rs, c)))}`,
      recordHint(ref),
    );
  }
  if (a.evidence_required && blank(input.evidence)) {
    return refused(
      `refused: closing ${ref} as ${input.reason} needs --evidence: a statement of the positive evidence that the referrer knowingly gave false information. Motive alone — a custody dispute, an estrangement, a family conflict — is not evidence.`,
      `triage close ${ref} --as ${input.reason} --rationale TEXT --evidence TEXT`,
    );
  }
  const guards = a.governing.map((g) => ({ id: g.id, checks: g.checks }));
  const body: ClosureBody = {
    reason: input.reason,
    rationale: input.rationale!.trim(),
    ...(blank(input.evidence) ? {} : { evidence: input.evidence!.trim() }),
    approvals_required: a.approvals,
    ...(guards[0] ? { guard: guards[0] } : {}),
    ...(guards.length > 1 ? { guards } : {}),
  };
  return ok(body);
}
