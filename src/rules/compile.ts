/**
 * Compiles a validated rule set once into closures and lookup tables, so each evaluation is a few
 * array reads and function calls (evaluation takes microseconds: README "Performance").
 */
import type { ValidRuleSet } from "./load.js";
import { compileCondition, readsOutcome, type Predicate, type ResolvedCondition } from "./conditions.js";
import { allowsUnknown, makeScope, optionValues, resolveCondition, type Issue } from "./resolve.js";
import type { RawCheck, RawDuration, RawGuard, RawQuestion, RawRule, RawRuleSet, RawStep } from "./schema.js";
import type { OfficeHours } from "./time.js";
import type { Answer } from "./types.js";

export interface Duration {
  unit: "hours" | "days" | "working_days";
  n: number;
}

export interface CompiledQuestion {
  raw: RawQuestion;
  id: string;
  index: number;
  options: string[];
  allowUnknown: boolean;
  countsAs: Answer | undefined;
  when: ResolvedCondition | undefined;
  visible: Predicate | undefined;
}

export interface CompiledRule {
  raw: RawRule;
  id: string;
  when: ResolvedCondition;
  test: Predicate;
  readsOutcome: boolean;
  floorLevel: number | undefined;
  raiseBy: number | undefined;
  capLevel: number | undefined;
  group: string;
}

export interface CompiledCheck {
  raw: RawCheck;
  required: Predicate | undefined;
  satisfied: Predicate | undefined;
  requiredWhen: ResolvedCondition | undefined;
  satisfiedWhen: ResolvedCondition | undefined;
}

export interface CompiledGuard {
  raw: RawGuard;
  /** The guard's required checks, resolved once. */
  checks: { id: string; check: CompiledCheck }[];
  when: ResolvedCondition;
  applies: Predicate;
  hardStop: Predicate | undefined;
  floorLevel: number;
}

export interface CompiledOutcome {
  id: string;
  level: number;
  label: string;
  responseTimes: [string, Duration][];
}

export interface CompiledRuleSet {
  id: string;
  version: string;
  sha256: string;
  content: string;
  raw: RawRuleSet;
  officeHours: OfficeHours;
  outcomes: CompiledOutcome[];
  outcomeLevel: Map<string, number>;
  defaultLevel: number;
  questions: CompiledQuestion[];
  questionIndex: Map<string, number>;
  /** Rules that do not read the outcome so far, in canonical order. */
  baseRules: CompiledRule[];
  /** Rules that read the outcome so far: evaluated to a fixed point after floors and raises. */
  outcomeRules: CompiledRule[];
  rules: Map<string, CompiledRule>;
  /** Raise groups in name order (at most one raise applies per group). */
  raiseGroups: string[];
  guards: CompiledGuard[];
  checks: Map<string, CompiledCheck>;
  steps: Map<string, RawStep & { dueDuration?: Duration }>;
}

export function compileRuleSet(valid: ValidRuleSet): CompiledRuleSet {
  const raw = valid.raw;
  const scope = makeScope(raw);
  const issues: Issue[] = [];
  const resolve = (c: Parameters<typeof resolveCondition>[0], path: (string | number)[], visibleBefore = raw.questions.length) =>
    resolveCondition(c, { ...scope, visibleBefore }, path, issues);
  const number = (n: number | { threshold: string }): number => (typeof n === "number" ? n : raw.thresholds[n.threshold]!.value);
  const duration = (d: RawDuration): Duration => {
    const [unit, n] = Object.entries(d)[0] as [Duration["unit"], number | { threshold: string }];
    return { unit, n: number(n) };
  };

  const questions = raw.questions.map((q, index): CompiledQuestion => {
    const when = q.when ? resolve(q.when, ["questions", index, "when"], index) : undefined;
    return {
      raw: q,
      id: q.id,
      index,
      options: optionValues(q),
      allowUnknown: allowsUnknown(q),
      countsAs: q.unknown_counts_as,
      when,
      visible: when ? compileCondition(when) : undefined,
    };
  });

  const rules = raw.rules.map((r, i): CompiledRule => {
    const when = resolve(r.when, ["rules", i, "when"]);
    return {
      raw: r,
      id: r.id,
      when,
      test: compileCondition(when),
      readsOutcome: readsOutcome(r.when),
      floorLevel: r.floor ? scope.outcomeLevel.get(r.floor) : undefined,
      raiseBy: r.raise,
      capLevel: r.cap ? scope.outcomeLevel.get(r.cap) : undefined,
      group: r.group ?? "raise",
    };
  });

  const checks = new Map(
    raw.checks.map((c, i): [string, CompiledCheck] => {
      const requiredWhen = c.required_when ? resolve(c.required_when, ["checks", i, "required_when"]) : undefined;
      const satisfiedWhen = c.satisfied_when ? resolve(c.satisfied_when, ["checks", i, "satisfied_when"]) : undefined;
      return [
        c.id,
        {
          raw: c,
          requiredWhen,
          satisfiedWhen,
          required: requiredWhen && compileCondition(requiredWhen),
          satisfied: satisfiedWhen && compileCondition(satisfiedWhen),
        },
      ];
    }),
  );

  const guards = raw.guards.map((g, i): CompiledGuard => {
    const when = resolve(g.when, ["guards", i, "when"]);
    return {
      raw: g,
      when,
      checks: g.requires_checks.map((id) => ({ id, check: checks.get(id)! })),
      applies: compileCondition(when),
      hardStop: g.hard_stop_when ? compileCondition(resolve(g.hard_stop_when, ["guards", i, "hard_stop_when"])) : undefined,
      floorLevel: scope.outcomeLevel.get(g.floor)!,
    };
  });

  if (issues.length > 0) throw new Error(`compileRuleSet: rule set was not validated: ${issues[0]!.message}`);

  return {
    id: raw.id,
    version: raw.version,
    sha256: valid.sha256,
    content: valid.content,
    raw,
    officeHours: raw.office_hours,
    outcomes: raw.outcomes.map((o, i) => ({
      id: o.id,
      level: i + 1,
      label: o.label,
      responseTimes: Object.entries(o.response_times).map(([name, d]) => [name, duration(d)] as [string, Duration]),
    })),
    outcomeLevel: scope.outcomeLevel,
    defaultLevel: scope.outcomeLevel.get(raw.default_outcome)!,
    questions,
    questionIndex: scope.questionIndex,
    baseRules: rules.filter((r) => !r.readsOutcome),
    outcomeRules: rules.filter((r) => r.readsOutcome),
    rules: new Map(rules.map((r) => [r.id, r])),
    raiseGroups: [...new Set(rules.filter((r) => r.raiseBy !== undefined && !r.readsOutcome).map((r) => r.group))].sort(),
    guards,
    checks,
    steps: new Map(raw.steps.map((s) => [s.id, s.due && !("deadline" in s.due) ? { ...s, dueDuration: duration(s.due) } : s])),
  };
}
