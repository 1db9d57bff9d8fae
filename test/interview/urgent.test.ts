/**
 * Urgent calls first (src/interview/flow/urgent.ts): when the record-now offer is made, how the
 * questions not yet asked are left for later, the step that finishes them, and what a follow-up's
 * answers do to the outcome (raised when the rules say higher; never lowered).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import {
  answerQuestion,
  evaluateFollowUp,
  followUpState,
  leaveForLater,
  startFlow,
  submit,
  urgentLevel,
  urgentOffer,
  withLeftForLater,
  type FlowState,
} from "../../src/interview/flow.js";
import type { CompiledRuleSet } from "../../src/rules/compile.js";
import { evaluate, outcomeRef } from "../../src/rules/evaluate.js";
import type { RawRuleSet } from "../../src/rules/schema.js";
import type { Answer } from "../../src/rules/types.js";
import { FINISH_STEP } from "../../src/workflow/events.js";
import { compileFile, compileText, repoPath } from "../helpers/rules.js";

const minimal = compileFile("fixtures/rulesets/minimal.yaml");
const shipped = compileFile("rules/default.yaml");
const NOW = "2026-11-27T10:30:00+00:00";
const TODAY = "2026-11-27";

function answered(rs: CompiledRuleSet, answers: Record<string, Answer | null>, from: FlowState = startFlow()): FlowState {
  let state = from;
  for (const [id, value] of Object.entries(answers)) state = answerQuestion(rs, state, id, value);
  return state;
}

const BABY_INJURY = { received_at: "2026-11-27T10:00", child_name: "Alex Example", age: "baby", concerns: ["injury"] };

describe("the record-now offer", () => {
  it("is made once the answers given hold a hard floor at strategy discussion or above, naming the hard rules", () => {
    const offer = urgentOffer(minimal, answered(minimal, BABY_INJURY), NOW);
    expect(offer?.hardFloor).toEqual(outcomeRef(minimal, urgentLevel(minimal)));
    expect(offer?.hardFloor.id).toBe("strategy");
    expect(offer?.rules).toEqual(["R1_baby_injury"]);
  });

  it("is not made from questions not yet asked: with nothing answered, 'not known' everywhere would be the worst case, but nothing is held yet", () => {
    // Every question answered "not known" does reach a hard floor (the worst case, shipped rules)…
    const first = answered(shipped, { received_at: "2026-11-27T10:00", received_out_of_hours: "in_hours", proposed_closure_reason: "not_closing" });
    const allUnknown = leaveForLater(shipped, first, TODAY);
    if (allUnknown.kind !== "ready") throw new Error(`stopped at ${allUnknown.question.id}`);
    const worst = evaluate(shipped, { answers: allUnknown.state.answers, now: NOW });
    expect(worst.hard_floor).toBe("immediate_protection");
    // …but the offer reads only the answers given.
    expect(urgentOffer(shipped, first, NOW)).toBeUndefined();
    expect(urgentOffer(minimal, startFlow(), NOW)).toBeUndefined();
  });

  it("is not made below the urgent level, nor for a soft floor, nor while changing an answer or at review", () => {
    // Neglect of a baby raises to strategy, but no hard floor holds it.
    const neglect = answered(minimal, { ...BABY_INJURY, concerns: ["neglect"] });
    expect(evaluate(minimal, { answers: neglect.answers, now: NOW }).hard_floor).toBeNull();
    expect(urgentOffer(minimal, neglect, NOW)).toBeUndefined();
    const injury = answered(minimal, BABY_INJURY);
    expect(urgentOffer(minimal, { ...injury, editing: "age" }, NOW)).toBeUndefined();
    const all = answered(minimal, { injury_seen: "seen", contacts: 0, whereabouts: "safe", referrer: "family", note: null }, injury);
    expect(urgentOffer(minimal, all, NOW)).toBeUndefined();
    expect(urgentOffer(minimal, submit(minimal, all), NOW)).toBeUndefined();
  });

  it("is made in the shipped rules from a fixture's first answers (a bruise on a 3-month-old who cannot roll: M1)", () => {
    const fixture = (
      parse(readFileSync(repoPath("fixtures/referrals/03-m1-bruise-on-3-month-old-health-visitor.yaml"), "utf8")) as { answers: Record<string, Answer> }
    ).answers;
    let state = startFlow();
    let offeredAt: string | undefined;
    for (const q of shipped.questions) {
      if (urgentOffer(shipped, state, "2026-03-12T10:45:00+00:00")) {
        offeredAt ??= q.id;
        break;
      }
      const a = fixture[q.id];
      if (a !== undefined && shipped.questions.some((x) => x.id === q.id)) state = answerQuestion(shipped, state, q.id, a);
    }
    expect(offeredAt).toBeDefined();
    const offer = urgentOffer(shipped, state, "2026-03-12T10:45:00+00:00")!;
    expect(offer.hardFloor.id).toBe("strategy_discussion_s47");
    expect(offer.rules).toContain("M1_non_mobile_injury");
    expect(urgentLevel(shipped)).toBe(shipped.outcomeLevel.get("strategy_discussion_s47"));
  });
});

describe("leaving the rest for later", () => {
  it("answers every question not yet asked 'not known' (blank when optional), as the flow records it, and lists them", () => {
    const left = leaveForLater(minimal, answered(minimal, BABY_INJURY), TODAY);
    expect(left.kind).toBe("ready");
    if (left.kind !== "ready") return;
    expect(left.leftForLater).toEqual(["injury_seen", "contacts", "whereabouts", "referrer", "note"]);
    expect(left.state.answers).toMatchObject({ injury_seen: "unknown", contacts: "unknown", whereabouts: "unknown", referrer: "unknown" });
    expect(left.state.answers.note).toBeUndefined();
    // Counted as the worst case, as everywhere: the child's whereabouts not known lifts strategy to protection.
    const decision = evaluate(minimal, { answers: left.state.answers, now: NOW });
    expect(decision.outcome.id).toBe("protect");
    expect(decision.unknowns).toEqual(["injury_seen", "contacts", "whereabouts", "referrer"]);
  });

  it("stops at a question that cannot be 'not known', for the shell to ask", () => {
    const left = leaveForLater(shipped, startFlow(), TODAY);
    expect(left.kind).toBe("ask");
    if (left.kind === "ask") expect(left.question.id).toBe("received_at");
  });

  it("adds the step to finish the interview, due two hours after the decision, in due-time order, and the list", () => {
    const left = leaveForLater(minimal, answered(minimal, BABY_INJURY), TODAY);
    if (left.kind !== "ready") throw new Error("not ready");
    const decision = withLeftForLater(minimal, evaluate(minimal, { answers: left.state.answers, now: NOW }), left.leftForLater);
    expect(decision.left_for_later).toEqual(left.leftForLater);
    const step = decision.steps.find((s) => s.id === FINISH_STEP)!;
    expect(step.due_by).toBe("2026-11-27T12:30:00+00:00");
    expect(step.text).toMatch(/5 questions were left for later/);
    const dues = decision.steps.map((s) => (s.due_by ? Date.parse(s.due_by) : Infinity));
    expect([...dues].sort((a, b) => a - b)).toEqual(dues);
    // Nothing left for later: the decision is the evaluator's, unchanged.
    const plain = evaluate(minimal, { answers: left.state.answers, now: NOW });
    expect(withLeftForLater(minimal, plain, [])).toBe(plain);
  });
});

/** A variant where the child's whereabouts "not known" does not reach the protection floor, so a follow-up can raise it. */
const RISING = (() => {
  const doc = parse(readFileSync(repoPath("fixtures/rulesets/minimal.yaml"), "utf8")) as RawRuleSet;
  const r5 = doc.rules.find((r) => r.id === "R5_whereabouts")!;
  r5.when = {
    all: [
      { fact: "outcome", gte: "strategy" },
      { q: "whereabouts", in: ["with_harmer"] },
    ],
  };
  return compileText(stringify(doc), "rising.yaml");
})();

function urgentDecision(rs: CompiledRuleSet) {
  const left = leaveForLater(rs, answered(rs, BABY_INJURY), TODAY);
  if (left.kind !== "ready") throw new Error("not ready");
  return withLeftForLater(rs, evaluate(rs, { answers: left.state.answers, now: NOW }), left.leftForLater);
}

describe("the follow-up", () => {
  it("asks only the questions left for later, from where the decision stood", () => {
    const decision = urgentDecision(minimal);
    const state = followUpState(minimal, decision);
    expect(state.asked).toEqual(["received_at", "child_name", "age", "concerns"]);
    expect(state.answers.whereabouts).toBeUndefined();
  });

  it("raises the outcome when the answers now put it higher", () => {
    const decision = urgentDecision(RISING);
    expect(decision.outcome.id).toBe("strategy");
    const state = answered(
      RISING,
      { injury_seen: "seen", contacts: 0, whereabouts: "with_harmer", referrer: "family", note: null },
      followUpState(RISING, decision),
    );
    const f = evaluateFollowUp(RISING, decision, decision.outcome, state);
    expect(f.before.id).toBe("strategy");
    expect(f.after.id).toBe("protect");
    expect(f.lower).toBeUndefined();
    expect(f.answers).toEqual({ injury_seen: "seen", contacts: 0, whereabouts: "with_harmer", referrer: "family" });
    expect(f.stepsAdded.map((s) => s.id)).toEqual(["locate_child"]);
    expect(f.stillUnknown).toEqual([]);
  });

  it("never lowers the outcome: the rules' lower answer is reported, the referral's outcome stays", () => {
    const decision = urgentDecision(minimal);
    expect(decision.outcome.id).toBe("protect");
    const state = answered(
      minimal,
      { injury_seen: "seen", contacts: 0, whereabouts: "safe", referrer: "family", note: null },
      followUpState(minimal, decision),
    );
    const f = evaluateFollowUp(minimal, decision, decision.outcome, state);
    expect(f.decision.computed_outcome.id).toBe("strategy");
    expect(f.after.id).toBe("protect");
    expect(f.lower?.id).toBe("strategy");
  });

  it("compares with the referral's outcome as it now stands (an escalation since counts), and keeps what is still not known", () => {
    const decision = urgentDecision(RISING);
    const escalated = outcomeRef(RISING, RISING.outcomeLevel.get("protect")!);
    const state = answered(
      RISING,
      { injury_seen: "unknown", contacts: 0, whereabouts: "safe", referrer: "family", note: null },
      followUpState(RISING, decision),
    );
    const f = evaluateFollowUp(RISING, decision, escalated, state);
    expect(f.after).toEqual(escalated);
    expect(f.lower?.id).toBe("strategy");
    expect(f.stillUnknown).toEqual(["injury_seen"]);
  });
});
