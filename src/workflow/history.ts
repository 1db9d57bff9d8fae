/**
 * History facts for the rules (docs/architecture.md, principle 4): earlier referrals about the same child, counted
 * within the rule set's window. Pure: the shell finds the earlier referrals in the log.
 */
import type { CompiledRuleSet } from "../rules/compile.js";
import {
  HISTORY_WINDOW_THRESHOLD,
  RECENT_CLOSURE_THRESHOLD,
  type EarlierReferral,
  type HistoryFacts,
  type HistoryUsed,
  type PossibleMatch,
} from "../rules/types.js";

/** An earlier referral as the log knows it now (closures included). */
export interface EarlierCase extends EarlierReferral {
  level: number;
  referrer_type?: string;
}

export function historyWindowDays(rs: CompiledRuleSet): number {
  return rs.raw.thresholds[HISTORY_WINDOW_THRESHOLD]?.value ?? 365;
}

export function recentClosureDays(rs: CompiledRuleSet): number {
  return rs.raw.thresholds[RECENT_CLOSURE_THRESHOLD]?.value ?? 30;
}

/** Closure reasons a guard governs: "malicious" ones demand an evidence statement, the rest are "not substantiated". */
export function governedClosures(rs: CompiledRuleSet): { malicious: Set<string>; unsubstantiated: Set<string> } {
  const governed = new Set(rs.guards.flatMap((g) => g.raw.governs_closures));
  const malicious = new Set(rs.raw.closure_reasons.filter((c) => governed.has(c.id) && c.requires_evidence_statement).map((c) => c.id));
  return { malicious, unsubstantiated: new Set([...governed].filter((id) => !malicious.has(id))) };
}

/**
 * Newest first, by the instant received. Not `localeCompare`: its first call loads the locale's
 * collation tables (10–20 ms of a recording's start-up), and these are timestamps, not words.
 * Equal instants fall back to the text, so the order never depends on the input's order.
 */
function newestFirst(a: EarlierCase, b: EarlierCase): number {
  return Date.parse(b.received_at) - Date.parse(a.received_at) || (a.received_at < b.received_at ? 1 : a.received_at > b.received_at ? -1 : 0);
}

export function historyFacts(
  rs: CompiledRuleSet,
  receivedAt: string,
  currentReferrer: string | undefined,
  earlier: readonly EarlierCase[],
  possibleMatches: readonly PossibleMatch[] = [],
): HistoryUsed {
  const from = Date.parse(receivedAt) - historyWindowDays(rs) * 86_400_000;
  const until = Date.parse(receivedAt);
  const inWindow = earlier.filter((e) => Date.parse(e.received_at) >= from && Date.parse(e.received_at) <= until);
  const referrers = new Set(inWindow.map((e) => e.referrer_type).filter((r): r is string => r !== undefined && r !== "unknown"));
  if (currentReferrer && currentReferrer !== "unknown" && inWindow.length > 0) referrers.add(currentReferrer);
  const { malicious, unsubstantiated } = governedClosures(rs);
  const closed = earlier.filter((e) => e.closed_as !== undefined);
  const facts: HistoryFacts = {
    referrals_in_window: inWindow.length,
    distinct_referrers: referrers.size,
    earlier_unsubstantiated_closures: closed.filter((e) => unsubstantiated.has(e.closed_as!)).length,
    earlier_malicious_closures: closed.filter((e) => malicious.has(e.closed_as!)).length,
    earlier_closures_without_checks: closed.filter((e) => (malicious.has(e.closed_as!) || unsubstantiated.has(e.closed_as!)) && e.closure_passed_guard !== true)
      .length,
    highest_earlier_level: earlier.reduce((max, e) => Math.max(max, e.level), 0),
    earlier_injuries: inWindow.filter((e) => e.injury === true).length,
    // Closures as malicious or not substantiated are E2's (re-examined there); these are the rest.
    recent_nfa_closures: earlier.filter(
      (e) =>
        (e.closed_as !== undefined ? !malicious.has(e.closed_as) && !unsubstantiated.has(e.closed_as) : e.level === 1) &&
        Date.parse(e.received_at) >= until - recentClosureDays(rs) * 86_400_000 &&
        Date.parse(e.received_at) <= until,
    ).length,
  };
  return {
    referrals_in_window: facts.referrals_in_window,
    distinct_referrers: facts.distinct_referrers,
    earlier: [...earlier].sort(newestFirst).map(({ level: _l, referrer_type: _r, injury: _i, ...e }) => e),
    possible_matches: [...possibleMatches],
    facts,
  };
}
export { HISTORY_WINDOW_THRESHOLD as WINDOW_THRESHOLD } from "../rules/types.js";
