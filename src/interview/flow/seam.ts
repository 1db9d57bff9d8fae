/**
 * The prompter seam: what the interview shell asks through, declared apart from Inquirer so the
 * core and both adapters share it (re-exported by src/interview/flow.ts).
 */
import type { CompiledQuestion } from "../../rules/compile.js";
import type { Answer } from "../../rules/types.js";
import type { Progress } from "./state.js";

// ---------------------------------------------------------------------------------------------
// The prompter seam (the Inquirer adapter is in prompter.ts, the scripted one in scripted.ts)

/** Returned by a prompter when the worker goes back (a "← Back" choice, or Esc). */
export const BACK: unique symbol = Symbol.for("triage.interview.back") as never;
export type Back = typeof BACK;

/**
 * Returned by a prompter when the worker asks to add a note to the answer (Tab): the shell asks for
 * the note, then asks the question again (src/cli/interview/notes.ts). Only when `notes` is offered.
 */
export const NOTE: unique symbol = Symbol.for("triage.interview.note") as never;
export type Note = typeof NOTE;

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
  /** Tab adds a note to the answer (NOTE is returned); `note` is the note written so far, if any. */
  notes?: { note?: string };
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
  /** Asks one rule-set question. Returns the answer, null for an optional question left blank, BACK, or NOTE (when info.notes). */
  ask(question: CompiledQuestion, info: AskInfo): Promise<Answer | null | Back | Note>;
  /** A choice among the shell's own options (review, matches, accept/escalate…); `key` names it for scripts. */
  choose<T>(key: string, message: string, choices: readonly Choice<T>[], options?: { default?: T; canGoBack?: boolean }): Promise<T | Back>;
  /** Free text (reasons, the analysis); `required` refuses an empty answer. */
  text(key: string, message: string, options?: { required?: boolean; canGoBack?: boolean; help?: string; default?: string }): Promise<string | Back>;
  /** Shows a block of text (a heading, the review screen, the decision card). */
  show(text: string): void;
}
