/**
 * The report `triage rules lint` returns: per invariant what was checked, each violation with its
 * smallest counter-example, and warnings. Plain data; the command renders it.
 */
import type { InvariantKind, Origin } from "./setup.js";
import type { Answer, HistoryFacts } from "../types.js";

export interface DecisionSummary {
  /** The answers as used (visible questions only). */
  answers: Record<string, Answer>;
  outcome: { id: string; level: number };
  hard_floor: string | null;
  fired: string[];
  steps: string[];
  flags: string[];
  guards: { id: string; status: string; floor: string; hard_stop: boolean }[];
}

export interface CounterExampleSide {
  /** E.g. "referrer = family". */
  label: string;
  /** The one answer this side sets (comparisons only). */
  changed?: { question: string; answer: Answer };
  decision: DecisionSummary;
}

export interface CounterExample {
  now: string;
  /** Why that clock was generated, e.g. "weekend, midday". */
  clock: string;
  history: HistoryFacts;
  /** Answers on the first side that differ from the plain baseline answer set (the compared question aside). */
  differs_from_baseline: Record<string, Answer>;
  /** The plain baseline's answers to those same questions (null: the baseline does not ask it). */
  baseline: Record<string, Answer | null>;
  /** The decisions compared: two for comparisons, one for invariants about a single record. */
  sides: CounterExampleSide[];
}

export interface Violation {
  invariant: { id: string; kind: InvariantKind; description: string; origin: Origin };
  message: string;
  counterexample: CounterExample;
  /** How many samples violated the invariant, and the index of the first. */
  failing_samples: number;
  first_sample: number;
  shrinks: number;
}

export type WarningKind =
  "baseline_skipped" | "rule_never_fired" | "threshold_unused" | "outcome_never_produced" | "step_unused" | "check_unused" | "invariant_not_exercised";

export interface LintWarning {
  kind: WarningKind;
  id: string;
  message: string;
}

export interface InvariantSummary {
  id: string;
  kind: InvariantKind;
  origin: Origin;
  description: string;
  /** Samples (or comparisons) on which the invariant was checked. */
  checked: number;
  failing_samples: number;
  violated: boolean;
}

export interface LintReport {
  rule_set: { id: string; version: string; sha256: string };
  samples: number;
  seed: number;
  evaluations: number;
  /** The baseline built into triage: proved for every rule set, whatever its file says. */
  baseline: InvariantSummary[];
  /** The rule file's own invariants. */
  invariants: InvariantSummary[];
  /** File invariants that take a baseline invariant's name but state less (each fails lint). */
  conflicts: { id: string; message: string }[];
  violations: Violation[];
  warnings: LintWarning[];
}
