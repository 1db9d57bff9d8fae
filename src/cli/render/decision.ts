/** The decision card: what was decided, by when, why, what next, what still holds. */
import type { Decision } from "../../rules/types.js";
import type { Style } from "./style.js";
import { localTime, wrap, WIDTH } from "./text.js";
import { inertDeep } from "./inert.js";

const humanise = (id: string): string => id.replace(/_/g, " ");

export function renderDecision(decision: Decision, style: Style, outcomeCount: number, unrecorded = "(not recorded: dry run)"): string {
  const d = inertDeep(decision); // answers, names, rationale and rule-set text came from people and files
  const out: string[] = [];
  const head = `${d.ref ?? unrecorded}  ·  rules ${d.rule_set.id} ${d.rule_set.version} (${d.rule_set.sha256.slice(0, 12)})`;
  out.push(style.bold(head));
  out.push(`Received ${localTime(d.received_at)}   Decided ${localTime(d.decided_at)}`);

  const warnings = [
    ...d.history.earlier
      .filter((e) => e.closed_as)
      .map(
        (e) =>
          `Earlier referral ${e.ref} (${localTime(e.received_at)}) was closed as ${humanise(e.closed_as!)}${e.closure_passed_guard ? " after the guard's checks" : " WITHOUT the guard's checks: it cannot be relied on"}.`,
      ),
    ...(d.history.possible_matches.some((m) => m.confirmed === undefined)
      ? [
          `${d.history.possible_matches.filter((m) => m.confirmed === undefined).length} possible earlier referral(s) about this child not yet confirmed or rejected.`,
        ]
      : []),
  ];
  for (const w of warnings) out.push(...wrap(`! ${w}`, "", WIDTH).map((l) => style.bad(l)));
  out.push("");

  const level = d.outcome.level;
  const label = style.level(level, ` ${d.outcome.label.toUpperCase()} `);
  out.push(`${style.bold("Outcome")}  ${label}  level ${level} of ${outcomeCount}${d.hard_floor ? `  · hard floor: ${humanise(d.hard_floor)}` : ""}`);
  if (d.outcome.id !== d.computed_outcome.id) out.push(`         computed by the rules: ${d.computed_outcome.label} (level ${d.computed_outcome.level})`);
  if (d.flags.length > 0) out.push(`Flags    ${d.flags.map((f) => style.warn(f)).join(", ")}`);
  out.push("");

  out.push(style.heading("Deadlines"));
  for (const [name, at] of Object.entries(d.deadlines)) out.push(`  ${humanise(name).padEnd(24)} ${localTime(at)}`);
  out.push("");

  out.push(style.heading("Why"));
  if (d.fired.length === 0) out.push("  No rule fired: the rule set's default outcome applies.");
  for (const f of d.fired) {
    const effect =
      f.effect === "floor" ? `at least ${humanise(f.outcome!)}${f.hard ? " (hard)" : ""}` : f.effect === "raise" ? `raise to ${humanise(f.outcome!)}` : "note";
    out.push(`  ${style.bold(f.id)}  ${style.dim(`${effect}${f.applied ? "" : ", already met"}`)}`);
    out.push(...wrap(f.because, "      "));
  }
  for (const g of d.guards.filter((x) => x.status === "holding")) {
    out.push(`  ${style.bold(g.id)}  ${style.dim(`guard holds: at least ${humanise(g.floor)}`)}`);
  }
  out.push("");

  if (d.steps.length > 0) {
    out.push(style.heading("Next steps"));
    for (const s of d.steps) {
      out.push(
        ...wrap(`• ${s.text}${s.due_by ? ` — by ${localTime(s.due_by)}${s.overdue_at_decision ? " (already past when decided)" : ""}` : ""}`, "  ").map(
          (l, i) => (i === 0 ? l : `  ${l}`),
        ),
      );
      out.push(style.dim(`      from ${s.from.join(", ")}`));
    }
    out.push("");
  }

  const guards = d.guards.filter((g) => g.status !== "not_applicable");
  if (guards.length > 0) {
    out.push(style.heading("Guards"));
    for (const g of guards) {
      const status = g.status === "holding" ? style.bad("HOLDING") : style.ok("released");
      out.push(
        `  ${g.id}  ${status}  floor ${humanise(g.floor)}${g.hard_stop ? style.bad("  · hard stop: cannot be closed as unsubstantiated or malicious at the front door") : ""}`,
      );
      if (g.outstanding.length > 0) out.push(...wrap(`outstanding checks: ${g.outstanding.join(", ")}`, "      "));
    }
    out.push("");
  }

  if (d.analysis) out.push(style.heading("Analysis"), ...wrap(d.analysis, "  "), "");
  if (d.unknowns.length > 0) out.push(...wrap(`Not known (to find out): ${d.unknowns.join(", ")}`, ""), "");
  const h = d.history;
  out.push(`History  ${h.referrals_in_window} earlier referral(s) in the window · ${h.distinct_referrers} distinct referrer(s)`);
  for (const e of h.earlier)
    out.push(`  ${e.ref}  ${localTime(e.received_at)}  ${humanise(e.outcome)}${e.closed_as ? `  closed as ${humanise(e.closed_as)}` : ""}`);
  for (const m of h.possible_matches)
    out.push(`  possible match ${m.ref}: ${m.why}${m.confirmed === true ? " (confirmed)" : m.confirmed === false ? " (rejected)" : ""}`);
  for (const w of d.warnings) out.push(style.warn(`warning: ${w}`));
  return out.join("\n");
}
