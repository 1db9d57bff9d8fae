/**
 * computeStats over a small log built by hand; every expected figure is worked out in the comments
 * from the fixtures' answers and the entries added here.
 */
import { describe, expect, it } from "vitest";
import { rescreenStatus } from "../../src/workflow/actions.js";
import type { CheckBody, ClosureBody, OverrideBody, ReviewBody } from "../../src/workflow/events.js";
import { computeStats, median, percentile, type StatsCase } from "../../src/workflow/stats.js";
import type { EntryLike } from "../../src/workflow/state.js";
import type { Decision } from "../../src/rules/types.js";
import { decide, derive, log, rs } from "./support.js";

const AT = "2026-06-01T10:00:00+01:00";
const G1_51 = [
  "referrer_interviewed",
  "evidence_viewed",
  "full_history",
  "police_checks_all_adults",
  "health_checks",
  "education_check",
  "alternative_hypotheses_tested",
  "feedback_to_referrer",
];

function build(): StatsCase[] {
  const cases: StatsCase[] = [];
  const add = (d: Decision, entries: EntryLike[], identityKey?: string) => {
    const state = derive(d, entries);
    cases.push({ state, rescreen: rescreenStatus(state, rs), ...(identityKey ? { identityKey } : {}) });
  };
  const POPPY = "poppy whitlock|2018-04-04";

  // c1 — 51 (ex-partner; computed s17): every G1 check recorded, closed as malicious by mia.manager + sam.senior.
  const c1 = decide("51");
  const l1 = log();
  for (const id of G1_51) l1.add("check", "worker.one", AT, { check: id, found: "x", done_at: AT } satisfies CheckBody);
  const cl = l1.add("closure", "worker.one", AT, {
    reason: "referral_considered_malicious",
    rationale: "x",
    evidence: "y",
    approvals_required: ["senior_manager", "manager"],
    guard: { id: "G1_never_presumed_malicious", checks: G1_51 },
  } satisfies ClosureBody);
  l1.add("review", "mia.manager", AT, { action: "agree", of: cl, role: "manager" } satisfies ReviewBody);
  l1.add("review", "sam.senior", AT, { action: "agree", of: cl, role: "senior_manager" } satisfies ReviewBody);
  add(c1, l1.entries, POPPY);

  // c2 — 52 (ex-partner), about the same child, with c1 in its history: E2 raises early help → s17.
  // A downgrade to early help, challenged by mia.manager.
  const c2 = decide("52", {
    history: {
      referrals_in_window: 1,
      distinct_referrers: 1,
      earlier: [
        { ref: c1.ref!, received_at: c1.received_at, outcome: "advice_or_nfa", closed_as: "referral_considered_malicious", closure_passed_guard: true },
      ],
      possible_matches: [],
      facts: {
        referrals_in_window: 1,
        distinct_referrers: 1,
        earlier_unsubstantiated_closures: 0,
        earlier_malicious_closures: 1,
        earlier_closures_without_checks: 0,
        highest_earlier_level: 1,
        earlier_injuries: 0,
        recent_nfa_closures: 0,
      },
    },
  });
  const l2 = log();
  const o2 = l2.add("override", "worker.one", AT, {
    from: "s17_assessment",
    to: "early_help",
    direction: "down",
    reason: "x",
    pending: true,
  } satisfies OverrideBody);
  l2.add("review", "mia.manager", AT, { action: "challenge", of: o2, role: "manager", reason: "no" } satisfies ReviewBody);
  add(c2, l2.entries, POPPY);

  // c3 — 11 (grandparent → family; s17, G1 holding), received 20 minutes before the decision, no
  // entries; shares an identity with c6 (made up).
  add(decide("11", { answers: { received_at: "2026-05-05T10:50" } }), [], "same child|2020-01-01");

  // c4 — 08 (school; computed s47, no hard floor), decided by lee.lead; downgrade to s17 agreed by mia.manager.
  const l4 = log();
  const o4 = l4.add("override", "worker.one", AT, {
    from: "strategy_discussion_s47",
    to: "s17_assessment",
    direction: "down",
    reason: "x",
    pending: true,
  } satisfies OverrideBody);
  l4.add("review", "mia.manager", AT, { action: "agree", of: o4, role: "manager" } satisfies ReviewBody);
  add(decide("08", { decider: "lee.lead" }), l4.entries);

  // c5 — 09 (anonymous; s47 hard floor), received two hours before the decision.
  add(decide("09", { answers: { received_at: "2026-05-12T11:00" } }), []);

  // c6 — 35 (neighbour; OOH Saturday night, s17, provisional, never re-screened), received 30 minutes before.
  add(decide("35", { answers: { received_at: "2026-04-25T21:00" } }), [], "same child|2020-01-01");

  // c7 — 01 (school; advice, no guard), closed as information only with lee.lead's agreement.
  const l7 = log();
  const c7c = l7.add("closure", "worker.one", AT, { reason: "information_only", rationale: "x", approvals_required: ["manager"] } satisfies ClosureBody);
  l7.add("review", "lee.lead", AT, { action: "agree", of: c7c, role: "manager" } satisfies ReviewBody);
  add(decide("01"), l7.entries);

  // c8 — 02 (health visitor; early help), received 45 minutes before (10:15); raised to s17 by the worker.
  const l8 = log();
  l8.add("override", "worker.one", AT, { from: "early_help", to: "s17_assessment", direction: "up", reason: "x", pending: false } satisfies OverrideBody);
  add(decide("02", { answers: { received_at: "2026-03-11T10:15" } }), l8.entries);
  return cases;
}

describe("computeStats", () => {
  // At Fri 13 March 2026 12:00 only c8 (received 11 Mar 10:15) has anything due: feedback within one
  // working day → Thu 12 Mar 10:15, not recorded. c7's step was due too, but c7 is closed. Every
  // other referral was received after 13 March.
  const stats = computeStats({
    cases: build(),
    now: new Date("2026-03-13T12:00:00Z"),
    outcomes: rs.outcomes.map((o) => ({ id: o.id, level: o.level, label: o.label })),
    unsubstantiatedOrMalicious: new Set(["not_substantiated_after_checks", "referral_considered_malicious"]),
  });

  it("decisions by outcome: computed and now", () => {
    expect(stats.decisions).toBe(8);
    // Rules 1.1: c3 (fixture 11, a toddler too young to tell, hit) is a strategy discussion (PA2), and
    // c6 (fixture 35, out of hours) is no longer raised to s17 by out of hours alone.
    // computed: c7 advice; c6 c8 early help; c1 c2 s17; c3 c4 c5 s47.
    // now: c1 c7 advice (closed); c6 early help; c2 c4 c8 s17; c3 c5 s47.
    expect(stats.by_outcome.map((o) => [o.id, o.computed, o.now])).toEqual([
      ["advice_or_nfa", 1, 2],
      ["early_help", 2, 1],
      ["s17_assessment", 2, 3],
      ["strategy_discussion_s47", 3, 2],
      ["immediate_protection", 0, 0],
    ]);
  });

  it("decisions by referrer type, most first", () => {
    expect(stats.by_referrer).toEqual([
      { referrer_type: "ex_partner_other_parent", count: 2 },
      { referrer_type: "school_education", count: 2 },
      { referrer_type: "anonymous", count: 1 },
      { referrer_type: "grandparent", count: 1 },
      { referrer_type: "health_visitor", count: 1 },
      { referrer_type: "neighbour_public", count: 1 },
    ]);
  });

  it("family, ex-partner and anonymous referrals: closed low, closed as malicious, guard checks done", () => {
    const g = Object.fromEntries(stats.referrer_groups.map((x) => [x.group, x]));
    expect(g.family).toMatchObject({
      referrals: 1,
      at_advice_or_nfa: 0,
      share_at_advice_or_nfa: 0,
      closed_unsubstantiated_or_malicious: 0,
      guard_checks: { done: 0, not_done: 0, no_guard: 0 },
    });
    expect(g.ex_partner).toMatchObject({
      referrals: 2,
      at_advice_or_nfa: 1,
      share_at_advice_or_nfa: 0.5,
      closed_unsubstantiated_or_malicious: 1,
      share_closed_unsubstantiated_or_malicious: 0.5,
      guard_checks: { done: 1, not_done: 0, no_guard: 0 },
      refs_at_advice_or_nfa: ["TRG-2026-000051"],
    });
    expect(g.anonymous).toMatchObject({ referrals: 1, at_advice_or_nfa: 0, closed_unsubstantiated_or_malicious: 0 });
  });

  it("overrides by direction and who agreed; closures with their sign-off", () => {
    expect(stats.overrides).toEqual({
      up: 1,
      down: { effective: 1, pending: 0, challenged: 1, superseded: 0 },
      agreed_by: [{ name: "mia.manager", count: 1 }],
      escalations_by_review: 0,
    });
    expect(stats.closures).toEqual([
      {
        reason: "information_only",
        effective: 1,
        pending: 0,
        challenged: 0,
        superseded: 0,
        senior_sign_off: 0,
        guard_recorded: 0,
        approved_by: [{ name: "lee.lead", count: 1 }],
      },
      {
        reason: "referral_considered_malicious",
        effective: 1,
        pending: 0,
        challenged: 0,
        superseded: 0,
        senior_sign_off: 1,
        guard_recorded: 1,
        approved_by: [
          { name: "mia.manager", count: 1 },
          { name: "sam.senior", count: 1 },
        ],
      },
    ]);
  });

  it("overdue deadlines", () => {
    // c8's steps due by Fri 13 March 12:00 (from its decision): the feedback (1 working day → Thu 12
    // March 10:15) among them; the early-help consent (10 working days) is not yet due.
    const c8 = decide("02", { answers: { received_at: "2026-03-11T10:15" } });
    const due = c8.steps.filter((s) => s.due_by !== undefined && Date.parse(s.due_by) < Date.parse("2026-03-13T12:00:00Z"));
    expect(due.find((s) => s.id === "give_feedback_to_referrer")!.due_by).toBe("2026-03-12T10:15:00+00:00");
    expect(due.map((s) => s.id)).not.toContain("early_help_consent_and_lead");
    expect(stats.overdue).toEqual({ referrals: 1, items: due.map((s) => ({ ref: "TRG-2026-000002", id: s.id, due_by: s.due_by })) });
  });

  it("children with repeat referrals: by history and by shared identity", () => {
    // Children: {c1,c2} (history and identity), {c3,c6} (identity), c4, c5, c7, c8 → 6; two with repeats.
    expect(stats.repeat_referrals).toEqual({
      children: 6,
      with_repeat_referrals: 2,
      share: 2 / 6,
      groups: [{ refs: ["TRG-2026-000011", "TRG-2026-000035"] }, { refs: ["TRG-2026-000051", "TRG-2026-000052"] }],
    });
  });

  it("out-of-hours decisions not re-screened", () => {
    expect(stats.out_of_hours).toEqual({ provisional: 1, not_rescreened: 1, refs_not_rescreened: ["TRG-2026-000035"] });
  });

  it("receipt to decision: median and 90th percentile", () => {
    // Minutes: c3 20, c5 120, c6 30, c8 45, the rest (c1 c2 c4 c7) 0 → [0,0,0,0,20,30,45,120]:
    // median = mean of the 4th and 5th = (0+20)/2 = 10; 90th percentile, nearest rank ⌈0.9·8⌉ = 8th → 120.
    expect(stats.receipt_to_decision_minutes).toEqual({ count: 8, median: 10, p90: 120, decided_after_deadline: 0 });
  });

  it("an empty log gives zeros and no shares", () => {
    const empty = computeStats({ cases: [], now: new Date(), outcomes: [], unsubstantiatedOrMalicious: new Set() });
    expect(empty.decisions).toBe(0);
    expect(empty.referrer_groups.every((g) => g.share_at_advice_or_nfa === null)).toBe(true);
    expect(empty.receipt_to_decision_minutes).toEqual({ count: 0, median: null, p90: null, decided_after_deadline: 0 });
  });
});

describe("median and percentile", () => {
  it.each([
    [[5], 5, 5],
    [[1, 2, 3, 4], 2.5, 4],
    [[10, 1, 7], 7, 10],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5.5, 9],
  ])("%j → median %d, p90 %d", (values, m, p) => {
    expect(median(values)).toBe(m);
    expect(percentile(values, 90)).toBe(p);
  });
});
