/**
 * Overriding a referral's outcome: up at once, down as a proposal a manager must agree to (part of
 * src/workflow/actions.ts).
 */
import type { CompiledRuleSet } from "../../rules/compile.js";
import type { GuardState } from "../../rules/types.js";
import type { OverrideBody } from "../events.js";
import { mergeReadings, readGuards, type GuardBearing } from "../guards.js";
import type { ReferralState } from "../state.js";
import { rescreenRefusal, type Rescreen } from "./rescreen.js";
import {
  blank,
  bullets,
  checkText,
  hardFloorRules,
  invalid,
  ok,
  outcomeById,
  outcomeList,
  proposalPendingRefusal,
  recordHint,
  refused,
  REOPEN_HINT,
  uniqueRoles,
  type Verdict,
} from "./shared.js";

// ─── Override ────────────────────────────────────────────────────────────────────────────────────

export interface OverrideInput {
  to: string;
  reason: string | undefined;
  rescreen: Rescreen;
}

/** The guards that bear on a downgrade to `level`: as recorded, as the downgrade would leave it, and as a closure would. */
export function downgradeBearings(state: ReferralState, rs: CompiledRuleSet, level: number): GuardBearing[] {
  const recorded = new Set(state.checks.map((c) => c.check));
  return mergeReadings(rs, [state.guards, readGuards(rs, state.decision, { level, recorded }), readGuards(rs, state.decision, { level: 1, recorded })]).map(
    (b) => ({
      ...b,
      // A guard that does not govern downgrades still holds its floor if it held at decision time.
      applies: b.applies && (b.governsDowngrades || state.guards.some((g: GuardState) => g.id === b.id && g.status !== "not_applicable")),
    }),
  );
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
  const hard = state.decision.hard_floor ? rs.outcomeLevel.get(state.decision.hard_floor)! : 0;
  if (to.level < hard) {
    return refused(
      `refused: ${to.id} is below the hard floor ${state.decision.hard_floor} set by ${hardFloorRules(rs, state.decision).join(", ")}; no one at the front door may go below it`,
    );
  }
  const bearings = downgradeBearings(state, rs, to.level).filter((b) => b.applies);
  const holding = bearings.find((b) => b.outstanding.length > 0 && to.level < b.floorLevel);
  if (holding) {
    return refused(
      `refused: guard ${holding.id} holds ${ref} at ${holding.floor} or above until these checks are recorded:${bullets(holding.outstanding.map((c) => checkText(rs, c)))}`,
      recordHint(ref),
    );
  }
  const governing = bearings.filter((b) => b.governsDowngrades);
  const approvals = uniqueRoles(["manager", ...governing.flatMap((g) => g.approvals)]);
  return ok({
    from: from.id,
    to: to.id,
    direction: "down",
    reason,
    pending: true,
    approvals_required: approvals,
    ...(governing.length > 0 ? { guards: governing.map((g) => ({ id: g.id, checks: g.checks })) } : {}),
  });
}
