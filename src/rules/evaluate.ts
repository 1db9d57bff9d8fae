/**
 * The evaluator: (compiled rule set, answers, history, clock) → decision record. Pure and
 * deterministic. Phases (docs/rule-format.md): floors, at most one raise per group, rules that read
 * the outcome so far to a fixed point, then guards.
 */
import type { CompiledQuestion, CompiledRule, CompiledRuleSet, Duration } from "./compile.js";
import type { Env } from "./conditions.js";
import { addCalendarDays, addHours, addWorkingDays, formatInZone, isOutOfHours, type OfficeHours } from "./time.js";
import {
  EMPTY_HISTORY,
  NO_HISTORY,
  UNKNOWN,
  type Answer,
  type HistoryFacts,
  type Decision,
  type DecisionStep,
  type EvaluationInput,
  type FiredRule,
  type GuardState,
  type OutcomeRef,
} from "./types.js";

export interface EvaluateOptions extends EvaluationInput {
  /** Checks recorded in the log after the decision (they release guards). */
  recordedChecks?: readonly string[];
  warnings?: readonly string[];
}

/** What explain needs beyond the record: the environment and the level each rule was tested at. */
export interface EvaluationDetail {
  decision: Decision;
  env: Env;
  /** For each rule, the outcome level when it was (last) tested. */
  testedAtLevel: Map<string, number>;
  /** The rules' outcome before guard floors (guards read this). */
  rulesLevel: number;
}

export function isUnknownAnswer(answer: Answer | undefined): boolean {
  return answer === UNKNOWN || (Array.isArray(answer) && answer.length === 1 && answer[0] === UNKNOWN);
}

export function dueFrom(received: Date, d: Duration, hours: OfficeHours): Date {
  if (d.unit === "hours") return addHours(received, d.n);
  if (d.unit === "days") return addCalendarDays(received, d.n, hours.time_zone);
  return addWorkingDays(received, d.n, hours);
}

export function outcomeRef(rs: CompiledRuleSet, level: number): OutcomeRef {
  const o = rs.outcomes[level - 1]!;
  return { id: o.id, level: o.level, label: o.label };
}

/** An environment with nothing answered yet. */
export function emptyEnv(rs: CompiledRuleSet, history: HistoryFacts = NO_HISTORY): Env {
  const n = rs.questions.length;
  return {
    values: new Array<Answer | undefined>(n),
    unknown: new Array<boolean>(n).fill(false),
    history,
    clock: { out_of_hours: false, received_out_of_hours: false },
    level: 0,
  };
}

/** Records a visible answer as the rules see it: "not known" becomes its unknown_counts_as. */
export function setAnswer(env: Env, q: CompiledQuestion, answer: Answer): void {
  const unknown = isUnknownAnswer(answer);
  env.unknown[q.index] = unknown;
  env.values[q.index] = !unknown ? answer : q.countsAs !== undefined ? q.countsAs : q.raw.type === "multiselect" ? [UNKNOWN] : UNKNOWN;
}

/** Builds the environment: visible answers in question order, with unknown_counts_as applied. */
export function buildEnv(
  rs: CompiledRuleSet,
  input: EvaluationInput,
  received: Date,
  now: Date,
): { env: Env; visibleAnswers: Record<string, Answer>; unknowns: string[] } {
  const env = emptyEnv(rs, (input.history ?? EMPTY_HISTORY).facts);
  env.clock = { out_of_hours: isOutOfHours(now, rs.officeHours), received_out_of_hours: isOutOfHours(received, rs.officeHours) };
  const visibleAnswers: Record<string, Answer> = {};
  const unknowns: string[] = [];
  for (const q of rs.questions) {
    if (q.visible && !q.visible(env)) continue;
    const answer = input.answers[q.id];
    if (answer === undefined) continue;
    visibleAnswers[q.id] = answer;
    setAnswer(env, q, answer);
    if (env.unknown[q.index]) unknowns.push(q.id);
  }
  return { env, visibleAnswers, unknowns };
}

function receivedAt(rs: CompiledRuleSet, input: EvaluationInput, now: Date): Date {
  const answer = input.answers.received_at;
  if (rs.questionIndex.has("received_at") && typeof answer === "string" && answer !== UNKNOWN) {
    const t = Date.parse(answer);
    if (!Number.isNaN(t)) return new Date(t);
  }
  return now;
}

export function evaluateDetailed(rs: CompiledRuleSet, input: EvaluateOptions): EvaluationDetail {
  const now = new Date(input.now);
  if (Number.isNaN(now.getTime())) throw new RangeError(`evaluate: invalid clock ${input.now}`);
  const received = receivedAt(rs, input, now);
  const { env, visibleAnswers, unknowns } = buildEnv(rs, input, received, now);
  const fired: FiredRule[] = [];
  // Only outcome-reading rules are tested at a level other than 0; explain reads this.
  const testedAtLevel = new Map<string, number>();
  const firedRules: CompiledRule[] = [];
  let hardLevel = 0;
  const record = (rule: CompiledRule, effect: FiredRule["effect"], outcome: string | undefined, applied: boolean): void => {
    const hard = rule.raw.hard === true && effect !== "note";
    // A hard floor is hard at its floor; a hard raise at the level it reached when it applied.
    const hardAt = effect === "floor" ? rule.floorLevel! : effect === "raise" && applied && outcome !== undefined ? rs.outcomeLevel.get(outcome)! : 0;
    if (hard && hardAt > hardLevel) hardLevel = hardAt;
    fired.push(
      outcome === undefined
        ? { id: rule.id, title: rule.raw.title, effect, applied, hard, because: rule.raw.because }
        : { id: rule.id, title: rule.raw.title, effect, outcome, applied, hard, because: rule.raw.because },
    );
    firedRules.push(rule);
  };

  // Phase 1: floors (and notes) among rules that do not read the outcome.
  const base: CompiledRule[] = [];
  let maxFloor = 0;
  for (const r of rs.baseRules) {
    if (!r.test(env)) continue;
    base.push(r);
    if (r.floorLevel !== undefined && r.floorLevel > maxFloor) maxFloor = r.floorLevel;
  }
  let level = maxFloor > 0 ? maxFloor : rs.defaultLevel;
  const floorLevel = level;

  // Phase 2: at most one raise per group (groups in name order), each capped, never lowering.
  let raised: Map<CompiledRule, { to: number; applied: boolean }> | undefined;
  for (const group of rs.raiseGroups) {
    let winner: CompiledRule | undefined;
    for (const r of base) if (r.raiseBy !== undefined && r.group === group && (!winner || r.raiseBy > winner.raiseBy!)) winner = r;
    if (!winner) continue;
    const to = Math.max(level, Math.min(level + winner.raiseBy!, winner.capLevel!));
    (raised ??= new Map()).set(winner, { to, applied: to > level });
    level = to;
  }
  for (const r of base) {
    if (r.floorLevel !== undefined) record(r, "floor", r.raw.floor!, r.floorLevel === floorLevel);
    else if (r.raiseBy !== undefined) {
      const won = raised?.get(r);
      record(r, "raise", won ? rs.outcomes[won.to - 1]!.id : r.raw.cap!, won?.applied ?? false);
    } else record(r, "note", undefined, true);
  }

  // Phase 3: rules that read the outcome so far, each at most once, until nothing new fires.
  const done = new Set<string>();
  for (let changed = true; changed;) {
    changed = false;
    for (const r of rs.outcomeRules) {
      if (done.has(r.id)) continue;
      env.level = level;
      testedAtLevel.set(r.id, level);
      if (!r.test(env)) continue;
      done.add(r.id);
      changed = true;
      if (r.floorLevel !== undefined) {
        record(r, "floor", r.raw.floor!, r.floorLevel > level);
        level = Math.max(level, r.floorLevel);
      } else record(r, "note", undefined, true);
    }
  }
  const rulesLevel = level;

  // Phase 4: guards, read against the rules' outcome.
  env.level = rulesLevel;
  const recorded = input.recordedChecks && input.recordedChecks.length > 0 ? new Set(input.recordedChecks) : undefined;
  const guards: GuardState[] = rs.guards.map((g) => {
    const hardStop = hardLevel > 0 || (g.hardStop?.(env) ?? false);
    const outstanding: string[] = [];
    const satisfied: string[] = [];
    const applies = g.applies(env);
    if (applies) {
      for (const { id, check } of g.checks) {
        if (check.required && !check.required(env)) continue;
        if (recorded?.has(id) || (check.satisfied?.(env) ?? false)) satisfied.push(id);
        else outstanding.push(id);
      }
    }
    const status = !applies ? "not_applicable" : outstanding.length > 0 ? "holding" : "released";
    return { id: g.raw.id, title: g.raw.title, status, floor: g.raw.floor, outstanding, satisfied, hard_stop: hardStop };
  });
  for (const g of guards) if (g.status === "holding") level = Math.max(level, rs.outcomeLevel.get(g.floor)!);

  const outcome = outcomeRef(rs, level);
  const tz = rs.officeHours.time_zone;
  // Deadlines and step due times share durations; each is computed once per evaluation.
  const dueMemo = new Map<string, string>();
  const due = (d: Duration): string => {
    const key = `${d.unit}:${d.n}`;
    let iso = dueMemo.get(key);
    if (iso === undefined) dueMemo.set(key, (iso = formatInZone(dueFrom(received, d, rs.officeHours), tz)));
    return iso;
  };
  const deadlines: Record<string, string> = {};
  for (const [name, d] of rs.outcomes[level - 1]!.responseTimes) deadlines[name] = due(d);

  const steps: DecisionStep[] = [];
  const stepIndex = new Map<string, DecisionStep>();
  const flags: string[] = [];
  for (const f of firedRules) {
    for (const id of f.raw.steps ?? []) {
      const existing = stepIndex.get(id);
      if (existing) {
        if (!existing.from.includes(f.id)) existing.from.push(f.id);
        continue;
      }
      const step = rs.steps.get(id)!;
      const due_by = step.dueDuration ? due(step.dueDuration) : step.due && "deadline" in step.due ? deadlines[step.due.deadline] : undefined;
      const entry: DecisionStep = due_by ? { id, text: step.text, due_by, from: [f.id] } : { id, text: step.text, from: [f.id] };
      stepIndex.set(id, entry);
      steps.push(entry);
    }
    for (const flag of f.raw.flags ?? []) if (!flags.includes(flag)) flags.push(flag);
  }

  const history = input.history ?? EMPTY_HISTORY;
  const decision: Decision = {
    rule_set: { id: rs.id, version: rs.version, sha256: rs.sha256 },
    received_at: formatInZone(received, tz),
    decided_at: formatInZone(now, tz),
    computed_outcome: outcome,
    outcome: { ...outcome },
    hard_floor: hardLevel > 0 ? rs.outcomes[hardLevel - 1]!.id : null,
    deadlines,
    fired,
    steps,
    guards,
    flags,
    unknowns,
    history: {
      referrals_in_window: history.referrals_in_window,
      distinct_referrers: history.distinct_referrers,
      earlier: history.earlier,
      possible_matches: history.possible_matches,
      facts: history.facts,
    },
    answers: visibleAnswers,
    clock: { now: formatInZone(now, tz), out_of_hours: env.clock.out_of_hours, received_out_of_hours: env.clock.received_out_of_hours },
    warnings: [...(input.warnings ?? [])],
  };
  return { decision, env, testedAtLevel, rulesLevel };
}

export function evaluate(rs: CompiledRuleSet, input: EvaluateOptions): Decision {
  return evaluateDetailed(rs, input).decision;
}
