/**
 * `triage rules lint`, the pure core: checks a rule set's declared safety invariants
 * (docs/rule-format.md "Invariants") over generated answer sets (generate.ts), shrinks each
 * violation to its smallest counter-example with fast-check, and warns about parts of the rule set
 * that nothing uses. Never prints; the command renders the report.
 *
 * What a sample is judged by, and what it costs (bounded, so 100k samples stay within target):
 * - Each sample makes one *comparison* for a comparing invariant: the sample with the compared
 *   question set to one answer and to the other, all else equal — two evaluations. Turns
 *   rotate over each `never_lower` invariant and each question of each `unknown_not_lower`, so every
 *   compared question gets the same share. The sample's target picks choose the variant or the
 *   known answer ("not known" is compared half the time with the sample's own answer, half the time
 *   with any known answer: each option alone for a multiselect), and a third of the samples are
 *   steered to satisfy a rule that reads the compared
 *   question (another third: any rule; generate.ts, focus terms), so over a run every answer is
 *   compared in many contexts, including those where the rules that read it fire.
 *   Changing an answer can show or hide later questions: hidden ones are dropped, newly shown ones
 *   take the answer this sample gives them (every question has one), so each side is itself a
 *   valid generated answer set.
 * - A sample that does not ask the compared question is judged by its own decision (one
 *   evaluation).
 * - Invariants about one record (`guard_floor_holds`, `hard_stop_not_closable`,
 *   `out_of_hours_provisional`, and "not known always adds the step") are checked on every decision
 *   made, and coverage (rules fired, outcomes reached) is counted from them.
 * - `deterministic` evaluates the full record twice on samples spread over the run (every 10th, at
 *   most ~1,000 in all: the full record's deadline arithmetic is the costly part of an evaluation),
 *   and on any sample while shrinking.
 * Everything except `deterministic` evaluates a copy of the rule set without deadline arithmetic
 * (see `withoutDeadlines`): the same evaluator, rules and guards, minus most of the cost.
 *
 * Samples are generated in fixed-size chunks, each from a seed derived from (seed, chunk index), so
 * the result is the same whether the chunks run in one thread or in several.
 *
 * The parts live in ./lint/: setup.ts (plan and invariants), sample.ts (a sample's decisions),
 * check.ts (the invariant checks), chunks.ts (chunked running with seeds), shrink.ts (shrinking
 * and counter-examples), warnings.ts, report.ts (the report's shape) and finish.ts (merging the
 * chunks into the report). This file re-exports their public names.
 */
export {
  CHUNK_SIZE,
  chunkSeed,
  chunksOf,
  DETERMINISM_SAMPLES,
  determinismEvery,
  runChunk,
  type Chunk,
  type ChunkResult,
  type FirstFailure,
} from "./lint/chunks.js";
export { DEFAULT_SAMPLES, DEFAULT_SEED, finishLint, lintRuleSet, resolveLintOptions, type LintOptions } from "./lint/finish.js";
export { baselineInvariants, type BaselineInvariant, type BaselineKind } from "./lint/baseline.js";
export type { CounterExample, CounterExampleSide, DecisionSummary, InvariantSummary, LintReport, LintWarning, Violation, WarningKind } from "./lint/report.js";
export { prepareLint, type LintSetup, type Turn } from "./lint/setup.js";
