/**
 * Shrinking: a failing sample moved towards the baseline by fast-check, and the counter-example
 * the report shows for it.
 */
import * as fc from "fast-check";
import type { Choices, Scenario } from "../generate.js";
import type { Answer, Decision } from "../types.js";
import { check } from "./check.js";
import type { CounterExample, DecisionSummary } from "./report.js";
import { SampleRun, scenarioFor, type Finding } from "./sample.js";
import type { LintSetup } from "./setup.js";

const sameAnswer = (a: Answer | undefined, b: Answer | undefined): boolean => {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return false;
};

function summary(d: Decision): DecisionSummary {
  return {
    answers: d.answers,
    outcome: { id: d.computed_outcome.id, level: d.computed_outcome.level },
    hard_floor: d.hard_floor,
    fired: d.fired.map((f) => f.id),
    steps: d.steps.map((s) => s.id),
    flags: d.flags,
    guards: d.guards.map((g) => ({ id: g.id, status: g.status, floor: g.floor, hard_stop: g.hard_stop })),
  };
}

/**
 * Shrinks a failing sample with fast-check: the sample is replayed as an example of the property
 * "this invariant holds" (judged by the same comparison as when it failed), and fast-check's
 * integer and list shrinking moves it towards the baseline (fewer deviating answers, lower picks).
 */
export function shrinkViolation(
  setup: LintSetup,
  failure: { invariant: string; choices: Choices; turn: number | null; focus: number | null },
  seed: number,
): { choices: Choices; shrinks: number; finding: Finding; scenario: Scenario } {
  const inv = setup.invariants.find((i) => i.key === failure.invariant);
  if (!inv) throw new Error(`shrinkViolation: no invariant ${failure.invariant}`);
  const turn = failure.turn === null ? undefined : setup.turns[failure.turn];
  const focus = failure.focus === null ? undefined : setup.turns[failure.focus]?.subject;
  const judge = (c: Choices, scenario = scenarioFor(setup, c, focus)) => check(new SampleRun(setup, scenario, c, turn), inv);
  const details = fc.check(
    fc.property(setup.arbitrary, (c) => judge(c) === null),
    { seed, numRuns: 1, examples: [[failure.choices]] },
  );
  const shrunk: Choices = (details.failed ? details.counterexample?.[0] : undefined) ?? failure.choices;
  const scenario = scenarioFor(setup, shrunk, focus);
  const finding = judge(shrunk, scenario);
  if (!finding) throw new Error(`shrinkViolation: ${failure.invariant} does not fail on its counter-example`);
  return { choices: shrunk, shrinks: details.numShrinks, finding, scenario };
}

export function counterExample(setup: LintSetup, scenario: Scenario, finding: Finding): CounterExample {
  const first = finding.sides[0]!;
  const differs: Record<string, Answer> = {};
  const baseline: Record<string, Answer | null> = {};
  for (const [id, a] of Object.entries(first.detail.decision.answers)) {
    if (id === first.changed?.question) continue;
    if (!sameAnswer(a, setup.baselineAnswers[id])) {
      differs[id] = a;
      baseline[id] = setup.baselineAnswers[id] ?? null;
    }
  }
  return {
    now: scenario.now,
    clock: setup.plan.clocks[scenario.clock]!.why,
    history: scenario.history,
    differs_from_baseline: differs,
    baseline,
    sides: finding.sides.map((s) => ({ label: s.label, ...(s.changed ? { changed: s.changed } : {}), decision: summary(s.detail.decision) })),
  };
}
