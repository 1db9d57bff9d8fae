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
import { baselineInvariants, type BaselineKind, type Pick } from "./baseline.js";

type Kind<K extends RawInvariant["kind"]> = Extract<RawInvariant, { kind: K }>;

/** A comparison's invariant and the question it changes. */
export interface Turn {
  inv: Prepared;
  subject: QuestionPlan;
  /** For a baseline comparison: picks the two answers compared. */
  pick?: Pick;
}

/** A baseline invariant's identity, shaped like a file invariant's so reports treat both alike. */
export interface BaselineRaw {
  id: string;
  kind: BaselineKind;
  description: string;
}

export type InvariantKind = RawInvariant["kind"] | BaselineKind;

/** Where an invariant comes from: built into triage (src/rules/lint/baseline.ts) or the rule file. */
export type Origin = "baseline" | "file";

type PreparedBody =
  | { kind: "never_lower"; raw: Kind<"never_lower">; question: QuestionPlan; baseline: Answer; variants: Answer[] }
  | { kind: "unknown_not_lower"; raw: Kind<"unknown_not_lower">; questions: QuestionPlan[] }
  | { kind: "guard_floor_holds"; raw: Kind<"guard_floor_holds"> }
  | { kind: "hard_stop_not_closable"; raw: Kind<"hard_stop_not_closable"> }
  | { kind: "out_of_hours_provisional"; raw: Kind<"out_of_hours_provisional">; when: Predicate; neverFinal: Set<string> }
  | { kind: "deterministic"; raw: Kind<"deterministic"> }
  | { kind: "compare"; raw: BaselineRaw; legs: { subject: QuestionPlan; pick: Pick }[] }
  | { kind: "floor"; raw: BaselineRaw; when: Predicate; floor: string; floorLevel: number }
  | { kind: "closure"; raw: BaselineRaw; when: Predicate; reasons: string[]; guards: string[]; problems: string[] }
  | { kind: "ooh"; raw: BaselineRaw; when: Predicate; flag: string };

/** `key` is unique in a run (a file invariant may share a baseline invariant's id). */
export type Prepared = PreparedBody & { key: string; origin: Origin };

export interface LintSetup {
  rs: CompiledRuleSet;
  lean: CompiledRuleSet;
  plan: GenerationPlan;
  arbitrary: fc.Arbitrary<Choices>;
  invariants: Prepared[];
  /** File invariants that take a baseline invariant's name but state less: each a lint error. */
  conflicts: { id: string; message: string }[];
  /** Baseline parts left out because the rule set lacks the vocabulary they need. */
  skipped: { id: string; message: string }[];
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
  const fileInvariants = rs.raw.invariants.map((inv): PreparedBody => {
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
  const baseline = baselineInvariants(rs);
  const builtIn = baseline.invariants.map((b): Prepared => {
    const raw: BaselineRaw = { id: b.id, kind: b.kind, description: b.description };
    const key = `baseline:${b.id}`;
    switch (b.body.kind) {
      case "compare":
        return { kind: "compare", raw, legs: b.body.legs.map((l) => ({ subject: byId.get(l.question)!, pick: l.pick })), key, origin: "baseline" };
      case "floor":
        return { ...b.body, raw, key, origin: "baseline" };
      case "closure":
        return { ...b.body, raw, key, origin: "baseline" };
      case "ooh":
        return { ...b.body, raw, key, origin: "baseline" };
    }
  });
  const conflicts: { id: string; message: string }[] = [];
  for (const f of rs.raw.invariants) {
    const b = baseline.invariants.find((x) => x.id === f.id);
    const why = b?.weaker(f);
    if (why)
      conflicts.push({
        id: f.id,
        message: `invariant ${f.id} takes the name of a baseline invariant but is weaker: ${why}. Rename it or state at least the baseline's property.`,
      });
  }
  const invariants: Prepared[] = [...builtIn, ...fileInvariants.map((p): Prepared => ({ ...p, key: p.raw.id, origin: "file" }))];
  const lean = withoutDeadlines(rs);
  return {
    rs,
    lean,
    plan,
    arbitrary: choicesArbitrary(plan),
    invariants,
    conflicts,
    skipped: baseline.skipped,
    turns: invariants.flatMap((inv): Turn[] =>
      inv.kind === "never_lower"
        ? [{ inv, subject: inv.question }]
        : inv.kind === "unknown_not_lower"
          ? inv.questions.map((subject) => ({ inv, subject }))
          : inv.kind === "compare"
            ? inv.legs.map((l) => ({ inv, subject: l.subject, pick: l.pick }))
            : [],
    ),
    baselineAnswers: visibleAnswers(plan, plan.baseline),
    receivedAtConditional: rs.questions.some((q) => q.id === "received_at" && q.visible !== undefined),
  };
}
