/**
 * Steps in the order they must be done (issue 13 d): by due time, the two-hour actions first;
 * steps already past due when the decision is made are marked `overdue_at_decision`.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkAnswers } from "../../src/rules/answers.js";
import { evaluate } from "../../src/rules/evaluate.js";
import { parseFixture, runFixture } from "../../src/rules/fixtures.js";
import type { Answers } from "../../src/rules/types.js";
import { compileFile, repoPath } from "../helpers/rules.js";

const rs = compileFile("rules/default.yaml");
const FILE = "fixtures/referrals/06-arthur-like-1-grandmother-calls-edt-with-photos.yaml";
const fixture = parseFixture(readFileSync(repoPath(FILE), "utf8"), FILE).fixture!;
const answers = checkAnswers(rs, fixture.answers).answers as Answers;
// Received Thursday 2026-04-16 19:40 (BST).
const at = (now: string) => evaluate(rs, { answers, now });

describe("steps by due time", () => {
  it("lists the steps earliest-due first, the two-hour actions before telling the referrer, undated last", () => {
    const d = at("2026-04-16T19:45:00+01:00");
    const due = d.steps.map((s) => (s.due_by ? Date.parse(s.due_by) : Number.POSITIVE_INFINITY));
    expect(due).toEqual([...due].sort((a, b) => a - b));
    const ids = d.steps.map((s) => s.id);
    expect(ids.indexOf("ooh_act_tonight")).toBeLessThan(ids.indexOf("give_feedback_to_referrer"));
    expect(ids.indexOf("protective_action_now")).toBeLessThan(ids.indexOf("strategy_discussion_today"));
    // The first step is due within two hours of receipt.
    expect(Date.parse(d.steps[0]!.due_by!) - Date.parse("2026-04-16T19:40:00+01:00")).toBeLessThanOrEqual(2 * 3600_000);
    expect(d.steps.some((s) => s.overdue_at_decision)).toBe(false);
  });

  it("marks the steps already past due when the decision is made late, and only those", () => {
    const d = at("2026-04-17T01:00:00+01:00"); // 5 h 20 min after receipt
    const overdue = d.steps.filter((s) => s.overdue_at_decision).map((s) => s.id);
    expect(overdue).toEqual(expect.arrayContaining(["ooh_act_tonight", "protective_action_now"]));
    for (const s of d.steps) {
      const past = s.due_by !== undefined && Date.parse(s.due_by) < Date.parse("2026-04-17T01:00:00+01:00");
      expect(s.overdue_at_decision === true, s.id).toBe(past);
    }
    // --json carries the mark.
    expect(JSON.parse(JSON.stringify(d)).steps.find((s: { id: string }) => s.id === "ooh_act_tonight").overdue_at_decision).toBe(true);
  });

  it("a fixture can say which steps it expects overdue, and a wrong list fails", () => {
    // Worked out by hand: received Thu 19:40, decided Fri 01:00. Past due: the 2-hour actions
    // (21:40) and everything due by the strategy discussion (4 hours, 23:40); not the same-day
    // medical and evidence (12 hours, 07:40) nor anything counted in working days.
    const overdue = ["ooh_act_tonight", "protective_action_now", "strategy_discussion_today", "strategy_plan_six_points", "consider_siblings"];
    const late = { ...fixture, now: "2026-04-17T01:00", expect: { ...fixture.expect, overdue } };
    expect(runFixture(rs, late).differences).toEqual([]);
    const wrong = runFixture(rs, { ...late, expect: { ...late.expect, overdue: ["give_feedback_to_referrer"] } });
    expect(wrong.differences.some((x) => x.startsWith("overdue steps: expected give_feedback_to_referrer"))).toBe(true);
  });
});

describe("out-of-hours re-screen (issue 13 class 9)", () => {
  const FRIDAY = "fixtures/referrals/92-ooh-friday-evening-low-level-early-help.yaml";
  const friday = parseFixture(readFileSync(repoPath(FRIDAY), "utf8"), FRIDAY).fixture!;
  it("a Friday-evening referral's re-screen is due at the start of the next working day (Monday), not Tuesday", () => {
    const d = evaluate(rs, { answers: checkAnswers(rs, friday.answers).answers, now: "2026-03-13T19:45:00+00:00" });
    expect(d.steps.find((s) => s.id === "day_team_rescreen")?.due_by).toBe("2026-03-16T09:00:00+00:00");
    expect(d.computed_outcome.id).toBe("early_help");
    expect(d.flags).toContain("ooh_provisional");
  });
  it("the day team's re-screen on Monday carries no 'EDT acts tonight' step", () => {
    const d = at("2026-04-20T09:30:00+01:00"); // the Thursday-evening EDT referral, re-screened the next Monday
    const ids = d.steps.map((s) => s.id);
    expect(ids).not.toContain("ooh_act_tonight");
    expect(ids).not.toContain("handover_priority");
    expect(ids).toContain("edt_rescreen_review");
    expect(d.computed_outcome.id).toBe("strategy_discussion_s47");
  });
});
