/**
 * `triage log list`: decisions newest first. SQL narrows by the index (dates, worker, child, and a
 * superset for outcome/review/pending); the derived state of each candidate decides the rest.
 * `--child` finds a child as the history lookup does (src/workflow/match.ts): a misspelt name, a
 * date of birth, a postcode or a case reference; `--outcome` takes an id or a label.
 */
import { ExitCode, TriageError } from "../../errors.js";
import type { LogReads } from "../../log/store.js";
import type { DecisionRow, ListFilters } from "../../log/types.js";
import type { CompiledRuleSet } from "../../rules/compile.js";
import { fromLocal, parseDate, parseDateTime } from "../../rules/time.js";
import { nameResemblance, normaliseIdentity, type Identity } from "../../workflow/match.js";
import { findOutcome } from "../../workflow/outcome-name.js";
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

// A UK postcode: outward code (A9, A99, AA9, AA99, A9A, AA9A), then the inward code (9AA).
const POSTCODE = /^[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}$/i;

/**
 * Referrals about the child `text` names, found as the history lookup finds them: by date of birth,
 * postcode, case reference, or a name that is the same, close, or sounds alike. The SQL listing adds
 * plain substring and reference matches (part of a name such as "Skye").
 */
async function matchChild(store: LogReads, text: string): Promise<{ refs: string[]; byText: boolean }> {
  const t = text.trim();
  const identity: Identity = parseDate(t) ? { dob: t } : POSTCODE.test(t) ? { postcode: t } : { name: t, ref: t };
  const q = normaliseIdentity(identity);
  const refs = (await store.findCandidates(identity, { limit: 2000 }))
    .filter((c) => {
      const n = normaliseIdentity(c.identity);
      return (
        (q.dob !== "" && n.dob === q.dob) ||
        (q.postcode !== "" && n.postcode === q.postcode) ||
        (q.ref !== "" && n.ref === q.ref) ||
        nameResemblance(q.name, n.name) !== undefined
      );
    })
    .map((c) => c.ref);
  return { refs, byText: identity.name !== undefined };
}

/** With filters on derived state, how many more candidates are read to count the matches beyond the page. */
const COUNT_SCAN_LIMIT = 5000;

/** `triage log list [--since D] [--until D] [--outcome ID] …`, as src/cli/program.ts declares it. */
export interface ListOptions {
  since?: string;
  until?: string;
  outcome?: string;
  worker?: string;
  child?: string;
  unreviewed?: boolean;
  overdue?: boolean;
  guarded?: boolean;
  pending?: boolean;
  /** This command's --rules VERSION (program.ts tells it from the global --rules FILE). */
  rules?: string | undefined;
  limit?: string;
}

export async function run(ctx: Context, _args: string[], options: ListOptions): Promise<void> {
  const rules = await loadRules(ctx);
  const tz = rules.officeHours.time_zone;
  const limit = Number(options.limit ?? 50);
  if (!Number.isInteger(limit) || limit < 1) throw new TriageError(`--limit: expected a whole number of at least 1, got ${String(options.limit)}`);
  const ruleVersion = options.rules;
  let outcome: string | undefined;
  if (options.outcome !== undefined) {
    const found = findOutcome(rules, options.outcome);
    if (!found.ok)
      throw new TriageError(
        `--outcome: no outcome "${options.outcome}" in rule set ${rules.id} ${rules.version}${found.suggestions.length > 0 ? `; did you mean ${found.suggestions.join(" or ")}?` : ""}`,
        ExitCode.Usage,
        `outcomes: ${found.all.join(", ")}`,
      );
    outcome = found.id;
  }
  const derived =
    ruleVersion !== undefined ||
    outcome !== undefined ||
    options.unreviewed === true ||
    options.overdue === true ||
    options.guarded === true ||
    options.pending === true;
  // SQL narrows by what the index knows as recorded (dates, worker, child). The outcome now, reviews,
  // overdue steps, guards and pending approvals are derived state: read from each candidate's replay.
  const filters: ListFilters = {
    since: options.since && instant("--since", options.since, tz),
    until: options.until && instant("--until", options.until, tz),
    worker: options.worker,
    limit,
  };
  const store = await openStore(ctx, { readonly: true });
  try {
    if (options.child !== undefined) {
      const { refs, byText } = await matchChild(store, options.child);
      if (byText) filters.child = options.child;
      filters.childRefs = refs;
    }
    const now = ctx.now(tz);
    const cache = new Map<string, CompiledRuleSet>();
    const picked: { row: DecisionRow; outcome: string; label: string; worker: string; state: string[]; words: string[] }[] = [];
    // With derived filters the total is counted by reading on past the page, up to COUNT_SCAN_LIMIT more.
    let matched = 0;
    let scannedPast = 0;
    let exhausted = false;
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
          (outcome === undefined || state.outcome.id === outcome) &&
          (ruleVersion === undefined || state.decision.rule_set.version === ruleVersion) &&
          (options.unreviewed !== true || !state.reviewed) &&
          (options.pending !== true || state.pending) &&
          (options.guarded !== true || state.guards.some((g) => g.status === "holding")) &&
          (options.overdue !== true || overdue(state, now).length > 0);
        if (picked.length >= limit) scannedPast++;
        if (keep) {
          matched++;
          if (picked.length < limit)
            picked.push({
              row,
              outcome: state.outcome.id,
              label: state.outcome.label,
              worker: state.decision.decided_by ?? row.worker,
              state: stateSummary(state, now),
              words: ctx.json ? [] : stateSummary(state, now, labelsFor(rs)),
            });
        }
        if (!derived && picked.length >= limit) break;
        if (scannedPast >= COUNT_SCAN_LIMIT) break;
      }
      if (rows.length < page) exhausted = true;
      if (exhausted || (!derived && picked.length >= limit) || scannedPast >= COUNT_SCAN_LIMIT) break;
      if (fresh === 0) {
        page *= 2; // a whole page received at one instant: widen it
        continue;
      }
      const oldest = rows[rows.length - 1]!;
      until = new Date(Date.parse(oldest.received_at) + 1).toISOString();
    }
    // "showing 50 of 312": the index counts plain filters; derived ones were counted while reading.
    const total = !derived ? (picked.length < limit ? picked.length : await store.countDecisions(filters)) : matched;
    const atLeast = derived && !exhausted && scannedPast >= COUNT_SCAN_LIMIT;
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
        ["REFERENCE", "RECEIVED", "CHILD", "OUTCOME", "WORKER", "RESPOND BY", "STATE"],
        picked.map((p) =>
          [
            p.row.ref,
            localTime(p.row.received_at),
            p.row.child_name ?? "—",
            p.label,
            p.worker,
            localTime(p.row.respond_by ?? undefined),
            p.words.join(", "),
          ].map(inertLine),
        ),
        style,
      ),
    );
    if (total > picked.length || atLeast) ctx.out(style.dim(`showing ${picked.length} of ${atLeast ? "more than " : ""}${total} (use --limit)`));
  } finally {
    await store.close();
  }
}
