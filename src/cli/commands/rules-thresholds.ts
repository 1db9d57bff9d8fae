/**
 * `triage rules thresholds [FILE] [--json]`: the tunable numbers of a rule set — name, value, unit,
 * allowed range, rationale — and what refers to each (rules, guards, checks, questions, outcomes,
 * steps, invariants, and the history window the shell reads).
 */
import { thresholdUses, type ThresholdUse } from "../../rules/diff.js";
import { WINDOW_THRESHOLD } from "../../workflow/history.js";
import { RECENT_CLOSURE_THRESHOLD } from "../../rules/types.js";
import type { Context } from "../context.js";
import { usesText } from "../render/diff.js";
import { makeStyle } from "../render/style.js";
import { table, wrap } from "../render/text.js";
import { loadValidRuleSet } from "../rules-loader.js";
import { inert, inertDeep } from "../render/inert.js";

export interface ThresholdRow {
  name: string;
  value: number;
  unit: string;
  allowed: { min: number; max: number };
  rationale: string;
  used_by: ThresholdUse[];
}

export async function run(ctx: Context, args: string[]): Promise<void> {
  const file = args[0] ?? ctx.rulesPath;
  const valid = await loadValidRuleSet(ctx, file);
  const uses = thresholdUses(valid.raw);
  const rows: ThresholdRow[] = inertDeep(
    Object.entries(valid.raw.thresholds).map(([name, t]) => {
      const used_by = [...(uses.get(name) ?? [])];
      if (name === WINDOW_THRESHOLD) used_by.push({ kind: "history", id: "window", where: "earlier referrals about the child are counted within it" });
      if (name === RECENT_CLOSURE_THRESHOLD)
        used_by.push({ kind: "history", id: "recent_nfa_closures", where: "earlier advice/NFA or closed referrals within it are re-examined" });
      return { name, value: t.value, unit: t.unit, allowed: { min: t.allowed.min, max: t.allowed.max }, rationale: t.rationale.trim(), used_by };
    }),
  );
  if (ctx.json) {
    ctx.out(JSON.stringify(rows, null, 2));
    return;
  }
  const s = makeStyle(ctx.color);
  const out: string[] = [s.heading(`Thresholds of ${valid.raw.id} ${valid.raw.version}`) + s.dim(` (${inert(file)}, sha256 ${valid.sha256.slice(0, 12)})`), ""];
  const cells = rows.map((r) => [
    r.name,
    String(r.value),
    r.unit,
    r.allowed.min === r.allowed.max ? `${r.allowed.min} (fixed)` : `${r.allowed.min}–${r.allowed.max}`,
    r.used_by.length === 0 ? s.warn("— nothing") : usesText(r.used_by),
  ]);
  const lines = table(["name", "value", "unit", "allowed", "used by"], cells, s).split("\n");
  out.push(lines[0]!);
  rows.forEach((r, i) => {
    out.push(lines[i + 1]!);
    out.push(...wrap(r.rationale, "    ").map((l) => s.dim(l)));
  });
  const unused = rows.filter((r) => r.used_by.length === 0);
  if (unused.length > 0) {
    out.push("");
    for (const r of unused) out.push(s.warn(`${r.name}: nothing in the rule set refers to it, so changing it changes no decision.`));
    if (!rows.some((r) => r.name === WINDOW_THRESHOLD))
      out.push(s.dim(`(The history window is read from a threshold named ${WINDOW_THRESHOLD}; without one it is 365 days.)`));
  }
  ctx.out(out.join("\n"));
}
