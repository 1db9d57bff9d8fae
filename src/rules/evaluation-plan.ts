/**
 * What the evaluator prepares once per compiled rule set, so that an evaluation allocates only the
 * record it returns: each rule's steps and flags resolved, raise groups as lists of rule positions,
 * and every response time and step due time as an index into one list of distinct durations (each
 * computed at most once per evaluation, and only when the record needs it).
 */
import type { CompiledRule, CompiledRuleSet, Duration } from "./compile.js";

export interface StepPlan {
  /** Position among the rule set's steps (an evaluation keeps one slot per step). */
  index: number;
  id: string;
  text: string;
  /** Position of the due duration in `durations`, or -1. */
  due: number;
  /** Or the name of the outcome deadline the step is due by. */
  deadline: string | undefined;
}

export interface RulePlan {
  rule: CompiledRule;
  /** Position among the raise groups (name order), or -1 when the rule does not raise. */
  group: number;
  /** True when the rule is hard and not a note (a note has no level to be hard at). */
  hard: boolean;
  steps: StepPlan[];
  flags: readonly string[];
}

export interface EvaluationPlan {
  /** The rules that do not read the outcome so far, in canonical order. */
  base: RulePlan[];
  /** The rules that do, in canonical order. */
  outcome: RulePlan[];
  groupCount: number;
  durations: Duration[];
  /** Per outcome level (index level - 1): its response times, names with duration positions. */
  responseTimes: { name: string; due: number }[][];
  stepCount: number;
  /** Whether the rule set asks when the referral was received (else it is the clock). */
  asksReceivedAt: boolean;
}

const plans = new WeakMap<CompiledRuleSet, EvaluationPlan>();

export function evaluationPlan(rs: CompiledRuleSet): EvaluationPlan {
  let plan = plans.get(rs);
  if (!plan) plans.set(rs, (plan = makePlan(rs)));
  return plan;
}

function makePlan(rs: CompiledRuleSet): EvaluationPlan {
  const durations: Duration[] = [];
  const durationIndex = new Map<string, number>();
  const durationOf = (d: Duration): number => {
    const key = `${d.unit}:${d.n}`;
    let i = durationIndex.get(key);
    if (i === undefined) {
      durationIndex.set(key, (i = durations.length));
      durations.push(d);
    }
    return i;
  };
  const responseTimes = rs.outcomes.map((o) => o.responseTimes.map(([name, d]) => ({ name, due: durationOf(d) })));
  const steps = new Map<string, StepPlan>();
  for (const [id, s] of rs.steps) {
    const deadline = s.due && "deadline" in s.due ? s.due.deadline : undefined;
    steps.set(id, { index: steps.size, id, text: s.text, due: s.dueDuration ? durationOf(s.dueDuration) : -1, deadline });
  }
  const groups = rs.raiseGroups;
  // A rule that reads the outcome is recorded as a floor or a note (never a raise): evaluate.ts.
  const rulePlan = (rule: CompiledRule): RulePlan => ({
    rule,
    group: rule.raiseBy !== undefined && !rule.readsOutcome ? groups.indexOf(rule.group) : -1,
    hard: rule.raw.hard === true && (rule.floorLevel !== undefined || (rule.raiseBy !== undefined && !rule.readsOutcome)),
    steps: (rule.raw.steps ?? []).map((id) => steps.get(id)!),
    flags: rule.raw.flags ?? [],
  });
  return {
    base: rs.baseRules.map(rulePlan),
    outcome: rs.outcomeRules.map(rulePlan),
    groupCount: groups.length,
    durations,
    responseTimes,
    stepCount: steps.size,
    asksReceivedAt: rs.questionIndex.has("received_at"),
  };
}
