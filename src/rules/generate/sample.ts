/**
 * Samples: the fast-check arbitrary of a plan's choices, and sampling them into scenarios.
 */
import * as fc from "fast-check";
import { decode } from "./decode.js";
import { DENSE_MODE, FOCUS_MAX, TARGET_MAX, type Choices, type GenerationPlan, type Scenario } from "./types.js";

/** Choices that decode to the baseline scenario (every pick 0). */
export function baselineChoices(plan: GenerationPlan): Choices {
  const dims = plan.questions.length + plan.history.length;
  return [
    0,
    [],
    new Array<number>(dims).fill(0),
    new Array<number>(plan.questions.filter((q) => q.maskSlot >= 0).length).fill(0),
    0,
    new Array<number>(plan.targets).fill(0),
    0,
  ];
}

export function choicesArbitrary(plan: GenerationPlan): fc.Arbitrary<Choices> {
  const dims = plan.questions.length + plan.history.length;
  const picks = [...plan.questions.map((q) => q.domain.length), ...plan.history.map((h) => h.values.length)].map((len) =>
    fc.nat({ max: Math.max(0, len - 1) }),
  );
  const masks = plan.questions.filter((q) => q.maskSlot >= 0).map((q) => fc.nat({ max: 2 ** q.comboOptions.length - 1 }));
  const targets = Array.from({ length: plan.targets }, () => fc.nat({ max: TARGET_MAX }));
  return fc.tuple(
    fc.nat({ max: DENSE_MODE }),
    fc.uniqueArray(fc.nat({ max: Math.max(0, dims - 1) }), { maxLength: dims }),
    fc.tuple(...picks),
    fc.tuple(...masks),
    fc.nat({ max: Math.max(0, 2 * plan.clocks.length - 1) }),
    fc.tuple(...targets),
    fc.nat({ max: FOCUS_MAX }),
  );
}

export interface GenerateOptions {
  samples: number;
  seed: number;
}

/** Samples as fast-check generates them (for tests and tools; lint streams them in chunks). */
export function sampleChoices(plan: GenerationPlan, options: GenerateOptions): Choices[] {
  return fc.sample(choicesArbitrary(plan), { seed: options.seed, numRuns: options.samples, unbiased: true });
}

export function generateScenarios(plan: GenerationPlan, options: GenerateOptions): Scenario[] {
  return sampleChoices(plan, options).map((c) => decode(plan, c));
}
