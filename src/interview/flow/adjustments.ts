/**
 * The outcomes a worker may escalate to or propose a downgrade to, given a decision (part of the
 * pure flow, src/interview/flow.ts).
 */
import type { CompiledRuleSet } from "../../rules/compile.js";
import { outcomeRef } from "../../rules/evaluate.js";
import type { Decision, OutcomeRef } from "../../rules/types.js";
import { downgradeFloors, lowestAllowedLevel } from "../../workflow/floors.js";

// ---------------------------------------------------------------------------------------------
// After the decision: escalation and downgrade bounds (DESIGN principle 2)

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
  const bounds = downgradeFloors(rs, decision);
  const floors = bounds.map((f) =>
    f.kind === "hard_floor"
      ? `hard floor ${outcomeRef(rs, f.level).label}${f.rules.length > 0 ? ` (${f.rules.join(", ")})` : ""}`
      : `guard ${f.guard} holds at ${outcomeRef(rs, f.level).label}${f.outstanding.length > 0 ? ` until ${f.outstanding.join(", ")}` : ""}`,
  );
  const lowest = lowestAllowedLevel(bounds);
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
