/**
 * Asking less on a phone call (part of the pure flow): an answer that follows from earlier ones is
 * not asked (the age band from a known date of birth), the worker's analysis is asked once (after
 * the outcome, not also as a question before it), and defaults follow earlier answers (a call
 * received out of office hours pre-selects the out-of-hours route; a parent's new partner ticked
 * among the household's adults pre-selects that a partner exists). Each applies only where the rule
 * set has the questions and options named here; with any other rule set nothing changes.
 */
import type { CompiledQuestion, CompiledRuleSet } from "../../rules/compile.js";
import { isOutOfHours, parseDateTime } from "../../rules/time.js";
import { UNKNOWN, type Answer } from "../../rules/types.js";
import { answerQuestion, effectiveAnswers, nextStep, startFlow } from "./state.js";

/** The question whose answer is the worker's analysis: asked once, after the outcome (decide step). */
export const ANALYSIS_QUESTION = "worker_rationale";
/** What the analysis question holds until the analysis is written after the outcome. */
export const ANALYSIS_PENDING = "(written after the outcome: see the analysis)";

const has = (q: CompiledQuestion, value: string) => q.options.includes(value);

/** Whole months from one date (YYYY-MM-DD) to another; negative when `from` is later. */
function monthsBetween(from: string, to: string): number {
  const [y1, m1, d1] = from.split("-").map(Number) as [number, number, number];
  const [y2, m2, d2] = to.split("-").map(Number) as [number, number, number];
  return (y2 - y1) * 12 + (m2 - m1) - (d2 < d1 ? 1 : 0);
}

/** The age band for a date of birth on a date, among the bands the question offers; undefined when none fits. */
export function ageBandFor(q: CompiledQuestion, dob: string, on: string): string | undefined {
  const band = dob > on ? "unborn" : bandOf(monthsBetween(dob, on));
  return band !== undefined && has(q, band) ? band : undefined;
}

function bandOf(months: number): string | undefined {
  if (months < 6) return "0_5m";
  if (months < 12) return "6_11m";
  const years = Math.floor(months / 12);
  if (years < 5) return "1_4y";
  if (years < 11) return "5_10y";
  if (years < 16) return "11_15y";
  if (years < 18) return "16_17y";
  return undefined;
}

const dateOf = (answer: Answer | undefined): string | undefined =>
  typeof answer === "string" && answer !== UNKNOWN && /^\d{4}-\d{2}-\d{2}/.test(answer) ? answer.slice(0, 10) : undefined;

/**
 * An answer that need not be asked: it follows from earlier answers. `today` is the interview's
 * date (YYYY-MM-DD), used when the referral's receipt time is not known.
 */
export function derivedAnswer(
  rs: CompiledRuleSet,
  q: CompiledQuestion,
  answers: Readonly<Record<string, Answer>>,
  today: string,
): { answer: Answer; because: string } | undefined {
  if (q.id === "child_age_band" && q.raw.type === "select") {
    const dob = dateOf(answers.child_dob);
    if (dob === undefined) return undefined;
    const band = ageBandFor(q, dob, dateOf(answers.received_at) ?? today);
    return band === undefined ? undefined : { answer: band, because: "from the date of birth" };
  }
  if (q.id === ANALYSIS_QUESTION && q.raw.type === "text" && rs.questions.some((x) => x.id === ANALYSIS_QUESTION))
    return { answer: ANALYSIS_PENDING, because: "asked once, after the outcome" };
  return undefined;
}

/** A default that follows earlier answers (the worker confirms or changes it); undefined when there is none. */
export function suggestedAnswer(rs: CompiledRuleSet, q: CompiledQuestion, answers: Readonly<Record<string, Answer>>): Answer | undefined {
  if (q.id === "received_out_of_hours" && has(q, "in_hours") && has(q, "ooh_edt")) {
    const received = answers.received_at;
    if (typeof received !== "string" || received === UNKNOWN) return undefined;
    const at = parseDateTime(received, rs.officeHours.time_zone);
    if (!at) return undefined;
    return isOutOfHours(at, rs.officeHours) ? "ooh_edt" : "in_hours";
  }
  if (q.id === "new_partner_status") {
    const adults = answers.household_adults;
    if (!Array.isArray(adults)) return undefined;
    if (adults.includes("new_partner") && has(q, "identified_not_checked")) return "identified_not_checked";
    if (adults.includes("adult_identity_unknown") && has(q, "identity_unknown")) return "identity_unknown";
  }
  return undefined;
}

/**
 * How many prompts a worker answers for a referral with these answers: every question asked, plus
 * the analysis after the outcome. `askLess: false` counts as the interview did before answers were
 * derived (the age band and the analysis question asked as well). For the prompt-count test.
 */
export function promptsFor(rs: CompiledRuleSet, answers: Readonly<Record<string, Answer>>, today: string, askLess: boolean): number {
  let state = startFlow();
  let prompts = 1; // the analysis after the outcome
  for (let guard = 0; guard < rs.questions.length * 2; guard++) {
    const step = nextStep(rs, state);
    if (step.kind !== "ask") break;
    const q = step.question;
    const derived = askLess ? derivedAnswer(rs, q, effectiveAnswers(rs, state), today) : undefined;
    if (!derived) prompts++;
    const given = answers[q.id];
    state = answerQuestion(rs, state, q.id, derived?.answer ?? (given === undefined ? null : given));
  }
  return prompts;
}
