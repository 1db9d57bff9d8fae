/**
 * Decoding a sample: from its choices (and focus term) to a scenario, and the answers the evaluator
 * will see once visibility is applied.
 */
import type { Env } from "../conditions.js";
import { emptyEnv, setAnswer } from "../evaluate.js";
import { formatInZone, isOutOfHours, localParts } from "../time.js";
import { NO_HISTORY, UNKNOWN, type Answer, type HistoryFacts } from "../types.js";
import { MINUTE_MS, shiftDate } from "./clock.js";
import { CLOCK_DIM, DENSE_MODE, type Choices, type FocusTerm, type GenerationPlan, type QuestionPlan, type Scenario } from "./types.js";

export function candidateAnswer(plan: GenerationPlan, q: QuestionPlan, c: number, clock: number, mask: number): Answer | undefined {
  const cand = q.domain[c] ?? q.domain[0]!;
  switch (cand.kind) {
    case "value":
      return cand.value;
    case "none":
      return undefined;
    case "combo": {
      const picked = q.comboOptions.filter((_, bit) => (mask & (1 << bit)) !== 0);
      if (picked.length === 0) return candidateAnswer(plan, q, 0, clock, 0);
      return picked;
    }
    case "ago":
    case "days": {
      const key = `${clock}|${q.index}|${c}`;
      if (plan.cache.has(key)) return plan.cache.get(key);
      const tz = plan.rs.officeHours.time_zone;
      const now = new Date(plan.clocks[clock]!.now);
      const answer =
        cand.kind === "ago" ? formatInZone(new Date(now.getTime() - cand.minutes * MINUTE_MS), tz) : shiftDate(localParts(now, tz).date, cand.days);
      plan.cache.set(key, answer);
      return answer;
    }
  }
}

/** The answer a domain entry stands for in a given scenario (for the linter's alternatives). */
export function answerFor(plan: GenerationPlan, q: QuestionPlan, candidate: number, scenario: Scenario): Answer | undefined {
  return candidateAnswer(plan, q, candidate, scenario.clock, 0);
}

/**
 * History facts that could come from a real log: closures without checks are among the closures,
 * and distinct referrers are among the earlier referrals plus this one. The smaller count is raised
 * (rather than the larger lowered) so that a sample steered to "closed without checks" stays so.
 */
function consistentHistory(h: HistoryFacts): HistoryFacts {
  return {
    ...h,
    earlier_unsubstantiated_closures: Math.max(h.earlier_unsubstantiated_closures, h.earlier_closures_without_checks - h.earlier_malicious_closures),
    referrals_in_window: Math.max(h.referrals_in_window, h.distinct_referrers - 1),
  };
}

/**
 * The focus term a sample's focus pick stands for: 0 (and every third value) none; otherwise
 * alternately one of `prefer` (terms about the question being compared) or any term.
 */
export function focusTerm(plan: GenerationPlan, focus: number, prefer: readonly number[] = []): FocusTerm | undefined {
  const kind = focus % 3;
  const k = Math.floor(focus / 3);
  if (kind === 0 || plan.terms.length === 0) return undefined;
  if (kind === 1 && prefer.length > 0) return plan.terms[prefer[k % prefer.length]!];
  return plan.terms[k % plan.terms.length];
}

export function decode(plan: GenerationPlan, choices: Choices, prefer: readonly number[] = []): Scenario {
  const [mode, active, picks, masks, clockPick, , focus] = choices;
  const dense = mode === DENSE_MODE;
  const deviating = dense ? undefined : new Set(active);
  // Half the picks stand for the baseline clock, so most samples are judged in office hours.
  let clock = clockPick < plan.clocks.length ? clockPick : 0;
  const forced = new Map<number, number>();
  const term = focusTerm(plan, focus ?? 0, prefer);
  if (term) {
    for (const { dim, allowed } of term.constraints) {
      if (dim === CLOCK_DIM) clock = allowed[clockPick % allowed.length]!;
      else forced.set(dim, allowed[(picks[dim] ?? 0) % allowed.length]!);
    }
  }
  const pickOf = (dim: number, len: number): number => forced.get(dim) ?? (dense || deviating!.has(dim) ? (picks[dim] ?? 0) % len : 0);
  const answers: Record<string, Answer> = {};
  for (const q of plan.questions) {
    const a = candidateAnswer(plan, q, pickOf(q.index, q.domain.length), clock, q.maskSlot >= 0 ? (masks[q.maskSlot] ?? 0) : 0);
    if (a !== undefined) answers[q.id] = a;
  }
  const n = plan.questions.length;
  const history = { ...NO_HISTORY };
  plan.history.forEach((h, j) => {
    history[h.name] = h.values[pickOf(n + j, h.values.length)]!;
  });
  return { answers, history: consistentHistory(history), now: plan.clocks[clock]!.now, clock };
}

/** The clock facts the evaluator will see (received_at, when answered, else the clock itself). */
function clockFacts(plan: GenerationPlan, scenario: Scenario, received: Answer | undefined): Env["clock"] {
  const outOfHours = plan.clocks[scenario.clock]?.outOfHours ?? isOutOfHours(new Date(scenario.now), plan.rs.officeHours);
  if (typeof received !== "string" || received === UNKNOWN) return { out_of_hours: outOfHours, received_out_of_hours: outOfHours };
  let r = plan.receivedOutOfHours.get(received);
  if (r === undefined) {
    const t = Date.parse(received);
    r = Number.isNaN(t) ? outOfHours : isOutOfHours(new Date(t), plan.rs.officeHours);
    plan.receivedOutOfHours.set(received, r);
  }
  return { out_of_hours: outOfHours, received_out_of_hours: r };
}

/**
 * The answers to the questions that are asked, in order — exactly as the evaluator's own walk
 * decides visibility (`buildEnv`), so the evaluator receives what an answers file would hold.
 */
export function visibleAnswers(plan: GenerationPlan, scenario: Scenario, answers: Readonly<Record<string, Answer>> = scenario.answers): Record<string, Answer> {
  const rs = plan.rs;
  const hasReceived = rs.questionIndex.has("received_at");
  const walk = (received: Answer | undefined): Record<string, Answer> => {
    const env = emptyEnv(rs, scenario.history);
    env.clock = clockFacts(plan, scenario, received);
    const out: Record<string, Answer> = {};
    for (const q of rs.questions) {
      if (q.visible && !q.visible(env)) continue;
      const a = answers[q.id];
      if (a === undefined) continue;
      out[q.id] = a;
      setAnswer(env, q, a);
    }
    return out;
  };
  const received = hasReceived ? answers.received_at : undefined;
  const out = walk(received);
  // A hidden received_at does not reach the evaluator, which then counts from the clock.
  return hasReceived && received !== undefined && out.received_at === undefined ? walk(undefined) : out;
}
