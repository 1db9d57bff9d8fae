/**
 * What may be done to a referral after its decision, decided purely: given the derived state, the
 * rule set it was decided under, who is acting (and, for reviews, their role in the team), each
 * function returns either the body of the entry to append or a refusal with its message. The
 * command files only load, call, append and render (docs/architecture.md, "Layers": functional core, imperative shell).
 *
 * Refusals are of two kinds: `invalid` (bad input — exit 2) and `refused` (a safety rule or the
 * workflow forbids it — exit 5).
 *
 * This module is their public face; one module per action family lives in src/workflow/actions/:
 * checks.ts (recording checks, the checks report), closures.ts, overrides.ts, reviews.ts (and the
 * team), rescreen.ts (out-of-hours re-screens), with shared.ts for the verdict and refusal helpers.
 */
export { checksReport, planCheck, recordableIds, type CheckInput, type ChecksReport, type StepStatus } from "./actions/checks.js";
export { planClosure, type ClosureInput } from "./actions/closures.js";
export { planOverride, type OverrideInput } from "./actions/overrides.js";
export { closureRequirements, downgradeBearings, whatHolds, type ClosureRequirement, type LowerOutcome, type WhatHolds } from "./floors.js";
export { provisionalFlag, rescreenStatus, type LaterDecision, type Rescreen } from "./actions/rescreen.js";
export { planReview, roleOf, type ReviewInput, type Team } from "./actions/reviews.js";
export type { Refusal, Verdict } from "./actions/shared.js";
