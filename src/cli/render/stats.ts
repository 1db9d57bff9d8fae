/** `triage stats` in the terminal: tables, and small bar charts for the two distributions. */
import type { Stats } from "../../workflow/stats.js";
import type { RuleSetTally } from "../../workflow/rule-approval.js";
import { inertLine } from "./inert.js";
import { labelsFor, type Labels } from "./labels.js";
import type { Style } from "./style.js";
import { bar, localTime, table, wrap } from "./text.js";

/** Long lists are cut in the terminal; --json has everything. */
const MAX_ROWS = 30;
const pct = (x: number | null): string => (x === null ? "—" : `${Math.round(x * 100)}%`);
const indent = (text: string): string => text.replace(/^/gm, "  ");

export function duration(minutes: number | null): string {
  if (minutes === null) return "—";
  const m = Math.round(minutes);
  const sign = m < 0 ? "-" : "";
  const abs = Math.abs(m);
  const d = Math.floor(abs / 1440);
  const h = Math.floor((abs % 1440) / 60);
  const mm = abs % 60;
  return sign + (d > 0 ? `${d}d ${h}h ${String(mm).padStart(2, "0")}m` : h > 0 ? `${h}h ${String(mm).padStart(2, "0")}m` : `${mm}m`);
}

/** Labels come from the rule set in use: the outcome, referrer, closure and step names a worker reads. */
export function renderStats(s: Stats, meta: { since?: string | undefined; now: string }, style: Style, labels: Labels = labelsFor(undefined)): string {
  const out: string[] = [];
  out.push(style.bold(`Audit measures — ${s.decisions} decision(s)${meta.since ? ` received since ${meta.since}` : ""}, as at ${localTime(meta.now)}`), "");

  out.push(style.heading("Decisions by outcome"));
  const maxOutcome = Math.max(0, ...s.by_outcome.map((o) => o.now));
  out.push(
    indent(
      table(
        ["OUTCOME", "COMPUTED", "NOW", ""],
        s.by_outcome.map((o) => [o.label, String(o.computed), String(o.now), bar(o.now, maxOutcome, 24)]),
        style,
      ),
    ),
    "",
  );

  out.push(style.heading("Decisions by referrer"));
  const maxReferrer = Math.max(0, ...s.by_referrer.map((r) => r.count));
  out.push(
    s.by_referrer.length === 0
      ? "  none"
      : indent(
          table(
            ["REFERRER", "COUNT", ""],
            s.by_referrer.map((r) => [labels.option("referrer_type", r.referrer_type), String(r.count), bar(r.count, maxReferrer, 24)]),
            style,
          ),
        ),
    "",
  );

  out.push(style.heading("Family, ex-partner and anonymous referrals"));
  out.push(
    indent(
      table(
        ["GROUP", "REFERRALS", "AT ADVICE/NFA", "CLOSED UNSUBST./MALICIOUS", "GUARD CHECKS DONE / NOT / NO GUARD"],
        s.referrer_groups.map((g) => [
          g.group.replace(/_/g, "-"),
          String(g.referrals),
          `${g.at_advice_or_nfa} (${pct(g.share_at_advice_or_nfa)})`,
          `${g.closed_unsubstantiated_or_malicious} (${pct(g.share_closed_unsubstantiated_or_malicious)})`,
          `${g.guard_checks.done} / ${g.guard_checks.not_done} / ${g.guard_checks.no_guard}`,
        ]),
        style,
      ),
    ),
    "",
  );

  out.push(style.heading("Overrides"));
  const o = s.overrides;
  out.push(
    `  up ${o.up} · down: ${o.down.effective} effective, ${o.down.pending} pending, ${o.down.challenged} challenged, ${o.down.superseded} superseded · escalations by review ${o.escalations_by_review}`,
  );
  out.push(...wrap(`downgrades agreed by: ${o.agreed_by.map((a) => `${a.name} (${a.count})`).join(", ") || "no one yet"}`, "  "), "");

  out.push(style.heading("Closures"));
  if (s.closures.length === 0) out.push("  none");
  else
    out.push(
      indent(
        table(
          ["REASON", "EFFECTIVE", "PENDING", "CHALLENGED", "SENIOR SIGN-OFF", "GUARD RECORDED", "APPROVED BY"],
          s.closures.map((c) => [
            labels.closure(c.reason),
            String(c.effective),
            String(c.pending),
            String(c.challenged),
            String(c.senior_sign_off),
            String(c.guard_recorded),
            c.approved_by.map((a) => a.name).join(", ") || "—",
          ]),
          style,
        ),
      ),
    );
  out.push("");

  out.push(style.heading(`Overdue: ${s.overdue.referrals} referral(s)`));
  if (s.overdue.items.length > 0)
    out.push(
      indent(
        table(
          ["REFERENCE", "STEP OR CHECK", "WAS DUE"],
          s.overdue.items.slice(0, MAX_ROWS).map((i) => [i.ref, labels.item(i.id), localTime(i.due_by)]),
          style,
        ),
      ),
    );
  if (s.overdue.items.length > MAX_ROWS)
    out.push(style.dim(`  … and ${s.overdue.items.length - MAX_ROWS} more (--json lists them all; triage log list --overdue)`));
  out.push("");

  const r = s.repeat_referrals;
  out.push(style.heading("Repeat referrals"));
  out.push(`  ${r.with_repeat_referrals} of ${r.children} child(ren) (${pct(r.share)}) have repeat referrals`);
  for (const g of r.groups.slice(0, MAX_ROWS)) out.push(...wrap(g.refs.join(", "), "    "));
  if (r.groups.length > MAX_ROWS) out.push(style.dim(`    … and ${r.groups.length - MAX_ROWS} more (--json lists them all)`));
  out.push("");

  out.push(style.heading("Out of hours"));
  out.push(
    `  ${s.out_of_hours.provisional} provisional decision(s), ${s.out_of_hours.not_rescreened} not yet re-screened by the day team${s.out_of_hours.refs_not_rescreened.length > 0 ? `: ${s.out_of_hours.refs_not_rescreened.join(", ")}` : ""}`,
    "",
  );

  const t = s.receipt_to_decision_minutes;
  out.push(style.heading("Receipt to decision"));
  out.push(
    `  median ${duration(t.median)} · 90th percentile ${duration(t.p90)} · ${t.count} decision(s) · ${t.decided_after_deadline} decided after their decide-by deadline`,
  );
  return out.join("\n");
}

/** `triage stats`: decisions by the rule set that made them (issue 12). */
export function renderByRuleSet(tallies: readonly RuleSetTally[], s: Style): string {
  const lines = [s.heading("Decisions by rule set")];
  if (tallies.length === 0) lines.push("  none in the period");
  for (const t of tallies) {
    const outcomes = Object.entries(t.outcomes)
      .map(([id, n]) => `${id} ${n}`)
      .join(", ");
    lines.push(`  ${inertLine(`${t.id} ${t.version}`)} ${s.dim(`sha256 ${t.sha256.slice(0, 12)}`)}: ${t.decisions} decision(s) — ${inertLine(outcomes)}`);
    lines.push(s.dim(`    ${inertLine(t.approval)}`));
  }
  return lines.join("\n");
}
