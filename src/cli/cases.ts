/**
 * Every referral in the log, replayed: one pass over the entries, each decision's state derived
 * (src/workflow/state.ts) under the rule set it was made with, and whether an out-of-hours decision
 * has been re-screened. The shell behind the views that look across cases (`today`, the review
 * queue, `stats`, the per-decision export); the views themselves are pure.
 */
import { TriageError } from "../errors.js";
import type { LogStore } from "../log/store.js";
import type { CompiledRuleSet } from "../rules/compile.js";
import { outcomeRef } from "../rules/evaluate.js";
import type { Decision } from "../rules/types.js";
import { rescreenStatus, type LaterDecision, type Rescreen } from "../workflow/actions.js";
import { deriveState, type EntryLike, type ReferralState } from "../workflow/state.js";
import { storedRuleSet } from "./record.js";

export interface LoadedCase {
  state: ReferralState;
  rs: CompiledRuleSet;
  rescreen: Rescreen;
}

/** Every referral (received on or after `since`, when given), in the order decided. */
export async function loadAllCases(store: LogStore, options: { since?: Date } = {}): Promise<LoadedCase[]> {
  const decisions: Decision[] = [];
  const entries = new Map<string, EntryLike[]>();
  for await (const e of store.allEvents()) {
    if (e.ref === null) continue;
    if (e.kind === "decision") decisions.push({ ...(e.body as Decision), ref: e.ref });
    else {
      const list = entries.get(e.ref);
      if (list) list.push(e);
      else entries.set(e.ref, [e]);
    }
  }
  // Later decisions that counted an earlier referral (a re-screen of an out-of-hours one).
  const later = new Map<string, LaterDecision[]>();
  for (const d of decisions) for (const e of d.history.earlier) later.set(e.ref, [...(later.get(e.ref) ?? []), { ref: d.ref!, decided_at: d.decided_at }]);

  const cache = new Map<string, CompiledRuleSet>();
  const cases: LoadedCase[] = [];
  for (const d of decisions) {
    if (options.since && Date.parse(d.received_at) < options.since.getTime()) continue;
    const rs = await storedRuleSet(store, d.rule_set.sha256, cache);
    const outcomeOf = (id: string) => {
      const level = rs.outcomeLevel.get(id);
      if (level === undefined) throw new TriageError(`outcome ${id} is not in rule set ${rs.id} ${rs.version}`);
      return outcomeRef(rs, level);
    };
    const state = deriveState(d.ref!, d, entries.get(d.ref!) ?? [], outcomeOf, outcomeRef(rs, 1));
    cases.push({ state, rs, rescreen: rescreenStatus(state, rs, later.get(d.ref!) ?? []) });
  }
  return cases;
}
