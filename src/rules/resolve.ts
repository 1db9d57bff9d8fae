/**
 * Resolves a raw condition against a rule set: question ids to positions, thresholds to numbers,
 * outcome ids to levels. Every problem is reported with its path (never thrown), so the same code
 * validates a rule file and compiles a valid one.
 */
import { CLOCK_FACTS, HISTORY_FACTS, leafOperator, type ResolvedCondition, type ResolvedLeaf } from "./conditions.js";
import type { Operator, RawCondition, RawQuestion, RawRuleSet } from "./schema.js";
import { didYouMean } from "./suggest.js";
import { UNKNOWN, type HistoryFacts } from "./types.js";

export interface Issue {
  path: (string | number)[];
  message: string;
}

export interface Scope {
  raw: RawRuleSet;
  questionIndex: Map<string, number>;
  outcomeLevel: Map<string, number>;
  /** Questions a condition may read: all of them, or for a question's `when` only earlier ones. */
  visibleBefore: number;
}

export function makeScope(raw: RawRuleSet): Scope {
  return {
    raw,
    questionIndex: new Map(raw.questions.map((q, i) => [q.id, i])),
    outcomeLevel: new Map(raw.outcomes.map((o, i) => [o.id, i + 1])),
    visibleBefore: raw.questions.length,
  };
}

const OPS_BY_TYPE: Record<string, readonly Operator[]> = {
  select: ["eq", "ne", "in", "not_in", "answered", "unknown"],
  text: ["eq", "ne", "in", "not_in", "answered", "unknown"],
  multiselect: ["contains_any", "contains_all", "contains_none", "answered", "unknown"],
  number: ["eq", "ne", "in", "not_in", "gte", "gt", "lte", "lt", "between", "answered", "unknown"],
  date: ["eq", "ne", "gte", "gt", "lte", "lt", "between", "answered", "unknown"],
  datetime: ["gte", "gt", "lte", "lt", "between", "answered", "unknown"],
  history: ["eq", "ne", "in", "not_in", "gte", "gt", "lte", "lt", "between"],
  clock: ["eq", "ne"],
  outcome: ["eq", "ne", "in", "not_in", "gte", "gt", "lte", "lt", "between"],
};

export function optionValues(q: RawQuestion): string[] {
  return (q.options ?? []).map((o) => (typeof o === "string" ? o : o.value));
}

export function allowsUnknown(q: RawQuestion): boolean {
  return q.allow_unknown !== false;
}

const list = (items: readonly unknown[]): string => items.map((x) => String(x)).join(", ");

export function resolveCondition(condition: RawCondition, scope: Scope, path: (string | number)[], issues: Issue[]): ResolvedCondition {
  if ("all" in condition && Array.isArray(condition.all))
    return { kind: "all", items: condition.all.map((c, i) => resolveCondition(c, scope, [...path, "all", i], issues)) };
  if ("any" in condition && Array.isArray(condition.any))
    return { kind: "any", items: condition.any.map((c, i) => resolveCondition(c, scope, [...path, "any", i], issues)) };
  if ("not" in condition && condition.not) return { kind: "not", item: resolveCondition(condition.not, scope, [...path, "not"], issues) };
  return resolveLeaf(condition, scope, path, issues);
}

function resolveLeaf(leaf: Record<string, unknown>, scope: Scope, path: (string | number)[], issues: Issue[]): ResolvedLeaf {
  const fallback: ResolvedLeaf = { kind: "leaf", subject: { type: "outcome" }, op: "eq", value: -1, written: null, thresholds: [] };
  const ops = leafOperator(leaf);
  if (ops.length !== 1) {
    issues.push({
      path,
      message:
        ops.length === 0
          ? `a condition needs all, any, not, or one operator (${list(["eq", "ne", "in", "not_in", "contains_any", "contains_all", "contains_none", "gte", "gt", "lte", "lt", "between", "answered", "unknown"])})`
          : `one operator per condition, found ${list(ops)}; combine them with all/any`,
    });
    return fallback;
  }
  const op = ops[0]!;
  const opPath = [...path, op];
  const written = leaf[op];
  const hasQ = typeof leaf.q === "string";
  const hasFact = typeof leaf.fact === "string";
  if (hasQ === hasFact) {
    issues.push({ path, message: "a condition names exactly one subject: q (a question id) or fact (history.*, clock.*, outcome)" });
    return fallback;
  }

  let subject: ResolvedLeaf["subject"];
  let typeKey: string;
  let question: RawQuestion | undefined;
  if (hasQ) {
    const id = leaf.q as string;
    const index = scope.questionIndex.get(id);
    if (index === undefined) {
      issues.push({ path: [...path, "q"], message: `unknown question "${id}"; ${didYouMean(id, [...scope.questionIndex.keys()])}` });
      return fallback;
    }
    if (index >= scope.visibleBefore) {
      issues.push({ path: [...path, "q"], message: `"${id}" is asked at or after this question; a "when" may refer only to earlier questions` });
      return fallback;
    }
    question = scope.raw.questions[index]!;
    typeKey = question.type;
    const numericKind = question.type === "number" || question.type === "date" || question.type === "datetime" ? question.type : null;
    subject = { type: "question", index, id, numericKind };
  } else {
    const fact = leaf.fact as string;
    const [head, name] = fact.split(".", 2);
    if (fact === "outcome") {
      subject = { type: "outcome" };
      typeKey = "outcome";
    } else if (head === "history" && (HISTORY_FACTS as readonly string[]).includes(name ?? "")) {
      subject = { type: "history", name: name as keyof HistoryFacts };
      typeKey = "history";
    } else if (head === "clock" && (CLOCK_FACTS as readonly string[]).includes(name ?? "")) {
      subject = { type: "clock", name: name as "out_of_hours" | "received_out_of_hours" };
      typeKey = "clock";
    } else {
      const known = ["outcome", ...HISTORY_FACTS.map((f) => `history.${f}`), ...CLOCK_FACTS.map((f) => `clock.${f}`)];
      issues.push({ path: [...path, "fact"], message: `unknown fact "${fact}"; expected one of: ${list(known)}` });
      return fallback;
    }
  }

  if (!OPS_BY_TYPE[typeKey]!.includes(op)) {
    issues.push({
      path: opPath,
      message: `operator "${op}" does not fit ${hasQ ? `${typeKey} question "${leaf.q as string}"` : `fact "${leaf.fact as string}"`}; use one of: ${list(OPS_BY_TYPE[typeKey]!)}`,
    });
    return fallback;
  }

  const thresholds: { name: string; value: number }[] = [];
  const resolveScalar = (v: unknown, p: (string | number)[]): unknown => {
    if (v !== null && typeof v === "object" && "threshold" in v) {
      const name = (v as { threshold: string }).threshold;
      const t = scope.raw.thresholds[name];
      if (!t) {
        issues.push({ path: [...p, "threshold"], message: `unknown threshold "${name}"; ${didYouMean(name, Object.keys(scope.raw.thresholds))}` });
        return Number.NaN;
      }
      thresholds.push({ name, value: t.value });
      return t.value;
    }
    return checkLiteral(v, p);
  };

  const checkLiteral = (v: unknown, p: (string | number)[]): unknown => {
    if (subject.type === "outcome") {
      const level = typeof v === "string" ? scope.outcomeLevel.get(v) : undefined;
      if (level === undefined) issues.push({ path: p, message: `unknown outcome "${String(v)}"; expected one of: ${list([...scope.outcomeLevel.keys()])}` });
      return level ?? -1;
    }
    if (subject.type === "clock") {
      if (typeof v !== "boolean") issues.push({ path: p, message: `clock facts are true or false, got ${JSON.stringify(v)}` });
      return v;
    }
    if (subject.type === "history") {
      if (typeof v !== "number") issues.push({ path: p, message: `history facts are numbers, got ${JSON.stringify(v)}` });
      return v;
    }
    const q = question!;
    if (q.type === "select" || q.type === "multiselect") {
      const options = optionValues(q);
      const ok = typeof v === "string" && (options.includes(v) || (v === UNKNOWN && allowsUnknown(q)));
      if (!ok) issues.push({ path: p, message: `${JSON.stringify(v)} is not an option of "${q.id}"; expected one of: ${list(options)}` });
      return v;
    }
    if (q.type === "number") {
      if (typeof v !== "number" && !(v === UNKNOWN && allowsUnknown(q)))
        issues.push({ path: p, message: `"${q.id}" is a number question; expected a number or {threshold: name}, got ${JSON.stringify(v)}` });
      return v;
    }
    if (q.type === "date" || q.type === "datetime") {
      const parsed = typeof v === "string" ? Date.parse(q.type === "date" ? `${v}T00:00:00Z` : v) : Number.NaN;
      if (Number.isNaN(parsed))
        issues.push({
          path: p,
          message: `"${q.id}" is a ${q.type} question; expected ${q.type === "date" ? "YYYY-MM-DD" : "an ISO date-time with offset"}, got ${JSON.stringify(v)}`,
        });
      return op === "eq" || op === "ne" ? v : parsed;
    }
    if (typeof v !== "string") issues.push({ path: p, message: `"${q.id}" is a text question; expected text, got ${JSON.stringify(v)}` });
    return v;
  };

  let value: unknown;
  switch (op) {
    case "answered":
    case "unknown":
      if (typeof written !== "boolean") issues.push({ path: opPath, message: `"${op}" takes true or false` });
      if (op === "unknown" && question && !allowsUnknown(question))
        issues.push({ path: opPath, message: `"${question.id}" does not allow "not known" (allow_unknown: false)` });
      value = written;
      break;
    case "in":
    case "not_in":
    case "contains_any":
    case "contains_all":
    case "contains_none":
      value = new Set((written as unknown[]).map((v, i) => checkLiteral(v, [...opPath, i])));
      break;
    case "between": {
      const [lo, hi] = written as [unknown, unknown];
      value = [resolveScalar(lo, [...opPath, 0]), resolveScalar(hi, [...opPath, 1])];
      break;
    }
    default:
      value = resolveScalar(written, opPath);
  }
  return { kind: "leaf", subject, op, value, written, thresholds };
}
