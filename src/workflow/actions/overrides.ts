/**
 * Overriding a referral's outcome: up at once, down as a proposal a manager must agree to (part of
 * src/workflow/actions.ts).
 */
import type { CompiledRuleSet } from "../../rules/compile.js";
import type { OverrideBody } from "../events.js";
import { describeHold, lowerOutcomes, subjectOfState } from "../floors.js";
import type { ReferralState } from "../state.js";
import { rescreenRefusal, type Rescreen } from "./rescreen.js";
import {
  blank,
  bullets,
  checkText,
  invalid,
  ok,
  outcomeById,
  outcomeList,
  proposalPendingRefusal,
  recordHint,
  refused,
  REOPEN_HINT,
  type Verdict,
} from "./shared.js";

// ─── Override ────────────────────────────────────────────────────────────────────────────────────

export interface OverrideInput {
  to: string;
  reason: string | undefined;
  rescreen: Rescreen;
}

export function planOverride(state: ReferralState, rs: CompiledRuleSet, input: OverrideInput): Verdict<OverrideBody> {
  const ref = state.ref;
  const to = outcomeById(rs, input.to);
  if (!to) return invalid(`unknown outcome "${input.to}"; expected one of: ${outcomeList(rs)}`);
  if (blank(input.reason)) return invalid("--reason is required: why the outcome should change");
  if (state.closed) return refused(`refused: ${ref} is closed as ${state.closure!.reason}; a closed referral cannot be overridden`, REOPEN_HINT);
  const from = state.outcome;
  if (to.level === from.level) return invalid(`${ref} is already at ${from.id}; an override must change the outcome`);
  const reason = input.reason!.trim();
  if (to.level > from.level) return ok({ from: from.id, to: to.id, direction: "up", reason, pending: false });

  const busy = proposalPendingRefusal<OverrideBody>(state);
  if (busy) return busy;
  if (input.rescreen.required && !input.rescreen.done) return rescreenRefusal(state, "downgraded");
  // How low it may go is decided in floors.ts alone; every hold is named.
  const lower = lowerOutcomes(rs, subjectOfState(state), from.level).find((l) => l.level === to.level)!;
  const hard = lower.holds.find((h) => h.kind === "hard_floor");
  if (hard) return refused(`refused: ${to.id} is below ${describeHold(hard)}`);
  const holding = lower.holds.find((h) => h.kind === "guard");
  if (holding) {
    return refused(
      `refused: guard ${holding.guard} holds ${ref} at ${holding.outcome} or above until these checks are recorded:${bullets(holding.outstanding.map((c) => checkText(rs, c)))}`,
      recordHint(ref),
    );
  }
  return ok({
    from: from.id,
    to: to.id,
    direction: "down",
    reason,
    pending: true,
    approvals_required: lower.approvals,
    ...(lower.governing.length > 0 ? { guards: lower.governing } : {}),
  });
}
