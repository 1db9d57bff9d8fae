/**
 * Guards re-read for an action taken after the decision (docs/architecture.md, principle 1). A guard's `when` was evaluated
 * once, at decision time, against the outcome then and the closure the worker proposed then. A later
 * closure or downgrade changes both facts, so the guards are read again with the decision's own
 * answers, history and clock — plus the proposed closure reason and the outcome the action would
 * leave — and with the checks recorded since. Pure: no log, no clock, no printing.
 */
import type { CompiledRuleSet } from "../rules/compile.js";
import { buildEnv } from "../rules/evaluate.js";
import type { Answer, Decision, GuardState } from "../rules/types.js";

/** The question through which a worker proposes a closure at decision time (the shipped rule set's question id). */
export const PROPOSED_CLOSURE_QUESTION = "proposed_closure_reason";

export interface GuardReading {
  /** The outcome level the action would leave (1 = lowest). */
  level: number;
  /** The closure reason proposed, when the action is a closure. */
  closureReason?: string;
  /** Check ids recorded in the log since the decision. */
  recorded: ReadonlySet<string>;
}

/** A guard as read for an action; `hard_stop_when` is the guard's own hard-stop condition alone (without the hard floor). */
export interface ReadGuard extends GuardState {
  hard_stop_when: boolean;
}

/** Every guard of the rule set, read for a hypothetical action on this decision. */
export function readGuards(rs: CompiledRuleSet, decision: Decision, reading: GuardReading): ReadGuard[] {
  const answers: Record<string, Answer> = { ...decision.answers };
  const proposal = rs.questions[rs.questionIndex.get(PROPOSED_CLOSURE_QUESTION) ?? -1];
  if (reading.closureReason !== undefined && proposal && proposal.options.includes(reading.closureReason))
    answers[PROPOSED_CLOSURE_QUESTION] = reading.closureReason;
  const received = new Date(decision.received_at);
  const now = new Date(decision.clock?.now ?? decision.decided_at);
  const { env } = buildEnv(rs, { answers, history: decision.history, now: now.toISOString() }, received, now);
  env.level = reading.level;
  const hardFloor = decision.hard_floor !== null && decision.hard_floor !== undefined;
  return rs.guards.map((g): ReadGuard => {
    const when = g.hardStop?.(env) ?? false;
    const base = { id: g.raw.id, title: g.raw.title, floor: g.raw.floor, hard_stop_when: when };
    const hardStop = hardFloor || when;
    if (!g.applies(env)) return { ...base, status: "not_applicable", outstanding: [], satisfied: [], hard_stop: hardStop };
    const outstanding: string[] = [];
    const satisfied: string[] = [];
    for (const id of g.raw.requires_checks) {
      const check = rs.checks.get(id);
      if (check?.required && !check.required(env)) continue;
      if (reading.recorded.has(id) || (check?.satisfied?.(env) ?? false)) satisfied.push(id);
      else outstanding.push(id);
    }
    return { ...base, status: outstanding.length > 0 ? "holding" : "released", outstanding, satisfied, hard_stop: hardStop };
  });
}

/** A guard as it bears on one action: whether it applies, what is outstanding, whether it is a hard stop. */
export interface GuardBearing {
  id: string;
  floor: string;
  floorLevel: number;
  applies: boolean;
  /** Checks the guard requires that are satisfied (by answers or recorded) — what the entry records. */
  checks: string[];
  outstanding: string[];
  hardStop: boolean;
  /** The guard's own hard-stop condition holds (photos or video of an injury, a disclosure…), apart from any hard floor. */
  hardStopWhen: boolean;
  approvals: ("manager" | "senior_manager")[];
  governsClosures: string[];
  governsDowngrades: boolean;
}

const union = (...lists: readonly (readonly string[])[]): string[] => [...new Set(lists.flat())];

/**
 * Merges several readings of the guards (e.g. as at decision time with recorded checks, and as the
 * action would leave it): a guard applies if any reading says so; its outstanding checks are the
 * union; a hard stop in any reading is a hard stop. Never less strict than any one reading.
 */
export function mergeReadings(rs: CompiledRuleSet, readings: readonly (readonly (GuardState | ReadGuard)[])[]): GuardBearing[] {
  return rs.guards.map((g) => {
    const id = g.raw.id;
    const states = readings.map((r) => r.find((s) => s.id === id)).filter((s): s is GuardState | ReadGuard => s !== undefined);
    const applying = states.filter((s) => s.status !== "not_applicable");
    const outstanding = union(...applying.map((s) => s.outstanding));
    return {
      id,
      floor: g.raw.floor,
      floorLevel: g.floorLevel,
      applies: applying.length > 0,
      checks: union(...applying.map((s) => s.satisfied)).filter((c) => !outstanding.includes(c)),
      outstanding,
      hardStop: states.some((s) => s.hard_stop),
      hardStopWhen: states.some((s) => "hard_stop_when" in s && s.hard_stop_when),
      approvals: [...g.raw.approvals],
      governsClosures: [...g.raw.governs_closures],
      governsDowngrades: g.raw.governs_downgrades,
    };
  });
}
