import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  adjustments,
  answerQuestion,
  downgradeRefusal,
  editAnswer,
  effectiveAnswers,
  FlowError,
  formatAnswer,
  goBack,
  howFar,
  identityOf,
  identityReady,
  nextStep,
  parseFlowState,
  resumeFlow,
  revalidate,
  reviewSections,
  sectionLabel,
  startFlow,
  submit,
  type FlowState,
} from "../../src/interview/flow.js";
import { checkAnswers } from "../../src/rules/answers.js";
import type { CompiledRuleSet } from "../../src/rules/compile.js";
import { evaluate } from "../../src/rules/evaluate.js";
import type { Answer } from "../../src/rules/types.js";
import { compileFile, compileText, repoPath } from "../helpers/rules.js";

const rs = compileFile("fixtures/rulesets/minimal.yaml");
const NOW = "2026-11-27T10:30:00+00:00";

/** The id of the question asked next, or "review"/"done". */
function next(state: FlowState, rules: CompiledRuleSet = rs): string {
  const step = nextStep(rules, state);
  return step.kind === "ask" ? step.question.id : step.kind;
}

/** Answers questions as they come, from a map; stops at review or at a question not in the map. */
function walk(answers: Record<string, Answer | null>, state: FlowState = startFlow(), rules: CompiledRuleSet = rs): FlowState {
  for (;;) {
    const step = nextStep(rules, state);
    if (step.kind !== "ask" || !(step.question.id in answers)) return state;
    state = answerQuestion(rules, state, step.question.id, answers[step.question.id]!);
  }
}

const BASE: Record<string, Answer | null> = {
  received_at: "2026-11-27T10:00",
  child_name: "Alex Example",
  age: "baby",
  concerns: ["neglect"],
  contacts: 0,
  whereabouts: "safe",
  referrer: "family",
  note: null,
};

describe("the next question", () => {
  it("starts at the first question, with its section and progress, and nothing to go back to", () => {
    const step = nextStep(rs, startFlow());
    expect(step.kind).toBe("ask");
    if (step.kind !== "ask") return;
    expect(step.question.id).toBe("received_at");
    expect(step.canGoBack).toBe(false);
    // Sections in first-appearance order: contact, child, concern, history, decision.
    expect(step.progress.label).toBe("Contact — section 1 of 5 · question 1 of about 8");
    expect(step.progress.overallTotal).toBe(8); // injury_seen is hidden until an injury is reported
  });

  it("skips questions hidden by `when` and asks them once they apply", () => {
    const noInjury = walk({ ...BASE });
    expect(noInjury.asked).not.toContain("injury_seen");
    expect(next(noInjury)).toBe("review");

    const injury = walk({ ...BASE, concerns: ["injury"] });
    expect(next(injury)).toBe("injury_seen");
    const step = nextStep(rs, injury);
    // injury_seen is the fifth question once revealed: the total grows by one, the section count does not move.
    expect(step.kind === "ask" && step.progress.label).toBe("Concern — section 3 of 5 · question 5 of about 9");
  });

  it("follows rule-set order, with sections interleaved as the rule set has them", () => {
    const state = walk({ ...BASE });
    expect(state.asked).toEqual(["received_at", "child_name", "age", "concerns", "contacts", "whereabouts", "referrer", "note"]);
  });

  it("refuses answers that do not fit, and a blank answer to a question that is not optional", () => {
    const state = walk({ received_at: "2026-11-27T10:00", child_name: "Alex" });
    expect(() => answerQuestion(rs, state, "age", "toddler")).toThrow(FlowError);
    expect(() => answerQuestion(rs, state, "age", null)).toThrow(/needs an answer/);
    expect(() => answerQuestion(rs, state, "received_at", "unknown")).toThrow(/not known/);
    const atConcerns = answerQuestion(rs, state, "age", "baby");
    expect(() => answerQuestion(rs, atConcerns, "concerns", ["none", "injury"])).toThrow(/cannot be combined/);
  });

  it("normalises answers as an answers file would (date-times get the zone's offset)", () => {
    const state = walk({ received_at: "2026-11-27 10:00" });
    expect(state.answers.received_at).toBe("2026-11-27T10:00:00+00:00");
  });

  it("an optional question may be left blank: it is on the path with no answer", () => {
    const state = walk({ ...BASE });
    expect(state.asked).toContain("note");
    expect(state.answers.note).toBeUndefined();
    expect(
      reviewSections(rs, state)
        .flatMap((s) => s.items)
        .find((i) => i.question.id === "note")?.status,
    ).toBe("blank");
  });
});

describe("back", () => {
  it("returns to the previous question with its answer pre-filled, and answers stay", () => {
    const state = walk({ received_at: "2026-11-27T10:00", child_name: "Alex", age: "young" });
    expect(next(state)).toBe("concerns");
    const back = goBack(state);
    const step = nextStep(rs, back);
    expect(step.kind === "ask" && step.question.id).toBe("age");
    expect(step.kind === "ask" && step.previous).toBe("young");
    expect(step.kind === "ask" && step.canGoBack).toBe(true);
    // Back twice, then forward again with a different answer.
    const twice = goBack(back);
    expect(next(twice)).toBe("child_name");
    const again = answerQuestion(rs, twice, "child_name", "Alexandra");
    expect(next(again)).toBe("age");
    expect(nextStep(rs, again).kind === "ask" && (nextStep(rs, again) as { previous?: Answer }).previous).toBe("young");
  });

  it("from the review screen goes to the last question answered", () => {
    const state = walk({ ...BASE });
    expect(next(state)).toBe("review");
    expect(next(goBack(state))).toBe("note");
  });

  it("at the first question there is nothing to go back to", () => {
    expect(goBack(startFlow())).toEqual(startFlow());
  });
});

describe("changing an answer from the review screen", () => {
  it("asks that question, then continues where the new answer leads: revealed questions are asked, then review", () => {
    const state = walk({ ...BASE });
    const editing = editAnswer(rs, state, "concerns");
    const step = nextStep(rs, editing);
    expect(step.kind === "ask" && step.question.id).toBe("concerns");
    expect(step.kind === "ask" && step.editing).toBe(true);
    const changed = answerQuestion(rs, editing, "concerns", ["injury", "neglect"]);
    expect(next(changed)).toBe("injury_seen");
    const done = answerQuestion(rs, changed, "injury_seen", "not_seen");
    expect(next(done)).toBe("review");
    expect(effectiveAnswers(rs, done).injury_seen).toBe("not_seen");
  });

  it("hidden questions keep their answers, are excluded from evaluation and listed as no longer applying", () => {
    const withInjury = walk({ ...BASE, concerns: ["injury"], injury_seen: "seen" });
    const edited = answerQuestion(rs, editAnswer(rs, withInjury, "concerns"), "concerns", ["neglect"]);
    expect(next(edited)).toBe("review");
    expect(edited.answers.injury_seen).toBe("seen");
    expect(edited.asked).not.toContain("injury_seen");
    expect(effectiveAnswers(rs, edited)).not.toHaveProperty("injury_seen");
    const item = reviewSections(rs, edited)
      .flatMap((s) => s.items)
      .find((i) => i.question.id === "injury_seen");
    expect(item?.status).toBe("not_applicable");
    expect(item?.text).toBe("seen");
    // Evaluation sees exactly what an answers file with the visible answers gives.
    const viaFile = checkAnswers(rs, { ...BASE, concerns: ["neglect"], injury_seen: "seen", note: undefined });
    expect(viaFile.problems).toEqual([]);
    expect(evaluate(rs, { answers: effectiveAnswers(rs, edited), now: NOW })).toEqual(evaluate(rs, { answers: viaFile.answers, now: NOW }));

    // Changing it back asks the question again, with the kept answer pre-filled.
    const back = answerQuestion(rs, editAnswer(rs, edited, "concerns"), "concerns", ["injury"]);
    const step = nextStep(rs, back);
    expect(step.kind === "ask" && step.question.id).toBe("injury_seen");
    expect(step.kind === "ask" && step.previous).toBe("seen");
  });

  it("Back while changing an answer returns to review with the answer unchanged", () => {
    const state = walk({ ...BASE });
    const back = goBack(editAnswer(rs, state, "age"));
    expect(next(back)).toBe("review");
    expect(back.answers.age).toBe("baby");
    expect(back.asked).toEqual(state.asked);
  });

  it("only questions on the path can be changed; submit needs every visible question answered", () => {
    const state = walk({ ...BASE });
    expect(() => editAnswer(rs, state, "injury_seen")).toThrow(FlowError);
    expect(() => submit(rs, goBack(state))).toThrow(/not answered/);
    expect(next(submit(rs, state))).toBe("done");
  });
});

describe("resume from a draft", () => {
  it("a saved state (JSON) continues exactly where it stopped", () => {
    const state = walk({ received_at: "2026-11-27T10:00", child_name: "Alex", age: "young", concerns: ["injury"] });
    const saved: unknown = JSON.parse(JSON.stringify(state));
    const resumed = resumeFlow(rs, saved);
    expect(resumed.changes).toEqual([]);
    expect(resumed.state).toEqual(state);
    expect(resumed.step.kind === "ask" && resumed.step.question.id).toBe("injury_seen");
    const rest = { ...BASE, concerns: ["injury"], injury_seen: "seen" };
    const finished = walk(rest, resumed.state);
    expect(effectiveAnswers(rs, finished)).toEqual(effectiveAnswers(rs, walk({ ...rest, child_name: "Alex", age: "young" })));
  });

  it("rejects something that is not a saved state", () => {
    expect(parseFlowState(null)).toBeUndefined();
    expect(parseFlowState({ answers: [], asked: [] })).toBeUndefined();
    expect(() => resumeFlow(rs, { asked: "x" })).toThrow(FlowError);
  });

  it("reports how far it got", () => {
    const state = walk({ received_at: "2026-11-27T10:00", child_name: "Alex", age: "young" });
    expect(howFar(rs, state)).toEqual({ answered: 3, total: 8, atReview: false });
    expect(howFar(rs, walk({ ...BASE })).atReview).toBe(true);
  });
});

describe("re-validation against a changed rule set", () => {
  const text = readFileSync(repoPath("fixtures/rulesets/minimal.yaml"), "utf8");
  // Version 2: "older" is no longer an option, a new question comes before contacts, "note" is gone,
  // and the injury question is now asked for neglect too.
  const v2 = compileText(
    text
      .replace('version: "1"', 'version: "2"')
      .replace("options: [baby, young, older, unknown]", "options: [baby, young, teen, unknown]")
      .replace("    required_when: { q: age, in: [older] }", "    required_when: { q: age, in: [teen] }")
      .replace(
        "  - id: contacts\n",
        "  - id: siblings\n    section: household\n    ask: Are there other children?\n    type: select\n    options: [yes, no]\n  - id: contacts\n",
      )
      .replace(/ {2}- id: note\n {4}section: decision\n {4}ask: Notes\n {4}type: text\n {4}optional: true\n/, "")
      .replace("when: { q: concerns, contains_any: [injury] }", "when: { q: concerns, contains_any: [injury, neglect] }"),
  );

  it("drops answers that no longer fit or whose question is gone, asks new questions, and says what changed", () => {
    const saved = walk({ ...BASE, age: "older", note: "called back" });
    const { state, changes } = revalidate(v2, saved, undefined, { reachedReview: true });
    expect(changes).toEqual([
      expect.stringMatching(/The answer to "Age band" no longer fits \("older" is not an option.*\); it will be asked again/),
      expect.stringMatching(/"note" is no longer a question; its answer \(called back\) was dropped/),
      expect.stringMatching(/"Was the injury seen by a professional\?" \(Concern\) now needs an answer/),
      expect.stringMatching(/"Are there other children\?" \(Household\) now needs an answer/),
    ]);
    expect(state.answers).not.toHaveProperty("note");
    expect(state.answers).not.toHaveProperty("age");
    expect(next(state, v2)).toBe("age");
    const done = walk({ age: "teen", injury_seen: "not_seen", siblings: "no" }, state, v2);
    expect(next(done, v2)).toBe("review");
  });

  it("says when an answered question no longer applies (kept, not used)", () => {
    const v3 = compileText(text.replace("  - id: whereabouts\n", "  - id: whereabouts\n    when: { q: age, in: [baby] }\n"));
    const saved = walk({ ...BASE, age: "young" });
    const { state, changes } = revalidate(v3, saved);
    expect(changes).toEqual([expect.stringMatching(/"Where is the child\?" no longer applies; its answer is kept but not used/)]);
    expect(state.answers.whereabouts).toBe("safe");
    expect(state.asked).not.toContain("whereabouts");
  });

  it("is a no-op for a draft that fits, and idempotent", () => {
    const saved = walk({ ...BASE });
    expect(revalidate(rs, saved)).toEqual({ state: saved, changes: [] });
    const once = revalidate(v2, saved).state;
    expect(revalidate(v2, once).state).toEqual(once);
  });
});

describe("the decision's bounds for escalation and downgrade", () => {
  it("offers every higher outcome, and no downgrade below a hard floor", () => {
    const decision = evaluate(rs, { answers: checkAnswers(rs, { ...BASE, concerns: ["injury"], injury_seen: "not_seen", note: undefined }).answers, now: NOW });
    expect(decision.outcome.id).toBe("strategy");
    expect(decision.hard_floor).toBe("strategy");
    const a = adjustments(rs, decision);
    expect(a.higher.map((o) => o.id)).toEqual(["protect"]);
    expect(a.lower).toEqual([]);
    expect(a.floors[0]).toMatch(/hard floor Strategy discussion \(Injury to a baby\)/);
    expect(downgradeRefusal(rs, decision, "help")).toMatch(/not allowed: hard floor/);
  });

  it("a holding guard's floor bounds a downgrade too", () => {
    const answers = checkAnswers(rs, { ...BASE, age: "older", concerns: ["neglect"], contacts: 5, referrer: "family" }).answers;
    const decision = evaluate(rs, { answers, now: NOW });
    expect(decision.guards.find((g) => g.id === "G1_not_presumed_malicious")?.status).toBe("not_applicable");
    const low = evaluate(rs, { answers: checkAnswers(rs, { ...BASE, age: "older", concerns: ["neglect"] }).answers, now: NOW });
    expect(low.guards[0]?.status).toBe("holding");
    expect(low.outcome.id).toBe("assess");
    const a = adjustments(rs, low);
    expect(a.lowestLevel).toBe(3);
    expect(a.lower).toEqual([]);
    expect(downgradeRefusal(rs, low, "help")).toMatch(/"Never presumed malicious without checks" holds at Assessment until 3 checks are recorded/);
    // G1 does not apply as decided, but a downgrade to help would bring it into force with its checks
    // outstanding: not offered, as `triage override` would refuse it (one answer, src/workflow/floors.ts).
    expect(decision.outcome.id).toBe("assess");
    expect(adjustments(rs, decision).lower).toEqual([]);
    expect(downgradeRefusal(rs, decision, "help")).toMatch(/"Never presumed malicious without checks" holds at Assessment/);
    // Where no guard would hold, the lower outcomes are offered.
    const other = evaluate(rs, {
      answers: checkAnswers(rs, { ...BASE, age: "older", concerns: ["other"], contacts: 5, referrer: "family" }).answers,
      now: NOW,
    });
    expect(other.outcome.id).toBe("assess");
    expect(adjustments(rs, other).lower.map((o) => o.id)).toEqual(["help", "none"]);
    expect(downgradeRefusal(rs, other, "help")).toBeUndefined();
  });
});

describe("answers and identity as the worker sees them", () => {
  it("formats options with labels and 'not known'", () => {
    const age = rs.questions[rs.questionIndex.get("age")!]!;
    expect(formatAnswer(age, "unknown")).toBe("Not known");
    const received = rs.questions[rs.questionIndex.get("received_at")!]!;
    expect(formatAnswer(received, "2026-11-27T10:00:00+00:00")).toBe("2026-11-27 10:00");
  });

  it("identity is ready after the name question (the minimal rule set has no date of birth)", () => {
    expect(identityReady(rs, walk({ received_at: "2026-11-27T10:00" }))).toBe(false);
    const state = walk({ received_at: "2026-11-27T10:00", child_name: "Alex" });
    expect(identityReady(rs, state)).toBe(true);
    expect(identityOf(rs, state)).toEqual({ name: "Alex" });
  });

  it("section headings drop the rule set's trailing note", () => {
    expect(sectionLabel("household_and_adults")).toBe("Household and adults");
    expect(sectionLabel("Identity (for history matching; not used by the default rules)")).toBe("Identity");
  });
});

describe("the shipped rule set", () => {
  const shipped = compileFile("rules/default.yaml");

  it("asks identity first, then looks up history after name and date of birth", () => {
    const r = shipped;
    expect(next(startFlow(), r)).toBe("child_name");
    const afterName = walk({ child_name: "Alex Example" }, startFlow(), r);
    expect(identityReady(r, afterName)).toBe(false);
    const afterDob = walk({ child_name: "Alex Example", child_dob: "2025-06-01" }, startFlow(), r);
    expect(identityReady(r, afterDob)).toBe(true);
    const step = nextStep(r, afterDob);
    expect(step.kind === "ask" && step.progress.label).toMatch(/^Identity — section 1 of 7 · question 3 of about \d+$/);
  });

  it("gestation weeks are asked only for an unborn child, and go away when the age changes", () => {
    const r = shipped;
    const sequence = [
      "child_name",
      "child_dob",
      "child_ref",
      "household_postcode",
      "received_at",
      "received_out_of_hours",
      "referrer_type",
      "referrer_context",
      "referrer_spoken_to",
      "information_source",
      "evidence_offered",
    ];
    const answers: Record<string, Answer | null> = {
      child_name: "Alex Example",
      child_dob: "unknown",
      child_ref: null,
      household_postcode: null,
      received_at: "2026-11-27T10:00",
      received_out_of_hours: "in_hours",
      referrer_type: "grandparent",
      referrer_context: ["none_known"],
      referrer_spoken_to: "yes_by_qualified_sw",
      information_source: "direct_observation",
      evidence_offered: ["none"],
      child_age_band: "unborn",
    };
    const state = walk(answers, startFlow(), r);
    expect(state.asked).toEqual([...sequence, "child_age_band"]);
    expect(next(state, r)).toBe("gestation_weeks");
    const withWeeks = answerQuestion(r, state, "gestation_weeks", 30);
    const changed = answerQuestion(r, editAnswer(r, withWeeks, "child_age_band"), "child_age_band", "1_4y");
    expect(changed.asked).not.toContain("gestation_weeks");
    expect(changed.answers.gestation_weeks).toBe(30);
    expect(next(changed, r)).toBe("child_mobility");
  });
});
