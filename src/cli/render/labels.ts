/**
 * Plain labels for human views: the rule set's own words for outcomes, questions, options, checks,
 * guards, rules, steps and closure reasons. Ids stay in `--json`; a worker reads labels
 * (docs/rule-format.md: every id has a label, title or text beside it).
 */
import type { CompiledRuleSet } from "../../rules/compile.js";
import { UNKNOWN, type Answer } from "../../rules/types.js";
import { inertLine } from "./inert.js";
import { FINISH_STEP } from "../../workflow/events.js";

export interface Labels {
  outcome(id: string): string;
  question(id: string): string;
  /** An option's label within its question; "not known" for the unknown token. */
  option(question: string, value: string): string;
  /** A whole answer as words: list items joined, dates as written. */
  answer(question: string, value: Answer): string;
  /** A check's short label (its text up to the first colon or bracket); checkText gives all of it. */
  check(id: string): string;
  checkText(id: string): string;
  guard(id: string): string;
  rule(id: string): string;
  /** A step's text, whitespace collapsed. */
  step(id: string): string;
  closure(id: string): string;
  /** Something recorded or overdue: a step (its head), a check (its label) or the guard's checks. */
  item(id: string): string;
  /** Deadline names and flags have no label in the rule format: their ids read as words. */
  deadline(name: string): string;
  flag(id: string): string;
}

export const humanise = (id: string): string => inertLine(id.replace(/_/g, " "));
// Rule-set text came from a file: shown inert, on one line.
const oneLine = (s: string): string => inertLine(s.replace(/\s+/g, " ").trim());

/** The head of a long text: up to the first colon, bracket or full stop ("The referrer has been spoken to by …"). */
export function shortLabel(text: string): string {
  const cut = text.search(/:|\s\(|\.\s|\.$|;/);
  return cut > 0 ? text.slice(0, cut) : text;
}

/** A label or, for something the rule set does not name (an older rule set's id), the id as words. */
export function labelsFor(rs: CompiledRuleSet | undefined): Labels {
  const raw = rs?.raw;
  const outcomes = new Map(raw?.outcomes.map((o) => [o.id, oneLine(o.label)]));
  const questions = new Map(raw?.questions.map((q) => [q.id, q]));
  const checks = new Map(raw?.checks.map((c) => [c.id, oneLine(c.text)]));
  const guards = new Map(raw?.guards.map((g) => [g.id, oneLine(g.title)]));
  const rules = new Map(raw?.rules.map((r) => [r.id, oneLine(r.title)]));
  const steps = new Map(raw?.steps.map((s) => [s.id, oneLine(s.text)]));
  // The interview's own step (an urgent decision's questions left for later), not the rule set's.
  if (!steps.has(FINISH_STEP)) steps.set(FINISH_STEP, "Finish the interview: answer the questions left for later");
  const closures = new Map(raw?.closure_reasons.map((c) => [c.id, oneLine(c.label)]));
  const option = (question: string, value: string): string => {
    if (value === UNKNOWN) return "not known";
    for (const o of questions.get(question)?.options ?? []) {
      if (typeof o === "string" ? o === value : o.value === value) return inertLine(typeof o === "string" || !o.label ? humanise(value) : o.label);
    }
    return inertLine(value);
  };
  return {
    outcome: (id) => outcomes.get(id) ?? humanise(id),
    question: (id) => (questions.has(id) ? oneLine(questions.get(id)!.ask) : humanise(id)),
    option,
    answer: (question, value) => {
      const q = questions.get(question);
      if (typeof value === "object") return value.map((v) => option(question, v)).join(", ");
      if (typeof value === "number") return String(value);
      if (value === UNKNOWN) return "not known";
      return q && (q.type === "select" || q.type === "multiselect") ? option(question, value) : inertLine(value);
    },
    check: (id) => (checks.has(id) ? shortLabel(checks.get(id)!) : humanise(id)),
    checkText: (id) => checks.get(id) ?? humanise(id),
    guard: (id) => guards.get(id) ?? humanise(id),
    rule: (id) => rules.get(id) ?? humanise(id),
    step: (id) => steps.get(id) ?? humanise(id),
    closure: (id) => closures.get(id) ?? humanise(id),
    item: (id) =>
      steps.has(id) ? shortLabel(steps.get(id)!) : checks.has(id) ? shortLabel(checks.get(id)!) : id === "guard_checks" ? "the guard's checks" : humanise(id),
    deadline: (name) => humanise(name.replace(/_by$/, "")),
    flag: (id) => humanise(id).replace(/\booh\b/g, "out of hours"),
  };
}
