import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { coverage, coverageComplete, parseFixture, runFixture, type Fixture } from "../../src/rules/fixtures.js";
import { compileFile, repoPath } from "../helpers/rules.js";

const minimal = compileFile("fixtures/rulesets/minimal.yaml");
const fixture = (text: string): Fixture => {
  const parsed = parseFixture(text, "case.yaml");
  if (!parsed.fixture) throw new Error(parsed.problems.join("\n"));
  return parsed.fixture;
};
const babyInjury = `
name: baby with an injury, child with the alleged harmer
now: 2026-11-27T10:30
answers: { received_at: 2026-11-27T10:00, child_name: A, age: baby, concerns: [injury], injury_seen: not_seen, contacts: 0, whereabouts: with_harmer, referrer: family }
expect:
  outcome: protect
  fired: [R1_baby_injury, R5_whereabouts]
  not_fired: [R3_repeat]
  steps: [locate_child]
  guards: { G1_not_presumed_malicious: not_applicable }
  hard_floor: protect
`;

describe("the fixture runner", () => {
  it("passes a case whose expectations hold", () => {
    const r = runFixture(minimal, fixture(babyInjury));
    expect(r.differences).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it("reports what differs: outcome, missed and extra rules, steps, guards, hard floor", () => {
    const wrong = babyInjury
      .replace("outcome: protect", "outcome: assess")
      .replace("fired: [R1_baby_injury, R5_whereabouts]", "fired: [R1_baby_injury, R4_young_neglect]")
      .replace("not_fired: [R3_repeat]", "not_fired: [R5_whereabouts]")
      .replace("steps: [locate_child]", "steps: [chronology]")
      .replace("not_applicable }", "holding }")
      .replace("hard_floor: protect", "hard_floor: strategy");
    const r = runFixture(minimal, fixture(wrong));
    expect(r.ok).toBe(false);
    expect(r.differences).toEqual([
      "outcome: expected assess, got protect",
      "missed rules (expected to fire): R4_young_neglect",
      "extra rules (expected not to fire): R5_whereabouts",
      "missing steps: chronology",
      "guard G1_not_presumed_malicious: expected holding, got not_applicable",
      "hard floor: expected strategy, got protect",
    ]);
  });

  it("an expectation naming a rule that does not exist fails (a typo must not make a check that cannot fail)", () => {
    const r = runFixture(minimal, fixture(babyInjury.replace("not_fired: [R3_repeat]", "not_fired: [R3_repaet]")));
    expect(r.differences).toContain('expectation names unknown rule "R3_repaet"');
  });

  it("answers that do not fit the rule set fail the case with the question named", () => {
    const r = runFixture(minimal, fixture(babyInjury.replace("age: baby", "age: toddler")));
    expect(r.ok).toBe(false);
    expect(r.differences[0]).toContain('question "age"');
  });

  it("rejects a fixture without expectations", () => {
    expect(parseFixture("name: x\nnow: 2026-01-01T10:00\nanswers: {}\n", "f.yaml").problems).toContain('f.yaml: "expect.outcome" is required');
  });

  it("coverage lists rules never fired and never seen not firing", () => {
    const cov = coverage(minimal, [runFixture(minimal, fixture(babyInjury))]);
    expect(cov.rulesNeverFired).toEqual(expect.arrayContaining(["R3_repeat", "R4_young_neglect", "R6_unknowns", "R8_ooh"]));
    expect(cov.rulesNeverNotFired).toEqual(expect.arrayContaining(["R1_baby_injury", "R5_whereabouts", "R2_concern", "R7_feedback"]));
    expect(cov.guardsNeverHolding).toEqual(["G1_not_presumed_malicious"]);
    expect(coverageComplete(cov)).toBe(false);
  });
});

// The shipped rule set's fixtures, one vitest case each, so CI counts them.
const dir = repoPath("fixtures/referrals");
const files = readdirSync(dir)
  .filter((n) => n.endsWith(".yaml"))
  .sort();
describe("shipped fixtures under rules/default.yaml", () => {
  it("has fixtures", () => {
    expect(files.length).toBeGreaterThan(0);
  });
  const shipped = compileFile("rules/default.yaml");
  const all = files.map((name) => {
    const parsed = parseFixture(readFileSync(join(dir, name), "utf8"), name);
    if (!parsed.fixture) throw new Error(parsed.problems.join("\n"));
    return parsed.fixture;
  });
  it("there are at least 40 fictional referrals", () => expect(all.length).toBeGreaterThanOrEqual(40));
  it.each(all.map((f) => [f.file, f] as const))("%s", (_name, f) => {
    const r = runFixture(shipped, f);
    expect(r.differences).toEqual([]);
  });
  it("coverage is complete: every rule fires and is seen not firing; every guard holds and releases", () => {
    const cov = coverage(
      shipped,
      all.map((f) => runFixture(shipped, f)),
    );
    expect(cov).toEqual({ rulesNeverFired: [], rulesNeverNotFired: [], guardsNeverHolding: [], guardsNeverReleased: [] });
  });
});
