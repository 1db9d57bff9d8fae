/**
 * The audit measures that the log can answer (docs/architecture.md, "Audit measures"), over derived referral states. Pure:
 * states in, figures out (the shell reads the log; render/stats.ts prints).
 *
 * Definitions (each figure is reproducible by hand from the log):
 * - by outcome: the computed outcome (what the rules decided) and the outcome now (after effective
 *   overrides, escalations and closures), per outcome of the rule sets involved.
 * - referrer groups: family (parent/carer, grandparent, aunt/uncle/other relative, sibling),
 *   ex-partner (ex-partner or other parent) and anonymous. "At advice/NFA" = the outcome now is the
 *   lowest; "closed unsubstantiated/malicious" = an effective closure with such a reason. For the
 *   referrals at advice/NFA: guard checks done (a guard applied and none is holding), not done (a
 *   guard still holding), or no guard applied.
 * - overrides: by direction; downgrades by status; who agreed to effective downgrades.
 * - overdue: overdue(state, now) per referral (steps past due without a record; guard checks past
 *   the decision deadline).
 * - repeat referrals: referrals are about the same child when one's history counted the other
 *   (exact identity match or a confirmed link) or they share name and date of birth; a child has
 *   repeat referrals when two of their referrals are in the period, or one of them counted an
 *   earlier referral in the rule set's history window (history.referrals_in_window > 0).
 * - out of hours: decisions flagged provisional, and those not yet re-screened (see rescreenStatus).
 * - receipt to decision: minutes from received_at to decided_at; median (mean of the middle two for
 *   an even count) and 90th percentile (nearest rank: the ⌈0.9·n⌉-th smallest).
 */
import type { OutcomeRef } from "../rules/types.js";
import type { Rescreen } from "./actions.js";
import { overdue, type ReferralState } from "./state.js";

export const REFERRER_GROUPS: Readonly<Record<string, readonly string[]>> = {
  family: ["parent_carer", "grandparent", "aunt_uncle_other_relative", "sibling"],
  ex_partner: ["ex_partner_other_parent"],
  anonymous: ["anonymous"],
};

export interface StatsCase {
  state: ReferralState;
  rescreen: Rescreen;
  /** Normalised child name + date of birth, when both are known (same key → same child). */
  identityKey?: string;
}

export interface StatsInput {
  cases: readonly StatsCase[];
  now: Date;
  /** The outcomes of the rule sets involved, lowest first. */
  outcomes: readonly OutcomeRef[];
  /** Closure reasons that mean "not substantiated" or "malicious". */
  unsubstantiatedOrMalicious: ReadonlySet<string>;
  referrerGroups?: Readonly<Record<string, readonly string[]>>;
}

export interface Stats {
  decisions: number;
  by_outcome: { id: string; label: string; level: number; computed: number; now: number }[];
  by_referrer: { referrer_type: string; count: number }[];
  referrer_groups: {
    group: string;
    referrer_types: string[];
    referrals: number;
    at_advice_or_nfa: number;
    share_at_advice_or_nfa: number | null;
    closed_unsubstantiated_or_malicious: number;
    share_closed_unsubstantiated_or_malicious: number | null;
    guard_checks: { done: number; not_done: number; no_guard: number };
    refs_at_advice_or_nfa: string[];
  }[];
  overrides: {
    up: number;
    down: { effective: number; pending: number; challenged: number; superseded: number };
    agreed_by: { name: string; count: number }[];
    escalations_by_review: number;
  };
  closures: {
    reason: string;
    effective: number;
    pending: number;
    challenged: number;
    superseded: number;
    /** Effective closures with a senior manager among the approvals. */
    senior_sign_off: number;
    /** Effective closures that recorded the governing guard's checks. */
    guard_recorded: number;
    approved_by: { name: string; count: number }[];
  }[];
  overdue: { referrals: number; items: { ref: string; id: string; due_by: string }[] };
  repeat_referrals: { children: number; with_repeat_referrals: number; share: number | null; groups: { refs: string[] }[] };
  out_of_hours: { provisional: number; not_rescreened: number; refs_not_rescreened: string[] };
  receipt_to_decision_minutes: { count: number; median: number | null; p90: number | null; decided_after_deadline: number };
}

const share = (n: number, d: number): number | null => (d === 0 ? null : n / d);

function tally(names: readonly string[]): { name: string; count: number }[] {
  const m = new Map<string, number>();
  for (const n of names) m.set(n, (m.get(n) ?? 0) + 1);
  return [...m].map(([name, count]) => ({ name, count })).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nearest-rank percentile: the ⌈p/100 · n⌉-th smallest value. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(1, Math.ceil((p / 100) * s.length)) - 1]!;
}

/** Whether a guard bore on how this referral reached its outcome, and whether its checks were done. */
function guardChecks(state: ReferralState): "done" | "not_done" | "no_guard" {
  if (state.guards.some((g) => g.status === "holding")) return "not_done";
  const applied =
    state.guards.some((g) => g.status !== "not_applicable") ||
    (state.closed && state.closure?.guard !== undefined) ||
    state.overrides.some((o) => o.status === "effective" && o.direction === "down" && (o.guards?.length ?? 0) > 0);
  return applied ? "done" : "no_guard";
}

class UnionFind {
  readonly #parent = new Map<string, string>();
  find(x: string): string {
    let root = x;
    while (this.#parent.has(root) && this.#parent.get(root) !== root) root = this.#parent.get(root)!;
    if (!this.#parent.has(x)) this.#parent.set(x, x);
    // Path compression.
    for (let y = x; y !== root;) {
      const next = this.#parent.get(y)!;
      this.#parent.set(y, root);
      y = next;
    }
    return root;
  }
  union(a: string, b: string): void {
    const [ra, rb] = [this.find(a), this.find(b)];
    if (ra !== rb) this.#parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }
}

export function computeStats(input: StatsInput): Stats {
  const cases = input.cases;
  const states = cases.map((c) => c.state);

  // Outcomes.
  const outcomeIds = new Map<string, OutcomeRef>();
  for (const o of input.outcomes) if (!outcomeIds.has(o.id)) outcomeIds.set(o.id, o);
  for (const s of states) for (const o of [s.decision.computed_outcome, s.outcome]) if (!outcomeIds.has(o.id)) outcomeIds.set(o.id, o);
  const by_outcome = [...outcomeIds.values()]
    .sort((a, b) => a.level - b.level)
    .map((o) => ({
      id: o.id,
      label: o.label,
      level: o.level,
      computed: states.filter((s) => s.decision.computed_outcome.id === o.id).length,
      now: states.filter((s) => s.outcome.id === o.id).length,
    }));

  // Referrers.
  const referrerOf = (s: ReferralState): string => {
    const r = s.decision.answers.referrer_type;
    return typeof r === "string" ? r : "(not recorded)";
  };
  const by_referrer = tally(states.map(referrerOf)).map(({ name, count }) => ({ referrer_type: name, count }));

  const groups = input.referrerGroups ?? REFERRER_GROUPS;
  const referrer_groups = Object.entries(groups).map(([group, types]) => {
    const inGroup = states.filter((s) => types.includes(referrerOf(s)));
    const low = inGroup.filter((s) => s.outcome.level === 1);
    const closedAs = inGroup.filter((s) => s.closed && s.closure !== undefined && input.unsubstantiatedOrMalicious.has(s.closure.reason));
    const checks = { done: 0, not_done: 0, no_guard: 0 };
    for (const s of low) checks[guardChecks(s)]++;
    return {
      group,
      referrer_types: [...types],
      referrals: inGroup.length,
      at_advice_or_nfa: low.length,
      share_at_advice_or_nfa: share(low.length, inGroup.length),
      closed_unsubstantiated_or_malicious: closedAs.length,
      share_closed_unsubstantiated_or_malicious: share(closedAs.length, inGroup.length),
      guard_checks: checks,
      refs_at_advice_or_nfa: low.map((s) => s.ref),
    };
  });

  // Overrides and closures.
  const allOverrides = states.flatMap((s) => s.overrides);
  const downs = allOverrides.filter((o) => o.direction === "down");
  const countStatus = (status: string) => downs.filter((o) => o.status === status).length;
  const overrides = {
    up: allOverrides.filter((o) => o.direction === "up").length,
    down: {
      effective: countStatus("effective"),
      pending: countStatus("pending"),
      challenged: countStatus("challenged"),
      superseded: countStatus("superseded"),
    },
    agreed_by: tally(downs.filter((o) => o.status === "effective").flatMap((o) => o.approvals.map((a) => a.by))),
    escalations_by_review: states.flatMap((s) => s.reviews).filter((r) => r.action === "escalate").length,
  };
  const allClosures = states.flatMap((s) => (s.closure ? [s.closure] : []));
  const closures = [...new Set(allClosures.map((c) => c.reason))].sort().map((reason) => {
    const mine = allClosures.filter((c) => c.reason === reason);
    const effective = mine.filter((c) => c.status === "effective");
    return {
      reason,
      effective: effective.length,
      pending: mine.filter((c) => c.status === "pending").length,
      challenged: mine.filter((c) => c.status === "challenged").length,
      superseded: mine.filter((c) => c.status === "superseded").length,
      senior_sign_off: effective.filter((c) => c.approvals.some((a) => a.role === "senior_manager")).length,
      guard_recorded: effective.filter((c) => c.guard !== undefined).length,
      approved_by: tally(effective.flatMap((c) => c.approvals.map((a) => a.by))),
    };
  });

  // Overdue.
  const items = states.flatMap((s) => overdue(s, input.now).map((l) => ({ ref: s.ref, id: l.id, due_by: l.due_by })));

  // Repeat referrals: group referrals about the same child.
  const uf = new UnionFind();
  const byKey = new Map<string, string>();
  for (const c of cases) {
    const ref = c.state.ref;
    uf.find(ref);
    for (const e of c.state.decision.history.earlier) uf.union(ref, e.ref);
    for (const l of c.state.links) if (l.confirmed) uf.union(ref, l.other_ref);
    if (c.identityKey) {
      const first = byKey.get(c.identityKey);
      if (first) uf.union(ref, first);
      else byKey.set(c.identityKey, ref);
    }
  }
  const children = new Map<string, ReferralState[]>();
  for (const s of states) {
    const root = uf.find(s.ref);
    children.set(root, [...(children.get(root) ?? []), s]);
  }
  const repeat = [...children.values()].filter((g) => g.length >= 2 || g.some((s) => s.decision.history.referrals_in_window > 0));
  const repeat_referrals = {
    children: children.size,
    with_repeat_referrals: repeat.length,
    share: share(repeat.length, children.size),
    groups: repeat.map((g) => ({ refs: g.map((s) => s.ref).sort() })).sort((a, b) => a.refs[0]!.localeCompare(b.refs[0]!)),
  };

  // Out of hours.
  const provisional = cases.filter((c) => c.rescreen.required);
  const notRescreened = provisional.filter((c) => !c.rescreen.done);
  const out_of_hours = { provisional: provisional.length, not_rescreened: notRescreened.length, refs_not_rescreened: notRescreened.map((c) => c.state.ref) };

  // Receipt to decision.
  const minutes = states.map((s) => (Date.parse(s.decision.decided_at) - Date.parse(s.decision.received_at)) / 60_000).filter((m) => Number.isFinite(m));
  const late = states.filter(
    (s) => s.decision.deadlines.decide_by !== undefined && Date.parse(s.decision.decided_at) > Date.parse(s.decision.deadlines.decide_by),
  ).length;

  return {
    decisions: states.length,
    by_outcome,
    by_referrer,
    referrer_groups,
    overrides,
    closures,
    overdue: { referrals: new Set(items.map((i) => i.ref)).size, items },
    repeat_referrals,
    out_of_hours,
    receipt_to_decision_minutes: { count: minutes.length, median: median(minutes), p90: percentile(minutes, 90), decided_after_deadline: late },
  };
}
