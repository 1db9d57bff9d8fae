/**
 * Operands: which constants each question and history fact is compared with (the threshold and
 * literal boundaries the candidate answers sit either side of).
 */
import type { CompiledRuleSet } from "../compile.js";
import type { ResolvedCondition, ResolvedLeaf } from "../conditions.js";
import { makeScope, resolveCondition, type Issue } from "../resolve.js";
import type { RawCondition } from "../schema.js";
import { UNKNOWN } from "../types.js";

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

export interface Operands {
  numbers: Map<number, Set<number>>; // question index → numbers
  dates: Map<number, Set<string>>; // question index → YYYY-MM-DD
  datetimes: Map<number, Set<number>>; // question index → epoch ms
  texts: Map<number, Set<string>>;
  history: Map<string, Set<number>>;
}

export function collectOperands(rs: CompiledRuleSet): Operands {
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
