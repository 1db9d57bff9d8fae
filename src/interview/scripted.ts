/**
 * A scripted prompter for tests: answers come from a map keyed by question id (for rule-set
 * questions) or by the shell's prompt keys ("review", "change", "decision", "analysis", "match:REF"…).
 * A value is given every time the key is asked; `sequence(a, b, …)` gives them in turn (and throws
 * when they run out). Asking anything not in the script throws, naming it, so a test never hangs
 * and never silently answers a question it did not expect. Answers are checked as the Inquirer
 * adapter would check them; a script that answers wrongly throws.
 */
import { normaliseAnswer } from "../rules/answers.js";
import type { CompiledQuestion } from "../rules/compile.js";
import type { Answer } from "../rules/types.js";
import { BACK, NOTE, PromptInterrupted, type AskInfo, type Back, type Choice, type Note, type Prompter } from "./flow.js";

/** Script this value to simulate Ctrl-C at that prompt. */
export const INTERRUPT: unique symbol = Symbol("triage.interview.interrupt") as never;

const SEQUENCE = Symbol("triage.interview.sequence");
export interface Sequence {
  readonly [SEQUENCE]: unknown[];
}

/** Answers given in turn, one per time the key is asked. */
export function sequence(...values: unknown[]): Sequence {
  return { [SEQUENCE]: values };
}

export type Script = Record<string, unknown>;

export interface ScriptedEvent {
  kind: "ask" | "choose" | "text";
  key: string;
  /** The previous answer offered (ask), or the default (choose/text). */
  previous?: unknown;
  progress?: string;
  canGoBack: boolean;
  /** The values offered (choose). */
  choices?: unknown[];
  message?: string;
  /** What the script answered. */
  answer: unknown;
}

export class ScriptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScriptError";
  }
}

export class ScriptedPrompter implements Prompter {
  readonly events: ScriptedEvent[] = [];
  readonly shown: string[] = [];
  readonly #script: Map<string, unknown>;
  readonly #used = new Map<string, number>();
  readonly #timeZone: string;

  constructor(script: Script, options: { timeZone?: string } = {}) {
    this.#script = new Map(Object.entries(script));
    this.#timeZone = options.timeZone ?? "Europe/London";
  }

  /** Keys asked, in order. */
  get asked(): string[] {
    return this.events.map((e) => e.key);
  }

  /** Scripted sequences not used up (a test can assert the script was followed to the end). */
  unused(): string[] {
    const out: string[] = [];
    for (const [key, value] of this.#script) {
      const used = this.#used.get(key) ?? 0;
      if (isSequence(value) ? used < value[SEQUENCE].length : used === 0) out.push(key);
    }
    return out;
  }

  async ask(q: CompiledQuestion, info: AskInfo): Promise<Answer | null | Back | Note> {
    const value = this.#take(q.id, q.raw.ask);
    this.events.push({
      kind: "ask",
      key: q.id,
      previous: info.previous,
      ...(info.progress && { progress: info.progress.label }),
      canGoBack: info.canGoBack,
      message: q.raw.ask,
      answer: value,
    });
    if (value === BACK) {
      if (!info.canGoBack) throw new ScriptError(`script answers "${q.id}" with BACK, but there is nothing to go back to`);
      return BACK;
    }
    if (value === NOTE) {
      if (!info.notes) throw new ScriptError(`script asks for a note on "${q.id}", but notes are not offered there`);
      return NOTE;
    }
    if (value === null) {
      if (!q.raw.optional) throw new ScriptError(`script leaves "${q.id}" blank, but it is not optional`);
      return null;
    }
    const checked = normaliseAnswer(q, value, info.timeZone ?? this.#timeZone);
    if (!checked.ok) throw new ScriptError(`script answer for "${q.id}" does not fit: ${checked.message}`);
    return checked.answer;
  }

  async choose<T>(key: string, message: string, choices: readonly Choice<T>[], options: { default?: T; canGoBack?: boolean } = {}): Promise<T | Back> {
    const value = this.#take(key, message);
    const canGoBack = options.canGoBack === true;
    this.events.push({ kind: "choose", key, previous: options.default, canGoBack, choices: choices.map((c) => c.value), message, answer: value });
    if (value === BACK) {
      if (!canGoBack) throw new ScriptError(`script answers "${key}" with BACK, but it offers no Back`);
      return BACK;
    }
    const choice = choices.find((c) => c.value === value);
    if (!choice)
      throw new ScriptError(
        `script answer ${JSON.stringify(value)} for "${key}" is not among the choices: ${choices.map((c) => JSON.stringify(c.value)).join(", ")}`,
      );
    return choice.value;
  }

  async text(key: string, message: string, options: { required?: boolean; canGoBack?: boolean; help?: string; default?: string } = {}): Promise<string | Back> {
    const value = this.#take(key, message);
    const canGoBack = options.canGoBack === true;
    this.events.push({ kind: "text", key, previous: options.default, canGoBack, message, answer: value });
    if (value === BACK) {
      if (!canGoBack) throw new ScriptError(`script answers "${key}" with BACK, but it offers no Back`);
      return BACK;
    }
    if (typeof value !== "string") throw new ScriptError(`script answer for "${key}" must be text, got ${JSON.stringify(value)}`);
    if (options.required && value.trim() === "") throw new ScriptError(`script leaves "${key}" empty, but it is required`);
    return value.trim();
  }

  show(text: string): void {
    this.shown.push(text);
  }

  /** Everything shown, as one text. */
  get output(): string {
    return this.shown.join("\n");
  }

  #take(key: string, message: string): unknown {
    if (!this.#script.has(key)) throw new ScriptError(`no answer scripted for "${key}" (${message})`);
    const value = this.#script.get(key);
    const used = this.#used.get(key) ?? 0;
    this.#used.set(key, used + 1);
    let answer = value;
    if (isSequence(value)) {
      if (used >= value[SEQUENCE].length) throw new ScriptError(`the script for "${key}" ran out after ${value[SEQUENCE].length} answer(s) (${message})`);
      answer = value[SEQUENCE][used];
    }
    if (answer === INTERRUPT) throw new PromptInterrupted("interrupted (scripted)");
    return answer;
  }
}

function isSequence(value: unknown): value is Sequence {
  return typeof value === "object" && value !== null && SEQUENCE in value;
}
