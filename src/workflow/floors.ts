/**
 * How low a referral's outcome may go (docs/architecture.md, "Safety principles"): never below the
 * hard floor, never below the floor of a guard whose checks are outstanding — for a downgrade, and
 * for a closure (which takes the outcome to the lowest). This module is the only place that decides
 * it: the interview's choices, `triage override`, `triage close`, `triage checks` and the shell's
 * recording of an interview's downgrade all ask these functions. Every refusal names what holds:
 * the hard rules by id (hard floors and hard raises alike), or the guard and its outstanding checks.
 */
import type { CompiledRuleSet } from "../rules/compile.js";
import type { Decision, GuardState } from "../rules/types.js";
import type { Role } from "./events.js";
import { mergeReadings, readGuards, type GuardBearing } from "./guards.js";
import type { ReferralState } from "./state.js";

/** What a floor decision is taken over: the decision, its guards as they stand, and the checks recorded since. */
export interface FloorSubject {
  decision: Decision;
  /** The guards as the decision, or its replayed state, has them. */
  guards: readonly GuardState[];
  /** Check ids recorded in the log since the decision. */
  recorded: ReadonlySet<string>;
}

/** A decision just made (the interview, `new --answers`): nothing recorded yet. */
export const subjectOfDecision = (decision: Decision): FloorSubject => ({ decision, guards: decision.guards, recorded: new Set() });

/** A referral replayed from the log. */
export const subjectOfState = (state: ReferralState): FloorSubject => ({
  decision: state.decision,
  guards: state.guards,
  recorded: new Set(state.checks.map((c) => c.check)),
});

/** What holds an outcome up: the hard floor (with the hard rules that set it) or a guard with checks outstanding. */
export type Hold =
  | { kind: "hard_floor"; level: number; outcome: string; rules: string[] }
  | { kind: "guard"; level: number; outcome: string; guard: string; outstanding: string[] };

/**
 * The hard rules that set the decision's hard floor: hard floors at that level, and hard raises
 * that applied and reached it (evaluate.ts makes a hard raise hard at the level it reached).
 */
export function hardFloorRules(rs: CompiledRuleSet, decision: Pick<Decision, "hard_floor" | "fired">): string[] {
  const level = decision.hard_floor ? rs.outcomeLevel.get(decision.hard_floor) : undefined;
  if (level === undefined) return [];
  return decision.fired
    .filter(
      (f) => f.hard && f.outcome !== undefined && rs.outcomeLevel.get(f.outcome) === level && (f.effect === "floor" || (f.effect === "raise" && f.applied)),
    )
    .map((f) => f.id);
}

const hardFloorLevel = (rs: CompiledRuleSet, decision: Decision): number => (decision.hard_floor ? (rs.outcomeLevel.get(decision.hard_floor) ?? 0) : 0);

/** The guards that bear on a downgrade to `level`: as recorded, as the downgrade would leave it, and as a closure would. */
export function downgradeBearings(rs: CompiledRuleSet, subject: FloorSubject, level: number): GuardBearing[] {
  const { decision, guards, recorded } = subject;
  return mergeReadings(rs, [guards, readGuards(rs, decision, { level, recorded }), readGuards(rs, decision, { level: 1, recorded })]).map((b) => ({
    ...b,
    // A guard that does not govern downgrades still holds its floor if it held at decision time.
    applies: b.applies && (b.governsDowngrades || guards.some((g) => g.id === b.id && g.status !== "not_applicable")),
  }));
}

const byLevel = (a: Hold, b: Hold): number => b.level - a.level;

/** What holds the outcome above `level`, highest first; empty when a downgrade to `level` may be proposed. */
export function holdsAbove(rs: CompiledRuleSet, subject: FloorSubject, level: number, bearings = downgradeBearings(rs, subject, level)): Hold[] {
  const holds: Hold[] = [];
  const hard = hardFloorLevel(rs, subject.decision);
  if (level < hard) holds.push({ kind: "hard_floor", level: hard, outcome: subject.decision.hard_floor!, rules: hardFloorRules(rs, subject.decision) });
  for (const b of bearings)
    if (b.applies && b.outstanding.length > 0 && level < b.floorLevel)
      holds.push({ kind: "guard", level: b.floorLevel, outcome: b.floor, guard: b.id, outstanding: b.outstanding });
  return holds.sort(byLevel);
}

/** A lower outcome and what proposing it would meet. */
export interface LowerOutcome {
  outcome: string;
  level: number;
  /** Empty when it may be proposed. */
  holds: Hold[];
  /** Who must agree when it is proposed: a manager, and whatever the guards governing downgrades add. */
  approvals: Role[];
  /** Guards that govern this downgrade, with the checks the entry records. */
  governing: { id: string; checks: string[] }[];
}

const uniqueRoles = (roles: readonly Role[]): Role[] => {
  const set = new Set(roles);
  // Senior manager first: the order people read them in.
  return (["senior_manager", "manager"] as const).filter((r) => set.has(r));
};

/** Every outcome below `fromLevel`, highest first, with what holds it and who must agree. */
export function lowerOutcomes(rs: CompiledRuleSet, subject: FloorSubject, fromLevel: number): LowerOutcome[] {
  const out: LowerOutcome[] = [];
  for (let level = fromLevel - 1; level >= 1; level--) {
    const bearings = downgradeBearings(rs, subject, level);
    const governing = bearings.filter((b) => b.applies && b.governsDowngrades);
    out.push({
      outcome: rs.outcomes[level - 1]!.id,
      level,
      holds: holdsAbove(rs, subject, level, bearings),
      approvals: uniqueRoles(["manager", ...governing.flatMap((g) => g.approvals)]),
      governing: governing.map((g) => ({ id: g.id, checks: g.checks })),
    });
  }
  return out;
}

/** The lowest level a downgrade may reach from `fromLevel` without passing a hold (`fromLevel` when none may). */
export function lowestAllowedLevel(lower: readonly LowerOutcome[], fromLevel: number): number {
  let lowest = fromLevel;
  for (const l of lower) {
    if (l.holds.length > 0) break;
    lowest = l.level;
  }
  return lowest;
}

/** One hold as the refusals word it, naming the rule (hard floors and hard raises alike) or the guard. */
export function describeHold(h: Hold): string {
  if (h.kind === "hard_floor") {
    const by = h.rules.length > 0 ? ` set by ${h.rules.join(", ")}` : "";
    return `the hard floor ${h.outcome}${by}; no one at the front door may go below it`;
  }
  return `guard ${h.guard} holds it at ${h.outcome} or above until these checks are recorded: ${h.outstanding.join(", ")}`;
}

// ─── Closures ────────────────────────────────────────────────────────────────────────────────────

/** What closing the referral as one reason would need now. */
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

export interface ClosureAnalysis extends ClosureRequirement {
  governing: GuardBearing[];
}

/** What holds a closure as `reason`: the hard floor, the guards' hard stops, the governing guards' checks, other guards' floors. */
export function analyseClosure(rs: CompiledRuleSet, subject: FloorSubject, reason: string): ClosureAnalysis {
  const cr = rs.raw.closure_reasons.find((c) => c.id === reason)!;
  const { decision, guards, recorded } = subject;
  const bearings = mergeReadings(rs, [guards, readGuards(rs, decision, { level: 1, closureReason: reason, recorded })]);
  const governing = bearings.filter((b) => b.applies && b.governsClosures.includes(reason));
  const outstanding = [...new Set(governing.flatMap((g) => g.outstanding))];
  const governs = bearings.filter((b) => b.governsClosures.includes(reason));
  const outright: string[] = [];
  if (decision.hard_floor) {
    const rules = hardFloorRules(rs, decision);
    outright.push(`it has a hard floor (${decision.hard_floor}${rules.length > 0 ? `, set by ${rules.join(", ")}` : ""})`);
  }
  const stops = governs.filter((b) => b.hardStopWhen);
  if (stops.length > 0) outright.push(`guard ${stops.map((s) => s.id).join(", ")} reports a hard stop (photos or video of an injury, or a disclosure)`);
  // Any other hard stop a guard reports (a rule set's own kind) still refuses.
  const otherStops = governs.filter((b) => b.hardStop);
  if (outright.length === 0 && otherStops.length > 0) outright.push(`guard ${otherStops.map((s) => s.id).join(", ")} reports a hard stop`);
  const floors = bearings
    .filter((b) => b.applies && b.outstanding.length > 0 && b.floorLevel > 1 && !governing.includes(b))
    .map((b) => ({ guard: b.id, floor: b.floor, outstanding: b.outstanding }));
  return {
    reason,
    label: cr.label,
    governed_by: governing.map((g) => g.id),
    outstanding,
    ...(outright.length > 0 ? { refused_outright: outright.join("; and ") } : {}),
    floors,
    approvals: uniqueRoles([cr.approval, ...governing.flatMap((g) => g.approvals)]),
    evidence_required: cr.requires_evidence_statement === true,
    governing,
  };
}

/** What closing this referral as each of the rule set's reasons would need now. */
export function closureRequirements(rs: CompiledRuleSet, subject: FloorSubject): ClosureRequirement[] {
  return rs.raw.closure_reasons.map((c) => {
    const { governing: _g, ...req } = analyseClosure(rs, subject, c.id);
    return req;
  });
}

/** Everything below the current outcome and every closure: what holds each, and what is outstanding. */
export interface WhatHolds {
  lower: LowerOutcome[];
  closures: ClosureRequirement[];
  /** Every check whose recording some lower outcome or closure waits for. */
  outstanding: string[];
}

export function whatHolds(rs: CompiledRuleSet, subject: FloorSubject, fromLevel: number, options: { closures?: boolean } = {}): WhatHolds {
  const lower = lowerOutcomes(rs, subject, fromLevel);
  const closures = options.closures === false ? [] : closureRequirements(rs, subject);
  const outstanding = new Set<string>();
  for (const l of lower) for (const h of l.holds) if (h.kind === "guard") for (const c of h.outstanding) outstanding.add(c);
  for (const c of closures) for (const id of [...c.outstanding, ...c.floors.flatMap((f) => f.outstanding)]) outstanding.add(id);
  return { lower, closures, outstanding: [...outstanding] };
}
