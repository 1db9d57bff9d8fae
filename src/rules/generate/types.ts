/**
 * The shapes generation works with: a question's candidate answers, the plan prepared once per rule
 * set, a generated scenario, and a sample's choices with the bounds of its picks.
 */
import type { CompiledQuestion, CompiledRuleSet } from "../compile.js";
import type { Answer, HistoryFacts } from "../types.js";

/** One candidate answer in a question's domain. */
export type Candidate =
  | { kind: "value"; value: Answer }
  /** Left unanswered (optional questions only). */
  | { kind: "none" }
  /** A date-time this many minutes before the clock. */
  | { kind: "ago"; minutes: number }
  /** A date this many days after the clock's local date (negative: before). */
  | { kind: "days"; days: number }
  /** A multiselect combination taken from the sample's bit mask. */
  | { kind: "combo" };

export interface QuestionPlan {
  id: string;
  index: number;
  type: CompiledQuestion["raw"]["type"];
  /** Entry 0 is the baseline answer. */
  domain: Candidate[];
  /** Multiselect options a combination may hold (not exclusive, not "not known"). */
  comboOptions: string[];
  /** The "not known" answer, when allowed. */
  unknownAnswer: Answer | undefined;
  /** Multiselect with partial_unknown: "not known" may be added to known options. */
  partialUnknown?: boolean;
  /** Index of this question's bit mask in {@link Choices} masks, or -1. */
  maskSlot: number;
}

export interface ClockCandidate {
  now: string;
  outOfHours: boolean;
  /** Why this instant was chosen, e.g. "last office day 16:59". */
  why: string;
}

export interface GenerationPlan {
  rs: CompiledRuleSet;
  questions: QuestionPlan[];
  /** Entry 0 is the baseline: a mid-week working day in office hours. */
  clocks: ClockCandidate[];
  /** Per history fact (in HISTORY_FACTS order): candidate values, entry 0 is 0. */
  history: { name: keyof HistoryFacts; values: number[] }[];
  /** Number of target picks each sample carries (for the linter's choices). */
  targets: number;
  /** Ways to satisfy each rule's and guard's condition (with the visibility of the questions read). */
  terms: FocusTerm[];
  /** For each question index, the terms that constrain it. */
  termsByQuestion: Map<number, number[]>;
  /** The plain answer set: every question at its baseline, no history, the baseline clock. */
  baseline: Scenario;
  /** Cache of answers that depend on the clock, keyed by clock, question and candidate. */
  cache: Map<string, Answer | undefined>;
  /** Cache: is this received_at answer outside office hours? */
  receivedOutOfHours: Map<string, boolean>;
}

/** A generated input: an answer for every question (hidden ones are ignored by the evaluator). */
export interface Scenario {
  answers: Record<string, Answer>;
  history: HistoryFacts;
  now: string;
  /** Index into the plan's clocks. */
  clock: number;
}

/**
 * A sample as fast-check generates and shrinks it:
 * [mode (4 = every question deviates), deviating dimensions (questions, then history facts),
 * picks (one per dimension), multiselect masks, clock pick, target picks, focus pick].
 */
export type Choices = [mode: number, active: number[], picks: number[], masks: number[], clock: number, targets: number[], focus: number];

/** The clock's dimension in a focus term (questions are 0…n-1, history facts n…n+5). */
export const CLOCK_DIM = -1;

/**
 * One way to make a condition true: for each dimension it constrains, the domain entries (or
 * history values, or clocks) that satisfy it. A focused sample draws those dimensions from these.
 */
export interface FocusTerm {
  /** The rule or guard whose condition this term satisfies. */
  source: string;
  constraints: { dim: number; allowed: number[] }[];
}

export const DENSE_MODE = 4;
/** Upper bound of a target pick; the linter takes it modulo the number of alternatives. */
export const TARGET_MAX = 1023;
/** Upper bound of the focus pick (see {@link focusTerm}). */
export const FOCUS_MAX = 3 * 4096 - 1;
