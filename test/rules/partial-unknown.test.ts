/**
 * `partial_unknown: true` on a multiselect: "not known" ticked with other options means "at least
 * these; the rest not known" (docs/rule-format.md). Answers, validation, evaluation and lint's
 * unknown invariant, on a copy of fixtures/rulesets/minimal.yaml whose `concerns` question allows it.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { checkAnswers } from "../../src/rules/answers.js";
import { evaluate } from "../../src/rules/evaluate.js";
import { lintRuleSet } from "../../src/rules/lint.js";
import { parseRuleSet } from "../../src/rules/load.js";
import type { RawQuestion, RawRuleSet } from "../../src/rules/schema.js";
import { ScriptedPrompter } from "../../src/interview/scripted.js";
import { exclusiveOptions } from "../../src/cli/interview/prompter.js";
import { formatAnswer } from "../../src/interview/flow/review.js";
import { compileText, repoPath } from "../helpers/rules.js";

const MINIMAL = readFileSync(repoPath("fixtures/rulesets/minimal.yaml"), "utf8");
function edited(change: (doc: RawRuleSet) => void): string {
  const doc = parse(MINIMAL) as RawRuleSet;
  change(doc);
  return stringify(doc);
}
const q = (doc: RawRuleSet, id: string): RawQuestion => doc.questions.find((x) => x.id === id)!;

/** concerns: critical, partial_unknown, "not known" counts as [injury] (the worst case); R6 reads it. */
const PARTIAL = edited((d) => {
  q(d, "age").unknown_counts_as = "baby";
  Object.assign(q(d, "concerns"), { critical: true, partial_unknown: true, unknown_counts_as: ["injury", "neglect"] });
  const r6 = d.rules.find((r) => r.id === "R6_unknowns")!;
  r6.when = {
    any: [
      { q: "age", unknown: true },
      { q: "whereabouts", unknown: true },
      { q: "concerns", unknown: true },
    ],
  };
});
const rs = compileText(PARTIAL, "partial.yaml");
const plain = compileText(
  edited((d) => void (q(d, "age").unknown_counts_as = "baby")),
  "plain.yaml",
);

const base = {
  received_at: "2026-11-25T10:00",
  child_name: "Fictional Child",
  age: "baby",
  concerns: ["neglect"],
  injury_seen: "not_seen",
  contacts: 0,
  whereabouts: "safe",
  referrer: "professional",
};
const decide = (answers: Record<string, unknown>) => {
  const checked = checkAnswers(rs, { ...base, ...answers });
  expect(checked.problems).toEqual([]);
  return evaluate(rs, { answers: checked.answers, now: "2026-11-25T10:30:00+00:00" });
};

describe("partial_unknown: answers", () => {
  it("accepts known options with 'unknown' where the question allows it", () => {
    const r = checkAnswers(rs, { ...base, concerns: ["neglect", "unknown"] });
    expect(r.problems).toEqual([]);
    expect(r.answers.concerns).toEqual(["neglect", "unknown"]);
  });

  it("refuses it where the question does not say partial_unknown", () => {
    const r = checkAnswers(plain, { ...base, concerns: ["neglect", "unknown"] });
    expect(r.problems.map((p) => p.question)).toEqual(["concerns"]);
  });

  it("still refuses an exclusive option with 'unknown' ('none' and 'not known' contradict)", () => {
    const r = checkAnswers(rs, { ...base, concerns: ["none", "unknown"] });
    expect(r.problems[0]?.message).toMatch(/"none" cannot be combined/);
  });

  it("the loader refuses partial_unknown on a question that is not a multiselect, or that does not allow 'not known'", () => {
    const onSelect = parseRuleSet(
      edited((d) => void (q(d, "whereabouts").partial_unknown = true)),
      "x.yaml",
    );
    expect(onSelect.ok ? [] : onSelect.problems.join("\n")).toMatch(/partial_unknown fits only multiselect/);
    const noUnknown = parseRuleSet(
      edited((d) => void Object.assign(q(d, "concerns"), { partial_unknown: true, allow_unknown: false })),
      "x.yaml",
    );
    expect(noUnknown.ok ? [] : noUnknown.problems.join("\n")).toMatch(/does not allow "not known", so partial_unknown has no effect/);
  });
});

describe("partial_unknown: evaluation", () => {
  it("is evaluated as the listed options plus unknown_counts_as, and recorded as it was given", () => {
    const known = decide({ concerns: ["neglect"] });
    const partial = decide({ concerns: ["neglect", "unknown"] });
    // The listed neglect still counts (R4 raise for a baby), and the counted-as injury brings R1 (baby injury).
    expect(known.fired.map((f) => f.id)).not.toContain("R1_baby_injury");
    expect(partial.fired.map((f) => f.id)).toEqual(expect.arrayContaining(["R1_baby_injury", "R4_young_neglect", "R6_unknowns"]));
    expect(partial.computed_outcome.level).toBeGreaterThanOrEqual(known.computed_outcome.level);
    expect(partial.answers.concerns).toEqual(["neglect", "unknown"]);
    expect(partial.unknowns).toContain("concerns");
    expect(partial.steps.map((s) => s.id)).toContain("resolve_unknowns");
  });
});

describe("partial_unknown: lint's unknown invariant", () => {
  it("holds for the worst-case rule set", () => {
    const report = lintRuleSet(rs, { samples: 3000, seed: 5 });
    expect(report.violations).toEqual([]);
  });

  it("catches a rule that believes only a fully known list (known + 'not known' gives lower)", () => {
    const broken = compileText(
      edited((d) => {
        q(d, "age").unknown_counts_as = "baby";
        Object.assign(q(d, "concerns"), { critical: true, partial_unknown: true, unknown_counts_as: ["injury", "neglect"] });
        d.rules.find((r) => r.id === "R6_unknowns")!.when = {
          any: [
            { q: "age", unknown: true },
            { q: "whereabouts", unknown: true },
            { q: "concerns", unknown: true },
          ],
        };
        d.rules.push({
          id: "R9_sure_neglect",
          title: "Neglect, and nothing else unknown",
          when: {
            all: [
              { q: "concerns", contains_any: ["neglect"] },
              { q: "concerns", unknown: false },
            ],
          },
          floor: "protect",
          because: "A broken rule: it acts only on a completely known list.",
        });
      }),
      "broken.yaml",
    );
    const report = lintRuleSet(broken, { samples: 4000, seed: 2 });
    const v = report.violations.find((x) => x.invariant.id === "INV2_unknown");
    expect(v).toBeDefined();
    const [known, unknown] = v!.counterexample.sides;
    expect(unknown!.decision.answers.concerns).toContain("unknown");
    // Re-evaluated with the real evaluator, the "not known" side really is lower.
    const lo = evaluate(broken, { answers: unknown!.decision.answers, now: v!.counterexample.now });
    const hi = evaluate(broken, { answers: known!.decision.answers, now: v!.counterexample.now });
    expect(lo.computed_outcome.level).toBeLessThan(hi.computed_outcome.level);
  });
});

describe("partial_unknown: the interview", () => {
  it("does not make 'not known' exclusive, and shows the answer as 'at least these'", () => {
    const concerns = rs.questions[rs.questionIndex.get("concerns")!]!;
    expect(exclusiveOptions(concerns)).toEqual(["none"]);
    expect(formatAnswer(concerns, ["neglect", "unknown"])).toBe("neglect; anything else not known");
    const other = plain.questions[plain.questionIndex.get("concerns")!]!;
    expect(exclusiveOptions(other)).toContain("unknown");
  });

  it("a scripted answer with known options and 'unknown' is accepted", async () => {
    const concerns = rs.questions[rs.questionIndex.get("concerns")!]!;
    const p = new ScriptedPrompter({ concerns: ["neglect", "unknown"] });
    const got = await p.ask(concerns, { previous: undefined, canGoBack: false, timeZone: "Europe/London" });
    expect(got).toEqual(["neglect", "unknown"]);
  });
});
