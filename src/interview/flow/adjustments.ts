/**
 * The outcomes a worker may escalate to or propose a downgrade to, given a decision (part of the
 * pure flow, src/interview/flow.ts).
 */
import type { CompiledRuleSet } from "../../rules/compile.js";
import { outcomeRef } from "../../rules/evaluate.js";
import type { Decision, OutcomeRef } from "../../rules/types.js";
import { lowerOutcomes, lowestAllowedLevel, subjectOfDecision } from "../../workflow/floors.js";

// ---------------------------------------------------------------------------------------------
// After the decision: escalation and downgrade bounds (docs/architecture.md, "Safety principles")

export interface Adjustments {
  /** Outcomes the worker may escalate to (any higher one). */
  higher: OutcomeRef[];
  /** Outcomes the worker may propose a downgrade to (pending a manager's agreement). */
  lower: OutcomeRef[];
  /** Why nothing lower can be proposed below `lower`'s minimum: the hard floor and holding guards. */
  floors: string[];
  lowestLevel: number;
}

export function adjustments(rs: CompiledRuleSet, decision: Decision): Adjustments {
  const current = decision.outcome.level;
  // How low it may go is decided in src/workflow/floors.ts alone: the same answer the shell and `override` get.
  const lower = lowerOutcomes(rs, subjectOfDecision(decision), current);
  const lowest = lowestAllowedLevel(lower, current);
  const firstHeld = lower.find((l) => l.holds.length > 0);
  // In the rule set's words (titles), for a worker: ids stay in the record.
  const rule = (id: string) => rs.rules.get(id)?.raw.title ?? id;
  const guard = (id: string) => rs.guards.find((g) => g.raw.id === id)?.raw.title ?? id;
  const floors = (firstHeld?.holds ?? []).map((h) =>
    h.kind === "hard_floor"
      ? `hard floor ${outcomeRef(rs, h.level).label}${h.rules.length > 0 ? ` (${h.rules.map(rule).join("; ")})` : ""}`
      : `"${guard(h.guard)}" holds at ${outcomeRef(rs, h.level).label}${h.outstanding.length > 0 ? ` until ${h.outstanding.length} check${h.outstanding.length === 1 ? " is" : "s are"} recorded (triage checks)` : ""}`,
  );
  const all = rs.outcomes.map((o) => outcomeRef(rs, o.level));
  return {
    higher: all.filter((o) => o.level > current),
    lower: all.filter((o) => o.level < current && o.level >= lowest).reverse(),
    floors,
    lowestLevel: lowest,
  };
}

/** Why a downgrade to `target` is refused, or undefined when it may be proposed. */
export function downgradeRefusal(rs: CompiledRuleSet, decision: Decision, target: string): string | undefined {
  const level = rs.outcomeLevel.get(target);
  if (level === undefined) return `"${target}" is not an outcome of ${rs.id}`;
  if (level >= decision.outcome.level) return `${outcomeRef(rs, level).label} is not lower than ${decision.outcome.label}`;
  const a = adjustments(rs, decision);
  if (level < a.lowestLevel) return `a downgrade below ${outcomeRef(rs, a.lowestLevel).label} is not allowed: ${a.floors.join("; ")}`;
  return undefined;
}
