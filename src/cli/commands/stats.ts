/**
 * `triage stats [--since DATE]`: the audit measures the log can answer (docs/architecture.md, "Audit measures"). Reads every
 * entry once, replays each referral received in the period, and hands the states to the pure
 * computeStats (src/workflow/stats.ts).
 */
import { TriageError } from "../../errors.js";
import { claimedByOther } from "../../log/os-user.js";
import { identityFromAnswers, normaliseDob, normaliseName } from "../../workflow/match.js";
import type { CompiledRuleSet } from "../../rules/compile.js";
import { formatInZone, fromLocal, parseDate, parseDateTime } from "../../rules/time.js";
import type { Decision, OutcomeRef } from "../../rules/types.js";
import { rescreenStatus, type LaterDecision } from "../../workflow/actions.js";
import type { EntryLike } from "../../workflow/state.js";
import { computeStats, type StatsCase } from "../../workflow/stats.js";
import type { Context } from "../context.js";
import { openStore, replayState, storedRuleSet } from "../record.js";
import { inertDeep } from "../render/inert.js";
import { labelsFor } from "../render/labels.js";
import { renderByRuleSet, renderStats } from "../render/stats.js";
import { byRuleSet, governance, type GovernanceEntry } from "../../workflow/rule-approval.js";
import { makeStyle } from "../render/style.js";
import { loadRules } from "../rules-loader.js";

/** Closure reasons that mean "not substantiated" (the shipped rule set's closure reasons); those needing an evidence statement mean "malicious". */
const UNSUBSTANTIATED = ["not_substantiated_after_checks"];

export async function run(ctx: Context, _args: string[], options: { since?: string }): Promise<void> {
  const rules = await loadRules(ctx);
  const tz = rules.officeHours.time_zone;
  const now = ctx.now(tz);
  const sinceText = options.since;
  let since: Date | undefined;
  if (sinceText !== undefined) {
    const date = parseDate(sinceText);
    since = date ? fromLocal(date, "00:00", tz) : parseDateTime(sinceText, tz);
    if (!since) throw new TriageError(`--since: "${sinceText}" is not a date (YYYY-MM-DD) or date-time`);
  }

  const store = await openStore(ctx, { readonly: true });
  try {
    const decisions: Decision[] = [];
    const entries = new Map<string, EntryLike[]>();
    // Entries naming someone other than the OS account that wrote them (a local file's limit).
    let namedNotOsUser = 0;
    const proposals: GovernanceEntry[] = [];
    const approvals: GovernanceEntry[] = [];
    const decisionSeq = new Map<string, number>();
    for await (const e of store.allEvents()) {
      if (claimedByOther(e) !== undefined) namedNotOsUser++;
      if (e.kind === "rule_set_proposed") proposals.push(e);
      if (e.kind === "rule_set_approved") approvals.push(e);
      if (e.ref === null) continue;
      if (e.kind === "decision") {
        decisions.push({ ...(e.body as Decision), ref: e.ref });
        decisionSeq.set(e.ref, e.seq);
      } else entries.set(e.ref, [...(entries.get(e.ref) ?? []), e]);
    }
    // Later decisions that counted an earlier referral (a re-screen of an out-of-hours one).
    const later = new Map<string, LaterDecision[]>();
    for (const d of decisions) for (const e of d.history.earlier) later.set(e.ref, [...(later.get(e.ref) ?? []), { ref: d.ref!, decided_at: d.decided_at }]);

    const cache = new Map<string, CompiledRuleSet>();
    const outcomes: OutcomeRef[] = [];
    const reasons = new Set<string>(UNSUBSTANTIATED);
    const cases: StatsCase[] = [];
    for (const d of decisions) {
      if (since && Date.parse(d.received_at) < since.getTime()) continue;
      const rs = await storedRuleSet(store, d.rule_set.sha256, cache);
      const state = replayState(rs, d.ref!, d, entries.get(d.ref!) ?? []);
      for (const o of rs.outcomes) if (!outcomes.some((x) => x.id === o.id)) outcomes.push({ id: o.id, level: o.level, label: o.label });
      for (const c of rs.raw.closure_reasons) if (c.requires_evidence_statement) reasons.add(c.id);
      const identity = identityFromAnswers(rs, d.answers);
      const name = normaliseName(identity.name ?? undefined);
      const dob = normaliseDob(identity.dob ?? undefined);
      cases.push({ state, rescreen: rescreenStatus(state, rs, later.get(d.ref!) ?? []), ...(name && dob ? { identityKey: `${name}|${dob}` } : {}) });
    }
    const stats = computeStats({ cases, now, outcomes, unsubstantiatedOrMalicious: reasons });
    // Decisions by the rule set that made them, and how each came to be in force.
    const ruleSets = byRuleSet(
      cases.map((c) => ({ seq: decisionSeq.get(c.state.decision.ref!) ?? 0, rule_set: c.state.decision.rule_set, outcome: c.state.decision.outcome.id })),
      governance(proposals, approvals),
    );
    const meta = { ...(since ? { since: formatInZone(since, tz) } : {}), now: formatInZone(now, tz) };
    if (ctx.json) ctx.out(JSON.stringify({ ...meta, ...stats, named_not_os_user: namedNotOsUser, by_rule_set: ruleSets }, null, 2));
    else {
      const style = makeStyle(ctx.color);
      const note =
        namedNotOsUser === 0
          ? ""
          : `\n\n${style.warn(`${namedNotOsUser} ${namedNotOsUser === 1 ? "entry names" : "entries name"} someone other than the OS user who wrote ${namedNotOsUser === 1 ? "it" : "them"} (--user / TRIAGE_USER): a local log cannot prove who acted; \`triage log show REF\` marks them.`)}`;
      await ctx.page(
        `${renderStats(inertDeep(stats), { since: sinceText, now: meta.now }, style, labelsFor(rules))}\n\n${renderByRuleSet(ruleSets, style)}${note}`,
      );
    }
  } finally {
    await store.close();
  }
}
