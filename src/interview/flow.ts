/**
 * The guided interview as pure functions (docassemble's "recompute the next question from the
 * answers", engineering notes §4.2). The state is plain JSON — `{ answers, asked }` — so it can be
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
 * touches the log; the prompter seam (BACK, Prompter) is declared here so the core and both
 * adapters share it without importing Inquirer.
 */
import { normaliseAnswer, visibleQuestions } from "../rules/answers.js";
import type { CompiledQuestion, CompiledRuleSet } from "../rules/compile.js";
import { isUnknownAnswer, outcomeRef } from "../rules/evaluate.js";
import { NO_HISTORY, UNKNOWN, type Answer, type Decision, type HistoryFacts, type OutcomeRef } from "../rules/types.js";

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
  /** "Household and adults — question 3 of 6". */
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
  const words = section.replace(/\s*\([^()]*\)\s*$/, "").replace(/[_-]+/g, " ").trim() || section;
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function question(rs: CompiledRuleSet, id: string): CompiledQuestion {
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
function prune(rs: CompiledRuleSet, state: FlowState, history: HistoryFacts): FlowState {
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
  return {
    section: q.raw.section,
    sectionLabel: label,
    index,
    total: inSection.length,
    overallIndex: all.findIndex((x) => x.id === q.id) + 1,
    overallTotal: all.length,
    label: `${label} — question ${index} of ${inSection.length}`,
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
  if (!state.asked.includes(id) || !visible[rs.questionIndex.get(id)!]) throw new FlowError(`question "${id}" is not on this interview's path, so it cannot be changed`);
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

// ---------------------------------------------------------------------------------------------
// Showing answers

export function optionLabel(q: CompiledQuestion, value: string): string {
  if (value === UNKNOWN) {
    const written = (q.raw.options ?? []).find((o) => typeof o !== "string" && o.value === UNKNOWN);
    return written && typeof written !== "string" && written.label ? written.label : "Not known";
  }
  const o = (q.raw.options ?? []).find((x) => (typeof x === "string" ? x : x.value) === value);
  if (o && typeof o !== "string" && o.label) return o.label;
  return value.replace(/_/g, " ");
}

/** "2026-11-27T10:30:00+00:00" → "2026-11-27 10:30" (the local time the ISO text carries). */
export function localDateTime(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]}` : iso;
}

/** An answer as the worker reads it. */
export function formatAnswer(q: CompiledQuestion, answer: Answer | undefined): string {
  if (answer === undefined) return "(not answered)";
  if (isUnknownAnswer(answer)) return optionLabel(q, UNKNOWN);
  if (Array.isArray(answer)) return answer.map((v) => optionLabel(q, v)).join(", ");
  if (q.raw.type === "select") return optionLabel(q, String(answer));
  if (q.raw.type === "datetime" && typeof answer === "string") return localDateTime(answer);
  return String(answer);
}

export interface ReviewItem {
  question: CompiledQuestion;
  answer: Answer | undefined;
  text: string;
  /** answered (or left blank when optional); not_applicable: hidden now, answer kept but not used. */
  status: "answered" | "blank" | "not_applicable";
}

export interface ReviewSection {
  section: string;
  label: string;
  items: ReviewItem[];
}

/** All answers grouped by section (in the order sections first appear), for the review screen. */
export function reviewSections(rs: CompiledRuleSet, state: FlowState, history: HistoryFacts = NO_HISTORY): ReviewSection[] {
  const visible = visibility(rs, state, history);
  const onPath = new Set(state.asked);
  const sections: ReviewSection[] = [];
  for (const q of rs.questions) {
    const answer = state.answers[q.id];
    let status: ReviewItem["status"];
    if (visible[q.index] && onPath.has(q.id)) status = answer === undefined ? "blank" : "answered";
    else if (!visible[q.index] && answer !== undefined) status = "not_applicable";
    else continue;
    let section = sections.find((s) => s.section === q.raw.section);
    if (!section) sections.push((section = { section: q.raw.section, label: sectionLabel(q.raw.section), items: [] }));
    section.items.push({ question: q, answer, text: status === "blank" ? "(left blank)" : formatAnswer(q, answer), status });
  }
  return sections;
}

// ---------------------------------------------------------------------------------------------
// Identity (history lookups happen after the child's name and date of birth)

export type IdentityKind = "name" | "dob" | "ref" | "postcode";

/** The identity answers given so far (visible, on the path), by kind; "not known" is left out. */
export function identityOf(rs: CompiledRuleSet, state: FlowState, history: HistoryFacts = NO_HISTORY): Partial<Record<IdentityKind, string>> {
  const answers = effectiveAnswers(rs, state, history);
  const out: Partial<Record<IdentityKind, string>> = {};
  for (const q of rs.questions) {
    const kind = q.raw.identity;
    const a = answers[q.id];
    if (kind && typeof a === "string" && a !== UNKNOWN && out[kind] === undefined) out[kind] = a;
  }
  return out;
}

/** The identity questions' answers by question id (for the history lookup). */
export function identityAnswers(rs: CompiledRuleSet, state: FlowState, history: HistoryFacts = NO_HISTORY): Record<string, Answer> {
  const answers = effectiveAnswers(rs, state, history);
  const out: Record<string, Answer> = {};
  for (const q of rs.questions) if (q.raw.identity && answers[q.id] !== undefined) out[q.id] = answers[q.id]!;
  return out;
}

/**
 * True once every visible name and date-of-birth question is on the path (and there is at least
 * one): the point where earlier referrals about the child can be looked up.
 */
export function identityReady(rs: CompiledRuleSet, state: FlowState, history: HistoryFacts = NO_HISTORY): boolean {
  const visible = visibility(rs, state, history);
  const key = rs.questions.filter((q) => visible[q.index] && (q.raw.identity === "name" || q.raw.identity === "dob"));
  return key.length > 0 && key.every((q) => state.asked.includes(q.id));
}

// ---------------------------------------------------------------------------------------------
// Resume and re-validation

/** Reads a saved flow state (a draft's JSON), or undefined when it is not one. */
export function parseFlowState(raw: unknown): FlowState | undefined {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return undefined;
  const r = raw as Record<string, unknown>;
  if (r.answers === null || typeof r.answers !== "object" || Array.isArray(r.answers)) return undefined;
  if (!Array.isArray(r.asked) || !r.asked.every((x) => typeof x === "string")) return undefined;
  const answers: Record<string, Answer> = {};
  for (const [k, v] of Object.entries(r.answers as Record<string, unknown>)) {
    if (typeof v === "string" || (typeof v === "number" && Number.isFinite(v)) || (Array.isArray(v) && v.every((x) => typeof x === "string"))) answers[k] = v as Answer;
  }
  const state: FlowState = { answers, asked: [...new Set(r.asked as string[])] };
  if (typeof r.editing === "string") state.editing = r.editing;
  if (r.submitted === true) state.submitted = true;
  return state;
}

export interface Revalidation {
  state: FlowState;
  /** What changed, one sentence each, for the worker. Empty when the draft fits as it is. */
  changes: string[];
}

/**
 * Fits a draft to the current rule set: answers to questions that no longer exist are dropped;
 * answers that no longer fit (an option removed, a range changed, "not known" no longer allowed)
 * are dropped and asked again; questions that no longer apply leave the path; questions that now
 * apply before the point reached (anywhere, when the draft had reached review) are reported, and
 * will be asked. Idempotent: a draft that fits comes back unchanged with no changes.
 */
export function revalidate(rs: CompiledRuleSet, saved: FlowState, history: HistoryFacts = NO_HISTORY, options: { reachedReview?: boolean } = {}): Revalidation {
  const changes: string[] = [];
  const tz = rs.officeHours.time_zone;
  const answers: Record<string, Answer> = {};
  const dropped = new Set<string>();
  for (const [id, value] of Object.entries(saved.answers)) {
    const index = rs.questionIndex.get(id);
    if (index === undefined) {
      changes.push(`"${id}" is no longer a question; its answer (${Array.isArray(value) ? value.join(", ") : String(value)}) was dropped.`);
      dropped.add(id);
      continue;
    }
    const q = rs.questions[index]!;
    const checked = normaliseAnswer(q, value, tz);
    if (!checked.ok) {
      if (saved.asked.includes(id)) changes.push(`The answer to "${q.raw.ask}" no longer fits (${checked.message}); it will be asked again.`);
      dropped.add(id);
      continue;
    }
    answers[id] = checked.answer;
  }
  const known = saved.asked.filter((id) => rs.questionIndex.has(id) && !dropped.has(id));
  const before: FlowState = { answers, asked: known };
  const after = prune(rs, before, history);
  for (const id of known) {
    if (!after.asked.includes(id)) changes.push(`"${question(rs, id).raw.ask}" no longer applies; its answer is kept but not used.`);
  }
  // Questions that apply now but were never answered, before the furthest point reached.
  const visible = visibility(rs, after, history);
  const frontier = Math.max(-1, ...saved.asked.map((id) => rs.questionIndex.get(id) ?? -1));
  const reached = saved.submitted === true || saved.editing !== undefined || options.reachedReview === true;
  for (const q of rs.questions) {
    if (!visible[q.index] || after.asked.includes(q.id) || dropped.has(q.id)) continue;
    if (q.index < frontier || reached) changes.push(`"${q.raw.ask}" (${sectionLabel(q.raw.section)}) now needs an answer.`);
  }
  const state: FlowState = { answers: after.answers, asked: after.asked };
  if (saved.editing !== undefined && after.asked.includes(saved.editing)) state.editing = saved.editing;
  return { state, changes };
}

/** A saved draft's flow, fitted to the current rule set: the state, what changed, and where it continues. */
export function resumeFlow(rs: CompiledRuleSet, raw: unknown, history: HistoryFacts = NO_HISTORY, options: { reachedReview?: boolean } = {}): Revalidation & { step: FlowStep } {
  const parsed = parseFlowState(raw);
  if (!parsed) throw new FlowError("the draft's saved state is not an interview state");
  const result = revalidate(rs, parsed, history, options);
  return { ...result, step: nextStep(rs, result.state, history) };
}

// ---------------------------------------------------------------------------------------------
// After the decision: escalation and downgrade bounds (DESIGN principle 2)

export interface Adjustments {
  /** Outcomes the worker may escalate to (any higher one). */
  higher: OutcomeRef[];
  /** Outcomes the worker may propose a downgrade to (pending a manager's agreement). */
  lower: OutcomeRef[];
  /** Why nothing lower can be proposed below `lower`'s minimum: the hard floor and holding guards. */
  floors: string[];
  lowestLevel: number;
}

export function adjustments(rs: CompiledRuleSet, decision: Decision): Adjustments {
  const current = decision.outcome.level;
  const floors: string[] = [];
  let lowest = 1;
  if (decision.hard_floor) {
    const level = rs.outcomeLevel.get(decision.hard_floor) ?? 1;
    const by = decision.fired.filter((f) => f.hard && f.outcome === decision.hard_floor).map((f) => f.id);
    floors.push(`hard floor ${outcomeRef(rs, level).label}${by.length > 0 ? ` (${by.join(", ")})` : ""}`);
    lowest = Math.max(lowest, level);
  }
  for (const g of decision.guards) {
    if (g.status !== "holding") continue;
    const level = rs.outcomeLevel.get(g.floor) ?? 1;
    floors.push(`guard ${g.id} holds at ${outcomeRef(rs, level).label}${g.outstanding.length > 0 ? ` until ${g.outstanding.join(", ")}` : ""}`);
    lowest = Math.max(lowest, level);
  }
  const all = rs.outcomes.map((o) => outcomeRef(rs, o.level));
  return {
    higher: all.filter((o) => o.level > current),
    lower: all.filter((o) => o.level < current && o.level >= lowest).reverse(),
    floors,
    lowestLevel: lowest,
  };
}

/** Why a downgrade to `target` is refused, or undefined when it may be proposed. */
export function downgradeRefusal(rs: CompiledRuleSet, decision: Decision, target: string): string | undefined {
  const level = rs.outcomeLevel.get(target);
  if (level === undefined) return `"${target}" is not an outcome of ${rs.id}`;
  if (level >= decision.outcome.level) return `${outcomeRef(rs, level).label} is not lower than ${decision.outcome.label}`;
  const a = adjustments(rs, decision);
  if (level < a.lowestLevel) return `a downgrade below ${outcomeRef(rs, a.lowestLevel).label} is not allowed: ${a.floors.join("; ")}`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The prompter seam (the Inquirer adapter is in prompter.ts, the scripted one in scripted.ts)

/** Returned by a prompter when the worker goes back (a "← Back" choice, or Esc). */
export const BACK: unique symbol = Symbol.for("triage.interview.back") as never;
export type Back = typeof BACK;

/** Thrown by a prompter when the worker interrupts (Ctrl-C) or the terminal goes away. */
export class PromptInterrupted extends Error {
  readonly signal: string | undefined;
  constructor(message = "interrupted", signal?: string) {
    super(message);
    this.name = "PromptInterrupted";
    this.signal = signal;
  }
}

export interface AskInfo {
  previous: Answer | undefined;
  progress?: Progress;
  canGoBack: boolean;
  /** The rule set's time zone (date-times are local to it). */
  timeZone: string;
  /** "Now" in the rule set's zone as "YYYY-MM-DD HH:MM", for datetime questions with `default: now`. */
  now?: string;
}

export interface Choice<T> {
  value: T;
  label: string;
  help?: string;
}

export interface Prompter {
  /** Asks one rule-set question. Returns the answer, null for an optional question left blank, or BACK. */
  ask(question: CompiledQuestion, info: AskInfo): Promise<Answer | null | Back>;
  /** A choice among the shell's own options (review, matches, accept/escalate…); `key` names it for scripts. */
  choose<T>(key: string, message: string, choices: readonly Choice<T>[], options?: { default?: T; canGoBack?: boolean }): Promise<T | Back>;
  /** Free text (reasons, the analysis); `required` refuses an empty answer. */
  text(key: string, message: string, options?: { required?: boolean; canGoBack?: boolean; help?: string; default?: string }): Promise<string | Back>;
  /** Shows a block of text (a heading, the review screen, the decision card). */
  show(text: string): void;
}
