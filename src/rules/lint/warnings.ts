/**
 * Warnings: parts of the rule set that nothing uses, rules that never fired, invariants never
 * checked. They do not fail the command.
 */
import { thresholdUses } from "../diff/thresholds.js";
import { HISTORY_WINDOW_THRESHOLD, RECENT_CLOSURE_THRESHOLD } from "../types.js";
import type { LintWarning } from "./report.js";
import type { LintSetup } from "./setup.js";

export function warnings(
  setup: LintSetup,
  merged: { samples: number; evaluations: number; fired: Map<string, number>; levels: Map<number, number>; checked: Map<string, number> },
): LintWarning[] {
  const { rs } = setup;
  const raw = rs.raw;
  const out: LintWarning[] = setup.skipped.map((s) => ({ kind: "baseline_skipped", id: s.id, message: s.message }));
  for (const inv of setup.invariants) {
    if ((merged.checked.get(inv.key) ?? 0) === 0 && merged.samples > 0) {
      const why =
        inv.kind === "never_lower"
          ? ` (question ${inv.question.id} was never asked)`
          : inv.kind === "compare"
            ? ` (${inv.legs.map((l) => l.subject.id).join(", ")}: never asked, or nothing to compare)`
            : inv.kind === "unknown_not_lower" && inv.questions.length === 0
              ? ' (no question to check: none listed or critical that allows "not known")'
              : "";
      out.push({
        kind: "invariant_not_exercised",
        id: inv.raw.id,
        message: `${inv.origin === "baseline" ? "baseline " : ""}invariant ${inv.raw.id} was never checked in ${merged.samples} samples${why}`,
      });
    }
  }
  for (const r of raw.rules) {
    if ((merged.fired.get(r.id) ?? 0) === 0)
      out.push({ kind: "rule_never_fired", id: r.id, message: `rule ${r.id} never fired in ${merged.samples} samples (${merged.evaluations} evaluations)` });
  }
  // The same uses `rules thresholds` lists; the history window is read by the history lookup.
  const uses = thresholdUses(raw);
  for (const name of Object.keys(raw.thresholds))
    if (name !== HISTORY_WINDOW_THRESHOLD && name !== RECENT_CLOSURE_THRESHOLD && (uses.get(name)?.length ?? 0) === 0)
      out.push({ kind: "threshold_unused", id: name, message: `threshold ${name} is not used by any rule, guard, check, question, outcome or step` });
  const produced = new Set<string>([raw.default_outcome]);
  for (const r of raw.rules) {
    if (r.floor) produced.add(r.floor);
    if (r.cap) produced.add(r.cap);
  }
  for (const g of raw.guards) produced.add(g.floor);
  for (const [level] of merged.levels) if (rs.outcomes[level - 1]) produced.add(rs.outcomes[level - 1]!.id);
  for (const o of raw.outcomes)
    if (!produced.has(o.id))
      out.push({ kind: "outcome_never_produced", id: o.id, message: `outcome ${o.id} is not the default and no rule or guard produces it` });
  const asked = new Set(raw.rules.flatMap((r) => r.steps ?? []));
  for (const s of raw.steps) if (!asked.has(s.id)) out.push({ kind: "step_unused", id: s.id, message: `step ${s.id} is not asked for by any rule` });
  const required = new Set(raw.guards.flatMap((g) => g.requires_checks));
  for (const c of raw.checks) if (!required.has(c.id)) out.push({ kind: "check_unused", id: c.id, message: `check ${c.id} is not required by any guard` });
  return out;
}
