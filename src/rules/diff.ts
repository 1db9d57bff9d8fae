/**
 * Rule-set impact (`triage rules diff`): what changed between two rule sets, and what they decide
 * differently for the same cases. Pure: the shell reads the files and the log and feeds cases in
 * one at a time, so a replay of 100k logged decisions never holds more than the changed ones.
 *
 * Replay evaluates each case once under each rule set (compiled once). Only a case whose outcome,
 * fired rules, guards, steps or flags differ pays for the explain traces that give its reason.
 */
import { checkAnswers } from "./answers.js";
import { canonicalJson, compareIds, sha256Hex } from "./canonical.js";
import type { CompiledRuleSet } from "./compile.js";
import { forEachLeaf, traceCondition, type ConditionTrace } from "./conditions.js";
import { evaluateDetailed, type EvaluateOptions, type EvaluationDetail } from "./evaluate.js";
import { fixtureHistory, type Fixture } from "./fixtures.js";
import { optionValues } from "./resolve.js";
import type { RawCondition, RawDuration, RawRuleSet } from "./schema.js";
import { formatInZone, parseDateTime } from "./time.js";
import type { Answer, Decision, FiredRule, GuardStatus, HistoryUsed, OutcomeRef } from "./types.js";

// ---------------------------------------------------------------------------------------------
// Where thresholds are used.

/** `history`: read by the shell itself (the window for counting earlier referrals). */
export type UseKind = "outcome" | "question" | "step" | "check" | "rule" | "guard" | "invariant" | "history";

export interface ThresholdUse {
  kind: UseKind;
  id: string;
  /** The part that names the threshold: when, response_times.decide_by, due, required_when, … */
  where: string;
}

const COMPARISONS = ["eq", "ne", "gte", "gt", "lte", "lt"] as const;

function thresholdName(operand: unknown): string | undefined {
  return operand !== null && typeof operand === "object" && !Array.isArray(operand) && typeof (operand as { threshold?: unknown }).threshold === "string" ? (operand as { threshold: string }).threshold : undefined;
}

/** Threshold names a condition compares with. */
export function conditionThresholds(condition: RawCondition): Set<string> {
  const names = new Set<string>();
  forEachLeaf(condition, [], (leaf) => {
    for (const op of COMPARISONS) {
      const name = thresholdName(leaf[op]);
      if (name) names.add(name);
    }
    if (Array.isArray(leaf.between)) for (const end of leaf.between) if (thresholdName(end)) names.add(thresholdName(end)!);
  });
  return names;
}

function durationThreshold(d: RawDuration | { deadline: string } | undefined): string | undefined {
  if (!d || "deadline" in d) return undefined;
  return thresholdName(Object.values(d)[0]);
}

/** For every threshold of the rule set (in file order), what refers to it. */
export function thresholdUses(raw: RawRuleSet): Map<string, ThresholdUse[]> {
  const uses = new Map<string, ThresholdUse[]>(Object.keys(raw.thresholds).map((name) => [name, []]));
  const add = (name: string | undefined, use: ThresholdUse) => {
    if (name === undefined) return;
    const list = uses.get(name) ?? [];
    if (!list.some((u) => u.kind === use.kind && u.id === use.id && u.where === use.where)) list.push(use);
    uses.set(name, list);
  };
  const inCondition = (c: RawCondition | undefined, kind: UseKind, id: string, where: string) => {
    if (c) for (const name of conditionThresholds(c)) add(name, { kind, id, where });
  };
  for (const o of raw.outcomes) for (const [name, d] of Object.entries(o.response_times)) add(durationThreshold(d), { kind: "outcome", id: o.id, where: `response_times.${name}` });
  for (const q of raw.questions) inCondition(q.when, "question", q.id, "when");
  for (const s of raw.steps) add(durationThreshold(s.due), { kind: "step", id: s.id, where: "due" });
  for (const c of raw.checks) {
    inCondition(c.required_when, "check", c.id, "required_when");
    inCondition(c.satisfied_when, "check", c.id, "satisfied_when");
  }
  for (const r of raw.rules) inCondition(r.when, "rule", r.id, "when");
  for (const g of raw.guards) {
    inCondition(g.when, "guard", g.id, "when");
    inCondition(g.hard_stop_when, "guard", g.id, "hard_stop_when");
  }
  for (const i of raw.invariants) if (i.kind === "out_of_hours_provisional") inCondition(i.when, "invariant", i.id, "when");
  return uses;
}

// ---------------------------------------------------------------------------------------------
// Structural diff.

export type Change = "added" | "removed" | "changed";

export interface RuleSetIdentity {
  id: string;
  version: string;
  sha256: string;
}

export interface ItemDiff {
  id: string;
  change: Change;
  /** For "changed": one line per field, e.g. "floor: early_help → s17_assessment", "when changed". */
  details: string[];
}

export interface ThresholdDiff {
  name: string;
  change: Change;
  from?: number;
  to?: number;
  details: string[];
  used_by: ThresholdUse[];
}

export interface OptionDiff {
  question: string;
  added: string[];
  removed: string[];
}

export const SECTIONS = ["outcomes", "questions", "steps", "checks", "rules", "guards", "closure_reasons", "invariants"] as const;
export type Section = (typeof SECTIONS)[number];

export interface RuleSetDiff {
  old: RuleSetIdentity;
  new: RuleSetIdentity;
  /** Same canonical content (same SHA-256): comments, key order and list order never count. */
  identical: boolean;
  /** Top-level settings: id, version, title, default outcome, office hours… */
  settings: string[];
  thresholds: ThresholdDiff[];
  options: OptionDiff[];
  sections: Record<Section, ItemDiff[]>;
  /** How many entries above (0 when identical). */
  count: number;
}

const same = (a: unknown, b: unknown): boolean => canonicalJson(a ?? null) === canonicalJson(b ?? null);
const isScalar = (v: unknown): v is string | number | boolean => typeof v === "string" || typeof v === "number" || typeof v === "boolean";
const SHORT = 48;

function showScalar(v: unknown): string {
  if (v === undefined || v === null) return "(none)";
  return typeof v === "string" ? v : String(v);
}

function listDelta(a: readonly unknown[], b: readonly unknown[]): { added: string[]; removed: string[] } {
  const as = a.map((x) => canonicalJson(x));
  const bs = b.map((x) => canonicalJson(x));
  const text = (s: string) => (s.startsWith('"') ? (JSON.parse(s) as string) : s);
  return { added: bs.filter((x) => !as.includes(x)).map(text), removed: as.filter((x) => !bs.includes(x)).map(text) };
}

/** One line per field that differs between two items of the same id. */
export function fieldChanges(a: Record<string, unknown>, b: Record<string, unknown>, skip: readonly string[] = []): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !skip.includes(k));
  const out: string[] = [];
  for (const key of keys) {
    const x = a[key];
    const y = b[key];
    if (same(x, y)) continue;
    const scalarish = (v: unknown) => v === undefined || isScalar(v);
    if (scalarish(x) && scalarish(y) && String(x ?? "").length <= SHORT && String(y ?? "").length <= SHORT) out.push(`${key}: ${showScalar(x)} → ${showScalar(y)}`);
    else if ((x === undefined || (Array.isArray(x) && x.every(isScalar))) && (y === undefined || (Array.isArray(y) && y.every(isScalar)))) {
      const { added, removed } = listDelta((x as unknown[] | undefined) ?? [], (y as unknown[] | undefined) ?? []);
      const parts = [...added.map((v) => `+${v}`), ...removed.map((v) => `−${v}`)];
      out.push(parts.length > 0 ? `${key}: ${parts.join(" ")}` : `${key}: reordered`);
    } else if (x === undefined) out.push(`${key} added`);
    else if (y === undefined) out.push(`${key} removed`);
    else out.push(`${key} changed`);
  }
  return out;
}

function diffById<T extends { id: string }>(a: readonly T[], b: readonly T[], extra?: (x: T, y: T) => string[], skip: readonly string[] = []): ItemDiff[] {
  const before = new Map(a.map((x) => [x.id, x]));
  const after = new Map(b.map((x) => [x.id, x]));
  const out: ItemDiff[] = [];
  for (const x of a) if (!after.has(x.id)) out.push({ id: x.id, change: "removed", details: [] });
  for (const y of b) {
    const x = before.get(y.id);
    if (!x) out.push({ id: y.id, change: "added", details: [] });
    else if (!same(x, y) || (extra && extra(x, y).length > 0)) {
      const details = [...(extra ? extra(x, y) : []), ...fieldChanges(x as unknown as Record<string, unknown>, y as unknown as Record<string, unknown>, skip)];
      if (details.length > 0) out.push({ id: y.id, change: "changed", details });
    }
  }
  return out.sort((p, q) => compareIds(p.id, q.id));
}

export function identityOf(rs: CompiledRuleSet): RuleSetIdentity {
  return { id: rs.id, version: rs.version, sha256: rs.sha256 };
}

export function diffRuleSets(oldRs: CompiledRuleSet, newRs: CompiledRuleSet): RuleSetDiff {
  const empty = (): Record<Section, ItemDiff[]> => ({ outcomes: [], questions: [], steps: [], checks: [], rules: [], guards: [], closure_reasons: [], invariants: [] });
  const base = { old: identityOf(oldRs), new: identityOf(newRs) };
  if (oldRs.sha256 === newRs.sha256) return { ...base, identical: true, settings: [], thresholds: [], options: [], sections: empty(), count: 0 };
  const a = oldRs.raw;
  const b = newRs.raw;

  const settings = fieldChanges(
    { id: a.id, version: a.version, title: a.title, description: a.description, default_outcome: a.default_outcome },
    { id: b.id, version: b.version, title: b.title, description: b.description, default_outcome: b.default_outcome },
  );
  settings.push(...fieldChanges(a.office_hours, b.office_hours).map((line) => `office_hours.${line}`));

  const usesOld = thresholdUses(a);
  const usesNew = thresholdUses(b);
  const thresholds: ThresholdDiff[] = [];
  for (const [name, t] of Object.entries(a.thresholds)) {
    if (!(name in b.thresholds)) thresholds.push({ name, change: "removed", from: t.value, details: [], used_by: usesOld.get(name) ?? [] });
  }
  for (const [name, t] of Object.entries(b.thresholds)) {
    const before = a.thresholds[name];
    if (!before) thresholds.push({ name, change: "added", to: t.value, details: [], used_by: usesNew.get(name) ?? [] });
    else if (!same(before, t)) {
      const details = fieldChanges(before, t, ["value"]);
      thresholds.push({ name, change: "changed", from: before.value, to: t.value, details, used_by: usesNew.get(name) ?? [] });
    }
  }

  const levelOf = (list: readonly { id: string }[], id: string) => list.findIndex((o) => o.id === id) + 1;
  const sections = empty();
  sections.outcomes = diffById(a.outcomes, b.outcomes, (x, y) => {
    const from = levelOf(a.outcomes, x.id);
    const to = levelOf(b.outcomes, y.id);
    return from === to ? [] : [`level ${from} → ${to}`];
  });
  sections.questions = diffById(a.questions, b.questions, undefined, ["options"]);
  const options: OptionDiff[] = [];
  const questionsBefore = new Map(a.questions.map((q) => [q.id, q]));
  for (const q of b.questions) {
    const before = questionsBefore.get(q.id);
    if (!before) continue;
    const { added, removed } = listDelta(optionValues(before), optionValues(q));
    if (added.length + removed.length > 0) {
      options.push({ question: q.id, added, removed });
      if (!sections.questions.some((d) => d.id === q.id)) sections.questions.push({ id: q.id, change: "changed", details: [] });
    }
    // Labels and help of options also count as a change of the question.
    if (added.length + removed.length === 0 && !same(before.options, q.options)) {
      const entry = sections.questions.find((d) => d.id === q.id);
      if (entry) entry.details.push("options: labels or order changed");
      else sections.questions.push({ id: q.id, change: "changed", details: ["options: labels or order changed"] });
    }
  }
  for (const entry of sections.questions) {
    const o = options.find((x) => x.question === entry.id);
    if (o) entry.details.unshift(`options: ${[...o.added.map((v) => `+${v}`), ...o.removed.map((v) => `−${v}`)].join(" ")}`);
  }
  sections.questions.sort((p, q) => compareIds(p.id, q.id));
  sections.steps = diffById(a.steps, b.steps);
  sections.checks = diffById(a.checks, b.checks);
  sections.rules = diffById(a.rules, b.rules);
  sections.guards = diffById(a.guards, b.guards);
  sections.closure_reasons = diffById(a.closure_reasons, b.closure_reasons);
  sections.invariants = diffById(a.invariants, b.invariants);
  const count = settings.length + thresholds.length + SECTIONS.reduce((n, s) => n + sections[s].length, 0);
  return { ...base, identical: false, settings, thresholds, options, sections, count };
}

// ---------------------------------------------------------------------------------------------
// Preparing a case for one rule set.

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
  return { input: { answers: c.answers, history: fixtureHistory(fixture), now: formatInZone(now, tz) }, problems: [], unanswered: c.unanswered, ignored: c.ignored };
}

// ---------------------------------------------------------------------------------------------
// Comparing one case under two rule sets, and why it differs.

export type Direction = "up" | "down" | "same_level" | "unchanged";

/** A leaf of a condition, in a few words: "contacts_last_12m 2 < repeat_referrals_assessment 3". */
export function describeLeaf(t: ConditionTrace): string {
  const holds = t.result === true;
  const subject = t.subject ?? "?";
  if (t.op === "answered") return `${subject} ${holds === t.expected ? "answered" : "not answered"}`;
  if (t.op === "unknown") return `${subject} ${holds === t.expected ? "not known" : "known"}`;
  const words: Record<string, [string, string]> = {
    eq: ["=", "≠"],
    ne: ["≠", "="],
    gte: ["≥", "<"],
    gt: [">", "≤"],
    lte: ["≤", ">"],
    lt: ["<", "≥"],
    in: ["in", "not in"],
    not_in: ["not in", "in"],
    contains_any: ["includes one of", "includes none of"],
    contains_all: ["includes all of", "lacks some of"],
    contains_none: ["includes none of", "includes one of"],
    between: ["within", "outside"],
  };
  const op = (words[t.op ?? ""] ?? [t.op ?? "?", `not ${t.op ?? "?"}`])[holds ? 0 : 1];
  const show = (v: unknown): string => {
    if (v === null || v === undefined) return "(not answered)";
    if (Array.isArray(v)) return `[${v.slice(0, 3).map(show).join(", ")}${v.length > 3 ? ", …" : ""}]`;
    if (typeof v === "object") return thresholdName(v) ?? JSON.stringify(v);
    return String(v);
  };
  const actual = t.actual_unknown ? "not known" : show(t.actual);
  const thresholds = t.thresholds ?? [];
  let expected: string;
  if (thresholds.length > 0 && t.op !== "between") expected = `${thresholds[0]!.name} ${thresholds[0]!.value}`;
  else if (t.op === "between" && Array.isArray(t.expected)) {
    const end = (v: unknown) => {
      const name = thresholdName(v);
      const th = name ? thresholds.find((x) => x.name === name) : undefined;
      return th ? `${th.name} ${th.value}` : show(v);
    };
    expected = `${end(t.expected[0])}–${end(t.expected[1])}`;
  } else expected = show(t.expected);
  return `${subject} ${actual} ${op} ${expected}`;
}

/** Collects the leaves evaluated on both sides whose result differs; false when the two conditions differ in shape. */
function flippedLeaves(a: ConditionTrace, b: ConditionTrace, out: ConditionTrace[]): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === "leaf") {
    if (a.subject !== b.subject || a.op !== b.op) return false;
    if (a.result !== "not_evaluated" && b.result !== "not_evaluated" && a.result !== b.result) out.push(b);
    return true;
  }
  const ai = a.items ?? [];
  const bi = b.items ?? [];
  if (ai.length !== bi.length) return false;
  let sameShape = true;
  for (let i = 0; i < ai.length; i++) sameShape = flippedLeaves(ai[i]!, bi[i]!, out) && sameShape;
  return sameShape;
}

function leavesWhere(t: ConditionTrace, test: (leaf: ConditionTrace) => boolean, out: ConditionTrace[]): void {
  if (t.kind === "leaf") {
    if (test(t)) out.push(t);
    return;
  }
  for (const item of t.items ?? []) leavesWhere(item, test, out);
}

function ruleTrace(rs: CompiledRuleSet, detail: EvaluationDetail, id: string): ConditionTrace | undefined {
  const rule = rs.rules.get(id);
  if (!rule) return undefined;
  const level = detail.testedAtLevel.get(id) ?? 0;
  return traceCondition(rule.when, { ...detail.env, level }, (l) => rs.outcomes[l - 1]?.id ?? "none");
}

function effectText(f: FiredRule): string {
  if (f.effect === "floor") return `floors at ${f.outcome}${f.hard ? " (hard)" : ""}`;
  if (f.effect === "raise") return `raises to ${f.outcome}`;
  return "adds steps and flags only";
}

/** One side of a comparison: the decision, and on demand the evaluation detail its traces need. */
export interface Side {
  decision: Decision;
  detail(): EvaluationDetail;
}

export function evaluatedSide(detail: EvaluationDetail): Side {
  return { decision: detail.decision, detail: () => detail };
}

/** Compares the two evaluations of one case. */
export class CaseComparison {
  readonly from: OutcomeRef;
  readonly to: OutcomeRef;
  readonly direction: Direction;
  readonly firedOld: Set<string>;
  readonly firedNew: Set<string>;

  constructor(
    readonly oldRs: CompiledRuleSet,
    readonly newRs: CompiledRuleSet,
    readonly o: Side,
    readonly n: Side,
    readonly changedThresholds: ReadonlySet<string> = new Set(),
  ) {
    this.from = o.decision.computed_outcome;
    this.to = n.decision.computed_outcome;
    this.direction = this.to.level > this.from.level ? "up" : this.to.level < this.from.level ? "down" : this.to.id !== this.from.id ? "same_level" : "unchanged";
    this.firedOld = new Set(o.decision.fired.map((f) => f.id));
    this.firedNew = new Set(n.decision.fired.map((f) => f.id));
  }

  get outcomeChanged(): boolean {
    return this.direction !== "unchanged";
  }

  /** Anything a worker would see differently: outcome, fired rules, hard floor, guards, steps, flags. */
  get anyChange(): boolean {
    if (this.outcomeChanged) return true;
    const a = this.o.decision;
    const b = this.n.decision;
    if (a.fired.length !== b.fired.length || a.fired.some((f) => !this.firedNew.has(f.id))) return true;
    if (a.hard_floor !== b.hard_floor) return true;
    if (a.guards.length !== b.guards.length || a.guards.some((g, i) => b.guards[i]!.id !== g.id || b.guards[i]!.status !== g.status)) return true;
    if (a.steps.length !== b.steps.length || a.steps.some((s) => !b.steps.some((t) => t.id === s.id))) return true;
    return a.flags.length !== b.flags.length || a.flags.some((f) => !b.flags.includes(f));
  }

  get rulesAdded(): string[] {
    return [...this.firedNew].filter((id) => !this.firedOld.has(id));
  }

  get rulesRemoved(): string[] {
    return [...this.firedOld].filter((id) => !this.firedNew.has(id));
  }

  guardChanges(): { id: string; from: GuardStatus | "absent"; to: GuardStatus | "absent" }[] {
    const before = new Map(this.o.decision.guards.map((g) => [g.id, g.status]));
    const after = new Map(this.n.decision.guards.map((g) => [g.id, g.status]));
    const ids = [...new Set([...before.keys(), ...after.keys()])].sort(compareIds);
    return ids.map((id) => ({ id, from: before.get(id) ?? ("absent" as const), to: after.get(id) ?? ("absent" as const) })).filter((g) => g.from !== g.to);
  }

  /** Why a rule's firing differs, from its condition traces under each rule set. */
  #why(id: string, firesNow: boolean): string {
    const before = ruleTrace(this.oldRs, this.o.detail(), id);
    const after = ruleTrace(this.newRs, this.n.detail(), id);
    if (!after) return " (removed in the new rule set)";
    if (!before) return " (a new rule)";
    const flipped: ConditionTrace[] = [];
    const sameShape = flippedLeaves(before, after, flipped);
    let shown = sameShape ? flipped : [];
    if (shown.length === 0) {
      // A condition rewritten, or a short-circuit that hid the leaf: the new condition's leaves that
      // came out the way the rule did (changed thresholds first).
      const leaves: ConditionTrace[] = [];
      leavesWhere(after, (l) => l.result === firesNow && (!sameShape || (l.thresholds ?? []).some((t) => this.changedThresholds.has(t.name))), leaves);
      shown = leaves;
    }
    const onChanged = (t: ConditionTrace) => Number((t.thresholds ?? []).some((x) => this.changedThresholds.has(x.name))) * 2 + Number((t.thresholds ?? []).length > 0);
    const ranked = [...shown].sort((x, y) => onChanged(y) - onChanged(x));
    const parts = ranked.slice(0, 2).map(describeLeaf);
    if (!sameShape) parts.unshift("its condition changed");
    return parts.length > 0 ? ` (${parts.join("; ")})` : "";
  }

  /**
   * One line: what moved the outcome, causes first, e.g. "E1_repeat_referral no longer fires
   * (contacts_last_12m 2 < repeat_referrals_assessment 3)". Rules whose firing changed because a
   * condition they read changed come before rules that only follow the outcome so far; rules and
   * guards at the level that decided come first; steps and flags are named only when nothing else
   * differs (they follow from the rules).
   */
  reason(): string {
    const levelOf = (rs: CompiledRuleSet, f: FiredRule) => (f.outcome ? (rs.outcomeLevel.get(f.outcome) ?? 0) : 0);
    const readsOutcome = (id: string) => (this.newRs.rules.get(id) ?? this.oldRs.rules.get(id))?.readsOutcome === true;
    // weight 0: a consequence, shown only when nothing else differs.
    const items: { weight: number; follows: boolean; level: number; text: () => string }[] = [];
    const oldById = new Map(this.o.decision.fired.map((f) => [f.id, f]));
    const newById = new Map(this.n.decision.fired.map((f) => [f.id, f]));
    const ruleItem = (id: string, f: FiredRule, level: number, decisive: boolean, text: () => string) => {
      const follows = readsOutcome(id);
      const weight = f.effect === "note" ? (follows ? 0 : 1) : decisive ? 3 : 2;
      items.push({ weight, follows, level, text });
    };
    for (const id of this.rulesRemoved) {
      const f = oldById.get(id)!;
      const level = levelOf(this.oldRs, f);
      ruleItem(id, f, level, this.direction !== "up" && level === this.from.level, () => `${id} no longer fires${this.#why(id, false)}`);
    }
    for (const id of this.rulesAdded) {
      const f = newById.get(id)!;
      const level = levelOf(this.newRs, f);
      ruleItem(id, f, level, this.direction !== "down" && level === this.to.level, () => `${id} now fires${this.#why(id, true)}`);
    }
    for (const [id, f] of newById) {
      const before = oldById.get(id);
      if (before && (before.effect !== f.effect || before.outcome !== f.outcome || before.hard !== f.hard)) {
        items.push({ weight: 2, follows: readsOutcome(id) || f.effect === "raise", level: levelOf(this.newRs, f), text: () => `${id} now ${effectText(f)} (was: ${effectText(before).replace(/^floors/, "floored").replace(/^raises/, "raised")})` });
      }
    }
    for (const g of this.guardChanges()) {
      const newGuard = this.n.decision.guards.find((x) => x.id === g.id);
      const oldGuard = this.o.decision.guards.find((x) => x.id === g.id);
      if (g.to === "holding") {
        const level = this.newRs.outcomeLevel.get(newGuard!.floor) ?? 0;
        items.push({ weight: this.direction === "up" && level === this.to.level ? 3 : 2, follows: false, level, text: () => `guard ${g.id} now holds (floor ${newGuard!.floor}${newGuard!.outstanding.length > 0 ? `; outstanding: ${newGuard!.outstanding.join(", ")}` : ""})` });
      } else if (g.from === "holding") {
        const level = this.oldRs.outcomeLevel.get(oldGuard!.floor) ?? 0;
        items.push({ weight: this.direction === "down" && level === this.from.level ? 3 : 2, follows: false, level, text: () => `guard ${g.id} no longer holds (${g.to === "absent" ? "removed" : g.to.replace("_", " ")})` });
      } else items.push({ weight: 1, follows: false, level: 0, text: () => `guard ${g.id} ${g.from.replace("_", " ")} → ${g.to.replace("_", " ")}` });
    }
    const a = this.o.decision;
    const b = this.n.decision;
    if (a.hard_floor !== b.hard_floor) items.push({ weight: 0, follows: true, level: 0, text: () => `hard floor ${a.hard_floor ?? "none"} → ${b.hard_floor ?? "none"}` });
    const steps = listDelta(a.steps.map((x) => x.id), b.steps.map((x) => x.id));
    if (steps.added.length + steps.removed.length > 0) items.push({ weight: 0, follows: true, level: 0, text: () => `steps ${[...steps.added.map((x) => `+${x}`), ...steps.removed.map((x) => `−${x}`)].join(" ")}` });
    const flags = listDelta(a.flags, b.flags);
    if (flags.added.length + flags.removed.length > 0) items.push({ weight: 0, follows: true, level: 0, text: () => `flags ${[...flags.added.map((x) => `+${x}`), ...flags.removed.map((x) => `−${x}`)].join(" ")}` });
    const primary = items.filter((i) => i.weight > 0);
    const shown = primary.length > 0 ? primary : items;
    if (shown.length === 0) {
      if (this.oldRs.raw.default_outcome !== this.newRs.raw.default_outcome) return `the default outcome changed (${this.oldRs.raw.default_outcome} → ${this.newRs.raw.default_outcome})`;
      if (this.outcomeChanged) return "the same rules and guards apply; the outcomes themselves changed";
      return "the same rules and guards apply";
    }
    shown.sort((x, y) => Number(x.follows) - Number(y.follows) || y.weight - x.weight || y.level - x.level);
    const MAX = 3;
    const text = shown.slice(0, MAX).map((i) => i.text());
    return `${text.join("; ")}${shown.length > MAX ? `; and ${shown.length - MAX} more` : ""}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Replay over many cases.

export type CaseSource = "fixture" | "log";

/**
 * The rule set with its response times and step due dates taken out. Outcome levels, fired rules,
 * guards, steps and flags never depend on deadlines (conditions read answers, history, clock facts
 * and the outcome so far), while computing deadlines is most of an evaluation's cost (zone-aware
 * working-day arithmetic). Replay compares what does not depend on them, so it evaluates this.
 */
export function withoutDeadlines(rs: CompiledRuleSet): CompiledRuleSet {
  return {
    ...rs,
    outcomes: rs.outcomes.map((o) => ({ ...o, responseTimes: [] })),
    steps: new Map([...rs.steps].map(([id, step]) => [id, { ...step, due: undefined, dueDuration: undefined }])),
  };
}

export interface ChangedCase {
  ref: string;
  source: CaseSource;
  from: string;
  to: string;
  direction: Direction;
  reason: string;
}

export interface NotReplayed {
  ref: string;
  source: CaseSource;
  /** Which rule set the case cannot be replayed under. */
  under: "old" | "new" | "both";
  problems: string[];
}

export interface RuleDelta {
  id: string;
  /** Cases it fires in under the old / new rule set. */
  old: number;
  new: number;
  /** Cases where it fires only under the new rule set / only under the old one. */
  started: number;
  stopped: number;
}

export interface GuardDelta {
  id: string;
  /** Cases where the guard holds under the new rule set but did not under the old. */
  newly_holding: number;
  /** Cases where it held under the old rule set and no longer does. */
  released: number;
}

export interface ReplayReport {
  /** Cases evaluated under both rule sets. */
  replayed: number;
  fixtures: number;
  logged: number;
  /** Outcome differs (up + down + same_level). */
  changed: number;
  up: number;
  down: number;
  /** Different outcome at the same level (outcomes renamed or reordered). */
  same_level: number;
  unchanged: number;
  /** Same outcome, but fired rules, guards, steps or flags differ. */
  detail_changed: number;
  not_replayable: number;
  /** From-level × to-level counts, every pair seen (the diagonal too). */
  table: { from: string; to: string; count: number }[];
  rules: RuleDelta[];
  guards: GuardDelta[];
  cases: ChangedCase[];
  detail_cases: ChangedCase[];
  not_replayed: NotReplayed[];
  /** Questions the new (or old) rule set asks that replayed cases never answered. */
  unanswered: { under: "old" | "new"; question: string; cases: number }[];
  /** Answers to questions a rule set no longer has, ignored. */
  ignored: { under: "old" | "new"; question: string; cases: number }[];
}

export class Replay {
  readonly structure: RuleSetDiff;
  readonly #changedThresholds: Set<string>;
  readonly #oldKey: string;
  readonly #newKey: string;
  #replayed = 0;
  #fixtures = 0;
  #logged = 0;
  #up = 0;
  #down = 0;
  #sameLevel = 0;
  #detail = 0;
  readonly #table = new Map<string, number>();
  readonly #ruleCounts = new Map<string, RuleDelta>();
  readonly #guardCounts = new Map<string, GuardDelta>();
  readonly #cases: ChangedCase[] = [];
  readonly #detailCases: ChangedCase[] = [];
  readonly #notReplayed: NotReplayed[] = [];
  readonly #unanswered = new Map<string, number>();
  readonly #ignored = new Map<string, number>();

  readonly oldRs: CompiledRuleSet;
  readonly newRs: CompiledRuleSet;

  readonly #useLogged: boolean;

  /**
   * `useLogged` (default true): a logged decision made under exactly the old rule set (same
   * SHA-256) is taken as the old rule set's decision instead of evaluating it again. The log's
   * contract is that every decision reproduces exactly from its stored rule set (`rules explain
   * --ref`), so this changes no result and halves the work of the usual replay (the log's rules
   * against a proposed change). The old side is still evaluated for a changed case's reason.
   */
  constructor(oldRs: CompiledRuleSet, newRs: CompiledRuleSet, options: { structure?: RuleSetDiff; useLogged?: boolean } = {}) {
    this.structure = options.structure ?? diffRuleSets(oldRs, newRs);
    this.#useLogged = options.useLogged !== false;
    this.oldRs = withoutDeadlines(oldRs);
    this.newRs = oldRs === newRs ? this.oldRs : withoutDeadlines(newRs);
    this.#changedThresholds = new Set(this.structure.thresholds.map((t) => t.name));
    this.#oldKey = questionsKey(oldRs.raw);
    this.#newKey = this.#oldKey === questionsKey(newRs.raw) ? this.#oldKey : questionsKey(newRs.raw);
    for (const id of new Set([...oldRs.rules.keys(), ...newRs.rules.keys()])) this.#ruleCounts.set(id, { id, old: 0, new: 0, started: 0, stopped: 0 });
    for (const id of new Set([...oldRs.guards.map((g) => g.raw.id), ...newRs.guards.map((g) => g.raw.id)])) this.#guardCounts.set(id, { id, newly_holding: 0, released: 0 });
  }

  /** Whether answers validated under a rule set with this questionsKey can be used as they are. */
  trusts(key: string | undefined): { old: boolean; new: boolean } {
    return { old: key !== undefined && key === this.#oldKey, new: key !== undefined && key === this.#newKey };
  }

  addFixture(ref: string, fixture: Fixture): void {
    this.add(ref, "fixture", prepareFixture(this.oldRs, fixture), prepareFixture(this.newRs, fixture));
  }

  /** A logged decision; `questionsKeyOfItsRuleSet` lets answers skip re-validation when nothing about the questions changed. */
  addLogged(ref: string, logged: LoggedCase, questionsKeyOfItsRuleSet?: string): void {
    const trust = this.trusts(questionsKeyOfItsRuleSet);
    const stored = logged.decision;
    if (this.#useLogged && stored && stored.rule_set.sha256 === this.oldRs.sha256) {
      const newIn = prepareLogged(this.newRs, logged, trust.new);
      this.#note({ unanswered: [], ignored: [] }, newIn);
      if (!newIn.input) {
        this.#notReplayed.push({ ref, source: "log", under: "new", problems: newIn.problems });
        return;
      }
      const input: EvaluateOptions = { answers: logged.answers, history: logged.history, now: logged.decided_at };
      let detail: EvaluationDetail | undefined;
      const oldSide: Side = { decision: stored, detail: () => (detail ??= evaluateDetailed(this.oldRs, input)) };
      this.#compare(ref, "log", oldSide, evaluatedSide(evaluateDetailed(this.newRs, newIn.input)));
      return;
    }
    this.add(ref, "log", prepareLogged(this.oldRs, logged, trust.old), prepareLogged(this.newRs, logged, trust.new));
  }

  /** Fixture files that could not even be parsed are reported the same way. */
  addUnreadable(ref: string, source: CaseSource, problems: string[]): void {
    this.#notReplayed.push({ ref, source, under: "both", problems });
  }

  #note(oldIn: Pick<Prepared, "unanswered" | "ignored">, newIn: Pick<Prepared, "unanswered" | "ignored">): void {
    for (const q of oldIn.unanswered) this.#bump(this.#unanswered, `old\u0000${q}`);
    for (const q of newIn.unanswered) this.#bump(this.#unanswered, `new\u0000${q}`);
    for (const q of oldIn.ignored) this.#bump(this.#ignored, `old\u0000${q}`);
    for (const q of newIn.ignored) this.#bump(this.#ignored, `new\u0000${q}`);
  }

  add(ref: string, source: CaseSource, oldIn: Prepared, newIn: Prepared): void {
    this.#note(oldIn, newIn);
    if (!oldIn.input || !newIn.input) {
      const under = !oldIn.input && !newIn.input ? "both" : !oldIn.input ? "old" : "new";
      this.#notReplayed.push({ ref, source, under, problems: [...oldIn.problems.map((p) => (under === "both" ? `old: ${p}` : p)), ...newIn.problems.map((p) => (under === "both" ? `new: ${p}` : p))] });
      return;
    }
    this.#compare(ref, source, evaluatedSide(evaluateDetailed(this.oldRs, oldIn.input)), evaluatedSide(evaluateDetailed(this.newRs, newIn.input)));
  }

  #bump(map: Map<string, number>, key: string): void {
    map.set(key, (map.get(key) ?? 0) + 1);
  }

  #compare(ref: string, source: CaseSource, o: Side, n: Side): void {
    this.#replayed++;
    if (source === "fixture") this.#fixtures++;
    else this.#logged++;
    const c = new CaseComparison(this.oldRs, this.newRs, o, n, this.#changedThresholds);
    this.#bump(this.#table, `${c.from.id}\u0000${c.to.id}`);
    for (const id of c.firedOld) this.#ruleCounts.get(id)!.old++;
    for (const id of c.firedNew) {
      const r = this.#ruleCounts.get(id)!;
      r.new++;
      if (!c.firedOld.has(id)) r.started++;
    }
    for (const id of c.firedOld) if (!c.firedNew.has(id)) this.#ruleCounts.get(id)!.stopped++;
    const oldHolding = new Set(o.decision.guards.filter((g) => g.status === "holding").map((g) => g.id));
    const newHolding = new Set(n.decision.guards.filter((g) => g.status === "holding").map((g) => g.id));
    for (const id of newHolding) if (!oldHolding.has(id)) this.#guardCounts.get(id)!.newly_holding++;
    for (const id of oldHolding) if (!newHolding.has(id)) this.#guardCounts.get(id)!.released++;

    if (c.outcomeChanged) {
      if (c.direction === "up") this.#up++;
      else if (c.direction === "down") this.#down++;
      else this.#sameLevel++;
      this.#cases.push({ ref, source, from: c.from.id, to: c.to.id, direction: c.direction, reason: c.reason() });
    } else if (c.anyChange) {
      this.#detail++;
      this.#detailCases.push({ ref, source, from: c.from.id, to: c.to.id, direction: c.direction, reason: c.reason() });
    }
  }

  report(): ReplayReport {
    const changed = this.#up + this.#down + this.#sameLevel;
    const oldOrder = new Map(this.oldRs.outcomes.map((o) => [o.id, o.level]));
    const newOrder = new Map(this.newRs.outcomes.map((o) => [o.id, o.level]));
    const table = [...this.#table]
      .map(([key, count]) => {
        const [from, to] = key.split("\u0000") as [string, string];
        return { from, to, count };
      })
      .sort((a, b) => (oldOrder.get(a.from) ?? 0) - (oldOrder.get(b.from) ?? 0) || (newOrder.get(a.to) ?? 0) - (newOrder.get(b.to) ?? 0));
    const split = (map: Map<string, number>) =>
      [...map]
        .map(([key, cases]) => {
          const [under, question] = key.split("\u0000") as ["old" | "new", string];
          return { under, question, cases };
        })
        .sort((a, b) => a.under.localeCompare(b.under) || compareIds(a.question, b.question));
    return {
      replayed: this.#replayed,
      fixtures: this.#fixtures,
      logged: this.#logged,
      changed,
      up: this.#up,
      down: this.#down,
      same_level: this.#sameLevel,
      unchanged: this.#replayed - changed,
      detail_changed: this.#detail,
      not_replayable: this.#notReplayed.length,
      table,
      rules: [...this.#ruleCounts.values()].filter((r) => r.started + r.stopped > 0 || r.old !== r.new).sort((a, b) => compareIds(a.id, b.id)),
      guards: [...this.#guardCounts.values()].filter((g) => g.newly_holding + g.released > 0).sort((a, b) => compareIds(a.id, b.id)),
      cases: this.#cases,
      detail_cases: this.#detailCases,
      not_replayed: this.#notReplayed,
      unanswered: split(this.#unanswered),
      ignored: split(this.#ignored),
    };
  }
}
