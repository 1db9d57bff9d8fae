/**
 * Answer-set generation for `triage rules lint`: valid, visibility-consistent answer sets, history
 * facts and clocks, reproducible from a seed and shrinkable towards a plain baseline. Pure: the only
 * randomness is fast-check's seeded generator.
 *
 * How a generated answer set is built (and why it shrinks well):
 *
 * - Each question gets a finite *domain* of candidate answers of its type: every option (a
 *   multiselect: each option alone, each exclusive option alone, and a combination drawn from a bit
 *   mask), "not known" where allowed, "unanswered" for optional questions, numbers on both sides of
 *   every literal or `{threshold}` operand the rule set compares the question with (t-1, t, t+1,
 *   plus the question's min and max — conditions only compare with those constants, so these cover
 *   every case a rule can tell apart), dates and date-times relative to the clock plus the operands
 *   ±1 day/minute. History facts likewise (0, 1, 2, and t-1, t, t+1 for each operand).
 * - Domain entry 0 is the question's *baseline* answer: the plain answer found once per rule set by
 *   coordinate descent (the answer that gives the lowest outcome, fewest fired rules, steps and
 *   flags, with the question and everything else at its baseline; ties go to the answer that meets
 *   fewest rule conditions and keeps most questions asked). Entries after it keep their natural
 *   order (numbers ascending).
 * - A sample is a vector of small integers ({@link Choices}): a density mode (one sample in five
 *   has every question deviate; the others only the few listed), the list of questions (and history
 *   facts) that deviate from the baseline, a pick per question, a bit mask per multiselect, a clock
 *   pick (half of them stand for the baseline clock, in office hours) and free "target" picks the
 *   linter uses to choose what to compare. Sparse samples matter: with every question answered at
 *   random most outcomes sit at the top, where no rule's absence can show.
 *   fast-check shrinks integers towards 0 and lists towards fewer elements, so a shrunk sample has
 *   the fewest answers differing from the baseline and the lowest numbers.
 * - Two samples in three are *focused*: steered to satisfy one way of making a rule's or guard's
 *   condition true ({@link FocusTerm}: the condition in disjunctive form, with the `when` of each
 *   question it reads), the dimensions it constrains drawn from the entries that satisfy it. A
 *   conjunction of three rare answers is then met routinely instead of once in thousands of
 *   samples, and the linter can ask for terms that read the question it is comparing. Focus 0
 *   means none, so shrinking drops the focus whenever the violation does not need it.
 * - Every question gets an answer, visible or not ({@link Scenario.answers}); the evaluator ignores
 *   answers to hidden questions, exactly as it does for an answers file. So when the linter changes
 *   one answer, questions that become hidden are dropped and questions that become visible take the
 *   answer this same sample gives them: each side of a comparison is itself a generated answer set.
 *
 * The parts live in ./generate/: types.ts (plan, scenario and choices shapes), operands.ts (the
 * constants conditions compare with), domain.ts (candidate answers), clock.ts (clocks), focus.ts
 * (focus terms), plan.ts (the plan and its baseline), decode.ts (choices to scenarios, visibility),
 * sample.ts (the arbitrary and sampling), input.ts (the evaluator's input). This file re-exports
 * their public names.
 */
export { clockCandidates } from "./generate/clock.js";
export { answerFor, decode, focusTerm, visibleAnswers } from "./generate/decode.js";
export { historyUsed, inputOf, withoutDeadlines } from "./generate/input.js";
export { allConditions, forEachResolvedLeaf, thresholdsInConditions } from "./generate/operands.js";
export { planGeneration, type PlanOptions } from "./generate/plan.js";
export { baselineChoices, choicesArbitrary, generateScenarios, sampleChoices, type GenerateOptions } from "./generate/sample.js";
export {
  CLOCK_DIM,
  DENSE_MODE,
  FOCUS_MAX,
  TARGET_MAX,
  type Candidate,
  type Choices,
  type ClockCandidate,
  type FocusTerm,
  type GenerationPlan,
  type QuestionPlan,
  type Scenario,
} from "./generate/types.js";
