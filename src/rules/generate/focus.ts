/**
 * Focus: samples steered to satisfy one rule's condition, so that conjunctions (an injury AND a
 * baby AND …) are met far more often than by chance, and comparisons happen where rules fire.
 */
import { testLeaf, type ResolvedCondition, type ResolvedLeaf } from "../conditions.js";
import { emptyEnv, setAnswer } from "../evaluate.js";
import { NO_HISTORY } from "../types.js";
import { candidateAnswer } from "./decode.js";
import { CLOCK_DIM, type GenerationPlan } from "./types.js";

/** At most this many ways to satisfy one condition. */
const MAX_TERMS_PER_CONDITION = 24;

interface Literal {
  leaf: ResolvedLeaf;
  positive: boolean;
}

/** The condition as a disjunction of conjunctions of literals (capped). */
function disjunctiveForm(c: ResolvedCondition, positive: boolean): Literal[][] {
  if (c.kind === "leaf") return [[{ leaf: c, positive }]];
  if (c.kind === "not") return disjunctiveForm(c.item, !positive);
  const parts = c.items.map((item) => disjunctiveForm(item, positive));
  if ((c.kind === "any") === positive) return parts.flat().slice(0, MAX_TERMS_PER_CONDITION);
  let acc: Literal[][] = [[]];
  for (const part of parts) {
    const next: Literal[][] = [];
    for (const a of acc) for (const b of part) if (next.length < MAX_TERMS_PER_CONDITION) next.push([...a, ...b]);
    acc = next;
  }
  return acc;
}

/** The dimension a literal constrains and the entries that satisfy it, or undefined (no constraint). */
function literalConstraint(plan: GenerationPlan, lit: Literal): { dim: number; allowed: number[] } | undefined {
  const { leaf, positive } = lit;
  const s = leaf.subject;
  const rs = plan.rs;
  let dim: number;
  let size: number;
  let satisfies: (i: number) => boolean;
  if (s.type === "question") {
    const q = plan.questions[s.index]!;
    const cq = rs.questions[s.index]!;
    dim = s.index;
    size = q.domain.length;
    satisfies = (i) => {
      if (q.domain[i]!.kind === "combo") return false;
      const env = emptyEnv(rs);
      const a = candidateAnswer(plan, q, i, 0, 0);
      if (a !== undefined) setAnswer(env, cq, a);
      return testLeaf(leaf, env) === positive;
    };
  } else if (s.type === "history") {
    const j = plan.history.findIndex((h) => h.name === s.name);
    const values = plan.history[j]!.values;
    dim = plan.questions.length + j;
    size = values.length;
    satisfies = (i) => testLeaf(leaf, { ...emptyEnv(rs), history: { ...NO_HISTORY, [s.name]: values[i]! } }) === positive;
  } else if (s.type === "clock") {
    dim = CLOCK_DIM;
    size = plan.clocks.length;
    satisfies = (i) => {
      const ooh = plan.clocks[i]!.outOfHours;
      return testLeaf(leaf, { ...emptyEnv(rs), clock: { out_of_hours: ooh, received_out_of_hours: ooh } }) === positive;
    };
  } else return undefined; // the outcome so far cannot be chosen
  const allowed: number[] = [];
  for (let i = 0; i < size; i++) if (satisfies(i)) allowed.push(i);
  return allowed.length === size ? undefined : { dim, allowed };
}

export function buildTerms(plan: GenerationPlan): void {
  const rs = plan.rs;
  const visibility = rs.questions.map((q) => (q.when ? (disjunctiveForm(q.when, true)[0] ?? []) : []));
  const conditions: [string, ResolvedCondition][] = [
    ...[...rs.rules.values()].map((r): [string, ResolvedCondition] => [r.id, r.when]),
    ...rs.guards.map((g): [string, ResolvedCondition] => [g.raw.id, g.when]),
  ];
  for (const [source, condition] of conditions) {
    for (const literals of disjunctiveForm(condition, true)) {
      // Add what makes each question read here visible (its `when`, one way), transitively.
      const all = [...literals];
      const seen = new Set<number>();
      for (let i = 0; i < all.length; i++) {
        const subject = all[i]!.leaf.subject;
        if (subject.type === "question" && !seen.has(subject.index)) {
          seen.add(subject.index);
          all.push(...visibility[subject.index]!);
        }
      }
      const byDim = new Map<number, number[]>();
      let possible = true;
      for (const lit of all) {
        const c = literalConstraint(plan, lit);
        if (!c) continue;
        const before = byDim.get(c.dim);
        const allowed = before ? before.filter((i) => c.allowed.includes(i)) : c.allowed;
        if (allowed.length === 0) possible = false;
        byDim.set(c.dim, allowed);
      }
      if (!possible || byDim.size === 0) continue;
      const index = plan.terms.length;
      plan.terms.push({ source, constraints: [...byDim].map(([dim, allowed]) => ({ dim, allowed })) });
      for (const dim of byDim.keys())
        if (dim >= 0 && dim < plan.questions.length) plan.termsByQuestion.set(dim, [...(plan.termsByQuestion.get(dim) ?? []), index]);
    }
  }
}
