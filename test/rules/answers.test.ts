import { describe, expect, it } from "vitest";
import { checkAnswers } from "../../src/rules/answers.js";
import { compileFile } from "../helpers/rules.js";

const rs = compileFile("fixtures/rulesets/minimal.yaml");
const good = {
  received_at: "2026-11-27T10:00",
  child_name: "Fictional Child",
  age: "older",
  concerns: ["none"],
  contacts: 0,
  whereabouts: "safe",
  referrer: "professional",
};

describe("answers files", () => {
  it("normalises: date-times without an offset are local to the rule set's zone", () => {
    const r = checkAnswers(rs, { ...good, received_at: "2026-07-01T10:00" });
    expect(r.problems).toEqual([]);
    expect(r.answers.received_at).toBe("2026-07-01T10:00:00+01:00");
  });

  it("names an unanswered visible question, and suggests --unanswered unknown", () => {
    const { whereabouts: _, ...rest } = good;
    const r = checkAnswers(rs, rest);
    expect(r.problems).toEqual([{ question: "whereabouts", message: expect.stringContaining('question "whereabouts" is not answered (Where is the child?)') }]);
    expect(r.problems[0]!.message).toContain("--unanswered unknown");
  });

  it("with --unanswered unknown, an unanswered question counts as not known, with a warning", () => {
    const { whereabouts: _, ...rest } = good;
    const r = checkAnswers(rs, rest, "unknown");
    expect(r.problems).toEqual([]);
    expect(r.answers.whereabouts).toBe("unknown");
    expect(r.warnings[0]).toContain('"whereabouts" was not answered');
  });

  it("optional questions may be left out", () => {
    expect(checkAnswers(rs, good).answers).not.toHaveProperty("note");
  });

  it("ignores answers to hidden questions with a warning", () => {
    const r = checkAnswers(rs, { ...good, injury_seen: "seen" });
    expect(r.problems).toEqual([]);
    expect(r.answers).not.toHaveProperty("injury_seen");
    expect(r.warnings).toEqual(['answer to "injury_seen" ignored: the question is not asked for this referral']);
  });

  it("asks a question made visible by an earlier answer", () => {
    const r = checkAnswers(rs, { ...good, concerns: ["injury"] });
    expect(r.problems.map((p) => p.question)).toEqual(["injury_seen"]);
  });

  it("names the question for a wrong answer and lists the valid options", () => {
    const r = checkAnswers(rs, { ...good, age: "toddler", contacts: -1, concerns: ["none", "neglect"], referrer: 7, colour: "red" });
    const byQuestion = Object.fromEntries(r.problems.map((p) => [p.question, p.message]));
    expect(byQuestion.age).toBe('question "age": "toddler" is not an option; expected one of: baby, young, older, unknown');
    expect(byQuestion.contacts).toBe('question "contacts": -1 is below the minimum 0');
    expect(byQuestion.concerns).toBe('question "concerns": "none" cannot be combined with other answers');
    expect(byQuestion.referrer).toContain("7 is not an option");
    expect(byQuestion.colour).toBe('unknown question "colour"');
  });

  it("suggests the nearest question id for a typo", () => {
    expect(checkAnswers(rs, { ...good, whereabout: "safe" }).problems[0]!.message).toBe('unknown question "whereabout"; did you mean "whereabouts"?');
  });

  it('"unknown" is allowed for any type unless the question says not', () => {
    const r = checkAnswers(rs, { ...good, contacts: "unknown", child_name: "unknown", concerns: "unknown" });
    expect(r.problems).toEqual([]);
    expect(r.answers).toMatchObject({ contacts: "unknown", child_name: "unknown", concerns: ["unknown"] });
    expect(checkAnswers(rs, { ...good, received_at: "unknown" }).problems[0]!.message).toBe('question "received_at": "not known" is not allowed here');
  });

  it("rejects impossible dates and times", () => {
    expect(checkAnswers(rs, { ...good, received_at: "2026-02-30T10:00" }).problems[0]!.question).toBe("received_at");
  });
});
