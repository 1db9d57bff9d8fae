/**
 * Rule-set impact (`triage rules diff`): what changed between two rule sets, and what they decide
 * differently for the same cases. Pure: the shell reads the files and the log and feeds cases in
 * one at a time, so a replay of 100k logged decisions never holds more than the changed ones.
 *
 * Replay evaluates each case once under each rule set (compiled once). Only a case whose outcome,
 * fired rules, guards, steps or flags differ pays for the explain traces that give its reason.
 *
 * The parts live under ./diff/: thresholds.ts (where thresholds are used), structure.ts (the
 * structural diff), prepare.ts (a case made ready for one rule set), compare.ts (one case under two
 * rule sets, and the reason), replay.ts (the streaming counter over many cases), lists.ts (list
 * deltas both diffs share). This file re-exports their public names so importers need not know.
 */
export { conditionThresholds, thresholdUses, type ThresholdUse, type UseKind } from "./diff/thresholds.js";
export {
  diffRuleSets,
  fieldChanges,
  ruleSetIdentity,
  SECTIONS,
  type Change,
  type ItemDiff,
  type OptionDiff,
  type RuleSetDiff,
  type RuleSetIdentity,
  type Section,
  type ThresholdDiff,
} from "./diff/structure.js";
export { prepareFixture, prepareLogged, questionsKey, type LoggedCase, type Prepared } from "./diff/prepare.js";
export { CaseComparison, describeLeaf, evaluatedSide, type Direction, type Side } from "./diff/compare.js";
export {
  Replay,
  withoutDeadlines,
  type CaseSource,
  type ChangedCase,
  type GuardDelta,
  type NotReplayed,
  type ReplayReport,
  type RuleDelta,
} from "./diff/replay.js";
