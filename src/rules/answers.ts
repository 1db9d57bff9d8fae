/**
 * Answers as written (a map from question id to answer) → validated answers. Walks the questions in
 * order so visibility is decided exactly as the evaluator will decide it. Pure: the caller turns
 * problem paths into positions.
 */
import type { CompiledQuestion, CompiledRuleSet } from "./compile.js";
import { emptyEnv, setAnswer } from "./evaluate.js";
import { formatInZone, localTimeGap, parseDate, parseDateTime } from "./time.js";
import { closest } from "./suggest.js";
import { NO_HISTORY, UNKNOWN, type Answer, type HistoryFacts } from "./types.js";

export interface AnswerProblem {
  question: string;
  message: string;
}

export interface CheckedAnswers {
  answers: Record<string, Answer>;
  warnings: string[];
  problems: AnswerProblem[];
}

/** The longest free-text answer, unless the question sets `max_length` (a pasted document is not an answer). */
export const FREE_TEXT_MAX_CHARS = 20_000;

export type UnansweredMode = "error" | "unknown";

/** A note on an answer (what was actually said) is free text, with the free-text limit. Empty means no note. */
export function checkNote(value: unknown): { ok: true; note: string | undefined } | { ok: false; message: string } {
  if (typeof value !== "string") return { ok: false, message: `a note is text, not ${JSON.stringify(value)}` };
  const note = value.trim();
  if (note.length > FREE_TEXT_MAX_CHARS)
    return { ok: false, message: `the note is ${note.length} characters long, over the limit of ${FREE_TEXT_MAX_CHARS} characters for free text` };
  return { ok: true, note: note === "" ? undefined : note };
}

/**
 * Notes on answers as given (a map from question id to text): each must be on a question answered in
 * `answers` (a note has nothing to sit beside otherwise) and within the free-text limit. Empty notes
 * are dropped. Returns the notes in question order, or the problems.
 */
export function checkAnswerNotes(
  rs: CompiledRuleSet,
  answers: Readonly<Record<string, Answer>>,
  written: unknown,
): { notes: Record<string, string>; problems: AnswerProblem[] } {
  const problems: AnswerProblem[] = [];
  const notes: Record<string, string> = {};
  if (written === undefined || written === null) return { notes, problems };
  if (typeof written !== "object" || Array.isArray(written))
    return { notes, problems: [{ question: "notes", message: "notes: expected a map from question id to a note" }] };
  const map = written as Record<string, unknown>;
  for (const id of Object.keys(map)) {
    if (!rs.questionIndex.has(id)) {
      const near = closest(
        id,
        rs.questions.map((q) => q.id),
        1,
      )[0];
      problems.push({ question: id, message: `a note on "${id}", which is not a question${near ? `; did you mean "${near}"?` : ""}` });
    } else if (answers[id] === undefined) problems.push({ question: id, message: `a note on "${id}", which is not answered (or not asked) for this referral` });
  }
  for (const q of rs.questions) {
    if (!(q.id in map) || answers[q.id] === undefined) continue;
    const checked = checkNote(map[q.id] ?? "");
    if (!checked.ok) problems.push({ question: q.id, message: `note on "${q.id}": ${checked.message}` });
    else if (checked.note !== undefined) notes[q.id] = checked.note;
  }
  return { notes, problems };
}

/** Normalises one answer to its question's type; returns a message when it does not fit. */
export function normaliseAnswer(q: CompiledQuestion, value: unknown, timeZone: string): { ok: true; answer: Answer } | { ok: false; message: string } {
  const raw = q.raw;
  if (value === UNKNOWN || (Array.isArray(value) && value.length === 1 && value[0] === UNKNOWN && !q.options.includes(UNKNOWN))) {
    if (!q.allowUnknown) return { ok: false, message: `"not known" is not allowed here` };
    return { ok: true, answer: raw.type === "multiselect" ? [UNKNOWN] : UNKNOWN };
  }
  const optionList = () => `expected one of: ${q.options.join(", ")}${q.allowUnknown && !q.options.includes(UNKNOWN) ? ", unknown" : ""}`;
  switch (raw.type) {
    case "select":
      if (typeof value !== "string" || !q.options.includes(value)) return { ok: false, message: `${JSON.stringify(value)} is not an option; ${optionList()}` };
      return { ok: true, answer: value };
    case "multiselect": {
      const list = Array.isArray(value) ? value : [value];
      if (list.length === 0) return { ok: false, message: `choose at least one; ${optionList()}` };
      // partial_unknown: "not known" may join other options ("at least these; the rest not known").
      const partial = raw.partial_unknown === true && q.allowUnknown && list.includes(UNKNOWN);
      for (const item of list)
        if (typeof item !== "string" || !(q.options.includes(item) || (partial && item === UNKNOWN)))
          return { ok: false, message: `${JSON.stringify(item)} is not an option; ${optionList()}` };
      if (new Set(list).size !== list.length) return { ok: false, message: "an option is listed twice" };
      const exclusive = list.filter((x) => (raw.exclusive ?? []).includes(x as string) && !(partial && x === UNKNOWN));
      if (partial && exclusive.length > 0) return { ok: false, message: `"${exclusive[0]}" cannot be combined with other answers` };
      if (!partial && list.includes(UNKNOWN) && list.length > 1 && !(raw.exclusive ?? []).includes(UNKNOWN))
        return { ok: false, message: `"unknown" cannot be combined with other answers here` };
      if (exclusive.length > 0 && list.length > 1) return { ok: false, message: `"${exclusive[0]}" cannot be combined with other answers` };
      return { ok: true, answer: list as string[] };
    }
    case "number": {
      const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
      if (typeof n !== "number" || !Number.isFinite(n)) return { ok: false, message: `${JSON.stringify(value)} is not a number` };
      if (raw.integer && !Number.isInteger(n)) return { ok: false, message: `${n} is not a whole number` };
      if (raw.min !== undefined && n < raw.min) return { ok: false, message: `${n} is below the minimum ${raw.min}` };
      if (raw.max !== undefined && n > raw.max) return { ok: false, message: `${n} is above the maximum ${raw.max}` };
      return { ok: true, answer: n };
    }
    case "date": {
      const d = typeof value === "string" ? parseDate(value) : undefined;
      return d ? { ok: true, answer: d } : { ok: false, message: `${JSON.stringify(value)} is not a date; expected YYYY-MM-DD` };
    }
    case "datetime": {
      const gap = typeof value === "string" ? localTimeGap(value, timeZone) : undefined;
      if (gap) return { ok: false, message: gap };
      const t = typeof value === "string" ? parseDateTime(value, timeZone) : undefined;
      return t
        ? { ok: true, answer: formatInZone(t, timeZone) }
        : { ok: false, message: `${JSON.stringify(value)} is not a date-time; expected YYYY-MM-DDTHH:MM (local to ${timeZone}) or with an offset` };
    }
    case "text":
      if (typeof value === "number") return { ok: true, answer: String(value) };
      if (typeof value !== "string" || value.trim() === "") return { ok: false, message: "expected some text" };
      if (value.trim().length > (raw.max_length ?? FREE_TEXT_MAX_CHARS))
        return {
          ok: false,
          message: `the answer is ${value.trim().length} characters long, over the limit of ${raw.max_length ?? FREE_TEXT_MAX_CHARS}${raw.max_length ? " (the question's max_length)" : " characters for free text"}`,
        };
      return { ok: true, answer: value.trim() };
  }
}

/** Which questions are asked given the answers so far (unknown_counts_as applied, as in evaluation). */
export function visibleQuestions(rs: CompiledRuleSet, answers: Readonly<Record<string, Answer>>, history: HistoryFacts = NO_HISTORY): boolean[] {
  const env = emptyEnv(rs, history);
  return rs.questions.map((q) => {
    const visible = q.visible ? q.visible(env) : true;
    const a = answers[q.id];
    if (visible && a !== undefined) setAnswer(env, q, a);
    return visible;
  });
}

export function checkAnswers(rs: CompiledRuleSet, written: Readonly<Record<string, unknown>>, mode: UnansweredMode = "error"): CheckedAnswers {
  const tz = rs.officeHours.time_zone;
  const problems: AnswerProblem[] = [];
  const warnings: string[] = [];
  const ids = rs.questions.map((q) => q.id);
  for (const key of Object.keys(written)) {
    if (!rs.questionIndex.has(key)) {
      const near = closest(key, ids, 1)[0];
      problems.push({ question: key, message: `unknown question "${key}"${near ? `; did you mean "${near}"?` : ""}` });
    }
  }
  const answers: Record<string, Answer> = {};
  const env = emptyEnv(rs);
  for (const q of rs.questions) {
    const value = written[q.id];
    const visible = q.visible ? q.visible(env) : true;
    if (!visible) {
      if (value !== undefined && value !== null) warnings.push(`answer to "${q.id}" ignored: the question is not asked for this referral`);
      continue;
    }
    if (value === undefined || value === null || value === "") {
      if (q.raw.optional) continue;
      if (mode === "unknown" && q.allowUnknown) {
        answers[q.id] = q.raw.type === "multiselect" ? [UNKNOWN] : UNKNOWN;
        warnings.push(`"${q.id}" was not answered: counted as "not known"`);
      } else {
        problems.push({
          question: q.id,
          message: `question "${q.id}" is not answered (${q.raw.ask})${q.allowUnknown ? `; write "unknown" if not known, or use --unanswered unknown` : ""}`,
        });
        continue;
      }
    } else {
      const result = normaliseAnswer(q, value, tz);
      if (!result.ok) {
        problems.push({ question: q.id, message: `question "${q.id}": ${result.message}` });
        continue;
      }
      answers[q.id] = result.answer;
    }
    setAnswer(env, q, answers[q.id]!);
  }
  return { answers, warnings, problems };
}
