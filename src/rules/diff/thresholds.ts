/**
 * Where thresholds are used: for each threshold of a rule set, the outcomes, questions, steps,
 * checks, rules, guards and invariants that refer to it (`rules thresholds`, and the "used by" of a
 * changed threshold in `rules diff`).
 */
import { forEachLeaf } from "../conditions.js";
import type { RawCondition, RawDuration, RawRuleSet } from "../schema.js";

/** `history`: read by the shell itself (the window for counting earlier referrals). */
export type UseKind = "outcome" | "question" | "step" | "check" | "rule" | "guard" | "invariant" | "history";

export interface ThresholdUse {
  kind: UseKind;
  id: string;
  /** The part that names the threshold: when, response_times.decide_by, due, required_when, … */
  where: string;
}

const COMPARISONS = ["eq", "ne", "gte", "gt", "lte", "lt"] as const;

/** The threshold an operand names (`{ threshold: name }`), if it names one. */
export function thresholdName(operand: unknown): string | undefined {
  return operand !== null && typeof operand === "object" && !Array.isArray(operand) && typeof (operand as { threshold?: unknown }).threshold === "string"
    ? (operand as { threshold: string }).threshold
    : undefined;
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
  for (const o of raw.outcomes)
    for (const [name, d] of Object.entries(o.response_times)) add(durationThreshold(d), { kind: "outcome", id: o.id, where: `response_times.${name}` });
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
