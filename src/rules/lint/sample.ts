/**
 * One sample and the decisions it is judged by: the two sides of a comparison, or the sample
 * itself, with the evaluations counted towards coverage.
 */
import { evaluateDetailed, hasUnknown, isUnknownAnswer, type EvaluationDetail } from "../evaluate.js";
import { answerFor, decode, inputOf, visibleAnswers, type Choices, type GenerationPlan, type QuestionPlan, type Scenario } from "../generate.js";
import { UNKNOWN, type Answer } from "../types.js";
import type { LintSetup, Turn } from "./setup.js";

export interface Side {
  label: string;
  changed?: { question: string; answer: Answer };
  detail: EvaluationDetail;
}

export interface Finding {
  message: string;
  sides: Side[];
}

/** What the samples cost and produced (coverage is counted from every evaluation). */
export interface Tally {
  evaluations: number;
  fired: Map<string, number>;
  levels: number[];
}

const show = (a: Answer | undefined): string => (a === undefined ? "(unanswered)" : Array.isArray(a) ? `[${a.join(", ")}]` : String(a));

/**
 * One sample and the decisions it is judged by. With a comparison, those are the two sides of the
 * comparison (each a valid answer set: the sample with one answer changed); otherwise the sample
 * itself. Invariants about a single record are checked on every one of them.
 */
export class SampleRun {
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
    if (turn.pick) {
      const answers = turn.pick(this.scenario.answers[q.id], targets);
      return answers ? [this.side(q, answers[0]), this.side(q, answers[1])] : undefined;
    }
    if (turn.inv.kind === "never_lower") {
      const variant = turn.inv.variants[targets[0]! % turn.inv.variants.length]!;
      return [this.side(q, turn.inv.baseline), this.side(q, variant)];
    }
    // "Not known" is compared half the time with the sample's own answer (the plain one, or what a
    // focused rule needs), otherwise with any known answer.
    const own = this.scenario.answers[q.id];
    const known = knownAnswers(this.setup.plan, q, this.scenario);
    const answer = own !== undefined && !hasUnknown(own) && targets[1]! % 2 === 0 ? own : known[targets[1]! % Math.max(1, known.length)];
    if (answer === undefined) return undefined;
    // partial_unknown: half the time "not known" is added to the known options instead of replacing
    // them ("at least these; the rest not known" must not be lower than "exactly these").
    if (q.partialUnknown && Array.isArray(answer) && targets[1]! % 4 >= 2) {
      const exclusive = this.setup.rs.questions[q.index]!.raw.exclusive ?? [];
      const known = (answer as readonly string[]).filter((x) => x !== UNKNOWN);
      if (known.length > 0 && !known.some((x) => exclusive.includes(x))) return [this.side(q, known), this.side(q, [...known, UNKNOWN])];
    }
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
export function scenarioFor(setup: LintSetup, choices: Choices, subject: QuestionPlan | undefined): Scenario {
  return decode(setup.plan, choices, subject ? (setup.plan.termsByQuestion.get(subject.index) ?? []) : []);
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
