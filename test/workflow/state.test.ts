/**
 * deriveState: the current state of a referral replayed from its entries — outcome after
 * overrides, challenges, agreements, escalations and closures; approvals; guards with recorded
 * checks; overdue steps. Expected values are worked out by hand from the fixtures' answers.
 */
import { describe, expect, it } from "vitest";
import { FINISH_STEP, type AnswersCompletedBody, type CheckBody, type ClosureBody, type OverrideBody, type ReviewBody } from "../../src/workflow/events.js";
import { withLeftForLater } from "../../src/interview/flow.js";
import { planCheck } from "../../src/workflow/actions/checks.js";
import { approvalsComplete, filledSlots, overdue, type Approval, type EntryLike } from "../../src/workflow/state.js";
import { decide, derive, log, rs } from "./support.js";

const down = (from: string, to: string, reason = "new information"): OverrideBody => ({ from, to, direction: "down", reason, pending: true });
const up = (from: string, to: string, reason = "worse than it looked"): OverrideBody => ({ from, to, direction: "up", reason, pending: false });
const agree = (of: ReviewBody["of"], role: ReviewBody["role"] = "manager"): ReviewBody => ({ action: "agree", of, role });
const challenge = (of: ReviewBody["of"], reason = "not enough checks"): ReviewBody => ({ action: "challenge", of, role: "manager", reason });
const escalate = (of: ReviewBody["of"], to: string): ReviewBody => ({ action: "escalate", of, role: "manager", reason: "higher", to });
const check = (id: string, at = "2026-04-20T12:00:00+01:00"): CheckBody => ({ check: id, found: "found", done_at: at });

// Fixture 08: physical injury to a 5–10-year-old, strategy discussion (level 4), no hard floor; decided by lee.lead.
const d08 = decide("08", { decider: "lee.lead" });
// Fixture 52: ex-partner's referral, every G1 check satisfied by answers, early help (level 2).
const d52 = decide("52");
const AT = "2026-06-04T10:00:00+01:00";

describe("overrides", () => {
  it("an upward override takes effect at once; the computed outcome stays beside it", () => {
    const { entries, add } = log();
    add("override", "worker.one", AT, up("strategy_discussion_s47", "immediate_protection"));
    const s = derive(d08, entries);
    expect(s.outcome.id).toBe("immediate_protection");
    expect(s.decision.computed_outcome.id).toBe("strategy_discussion_s47");
    expect(s.overrides[0]!.status).toBe("effective");
    expect(s.pending).toBe(false);
  });

  it("a downgrade is pending until a manager other than its proposer and the decider agrees", () => {
    const { entries, add } = log();
    const o = add("override", "worker.one", AT, down("strategy_discussion_s47", "s17_assessment"));
    add("review", "worker.one", AT, agree(o)); // the proposer: does not count
    add("review", "lee.lead", AT, agree(o)); // the decider: does not count
    let s = derive(d08, entries);
    expect(s.outcome.id).toBe("strategy_discussion_s47");
    expect(s.overrides[0]!.status).toBe("pending");
    expect(s.overrides[0]!.approvals).toEqual([]);
    expect(s.pending).toBe(true);
    add("review", "mia.manager", AT, agree(o));
    s = derive(d08, entries);
    expect(s.outcome.id).toBe("s17_assessment");
    expect(s.overrides[0]!.status).toBe("effective");
    expect(s.overrides[0]!.approvals.map((a) => a.by)).toEqual(["mia.manager"]);
    expect(s.pending).toBe(false);
  });

  it("a downgrade whose entry claims not to be pending still waits for a manager", () => {
    const { entries, add } = log();
    add("override", "worker.one", AT, { ...down("strategy_discussion_s47", "early_help"), pending: false });
    const s = derive(d08, entries);
    expect(s.outcome.id).toBe("strategy_discussion_s47");
    expect(s.overrides[0]!.status).toBe("pending");
  });

  it("a challenge returns a downgrade to the worker; the state shows challenged until the worker answers", () => {
    const { entries, add } = log();
    const o = add("override", "worker.one", AT, down("strategy_discussion_s47", "s17_assessment"));
    add("review", "mia.manager", AT, challenge(o));
    let s = derive(d08, entries);
    expect(s.overrides[0]!.status).toBe("challenged");
    expect(s.overrides[0]!.challenge).toEqual({ by: "mia.manager", reason: "not enough checks", at: AT });
    expect(s.challenged).toBe(true);
    expect(s.pending).toBe(false);
    // An agreement after the challenge cannot revive it.
    add("review", "sam.senior", AT, agree(o, "senior_manager"));
    s = derive(d08, entries);
    expect(s.outcome.id).toBe("strategy_discussion_s47");
    // The worker answers with a check and a fresh proposal, which a manager agrees.
    add("check", "worker.one", AT, check("police_checks_all_adults"));
    const o2 = add("override", "worker.one", AT, down("strategy_discussion_s47", "s17_assessment", "police checks back"));
    s = derive(d08, entries);
    expect(s.challenged).toBe(false);
    expect(s.pending).toBe(true);
    add("review", "mia.manager", AT, agree(o2));
    s = derive(d08, entries);
    expect(s.outcome.id).toBe("s17_assessment");
    expect(s.overrides.map((x) => x.status)).toEqual(["challenged", "effective"]);
  });

  it("an escalation supersedes a pending downgrade, which can then never lower the outcome", () => {
    const { entries, add } = log();
    const o = add("override", "worker.one", AT, down("strategy_discussion_s47", "s17_assessment"));
    add("review", "mia.manager", AT, escalate("decision", "immediate_protection"));
    add("review", "sam.senior", AT, agree(o, "senior_manager"));
    const s = derive(d08, entries);
    expect(s.outcome.id).toBe("immediate_protection");
    expect(s.overrides[0]!.status).toBe("superseded");
    expect(s.reviewed).toBe(true);
    expect(s.pending).toBe(false);
  });

  it("an upward override by the worker supersedes their own pending downgrade", () => {
    const { entries, add } = log();
    const o = add("override", "worker.one", AT, down("strategy_discussion_s47", "s17_assessment"));
    add("override", "worker.one", AT, up("strategy_discussion_s47", "immediate_protection"));
    add("review", "mia.manager", AT, agree(o));
    const s = derive(d08, entries);
    expect(s.outcome.id).toBe("immediate_protection");
    expect(s.overrides.map((x) => x.status)).toEqual(["superseded", "effective"]);
  });

  it("escalating a pending proposal declines it and raises the outcome", () => {
    const { entries, add } = log();
    const o = add("override", "worker.one", AT, down("strategy_discussion_s47", "s17_assessment"));
    add("review", "mia.manager", AT, escalate(o, "immediate_protection"));
    const s = derive(d08, entries);
    expect(s.overrides[0]!.status).toBe("superseded");
    expect(s.outcome.id).toBe("immediate_protection");
  });

  it("a sequence: up, down pending, challenge, down again, agree → the agreed level", () => {
    const { entries, add } = log();
    add("override", "worker.one", AT, up("strategy_discussion_s47", "immediate_protection"));
    const a = add("override", "worker.one", AT, down("immediate_protection", "s17_assessment"));
    add("review", "mia.manager", AT, challenge(a, "not below a strategy discussion"));
    const b = add("override", "worker.one", AT, down("immediate_protection", "strategy_discussion_s47", "the child is safe with grandmother"));
    add("review", "mia.manager", AT, agree(b));
    const s = derive(d08, entries);
    expect(s.outcome.id).toBe("strategy_discussion_s47");
    expect(s.overrides.map((x) => x.status)).toEqual(["effective", "challenged", "effective"]);
    expect(s.challenged).toBe(false);
  });
});

describe("reviews of the decision", () => {
  it("the decider's own agreement is not a review; another manager's is", () => {
    const { entries, add } = log();
    add("review", "lee.lead", AT, agree("decision"));
    expect(derive(d08, entries).reviewed).toBe(false);
    add("review", "mia.manager", AT, agree("decision"));
    expect(derive(d08, entries).reviewed).toBe(true);
  });

  it("a challenge of the decision shows until the worker records something or a manager agrees", () => {
    const { entries, add } = log();
    add("review", "mia.manager", AT, challenge("decision"));
    let s = derive(d08, entries);
    expect(s.challenged).toBe(true);
    expect(s.reviewed).toBe(false);
    add("check", "worker.one", AT, check("full_history"));
    s = derive(d08, entries);
    expect(s.challenged).toBe(false);
  });

  it("an escalation of the decision only ever raises", () => {
    const { entries, add } = log();
    add("review", "mia.manager", AT, escalate("decision", "early_help"));
    expect(derive(d08, entries).outcome.id).toBe("strategy_discussion_s47");
  });
});

describe("closures", () => {
  const malicious: ClosureBody = {
    reason: "referral_considered_malicious",
    rationale: "every check done",
    evidence: "the referrer admitted in writing inventing it",
    approvals_required: ["senior_manager", "manager"],
    guard: { id: "G1_never_presumed_malicious", checks: ["referrer_interviewed"] },
  };

  it("needs a manager and a senior manager, two different people; then the outcome is the lowest", () => {
    const { entries, add } = log();
    const c = add("closure", "worker.one", AT, malicious);
    add("review", "sam.senior", AT, agree(c, "senior_manager"));
    add("review", "sam.senior", AT, agree(c, "senior_manager")); // the same person counts once
    let s = derive(d52, entries);
    expect(s.closure!.status).toBe("pending");
    expect(s.closure!.approvals).toHaveLength(1);
    expect(s.closed).toBe(false);
    expect(s.outcome.id).toBe("early_help");
    add("review", "mia.manager", AT, agree(c, "manager"));
    s = derive(d52, entries);
    expect(s.closure!.status).toBe("effective");
    expect(s.closed).toBe(true);
    expect(s.outcome).toEqual({ id: "advice_or_nfa", level: 1, label: "Advice / no further action" });
    expect(s.decision.computed_outcome.id).toBe("early_help");
    expect(s.pending).toBe(false);
  });

  it("two managers cannot stand in for a senior manager", () => {
    const { entries, add } = log();
    const c = add("closure", "worker.one", AT, malicious);
    add("review", "mia.manager", AT, agree(c));
    add("review", "lee.lead", AT, agree(c));
    expect(derive(d52, entries).closure!.status).toBe("pending");
  });

  it("the worker who proposed it cannot approve it, even as a senior manager", () => {
    const { entries, add } = log();
    const c = add("closure", "sue.senior", AT, malicious);
    add("review", "sue.senior", AT, agree(c, "senior_manager"));
    add("review", "mia.manager", AT, agree(c));
    expect(derive(d52, entries).closure!.status).toBe("pending");
  });

  it("nothing changes the outcome of a closed referral; a later closure entry is ignored", () => {
    const { entries, add } = log();
    const c = add("closure", "worker.one", AT, {
      ...malicious,
      reason: "not_substantiated_after_checks",
      approvals_required: ["manager"],
      evidence: undefined,
    });
    add("review", "mia.manager", AT, agree(c));
    add("override", "worker.one", AT, up("advice_or_nfa", "s17_assessment"));
    add("closure", "worker.one", AT, malicious);
    add("review", "mia.manager", AT, escalate("decision", "immediate_protection"));
    const s = derive(d52, entries);
    expect(s.outcome.id).toBe("advice_or_nfa");
    expect(s.closure!.reason).toBe("not_substantiated_after_checks");
    expect(s.overrides[0]!.status).toBe("superseded");
    expect(s.closed).toBe(true);
  });

  it("raising the outcome supersedes a pending closure; a late agreement cannot close it", () => {
    const { entries, add } = log();
    const c = add("closure", "worker.one", AT, { ...malicious, reason: "not_substantiated_after_checks", approvals_required: ["manager"] });
    add("override", "worker.one", AT, up("early_help", "s17_assessment", "the child told her teacher"));
    add("review", "mia.manager", AT, agree(c));
    const s = derive(d52, entries);
    expect(s.closure!.status).toBe("superseded");
    expect(s.closed).toBe(false);
    expect(s.outcome.id).toBe("s17_assessment");
  });

  it("a challenged closure can be proposed again and agreed", () => {
    const { entries, add } = log();
    const c1 = add("closure", "worker.one", AT, { ...malicious, reason: "not_substantiated_after_checks", approvals_required: ["manager"] });
    add("review", "mia.manager", AT, challenge(c1, "say what the GP said"));
    expect(derive(d52, entries).challenged).toBe(true);
    const c2 = add("closure", "worker.one", AT, {
      ...malicious,
      reason: "not_substantiated_after_checks",
      approvals_required: ["manager"],
      rationale: "GP: no concerns",
    });
    add("review", "mia.manager", AT, agree(c2));
    const s = derive(d52, entries);
    expect(s.closure!.seq).toBe(c2);
    expect(s.closed).toBe(true);
    expect(s.challenged).toBe(false);
  });
});

describe("approvals", () => {
  const a = (by: string, role: Approval["role"]): Approval => ({ by, role, at: AT });
  it.each([
    [["manager"], [], 0, false],
    [["manager"], [a("m", "manager")], 1, true],
    [["manager"], [a("s", "senior_manager")], 1, true],
    [["senior_manager"], [a("m", "manager")], 0, false],
    [["senior_manager", "manager"], [a("s", "senior_manager")], 1, false],
    [["senior_manager", "manager"], [a("m", "manager"), a("m2", "manager")], 1, false],
    [["senior_manager", "manager"], [a("m", "manager"), a("s", "senior_manager")], 2, true],
    [["senior_manager", "manager"], [a("s", "senior_manager"), a("s2", "senior_manager")], 2, true],
    [["senior_manager", "manager"], [a("s", "senior_manager"), a("s", "senior_manager")], 1, false],
    [["manager", "senior_manager"], [a("s", "senior_manager"), a("m", "manager")], 2, true],
  ] as const)("%j with %j fills %i slot(s), complete %s", (required, approvals, filled, complete) => {
    expect(filledSlots(required, approvals)).toBe(filled);
    expect(approvalsComplete(required, approvals)).toBe(complete);
  });
});

describe("guards and overdue", () => {
  // Fixture 51: G1 holds with 8 checks outstanding (worked out from its answers: the referrer was
  // spoken to by non-qualified staff, only local records checked, no police/health/school checks,
  // other explanations and feedback "not yet"; child_seen and all_carers_identified are satisfied).
  const d51 = decide("51");
  const OUTSTANDING = [
    "referrer_interviewed",
    "evidence_viewed",
    "full_history",
    "police_checks_all_adults",
    "health_checks",
    "education_check",
    "alternative_hypotheses_tested",
    "feedback_to_referrer",
  ];

  it("recorded checks release the guard only when every one is recorded", () => {
    expect(d51.guards.find((g) => g.id === "G1_never_presumed_malicious")!.outstanding).toEqual(OUTSTANDING);
    const { entries, add } = log();
    for (const id of OUTSTANDING.slice(0, -1)) add("check", "worker.one", AT, check(id));
    let g1 = derive(d51, entries).guards.find((g) => g.id === "G1_never_presumed_malicious")!;
    expect(g1.status).toBe("holding");
    expect(g1.outstanding).toEqual(["feedback_to_referrer"]);
    add("check", "worker.one", AT, check("feedback_to_referrer"));
    g1 = derive(d51, entries).guards.find((g) => g.id === "G1_never_presumed_malicious")!;
    expect(g1.status).toBe("released");
    expect(g1.outstanding).toEqual([]);
    // Releasing the guard does not lower the outcome: that needs an override and a manager.
    expect(derive(d51, entries).outcome.id).toBe("s17_assessment");
  });

  it("overdue: a step past its due time without a record, and guard checks past the decision deadline", () => {
    // 51 was received Wed 27 May 2026 15:00; decide_by and the referrer's feedback are 1 working day
    // later, Thu 28 May 15:00. The guard holds, so after that its checks are overdue too.
    const beforeDue = new Date("2026-05-28T13:59:00Z"); // 14:59 BST
    const afterDue = new Date("2026-05-28T14:01:00Z"); // 15:01 BST
    const s0 = derive(d51, []);
    expect(d51.deadlines.decide_by).toBe("2026-05-28T15:00:00+01:00");
    expect(d51.steps.find((x) => x.id === "give_feedback_to_referrer")!.due_by).toBe("2026-05-28T15:00:00+01:00");
    expect(overdue(s0, beforeDue)).toEqual([]);
    // Every step of the decision due by then, plus the guard's checks.
    const dueSteps = d51.steps.filter((x) => x.due_by !== undefined && Date.parse(x.due_by) < afterDue.getTime()).map((x) => x.id);
    expect(dueSteps).toContain("give_feedback_to_referrer");
    expect(
      overdue(s0, afterDue)
        .map((l) => l.id)
        .sort(),
    ).toEqual([...dueSteps, "guard_checks"].sort());
    // Recording them (a step is recorded as a check of its id) leaves only the guard.
    const { entries, add } = log();
    for (const id of dueSteps) add("check", "worker.one", AT, check(id));
    expect(overdue(derive(d51, entries), afterDue).map((l) => l.id)).toEqual(["guard_checks"]);
    // A closed referral has nothing overdue.
    const c = add("closure", "worker.one", AT, { reason: "information_only", rationale: "x", approvals_required: ["manager"] } satisfies ClosureBody);
    add("review", "mia.manager", AT, agree(c));
    expect(overdue(derive(d51, entries), afterDue)).toEqual([]);
  });
});

describe("replay", () => {
  it("the same entries give the same state whatever order they arrive in, and survive a JSON round trip", () => {
    const { entries, add } = log();
    const o = add("override", "worker.one", AT, down("strategy_discussion_s47", "s17_assessment"));
    add("check", "worker.one", AT, check("full_history"));
    add("review", "mia.manager", AT, challenge(o));
    const o2 = add("override", "worker.one", AT, down("strategy_discussion_s47", "s17_assessment", "again"));
    add("review", "mia.manager", AT, agree(o2));
    add("review", "sam.senior", AT, agree("decision", "senior_manager"));
    const once = derive(d08, entries);
    const reversed = derive(d08, [...entries].reverse());
    const shuffled = derive(d08, [entries[3]!, entries[0]!, entries[5]!, entries[1]!, entries[4]!, entries[2]!]);
    const roundTrip = derive(JSON.parse(JSON.stringify(d08)), JSON.parse(JSON.stringify(entries)) as EntryLike[]);
    for (const other of [reversed, shuffled, roundTrip]) expect(other).toEqual(once);
    expect(once.outcome.id).toBe("s17_assessment");
    expect(once.reviewed).toBe(true);
  });

  it("deriving twice from the same input never mutates it", () => {
    const { entries, add } = log();
    const c = add("closure", "worker.one", AT, { reason: "information_only", rationale: "x", approvals_required: ["manager"] } satisfies ClosureBody);
    add("review", "mia.manager", AT, agree(c));
    const before = JSON.stringify(entries);
    const first = derive(d52, entries);
    const second = derive(d52, entries);
    expect(JSON.stringify(entries)).toBe(before);
    expect(second).toEqual(first);
  });
});

describe("an urgent decision's follow-up (answers_completed)", () => {
  const urgent = (() => {
    const d = decide("03");
    return withLeftForLater(rs, { ...d, answers: { ...d.answers, injury_sites: ["unknown"] } }, ["injury_sites"]);
  })();
  const completed: AnswersCompletedBody = {
    answers: { injury_sites: ["cheek"] },
    computed_outcome: urgent.computed_outcome,
    hard_floor: urgent.hard_floor,
    outcome_before: urgent.outcome.id,
    outcome_after: urgent.outcome.id,
    steps_added: [],
    still_unknown: [],
  };

  it("the finish step is overdue until the follow-up, which counts as it done; the outcome is not changed by it", () => {
    const due = urgent.steps.find((s) => s.id === FINISH_STEP)!.due_by!;
    const after = new Date(Date.parse(due) + 60_000);
    const { entries, add } = log();
    expect(overdue(derive(urgent, entries), after).map((o) => o.id)).toContain(FINISH_STEP);
    const seq = add("answers_completed", "worker.one", AT, completed);
    const s = derive(urgent, entries);
    expect(s.completions).toMatchObject([{ seq, by: "worker.one", answers: { injury_sites: ["cheek"] } }]);
    expect(s.checks.find((c) => c.check === FINISH_STEP)).toMatchObject({ seq, by: "worker.one" });
    expect(overdue(s, after).map((o) => o.id)).not.toContain(FINISH_STEP);
    expect(s.outcome).toEqual(urgent.outcome);
  });

  it("`checks --record finish_the_interview` is refused: the questions are finished by answering them", () => {
    const { entries } = log();
    const verdict = planCheck(derive(urgent, entries), rs, { check: FINISH_STEP, found: "done", doneAt: new Date(AT), now: new Date(AT) });
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.refusal.message).toContain("triage resume TRG-2026-000003");
  });
});
