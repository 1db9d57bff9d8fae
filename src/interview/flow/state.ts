/**
 * The interview's state and its steps (part of the pure flow; src/interview/flow.ts describes the
 * state): what to ask next, and how an answer, Back, a change from review and submission move it.
 */
import { checkNote, normaliseAnswer, visibleQuestions } from "../../rules/answers.js";
import type { CompiledQuestion, CompiledRuleSet } from "../../rules/compile.js";
import { NO_HISTORY, type Answer, type HistoryFacts } from "../../rules/types.js";

// ---------------------------------------------------------------------------------------------
// State and steps

export interface FlowState {
  /** Every answer given, by question id (normalised; hidden questions' answers are kept). */
  answers: Record<string, Answer>;
  /** The questions answered so far, in the order they were last answered. */
  asked: string[];
  /** A question being changed from the review screen: asked next; Back returns to review. */
  editing?: string;
  /** Set when the worker submitted the review screen. */
  submitted?: boolean;
  /** Optional notes on answers, by question id (what was actually said): kept with the answer, recorded as `answer_notes`. */
  notes?: Record<string, string>;
}

export interface Progress {
  /** The section id as written in the rule set, and as a heading ("household_and_adults" → "Household and adults"). */
  section: string;
  sectionLabel: string;
  /** 1-based position among the section's visible questions, and how many there are. */
  index: number;
  total: number;
  /** 1-based position among all visible questions, and how many there are. */
  overallIndex: number;
  overallTotal: number;
  /** 1-based position of the section among all the rule set's sections, and how many there are (stable). */
  sectionIndex: number;
  sectionCount: number;
  /** "Household and adults — section 3 of 6 · question 12 of about 35" (the total moves as answers reveal questions). */
  label: string;
}

export type FlowStep =
  | { kind: "ask"; question: CompiledQuestion; previous: Answer | undefined; progress: Progress; canGoBack: boolean; editing: boolean }
  | { kind: "review" }
  | { kind: "done" };

export class FlowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FlowError";
  }
}

export function startFlow(): FlowState {
  return { answers: {}, asked: [] };
}

/** A section as a heading: "household_and_adults" → "Household and adults"; a trailing "(…)" note is left out. */
export function sectionLabel(section: string): string {
  const words =
    section
      .replace(/\s*\([^()]*\)\s*$/, "")
      .replace(/[_-]+/g, " ")
      .trim() || section;
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The question with this id; throws FlowError when the rule set has none (shared with resume.ts). */
export function question(rs: CompiledRuleSet, id: string): CompiledQuestion {
  const index = rs.questionIndex.get(id);
  if (index === undefined) throw new FlowError(`there is no question "${id}" in the rule set ${rs.id} ${rs.version}`);
  return rs.questions[index]!;
}

/** The answers on the path (the only ones that decide visibility and evaluation). */
function pathAnswers(state: FlowState): Record<string, Answer> {
  const out: Record<string, Answer> = {};
  for (const id of state.asked) {
    const a = state.answers[id];
    if (a !== undefined) out[id] = a;
  }
  return out;
}

/** Which questions are visible given the answers on the path, by position in the rule set. */
export function visibility(rs: CompiledRuleSet, state: FlowState, history: HistoryFacts = NO_HISTORY): boolean[] {
  return visibleQuestions(rs, pathAnswers(state), history);
}

/** Keeps the path to visible questions (answers stay), repeated until stable: hiding one can hide more. */
export function prune(rs: CompiledRuleSet, state: FlowState, history: HistoryFacts): FlowState {
  let current = state;
  for (;;) {
    const visible = visibility(rs, current, history);
    const asked = current.asked.filter((id) => {
      const i = rs.questionIndex.get(id);
      return i !== undefined && visible[i] === true;
    });
    if (asked.length === current.asked.length) return current;
    current = { ...current, asked };
  }
}

export function progressOf(rs: CompiledRuleSet, state: FlowState, q: CompiledQuestion, history: HistoryFacts = NO_HISTORY): Progress {
  const visible = visibility(rs, state, history);
  visible[q.index] = true;
  const all = rs.questions.filter((x) => visible[x.index]);
  const inSection = all.filter((x) => x.raw.section === q.raw.section);
  const index = inSection.findIndex((x) => x.id === q.id) + 1;
  const label = sectionLabel(q.raw.section);
  // Sections counted over the whole rule set, so the count never jumps as answers hide or reveal questions.
  const sections = [...new Set(rs.questions.map((x) => x.raw.section))];
  const sectionIndex = sections.indexOf(q.raw.section) + 1;
  const overallIndex = all.findIndex((x) => x.id === q.id) + 1;
  return {
    section: q.raw.section,
    sectionLabel: label,
    index,
    total: inSection.length,
    overallIndex,
    overallTotal: all.length,
    sectionIndex,
    sectionCount: sections.length,
    label: `${label} — section ${sectionIndex} of ${sections.length} · question ${overallIndex} of about ${all.length}`,
  };
}

/** The next step: the question being changed, else the first visible question not yet on the path, else review (or done once submitted). */
export function nextStep(rs: CompiledRuleSet, state: FlowState, history: HistoryFacts = NO_HISTORY): FlowStep {
  const ask = (q: CompiledQuestion, editing: boolean): FlowStep => ({
    kind: "ask",
    question: q,
    previous: state.answers[q.id],
    progress: progressOf(rs, state, q, history),
    canGoBack: editing || state.asked.length > 0,
    editing,
  });
  if (state.editing !== undefined) return ask(question(rs, state.editing), true);
  const visible = visibility(rs, state, history);
  const onPath = new Set(state.asked);
  const pending = rs.questions.find((q) => visible[q.index] && !onPath.has(q.id));
  if (pending) return ask(pending, false);
  return state.submitted ? { kind: "done" } : { kind: "review" };
}

/**
 * Records an answer (`null`: an optional question left blank) and continues where it leads: the
 * question moves to the end of the path, questions it hides leave the path (their answers are kept)
 * and questions it reveals will be asked. Throws FlowError for an answer that does not fit.
 */
export function answerQuestion(rs: CompiledRuleSet, state: FlowState, id: string, value: Answer | null, history: HistoryFacts = NO_HISTORY): FlowState {
  const q = question(rs, id);
  const answers = { ...state.answers };
  if (value === null) {
    if (!q.raw.optional) throw new FlowError(`question "${id}" needs an answer${q.allowUnknown ? ` (or "not known")` : ""}`);
    delete answers[id];
  } else {
    const checked = normaliseAnswer(q, value, rs.officeHours.time_zone);
    if (!checked.ok) throw new FlowError(`question "${id}": ${checked.message}`);
    answers[id] = checked.answer;
  }
  const next: FlowState = { answers, asked: [...state.asked.filter((x) => x !== id), id] };
  if (state.notes) next.notes = state.notes;
  return prune(rs, next, history);
}

/** Back: while changing an answer, return to review unchanged; otherwise step off the last question on the path (its answer stays, pre-filled). */
export function goBack(state: FlowState): FlowState {
  const { editing: _editing, submitted: _submitted, ...rest } = state;
  if (state.editing !== undefined) return rest;
  return { ...rest, asked: state.asked.slice(0, -1) };
}

/** From the review screen: change the answer to a question on the path. */
export function editAnswer(rs: CompiledRuleSet, state: FlowState, id: string, history: HistoryFacts = NO_HISTORY): FlowState {
  question(rs, id);
  const visible = visibility(rs, state, history);
  if (!state.asked.includes(id) || !visible[rs.questionIndex.get(id)!])
    throw new FlowError(`question "${id}" is not on this interview's path, so it cannot be changed`);
  const { submitted: _submitted, ...rest } = state;
  return { ...rest, editing: id };
}

export function submit(rs: CompiledRuleSet, state: FlowState, history: HistoryFacts = NO_HISTORY): FlowState {
  const step = nextStep(rs, state, history);
  if (step.kind === "ask") throw new FlowError(`question "${step.question.id}" is not answered yet`);
  return { ...state, submitted: true };
}

/** The answers the rules see: visible questions on the path, in rule-set order. */
export function effectiveAnswers(rs: CompiledRuleSet, state: FlowState, history: HistoryFacts = NO_HISTORY): Record<string, Answer> {
  const visible = visibility(rs, state, history);
  const onPath = new Set(state.asked);
  const out: Record<string, Answer> = {};
  for (const q of rs.questions) {
    const a = state.answers[q.id];
    if (visible[q.index] && onPath.has(q.id) && a !== undefined) out[q.id] = a;
  }
  return out;
}

/** How far the interview is: visible questions answered, of those visible now. */
export function howFar(rs: CompiledRuleSet, state: FlowState, history: HistoryFacts = NO_HISTORY): { answered: number; total: number; atReview: boolean } {
  const visible = visibility(rs, state, history);
  const onPath = new Set(state.asked);
  const shown = rs.questions.filter((q) => visible[q.index]);
  return { answered: shown.filter((q) => onPath.has(q.id)).length, total: shown.length, atReview: nextStep(rs, state, history).kind !== "ask" };
}

/** Sets (or, with empty text, removes) the note on a question's answer. Throws FlowError for a note too long. */
export function withNote(rs: CompiledRuleSet, state: FlowState, id: string, text: string): FlowState {
  question(rs, id);
  const checked = checkNote(text);
  if (!checked.ok) throw new FlowError(checked.message);
  const notes = { ...(state.notes ?? {}) };
  if (checked.note === undefined) delete notes[id];
  else notes[id] = checked.note;
  const { notes: _old, ...rest } = state;
  return Object.keys(notes).length > 0 ? { ...rest, notes } : rest;
}

/** The notes the record keeps: on answers the rules see (visible questions on the path), in rule-set order. */
export function effectiveNotes(rs: CompiledRuleSet, state: FlowState, history: HistoryFacts = NO_HISTORY): Record<string, string> {
  const answers = effectiveAnswers(rs, state, history);
  const out: Record<string, string> = {};
  for (const q of rs.questions) {
    const note = state.notes?.[q.id];
    if (note !== undefined && answers[q.id] !== undefined) out[q.id] = note;
  }
  return out;
}
