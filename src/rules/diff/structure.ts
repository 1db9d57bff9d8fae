/**
 * The structural diff of two rule sets: settings, thresholds, question options and every section
 * by id. Canonical content decides what counts as a change, so comments, key order and list order
 * never do.
 */
import { canonicalJson, compareIds } from "../canonical.js";
import type { CompiledRuleSet } from "../compile.js";
import { optionValues } from "../resolve.js";
import { deltaText, listDelta } from "./lists.js";
import { thresholdUses, type ThresholdUse } from "./thresholds.js";

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
  return typeof v === "string" ? v : (JSON.stringify(v) ?? "");
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
    if (scalarish(x) && scalarish(y) && String(x ?? "").length <= SHORT && String(y ?? "").length <= SHORT)
      out.push(`${key}: ${showScalar(x)} → ${showScalar(y)}`);
    else if ((x === undefined || (Array.isArray(x) && x.every(isScalar))) && (y === undefined || (Array.isArray(y) && y.every(isScalar)))) {
      const delta = deltaText(listDelta((x as unknown[] | undefined) ?? [], (y as unknown[] | undefined) ?? []));
      out.push(delta.length > 0 ? `${key}: ${delta}` : `${key}: reordered`);
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
      const details = [...(extra ? extra(x, y) : []), ...fieldChanges(x, y, skip)];
      if (details.length > 0) out.push({ id: y.id, change: "changed", details });
    }
  }
  return out.sort((p, q) => compareIds(p.id, q.id));
}

export function ruleSetIdentity(rs: CompiledRuleSet): RuleSetIdentity {
  return { id: rs.id, version: rs.version, sha256: rs.sha256 };
}

export function diffRuleSets(oldRs: CompiledRuleSet, newRs: CompiledRuleSet): RuleSetDiff {
  const empty = (): Record<Section, ItemDiff[]> => ({
    outcomes: [],
    questions: [],
    steps: [],
    checks: [],
    rules: [],
    guards: [],
    closure_reasons: [],
    invariants: [],
  });
  const base = { old: ruleSetIdentity(oldRs), new: ruleSetIdentity(newRs) };
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
    if (o) entry.details.unshift(`options: ${deltaText(o)}`);
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
