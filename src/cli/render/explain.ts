/** Text form of an explanation: each rule, then each condition leaf with actual answer, operator and threshold. */
import type { ConditionTrace } from "../../rules/conditions.js";
import type { Explanation } from "../../rules/explain.js";
import type { Style } from "./style.js";

const mark = (t: ConditionTrace, style: Style): string => (t.result === "not_evaluated" ? style.dim("·") : t.result ? style.ok("✓") : style.bad("✗"));

function show(value: unknown): string {
  if (value === null || value === undefined) return "(not answered)";
  if (Array.isArray(value)) return `[${value.join(", ")}]`;
  // Numbers and booleans print the same through JSON; strings as they are.
  return typeof value === "string" ? value : (JSON.stringify(value) ?? "");
}

function expected(t: ConditionTrace): string {
  const thresholds = (t.thresholds ?? []).map((th) => `${th.name} = ${th.value}`);
  const base = show(t.expected).replace(/\{"threshold":"([^"]+)"\}/g, "$1");
  return thresholds.length > 0 ? `${base} (${thresholds.join(", ")})` : base;
}

export function renderTrace(t: ConditionTrace, style: Style, indent: string, out: string[]): void {
  if (t.kind === "leaf") {
    const actual = t.result === "not_evaluated" ? "not evaluated" : `${show(t.actual)}${t.actual_unknown ? " (answered not known)" : ""}`;
    out.push(`${indent}${mark(t, style)} ${t.subject} ${t.op} ${expected(t)}  ${style.dim(`— ${actual}`)}`);
    return;
  }
  out.push(`${indent}${mark(t, style)} ${t.kind}${t.kind === "not" ? "" : ":"}`);
  for (const item of t.items ?? []) renderTrace(item, style, `${indent}  `, out);
}

export function renderExplanation(e: Explanation, style: Style): string {
  const out: string[] = [style.heading("Rules")];
  const ordered = [...e.rules.filter((r) => r.fired), ...e.rules.filter((r) => !r.fired)];
  for (const r of ordered) {
    out.push(
      `${r.fired ? style.ok("FIRED  ") : style.dim("not    ")} ${style.bold(r.id)}  ${r.title}  ${style.dim(`[${r.effect}${r.tested_at ? `; tested at ${r.tested_at}` : ""}]`)}`,
    );
    renderTrace(r.condition, style, "          ", out);
  }
  out.push("", style.heading("Guards"));
  for (const g of e.guards) {
    out.push(`${style.bold(g.id)}  ${g.status}`);
    renderTrace(g.condition, style, "    ", out);
    for (const c of g.checks) {
      out.push(`    check ${c.id}: ${!c.required ? "not required" : c.satisfied ? style.ok("satisfied") : style.bad("outstanding")}`);
      if (c.by_answers && c.required) renderTrace(c.by_answers, style, "        ", out);
    }
  }
  return out.join("\n");
}
