/**
 * Replay over many cases: the streaming counter `rules diff` feeds one case at a time, keeping only
 * the counts and the cases that changed, so a replay of 100k logged decisions never holds more.
 *
 * Replay evaluates each case once under each rule set (compiled once). Only a case whose outcome,
 * fired rules, guards, steps or flags differ pays for the explain traces that give its reason.
 */
import { compareIds } from "../canonical.js";
import type { CompiledRuleSet } from "../compile.js";
import { evaluateDetailed, type EvaluateOptions, type EvaluationDetail } from "../evaluate.js";
import type { Fixture } from "../fixtures.js";
import { CaseComparison, evaluatedSide, type Direction, type Side } from "./compare.js";
import { prepareFixture, prepareLogged, questionsKey, type LoggedCase, type Prepared } from "./prepare.js";
import { diffRuleSets, type RuleSetDiff } from "./structure.js";

export type CaseSource = "fixture" | "log";

/**
 * The rule set with its response times and step due dates taken out. Outcome levels, fired rules,
 * guards, steps and flags never depend on deadlines (conditions read answers, history, clock facts
 * and the outcome so far), while computing deadlines is most of an evaluation's cost (zone-aware
 * working-day arithmetic). Replay compares what does not depend on them, so it evaluates this.
 */
export function withoutDeadlines(rs: CompiledRuleSet): CompiledRuleSet {
  return {
    ...rs,
    outcomes: rs.outcomes.map((o) => ({ ...o, responseTimes: [] })),
    steps: new Map([...rs.steps].map(([id, { due: _due, dueDuration: _dueDuration, ...step }]) => [id, step])),
  };
}

export interface ChangedCase {
  ref: string;
  source: CaseSource;
  from: string;
  to: string;
  direction: Direction;
  reason: string;
}

export interface NotReplayed {
  ref: string;
  source: CaseSource;
  /** Which rule set the case cannot be replayed under. */
  under: "old" | "new" | "both";
  problems: string[];
}

export interface RuleDelta {
  id: string;
  /** Cases it fires in under the old / new rule set. */
  old: number;
  new: number;
  /** Cases where it fires only under the new rule set / only under the old one. */
  started: number;
  stopped: number;
}

export interface GuardDelta {
  id: string;
  /** Cases where the guard holds under the new rule set but did not under the old. */
  newly_holding: number;
  /** Cases where it held under the old rule set and no longer does. */
  released: number;
}

export interface ReplayReport {
  /** Cases evaluated under both rule sets. */
  replayed: number;
  fixtures: number;
  logged: number;
  /** Outcome differs (up + down + same_level). */
  changed: number;
  up: number;
  down: number;
  /** Different outcome at the same level (outcomes renamed or reordered). */
  same_level: number;
  unchanged: number;
  /** Same outcome, but fired rules, guards, steps or flags differ. */
  detail_changed: number;
  not_replayable: number;
  /** From-level × to-level counts, every pair seen (the diagonal too). */
  table: { from: string; to: string; count: number }[];
  rules: RuleDelta[];
  guards: GuardDelta[];
  cases: ChangedCase[];
  detail_cases: ChangedCase[];
  not_replayed: NotReplayed[];
  /** Questions the new (or old) rule set asks that replayed cases never answered. */
  unanswered: { under: "old" | "new"; question: string; cases: number }[];
  /** Answers to questions a rule set no longer has, ignored. */
  ignored: { under: "old" | "new"; question: string; cases: number }[];
}

export class Replay {
  readonly structure: RuleSetDiff;
  readonly #changedThresholds: Set<string>;
  readonly #oldKey: string;
  readonly #newKey: string;
  #replayed = 0;
  #fixtures = 0;
  #logged = 0;
  #up = 0;
  #down = 0;
  #sameLevel = 0;
  #detail = 0;
  readonly #table = new Map<string, number>();
  readonly #ruleCounts = new Map<string, RuleDelta>();
  readonly #guardCounts = new Map<string, GuardDelta>();
  readonly #cases: ChangedCase[] = [];
  readonly #detailCases: ChangedCase[] = [];
  readonly #notReplayed: NotReplayed[] = [];
  readonly #unanswered = new Map<string, number>();
  readonly #ignored = new Map<string, number>();

  readonly oldRs: CompiledRuleSet;
  readonly newRs: CompiledRuleSet;

  readonly #useLogged: boolean;

  /**
   * `useLogged` (default true): a logged decision made under exactly the old rule set (same
   * SHA-256) is taken as the old rule set's decision instead of evaluating it again. The log's
   * contract is that every decision reproduces exactly from its stored rule set (`rules explain
   * --ref`), so this changes no result and halves the work of the usual replay (the log's rules
   * against a proposed change). The old side is still evaluated for a changed case's reason.
   */
  constructor(oldRs: CompiledRuleSet, newRs: CompiledRuleSet, options: { structure?: RuleSetDiff; useLogged?: boolean } = {}) {
    this.structure = options.structure ?? diffRuleSets(oldRs, newRs);
    this.#useLogged = options.useLogged !== false;
    this.oldRs = withoutDeadlines(oldRs);
    this.newRs = oldRs === newRs ? this.oldRs : withoutDeadlines(newRs);
    this.#changedThresholds = new Set(this.structure.thresholds.map((t) => t.name));
    this.#oldKey = questionsKey(oldRs.raw);
    this.#newKey = this.#oldKey === questionsKey(newRs.raw) ? this.#oldKey : questionsKey(newRs.raw);
    for (const id of new Set([...oldRs.rules.keys(), ...newRs.rules.keys()])) this.#ruleCounts.set(id, { id, old: 0, new: 0, started: 0, stopped: 0 });
    for (const id of new Set([...oldRs.guards.map((g) => g.raw.id), ...newRs.guards.map((g) => g.raw.id)]))
      this.#guardCounts.set(id, { id, newly_holding: 0, released: 0 });
  }

  /** Whether answers validated under a rule set with this questionsKey can be used as they are. */
  trusts(key: string | undefined): { old: boolean; new: boolean } {
    return { old: key !== undefined && key === this.#oldKey, new: key !== undefined && key === this.#newKey };
  }

  addFixture(ref: string, fixture: Fixture): void {
    this.add(ref, "fixture", prepareFixture(this.oldRs, fixture), prepareFixture(this.newRs, fixture));
  }

  /** A logged decision; `questionsKeyOfItsRuleSet` lets answers skip re-validation when nothing about the questions changed. */
  addLogged(ref: string, logged: LoggedCase, questionsKeyOfItsRuleSet?: string): void {
    const trust = this.trusts(questionsKeyOfItsRuleSet);
    const stored = logged.decision;
    if (this.#useLogged && stored && stored.rule_set.sha256 === this.oldRs.sha256) {
      const newIn = prepareLogged(this.newRs, logged, trust.new);
      this.#note({ unanswered: [], ignored: [] }, newIn);
      if (!newIn.input) {
        this.#notReplayed.push({ ref, source: "log", under: "new", problems: newIn.problems });
        return;
      }
      const input: EvaluateOptions = { answers: logged.answers, history: logged.history, now: logged.decided_at };
      let detail: EvaluationDetail | undefined;
      const oldSide: Side = { decision: stored, detail: () => (detail ??= evaluateDetailed(this.oldRs, input)) };
      this.#compare(ref, "log", oldSide, evaluatedSide(evaluateDetailed(this.newRs, newIn.input)));
      return;
    }
    this.add(ref, "log", prepareLogged(this.oldRs, logged, trust.old), prepareLogged(this.newRs, logged, trust.new));
  }

  /** Fixture files that could not even be parsed are reported the same way. */
  addUnreadable(ref: string, source: CaseSource, problems: string[]): void {
    this.#notReplayed.push({ ref, source, under: "both", problems });
  }

  #note(oldIn: Pick<Prepared, "unanswered" | "ignored">, newIn: Pick<Prepared, "unanswered" | "ignored">): void {
    for (const q of oldIn.unanswered) this.#bump(this.#unanswered, `old\u0000${q}`);
    for (const q of newIn.unanswered) this.#bump(this.#unanswered, `new\u0000${q}`);
    for (const q of oldIn.ignored) this.#bump(this.#ignored, `old\u0000${q}`);
    for (const q of newIn.ignored) this.#bump(this.#ignored, `new\u0000${q}`);
  }

  add(ref: string, source: CaseSource, oldIn: Prepared, newIn: Prepared): void {
    this.#note(oldIn, newIn);
    if (!oldIn.input || !newIn.input) {
      const under = !oldIn.input && !newIn.input ? "both" : !oldIn.input ? "old" : "new";
      this.#notReplayed.push({
        ref,
        source,
        under,
        problems: [...oldIn.problems.map((p) => (under === "both" ? `old: ${p}` : p)), ...newIn.problems.map((p) => (under === "both" ? `new: ${p}` : p))],
      });
      return;
    }
    this.#compare(ref, source, evaluatedSide(evaluateDetailed(this.oldRs, oldIn.input)), evaluatedSide(evaluateDetailed(this.newRs, newIn.input)));
  }

  #bump(map: Map<string, number>, key: string): void {
    map.set(key, (map.get(key) ?? 0) + 1);
  }

  #compare(ref: string, source: CaseSource, o: Side, n: Side): void {
    this.#replayed++;
    if (source === "fixture") this.#fixtures++;
    else this.#logged++;
    const c = new CaseComparison(this.oldRs, this.newRs, o, n, this.#changedThresholds);
    this.#bump(this.#table, `${c.from.id}\u0000${c.to.id}`);
    for (const id of c.firedOld) this.#ruleCounts.get(id)!.old++;
    for (const id of c.firedNew) {
      const r = this.#ruleCounts.get(id)!;
      r.new++;
      if (!c.firedOld.has(id)) r.started++;
    }
    for (const id of c.firedOld) if (!c.firedNew.has(id)) this.#ruleCounts.get(id)!.stopped++;
    const oldHolding = new Set(o.decision.guards.filter((g) => g.status === "holding").map((g) => g.id));
    const newHolding = new Set(n.decision.guards.filter((g) => g.status === "holding").map((g) => g.id));
    for (const id of newHolding) if (!oldHolding.has(id)) this.#guardCounts.get(id)!.newly_holding++;
    for (const id of oldHolding) if (!newHolding.has(id)) this.#guardCounts.get(id)!.released++;

    if (c.outcomeChanged) {
      if (c.direction === "up") this.#up++;
      else if (c.direction === "down") this.#down++;
      else this.#sameLevel++;
      this.#cases.push({ ref, source, from: c.from.id, to: c.to.id, direction: c.direction, reason: c.reason() });
    } else if (c.anyChange) {
      this.#detail++;
      this.#detailCases.push({ ref, source, from: c.from.id, to: c.to.id, direction: c.direction, reason: c.reason() });
    }
  }

  report(): ReplayReport {
    const changed = this.#up + this.#down + this.#sameLevel;
    const oldOrder = new Map(this.oldRs.outcomes.map((o) => [o.id, o.level]));
    const newOrder = new Map(this.newRs.outcomes.map((o) => [o.id, o.level]));
    const table = [...this.#table]
      .map(([key, count]) => {
        const [from, to] = key.split("\u0000") as [string, string];
        return { from, to, count };
      })
      .sort((a, b) => (oldOrder.get(a.from) ?? 0) - (oldOrder.get(b.from) ?? 0) || (newOrder.get(a.to) ?? 0) - (newOrder.get(b.to) ?? 0));
    const split = (map: Map<string, number>) =>
      [...map]
        .map(([key, cases]) => {
          const [under, question] = key.split("\u0000") as ["old" | "new", string];
          return { under, question, cases };
        })
        .sort((a, b) => a.under.localeCompare(b.under) || compareIds(a.question, b.question));
    return {
      replayed: this.#replayed,
      fixtures: this.#fixtures,
      logged: this.#logged,
      changed,
      up: this.#up,
      down: this.#down,
      same_level: this.#sameLevel,
      unchanged: this.#replayed - changed,
      detail_changed: this.#detail,
      not_replayable: this.#notReplayed.length,
      table,
      rules: [...this.#ruleCounts.values()].filter((r) => r.started + r.stopped > 0 || r.old !== r.new).sort((a, b) => compareIds(a.id, b.id)),
      guards: [...this.#guardCounts.values()].filter((g) => g.newly_holding + g.released > 0).sort((a, b) => compareIds(a.id, b.id)),
      cases: this.#cases,
      detail_cases: this.#detailCases,
      not_replayed: this.#notReplayed,
      unanswered: split(this.#unanswered),
      ignored: split(this.#ignored),
    };
  }
}
