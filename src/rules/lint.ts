/**
 * `triage rules lint`, the pure core: checks a rule set's declared safety invariants
 * (docs/rule-format.md "Invariants") over generated answer sets (generate.ts), shrinks each
 * violation to its smallest counter-example with fast-check, and warns about parts of the rule set
 * that nothing uses. Never prints; the command renders the report.
 *
 * What a sample is judged by, and what it costs (bounded, so 100k samples stay within target):
 * - Each sample makes one *comparison* for a comparing invariant: the sample with the compared
 *   question set to one answer and to the other, all else equal — two evaluations. Turns
 *   rotate over each `never_lower` invariant and each question of each `unknown_not_lower`, so every
 *   compared question gets the same share. The sample's target picks choose the variant or the
 *   known answer ("not known" is compared half the time with the sample's own answer, half the time
 *   with any known answer: each option alone for a multiselect), and a third of the samples are
 *   steered to satisfy a rule that reads the compared
 *   question (another third: any rule; generate.ts, focus terms), so over a run every answer is
 *   compared in many contexts, including those where the rules that read it fire.
 *   Changing an answer can show or hide later questions: hidden ones are dropped, newly shown ones
 *   take the answer this sample gives them (every question has one), so each side is itself a
 *   valid generated answer set.
 * - A sample that does not ask the compared question is judged by its own decision (one
 *   evaluation).
 * - Invariants about one record (`guard_floor_holds`, `hard_stop_not_closable`,
 *   `out_of_hours_provisional`, and "not known always adds the step") are checked on every decision
 *   made, and coverage (rules fired, outcomes reached) is counted from them.
 * - `deterministic` evaluates the full record twice on samples spread over the run (every 10th, at
 *   most ~1,000 in all: the full record's deadline arithmetic is the costly part of an evaluation),
 *   and on any sample while shrinking.
 * Everything except `deterministic` evaluates a copy of the rule set without deadline arithmetic
 * (see `withoutDeadlines`): the same evaluator, rules and guards, minus most of the cost.
 *
 * Samples are generated in fixed-size chunks, each from a seed derived from (seed, chunk index), so
 * the result is the same whether the chunks run in one thread or in several.
 */
import * as fc from "fast-check";
import { canonicalJson } from "./canonical.js";
import type { CompiledRuleSet } from "./compile.js";
import { compileCondition, type Predicate } from "./conditions.js";
import { emptyEnv, evaluate, evaluateDetailed, isUnknownAnswer, type EvaluationDetail } from "./evaluate.js";
import { answerFor, choicesArbitrary, decode, inputOf, planGeneration, thresholdsInConditions, visibleAnswers, withoutDeadlines, type Choices, type GenerationPlan, type QuestionPlan, type Scenario } from "./generate.js";
import { makeScope, resolveCondition, type Issue } from "./resolve.js";
import type { RawDuration, RawInvariant } from "./schema.js";
import { HISTORY_WINDOW_THRESHOLD, type Answer, type Decision, type HistoryFacts } from "./types.js";

export const DEFAULT_SAMPLES = 10_000;
export const DEFAULT_SEED = 1;
/** Samples per chunk; fixed so that results never depend on how many threads run the chunks. */
export const CHUNK_SIZE = 1_000;
/**
 * `deterministic` evaluates the full record (deadlines included, the costly part) twice on samples
 * spread evenly over the run: every 10th, and at most about this many in all.
 */
export const DETERMINISM_SAMPLES = 1_000;

/** Which samples `deterministic` checks: every Nth of a run of `samples`. */
export function determinismEvery(samples: number): number {
  return Math.max(10, Math.ceil(samples / DETERMINISM_SAMPLES));
}

export interface LintOptions {
  samples?: number;
  seed?: number;
}

// ---------------------------------------------------------------------------------------------
// The report.

export interface DecisionSummary {
  /** The answers as used (visible questions only). */
  answers: Record<string, Answer>;
  outcome: { id: string; level: number };
  hard_floor: string | null;
  fired: string[];
  steps: string[];
  flags: string[];
  guards: { id: string; status: string; floor: string; hard_stop: boolean }[];
}

export interface CounterExampleSide {
  /** E.g. "referrer = family". */
  label: string;
  /** The one answer this side sets (comparisons only). */
  changed?: { question: string; answer: Answer };
  decision: DecisionSummary;
}

export interface CounterExample {
  now: string;
  /** Why that clock was generated, e.g. "weekend, midday". */
  clock: string;
  history: HistoryFacts;
  /** Answers on the first side that differ from the plain baseline answer set (the compared question aside). */
  differs_from_baseline: Record<string, Answer>;
  /** The plain baseline's answers to those same questions (null: the baseline does not ask it). */
  baseline: Record<string, Answer | null>;
  /** The decisions compared: two for comparisons, one for invariants about a single record. */
  sides: CounterExampleSide[];
}

export interface Violation {
  invariant: { id: string; kind: RawInvariant["kind"]; description: string };
  message: string;
  counterexample: CounterExample;
  /** How many samples violated the invariant, and the index of the first. */
  failing_samples: number;
  first_sample: number;
  shrinks: number;
}

export type WarningKind = "rule_never_fired" | "threshold_unused" | "outcome_never_produced" | "step_unused" | "check_unused" | "invariant_not_exercised";

export interface LintWarning {
  kind: WarningKind;
  id: string;
  message: string;
}

export interface InvariantSummary {
  id: string;
  kind: RawInvariant["kind"];
  description: string;
  /** Samples (or comparisons) on which the invariant was checked. */
  checked: number;
  failing_samples: number;
  violated: boolean;
}

export interface LintReport {
  rule_set: { id: string; version: string; sha256: string };
  samples: number;
  seed: number;
  evaluations: number;
  invariants: InvariantSummary[];
  violations: Violation[];
  warnings: LintWarning[];
}

// ---------------------------------------------------------------------------------------------
// Setup: the generation plan and the invariants, prepared once per rule set (and per worker).

type Kind<K extends RawInvariant["kind"]> = Extract<RawInvariant, { kind: K }>;

/** A comparison's invariant and the question it changes. */
export interface Turn {
  inv: Prepared;
  subject: QuestionPlan;
}

type Prepared =
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
    turns: invariants.flatMap((inv): Turn[] => (inv.kind === "never_lower" ? [{ inv, subject: inv.question }] : inv.kind === "unknown_not_lower" ? inv.questions.map((subject) => ({ inv, subject })) : [])),
    baselineAnswers: visibleAnswers(plan, plan.baseline),
    receivedAtConditional: rs.questions.some((q) => q.id === "received_at" && q.visible !== undefined),
  };
}

// ---------------------------------------------------------------------------------------------
// Checking one sample.

interface Side {
  label: string;
  changed?: { question: string; answer: Answer };
  detail: EvaluationDetail;
}

interface Finding {
  message: string;
  sides: Side[];
}

/** What the samples cost and produced (coverage is counted from every evaluation). */
interface Tally {
  evaluations: number;
  fired: Map<string, number>;
  levels: number[];
}

const sameAnswer = (a: Answer | undefined, b: Answer | undefined): boolean => {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return false;
};

const show = (a: Answer | undefined): string => (a === undefined ? "(unanswered)" : Array.isArray(a) ? `[${a.join(", ")}]` : String(a));
const outcomeText = (d: Decision): string => `${d.computed_outcome.id} (level ${d.computed_outcome.level})`;

/**
 * One sample and the decisions it is judged by. With a comparison, those are the two sides of the
 * comparison (each a valid answer set: the sample with one answer changed); otherwise the sample
 * itself. Invariants about a single record are checked on every one of them.
 */
class SampleRun {
  private sides: Side[] | undefined;
  private pairCache: [Side, Side] | null | undefined;
  private visibleCache: Record<string, Answer> | undefined;
  constructor(
    readonly setup: LintSetup,
    readonly scenario: Scenario,
    readonly choices: Choices,
    readonly turn: Turn | undefined,
    readonly tally?: Tally,
    visible?: Record<string, Answer>,
  ) {
    this.visibleCache = visible;
  }

  /** The sample's answers to the questions it asks (no evaluation needed). */
  get visible(): Record<string, Answer> {
    return (this.visibleCache ??= visibleAnswers(this.setup.plan, this.scenario));
  }

  evalWith(answers: Readonly<Record<string, Answer>>): EvaluationDetail {
    // The evaluator ignores answers to hidden questions except when it reads received_at; pass it
    // only what an answers file would hold when that could matter.
    const given = this.setup.receivedAtConditional ? visibleAnswers(this.setup.plan, this.scenario, answers) : answers;
    const detail = evaluateDetailed(this.setup.lean, inputOf(this.scenario, given));
    const t = this.tally;
    if (t) {
      t.evaluations++;
      for (const f of detail.decision.fired) t.fired.set(f.id, (t.fired.get(f.id) ?? 0) + 1);
      const level = detail.decision.computed_outcome.level;
      t.levels[level] = (t.levels[level] ?? 0) + 1;
    }
    return detail;
  }

  private side(q: QuestionPlan, answer: Answer): Side {
    return { label: `${q.id} = ${show(answer)}`, changed: { question: q.id, answer }, detail: this.evalWith({ ...this.scenario.answers, [q.id]: answer }) };
  }

  /** The comparison's two sides, [lower bound, must not be lower], or undefined when it does not apply. */
  pair(): [Side, Side] | undefined {
    if (this.pairCache === undefined) this.pairCache = this.makePair() ?? null;
    return this.pairCache ?? undefined;
  }

  private makePair(): [Side, Side] | undefined {
    const turn = this.turn;
    if (!turn || !(turn.subject.id in this.visible)) return undefined;
    const q = turn.subject;
    const targets = this.choices[5];
    if (turn.inv.kind === "never_lower") {
      const variant = turn.inv.variants[targets[0]! % turn.inv.variants.length]!;
      return [this.side(q, turn.inv.baseline), this.side(q, variant)];
    }
    // "Not known" is compared half the time with the sample's own answer (the plain one, or what a
    // focused rule needs), otherwise with any known answer.
    const own = this.scenario.answers[q.id];
    const known = knownAnswers(this.setup.plan, q, this.scenario);
    const answer = own !== undefined && !isUnknownAnswer(own) && targets[1]! % 2 === 0 ? own : known[targets[1]! % Math.max(1, known.length)];
    if (answer === undefined) return undefined;
    return [this.side(q, answer), this.side(q, q.unknownAnswer!)];
  }

  decisions(): Side[] {
    if (this.sides) return this.sides;
    const pair = this.pair();
    this.sides = pair ?? [{ label: "the sample", detail: this.evalWith(this.scenario.answers) }];
    return this.sides;
  }
}

/** Decodes a sample; a third of the time it is steered towards rules that read `subject`. */
function scenarioFor(setup: LintSetup, choices: Choices, subject: QuestionPlan | undefined): Scenario {
  return decode(setup.plan, choices, subject ? (setup.plan.termsByQuestion.get(subject.index) ?? []) : []);
}

/** Checks one invariant against one sample's decisions; null when it holds (or has nothing to check). */
function check(run: SampleRun, inv: Prepared): Finding | null {
  const rs = run.setup.rs;
  const each = (test: (side: Side) => string | null): Finding | null => {
    for (const side of run.decisions()) {
      const message = test(side);
      if (message) return { message, sides: [side] };
    }
    return null;
  };
  switch (inv.kind) {
    case "guard_floor_holds":
      return each(({ detail: { decision: d } }) => {
        for (const g of d.guards) {
          const floor = rs.outcomeLevel.get(g.floor)!;
          if (g.status === "holding" && d.computed_outcome.level < floor) return `guard ${g.id} holds with floor ${g.floor} (level ${floor}), but the outcome is ${outcomeText(d)}`;
        }
        return null;
      });
    case "hard_stop_not_closable":
      return each(({ detail: { decision: d, env } }) => {
        for (const g of d.guards) {
          if (d.hard_floor !== null && g.status !== "not_applicable" && !g.hard_stop) return `hard floor ${d.hard_floor} fired, but guard ${g.id} (${g.status}) does not report a hard stop, so a closure it governs would not be refused`;
        }
        for (const cg of rs.guards) {
          const g = d.guards.find((x) => x.id === cg.raw.id);
          if (cg.hardStop && g && !g.hard_stop && cg.hardStop(env)) return `guard ${g.id}'s hard_stop_when holds, but the record does not report a hard stop`;
        }
        return null;
      });
    case "out_of_hours_provisional":
      return each(({ detail: { decision: d, env } }) => {
        if (!inv.when({ ...env, level: d.computed_outcome.level })) return null;
        const problems = [d.flags.includes(inv.raw.flag) ? "" : `does not carry the flag ${inv.raw.flag}`, inv.neverFinal.has(d.computed_outcome.id) ? `has outcome ${d.computed_outcome.id}, one of never_final (${inv.raw.never_final.join(", ")})` : ""].filter(Boolean);
        return problems.length === 0 ? null : `the out-of-hours condition holds, but the decision ${problems.join(" and ")}`;
      });
    case "deterministic": {
      const input = inputOf(run.scenario, run.visible);
      const first = evaluate(rs, input);
      // The same input again, in fresh objects with the answers in another key order.
      const again = evaluate(rs, inputOf(run.scenario, Object.fromEntries(Object.entries(run.visible).reverse().map(([k, v]) => [k, Array.isArray(v) ? [...v] : v]))));
      if (run.tally) run.tally.evaluations += 2;
      if (JSON.stringify(first) === JSON.stringify(again) || canonicalJson(first) === canonicalJson(again)) return null;
      const detail = (decision: Decision): EvaluationDetail => ({ decision, env: emptyEnv(rs), testedAtLevel: new Map(), rulesLevel: decision.computed_outcome.level });
      return { message: `two evaluations of the same input gave different records (${firstDifference(first, again)})`, sides: [{ label: "first evaluation", detail: detail(first) }, { label: "second evaluation", detail: detail(again) }] };
    }
    case "never_lower": {
      const pair = run.turn?.inv === inv ? run.pair() : undefined;
      if (!pair) return null;
      const [low, high] = pair;
      if (high.detail.decision.computed_outcome.level >= low.detail.decision.computed_outcome.level) return null;
      return { message: `${high.label} gives ${outcomeText(high.detail.decision)}, lower than ${low.label}, which gives ${outcomeText(low.detail.decision)}`, sides: [low, high] };
    }
    case "unknown_not_lower": {
      const step = inv.raw.requires_step;
      if (step) {
        // Every decision with "not known" on a listed question must ask for the step.
        const missing = each(({ detail: { decision: d } }) => {
          const q = inv.questions.find((x) => isUnknownAnswer(d.answers[x.id]));
          return q && !d.steps.some((s) => s.id === step) ? `${q.id} = unknown, but the decision does not ask for step ${step}` : null;
        });
        if (missing) return missing;
      }
      const pair = run.turn?.inv === inv ? run.pair() : undefined;
      if (!pair) return null;
      const [known, unknown] = pair;
      if (unknown.detail.decision.computed_outcome.level >= known.detail.decision.computed_outcome.level) return null;
      return { message: `${unknown.label} gives ${outcomeText(unknown.detail.decision)}, lower than ${known.label}, which gives ${outcomeText(known.detail.decision)}`, sides: [known, unknown] };
    }
  }
}

/** Every known answer to compare "not known" with: each option (a multiselect: each option alone), each candidate value. */
function knownAnswers(plan: GenerationPlan, q: QuestionPlan, scenario: Scenario): Answer[] {
  const out: Answer[] = [];
  q.domain.forEach((c, i) => {
    if (c.kind === "combo" || c.kind === "none") return;
    const a = answerFor(plan, q, i, scenario);
    if (a !== undefined && !isUnknownAnswer(a)) out.push(a);
  });
  return out;
}

function firstDifference(a: unknown, b: unknown, path = "record"): string {
  if (canonicalJson(a) === canonicalJson(b)) return "";
  if (a && b && typeof a === "object" && typeof b === "object") {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of [...keys].sort()) {
      const inner = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (inner) return inner;
    }
  }
  return `${path}: ${a === undefined ? "undefined" : canonicalJson(a)} vs ${b === undefined ? "undefined" : canonicalJson(b)}`;
}

// ---------------------------------------------------------------------------------------------
// Chunks.

export interface Chunk {
  index: number;
  /** Global index of the chunk's first sample. */
  start: number;
  count: number;
}

export function chunksOf(samples: number, size: number = CHUNK_SIZE): Chunk[] {
  const out: Chunk[] = [];
  for (let start = 0, index = 0; start < samples; start += size, index++) out.push({ index, start, count: Math.min(size, samples - start) });
  return out;
}

/** The fast-check seed of one chunk (32-bit FNV-1a of seed and chunk index). */
export function chunkSeed(seed: number, chunk: number): number {
  let h = 0x811c9dc5;
  for (const ch of `${seed}:${chunk}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return h | 0;
}

/** The first failing sample of an invariant: its choices and the comparison it was judged by. */
export interface FirstFailure {
  sample: number;
  choices: Choices;
  /** The comparison made: index into the setup's turns. */
  turn: number | null;
  /** The turn whose question the sample was steered towards. */
  focus: number | null;
}

/** Plain data, so a worker thread can send it back. */
export interface ChunkResult {
  chunk: number;
  samples: number;
  evaluations: number;
  fired: Record<string, number>;
  /** Computed outcomes seen, by level. */
  levels: Record<number, number>;
  invariants: Record<string, { checked: number; failed: number; first?: FirstFailure }>;
}

/** Runs one chunk of a run of `samples` samples (the total decides which samples `deterministic` checks). */
export function runChunk(setup: LintSetup, seed: number, chunk: Chunk, samples: number): ChunkResult {
  const every = determinismEvery(samples);
  const tally: Tally = { evaluations: 0, fired: new Map(), levels: [] };
  const stats: ChunkResult["invariants"] = {};
  for (const inv of setup.invariants) stats[inv.raw.id] = { checked: 0, failed: 0 };
  const turns = setup.turns;
  const generated = fc.sample(setup.arbitrary, { seed: chunkSeed(seed, chunk.index), numRuns: chunk.count, unbiased: true });
  generated.forEach((choices, i) => {
    const sample = chunk.start + i;
    // Comparing samples take turns, each steered towards the rules that read the turn's question;
    // when that question is not asked in the sample, the next turn that applies compares instead.
    const focus = turns.length > 0 ? sample % turns.length : undefined;
    const scenario = scenarioFor(setup, choices, focus !== undefined ? turns[focus]!.subject : undefined);
    const visible = visibleAnswers(setup.plan, scenario);
    let turn: number | undefined;
    for (let k = 0; focus !== undefined && k < turns.length && turn === undefined; k++) {
      if (turns[(focus + k) % turns.length]!.subject.id in visible) turn = (focus + k) % turns.length;
    }
    const run = new SampleRun(setup, scenario, choices, turn !== undefined ? turns[turn] : undefined, tally, visible);
    for (const inv of setup.invariants) {
      if (inv.kind === "deterministic" && sample % every !== 0) continue;
      const compares = run.turn?.inv === inv;
      if (inv.kind === "never_lower" && !compares) continue;
      const finding = check(run, inv);
      const s = stats[inv.raw.id]!;
      // A comparing invariant counts the comparisons it made (its step check runs on every sample).
      if (inv.kind !== "unknown_not_lower" || compares) s.checked++;
      if (finding) {
        s.failed++;
        s.first ??= { sample, choices, turn: turn ?? null, focus: focus ?? null };
      }
    }
  });
  return {
    chunk: chunk.index,
    samples: chunk.count,
    evaluations: tally.evaluations,
    fired: Object.fromEntries(tally.fired),
    levels: Object.fromEntries(tally.levels.map((n, level) => [level, n] as const).filter(([, n]) => n !== undefined)),
    invariants: stats,
  };
}

// ---------------------------------------------------------------------------------------------
// Finishing: merge chunks, shrink each violation, warnings.

function summary(d: Decision): DecisionSummary {
  return {
    answers: d.answers,
    outcome: { id: d.computed_outcome.id, level: d.computed_outcome.level },
    hard_floor: d.hard_floor,
    fired: d.fired.map((f) => f.id),
    steps: d.steps.map((s) => s.id),
    flags: d.flags,
    guards: d.guards.map((g) => ({ id: g.id, status: g.status, floor: g.floor, hard_stop: g.hard_stop })),
  };
}

/**
 * Shrinks a failing sample with fast-check: the sample is replayed as an example of the property
 * "this invariant holds" (judged by the same comparison as when it failed), and fast-check's
 * integer and list shrinking moves it towards the baseline (fewer deviating answers, lower picks).
 */
function shrinkViolation(setup: LintSetup, failure: { invariant: string; choices: Choices; turn: number | null; focus: number | null }, seed: number): { choices: Choices; shrinks: number; finding: Finding; scenario: Scenario } {
  const inv = setup.invariants.find((i) => i.raw.id === failure.invariant);
  if (!inv) throw new Error(`shrinkViolation: no invariant ${failure.invariant}`);
  const turn = failure.turn === null ? undefined : setup.turns[failure.turn];
  const focus = failure.focus === null ? undefined : setup.turns[failure.focus]?.subject;
  const judge = (c: Choices, scenario = scenarioFor(setup, c, focus)) => check(new SampleRun(setup, scenario, c, turn), inv);
  const details = fc.check(
    fc.property(setup.arbitrary, (c) => judge(c) === null),
    { seed, numRuns: 1, examples: [[failure.choices]] },
  );
  const shrunk: Choices = (details.failed ? details.counterexample?.[0] : undefined) ?? failure.choices;
  const scenario = scenarioFor(setup, shrunk, focus);
  const finding = judge(shrunk, scenario);
  if (!finding) throw new Error(`shrinkViolation: ${failure.invariant} does not fail on its counter-example`);
  return { choices: shrunk, shrinks: details.numShrinks, finding, scenario };
}

function counterExample(setup: LintSetup, scenario: Scenario, finding: Finding): CounterExample {
  const first = finding.sides[0]!;
  const differs: Record<string, Answer> = {};
  const baseline: Record<string, Answer | null> = {};
  for (const [id, a] of Object.entries(first.detail.decision.answers)) {
    if (id === first.changed?.question) continue;
    if (!sameAnswer(a, setup.baselineAnswers[id])) {
      differs[id] = a;
      baseline[id] = setup.baselineAnswers[id] ?? null;
    }
  }
  return {
    now: scenario.now,
    clock: setup.plan.clocks[scenario.clock]!.why,
    history: scenario.history,
    differs_from_baseline: differs,
    baseline,
    sides: finding.sides.map((s) => ({ label: s.label, ...(s.changed ? { changed: s.changed } : {}), decision: summary(s.detail.decision) })),
  };
}

function durationThreshold(d: RawDuration | { deadline: string } | undefined): string | undefined {
  if (!d || "deadline" in d) return undefined;
  const n = Object.values(d)[0] as unknown;
  return n && typeof n === "object" && "threshold" in n ? (n as { threshold: string }).threshold : undefined;
}

function warnings(setup: LintSetup, merged: { samples: number; evaluations: number; fired: Map<string, number>; levels: Map<number, number>; checked: Map<string, number> }): LintWarning[] {
  const { rs } = setup;
  const raw = rs.raw;
  const out: LintWarning[] = [];
  for (const inv of setup.invariants) {
    if ((merged.checked.get(inv.raw.id) ?? 0) === 0 && merged.samples > 0) {
      const why = inv.kind === "never_lower" ? ` (question ${inv.question.id} was never asked)` : inv.kind === "unknown_not_lower" && inv.questions.length === 0 ? " (no question to check: none listed or critical that allows \"not known\")" : "";
      out.push({ kind: "invariant_not_exercised", id: inv.raw.id, message: `invariant ${inv.raw.id} was never checked in ${merged.samples} samples${why}` });
    }
  }
  for (const r of raw.rules) {
    if ((merged.fired.get(r.id) ?? 0) === 0) out.push({ kind: "rule_never_fired", id: r.id, message: `rule ${r.id} never fired in ${merged.samples} samples (${merged.evaluations} evaluations)` });
  }
  const used = thresholdsInConditions(rs);
  for (const o of raw.outcomes) for (const d of Object.values(o.response_times)) {
    const t = durationThreshold(d);
    if (t) used.add(t);
  }
  for (const s of raw.steps) {
    const t = durationThreshold(s.due);
    if (t) used.add(t);
  }
  // The history window is read by the history lookup (src/workflow/history.ts), not by a condition.
  used.add(HISTORY_WINDOW_THRESHOLD);
  for (const name of Object.keys(raw.thresholds)) if (!used.has(name)) out.push({ kind: "threshold_unused", id: name, message: `threshold ${name} is not used by any rule, guard, check, question, outcome or step` });
  const produced = new Set<string>([raw.default_outcome]);
  for (const r of raw.rules) {
    if (r.floor) produced.add(r.floor);
    if (r.cap) produced.add(r.cap);
  }
  for (const g of raw.guards) produced.add(g.floor);
  for (const [level] of merged.levels) if (rs.outcomes[level - 1]) produced.add(rs.outcomes[level - 1]!.id);
  for (const o of raw.outcomes) if (!produced.has(o.id)) out.push({ kind: "outcome_never_produced", id: o.id, message: `outcome ${o.id} is not the default and no rule or guard produces it` });
  const asked = new Set(raw.rules.flatMap((r) => r.steps ?? []));
  for (const s of raw.steps) if (!asked.has(s.id)) out.push({ kind: "step_unused", id: s.id, message: `step ${s.id} is not asked for by any rule` });
  const required = new Set(raw.guards.flatMap((g) => g.requires_checks));
  for (const c of raw.checks) if (!required.has(c.id)) out.push({ kind: "check_unused", id: c.id, message: `check ${c.id} is not required by any guard` });
  return out;
}

export function finishLint(setup: LintSetup, results: readonly ChunkResult[], options: { samples: number; seed: number }): LintReport {
  const sorted = [...results].sort((a, b) => a.chunk - b.chunk);
  const fired = new Map<string, number>();
  const levels = new Map<number, number>();
  const checked = new Map<string, number>();
  const failed = new Map<string, number>();
  const first = new Map<string, FirstFailure>();
  let evaluations = 0;
  let samples = 0;
  for (const r of sorted) {
    evaluations += r.evaluations;
    samples += r.samples;
    for (const [id, n] of Object.entries(r.fired)) fired.set(id, (fired.get(id) ?? 0) + n);
    for (const [level, n] of Object.entries(r.levels)) levels.set(Number(level), (levels.get(Number(level)) ?? 0) + n);
    for (const [id, s] of Object.entries(r.invariants)) {
      checked.set(id, (checked.get(id) ?? 0) + s.checked);
      failed.set(id, (failed.get(id) ?? 0) + s.failed);
      if (s.first && !first.has(id)) first.set(id, s.first);
    }
  }
  const violations: Violation[] = [];
  for (const inv of setup.invariants) {
    const f = first.get(inv.raw.id);
    if (!f) continue;
    const shrunk = shrinkViolation(setup, { invariant: inv.raw.id, ...f }, options.seed);
    violations.push({
      invariant: { id: inv.raw.id, kind: inv.raw.kind, description: inv.raw.description },
      message: shrunk.finding.message,
      counterexample: counterExample(setup, shrunk.scenario, shrunk.finding),
      failing_samples: failed.get(inv.raw.id) ?? 0,
      first_sample: f.sample,
      shrinks: shrunk.shrinks,
    });
  }
  const rs = setup.rs;
  return {
    rule_set: { id: rs.id, version: rs.version, sha256: rs.sha256 },
    samples,
    seed: options.seed,
    evaluations,
    invariants: setup.invariants.map((inv) => ({ id: inv.raw.id, kind: inv.raw.kind, description: inv.raw.description, checked: checked.get(inv.raw.id) ?? 0, failing_samples: failed.get(inv.raw.id) ?? 0, violated: first.has(inv.raw.id) })),
    violations,
    warnings: warnings(setup, { samples, evaluations, fired, levels, checked }),
  };
}

export function resolveLintOptions(options: LintOptions): { samples: number; seed: number } {
  return { samples: options.samples ?? DEFAULT_SAMPLES, seed: options.seed ?? DEFAULT_SEED };
}

/** Lints a compiled rule set in this thread. */
export function lintRuleSet(rs: CompiledRuleSet, options: LintOptions = {}, setup: LintSetup = prepareLint(rs)): LintReport {
  const o = resolveLintOptions(options);
  return finishLint(setup, chunksOf(o.samples).map((c) => runChunk(setup, o.seed, c, o.samples)), o);
}
