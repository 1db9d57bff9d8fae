// The fast evaluator (src/rules/evaluate.ts) against the plain reference evaluator kept in
// test/helpers/reference-evaluate.ts: byte-identical records over many generated answer sets,
// every rule set in the repository, with and without recorded checks and warnings.
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { evaluate, evaluateDetailed } from "../../src/rules/evaluate.js";
import { generateScenarios, inputOf, planGeneration, withoutDeadlines } from "../../src/rules/generate.js";
import { referenceEvaluate } from "../helpers/reference-evaluate.js";
import { compileFile, repoPath } from "../helpers/rules.js";

const ruleSets = ["rules/default.yaml", ...readdirSync(repoPath("fixtures/rulesets")).map((f) => `fixtures/rulesets/${f}`)].filter((f) => /\.ya?ml$/.test(f));

describe("fast evaluator = reference evaluator", () => {
  for (const file of ruleSets) {
    it(`${file}: the same record, byte for byte, over 3,000 generated answer sets`, () => {
      const rs = compileFile(file);
      const checks = [...rs.checks.keys()];
      const scenarios = generateScenarios(planGeneration(rs), { samples: 3000, seed: 17 });
      let differing = 0;
      let firstDifference: [string, string] | undefined;
      scenarios.forEach((s, i) => {
        const input = {
          ...inputOf(s),
          // Every third referral has some checks recorded and a warning carried.
          ...(i % 3 === 0 ? { recordedChecks: checks.filter((_, k) => (k + i) % 2 === 0), warnings: [`warning ${i}`] } : {}),
        };
        const fast = JSON.stringify(evaluate(rs, input));
        const detailed = JSON.stringify(evaluateDetailed(rs, input).decision);
        const reference = JSON.stringify(referenceEvaluate(rs, input));
        if (fast !== reference || detailed !== reference) {
          differing++;
          firstDifference ??= [fast, reference];
        }
      });
      expect(firstDifference?.[0]).toBe(firstDifference?.[1]);
      expect(differing).toBe(0);
      // The sample is not trivial: outcomes, rules, steps and deadlines all vary.
      const records = scenarios.slice(0, 500).map((s) => evaluate(rs, inputOf(s)));
      expect(new Set(records.map((r) => r.outcome.id)).size).toBeGreaterThan(1);
      expect(new Set(records.map((r) => r.fired.map((f) => f.id).join())).size).toBeGreaterThan(5);
      expect(new Set(records.map((r) => JSON.stringify(r.deadlines))).size).toBeGreaterThan(5);
    });
  }

  it("without deadline arithmetic (lint and diff replay) only the deadlines and due times go", () => {
    const rs = compileFile("rules/default.yaml");
    const bare = withoutDeadlines(rs);
    for (const s of generateScenarios(planGeneration(rs), { samples: 500, seed: 3 })) {
      const full = evaluate(rs, inputOf(s));
      const light = evaluate(bare, inputOf(s));
      expect(light.deadlines).toEqual({});
      // Steps are ordered (and marked overdue) by due time (issue 13 d); without deadlines only the set stays.
      const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
      expect([...light.steps].sort(byId)).toEqual(full.steps.map(({ due_by: _due, overdue_at_decision: _o, ...step }) => step).sort(byId));
      expect({ ...light, deadlines: full.deadlines, steps: full.steps }).toEqual(full);
    }
  });

  it("evaluating twice, or after other referrals, gives the same record (nothing leaks between evaluations)", () => {
    const rs = compileFile("rules/default.yaml");
    const inputs = generateScenarios(planGeneration(rs), { samples: 200, seed: 9 }).map((s) => inputOf(s));
    const first = inputs.map((input) => JSON.stringify(evaluate(rs, input)));
    const again = [...inputs].reverse().map((input) => JSON.stringify(evaluate(rs, input)));
    expect(again.reverse()).toEqual(first);
  });
});
