/**
 * Conditions are data. They are compiled once into closures over an evaluation environment (fast
 * path), and can also be interpreted with a trace (explain path). Both read the same leaf semantics
 * from `testLeaf`, so what explain shows is what the evaluator did.
 */
import { OPERATORS, type Operator } from "./operators.js";
import type { Operand, RawCondition } from "./schema.js";
import type { Answer, HistoryFacts } from "./types.js";
import { UNKNOWN } from "./types.js";

/** What conditions read. Arrays are indexed by question position. */
export interface Env {
  /** The answer as the rules see it (after unknown_counts_as); undefined when hidden or unanswered. */
  values: (Answer | undefined)[];
  /** The answer was "not known" (before unknown_counts_as). */
  unknown: boolean[];
  history: HistoryFacts;
  clock: { out_of_hours: boolean; received_out_of_hours: boolean };
  /** The outcome so far, as a level (1-based). */
  level: number;
}

export const HISTORY_FACTS = [
  "referrals_in_window",
  "distinct_referrers",
  "earlier_unsubstantiated_closures",
  "earlier_malicious_closures",
  "earlier_closures_without_checks",
  "highest_earlier_level",
  "earlier_injuries",
  "recent_nfa_closures",
] as const;
export const CLOCK_FACTS = ["out_of_hours", "received_out_of_hours"] as const;

/** A leaf, resolved: its subject, its operator and its operand with thresholds and outcomes made numbers. */
export interface ResolvedLeaf {
  kind: "leaf";
  subject:
    | { type: "question"; index: number; id: string; numericKind: "number" | "date" | "datetime" | null }
    | { type: "history"; name: keyof HistoryFacts }
    | { type: "clock"; name: "out_of_hours" | "received_out_of_hours" }
    | { type: "outcome" };
  op: Operator;
  /** Literal operand(s): scalars, sets for in/contains, [lo, hi] for between. */
  value: unknown;
  /** For explain: the operand as written (threshold names kept). */
  written: unknown;
  /** For explain: threshold names used and their values. */
  thresholds: { name: string; value: number }[];
}
export type ResolvedCondition = { kind: "all" | "any"; items: ResolvedCondition[] } | { kind: "not"; item: ResolvedCondition } | ResolvedLeaf;

export function leafOperator(leaf: Record<string, unknown>): Operator[] {
  return OPERATORS.filter((op) => leaf[op] !== undefined);
}

/** Walks a raw condition, calling `visit` for each leaf with its path (for validation and resolution). */
export function forEachLeaf(
  condition: RawCondition,
  path: (string | number)[],
  visit: (leaf: Record<string, unknown>, path: (string | number)[]) => void,
): void {
  if ("all" in condition && Array.isArray(condition.all)) condition.all.forEach((c, i) => forEachLeaf(c, [...path, "all", i], visit));
  else if ("any" in condition && Array.isArray(condition.any)) condition.any.forEach((c, i) => forEachLeaf(c, [...path, "any", i], visit));
  else if ("not" in condition && condition.not) forEachLeaf(condition.not, [...path, "not"], visit);
  else visit(condition, path);
}

export function readsOutcome(condition: RawCondition): boolean {
  let reads = false;
  forEachLeaf(condition, [], (leaf) => {
    if (leaf.fact === "outcome") reads = true;
  });
  return reads;
}

function subjectValue(leaf: ResolvedLeaf, env: Env): { value: unknown; unknown: boolean } {
  const s = leaf.subject;
  switch (s.type) {
    case "question":
      return { value: env.values[s.index], unknown: env.unknown[s.index] === true };
    case "history":
      return { value: env.history[s.name], unknown: false };
    case "clock":
      return { value: env.clock[s.name], unknown: false };
    case "outcome":
      return { value: env.level, unknown: false };
  }
}

function asComparable(value: unknown, kind: "number" | "date" | "datetime" | null): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value !== "string" || value === UNKNOWN) return undefined;
  if (kind === "date") return Date.parse(`${value}T00:00:00Z`);
  if (kind === "datetime") return Date.parse(value);
  return undefined;
}

/** The semantics of one leaf (docs/rule-format.md "Semantics"). */
export function testLeaf(leaf: ResolvedLeaf, env: Env): boolean {
  const { value, unknown } = subjectValue(leaf, env);
  const answered = value !== undefined;
  switch (leaf.op) {
    case "answered":
      return answered === leaf.value;
    case "unknown":
      return unknown === leaf.value;
  }
  if (!answered) return false;
  const operand = leaf.value;
  switch (leaf.op) {
    case "eq":
      return value === operand;
    case "ne":
      return value !== operand;
    case "in":
      return (operand as Set<unknown>).has(value);
    case "not_in":
      return !(operand as Set<unknown>).has(value);
    case "contains_any":
    case "contains_all":
    case "contains_none": {
      const list: readonly unknown[] = Array.isArray(value) ? value : [value];
      const set = operand as Set<unknown>;
      if (leaf.op === "contains_any") return list.some((v) => set.has(v));
      if (leaf.op === "contains_none") return !list.some((v) => set.has(v));
      for (const wanted of set) if (!list.includes(wanted)) return false;
      return true;
    }
  }
  const numericKind = leaf.subject.type === "question" ? leaf.subject.numericKind : "number";
  const n = asComparable(value, numericKind);
  if (n === undefined) return false;
  switch (leaf.op) {
    case "gte":
      return n >= (operand as number);
    case "gt":
      return n > (operand as number);
    case "lte":
      return n <= (operand as number);
    case "lt":
      return n < (operand as number);
    case "between": {
      const [lo, hi] = operand as [number, number];
      return n >= lo && n <= hi;
    }
  }
  return false;
}

export type Predicate = (env: Env) => boolean;

export function compileCondition(condition: ResolvedCondition): Predicate {
  switch (condition.kind) {
    case "all": {
      const parts = condition.items.map(compileCondition);
      // Short lists are the common case; a fixed shape avoids the loop.
      if (parts.length === 1) return parts[0]!;
      if (parts.length === 2) {
        const [a, b] = parts as [Predicate, Predicate];
        return (env) => a(env) && b(env);
      }
      return (env) => {
        for (const p of parts) if (!p(env)) return false;
        return true;
      };
    }
    case "any": {
      const parts = condition.items.map(compileCondition);
      if (parts.length === 1) return parts[0]!;
      if (parts.length === 2) {
        const [a, b] = parts as [Predicate, Predicate];
        return (env) => a(env) || b(env);
      }
      return (env) => {
        for (const p of parts) if (p(env)) return true;
        return false;
      };
    }
    case "not": {
      const inner = compileCondition(condition.item);
      return (env) => !inner(env);
    }
    case "leaf":
      return compileLeaf(condition);
  }
}

/**
 * The fast path of `testLeaf`: one closure per leaf, specialised by subject and operator, with no
 * allocation per test. A property test holds it equal to `testLeaf` (which explain uses).
 */
function compileLeaf(leaf: ResolvedLeaf): Predicate {
  const s = leaf.subject;
  if (s.type === "question") {
    const fast = compileQuestionLeaf(leaf, s.index);
    if (fast) return fast;
  }
  const get: (env: Env) => unknown =
    s.type === "question"
      ? (env) => env.values[s.index]
      : s.type === "history"
        ? HISTORY_READERS[s.name]
        : s.type === "clock"
          ? s.name === "out_of_hours"
            ? (env) => env.clock.out_of_hours
            : (env) => env.clock.received_out_of_hours
          : (env) => env.level;
  const index = s.type === "question" ? s.index : -1;
  const operand = leaf.value;
  switch (leaf.op) {
    case "answered":
      return (env) => (get(env) !== undefined) === operand;
    case "unknown":
      return index < 0 ? () => false === operand : (env) => (env.unknown[index] === true) === operand;
    case "eq":
      return (env) => {
        const v = get(env);
        return v !== undefined && v === operand;
      };
    case "ne":
      return (env) => {
        const v = get(env);
        return v !== undefined && v !== operand;
      };
    case "in": {
      const set = operand as Set<unknown>;
      return (env) => {
        const v = get(env);
        return v !== undefined && set.has(v);
      };
    }
    case "not_in": {
      const set = operand as Set<unknown>;
      return (env) => {
        const v = get(env);
        return v !== undefined && !set.has(v);
      };
    }
    case "contains_any":
    case "contains_none": {
      const set = operand as Set<unknown>;
      const any = leaf.op === "contains_any";
      return (env) => {
        const v = get(env);
        if (v === undefined) return false;
        let hit = false;
        if (Array.isArray(v)) {
          for (const x of v)
            if (set.has(x)) {
              hit = true;
              break;
            }
        } else hit = set.has(v);
        return any ? hit : !hit;
      };
    }
    case "gte":
    case "gt":
    case "lte":
    case "lt": {
      // Counts (history, the outcome level, number questions) compare as numbers; a date or
      // date-time question's text is parsed first, which testLeaf does.
      if (typeof operand !== "number" || (s.type === "question" && s.numericKind !== "number")) return (env) => testLeaf(leaf, env);
      const op = leaf.op;
      return op === "gte"
        ? (env) => {
            const v = get(env);
            return typeof v === "number" && v >= operand;
          }
        : op === "gt"
          ? (env) => {
              const v = get(env);
              return typeof v === "number" && v > operand;
            }
          : op === "lte"
            ? (env) => {
                const v = get(env);
                return typeof v === "number" && v <= operand;
              }
            : (env) => {
                const v = get(env);
                return typeof v === "number" && v < operand;
              };
    }
    default:
      // contains_all and between are rare in rule sets; share testLeaf's code.
      return (env) => testLeaf(leaf, env);
  }
}

// One reader per history fact, so a leaf reads a named property rather than a computed one.
const HISTORY_READERS: Record<keyof HistoryFacts, (env: Env) => number> = {
  referrals_in_window: (env) => env.history.referrals_in_window,
  distinct_referrers: (env) => env.history.distinct_referrers,
  earlier_unsubstantiated_closures: (env) => env.history.earlier_unsubstantiated_closures,
  earlier_malicious_closures: (env) => env.history.earlier_malicious_closures,
  earlier_closures_without_checks: (env) => env.history.earlier_closures_without_checks,
  highest_earlier_level: (env) => env.history.highest_earlier_level,
  earlier_injuries: (env) => env.history.earlier_injuries,
  recent_nfa_closures: (env) => env.history.recent_nfa_closures,
};

/**
 * The commonest leaves, on a question's answer, read the answer array directly (no reader call):
 * most of a rule set's leaves are these. Other operators return undefined and take the general path.
 */
function compileQuestionLeaf(leaf: ResolvedLeaf, index: number): Predicate | undefined {
  const operand = leaf.value;
  switch (leaf.op) {
    case "unknown":
      return (env) => (env.unknown[index] === true) === operand;
    case "in": {
      const set = operand as Set<unknown>;
      return (env) => {
        const v = env.values[index];
        return v !== undefined && set.has(v);
      };
    }
    case "not_in": {
      const set = operand as Set<unknown>;
      return (env) => {
        const v = env.values[index];
        return v !== undefined && !set.has(v);
      };
    }
    case "contains_any":
    case "contains_none": {
      const set = operand as Set<unknown>;
      const any = leaf.op === "contains_any";
      return (env) => {
        const v = env.values[index];
        if (v === undefined) return false;
        let hit = false;
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++)
            if (set.has(v[i])) {
              hit = true;
              break;
            }
        } else hit = set.has(v);
        return any ? hit : !hit;
      };
    }
    default:
      return undefined;
  }
}

/** One node of an explanation: the result, and for leaves what was compared. */
export interface ConditionTrace {
  kind: "all" | "any" | "not" | "leaf";
  result: boolean | "not_evaluated";
  subject?: string;
  actual?: unknown;
  actual_unknown?: boolean;
  op?: Operator;
  expected?: unknown;
  thresholds?: { name: string; value: number }[];
  items?: ConditionTrace[];
}

function subjectName(leaf: ResolvedLeaf): string {
  const s = leaf.subject;
  if (s.type === "question") return s.id;
  if (s.type === "history") return `history.${s.name}`;
  if (s.type === "clock") return `clock.${s.name}`;
  return "outcome";
}

function notEvaluated(condition: ResolvedCondition): ConditionTrace {
  if (condition.kind === "leaf") {
    return {
      kind: "leaf",
      result: "not_evaluated",
      subject: subjectName(condition),
      op: condition.op,
      expected: condition.written,
      thresholds: condition.thresholds,
    };
  }
  if (condition.kind === "not") return { kind: "not", result: "not_evaluated", items: [notEvaluated(condition.item)] };
  return { kind: condition.kind, result: "not_evaluated", items: condition.items.map(notEvaluated) };
}

/** Interprets a condition with short-circuiting, marking the skipped parts "not_evaluated". */
export function traceCondition(condition: ResolvedCondition, env: Env, outcomeIdOfLevel: (level: number) => string): ConditionTrace {
  switch (condition.kind) {
    case "all":
    case "any": {
      const items: ConditionTrace[] = [];
      let result = condition.kind === "all";
      let decided = false;
      for (const item of condition.items) {
        if (decided) {
          items.push(notEvaluated(item));
          continue;
        }
        const t = traceCondition(item, env, outcomeIdOfLevel);
        items.push(t);
        if (condition.kind === "all" && t.result === false) {
          result = false;
          decided = true;
        } else if (condition.kind === "any" && t.result === true) {
          result = true;
          decided = true;
        }
      }
      return { kind: condition.kind, result, items };
    }
    case "not": {
      const inner = traceCondition(condition.item, env, outcomeIdOfLevel);
      return { kind: "not", result: inner.result === true ? false : true, items: [inner] };
    }
    case "leaf": {
      const { value, unknown } = subjectValue(condition, env);
      const actual = condition.subject.type === "outcome" ? outcomeIdOfLevel(value as number) : value;
      return {
        kind: "leaf",
        result: testLeaf(condition, env),
        subject: subjectName(condition),
        actual: actual === undefined ? null : actual,
        ...(unknown && { actual_unknown: true }),
        op: condition.op,
        expected: condition.written,
        ...(condition.thresholds.length > 0 && { thresholds: condition.thresholds }),
      };
    }
  }
}

export type { Operand };
