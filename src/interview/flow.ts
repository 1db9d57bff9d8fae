/**
 * The guided interview as pure functions (docassemble's "recompute the next question from the
 * answers"; docs/architecture.md, "The interview's gestures"). The state is plain JSON — `{ answers, asked }` — so it can be
 * saved as a draft after every answer and resumed anywhere:
 *
 * - `answers` holds every answer ever given, including answers to questions that are hidden now
 *   (kept, so that changing an answer back restores them as the pre-filled default, but excluded
 *   from evaluation and listed on the review screen as "no longer applies");
 * - `asked` is the path the worker took, oldest first: the questions they have answered (or left
 *   blank, when optional), each once. Back pops it; changing an answer moves the question to the end.
 *
 * The next question is the first visible question, in rule-set order, that is not on the path; when
 * there is none, the interview is at the review screen. Nothing here prints, reads the clock or
 * touches the log; the prompter seam (BACK, Prompter) is declared here (in flow/seam.ts) so the
 * core and both adapters share it without importing Inquirer.
 *
 * This module is the flow's public face; the parts live in src/interview/flow/: state.ts (state and
 * steps), review.ts (showing answers), identity.ts, resume.ts (resume and re-validation),
 * adjustments.ts (escalation and downgrade bounds) and seam.ts (the prompter seam).
 */
export { ANALYSIS_PENDING, ANALYSIS_QUESTION, ageBandFor, derivedAnswer, promptsFor, suggestedAnswer } from "./flow/ask-less.js";
export { adjustments, downgradeRefusal, type Adjustments } from "./flow/adjustments.js";
export { identityAnswers, identityOf, identityReady, type IdentityKind } from "./flow/identity.js";
export { parseFlowState, resumeFlow, revalidate, type Revalidation } from "./flow/resume.js";
export { formatAnswer, localDateTime, optionLabel, reviewSections, type ReviewItem, type ReviewSection } from "./flow/review.js";
export { BACK, NOTE, PromptInterrupted, type AskInfo, type Back, type Choice, type Note, type Prompter } from "./flow/seam.js";
export {
  answerQuestion,
  editAnswer,
  effectiveAnswers,
  FlowError,
  goBack,
  howFar,
  nextStep,
  progressOf,
  sectionLabel,
  startFlow,
  submit,
  visibility,
  withNote,
  effectiveNotes,
  type FlowState,
  type FlowStep,
  type Progress,
} from "./flow/state.js";
export {
  evaluateFollowUp,
  FINISH_WITHIN_HOURS,
  finishStep,
  followUpFromAnswers,
  followUpState,
  leaveForLater,
  URGENT_OUTCOME,
  urgentLevel,
  urgentOffer,
  withLeftForLater,
  type FollowUp,
  type LeftForLater,
  type UrgentOffer,
} from "./flow/urgent.js";
