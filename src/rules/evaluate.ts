/**
 * The evaluator: (compiled rule set, answers, history, clock) → decision record. Pure and
 * deterministic. Phases (docs/rule-format.md): floors, at most one raise per group, rules that read
 * the outcome so far to a fixed point, then guards.
 *
 * Speed: everything that depends only on the rule set is prepared once (./evaluation-plan.ts), the
 * answers are read into arrays once per referral, and an evaluation allocates little beyond the
 * record it returns; each distinct duration is turned into a date at most once.
 */
import type { CompiledQuestion, CompiledRuleSet, Duration } from "./compile.js";
import type { Env } from "./conditions.js";
import { evaluationPlan, type RulePlan } from "./evaluation-plan.js";
import { objectForManyKeys } from "./many-keys.js";
import { addCalendarDays, addHours, addWorkingDays, formatInZone, isOutOfHours, parseInstant, type OfficeHours } from "./time.js";
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

/** A multiselect answer with "not known" beside other options: "at least these; the rest not known". */
export function isPartlyUnknown(answer: Answer | undefined): answer is readonly string[] {
  return Array.isArray(answer) && answer.length > 1 && answer.includes(UNKNOWN);
}

/** Wholly or partly "not known" (what the record's `unknowns` and the `unknown` operator see). */
export function hasUnknown(answer: Answer | undefined): boolean {
  return isUnknownAnswer(answer) || isPartlyUnknown(answer);
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
  // Most answers are a plain option, number or text: nothing to translate.
  if (typeof answer !== "object" && answer !== UNKNOWN) {
    env.unknown[q.index] = false;
    env.values[q.index] = answer;
    return;
  }
  if (isPartlyUnknown(answer)) {
    // The listed options plus what "not known" counts as (docs/rule-format.md, partial_unknown).
    env.unknown[q.index] = true;
    const rest = q.countsAs !== undefined ? (typeof q.countsAs === "object" ? q.countsAs : [String(q.countsAs)]) : [UNKNOWN];
    env.values[q.index] = [...new Set([...answer.filter((x) => x !== UNKNOWN), ...rest])];
    return;
  }
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
  const outOfHours = isOutOfHours(now, rs.officeHours);
  env.clock = {
    out_of_hours: outOfHours,
    received_out_of_hours: received.getTime() === now.getTime() ? outOfHours : isOutOfHours(received, rs.officeHours),
  };
  const visibleAnswers = objectForManyKeys<Answer>();
  const unknowns: string[] = [];
  const answers = input.answers;
  const questions = rs.questions;
  for (let i = 0; i < questions.length; i++) {
    const q = questions[i]!;
    if (q.visible !== undefined && !q.visible(env)) continue;
    const answer = answers[q.id];
    if (answer === undefined) continue;
    visibleAnswers[q.id] = answer;
    setAnswer(env, q, answer);
    if (env.unknown[i]) unknowns.push(q.id);
  }
  return { env, visibleAnswers, unknowns };
}

function receivedAt(input: EvaluationInput, asksReceivedAt: boolean, now: Date): Date {
  const answer = input.answers.received_at;
  if (asksReceivedAt && typeof answer === "string" && answer !== UNKNOWN) {
    const t = parseInstant(answer);
    if (!Number.isNaN(t)) return new Date(t);
  }
  return now;
}

function firedEntry(p: RulePlan, effect: FiredRule["effect"], outcome: string | undefined, applied: boolean): FiredRule {
  const raw = p.rule.raw;
  return outcome === undefined
    ? { id: p.rule.id, title: raw.title, effect, applied, hard: false, because: raw.because }
    : { id: p.rule.id, title: raw.title, effect, outcome, applied, hard: p.hard, because: raw.because };
}

export function evaluateDetailed(rs: CompiledRuleSet, input: EvaluateOptions): EvaluationDetail {
  const testedAtLevel = new Map<string, number>();
  return { ...evaluateWith(rs, input, testedAtLevel), testedAtLevel };
}

export function evaluate(rs: CompiledRuleSet, input: EvaluateOptions): Decision {
  return evaluateWith(rs, input, undefined).decision;
}

/** The evaluation; `testedAtLevel` is filled only when asked for (explain, lint, diff). */
function evaluateWith(rs: CompiledRuleSet, input: EvaluateOptions, testedAtLevel: Map<string, number> | undefined): Omit<EvaluationDetail, "testedAtLevel"> {
  const plan = evaluationPlan(rs);
  const now = new Date(typeof input.now === "string" ? parseInstant(input.now) : input.now);
  if (Number.isNaN(now.getTime())) throw new RangeError(`evaluate: invalid clock ${input.now}`);
  const received = receivedAt(input, plan.asksReceivedAt, now);
  const { env, visibleAnswers, unknowns } = buildEnv(rs, input, received, now);
  const fired: FiredRule[] = [];
  const firedPlans: RulePlan[] = [];
  let hardLevel = 0;

  // Phase 1: floors (and notes) among rules that do not read the outcome.
  const base: RulePlan[] = [];
  let maxFloor = 0;
  for (const p of plan.base) {
    if (!p.rule.test(env)) continue;
    base.push(p);
    const floor = p.rule.floorLevel;
    if (floor !== undefined && floor > maxFloor) maxFloor = floor;
  }
  let level = maxFloor > 0 ? maxFloor : rs.defaultLevel;
  const floorLevel = level;

  // Phase 2: at most one raise per group (groups in name order), each capped, never lowering.
  // The winner of a group is the first of its rules with the largest raise.
  let winners: (RulePlan | undefined)[] | undefined;
  let raisedTo: number[] | undefined;
  for (let g = 0; g < plan.groupCount; g++) {
    let winner: RulePlan | undefined;
    for (const p of base) if (p.group === g && (!winner || p.rule.raiseBy! > winner.rule.raiseBy!)) winner = p;
    if (!winner) continue;
    const to = Math.max(level, Math.min(level + winner.rule.raiseBy!, winner.rule.capLevel!));
    (winners ??= new Array<RulePlan | undefined>(plan.groupCount))[g] = winner;
    // The level reached, negative when it was not above the level before (the raise did not apply).
    (raisedTo ??= new Array<number>(plan.groupCount))[g] = to > level ? to : -to;
    level = to;
  }
  for (const p of base) {
    const r = p.rule;
    if (r.floorLevel !== undefined) {
      if (p.hard && r.floorLevel > hardLevel) hardLevel = r.floorLevel;
      fired.push(firedEntry(p, "floor", r.raw.floor, r.floorLevel === floorLevel));
    } else if (r.raiseBy !== undefined) {
      const won = winners !== undefined && winners[p.group] === p ? raisedTo![p.group]! : 0;
      const applied = won > 0;
      if (p.hard && applied && won > hardLevel) hardLevel = won;
      fired.push(firedEntry(p, "raise", won !== 0 ? rs.outcomes[Math.abs(won) - 1]!.id : r.raw.cap!, applied));
    } else fired.push(firedEntry(p, "note", undefined, true));
    firedPlans.push(p);
  }

  // Phase 3: rules that read the outcome so far, each at most once, until nothing new fires.
  const outcomeRules = plan.outcome;
  const done = outcomeRules.length > 0 ? new Array<boolean>(outcomeRules.length).fill(false) : undefined;
  for (let changed = outcomeRules.length > 0; changed;) {
    changed = false;
    for (let i = 0; i < outcomeRules.length; i++) {
      if (done![i]) continue;
      const p = outcomeRules[i]!;
      const r = p.rule;
      env.level = level;
      testedAtLevel?.set(r.id, level);
      if (!r.test(env)) continue;
      done![i] = true;
      changed = true;
      if (r.floorLevel !== undefined) {
        if (p.hard && r.floorLevel > hardLevel) hardLevel = r.floorLevel;
        fired.push(firedEntry(p, "floor", r.raw.floor, r.floorLevel > level));
        level = Math.max(level, r.floorLevel);
      } else fired.push(firedEntry(p, "note", undefined, true));
      firedPlans.push(p);
    }
  }
  const rulesLevel = level;

  // Phase 4: guards, read against the rules' outcome.
  env.level = rulesLevel;
  const recorded = input.recordedChecks && input.recordedChecks.length > 0 ? new Set(input.recordedChecks) : undefined;
  const guards: GuardState[] = [];
  for (const g of rs.guards) {
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
    if (status === "holding" && g.floorLevel > level) level = g.floorLevel;
    guards.push({ id: g.raw.id, title: g.raw.title, status, floor: g.raw.floor, outstanding, satisfied, hard_stop: hardStop });
  }

  const outcome = rs.outcomes[level - 1]!;
  const tz = rs.officeHours.time_zone;
  // Deadlines and step due times share durations; each is computed once per evaluation.
  const dueMemo = new Array<string | undefined>(plan.durations.length);
  const due = (i: number): string => (dueMemo[i] ??= formatInZone(dueFrom(received, plan.durations[i]!, rs.officeHours), tz));
  const deadlines: Record<string, string> = {};
  for (const t of plan.responseTimes[level - 1]!) deadlines[t.name] = due(t.due);

  const steps: DecisionStep[] = [];
  const stepEntries = new Array<DecisionStep | undefined>(plan.stepCount);
  const flags: string[] = [];
  for (const p of firedPlans) {
    const firedId = p.rule.id;
    for (const step of p.steps) {
      const existing = stepEntries[step.index];
      if (existing) {
        if (!existing.from.includes(firedId)) existing.from.push(firedId);
        continue;
      }
      const due_by = step.due >= 0 ? due(step.due) : step.deadline !== undefined ? deadlines[step.deadline] : undefined;
      const entry: DecisionStep = due_by ? { id: step.id, text: step.text, due_by, from: [firedId] } : { id: step.id, text: step.text, from: [firedId] };
      stepEntries[step.index] = entry;
      steps.push(entry);
    }
    for (const flag of p.flags) if (!flags.includes(flag)) flags.push(flag);
  }
  orderStepsByDue(steps, now.getTime());

  const history = input.history ?? EMPTY_HISTORY;
  const decidedAt = formatInZone(now, tz);
  const decision: Decision = {
    rule_set: { id: rs.id, version: rs.version, sha256: rs.sha256 },
    received_at: received === now ? decidedAt : formatInZone(received, tz),
    decided_at: decidedAt,
    computed_outcome: { id: outcome.id, level: outcome.level, label: outcome.label },
    outcome: { id: outcome.id, level: outcome.level, label: outcome.label },
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
    clock: { now: decidedAt, out_of_hours: env.clock.out_of_hours, received_out_of_hours: env.clock.received_out_of_hours },
    warnings: input.warnings ? input.warnings.slice() : [],
  };
  return { decision, env, rulesLevel };
}

/**
 * Steps in the order they must be done (issue 13 d): by due time, earliest first (the two-hour
 * actions before "tell the referrer"); steps without a due time last; ties keep the order the rules
 * gave. A step already past due when the decision is made is marked `overdue_at_decision`.
 */
function orderStepsByDue(steps: DecisionStep[], nowMs: number): void {
  if (steps.length === 0) return;
  const keyed = steps.map((step, i) => {
    const ms = step.due_by !== undefined ? Date.parse(step.due_by) : Number.POSITIVE_INFINITY;
    if (ms < nowMs) step.overdue_at_decision = true;
    return { step, i, ms };
  });
  keyed.sort((a, b) => a.ms - b.ms || a.i - b.i);
  for (let i = 0; i < keyed.length; i++) steps[i] = keyed[i]!.step;
}
