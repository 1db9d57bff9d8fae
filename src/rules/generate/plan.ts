/**
 * The plan, with its baseline found by coordinate descent: each question's domain (baseline
 * first), the history values and clocks, and the focus terms.
 */
import type { CompiledQuestion, CompiledRuleSet } from "../compile.js";
import { HISTORY_FACTS, testLeaf, type ResolvedLeaf } from "../conditions.js";
import { emptyEnv, evaluate, isUnknownAnswer, setAnswer } from "../evaluate.js";
import { NO_HISTORY, UNKNOWN, type Answer, type Decision } from "../types.js";
import { clockCandidates } from "./clock.js";
import { candidateAnswer, visibleAnswers } from "./decode.js";
import { rawDomain } from "./domain.js";
import { buildTerms } from "./focus.js";
import { inputOf, withoutDeadlines } from "./input.js";
import { collectOperands, forEachResolvedLeaf } from "./operands.js";
import type { GenerationPlan, QuestionPlan, Scenario } from "./types.js";

type Score = number[];

function less(a: Score, b: Score): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

function decisionScore(d: Decision, rs: CompiledRuleSet): Score {
  return [
    d.computed_outcome.level,
    d.hard_floor ? (rs.outcomeLevel.get(d.hard_floor) ?? 0) : 0,
    d.fired.length,
    d.steps.length + d.flags.length,
    d.guards.filter((g) => g.status === "holding").length,
    d.unknowns.length,
  ];
}

/** How many rule/guard leaves on this question an answer satisfies on its own (a tie-breaker). */
function leafHits(leaves: ResolvedLeaf[], rs: CompiledRuleSet, q: CompiledQuestion, answer: Answer | undefined): number {
  if (answer === undefined) return 0;
  const env = emptyEnv(rs);
  setAnswer(env, q, answer);
  let hits = 0;
  for (const leaf of leaves) if (leaf.subject.type === "question" && leaf.subject.index === q.index && leaf.op !== "answered" && testLeaf(leaf, env)) hits++;
  return hits;
}

export interface PlanOptions {
  /** Target picks each sample carries (default 4). */
  targets?: number;
}

export function planGeneration(rs: CompiledRuleSet, options: PlanOptions = {}): GenerationPlan {
  const operands = collectOperands(rs);
  let maskSlots = 0;
  const questions: QuestionPlan[] = rs.questions.map((q) => {
    const { domain, comboOptions } = rawDomain(rs, q, operands);
    return {
      id: q.id,
      index: q.index,
      type: q.raw.type,
      domain,
      comboOptions,
      unknownAnswer: q.allowUnknown ? (q.raw.type === "multiselect" ? [UNKNOWN] : UNKNOWN) : undefined,
      maskSlot: comboOptions.length > 1 ? maskSlots++ : -1,
      ...(q.raw.partial_unknown && q.allowUnknown && q.raw.type === "multiselect" ? { partialUnknown: true } : {}),
    };
  });
  const history = HISTORY_FACTS.map((name) => {
    const values = new Set<number>([0, 1, 2]);
    if (name === "highest_earlier_level") for (let l = 0; l <= rs.outcomes.length; l++) values.add(l);
    for (const v of operands.history.get(name) ?? []) for (const x of [Math.floor(v) - 1, Math.floor(v), Math.ceil(v), Math.ceil(v) + 1]) values.add(x);
    return { name, values: [...values].filter((v) => v >= 0).sort((a, b) => a - b) };
  });
  const clocks = clockCandidates(rs);
  const plan: GenerationPlan = {
    rs,
    questions,
    clocks,
    history,
    targets: options.targets ?? 4,
    baseline: { answers: {}, history: { ...NO_HISTORY }, now: clocks[0]!.now, clock: 0 },
    cache: new Map(),
    receivedOutOfHours: new Map(),
    terms: [],
    termsByQuestion: new Map(),
  };

  // Coordinate descent for the plain answer set: each question in turn takes the answer that gives
  // the lowest score with everything else fixed; two passes. "Not known" is never plain.
  const lean = withoutDeadlines(rs);
  const leaves: ResolvedLeaf[] = [];
  for (const r of rs.rules.values()) forEachResolvedLeaf(r.when, (l) => leaves.push(l));
  for (const g of rs.guards) forEachResolvedLeaf(g.when, (l) => leaves.push(l));
  const chosen = questions.map((q) => q.domain.findIndex((c) => c.kind !== "value" || !isUnknownAnswer(c.value)));
  const current = (): Scenario => {
    const answers: Record<string, Answer> = {};
    questions.forEach((q, i) => {
      const a = candidateAnswer(plan, q, Math.max(0, chosen[i]!), 0, 0);
      if (a !== undefined) answers[q.id] = a;
    });
    return { answers, history: { ...NO_HISTORY }, now: clocks[0]!.now, clock: 0 };
  };
  for (let pass = 0; pass < 2; pass++) {
    for (const q of questions) {
      const base = current();
      let best = -1;
      let bestScore: Score = [];
      q.domain.forEach((cand, c) => {
        if (cand.kind === "combo") return;
        const a = candidateAnswer(plan, q, c, 0, 0);
        if (isUnknownAnswer(a)) return;
        const answers = { ...base.answers };
        if (a === undefined) delete answers[q.id];
        else answers[q.id] = a;
        const d = evaluate(lean, inputOf(base, visibleAnswers(plan, base, answers)));
        // Ties: the answer that satisfies fewest rule conditions on its own, then the one that keeps
        // the most questions asked (so the baseline hides as little as possible), then option order.
        const score = [...decisionScore(d, rs), leafHits(leaves, rs, rs.questions[q.index]!, a), -Object.keys(d.answers).length];
        if (best < 0 || less(score, bestScore)) [best, bestScore] = [c, score];
      });
      if (best >= 0) chosen[q.index] = best;
    }
  }
  // Move each baseline candidate to the front of its domain.
  questions.forEach((q, i) => {
    const c = chosen[i]!;
    if (c > 0) q.domain = [q.domain[c]!, ...q.domain.slice(0, c), ...q.domain.slice(c + 1)];
  });
  plan.cache.clear();
  chosen.fill(0);
  plan.baseline = current();
  buildTerms(plan);
  plan.cache.clear();
  return plan;
}
