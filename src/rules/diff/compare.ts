/**
 * Comparing one case under two rule sets, and why it differs: the two decisions side by side and
 * the one-line reason, built from condition traces only when asked for.
 */
import { compareIds } from "../canonical.js";
import type { CompiledRuleSet } from "../compile.js";
import { traceCondition, type ConditionTrace } from "../conditions.js";
import type { EvaluationDetail } from "../evaluate.js";
import type { Decision, FiredRule, GuardStatus, OutcomeRef } from "../types.js";
import { deltaText, listDelta } from "./lists.js";
import { thresholdName } from "./thresholds.js";

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
    return typeof v === "string" ? v : (JSON.stringify(v) ?? "");
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
    this.direction =
      this.to.level > this.from.level ? "up" : this.to.level < this.from.level ? "down" : this.to.id !== this.from.id ? "same_level" : "unchanged";
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
    const onChanged = (t: ConditionTrace) =>
      Number((t.thresholds ?? []).some((x) => this.changedThresholds.has(x.name))) * 2 + Number((t.thresholds ?? []).length > 0);
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
        items.push({
          weight: 2,
          follows: readsOutcome(id) || f.effect === "raise",
          level: levelOf(this.newRs, f),
          text: () =>
            `${id} now ${effectText(f)} (was: ${effectText(before)
              .replace(/^floors/, "floored")
              .replace(/^raises/, "raised")})`,
        });
      }
    }
    for (const g of this.guardChanges()) {
      const newGuard = this.n.decision.guards.find((x) => x.id === g.id);
      const oldGuard = this.o.decision.guards.find((x) => x.id === g.id);
      if (g.to === "holding") {
        const level = this.newRs.outcomeLevel.get(newGuard!.floor) ?? 0;
        items.push({
          weight: this.direction === "up" && level === this.to.level ? 3 : 2,
          follows: false,
          level,
          text: () =>
            `guard ${g.id} now holds (floor ${newGuard!.floor}${newGuard!.outstanding.length > 0 ? `; outstanding: ${newGuard!.outstanding.join(", ")}` : ""})`,
        });
      } else if (g.from === "holding") {
        const level = this.oldRs.outcomeLevel.get(oldGuard!.floor) ?? 0;
        items.push({
          weight: this.direction === "down" && level === this.from.level ? 3 : 2,
          follows: false,
          level,
          text: () => `guard ${g.id} no longer holds (${g.to === "absent" ? "removed" : g.to.replace("_", " ")})`,
        });
      } else items.push({ weight: 1, follows: false, level: 0, text: () => `guard ${g.id} ${g.from.replace("_", " ")} → ${g.to.replace("_", " ")}` });
    }
    const a = this.o.decision;
    const b = this.n.decision;
    if (a.hard_floor !== b.hard_floor)
      items.push({ weight: 0, follows: true, level: 0, text: () => `hard floor ${a.hard_floor ?? "none"} → ${b.hard_floor ?? "none"}` });
    const steps = listDelta(
      a.steps.map((x) => x.id),
      b.steps.map((x) => x.id),
    );
    if (steps.added.length + steps.removed.length > 0) items.push({ weight: 0, follows: true, level: 0, text: () => `steps ${deltaText(steps)}` });
    const flags = listDelta(a.flags, b.flags);
    if (flags.added.length + flags.removed.length > 0) items.push({ weight: 0, follows: true, level: 0, text: () => `flags ${deltaText(flags)}` });
    const primary = items.filter((i) => i.weight > 0);
    const shown = primary.length > 0 ? primary : items;
    if (shown.length === 0) {
      if (this.oldRs.raw.default_outcome !== this.newRs.raw.default_outcome)
        return `the default outcome changed (${this.oldRs.raw.default_outcome} → ${this.newRs.raw.default_outcome})`;
      if (this.outcomeChanged) return "the same rules and guards apply; the outcomes themselves changed";
      return "the same rules and guards apply";
    }
    shown.sort((x, y) => Number(x.follows) - Number(y.follows) || y.weight - x.weight || y.level - x.level);
    const MAX = 3;
    const text = shown.slice(0, MAX).map((i) => i.text());
    return `${text.join("; ")}${shown.length > MAX ? `; and ${shown.length - MAX} more` : ""}`;
  }
}
