/**
 * Fixture referrals: answers, optional history and clock, and what the rules must decide. Pure: the
 * caller reads the files. Used by `triage rules test`, by vitest, and by `rules diff` for replay.
 */
import { checkAnswers } from "./answers.js";
import type { CompiledRuleSet } from "./compile.js";
import { evaluate } from "./evaluate.js";
import { formatInZone, parseDateTime } from "./time.js";
import { NO_HISTORY, type Decision, type GuardStatus, type HistoryFacts, type HistoryUsed } from "./types.js";
import { parseSource, toData } from "./yaml-source.js";

/** What a fixture expects; a list or field left undefined is not checked. */
export interface FixtureExpect {
  outcome: string;
  fired?: string[] | undefined;
  not_fired?: string[] | undefined;
  steps?: string[] | undefined;
  /** Exactly these steps were already past due when the decision was made (a late decision). */
  overdue?: string[] | undefined;
  guards?: Record<string, GuardStatus> | undefined;
  flags?: string[] | undefined;
  /** null: no hard floor applies. */
  hard_floor?: string | null | undefined;
}

export interface Fixture {
  file: string;
  name: string;
  description?: string;
  now: string;
  answers: Record<string, unknown>;
  history: Partial<HistoryFacts>;
  expect: FixtureExpect;
  todo: boolean;
}

export interface CaseResult {
  file: string;
  name: string;
  ok: boolean;
  todo: boolean;
  /** Human lines: what differs, expected vs got. Empty when ok. */
  differences: string[];
  decision?: Decision;
}

export interface Coverage {
  rulesNeverFired: string[];
  rulesNeverNotFired: string[];
  guardsNeverHolding: string[];
  guardsNeverReleased: string[];
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === "string") ? v : undefined);

/** Parses one fixture file; problems are located messages. */
export function parseFixture(text: string, file: string): { fixture?: Fixture; problems: string[] } {
  const source = parseSource(text, file);
  if (source.syntaxProblems.length > 0) return { problems: source.syntaxProblems };
  const read = toData(source);
  if (!read.ok) return { problems: read.problems };
  const data = read.data;
  const problems: string[] = [];
  if (!isMap(data)) return { problems: [`${file}:1:1: expected a fixture map (name, now, answers, expect)`] };
  const known = new Set(["name", "description", "now", "answers", "history", "expect", "todo"]);
  for (const key of Object.keys(data)) if (!known.has(key)) problems.push(`${file}: unknown key "${key}"; expected ${[...known].join(", ")}`);
  if (typeof data.name !== "string") problems.push(`${file}: "name" is required`);
  if (typeof data.now !== "string") problems.push(`${file}: "now" (the clock, e.g. 2026-04-17T10:30) is required`);
  if (!isMap(data.answers)) problems.push(`${file}: "answers" must be a map from question id to answer`);
  if (data.history !== undefined && !isMap(data.history)) problems.push(`${file}: "history" must be a map of history facts`);
  const e = data.expect;
  if (!isMap(e) || typeof e.outcome !== "string") problems.push(`${file}: "expect.outcome" is required`);
  if (problems.length > 0) return { problems };
  const ex = e as Record<string, unknown>;
  return {
    problems: [],
    fixture: {
      file,
      name: data.name as string,
      ...(typeof data.description === "string" && { description: data.description }),
      now: data.now as string,
      answers: data.answers as Record<string, unknown>,
      history: data.history ?? {},
      todo: data.todo === true,
      expect: {
        outcome: ex.outcome as string,
        fired: strings(ex.fired),
        not_fired: strings(ex.not_fired),
        steps: strings(ex.steps),
        overdue: strings(ex.overdue),
        guards: isMap(ex.guards) ? (ex.guards as Record<string, GuardStatus>) : undefined,
        flags: strings(ex.flags),
        hard_floor: ex.hard_floor === undefined ? undefined : (ex.hard_floor as string | null),
      },
    },
  };
}

export function fixtureHistory(fixture: Fixture): HistoryUsed {
  const facts = { ...NO_HISTORY, ...fixture.history };
  return { referrals_in_window: facts.referrals_in_window, distinct_referrers: facts.distinct_referrers, earlier: [], possible_matches: [], facts };
}

/** Evaluates a fixture; `undefined` decision with problems when its answers or clock do not fit the rule set. */
export function evaluateFixture(rs: CompiledRuleSet, fixture: Fixture): { decision?: Decision; problems: string[] } {
  const tz = rs.officeHours.time_zone;
  const now = parseDateTime(fixture.now, tz);
  const checked = checkAnswers(rs, fixture.answers);
  const problems = checked.problems.map((p) => p.message);
  if (!now) problems.push(`"now" ${JSON.stringify(fixture.now)} is not a date-time`);
  if (problems.length > 0 || !now) return { problems };
  return {
    decision: evaluate(rs, { answers: checked.answers, history: fixtureHistory(fixture), now: formatInZone(now, tz), warnings: checked.warnings }),
    problems: [],
  };
}

export function runFixture(rs: CompiledRuleSet, fixture: Fixture): CaseResult {
  const base = { file: fixture.file, name: fixture.name, todo: fixture.todo };
  const { decision, problems } = evaluateFixture(rs, fixture);
  if (!decision) return { ...base, ok: false, differences: problems.map((p) => `answers: ${p}`) };
  const e = fixture.expect;
  const diff: string[] = [];
  const fired = new Set(decision.fired.map((f) => f.id));
  if (decision.computed_outcome.id !== e.outcome) diff.push(`outcome: expected ${e.outcome}, got ${decision.computed_outcome.id}`);
  const missed = (e.fired ?? []).filter((id) => !fired.has(id));
  if (missed.length > 0) diff.push(`missed rules (expected to fire): ${missed.join(", ")}`);
  const extra = (e.not_fired ?? []).filter((id) => fired.has(id));
  if (extra.length > 0) diff.push(`extra rules (expected not to fire): ${extra.join(", ")}`);
  const steps = new Set(decision.steps.map((s) => s.id));
  const missingSteps = (e.steps ?? []).filter((id) => !steps.has(id));
  if (missingSteps.length > 0) diff.push(`missing steps: ${missingSteps.join(", ")}`);
  if (e.overdue !== undefined) {
    const overdue = decision.steps.filter((s) => s.overdue_at_decision).map((s) => s.id);
    if ([...overdue].sort().join() !== [...e.overdue].sort().join())
      diff.push(`overdue steps: expected ${e.overdue.join(", ") || "none"}, got ${overdue.join(", ") || "none"}`);
  }
  const missingFlags = (e.flags ?? []).filter((f) => !decision.flags.includes(f));
  if (missingFlags.length > 0) diff.push(`missing flags: ${missingFlags.join(", ")} (got: ${decision.flags.join(", ") || "none"})`);
  for (const [id, status] of Object.entries(e.guards ?? {})) {
    const got = decision.guards.find((g) => g.id === id);
    if (!got) diff.push(`guard ${id}: not in the rule set`);
    else if (got.status !== status)
      diff.push(`guard ${id}: expected ${status}, got ${got.status}${got.outstanding.length > 0 ? ` (outstanding: ${got.outstanding.join(", ")})` : ""}`);
  }
  if (e.hard_floor !== undefined && decision.hard_floor !== e.hard_floor)
    diff.push(`hard floor: expected ${e.hard_floor ?? "none"}, got ${decision.hard_floor ?? "none"}`);
  // Expectations must name things that exist, or a typo would make a check that cannot fail.
  for (const id of [...(e.fired ?? []), ...(e.not_fired ?? [])]) if (!rs.rules.has(id)) diff.push(`expectation names unknown rule "${id}"`);
  for (const id of [...(e.steps ?? []), ...(e.overdue ?? [])]) if (!rs.steps.has(id)) diff.push(`expectation names unknown step "${id}"`);
  if (!rs.outcomeLevel.has(e.outcome)) diff.push(`expectation names unknown outcome "${e.outcome}"`);
  return { ...base, ok: diff.length === 0, differences: diff, decision };
}

export function coverage(rs: CompiledRuleSet, results: readonly CaseResult[]): Coverage {
  const decisions = results.flatMap((r) => (r.decision ? [r.decision] : []));
  const firedIn = (id: string) => decisions.some((d) => d.fired.some((f) => f.id === id));
  const notFiredIn = (id: string) => decisions.some((d) => !d.fired.some((f) => f.id === id));
  const guardSeen = (id: string, status: GuardStatus) => decisions.some((d) => d.guards.some((g) => g.id === id && g.status === status));
  const ruleIds = [...rs.rules.keys()];
  const guardIds = rs.guards.map((g) => g.raw.id);
  return {
    rulesNeverFired: ruleIds.filter((id) => !firedIn(id)),
    rulesNeverNotFired: ruleIds.filter((id) => !notFiredIn(id)),
    guardsNeverHolding: guardIds.filter((id) => !guardSeen(id, "holding")),
    guardsNeverReleased: guardIds.filter((id) => !guardSeen(id, "released")),
  };
}

export function coverageComplete(c: Coverage): boolean {
  return c.rulesNeverFired.length + c.rulesNeverNotFired.length + c.guardsNeverHolding.length + c.guardsNeverReleased.length === 0;
}
