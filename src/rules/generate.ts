/**
 * Answer-set generation for `triage rules lint`: valid, visibility-consistent answer sets, history
 * facts and clocks, reproducible from a seed and shrinkable towards a plain baseline. Pure: the only
 * randomness is fast-check's seeded generator.
 *
 * How a generated answer set is built (and why it shrinks well):
 *
 * - Each question gets a finite *domain* of candidate answers of its type: every option (a
 *   multiselect: each option alone, each exclusive option alone, and a combination drawn from a bit
 *   mask), "not known" where allowed, "unanswered" for optional questions, numbers on both sides of
 *   every literal or `{threshold}` operand the rule set compares the question with (t-1, t, t+1,
 *   plus the question's min and max — conditions only compare with those constants, so these cover
 *   every case a rule can tell apart), dates and date-times relative to the clock plus the operands
 *   ±1 day/minute. History facts likewise (0, 1, 2, and t-1, t, t+1 for each operand).
 * - Domain entry 0 is the question's *baseline* answer: the plain answer found once per rule set by
 *   coordinate descent (the answer that gives the lowest outcome, fewest fired rules, steps and
 *   flags, with the question and everything else at its baseline; ties go to the answer that meets
 *   fewest rule conditions and keeps most questions asked). Entries after it keep their natural
 *   order (numbers ascending).
 * - A sample is a vector of small integers ({@link Choices}): a density mode (one sample in five
 *   has every question deviate; the others only the few listed), the list of questions (and history
 *   facts) that deviate from the baseline, a pick per question, a bit mask per multiselect, a clock
 *   pick (half of them stand for the baseline clock, in office hours) and free "target" picks the
 *   linter uses to choose what to compare. Sparse samples matter: with every question answered at
 *   random most outcomes sit at the top, where no rule's absence can show.
 *   fast-check shrinks integers towards 0 and lists towards fewer elements, so a shrunk sample has
 *   the fewest answers differing from the baseline and the lowest numbers.
 * - Two samples in three are *focused*: steered to satisfy one way of making a rule's or guard's
 *   condition true ({@link FocusTerm}: the condition in disjunctive form, with the `when` of each
 *   question it reads), the dimensions it constrains drawn from the entries that satisfy it. A
 *   conjunction of three rare answers is then met routinely instead of once in thousands of
 *   samples, and the linter can ask for terms that read the question it is comparing. Focus 0
 *   means none, so shrinking drops the focus whenever the violation does not need it.
 * - Every question gets an answer, visible or not ({@link Scenario.answers}); the evaluator ignores
 *   answers to hidden questions, exactly as it does for an answers file. So when the linter changes
 *   one answer, questions that become hidden are dropped and questions that become visible take the
 *   answer this same sample gives them: each side of a comparison is itself a generated answer set.
 */
import * as fc from "fast-check";
import type { CompiledQuestion, CompiledRuleSet } from "./compile.js";
import { HISTORY_FACTS, testLeaf, type Env, type ResolvedCondition, type ResolvedLeaf } from "./conditions.js";
import { emptyEnv, evaluate, setAnswer, type EvaluateOptions } from "./evaluate.js";
import { makeScope, resolveCondition, type Issue } from "./resolve.js";
import type { RawCondition } from "./schema.js";
import { formatInZone, fromLocal, isOutOfHours, isWorkingDay, localParts } from "./time.js";
import { NO_HISTORY, UNKNOWN, type Answer, type Decision, type HistoryFacts, type HistoryUsed } from "./types.js";

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
/** At most this many ways to satisfy one condition. */
const MAX_TERMS_PER_CONDITION = 24;
const MAX_COMBO_OPTIONS = 20;
const DATETIME_AGO_MINUTES = [0, 1, 30, 120, 600, 1440, 4320];
const DATE_OFFSET_DAYS = [0, -1, -100, -250, -400, -1500, -3000, -4800, -5900, -6500, 60, 150];

/** The evaluator's input for a scenario (history as the log would give it, without earlier referrals). */
export function inputOf(s: Scenario, answers: Readonly<Record<string, Answer>> = s.answers): EvaluateOptions {
  return { answers, history: historyUsed(s.history), now: s.now };
}

export function historyUsed(facts: HistoryFacts): HistoryUsed {
  return { referrals_in_window: facts.referrals_in_window, distinct_referrers: facts.distinct_referrers, earlier: [], possible_matches: [], facts };
}

/**
 * The same compiled rule set without response times or step due dates. Rules, guards, steps and
 * flags evaluate exactly as in `rs` (it is the same evaluator and the same compiled conditions);
 * only the deadline arithmetic — most of an evaluation's cost — is skipped. For every invariant but
 * `deterministic`, which reads the whole record, lint evaluates with this.
 */
export function withoutDeadlines(rs: CompiledRuleSet): CompiledRuleSet {
  return {
    ...rs,
    outcomes: rs.outcomes.map((o) => ({ ...o, responseTimes: [] })),
    steps: new Map(
      [...rs.steps].map(([id, s]) => {
        const { due: _due, dueDuration: _dueDuration, ...rest } = s;
        return [id, rest];
      }),
    ),
  };
}

// ---------------------------------------------------------------------------------------------
// Operands: which constants each question and history fact is compared with.

/** Every condition in the rule set, resolved (rules, guards, checks, question visibility, invariants). */
export function allConditions(rs: CompiledRuleSet): ResolvedCondition[] {
  const raw = rs.raw;
  const scope = makeScope(raw);
  const issues: Issue[] = [];
  const out: ResolvedCondition[] = [];
  const add = (c: RawCondition | undefined) => {
    if (c) out.push(resolveCondition(c, scope, [], issues));
  };
  raw.rules.forEach((r) => add(r.when));
  raw.guards.forEach((g) => {
    add(g.when);
    add(g.hard_stop_when);
  });
  raw.checks.forEach((c) => {
    add(c.required_when);
    add(c.satisfied_when);
  });
  raw.questions.forEach((q) => add(q.when));
  raw.invariants.forEach((inv) => {
    if (inv.kind === "out_of_hours_provisional") add(inv.when);
  });
  return out;
}

export function forEachResolvedLeaf(c: ResolvedCondition, visit: (leaf: ResolvedLeaf) => void): void {
  if (c.kind === "leaf") visit(c);
  else if (c.kind === "not") forEachResolvedLeaf(c.item, visit);
  else for (const item of c.items) forEachResolvedLeaf(item, visit);
}

function leafOperands(leaf: ResolvedLeaf): unknown[] {
  const v = leaf.value;
  if (v instanceof Set) return [...(v as Set<unknown>)];
  if (Array.isArray(v)) return v;
  return [v];
}

interface Operands {
  numbers: Map<number, Set<number>>; // question index → numbers
  dates: Map<number, Set<string>>; // question index → YYYY-MM-DD
  datetimes: Map<number, Set<number>>; // question index → epoch ms
  texts: Map<number, Set<string>>;
  history: Map<string, Set<number>>;
}

function collectOperands(rs: CompiledRuleSet): Operands {
  const o: Operands = { numbers: new Map(), dates: new Map(), datetimes: new Map(), texts: new Map(), history: new Map() };
  const put = <K, V>(m: Map<K, Set<V>>, k: K, v: V) => {
    let s = m.get(k);
    if (!s) m.set(k, (s = new Set()));
    s.add(v);
  };
  for (const c of allConditions(rs)) {
    forEachResolvedLeaf(c, (leaf) => {
      if (leaf.op === "answered" || leaf.op === "unknown") return;
      const s = leaf.subject;
      for (const v of leafOperands(leaf)) {
        if (s.type === "history") {
          if (typeof v === "number" && Number.isFinite(v)) put(o.history, s.name, v);
        } else if (s.type === "question") {
          const type = rs.questions[s.index]!.raw.type;
          if (type === "number" && typeof v === "number" && Number.isFinite(v)) put(o.numbers, s.index, v);
          else if (type === "date") {
            if (typeof v === "string" && v !== UNKNOWN) put(o.dates, s.index, v);
            else if (typeof v === "number" && Number.isFinite(v)) put(o.dates, s.index, new Date(v).toISOString().slice(0, 10));
          } else if (type === "datetime" && typeof v === "number" && Number.isFinite(v)) put(o.datetimes, s.index, v);
          else if (type === "text" && typeof v === "string" && v !== UNKNOWN) put(o.texts, s.index, v);
        }
      }
    });
  }
  return o;
}

/** Thresholds' names used anywhere in conditions (for the linter's unused-threshold warning). */
export function thresholdsInConditions(rs: CompiledRuleSet): Set<string> {
  const used = new Set<string>();
  for (const c of allConditions(rs)) forEachResolvedLeaf(c, (leaf) => leaf.thresholds.forEach((t) => used.add(t.name)));
  return used;
}

// ---------------------------------------------------------------------------------------------
// Dates and the clock.

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

function shiftDate(date: string, days: number): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const t = new Date(0);
  t.setUTCFullYear(y, m - 1, d);
  return new Date(t.getTime() + days * DAY_MS).toISOString().slice(0, 10);
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number) as [number, number];
  return h * 60 + m;
}

function hhmm(minutes: number): string {
  const m = ((minutes % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

/**
 * Clocks spread over the rule set's office-hours edges: a mid-week working day (the baseline, at
 * midday), the minute either side of opening and closing, the last office day before a weekend and
 * the first after it, the weekend itself, and bank holidays with the days either side.
 */
export function clockCandidates(rs: CompiledRuleSet): ClockCandidate[] {
  const oh = rs.officeHours;
  const tz = oh.time_zone;
  const holidays = [...oh.bank_holidays].sort();
  const year = holidays[0]?.slice(0, 4) ?? "2026";
  const working = (d: string) => isWorkingDay(d, oh);
  const find = (from: string, test: (d: string) => boolean, limit = 400): string | undefined => {
    for (let i = 0; i < limit; i++) {
      const d = shiftDate(from, i);
      if (test(d)) return d;
    }
    return undefined;
  };
  const midweek = find(`${year}-01-08`, (d) => working(d) && working(shiftDate(d, -1)) && working(shiftDate(d, 1)) && !holidays.includes(shiftDate(d, 2))) ?? find(`${year}-01-08`, working) ?? `${year}-01-08`;
  const lastOfWeek = find(midweek, (d) => working(d) && !working(shiftDate(d, 1)), 14);
  const start = minutesOf(oh.start);
  const end = minutesOf(oh.end);
  const mid = Math.floor((start + end) / 2);

  const out: ClockCandidate[] = [];
  const seen = new Set<string>();
  const add = (date: string | undefined, minutes: number, why: string) => {
    if (!date) return;
    // Minutes outside 0..1439 move to the previous/next day (e.g. opening at 00:00 minus a minute).
    const dayShift = Math.floor(minutes / 1440);
    const instant = fromLocal(shiftDate(date, dayShift), hhmm(minutes), tz);
    const now = formatInZone(instant, tz);
    if (seen.has(now)) return;
    seen.add(now);
    out.push({ now, outOfHours: isOutOfHours(instant, oh), why });
  };
  add(midweek, mid, "mid-week working day, midday");
  add(midweek, start, "mid-week, opening minute");
  add(midweek, start - 1, "mid-week, a minute before opening");
  add(midweek, end - 1, "mid-week, last minute open");
  add(midweek, end, "mid-week, closing time");
  add(midweek, 3 * 60, "mid-week, 03:00");
  if (lastOfWeek) {
    const weekendStart = shiftDate(lastOfWeek, 1);
    const nextWorking = find(weekendStart, working, 30);
    add(lastOfWeek, mid, "last office day before the weekend, midday");
    add(lastOfWeek, end - 1, "last office day, last minute open");
    add(lastOfWeek, end, "last office day, closing time");
    add(weekendStart, mid, "weekend, midday");
    add(shiftDate(weekendStart, 1), 23 * 60 + 59, "weekend, 23:59");
    add(nextWorking, start - 1, "first office day after the weekend, a minute before opening");
    add(nextWorking, start, "first office day after the weekend, opening minute");
  }
  for (const h of holidays.slice(0, 3)) {
    add(h, mid, `bank holiday ${h}, midday`);
    add(shiftDate(h, -1), end - 1, `day before bank holiday ${h}, last minute open`);
    add(shiftDate(h, -1), end, `day before bank holiday ${h}, closing time`);
    add(shiftDate(h, 1), start, `day after bank holiday ${h}, opening minute`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Domains.

function numberDomain(q: CompiledQuestion, operands: Set<number> | undefined): number[] {
  const raw = q.raw;
  const lo = raw.min ?? 0;
  const hi = raw.max ?? Number.POSITIVE_INFINITY;
  const values = new Set<number>([lo, lo + 1, lo + 2]);
  for (const v of operands ?? []) {
    if (raw.integer) for (const x of [Math.floor(v) - 1, Math.floor(v), Math.ceil(v), Math.ceil(v) + 1]) values.add(x);
    else for (const x of [v - 1, v, v + 1]) values.add(x);
  }
  if (Number.isFinite(hi)) values.add(hi);
  else values.add(Math.max(lo, ...values) + 10);
  return [...values].filter((v) => v >= lo && v <= hi && (!raw.integer || Number.isInteger(v))).sort((a, b) => a - b);
}

function rawDomain(rs: CompiledRuleSet, q: CompiledQuestion, operands: Operands): { domain: Candidate[]; comboOptions: string[] } {
  const raw = q.raw;
  const domain: Candidate[] = [];
  let comboOptions: string[] = [];
  const value = (v: Answer): Candidate => ({ kind: "value", value: v });
  switch (raw.type) {
    case "select":
      for (const o of q.options) if (o !== UNKNOWN) domain.push(value(o));
      break;
    case "multiselect": {
      const exclusive = new Set(raw.exclusive ?? []);
      for (const o of q.options) if (o !== UNKNOWN) domain.push(value([o]));
      comboOptions = q.options.filter((o) => o !== UNKNOWN && !exclusive.has(o)).slice(0, MAX_COMBO_OPTIONS);
      if (comboOptions.length > 1) domain.push({ kind: "combo" });
      break;
    }
    case "number":
      for (const n of numberDomain(q, operands.numbers.get(q.index))) domain.push(value(n));
      break;
    case "date": {
      for (const days of DATE_OFFSET_DAYS) domain.push({ kind: "days", days });
      const fixed = new Set<string>();
      for (const d of operands.dates.get(q.index) ?? []) for (const k of [-1, 0, 1]) fixed.add(shiftDate(d, k));
      for (const h of rs.officeHours.bank_holidays.slice(0, 2)) fixed.add(h);
      for (const d of [...fixed].sort()) domain.push(value(d));
      break;
    }
    case "datetime": {
      for (const minutes of DATETIME_AGO_MINUTES) domain.push({ kind: "ago", minutes });
      const tz = rs.officeHours.time_zone;
      const fixed = new Set<number>();
      for (const t of operands.datetimes.get(q.index) ?? []) for (const k of [-1, 0, 1]) fixed.add(t + k * MINUTE_MS);
      for (const t of [...fixed].sort((a, b) => a - b)) domain.push(value(formatInZone(new Date(t), tz)));
      break;
    }
    case "text":
      domain.push(value("Fictional answer"));
      for (const t of operands.texts.get(q.index) ?? []) domain.push(value(t));
      break;
  }
  if (q.allowUnknown && q.raw.type !== "multiselect") domain.push(value(UNKNOWN));
  if (q.allowUnknown && q.raw.type === "multiselect") domain.push(value([UNKNOWN]));
  if (raw.optional) domain.unshift({ kind: "none" });
  return { domain, comboOptions };
}

// ---------------------------------------------------------------------------------------------
// Decoding a sample.

function candidateAnswer(plan: GenerationPlan, q: QuestionPlan, c: number, clock: number, mask: number): Answer | undefined {
  const cand = q.domain[c] ?? q.domain[0]!;
  switch (cand.kind) {
    case "value":
      return cand.value;
    case "none":
      return undefined;
    case "combo": {
      const picked = q.comboOptions.filter((_, bit) => (mask & (1 << bit)) !== 0);
      if (picked.length === 0) return candidateAnswer(plan, q, 0, clock, 0);
      return picked;
    }
    case "ago":
    case "days": {
      const key = `${clock}|${q.index}|${c}`;
      if (plan.cache.has(key)) return plan.cache.get(key);
      const tz = plan.rs.officeHours.time_zone;
      const now = new Date(plan.clocks[clock]!.now);
      const answer = cand.kind === "ago" ? formatInZone(new Date(now.getTime() - cand.minutes * MINUTE_MS), tz) : shiftDate(localParts(now, tz).date, cand.days);
      plan.cache.set(key, answer);
      return answer;
    }
  }
}

/** The answer a domain entry stands for in a given scenario (for the linter's alternatives). */
export function answerFor(plan: GenerationPlan, q: QuestionPlan, candidate: number, scenario: Scenario): Answer | undefined {
  return candidateAnswer(plan, q, candidate, scenario.clock, 0);
}

/**
 * History facts that could come from a real log: closures without checks are among the closures,
 * and distinct referrers are among the earlier referrals plus this one. The smaller count is raised
 * (rather than the larger lowered) so that a sample steered to "closed without checks" stays so.
 */
function consistentHistory(h: HistoryFacts): HistoryFacts {
  return {
    ...h,
    earlier_unsubstantiated_closures: Math.max(h.earlier_unsubstantiated_closures, h.earlier_closures_without_checks - h.earlier_malicious_closures),
    referrals_in_window: Math.max(h.referrals_in_window, h.distinct_referrers - 1),
  };
}

/**
 * The focus term a sample's focus pick stands for: 0 (and every third value) none; otherwise
 * alternately one of `prefer` (terms about the question being compared) or any term.
 */
export function focusTerm(plan: GenerationPlan, focus: number, prefer: readonly number[] = []): FocusTerm | undefined {
  const kind = focus % 3;
  const k = Math.floor(focus / 3);
  if (kind === 0 || plan.terms.length === 0) return undefined;
  if (kind === 1 && prefer.length > 0) return plan.terms[prefer[k % prefer.length]!];
  return plan.terms[k % plan.terms.length];
}

export function decode(plan: GenerationPlan, choices: Choices, prefer: readonly number[] = []): Scenario {
  const [mode, active, picks, masks, clockPick, , focus] = choices;
  const dense = mode === DENSE_MODE;
  const deviating = dense ? undefined : new Set(active);
  // Half the picks stand for the baseline clock, so most samples are judged in office hours.
  let clock = clockPick < plan.clocks.length ? clockPick : 0;
  const forced = new Map<number, number>();
  const term = focusTerm(plan, focus ?? 0, prefer);
  if (term) {
    for (const { dim, allowed } of term.constraints) {
      if (dim === CLOCK_DIM) clock = allowed[clockPick % allowed.length]!;
      else forced.set(dim, allowed[(picks[dim] ?? 0) % allowed.length]!);
    }
  }
  const pickOf = (dim: number, len: number): number => forced.get(dim) ?? (dense || deviating!.has(dim) ? (picks[dim] ?? 0) % len : 0);
  const answers: Record<string, Answer> = {};
  for (const q of plan.questions) {
    const a = candidateAnswer(plan, q, pickOf(q.index, q.domain.length), clock, q.maskSlot >= 0 ? (masks[q.maskSlot] ?? 0) : 0);
    if (a !== undefined) answers[q.id] = a;
  }
  const n = plan.questions.length;
  const history = { ...NO_HISTORY } as HistoryFacts;
  plan.history.forEach((h, j) => {
    history[h.name] = h.values[pickOf(n + j, h.values.length)]!;
  });
  return { answers, history: consistentHistory(history), now: plan.clocks[clock]!.now, clock };
}

/** The clock facts the evaluator will see (received_at, when answered, else the clock itself). */
function clockFacts(plan: GenerationPlan, scenario: Scenario, received: Answer | undefined): Env["clock"] {
  const outOfHours = plan.clocks[scenario.clock]?.outOfHours ?? isOutOfHours(new Date(scenario.now), plan.rs.officeHours);
  if (typeof received !== "string" || received === UNKNOWN) return { out_of_hours: outOfHours, received_out_of_hours: outOfHours };
  let r = plan.receivedOutOfHours.get(received);
  if (r === undefined) {
    const t = Date.parse(received);
    r = Number.isNaN(t) ? outOfHours : isOutOfHours(new Date(t), plan.rs.officeHours);
    plan.receivedOutOfHours.set(received, r);
  }
  return { out_of_hours: outOfHours, received_out_of_hours: r };
}

/**
 * The answers to the questions that are asked, in order — exactly as the evaluator's own walk
 * decides visibility (`buildEnv`), so the evaluator receives what an answers file would hold.
 */
export function visibleAnswers(plan: GenerationPlan, scenario: Scenario, answers: Readonly<Record<string, Answer>> = scenario.answers): Record<string, Answer> {
  const rs = plan.rs;
  const hasReceived = rs.questionIndex.has("received_at");
  const walk = (received: Answer | undefined): Record<string, Answer> => {
    const env = emptyEnv(rs, scenario.history);
    env.clock = clockFacts(plan, scenario, received);
    const out: Record<string, Answer> = {};
    for (const q of rs.questions) {
      if (q.visible && !q.visible(env)) continue;
      const a = answers[q.id];
      if (a === undefined) continue;
      out[q.id] = a;
      setAnswer(env, q, a);
    }
    return out;
  };
  const received = hasReceived ? answers.received_at : undefined;
  const out = walk(received);
  // A hidden received_at does not reach the evaluator, which then counts from the clock.
  return hasReceived && received !== undefined && out.received_at === undefined ? walk(undefined) : out;
}

/** Choices that decode to the baseline scenario (every pick 0). */
export function baselineChoices(plan: GenerationPlan): Choices {
  const dims = plan.questions.length + plan.history.length;
  return [0, [], new Array<number>(dims).fill(0), new Array<number>(plan.questions.filter((q) => q.maskSlot >= 0).length).fill(0), 0, new Array<number>(plan.targets).fill(0), 0];
}

export function choicesArbitrary(plan: GenerationPlan): fc.Arbitrary<Choices> {
  const dims = plan.questions.length + plan.history.length;
  const picks = [...plan.questions.map((q) => q.domain.length), ...plan.history.map((h) => h.values.length)].map((len) => fc.nat({ max: Math.max(0, len - 1) }));
  const masks = plan.questions.filter((q) => q.maskSlot >= 0).map((q) => fc.nat({ max: 2 ** q.comboOptions.length - 1 }));
  const targets = Array.from({ length: plan.targets }, () => fc.nat({ max: TARGET_MAX }));
  return fc.tuple(
    fc.nat({ max: DENSE_MODE }),
    fc.uniqueArray(fc.nat({ max: Math.max(0, dims - 1) }), { maxLength: dims }),
    fc.tuple(...picks),
    fc.tuple(...masks),
    fc.nat({ max: Math.max(0, 2 * plan.clocks.length - 1) }),
    fc.tuple(...targets),
    fc.nat({ max: FOCUS_MAX }),
  ) as unknown as fc.Arbitrary<Choices>;
}

// ---------------------------------------------------------------------------------------------
// Focus: samples steered to satisfy one rule's condition, so that conjunctions (an injury AND a
// baby AND …) are met far more often than by chance, and comparisons happen where rules fire.

interface Literal {
  leaf: ResolvedLeaf;
  positive: boolean;
}

/** The condition as a disjunction of conjunctions of literals (capped). */
function disjunctiveForm(c: ResolvedCondition, positive: boolean): Literal[][] {
  if (c.kind === "leaf") return [[{ leaf: c, positive }]];
  if (c.kind === "not") return disjunctiveForm(c.item, !positive);
  const parts = c.items.map((item) => disjunctiveForm(item, positive));
  if ((c.kind === "any") === positive) return parts.flat().slice(0, MAX_TERMS_PER_CONDITION);
  let acc: Literal[][] = [[]];
  for (const part of parts) {
    const next: Literal[][] = [];
    for (const a of acc) for (const b of part) if (next.length < MAX_TERMS_PER_CONDITION) next.push([...a, ...b]);
    acc = next;
  }
  return acc;
}

/** The dimension a literal constrains and the entries that satisfy it, or undefined (no constraint). */
function literalConstraint(plan: GenerationPlan, lit: Literal): { dim: number; allowed: number[] } | undefined {
  const { leaf, positive } = lit;
  const s = leaf.subject;
  const rs = plan.rs;
  let dim: number;
  let size: number;
  let satisfies: (i: number) => boolean;
  if (s.type === "question") {
    const q = plan.questions[s.index]!;
    const cq = rs.questions[s.index]!;
    dim = s.index;
    size = q.domain.length;
    satisfies = (i) => {
      if (q.domain[i]!.kind === "combo") return false;
      const env = emptyEnv(rs);
      const a = candidateAnswer(plan, q, i, 0, 0);
      if (a !== undefined) setAnswer(env, cq, a);
      return testLeaf(leaf, env) === positive;
    };
  } else if (s.type === "history") {
    const j = plan.history.findIndex((h) => h.name === s.name);
    const values = plan.history[j]!.values;
    dim = plan.questions.length + j;
    size = values.length;
    satisfies = (i) => testLeaf(leaf, { ...emptyEnv(rs), history: { ...NO_HISTORY, [s.name]: values[i]! } }) === positive;
  } else if (s.type === "clock") {
    dim = CLOCK_DIM;
    size = plan.clocks.length;
    satisfies = (i) => {
      const ooh = plan.clocks[i]!.outOfHours;
      return testLeaf(leaf, { ...emptyEnv(rs), clock: { out_of_hours: ooh, received_out_of_hours: ooh } }) === positive;
    };
  } else return undefined; // the outcome so far cannot be chosen
  const allowed: number[] = [];
  for (let i = 0; i < size; i++) if (satisfies(i)) allowed.push(i);
  return allowed.length === size ? undefined : { dim, allowed };
}

function buildTerms(plan: GenerationPlan): void {
  const rs = plan.rs;
  const visibility = rs.questions.map((q) => (q.when ? disjunctiveForm(q.when, true)[0] ?? [] : []));
  const conditions: [string, ResolvedCondition][] = [...[...rs.rules.values()].map((r): [string, ResolvedCondition] => [r.id, r.when]), ...rs.guards.map((g): [string, ResolvedCondition] => [g.raw.id, g.when])];
  for (const [source, condition] of conditions) {
    for (const literals of disjunctiveForm(condition, true)) {
      // Add what makes each question read here visible (its `when`, one way), transitively.
      const all = [...literals];
      const seen = new Set<number>();
      for (let i = 0; i < all.length; i++) {
        const subject = all[i]!.leaf.subject;
        if (subject.type === "question" && !seen.has(subject.index)) {
          seen.add(subject.index);
          all.push(...visibility[subject.index]!);
        }
      }
      const byDim = new Map<number, number[]>();
      let possible = true;
      for (const lit of all) {
        const c = literalConstraint(plan, lit);
        if (!c) continue;
        const before = byDim.get(c.dim);
        const allowed = before ? before.filter((i) => c.allowed.includes(i)) : c.allowed;
        if (allowed.length === 0) possible = false;
        byDim.set(c.dim, allowed);
      }
      if (!possible || byDim.size === 0) continue;
      const index = plan.terms.length;
      plan.terms.push({ source, constraints: [...byDim].map(([dim, allowed]) => ({ dim, allowed })) });
      for (const dim of byDim.keys()) if (dim >= 0 && dim < plan.questions.length) plan.termsByQuestion.set(dim, [...(plan.termsByQuestion.get(dim) ?? []), index]);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The plan, with its baseline found by coordinate descent.

type Score = number[];

function less(a: Score, b: Score): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

function decisionScore(d: Decision, rs: CompiledRuleSet): Score {
  return [
    d.computed_outcome.level,
    d.hard_floor ? (rs.outcomeLevel.get(d.hard_floor) ?? 0) : 0,
    d.fired.length,
    d.steps.length + d.flags.length,
    d.guards.filter((g) => g.status === "holding").length,
    d.unknowns.length,
  ];
}

/** How many rule/guard leaves on this question an answer satisfies on its own (a tie-breaker). */
function leafHits(leaves: ResolvedLeaf[], rs: CompiledRuleSet, q: CompiledQuestion, answer: Answer | undefined): number {
  if (answer === undefined) return 0;
  const env = emptyEnv(rs);
  setAnswer(env, q, answer);
  let hits = 0;
  for (const leaf of leaves) if (leaf.subject.type === "question" && leaf.subject.index === q.index && leaf.op !== "answered" && testLeaf(leaf, env)) hits++;
  return hits;
}

export interface PlanOptions {
  /** Target picks each sample carries (default 4). */
  targets?: number;
}

export function planGeneration(rs: CompiledRuleSet, options: PlanOptions = {}): GenerationPlan {
  const operands = collectOperands(rs);
  let maskSlots = 0;
  const questions: QuestionPlan[] = rs.questions.map((q) => {
    const { domain, comboOptions } = rawDomain(rs, q, operands);
    return { id: q.id, index: q.index, type: q.raw.type, domain, comboOptions, unknownAnswer: q.allowUnknown ? (q.raw.type === "multiselect" ? [UNKNOWN] : UNKNOWN) : undefined, maskSlot: comboOptions.length > 1 ? maskSlots++ : -1 };
  });
  const history = HISTORY_FACTS.map((name) => {
    const values = new Set<number>([0, 1, 2]);
    if (name === "highest_earlier_level") for (let l = 0; l <= rs.outcomes.length; l++) values.add(l);
    for (const v of operands.history.get(name) ?? []) for (const x of [Math.floor(v) - 1, Math.floor(v), Math.ceil(v), Math.ceil(v) + 1]) values.add(x);
    return { name, values: [...values].filter((v) => v >= 0).sort((a, b) => a - b) };
  });
  const clocks = clockCandidates(rs);
  const plan: GenerationPlan = { rs, questions, clocks, history, targets: options.targets ?? 4, baseline: { answers: {}, history: { ...NO_HISTORY }, now: clocks[0]!.now, clock: 0 }, cache: new Map(), receivedOutOfHours: new Map(), terms: [], termsByQuestion: new Map() };

  // Coordinate descent for the plain answer set: each question in turn takes the answer that gives
  // the lowest score with everything else fixed; two passes. "Not known" is never plain.
  const lean = withoutDeadlines(rs);
  const leaves: ResolvedLeaf[] = [];
  for (const r of rs.rules.values()) forEachResolvedLeaf(r.when, (l) => leaves.push(l));
  for (const g of rs.guards) forEachResolvedLeaf(g.when, (l) => leaves.push(l));
  const isUnknown = (a: Answer | undefined) => a === UNKNOWN || (Array.isArray(a) && a.length === 1 && a[0] === UNKNOWN);
  const chosen = questions.map((q) => q.domain.findIndex((c) => c.kind !== "value" || !isUnknown(c.value)));
  const current = (): Scenario => {
    const answers: Record<string, Answer> = {};
    questions.forEach((q, i) => {
      const a = candidateAnswer(plan, q, Math.max(0, chosen[i]!), 0, 0);
      if (a !== undefined) answers[q.id] = a;
    });
    return { answers, history: { ...NO_HISTORY }, now: clocks[0]!.now, clock: 0 };
  };
  for (let pass = 0; pass < 2; pass++) {
    for (const q of questions) {
      const base = current();
      let best = -1;
      let bestScore: Score = [];
      q.domain.forEach((cand, c) => {
        if (cand.kind === "combo") return;
        const a = candidateAnswer(plan, q, c, 0, 0);
        if (isUnknown(a)) return;
        const answers = { ...base.answers };
        if (a === undefined) delete answers[q.id];
        else answers[q.id] = a;
        const d = evaluate(lean, inputOf(base, visibleAnswers(plan, base, answers)));
        // Ties: the answer that satisfies fewest rule conditions on its own, then the one that keeps
        // the most questions asked (so the baseline hides as little as possible), then option order.
        const score = [...decisionScore(d, rs), leafHits(leaves, rs, rs.questions[q.index]!, a), -Object.keys(d.answers).length];
        if (best < 0 || less(score, bestScore)) [best, bestScore] = [c, score];
      });
      if (best >= 0) chosen[q.index] = best;
    }
  }
  // Move each baseline candidate to the front of its domain.
  questions.forEach((q, i) => {
    const c = chosen[i]!;
    if (c > 0) q.domain = [q.domain[c]!, ...q.domain.slice(0, c), ...q.domain.slice(c + 1)];
  });
  plan.cache.clear();
  chosen.fill(0);
  plan.baseline = current();
  buildTerms(plan);
  plan.cache.clear();
  return plan;
}

export interface GenerateOptions {
  samples: number;
  seed: number;
}

/** Samples as fast-check generates them (for tests and tools; lint streams them in chunks). */
export function sampleChoices(plan: GenerationPlan, options: GenerateOptions): Choices[] {
  return fc.sample(choicesArbitrary(plan), { seed: options.seed, numRuns: options.samples, unbiased: true });
}

export function generateScenarios(plan: GenerationPlan, options: GenerateOptions): Scenario[] {
  return sampleChoices(plan, options).map((c) => decode(plan, c));
}
