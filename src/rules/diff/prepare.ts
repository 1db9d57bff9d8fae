/**
 * Preparing a case for one rule set: a fixture or a logged decision made into evaluation input,
 * or the reasons it cannot be replayed under that rule set.
 */
import { checkAnswers } from "../answers.js";
import { canonicalJson, sha256Hex } from "../canonical.js";
import type { CompiledRuleSet } from "../compile.js";
import type { EvaluateOptions } from "../evaluate.js";
import { fixtureHistory, type Fixture } from "../fixtures.js";
import type { RawRuleSet } from "../schema.js";
import { formatInZone, parseDateTime } from "../time.js";
import type { Answer, Decision, HistoryUsed } from "../types.js";
import { conditionThresholds } from "./thresholds.js";

/** A case made ready for one rule set: its input, or why it cannot be replayed there. */
export interface Prepared {
  input?: EvaluateOptions;
  /** Answers that do not fit the rule set (a removed option, a changed type…): not replayable. */
  problems: string[];
  /** Visible questions the case never answered (added since): replayed unanswered. */
  unanswered: string[];
  /** Answers to questions the rule set does not have (removed since): ignored. */
  ignored: string[];
}

/**
 * The questions and whatever decides their visibility (thresholds their `when` reads): when equal
 * for two rule sets, answers valid under one are valid, and visible, under the other.
 */
export function questionsKey(raw: RawRuleSet): string {
  const used = new Set<string>();
  for (const q of raw.questions) if (q.when) for (const name of conditionThresholds(q.when)) used.add(name);
  const values = [...used].sort().map((name) => [name, raw.thresholds[name]?.value ?? null]);
  return sha256Hex(canonicalJson({ questions: raw.questions, thresholds: values, tz: raw.office_hours.time_zone }));
}

function checked(rs: CompiledRuleSet, written: Readonly<Record<string, unknown>>): Omit<Prepared, "input"> & { answers: Record<string, Answer> } {
  const ignored = Object.keys(written).filter((k) => !rs.questionIndex.has(k));
  const known = ignored.length === 0 ? written : Object.fromEntries(Object.entries(written).filter(([k]) => rs.questionIndex.has(k)));
  const result = checkAnswers(rs, known, "error");
  const unanswered: string[] = [];
  const problems: string[] = [];
  for (const p of result.problems) {
    if (rs.questionIndex.has(p.question) && (known[p.question] === undefined || known[p.question] === null)) unanswered.push(p.question);
    else problems.push(p.message);
  }
  return { answers: result.answers, problems, unanswered, ignored };
}

/** A logged decision: its answers and history as used, with its clock (decided_at). */
export interface LoggedCase {
  answers: Record<string, Answer>;
  history: HistoryUsed;
  decided_at: string;
  /** The logged record itself: when it was made under the old rule set, it is that rule set's decision. */
  decision?: Decision;
}

/**
 * Prepares a logged decision for `rs`. `trusted`: the answers were validated under a rule set with
 * the same questionsKey, so they are used as they are (the fast path of a threshold change).
 */
export function prepareLogged(rs: CompiledRuleSet, logged: LoggedCase, trusted: boolean): Prepared {
  if (trusted) return { input: { answers: logged.answers, history: logged.history, now: logged.decided_at }, problems: [], unanswered: [], ignored: [] };
  const c = checked(rs, logged.answers);
  if (c.problems.length > 0) return { problems: c.problems, unanswered: c.unanswered, ignored: c.ignored };
  return { input: { answers: c.answers, history: logged.history, now: logged.decided_at }, problems: [], unanswered: c.unanswered, ignored: c.ignored };
}

/** Prepares a fixture (its clock is local to the rule set's zone unless it has an offset). */
export function prepareFixture(rs: CompiledRuleSet, fixture: Fixture): Prepared {
  const tz = rs.officeHours.time_zone;
  const now = parseDateTime(fixture.now, tz);
  const c = checked(rs, fixture.answers);
  const problems = [...c.problems];
  if (!now) problems.push(`"now" ${JSON.stringify(fixture.now)} is not a date-time`);
  if (problems.length > 0 || !now) return { problems, unanswered: c.unanswered, ignored: c.ignored };
  return {
    input: { answers: c.answers, history: fixtureHistory(fixture), now: formatInZone(now, tz) },
    problems: [],
    unanswered: c.unanswered,
    ignored: c.ignored,
  };
}
