/**
 * What the after-decision commands (checks, override, close, review) share in the shell: turning a
 * core refusal into the error main() prints, and finding later decisions that counted this referral.
 */
import { ExitCode, RefusedError, TriageError } from "../errors.js";
import type { LogReads } from "../log/store.js";
import type { CompiledRuleSet } from "../rules/compile.js";
import type { LaterDecision, Refusal } from "../workflow/actions.js";
import type { ReferralState } from "../workflow/state.js";
import { formatInZone } from "../rules/time.js";
import { beforeReceived } from "../workflow/timing.js";
import { identityFromAnswers } from "../workflow/match.js";

/** A refusal from the core as the error main() prints: refused → exit 5, invalid → exit 2. */
export function refusalError(r: Refusal): TriageError {
  return r.kind === "refused" ? new RefusedError(r.message, r.hint) : new TriageError(r.message, ExitCode.Usage, r.hint);
}

/**
 * When an event about this referral happens: the clock (--now or the real time) in the rule set's
 * zone, refused (exit 2) if it is before the referral was received.
 */
export function eventTime(state: ReferralState, now: Date, timeZone: string, what: string): string {
  const text = formatInZone(now, timeZone);
  const refusal = beforeReceived(what, now, text, state.decision.received_at);
  if (refusal) throw new TriageError(refusal, ExitCode.Usage);
  return text;
}

/** Later decisions about the same child whose history counts this referral (a day-team re-screen, for instance). */
export async function laterDecisionsAbout(store: LogReads, rs: CompiledRuleSet, state: ReferralState): Promise<LaterDecision[]> {
  const identity = identityFromAnswers(rs, state.decision.answers);
  if (Object.keys(identity).length === 0) return [];
  const later: LaterDecision[] = [];
  for (const c of await store.findCandidates(identity, { excludeRef: state.ref })) {
    const d = await store.getDecision(c.ref);
    if (d && d.history.earlier.some((e) => e.ref === state.ref)) later.push({ ref: c.ref, decided_at: d.decided_at });
  }
  return later;
}
