/**
 * What the evaluator is given for a generated scenario, and the rule set lint evaluates with when
 * deadlines do not matter.
 */
import type { CompiledRuleSet } from "../compile.js";
import type { EvaluateOptions } from "../evaluate.js";
import type { Answer, HistoryFacts, HistoryUsed } from "../types.js";
import type { Scenario } from "./types.js";

/** The evaluator's input for a scenario (history as the log would give it, without earlier referrals). */
export function inputOf(s: Scenario, answers: Readonly<Record<string, Answer>> = s.answers): EvaluateOptions {
  return { answers, history: historyUsed(s.history), now: s.now };
}

export function historyUsed(facts: HistoryFacts): HistoryUsed {
  return { referrals_in_window: facts.referrals_in_window, distinct_referrers: facts.distinct_referrers, earlier: [], possible_matches: [], facts };
}

/**
 * The same compiled rule set without response times or step due dates. Rules, guards, steps and
 * flags evaluate exactly as in `rs` (it is the same evaluator and the same compiled conditions);
 * only the deadline arithmetic — most of an evaluation's cost — is skipped. For every invariant but
 * `deterministic`, which reads the whole record, lint evaluates with this.
 */
export function withoutDeadlines(rs: CompiledRuleSet): CompiledRuleSet {
  return {
    ...rs,
    outcomes: rs.outcomes.map((o) => ({ ...o, responseTimes: [] })),
    steps: new Map(
      [...rs.steps].map(([id, s]) => {
        const { due: _due, dueDuration: _dueDuration, ...rest } = s;
        return [id, rest];
      }),
    ),
  };
}
