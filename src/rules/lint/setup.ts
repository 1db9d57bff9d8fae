/**
 * Setup: the generation plan and the invariants, prepared once per rule set (and per worker).
 */
import type * as fc from "fast-check";
import type { CompiledRuleSet } from "../compile.js";
import { compileCondition, type Predicate } from "../conditions.js";
import { choicesArbitrary, planGeneration, visibleAnswers, withoutDeadlines, type Choices, type GenerationPlan, type QuestionPlan } from "../generate.js";
import { makeScope, resolveCondition, type Issue } from "../resolve.js";
import type { RawInvariant } from "../schema.js";
import type { Answer } from "../types.js";

type Kind<K extends RawInvariant["kind"]> = Extract<RawInvariant, { kind: K }>;

/** A comparison's invariant and the question it changes. */
export interface Turn {
  inv: Prepared;
  subject: QuestionPlan;
}

export type Prepared =
  | { kind: "never_lower"; raw: Kind<"never_lower">; question: QuestionPlan; baseline: Answer; variants: Answer[] }
  | { kind: "unknown_not_lower"; raw: Kind<"unknown_not_lower">; questions: QuestionPlan[] }
  | { kind: "guard_floor_holds"; raw: Kind<"guard_floor_holds"> }
  | { kind: "hard_stop_not_closable"; raw: Kind<"hard_stop_not_closable"> }
  | { kind: "out_of_hours_provisional"; raw: Kind<"out_of_hours_provisional">; when: Predicate; neverFinal: Set<string> }
  | { kind: "deterministic"; raw: Kind<"deterministic"> };

export interface LintSetup {
  rs: CompiledRuleSet;
  lean: CompiledRuleSet;
  plan: GenerationPlan;
  arbitrary: fc.Arbitrary<Choices>;
  invariants: Prepared[];
  /**
   * What comparing samples compare, taking turns: one turn per `never_lower` invariant and one per
   * question of each `unknown_not_lower` invariant, so every compared question gets the same share.
   */
  turns: Turn[];
  baselineAnswers: Record<string, Answer>;
  /** received_at is asked only sometimes (the evaluator then must not see a hidden one). */
  receivedAtConditional: boolean;
}

function asAnswer(plan: QuestionPlan, v: string | readonly string[]): Answer {
  if (plan.type === "multiselect") return typeof v === "string" ? [v] : [...v];
  return typeof v === "string" ? v : (v[0] ?? "");
}

export function prepareLint(rs: CompiledRuleSet): LintSetup {
  const plan = planGeneration(rs, { targets: 2 });
  const byId = new Map(plan.questions.map((q) => [q.id, q]));
  const invariants = rs.raw.invariants.map((inv): Prepared => {
    switch (inv.kind) {
      case "never_lower": {
        const question = byId.get(inv.question)!;
        return { kind: inv.kind, raw: inv, question, baseline: asAnswer(question, inv.baseline), variants: inv.variants.map((v) => asAnswer(question, v)) };
      }
      case "unknown_not_lower": {
        const ids = inv.questions ?? rs.questions.filter((q) => q.raw.critical).map((q) => q.id);
        return { kind: inv.kind, raw: inv, questions: ids.map((id) => byId.get(id)!).filter((q) => q.unknownAnswer !== undefined) };
      }
      case "out_of_hours_provisional": {
        const issues: Issue[] = [];
        const when = compileCondition(resolveCondition(inv.when, makeScope(rs.raw), [], issues));
        if (issues.length > 0) throw new Error(`prepareLint: invariant ${inv.id} was not validated: ${issues[0]!.message}`);
        return { kind: inv.kind, raw: inv, when, neverFinal: new Set(inv.never_final) };
      }
      case "guard_floor_holds":
        return { kind: inv.kind, raw: inv };
      case "hard_stop_not_closable":
        return { kind: inv.kind, raw: inv };
      case "deterministic":
        return { kind: inv.kind, raw: inv };
    }
  });
  const lean = withoutDeadlines(rs);
  return {
    rs,
    lean,
    plan,
    arbitrary: choicesArbitrary(plan),
    invariants,
    turns: invariants.flatMap((inv): Turn[] =>
      inv.kind === "never_lower"
        ? [{ inv, subject: inv.question }]
        : inv.kind === "unknown_not_lower"
          ? inv.questions.map((subject) => ({ inv, subject }))
          : [],
    ),
    baselineAnswers: visibleAnswers(plan, plan.baseline),
    receivedAtConditional: rs.questions.some((q) => q.id === "received_at" && q.visible !== undefined),
  };
}
