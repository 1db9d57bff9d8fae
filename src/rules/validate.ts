/**
 * Cross-reference checks over a rule set whose shape is already valid: ids, option values,
 * operator/type fit, threshold ranges, question order. Every problem is collected with its path.
 */
import { readsOutcome } from "./conditions.js";
import { allowsUnknown, makeScope, optionValues, resolveCondition, type Issue, type Scope } from "./resolve.js";
import type { RawDuration, RawQuestion, RawRuleSet } from "./schema.js";
import { didYouMean } from "./suggest.js";
import { UNKNOWN } from "./types.js";

type Path = (string | number)[];

function duplicates(items: readonly { id: string }[], where: string, issues: Issue[]): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const first = seen.get(item.id);
    if (first !== undefined) issues.push({ path: [where, i, "id"], message: `duplicate id "${item.id}" (first used at ${where}[${first}])` });
    else seen.set(item.id, i);
  });
}

function known(ids: Iterable<string>, id: string, what: string, path: Path, issues: Issue[]): boolean {
  const all = [...ids];
  if (all.includes(id)) return true;
  issues.push({ path, message: `unknown ${what} "${id}"; ${didYouMean(id, all)}` });
  return false;
}

function checkDuration(d: RawDuration, path: Path, raw: RawRuleSet, issues: Issue[]): void {
  const [unit, n] = Object.entries(d)[0] as [string, number | { threshold: string }];
  if (typeof n === "object") {
    if (!raw.thresholds[n.threshold])
      issues.push({
        path: [...path, unit, "threshold"],
        message: `unknown threshold "${n.threshold}"; ${didYouMean(n.threshold, Object.keys(raw.thresholds))}`,
      });
  } else if (n < 0 || (unit === "working_days" && !Number.isInteger(n))) {
    issues.push({ path: [...path, unit], message: `${unit} must be ${unit === "working_days" ? "a whole number" : "a number"} ≥ 0` });
  }
}

function checkAnswerLiteral(q: RawQuestion, v: unknown, path: Path, issues: Issue[]): void {
  const options = optionValues(q);
  const values = Array.isArray(v) ? v : [v];
  if (Array.isArray(v) && q.type !== "multiselect") issues.push({ path, message: `"${q.id}" is a ${q.type} question; a list fits only multiselect` });
  for (const x of values) {
    if (q.type === "select" || q.type === "multiselect") {
      if (!options.includes(String(x)))
        issues.push({ path, message: `${JSON.stringify(x)} is not an option of "${q.id}"; expected one of: ${options.join(", ")}` });
    } else if (q.type === "number" && typeof x !== "number") {
      issues.push({ path, message: `"${q.id}" is a number question; expected a number` });
    }
  }
}

function checkQuestion(q: RawQuestion, i: number, scope: Scope, issues: Issue[]): void {
  const path: Path = ["questions", i];
  const options = optionValues(q);
  const choice = q.type === "select" || q.type === "multiselect";
  if (choice && options.length === 0) issues.push({ path: [...path, "type"], message: `a ${q.type} question needs options` });
  if (!choice && q.options) issues.push({ path: [...path, "options"], message: `options fit only select and multiselect questions, not ${q.type}` });
  const seen = new Set<string>();
  options.forEach((o, j) => {
    if (seen.has(o)) issues.push({ path: [...path, "options", j], message: `duplicate option "${o}"` });
    seen.add(o);
  });
  if (q.exclusive) {
    if (q.type !== "multiselect") issues.push({ path: [...path, "exclusive"], message: "exclusive fits only multiselect questions" });
    q.exclusive.forEach((o, j) => {
      if (!options.includes(o))
        issues.push({ path: [...path, "exclusive", j], message: `"${o}" is not an option of "${q.id}"; expected one of: ${options.join(", ")}` });
    });
  }
  if ((q.min !== undefined || q.max !== undefined || q.integer !== undefined) && q.type !== "number")
    issues.push({
      path: [...path, q.min !== undefined ? "min" : q.max !== undefined ? "max" : "integer"],
      message: "min, max and integer fit only number questions",
    });
  if (q.min !== undefined && q.max !== undefined && q.min > q.max) issues.push({ path: [...path, "min"], message: `min ${q.min} is above max ${q.max}` });
  if (q.critical && !allowsUnknown(q))
    issues.push({ path: [...path, "critical"], message: `critical question "${q.id}" must allow "not known" (unknown is not no)` });
  if (q.unknown_counts_as !== undefined) {
    if (!allowsUnknown(q))
      issues.push({ path: [...path, "unknown_counts_as"], message: `"${q.id}" does not allow "not known", so unknown_counts_as has no effect` });
    checkAnswerLiteral(q, q.unknown_counts_as, [...path, "unknown_counts_as"], issues);
    const values = Array.isArray(q.unknown_counts_as) ? q.unknown_counts_as : [q.unknown_counts_as];
    if (values.includes(UNKNOWN)) issues.push({ path: [...path, "unknown_counts_as"], message: "unknown_counts_as must name a known answer, not unknown" });
  }
  if (q.partial_unknown) {
    if (q.type !== "multiselect") issues.push({ path: [...path, "partial_unknown"], message: "partial_unknown fits only multiselect questions" });
    else if (!allowsUnknown(q))
      issues.push({ path: [...path, "partial_unknown"], message: `"${q.id}" does not allow "not known", so partial_unknown has no effect` });
  }
  if (q.default !== undefined && !(q.default === "now" && (q.type === "date" || q.type === "datetime")))
    checkAnswerLiteral(q, q.default, [...path, "default"], issues);
  if (q.when) resolveCondition(q.when, { ...scope, visibleBefore: i }, [...path, "when"], issues);
}

export function checkRuleSet(raw: RawRuleSet): Issue[] {
  const issues: Issue[] = [];
  const scope = makeScope(raw);
  const outcomeIds = raw.outcomes.map((o) => o.id);
  const stepIds = raw.steps.map((s) => s.id);
  const checkIds = raw.checks.map((c) => c.id);
  const closureIds = raw.closure_reasons.map((c) => c.id);

  for (const [where, items] of [
    ["outcomes", raw.outcomes],
    ["questions", raw.questions],
    ["steps", raw.steps],
    ["checks", raw.checks],
    ["rules", raw.rules],
    ["guards", raw.guards],
    ["closure_reasons", raw.closure_reasons],
    ["invariants", raw.invariants],
  ] as const) {
    duplicates(items, where, issues);
  }
  known(outcomeIds, raw.default_outcome, "outcome", ["default_outcome"], issues);

  const oh = raw.office_hours;
  if (oh.start >= oh.end) issues.push({ path: ["office_hours", "end"], message: `office hours end ${oh.end} must be after start ${oh.start}` });
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: oh.time_zone });
  } catch {
    issues.push({ path: ["office_hours", "time_zone"], message: `unknown time zone "${oh.time_zone}"; expected an IANA name such as Europe/London` });
  }

  for (const [name, t] of Object.entries(raw.thresholds)) {
    if (t.allowed.min > t.allowed.max)
      issues.push({ path: ["thresholds", name, "allowed"], message: `allowed range is empty: min ${t.allowed.min} > max ${t.allowed.max}` });
    else if (t.value < t.allowed.min || t.value > t.allowed.max)
      issues.push({
        path: ["thresholds", name, "value"],
        message: `threshold "${name}" is ${t.value}, outside its allowed range ${t.allowed.min}–${t.allowed.max}`,
      });
  }

  const deadlineNames = new Set<string>();
  raw.outcomes.forEach((o, i) => {
    for (const required of ["decide_by", "respond_by"]) {
      if (!o.response_times[required])
        issues.push({ path: ["outcomes", i, "response_times"], message: `outcome "${o.id}" needs a "${required}" response time` });
    }
    for (const [name, d] of Object.entries(o.response_times)) {
      deadlineNames.add(name);
      checkDuration(d, ["outcomes", i, "response_times", name], raw, issues);
    }
  });

  raw.questions.forEach((q, i) => checkQuestion(q, i, scope, issues));

  raw.steps.forEach((s, i) => {
    if (!s.due) return;
    if ("deadline" in s.due) known(deadlineNames, s.due.deadline, "deadline", ["steps", i, "due", "deadline"], issues);
    else checkDuration(s.due, ["steps", i, "due"], raw, issues);
  });

  raw.checks.forEach((c, i) => {
    if (c.required_when) resolveCondition(c.required_when, scope, ["checks", i, "required_when"], issues);
    if (c.satisfied_when) resolveCondition(c.satisfied_when, scope, ["checks", i, "satisfied_when"], issues);
  });

  raw.rules.forEach((r, i) => {
    const path: Path = ["rules", i];
    resolveCondition(r.when, scope, [...path, "when"], issues);
    if (r.floor !== undefined && r.raise !== undefined)
      issues.push({ path: [...path, "raise"], message: `rule "${r.id}" has both floor and raise; choose one effect` });
    if (r.floor !== undefined) known(outcomeIds, r.floor, "outcome", [...path, "floor"], issues);
    if (r.hard && r.floor === undefined && r.raise === undefined) issues.push({ path: [...path, "hard"], message: "hard fits only a floor or a raise" });
    if (r.raise !== undefined && r.cap === undefined)
      issues.push({ path: [...path, "raise"], message: `rule "${r.id}" raises without a cap; add cap: <outcome>` });
    if (r.cap !== undefined) {
      if (r.raise === undefined) issues.push({ path: [...path, "cap"], message: "cap fits only a raise" });
      known(outcomeIds, r.cap, "outcome", [...path, "cap"], issues);
    }
    if (r.group !== undefined && r.raise === undefined) issues.push({ path: [...path, "group"], message: "group fits only a raise" });
    if (r.raise !== undefined && readsOutcome(r.when))
      issues.push({ path: [...path, "raise"], message: "a rule that reads the outcome so far must use floor, not raise (a raise would feed on itself)" });
    (r.steps ?? []).forEach((s, j) => known(stepIds, s, "step", [...path, "steps", j], issues));
  });

  raw.guards.forEach((g, i) => {
    const path: Path = ["guards", i];
    resolveCondition(g.when, scope, [...path, "when"], issues);
    if (g.hard_stop_when) resolveCondition(g.hard_stop_when, scope, [...path, "hard_stop_when"], issues);
    known(outcomeIds, g.floor, "outcome", [...path, "floor"], issues);
    g.requires_checks.forEach((c, j) => known(checkIds, c, "check", [...path, "requires_checks", j], issues));
    g.governs_closures.forEach((c, j) => known(closureIds, c, "closure reason", [...path, "governs_closures", j], issues));
  });

  raw.invariants.forEach((inv, i) => {
    const path: Path = ["invariants", i];
    if (inv.kind === "never_lower") {
      const q = raw.questions.find((x) => x.id === inv.question);
      if (!q) {
        known(scope.questionIndex.keys(), inv.question, "question", [...path, "question"], issues);
        return;
      }
      checkAnswerLiteral(q, inv.baseline, [...path, "baseline"], issues);
      inv.variants.forEach((v, j) => checkAnswerLiteral(q, v, [...path, "variants", j], issues));
    } else if (inv.kind === "unknown_not_lower") {
      (inv.questions ?? []).forEach((id, j) => {
        if (known(scope.questionIndex.keys(), id, "question", [...path, "questions", j], issues)) {
          const q = raw.questions[scope.questionIndex.get(id)!]!;
          if (!allowsUnknown(q)) issues.push({ path: [...path, "questions", j], message: `"${id}" does not allow "not known"` });
        }
      });
      if (inv.requires_step) known(stepIds, inv.requires_step, "step", [...path, "requires_step"], issues);
    } else if (inv.kind === "out_of_hours_provisional") {
      resolveCondition(inv.when, scope, [...path, "when"], issues);
      inv.never_final.forEach((o, j) => known(outcomeIds, o, "outcome", [...path, "never_final", j], issues));
    }
  });
  return issues;
}
