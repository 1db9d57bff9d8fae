/**
 * Closing a referral: what each closure reason needs now, and the closure itself (part of
 * src/workflow/actions.ts).
 */
import type { CompiledRuleSet } from "../../rules/compile.js";
import type { ClosureBody, Role } from "../events.js";
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
  proposalPendingRefusal,
  recordHint,
  refused,
  REOPEN_HINT,
  uniqueRoles,
  type Verdict,
} from "./shared.js";

// ─── Closure requirements ────────────────────────────────────────────────────────────────────────

export interface ClosureRequirement {
  reason: string;
  label: string;
  /** Guards that govern this closure for this referral. */
  governed_by: string[];
  /** Checks still outstanding before it may be proposed. */
  outstanding: string[];
  /** Why it can never be closed this way at the front door (hard floor or hard stop), if so. */
  refused_outright?: string;
  /** Other guards holding a floor above the lowest outcome (a closure is a downgrade). */
  floors: { guard: string; floor: string; outstanding: string[] }[];
  approvals: Role[];
  evidence_required: boolean;
}

interface ClosureAnalysis extends ClosureRequirement {
  bearings: GuardBearing[];
  governing: GuardBearing[];
}

function analyseClosure(state: ReferralState, rs: CompiledRuleSet, reason: string): ClosureAnalysis {
  const cr = rs.raw.closure_reasons.find((c) => c.id === reason)!;
  const recorded = new Set(state.checks.map((c) => c.check));
  const bearings = mergeReadings(rs, [state.guards, readGuards(rs, state.decision, { level: 1, closureReason: reason, recorded })]);
  const governing = bearings.filter((b) => b.applies && b.governsClosures.includes(reason));
  const outstanding = [...new Set(governing.flatMap((g) => g.outstanding))];
  const governs = bearings.filter((b) => b.governsClosures.includes(reason));
  const outright: string[] = [];
  if (state.decision.hard_floor) outright.push(`it has a hard floor (${state.decision.hard_floor}, set by ${hardFloorRules(rs, state.decision).join(", ")})`);
  const stops = governs.filter((b) => b.hardStopWhen);
  if (stops.length > 0) outright.push(`guard ${stops.map((s) => s.id).join(", ")} reports a hard stop (photos or video of an injury, or a disclosure)`);
  // Any other hard stop a guard reports (a rule set's own kind) still refuses.
  if (outright.length === 0 && governs.some((b) => b.hardStop))
    outright.push(
      `guard ${governs
        .filter((b) => b.hardStop)
        .map((s) => s.id)
        .join(", ")} reports a hard stop`,
    );
  const refusedOutright = outright.length > 0 ? outright.join("; and ") : undefined;
  const floors = bearings
    .filter((b) => b.applies && b.outstanding.length > 0 && b.floorLevel > 1 && !governing.includes(b))
    .map((b) => ({ guard: b.id, floor: b.floor, outstanding: b.outstanding }));
  const approvals = uniqueRoles([cr.approval, ...governing.flatMap((g) => g.approvals)]);
  return {
    reason,
    label: cr.label,
    governed_by: governing.map((g) => g.id),
    outstanding,
    ...(refusedOutright ? { refused_outright: refusedOutright } : {}),
    floors,
    approvals,
    evidence_required: cr.requires_evidence_statement === true,
    bearings,
    governing,
  };
}

/** What closing this referral as each of the rule set's reasons would need now. */
export function closureRequirements(state: ReferralState, rs: CompiledRuleSet): ClosureRequirement[] {
  return rs.raw.closure_reasons.map((c) => {
    const { bearings: _b, governing: _g, ...req } = analyseClosure(state, rs, c.id);
    return req;
  });
}

// ─── Closure ─────────────────────────────────────────────────────────────────────────────────────

export interface ClosureInput {
  reason: string;
  rationale: string | undefined;
  evidence?: string;
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

  const a = analyseClosure(state, rs, input.reason);
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
