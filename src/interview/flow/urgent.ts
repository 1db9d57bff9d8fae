/**
 * Urgent calls first (part of the pure flow; docs/architecture.md, "Urgent calls first"): once the
 * answers given so far hold a hard floor at strategy discussion or above, the worker may record the
 * decision at once, with every question not yet asked answered "not known" (counted as the worst
 * case, as everywhere), and finish the rest after the call as a follow-up entry.
 *
 * Nothing here decides a floor: the evaluator's `hard_floor` is the one answer (src/rules/evaluate.ts,
 * src/workflow/floors.ts). This module only asks it, and fills in "not known" the way the flow
 * itself answers a question (answerQuestion), so visibility and worst-case counting are the same.
 */
import { normaliseAnswer } from "../../rules/answers.js";
import type { CompiledRuleSet } from "../../rules/compile.js";
import { evaluate, outcomeRef } from "../../rules/evaluate.js";
import { formatInZone } from "../../rules/time.js";
import { EMPTY_HISTORY, UNKNOWN, type Answer, type Decision, type DecisionStep, type HistoryUsed, type OutcomeRef } from "../../rules/types.js";
import { FINISH_STEP } from "../../workflow/events.js";
import { hardFloorRules } from "../../workflow/floors.js";
import { derivedAnswer } from "./ask-less.js";
import { answerQuestion, effectiveAnswers, nextStep, type FlowState } from "./state.js";
import type { CompiledQuestion } from "../../rules/compile.js";

/** The outcome from which a call is urgent (vocabulary id); other rule sets: the level below their highest. */
export const URGENT_OUTCOME = "strategy_discussion_s47";

/** How long after an urgent decision the questions left for later are due (inside the card's Act now block). */
export const FINISH_WITHIN_HOURS = 2;

/** The level from which the offer is made. */
export function urgentLevel(rs: CompiledRuleSet): number {
  return rs.outcomeLevel.get(URGENT_OUTCOME) ?? Math.max(1, rs.outcomes.length - 1);
}

export interface UrgentOffer {
  /** The hard floor the answers so far hold, and the hard rules that set it (ids). */
  hardFloor: OutcomeRef;
  rules: string[];
}

/**
 * Whether to offer "record the decision now, finish the rest after": the interview is still asking
 * (not changing an answer, not at review) and the answers given so far — the questions not yet asked
 * left out, so "not known" for them cannot by itself trigger the offer — already hold a hard floor at
 * the urgent level or above. Recording then counts the questions not asked as "not known", which can
 * only keep or raise that (worst case).
 */
export function urgentOffer(rs: CompiledRuleSet, state: FlowState, now: string, history: HistoryUsed = EMPTY_HISTORY): UrgentOffer | undefined {
  if (state.editing !== undefined) return undefined;
  if (nextStep(rs, state, history.facts).kind !== "ask") return undefined;
  const decision = evaluate(rs, { answers: effectiveAnswers(rs, state, history.facts), history, now });
  const level = decision.hard_floor ? rs.outcomeLevel.get(decision.hard_floor) : undefined;
  if (level === undefined || level < urgentLevel(rs)) return undefined;
  return { hardFloor: outcomeRef(rs, level), rules: hardFloorRules(rs, decision) };
}

export type LeftForLater =
  /** Every question not yet asked is answered: "not known", blank when optional, or what follows from earlier answers. */
  | { kind: "ready"; state: FlowState; leftForLater: string[] }
  /** This question cannot be "not known" (and is not optional): it must be asked before recording. */
  | { kind: "ask"; question: CompiledQuestion };

/**
 * Answers every question not yet asked the way the flow would record it with nothing more known:
 * an answer that follows from earlier ones (src/interview/flow/ask-less.ts) as derived, an optional
 * question left blank, any other "not known". Questions a "not known" reveals are answered in turn.
 * Stops at the first question that cannot be "not known" (the shell asks it, then calls again).
 * `leftForLater` lists the questions answered "not known" (or left blank, when optional) here: they
 * are asked after the call.
 */
export function leaveForLater(rs: CompiledRuleSet, state: FlowState, today: string, history: HistoryUsed = EMPTY_HISTORY): LeftForLater {
  let current: FlowState = { answers: state.answers, asked: state.asked };
  const left: string[] = [];
  for (let guard = 0; guard <= rs.questions.length * 2; guard++) {
    const step = nextStep(rs, current, history.facts);
    if (step.kind !== "ask") return { kind: "ready", state: current, leftForLater: left.filter((id) => current.asked.includes(id)) };
    const q = step.question;
    const derived = derivedAnswer(rs, q, effectiveAnswers(rs, current, history.facts), today);
    let answer: Answer | null;
    if (derived) answer = derived.answer;
    else if (q.raw.optional) answer = null;
    else if (q.allowUnknown) answer = q.raw.type === "multiselect" ? [UNKNOWN] : UNKNOWN;
    else return { kind: "ask", question: q };
    if (!derived) left.push(q.id);
    current = answerQuestion(rs, current, q.id, answer, history.facts);
  }
  throw new Error("leaveForLater: the questions did not settle");
}

/** The step an urgent decision carries: answer the questions left for later, due FINISH_WITHIN_HOURS after the decision. */
export function finishStep(rs: CompiledRuleSet, decidedAt: string, leftForLater: readonly string[]): DecisionStep {
  const due = new Date(Date.parse(decidedAt) + FINISH_WITHIN_HOURS * 3_600_000);
  const n = leftForLater.length;
  return {
    id: FINISH_STEP,
    text: `Finish the interview: ${n} question${n === 1 ? " was" : "s were"} left for later, recorded as "not known" (counted as the worst case). Answer them with \`triage resume\` and this referral's reference.`,
    due_by: formatInZone(due, rs.officeHours.time_zone),
    from: ["interview"],
  };
}

/** The decision an urgent call records: the evaluator's, plus what was left for later and the step to finish it. */
export function withLeftForLater(rs: CompiledRuleSet, decision: Decision, leftForLater: readonly string[]): Decision {
  if (leftForLater.length === 0) return decision;
  const step = finishStep(rs, decision.decided_at, leftForLater);
  // The step goes where its due time puts it (steps are ordered by due time, src/rules/evaluate.ts).
  const at = decision.steps.findIndex((s) => s.due_by === undefined || Date.parse(s.due_by) > Date.parse(step.due_by!));
  const steps = at < 0 ? [...decision.steps, step] : [...decision.steps.slice(0, at), step, ...decision.steps.slice(at)];
  return { ...decision, steps, left_for_later: [...leftForLater] };
}

// ---------------------------------------------------------------------------------------------
// The follow-up: the questions left for later, answered after the call

/** The interview as it stood at an urgent decision, with the questions left for later taken off the path (to be asked now). */
export function followUpState(rs: CompiledRuleSet, decision: Decision): FlowState {
  const left = new Set(decision.left_for_later ?? []);
  const answers: Record<string, Answer> = {};
  const asked: string[] = [];
  for (const q of rs.questions) {
    const a = decision.answers[q.id];
    if (a === undefined || left.has(q.id)) continue;
    answers[q.id] = a;
    asked.push(q.id);
  }
  // Optional questions left blank at the decision stay blank: they were not left for later.
  for (const q of rs.questions) if (q.raw.optional && !left.has(q.id) && answers[q.id] === undefined && !asked.includes(q.id)) asked.push(q.id);
  return { answers, asked };
}

export interface FollowUp {
  /** The decision re-evaluated with every answer as it now stands (the decision's clock and history). */
  decision: Decision;
  /** The referral's outcome before, and after the follow-up: raised when the rules now say higher, never lowered. */
  before: OutcomeRef;
  after: OutcomeRef;
  /** The rules now give a lower outcome than the referral has: it stays, and the worker is told how to propose a downgrade. */
  lower?: OutcomeRef;
  /** The answers given in the follow-up (questions that were "not known", and any they revealed). */
  answers: Record<string, Answer>;
  stepsAdded: DecisionStep[];
  stillUnknown: string[];
}

/**
 * What the follow-up's answers make of the referral: the rules re-run on every answer as it now
 * stands, under the decision's rule set, clock and history. An outcome that rises is raised; one the
 * rules would now put lower is never lowered here (`lower` says so: only a downgrade with a manager's
 * agreement can lower it).
 */
export function evaluateFollowUp(rs: CompiledRuleSet, decision: Decision, current: OutcomeRef, state: FlowState): FollowUp {
  const all = effectiveAnswers(rs, state, decision.history.facts);
  const redone = evaluate(rs, { answers: all, history: decision.history, now: decision.decided_at });
  const given: Record<string, Answer> = {};
  for (const [id, a] of Object.entries(all)) if (JSON.stringify(decision.answers[id]) !== JSON.stringify(a)) given[id] = a;
  const had = new Set(decision.steps.map((s) => s.id));
  const rises = redone.computed_outcome.level > current.level;
  const falls = redone.computed_outcome.level < current.level;
  return {
    decision: redone,
    before: current,
    after: rises ? redone.computed_outcome : current,
    ...(falls ? { lower: redone.computed_outcome } : {}),
    answers: given,
    stepsAdded: redone.steps.filter((s) => !had.has(s.id)),
    stillUnknown: (decision.left_for_later ?? []).filter((id) => redone.unknowns.includes(id)),
  };
}

/**
 * The follow-up from written answers (`triage resume REF --answers FILE`): the questions left for
 * later are answered from `written` (by question id, as an answers file has them), in the order the
 * interview would ask them; an answer that follows from earlier ones is derived, an optional one may
 * be left out. Returns the state, or the problems (a question not answered, an answer that does not fit).
 */
export function followUpFromAnswers(
  rs: CompiledRuleSet,
  decision: Decision,
  written: Readonly<Record<string, unknown>>,
): { ok: true; state: FlowState; ignored: string[] } | { ok: false; problems: { question: string; message: string }[] } {
  const facts = decision.history.facts;
  let state = followUpState(rs, decision);
  const base = new Set(state.asked);
  const problems: { question: string; message: string }[] = [];
  for (let guard = 0; guard <= rs.questions.length * 2; guard++) {
    const step = nextStep(rs, state, facts);
    if (step.kind !== "ask") break;
    const q = step.question;
    const value = written[q.id];
    let answer: Answer | null;
    if (value !== undefined && value !== null && value !== "") {
      const checked = normaliseAnswer(q, value, rs.officeHours.time_zone);
      if (!checked.ok) {
        problems.push({ question: q.id, message: `question "${q.id}": ${checked.message}` });
        answer = q.raw.optional ? null : q.allowUnknown ? UNKNOWN : null;
        if (answer === null && !q.raw.optional) break;
      } else answer = checked.answer;
    } else {
      const derived = derivedAnswer(rs, q, effectiveAnswers(rs, state, facts), decision.decided_at.slice(0, 10));
      if (derived) answer = derived.answer;
      else if (q.raw.optional) answer = null;
      else {
        problems.push({
          question: q.id,
          message: `question "${q.id}" is not answered (${q.raw.ask})${q.allowUnknown ? `; write "unknown" if it is still not known` : ""}`,
        });
        if (!q.allowUnknown) break;
        answer = q.raw.type === "multiselect" ? [UNKNOWN] : UNKNOWN;
      }
    }
    state = answerQuestion(rs, state, q.id, answer, facts);
  }
  if (problems.length > 0) return { ok: false, problems };
  // Answers written for questions that were not left for later (or are not asked) are not used.
  const ignored = Object.keys(written).filter((id) => written[id] !== undefined && (base.has(id) || !state.asked.includes(id)));
  return { ok: true, state, ignored };
}

/**
 * An urgent call from an answers file (`triage new --answers FILE --finish-later`): the questions
 * the file answers are the answers given; the offer's condition must hold for them (else the
 * refusal says why); the rest are left for later exactly as in the interview. `answers` are the
 * file's validated answers, `written` the file as written (what it left out is not "given").
 */
export function urgentFromAnswers(
  rs: CompiledRuleSet,
  answers: Readonly<Record<string, Answer>>,
  written: Readonly<Record<string, unknown>>,
  now: string,
): { ok: true; answers: Record<string, Answer>; leftForLater: string[] } | { ok: false; refusal: string } {
  const given = rs.questions.filter((q) => answers[q.id] !== undefined && written[q.id] !== undefined && written[q.id] !== null && written[q.id] !== "");
  const state: FlowState = { answers: Object.fromEntries(given.map((q) => [q.id, answers[q.id]!])), asked: given.map((q) => q.id) };
  if (nextStep(rs, state).kind !== "ask") return { ok: false, refusal: "--finish-later: the file answers every question; there is nothing to leave for later" };
  const offer = urgentOffer(rs, state, now);
  if (!offer)
    return {
      ok: false,
      refusal: `--finish-later: the answers given do not hold a hard floor at ${outcomeRef(rs, urgentLevel(rs)).label} or above, so the rest cannot be left for later`,
    };
  const left = leaveForLater(rs, state, now.slice(0, 10));
  if (left.kind === "ask") return { ok: false, refusal: `--finish-later: "${left.question.id}" cannot be "not known": answer it in the file` };
  return { ok: true, answers: effectiveAnswers(rs, left.state), leftForLater: left.leftForLater };
}
