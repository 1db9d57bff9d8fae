/**
 * The evaluator: (compiled rule set, answers, history, clock) → decision record. Pure and
 * deterministic. Phases (docs/rule-format.md): floors, at most one raise per group, rules that read
 * the outcome so far to a fixed point, then guards.
 */
import type { CompiledQuestion, CompiledRuleSet, Duration } from "./compile.js";
import type { Env } from "./conditions.js";
import { addCalendarDays, addHours, addWorkingDays, formatInZone, isOutOfHours, type OfficeHours } from "./time.js";
import { EMPTY_HISTORY, NO_HISTORY, UNKNOWN, type Answer, type HistoryFacts, type Decision, type DecisionStep, type EvaluationInput, type FiredRule, type GuardState, type OutcomeRef } from "./types.js";

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
  return { values: new Array<Answer | undefined>(n), unknown: new Array<boolean>(n).fill(false), history, clock: { out_of_hours: false, received_out_of_hours: false }, level: 0 };
}

/** Records a visible answer as the rules see it: "not known" becomes its unknown_counts_as. */
export function setAnswer(env: Env, q: CompiledQuestion, answer: Answer): void {
  const unknown = isUnknownAnswer(answer);
  env.unknown[q.index] = unknown;
  env.values[q.index] = !unknown ? answer : q.countsAs !== undefined ? q.countsAs : q.raw.type === "multiselect" ? [UNKNOWN] : UNKNOWN;
}

/** Builds the environment: visible answers in question order, with unknown_counts_as applied. */
export function buildEnv(rs: CompiledRuleSet, input: EvaluationInput, received: Date, now: Date): { env: Env; visibleAnswers: Record<string, Answer>; unknowns: string[] } {
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
  const testedAtLevel = new Map<string, number>();
  const firedRules: { id: string; steps: readonly string[]; flags: readonly string[] }[] = [];
  let hardLevel = 0;

  const record = (ruleId: string, entry: Omit<FiredRule, "id" | "title" | "because" | "hard">) => {
    const rule = rs.rules.get(ruleId)!;
    const hard = rule.raw.hard === true && rule.floorLevel !== undefined;
    if (hard) hardLevel = Math.max(hardLevel, rule.floorLevel!);
    fired.push({ id: rule.id, title: rule.raw.title, ...entry, hard, because: rule.raw.because });
    firedRules.push({ id: rule.id, steps: rule.raw.steps ?? [], flags: rule.raw.flags ?? [] });
  };

  // Phase 1: floors (and notes) among rules that do not read the outcome.
  const base = rs.baseRules.filter((r) => {
    testedAtLevel.set(r.id, 0);
    return r.test(env);
  });
  const floors = base.filter((r) => r.floorLevel !== undefined).map((r) => r.floorLevel!);
  let level = floors.length > 0 ? Math.max(...floors) : rs.defaultLevel;
  const floorLevel = level;

  // Phase 2: at most one raise per group, each capped, never lowering.
  const raisesByGroup = new Map<string, typeof base>();
  for (const r of base) if (r.raiseBy !== undefined) raisesByGroup.set(r.group, [...(raisesByGroup.get(r.group) ?? []), r]);
  const raised = new Map<string, { to: number; applied: boolean }>();
  for (const group of [...raisesByGroup.keys()].sort()) {
    const winner = raisesByGroup.get(group)!.reduce((best, r) => (r.raiseBy! > best.raiseBy! ? r : best));
    const to = Math.max(level, Math.min(level + winner.raiseBy!, winner.capLevel!));
    raised.set(winner.id, { to, applied: to > level });
    level = to;
  }
  for (const r of base) {
    if (r.floorLevel !== undefined) record(r.id, { effect: "floor", outcome: r.raw.floor!, applied: r.floorLevel === floorLevel });
    else if (r.raiseBy !== undefined) {
      const won = raised.get(r.id);
      record(r.id, { effect: "raise", outcome: won ? rs.outcomes[won.to - 1]!.id : r.raw.cap!, applied: won?.applied ?? false });
    } else record(r.id, { effect: "note", applied: true });
  }

  // Phase 3: rules that read the outcome so far, each at most once, until nothing new fires.
  const done = new Set<string>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const r of rs.outcomeRules) {
      if (done.has(r.id)) continue;
      env.level = level;
      testedAtLevel.set(r.id, level);
      if (!r.test(env)) continue;
      done.add(r.id);
      changed = true;
      if (r.floorLevel !== undefined) {
        record(r.id, { effect: "floor", outcome: r.raw.floor!, applied: r.floorLevel > level });
        level = Math.max(level, r.floorLevel);
      } else record(r.id, { effect: "note", applied: true });
    }
  }
  const rulesLevel = level;

  // Phase 4: guards, read against the rules' outcome.
  env.level = rulesLevel;
  const recorded = new Set(input.recordedChecks ?? []);
  const guards: GuardState[] = rs.guards.map((g) => {
    const base = { id: g.raw.id, title: g.raw.title, floor: g.raw.floor };
    const hardStop = hardLevel > 0 || (g.hardStop?.(env) ?? false);
    if (!g.applies(env)) return { ...base, status: "not_applicable", outstanding: [], satisfied: [], hard_stop: hardStop };
    const outstanding: string[] = [];
    const satisfied: string[] = [];
    for (const id of g.raw.requires_checks) {
      const check = rs.checks.get(id)!;
      if (check.required && !check.required(env)) continue;
      if (recorded.has(id) || (check.satisfied?.(env) ?? false)) satisfied.push(id);
      else outstanding.push(id);
    }
    return { ...base, status: outstanding.length > 0 ? "holding" : "released", outstanding, satisfied, hard_stop: hardStop };
  });
  for (const g of guards) if (g.status === "holding") level = Math.max(level, rs.outcomeLevel.get(g.floor)!);

  const outcome = outcomeRef(rs, level);
  const tz = rs.officeHours.time_zone;
  const deadlines: Record<string, string> = {};
  for (const [name, d] of rs.outcomes[level - 1]!.responseTimes) deadlines[name] = formatInZone(dueFrom(received, d, rs.officeHours), tz);

  const steps: DecisionStep[] = [];
  const stepIndex = new Map<string, DecisionStep>();
  const flags: string[] = [];
  for (const f of firedRules) {
    for (const id of f.steps) {
      const existing = stepIndex.get(id);
      if (existing) {
        if (!existing.from.includes(f.id)) existing.from.push(f.id);
        continue;
      }
      const step = rs.steps.get(id)!;
      const due_by = step.dueDuration ? formatInZone(dueFrom(received, step.dueDuration, rs.officeHours), tz) : step.due && "deadline" in step.due ? deadlines[step.due.deadline] : undefined;
      const entry: DecisionStep = due_by ? { id, text: step.text, due_by, from: [f.id] } : { id, text: step.text, from: [f.id] };
      stepIndex.set(id, entry);
      steps.push(entry);
    }
    for (const flag of f.flags) if (!flags.includes(flag)) flags.push(flag);
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
    history: { referrals_in_window: history.referrals_in_window, distinct_referrers: history.distinct_referrers, earlier: history.earlier, possible_matches: history.possible_matches, facts: history.facts },
    answers: visibleAnswers,
    clock: { now: formatInZone(now, tz), out_of_hours: env.clock.out_of_hours, received_out_of_hours: env.clock.received_out_of_hours },
    warnings: [...(input.warnings ?? [])],
  };
  return { decision, env, testedAtLevel, rulesLevel };
}

export function evaluate(rs: CompiledRuleSet, input: EvaluateOptions): Decision {
  return evaluateDetailed(rs, input).decision;
}
