/** For every rule and guard: did it fire, and what each condition compared (✓ / ✗ / not evaluated). */
import type { CompiledRuleSet } from "./compile.js";
import { traceCondition, type ConditionTrace, type Env } from "./conditions.js";
import { evaluateDetailed, type EvaluateOptions } from "./evaluate.js";
import type { Decision } from "./types.js";

export interface RuleExplanation {
  id: string;
  title: string;
  fired: boolean;
  effect: string;
  /** The outcome so far when the rule was tested (rules that read it). */
  tested_at?: string;
  condition: ConditionTrace;
}

export interface GuardExplanation {
  id: string;
  status: string;
  condition: ConditionTrace;
  checks: { id: string; required: boolean; satisfied: boolean; by_answers?: ConditionTrace }[];
}

export interface Explanation {
  decision: Decision;
  rules: RuleExplanation[];
  guards: GuardExplanation[];
}

export function explain(rs: CompiledRuleSet, input: EvaluateOptions): Explanation {
  const detail = evaluateDetailed(rs, input);
  const idOf = (level: number) => rs.outcomes[level - 1]?.id ?? "none";
  const firedIds = new Set(detail.decision.fired.map((f) => f.id));
  const at = (level: number): Env => ({ ...detail.env, level });
  const rules = [...rs.baseRules, ...rs.outcomeRules].map((r): RuleExplanation => {
    const level = detail.testedAtLevel.get(r.id) ?? 0;
    const effect =
      r.floorLevel !== undefined
        ? `floor ${r.raw.floor}${r.raw.hard ? " (hard)" : ""}`
        : r.raiseBy !== undefined
          ? `raise +${r.raiseBy} (cap ${r.raw.cap})`
          : "steps and flags only";
    return {
      id: r.id,
      title: r.raw.title,
      fired: firedIds.has(r.id),
      effect,
      ...(r.readsOutcome && { tested_at: idOf(level) }),
      condition: traceCondition(r.when, at(level), idOf),
    };
  });
  const guardEnv = at(detail.rulesLevel);
  const recorded = new Set(input.recordedChecks ?? []);
  const guards = rs.guards.map((g, i): GuardExplanation => ({
    id: g.raw.id,
    status: detail.decision.guards[i]!.status,
    condition: traceCondition(g.when, guardEnv, idOf),
    checks: g.raw.requires_checks.map((id) => {
      const c = rs.checks.get(id)!;
      const required = c.required ? c.required(guardEnv) : true;
      const byAnswers = c.satisfiedWhen ? traceCondition(c.satisfiedWhen, guardEnv, idOf) : undefined;
      return { id, required, satisfied: recorded.has(id) || byAnswers?.result === true, ...(byAnswers && { by_answers: byAnswers }) };
    }),
  }));
  return { decision: detail.decision, rules, guards };
}
