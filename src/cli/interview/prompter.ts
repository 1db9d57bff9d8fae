/**
 * The Inquirer adapter: each rule-set question type gets its prompt, with the gestures Inquirer
 * lacks (docs/architecture.md, "The interview's gestures"): a "← Back" choice on select and checkbox prompts, and Esc on a
 * small custom input prompt (number, date, date-time and text). The only module that imports
 * @inquirer/*; everything above it sees the Prompter seam declared in flow.ts.
 *
 * Safety details (docs/architecture.md, principle 3): "not known" is offered wherever the question allows it, is
 * listed last, and is never the pre-selected default of a critical question — not even when it was
 * the previous answer (the worker has to choose it again). Exclusive options (none, none_known,
 * unknown) cannot be combined with others. Input is validated as typed, with the format spelled out.
 */
import checkbox from "@inquirer/checkbox";
import { AbortPromptError, createPrompt, ExitPromptError, isEnterKey, makeTheme, Separator, useEffect, useKeypress, usePrefix, useState } from "@inquirer/core";
import select from "@inquirer/select";
import { emitKeypressEvents } from "node:readline";
import { normaliseAnswer } from "../../rules/answers.js";
import type { CompiledQuestion } from "../../rules/compile.js";
import { isUnknownAnswer } from "../../rules/evaluate.js";
import { UNKNOWN, type Answer } from "../../rules/types.js";
import {
  BACK,
  formatAnswer,
  localDateTime,
  NOTE,
  optionLabel,
  PromptInterrupted,
  type AskInfo,
  type Back,
  type Choice,
  type Note,
  type Prompter,
} from "../../interview/flow.js";
import { inert } from "../render/inert.js";
import { wrap } from "../render/text.js";

export { BACK, PromptInterrupted, type AskInfo, type Back, type Choice, type Prompter } from "../../interview/flow.js";

/** The styling the adapter needs; cli/render/style.ts's Style fits (colour off gives plain text). */
export interface PromptStyle {
  bold(s: string): string;
  dim(s: string): string;
  ok(s: string): string;
  warn(s: string): string;
  bad(s: string): string;
}

export const PLAIN: PromptStyle = { bold: (s) => s, dim: (s) => s, ok: (s) => s, warn: (s) => s, bad: (s) => s };

export const BACK_LABEL = "← Back";

/** What a worker may type for "not known" in a typed answer. */
const NOT_KNOWN_TYPED = /^(unknown|not known|notknown|n\/k|nk|don'?t know)$/i;

type PromptContext = { input?: NodeJS.ReadableStream; output?: NodeJS.WritableStream; signal?: AbortSignal; clearPromptOnDone?: boolean };

// ---------------------------------------------------------------------------------------------
// A text prompt where Esc means "back"

export interface BackInputConfig {
  message: string;
  /** Shown above the question while it is asked (e.g. "Household — question 3 of 6"). */
  progress?: string;
  /** Shown under the question: the question's help text. */
  help?: string;
  /** Shown under the question: the format and the keys. */
  hint?: string;
  /** Pre-filled, editable. */
  default?: string;
  allowBack?: boolean;
  /** Tab resolves to NOTE (the worker adds a note to the answer). */
  allowNote?: boolean;
  validate?: (value: string) => true | string;
  style?: PromptStyle;
}

/** The custom input prompt: resolves to the text typed, or BACK when Esc is pressed (if allowed). */
export const backInput = createPrompt<string | Back | Note, BackInputConfig>((config, done) => {
  const style = config.style ?? PLAIN;
  const theme = makeTheme(promptTheme(style, config.progress));
  const [status, setStatus] = useState<string>("idle");
  const [value, setValue] = useState<string>("");
  const [error, setError] = useState<string | undefined>(undefined);
  // A pre-filled value is replaced by the first character typed (Enter keeps it; arrows or backspace edit it).
  const [pristine, setPristine] = useState<boolean>(config.default !== undefined && config.default !== "");
  const prefix = usePrefix({ status, theme });

  useEffect((rl) => {
    if (config.default) {
      rl.write(config.default);
      setValue(config.default);
    }
  }, []);

  useKeypress((key, rl) => {
    if (status !== "idle") return;
    if (key.name === "escape") {
      if (config.allowBack) {
        setStatus("back");
        done(BACK);
      }
      return;
    }
    if (key.name === "tab" && config.allowNote) {
      setStatus("note");
      done(NOTE);
      return;
    }
    if (isEnterKey(key)) {
      // readline has already taken the line (rl.line is empty): the text is in our state.
      const valid = config.validate ? config.validate(value) : true;
      if (valid === true) {
        setStatus("done");
        done(value);
      } else {
        // Put the text back into readline's line so it can be corrected.
        rl.write(value);
        setError(valid);
      }
      return;
    }
    if (pristine) {
      setPristine(false);
      // Inquirer's KeypressEvent type leaves out readline's sequence and meta, which are there at run time.
      const raw = key as typeof key & { sequence?: string; meta?: boolean };
      const typed = raw.sequence;
      const printable = typeof typed === "string" && typed.length === 1 && typed >= " " && typed !== "\u007f" && !raw.ctrl && !raw.meta;
      if (printable) {
        // readline has already appended it to the pre-filled text: start the line again from it.
        rl.clearLine(0);
        rl.write(typed);
      }
    }
    setValue(rl.line);
    setError(undefined);
  });

  const message = theme.style.message(config.message, status);
  if (status === "done") return `${prefix} ${message} ${style.ok(value)}`;
  if (status === "back") return `${prefix} ${message} ${style.dim(BACK_LABEL)}`;
  if (status === "note") return `${prefix} ${message} ${style.dim("(a note)")}`;
  const below = [
    // The help is read, so it is plain text (not dim grey); only the keys' hint is dim.
    config.help ? helpBlock(config.help) : "",
    config.hint ? style.dim(`  ${config.hint}`) : "",
    error ? style.bad(`  > ${error}`) : "",
  ].filter(Boolean);
  return [`${prefix} ${message} ${value}`, below.length > 0 ? below.join("\n") : undefined];
});

/** The terminal's width (the interview wraps its own text at word boundaries to it). */
function columns(output?: NodeJS.WritableStream): number {
  const c = (output as { columns?: number } | undefined)?.columns ?? process.stdout.columns;
  return Math.max(40, Math.min(c ?? 80, 120));
}

/** Help under a question, wrapped at word boundaries, indented. */
function helpBlock(help: string, width = columns()): string {
  return wrap(help, "  ", width - 1).join("\n");
}

function promptTheme(style: PromptStyle, progress: string | undefined) {
  return {
    prefix: { idle: `${progress ? `${style.dim(progress)}\n` : ""}${style.bold("?")}`, done: style.ok("✔") },
    style: {
      answer: (s: string) => style.ok(s),
      message: (s: string, status: string) => (status === "done" || status === "back" ? s : style.bold(s)),
      error: (s: string) => style.bad(`> ${s}`),
      defaultAnswer: (s: string) => style.dim(`(${s})`),
      help: (s: string) => style.dim(s),
      highlight: (s: string) => style.bold(s),
      key: (s: string) => style.bold(`<${s}>`),
      description: (s: string) => style.dim(s),
      disabled: (s: string) => style.dim(s),
      keysHelpTip: (keys: [string, string][]) => style.dim(keys.map(([k, a]) => `${k} ${a}`).join(" • ")),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Choices for a question

export interface OptionChoice {
  value: string;
  name: string;
  description?: string;
}

/** The question's options in order, with "not known" (when allowed) last. */
export function optionChoices(q: CompiledQuestion): OptionChoice[] {
  const written = new Map((q.raw.options ?? []).map((o) => (typeof o === "string" ? [o, undefined] : [o.value, o.help])));
  const choices: OptionChoice[] = q.options
    .filter((v) => v !== UNKNOWN)
    .map((v) => {
      const help = written.get(v);
      return help ? { value: v, name: optionLabel(q, v), description: help } : { value: v, name: optionLabel(q, v) };
    });
  if (q.allowUnknown)
    choices.push(
      q.raw.partial_unknown
        ? { value: UNKNOWN, name: optionLabel(q, UNKNOWN), description: "Tick it with the answers you know: at least those; the rest not known" }
        : { value: UNKNOWN, name: optionLabel(q, UNKNOWN) },
    );
  return choices;
}

/** The pre-selected answer for a question: the previous answer, else the rule set's default — never "not known" on a critical question. */
export function preselected(q: CompiledQuestion, previous: Answer | undefined): Answer | undefined {
  const candidate = previous ?? (q.raw.default === "now" ? undefined : q.raw.default);
  if (candidate === undefined) return undefined;
  if (q.raw.critical && isUnknownAnswer(candidate)) return undefined;
  if (q.raw.critical && Array.isArray(candidate)) {
    const rest = candidate.filter((v) => v !== UNKNOWN);
    return rest.length > 0 ? rest : undefined;
  }
  return candidate;
}

/** Options that exclude every other choice: the rule set's `exclusive` plus "not known". */
export function exclusiveOptions(q: CompiledQuestion): string[] {
  // partial_unknown: "not known" may be ticked with other options ("at least these; the rest not known").
  if (q.raw.partial_unknown) return (q.raw.exclusive ?? []).filter((o) => o !== UNKNOWN);
  return [...new Set([...(q.raw.exclusive ?? []), UNKNOWN])];
}

/** The checkbox rule: "← Back" alone, or exclusive options alone, or at least one unless optional. */
export function checkSelection(q: CompiledQuestion, values: readonly (string | Back)[]): true | string {
  if (values.includes(BACK) && values.length > 1) return `"${BACK_LABEL}" cannot be combined with answers: untick it, or untick the others`;
  const exclusive = exclusiveOptions(q);
  const alone = values.find((v): v is string => typeof v === "string" && exclusive.includes(v));
  if (alone !== undefined && values.length > 1) return `"${optionLabel(q, alone)}" cannot be combined with other answers`;
  if (values.length === 0 && !q.raw.optional) return `Choose at least one (space to tick)${q.allowUnknown ? `, or "${optionLabel(q, UNKNOWN)}"` : ""}`;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Typed answers

function typedHint(q: CompiledQuestion, timeZone: string, canGoBack: boolean, notes?: { note?: string }): string {
  const raw = q.raw;
  const parts: string[] = [];
  if (raw.type === "number") {
    const kind = raw.integer ? "a whole number" : "a number";
    if (raw.min !== undefined && raw.max !== undefined) parts.push(`${kind} from ${raw.min} to ${raw.max}`);
    else if (raw.min !== undefined) parts.push(`${kind}, at least ${raw.min}`);
    else if (raw.max !== undefined) parts.push(`${kind}, at most ${raw.max}`);
    else parts.push(kind);
  } else if (raw.type === "date") parts.push("YYYY-MM-DD, e.g. 2019-03-14");
  else if (raw.type === "datetime") parts.push(`YYYY-MM-DD HH:MM, local time (${timeZone})`);
  if (q.allowUnknown) parts.push(`type "not known" if it is not known`);
  if (raw.optional) parts.push("Enter to leave blank");
  if (canGoBack) parts.push("Esc: back");
  if (notes) parts.push(notes.note === undefined ? "Tab: add a note" : "Tab: change the note");
  return parts.join(" · ");
}

/** Checks what was typed for a question; true, or the message to show. */
export function validateTyped(q: CompiledQuestion, typed: string, timeZone: string): true | string {
  const text = typed.trim();
  if (text === "") {
    if (q.raw.optional) return true;
    return `An answer is needed${q.allowUnknown ? ` (type "not known" if it is not known)` : ""}`;
  }
  if (NOT_KNOWN_TYPED.test(text)) return q.allowUnknown ? true : `"Not known" is not allowed here: this has to be answered`;
  const raw = q.raw;
  if (raw.type === "number") {
    const n = Number(text);
    const range =
      raw.min !== undefined && raw.max !== undefined
        ? ` from ${raw.min} to ${raw.max}`
        : raw.min !== undefined
          ? ` of at least ${raw.min}`
          : raw.max !== undefined
            ? ` of at most ${raw.max}`
            : "";
    if (!Number.isFinite(n)) return `Enter ${raw.integer ? "a whole number" : "a number"}${range}`;
    if (raw.integer && !Number.isInteger(n)) return `Enter a whole number${range}`;
    if ((raw.min !== undefined && n < raw.min) || (raw.max !== undefined && n > raw.max)) return `Enter a number${range}`;
  }
  if (raw.type === "date") {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return "Enter the date as YYYY-MM-DD, e.g. 2019-03-14";
    if (!normaliseAnswer(q, text, timeZone).ok) return `${text} is not a real date`;
  }
  if (raw.type === "datetime") {
    if (!/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}$/.test(text)) return "Enter the date and time as YYYY-MM-DD HH:MM, e.g. 2026-11-27 14:05";
    if (!normaliseAnswer(q, text, timeZone).ok) return `${text} is not a real date and time`;
  }
  const checked = normaliseAnswer(q, text, timeZone);
  return checked.ok ? true : checked.message;
}

/** What was typed (already validated) as an answer; null for an optional question left blank. */
export function typedAnswer(q: CompiledQuestion, typed: string, timeZone: string): Answer | null {
  const text = typed.trim();
  if (text === "") return null;
  if (NOT_KNOWN_TYPED.test(text)) return UNKNOWN;
  const checked = normaliseAnswer(q, text, timeZone);
  if (!checked.ok) throw new Error(`typedAnswer: ${checked.message}`);
  return checked.answer;
}

/** An answer as it is pre-filled for editing. */
export function typedDefault(q: CompiledQuestion, answer: Answer | undefined, now: string | undefined): string | undefined {
  if (answer === undefined) return q.raw.default === "now" && q.raw.type === "datetime" ? now : q.raw.default === undefined ? undefined : String(q.raw.default);
  if (isUnknownAnswer(answer)) return "not known";
  if (q.raw.type === "datetime" && typeof answer === "string") return localDateTime(answer);
  return String(answer);
}

// ---------------------------------------------------------------------------------------------
// The adapter

export interface InquirerPrompterOptions {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  style?: PromptStyle;
  /** Aborting it interrupts the prompt being shown (SIGHUP/SIGTERM in the shell). */
  signal?: AbortSignal;
}

export class InquirerPrompter implements Prompter {
  readonly #options: InquirerPrompterOptions;
  readonly #style: PromptStyle;

  constructor(options: InquirerPrompterOptions = {}) {
    this.#options = options;
    this.#style = options.style ?? PLAIN;
  }

  get #context(): PromptContext {
    const { input, output, signal } = this.#options;
    // Each prompt is cleared when answered; the adapter then prints it collapsed to one line (#answered).
    return { ...(input ? { input } : {}), ...(output ? { output } : {}), ...(signal ? { signal } : {}), clearPromptOnDone: true };
  }

  async ask(q: CompiledQuestion, info: AskInfo): Promise<Answer | null | Back | Note> {
    const type = q.raw.type;
    const answer = type === "select" ? await this.#select(q, info) : type === "multiselect" ? await this.#checkbox(q, info) : await this.#typed(q, info);
    if (answer !== BACK && answer !== NOTE) this.#answered(q.raw.ask, answer === null ? "(left blank)" : formatAnswer(q, answer));
    if (answer !== BACK && answer !== NOTE && info.notes?.note !== undefined) this.show(this.#style.dim(`  note: ${inert(info.notes.note)}`));
    return answer;
  }

  /** An answered question, collapsed to one line "question: answer" (wrapped at word boundaries); its help is gone. */
  #answered(question: string, answer: string): void {
    const width = columns(this.#options.output);
    const lines = wrap(`${question.trim().replace(/[?:]$/, "")}: ${this.#style.ok(answer)}`, "  ", width - 1);
    if (lines.length > 0) lines[0] = `${this.#style.ok("✔")} ${lines[0]!.trimStart()}`;
    this.show(lines.join("\n"));
  }

  async choose<T>(_key: string, message: string, choices: readonly Choice<T>[], options: { default?: T; canGoBack?: boolean } = {}): Promise<T | Back> {
    const items: (Separator | { value: T | Back; name: string; description?: string })[] = choices.map((c) =>
      c.help ? { value: c.value, name: c.label, description: c.help } : { value: c.value, name: c.label },
    );
    if (options.canGoBack) items.push(new Separator(" "), { value: BACK, name: BACK_LABEL });
    const config = {
      message,
      choices: items,
      pageSize: Math.min(Math.max(items.length, 7), 20),
      theme: promptTheme(this.#style, undefined),
      ...(options.default !== undefined ? { default: options.default } : {}),
    };
    // No note on the shell's own choices: NOTE cannot come back (canNote is false).
    const picked = (await this.#list((context) => select<T | Back>(config, context), options.canGoBack === true)) as T | Back;
    if (picked !== BACK) this.#answered(message.split("\n")[0]!, choices.find((c) => c.value === picked)?.label ?? String(picked));
    return picked;
  }

  async text(
    _key: string,
    message: string,
    options: { required?: boolean; canGoBack?: boolean; help?: string; default?: string } = {},
  ): Promise<string | Back> {
    const hint = [options.required ? "required" : "Enter to leave blank", options.canGoBack ? "Esc: back" : ""].filter(Boolean).join(" · ");
    // No note on free text (allowNote is not set): NOTE cannot come back.
    const result = (await this.#run(() =>
      backInput(
        {
          message: wrap(message, "", columns(this.#options.output) - 3).join("\n"),
          hint,
          allowBack: options.canGoBack === true,
          style: this.#style,
          validate: (v) => (options.required && v.trim() === "" ? "This is required" : true),
          ...(options.help ? { help: options.help } : {}),
          ...(options.default ? { default: options.default } : {}),
        },
        this.#context,
      ),
    )) as string | Back;
    if (result !== BACK) this.#answered(message, result.trim() === "" ? "(left blank)" : result.trim());
    return result === BACK ? BACK : result.trim();
  }

  show(text: string): void {
    const out = this.#options.output ?? process.stdout;
    // A stream already ended (a test's, or a terminal that has gone) is not written to.
    if ((out as NodeJS.WritableStream & { writableEnded?: boolean }).writableEnded) return;
    try {
      out.write(text.endsWith("\n") ? text : `${text}\n`);
    } catch {
      // A terminal that has gone away (SIGHUP) cannot be written to; the draft is already saved.
    }
  }

  /** What select and checkbox prompts share: the message, the choices with "← Back", paging, theme. */
  #listConfig<C>(q: CompiledQuestion, info: AskInfo, choices: (Separator | C | { value: Back; name: string })[]) {
    if (info.canGoBack) choices.push(new Separator(" "), { value: BACK, name: BACK_LABEL });
    return {
      message: this.#message(q, info),
      choices,
      pageSize: Math.min(Math.max(choices.length, 7), 15),
      loop: false,
      theme: promptTheme(this.#style, info.progress?.label),
    };
  }

  async #select(q: CompiledQuestion, info: AskInfo): Promise<Answer | Back | Note> {
    const options = optionChoices(q);
    const pre = preselected(q, info.previous);
    const choices: (Separator | { value: string | Back; name: string; description?: string })[] = [...options];
    const config = {
      ...this.#listConfig(q, info, choices),
      ...(typeof pre === "string" && options.some((o) => o.value === pre) ? { default: pre } : {}),
    };
    return this.#list((context) => select<string | Back>(config, context), info.canGoBack, info.notes !== undefined);
  }

  async #checkbox(q: CompiledQuestion, info: AskInfo): Promise<Answer | null | Back | Note> {
    const pre = preselected(q, info.previous);
    const checked = new Set(Array.isArray(pre) ? pre : []);
    const choices: (Separator | { value: string | Back; name: string; description?: string; checked?: boolean })[] = optionChoices(q).map((o) => ({
      ...o,
      checked: checked.has(o.value),
    }));
    const config = {
      ...this.#listConfig(q, info, choices),
      // "Select all" would tick "none" with everything else.
      shortcuts: { all: null, invert: null },
      validate: (selection: readonly { value: string | Back }[]) =>
        checkSelection(
          q,
          selection.map((s) => s.value),
        ),
    };
    const values = await this.#list((context) => checkbox<string | Back>(config, context), info.canGoBack, info.notes !== undefined);
    if (values === NOTE) return NOTE;
    if (values === BACK || values.includes(BACK)) return BACK;
    return values.length === 0 ? null : (values as string[]);
  }

  async #typed(q: CompiledQuestion, info: AskInfo): Promise<Answer | null | Back | Note> {
    const pre = q.raw.critical && info.previous !== undefined && isUnknownAnswer(info.previous) ? undefined : typedDefault(q, info.previous, info.now);
    const result = await this.#run(() =>
      backInput(
        {
          message: wrap(q.raw.ask, "", columns(this.#options.output) - 3).join("\n"),
          hint: typedHint(q, info.timeZone, info.canGoBack, info.notes),
          allowBack: info.canGoBack,
          allowNote: info.notes !== undefined,
          style: this.#style,
          validate: (v) => validateTyped(q, v, info.timeZone),
          ...(info.progress ? { progress: info.progress.label } : {}),
          ...(q.raw.help ? { help: q.raw.help } : {}),
          ...(pre !== undefined ? { default: pre } : {}),
        },
        this.#context,
      ),
    );
    return result === BACK || result === NOTE ? result : typedAnswer(q, result, info.timeZone);
  }

  /** The question, with its help as an "(i)" line and, on a critical question answered "not known" before, a reminder. */
  #message(q: CompiledQuestion, info: AskInfo): string {
    const width = columns(this.#options.output);
    const lines = [wrap(q.raw.ask, "", width - 3).join("\n")];
    if (q.raw.help) lines.push(helpBlock(q.raw.help, width));
    const keys = [info.canGoBack ? "Esc: back" : "", info.notes ? (info.notes.note === undefined ? "Tab: add a note" : "Tab: change the note") : ""].filter(
      Boolean,
    );
    if (keys.length > 0) lines.push(this.#style.dim(`  ${keys.join(" · ")}`));
    if (q.raw.critical && info.previous !== undefined && isUnknownAnswer(info.previous)) lines.push(this.#style.dim(`  (was: not known — choose again)`));
    const message = lines.join("\n");
    return message;
  }

  /**
   * A list prompt (select, checkbox) where Esc means "back", as on typed prompts: a key listener
   * aborts the prompt with a reason of its own, told apart from an interrupt (Ctrl-C, SIGHUP).
   */
  async #list<T>(prompt: (context: PromptContext) => Promise<T>, canGoBack: boolean, canNote = false): Promise<T | Back | Note> {
    const input = this.#options.input ?? process.stdin;
    const local = new AbortController();
    const outer = this.#options.signal;
    const forward = () => local.abort(outer?.reason);
    if (outer?.aborted) forward();
    outer?.addEventListener("abort", forward);
    const escape = Symbol("escape");
    const note = Symbol("note");
    const onKey = (_s: string, key: { name?: string } | undefined) => {
      if (canGoBack && key?.name === "escape") local.abort(escape);
      if (canNote && key?.name === "tab") local.abort(note);
    };
    emitKeypressEvents(input);
    input.on("keypress", onKey);
    try {
      return await prompt({ ...this.#context, signal: local.signal });
    } catch (error) {
      if (error instanceof AbortPromptError && local.signal.reason === escape) return BACK;
      if (error instanceof AbortPromptError && local.signal.reason === note) return NOTE;
      if (error instanceof ExitPromptError) throw new PromptInterrupted("interrupted (Ctrl-C or the terminal closed)");
      if (error instanceof AbortPromptError) throw new PromptInterrupted("interrupted", String(outer?.reason ?? "abort"));
      throw error;
    } finally {
      input.off("keypress", onKey);
      outer?.removeEventListener("abort", forward);
    }
  }

  async #run<T>(prompt: () => Promise<T>): Promise<T> {
    try {
      return await prompt();
    } catch (error) {
      if (error instanceof ExitPromptError) throw new PromptInterrupted("interrupted (Ctrl-C or the terminal closed)");
      if (error instanceof AbortPromptError) throw new PromptInterrupted("interrupted", String(this.#options.signal?.reason ?? "abort"));
      throw error;
    }
  }
}
