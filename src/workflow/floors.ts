/**
 * How low a referral's outcome may go (DESIGN principle 2): never below the hard floor, never below
 * a holding guard's floor. One pure rule, used by the interview's choices and by the commands that
 * refuse downgrades and closures.
 */
import type { CompiledRuleSet } from "../rules/compile.js";
import type { Decision } from "../rules/types.js";

export type DowngradeFloor =
  | { kind: "hard_floor"; level: number; outcome: string; rules: string[] }
  | { kind: "guard"; level: number; outcome: string; guard: string; outstanding: string[] };

/** The floors that bound a downgrade, highest first. */
export function downgradeFloors(rs: CompiledRuleSet, decision: Pick<Decision, "hard_floor" | "guards" | "fired">): DowngradeFloor[] {
  const floors: DowngradeFloor[] = [];
  if (decision.hard_floor) {
    const level = rs.outcomeLevel.get(decision.hard_floor)!;
    // A hard floor, or a hard raise that applied and reached this level.
    const rules = decision.fired
      .filter((f) => f.hard && f.applied !== false && f.outcome !== undefined && rs.outcomeLevel.get(f.outcome) === level)
      .map((f) => f.id);
    floors.push({ kind: "hard_floor", level, outcome: decision.hard_floor, rules });
  }
  for (const g of decision.guards) {
    if (g.status === "holding") floors.push({ kind: "guard", level: rs.outcomeLevel.get(g.floor)!, outcome: g.floor, guard: g.id, outstanding: g.outstanding });
  }
  return floors.sort((a, b) => b.level - a.level);
}

/** The lowest level a downgrade may reach (1 when nothing bounds it). */
export function lowestAllowedLevel(floors: readonly DowngradeFloor[]): number {
  return floors.reduce((lowest, f) => Math.max(lowest, f.level), 1);
}
