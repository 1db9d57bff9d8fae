/**
 * `triage log list`: decisions newest first. SQL narrows by the index (dates, worker, child, and a
 * superset for outcome/review/pending); the derived state of each candidate decides the rest.
 */
import { TriageError } from "../../errors.js";
import type { DecisionRow, ListFilters } from "../../log/types.js";
import type { CompiledRuleSet } from "../../rules/compile.js";
import { fromLocal, parseDate, parseDateTime } from "../../rules/time.js";
import { overdue } from "../../workflow/state.js";
import type { Context } from "../context.js";
import { loadReferral, openStore } from "../record.js";
import { inertLine } from "../render/inert.js";
import { labelsFor } from "../render/labels.js";
import { stateSummary } from "../render/referral.js";
import { makeStyle } from "../render/style.js";
import { localTime, table } from "../render/text.js";
import { loadRules } from "../rules-loader.js";

function instant(flag: string, text: string, tz: string): string {
  const date = parseDate(text);
  const t = date ? fromLocal(date, "00:00", tz) : parseDateTime(text, tz);
  if (!t) throw new TriageError(`${flag}: "${text}" is not a date (YYYY-MM-DD) or date-time`);
  return t.toISOString();
}

export async function run(ctx: Context, _args: string[], options: Record<string, unknown>): Promise<void> {
  const rules = await loadRules(ctx);
  const tz = rules.officeHours.time_zone;
  const limit = Number(options.limit ?? 50);
  if (!Number.isInteger(limit) || limit < 1) throw new TriageError(`--limit: expected a whole number of at least 1, got ${String(options.limit)}`);
  const str = (k: string) => (typeof options[k] === "string" ? options[k] : undefined);
  const ruleVersion = str("rules");
  const derived =
    ruleVersion !== undefined ||
    str("outcome") !== undefined ||
    options.unreviewed === true ||
    options.overdue === true ||
    options.guarded === true ||
    options.pending === true;
  // SQL narrows by what the index knows as recorded (dates, worker, child). The outcome now, reviews,
  // overdue steps, guards and pending approvals are derived state: read from each candidate's replay.
  const filters: ListFilters = {
    since: str("since") && instant("--since", str("since")!, tz),
    until: str("until") && instant("--until", str("until")!, tz),
    worker: str("worker"),
    child: str("child"),
    limit,
  };
  const store = await openStore(ctx, { readonly: true });
  try {
    const now = ctx.now(tz);
    const cache = new Map<string, CompiledRuleSet>();
    const picked: { row: DecisionRow; outcome: string; label: string; state: string[]; words: string[] }[] = [];
    const seen = new Set<string>();
    let page = derived ? Math.max(200, limit * 4) : limit;
    // Keyset paging, newest first: each page ends at the oldest received time seen so far (inclusive,
    // so referrals received at the same instant are never skipped; the ones already seen are ignored).
    let until = filters.until;
    for (;;) {
      const rows = await store.listDecisions({ ...filters, until, limit: page });
      let fresh = 0;
      for (const row of rows) {
        if (seen.has(row.ref)) continue;
        seen.add(row.ref);
        fresh++;
        const { state, rs } = await loadReferral(store, row.ref, cache);
        const keep =
          (str("outcome") === undefined || state.outcome.id === str("outcome")) &&
          (ruleVersion === undefined || state.decision.rule_set.version === ruleVersion) &&
          (options.unreviewed !== true || !state.reviewed) &&
          (options.pending !== true || state.pending) &&
          (options.guarded !== true || state.guards.some((g) => g.status === "holding")) &&
          (options.overdue !== true || overdue(state, now).length > 0);
        if (keep)
          picked.push({
            row,
            outcome: state.outcome.id,
            label: state.outcome.label,
            state: stateSummary(state, now),
            words: ctx.json ? [] : stateSummary(state, now, labelsFor(rs)),
          });
        if (picked.length >= limit) break;
      }
      if (picked.length >= limit || rows.length < page) break;
      if (fresh === 0) {
        page *= 2; // a whole page received at one instant: widen it
        continue;
      }
      const oldest = rows[rows.length - 1]!;
      until = new Date(Date.parse(oldest.received_at) + 1).toISOString();
    }
    if (ctx.json) {
      ctx.out(
        JSON.stringify(
          picked.map((p) => ({ ...p.row, outcome: p.outcome, decided_outcome: p.row.outcome, state: p.state })),
          null,
          2,
        ),
      );
      return;
    }
    if (picked.length === 0) return ctx.out("No decisions match.");
    const style = makeStyle(ctx.color);
    await ctx.page(
      table(
        ["REFERENCE", "RECEIVED", "CHILD", "OUTCOME", "RESPOND BY", "STATE"],
        picked.map((p) =>
          [p.row.ref, localTime(p.row.received_at), p.row.child_name ?? "—", p.label, localTime(p.row.respond_by ?? undefined), p.words.join(", ")].map(
            inertLine,
          ),
        ),
        style,
      ),
    );
  } finally {
    await store.close();
  }
}
