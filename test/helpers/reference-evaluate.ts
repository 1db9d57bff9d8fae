/**
 * A reference evaluator for tests: the evaluator as it was before it was made fast (issue 17),
 * kept deliberately plain — conditions interpreted leaf by leaf with `testLeaf` (not the compiled
 * closures), a Map per lookup, every deadline worked out from Dates. The fast evaluator in
 * src/rules/evaluate.ts must give byte-identical records (test/rules/evaluate-reference.test.ts).
 * When the rules' semantics change (docs/rule-format.md), change both.
 */
import type { CompiledRule, CompiledRuleSet, Duration } from "../../src/rules/compile.js";
import { testLeaf, type ResolvedCondition, type Env } from "../../src/rules/conditions.js";
import { dueFrom, emptyEnv, outcomeRef, setAnswer, type EvaluateOptions } from "../../src/rules/evaluate.js";
import { formatInZone, isOutOfHours } from "../../src/rules/time.js";
import { EMPTY_HISTORY, UNKNOWN, type Answer, type Decision, type DecisionStep, type FiredRule, type GuardState } from "../../src/rules/types.js";

function holds(c: ResolvedCondition, env: Env): boolean {
  if (c.kind === "leaf") return testLeaf(c, env);
  if (c.kind === "not") return !holds(c.item, env);
  return c.kind === "all" ? c.items.every((i) => holds(i, env)) : c.items.some((i) => holds(i, env));
}

export function referenceEvaluate(rs: CompiledRuleSet, input: EvaluateOptions): Decision {
  const now = new Date(input.now);
  if (Number.isNaN(now.getTime())) throw new RangeError(`evaluate: invalid clock ${input.now}`);
  const answer = input.answers.received_at;
  let received = now;
  if (rs.questionIndex.has("received_at") && typeof answer === "string" && answer !== UNKNOWN) {
    const t = Date.parse(answer);
    if (!Number.isNaN(t)) received = new Date(t);
  }

  const env = emptyEnv(rs, (input.history ?? EMPTY_HISTORY).facts);
  env.clock = { out_of_hours: isOutOfHours(now, rs.officeHours), received_out_of_hours: isOutOfHours(received, rs.officeHours) };
  const visibleAnswers: Record<string, Answer> = {};
  const unknowns: string[] = [];
  for (const q of rs.questions) {
    if (q.when && !holds(q.when, env)) continue;
    const a = input.answers[q.id];
    if (a === undefined) continue;
    visibleAnswers[q.id] = a;
    setAnswer(env, q, a);
    if (env.unknown[q.index]) unknowns.push(q.id);
  }

  const fired: FiredRule[] = [];
  const firedRules: CompiledRule[] = [];
  let hardLevel = 0;
  const record = (rule: CompiledRule, effect: FiredRule["effect"], outcome: string | undefined, applied: boolean): void => {
    const hard = rule.raw.hard === true && effect !== "note";
    const hardAt = effect === "floor" ? rule.floorLevel! : effect === "raise" && applied && outcome !== undefined ? rs.outcomeLevel.get(outcome)! : 0;
    if (hard && hardAt > hardLevel) hardLevel = hardAt;
    fired.push(
      outcome === undefined
        ? { id: rule.id, title: rule.raw.title, effect, applied, hard, because: rule.raw.because }
        : { id: rule.id, title: rule.raw.title, effect, outcome, applied, hard, because: rule.raw.because },
    );
    firedRules.push(rule);
  };

  const base = rs.baseRules.filter((r) => holds(r.when, env));
  const floors = base.filter((r) => r.floorLevel !== undefined).map((r) => r.floorLevel!);
  let level = floors.length > 0 ? Math.max(...floors) : rs.defaultLevel;
  const floorLevel = level;
  const raised = new Map<CompiledRule, { to: number; applied: boolean }>();
  for (const group of rs.raiseGroups) {
    let winner: CompiledRule | undefined;
    for (const r of base) if (r.raiseBy !== undefined && r.group === group && (!winner || r.raiseBy > winner.raiseBy!)) winner = r;
    if (!winner) continue;
    const to = Math.max(level, Math.min(level + winner.raiseBy!, winner.capLevel!));
    raised.set(winner, { to, applied: to > level });
    level = to;
  }
  for (const r of base) {
    if (r.floorLevel !== undefined) record(r, "floor", r.raw.floor, r.floorLevel === floorLevel);
    else if (r.raiseBy !== undefined) {
      const won = raised.get(r);
      record(r, "raise", won ? rs.outcomes[won.to - 1]!.id : r.raw.cap!, won?.applied ?? false);
    } else record(r, "note", undefined, true);
  }

  const done = new Set<string>();
  for (let changed = true; changed;) {
    changed = false;
    for (const r of rs.outcomeRules) {
      if (done.has(r.id)) continue;
      env.level = level;
      if (!holds(r.when, env)) continue;
      done.add(r.id);
      changed = true;
      if (r.floorLevel !== undefined) {
        record(r, "floor", r.raw.floor, r.floorLevel > level);
        level = Math.max(level, r.floorLevel);
      } else record(r, "note", undefined, true);
    }
  }

  env.level = level;
  const recorded = new Set(input.recordedChecks ?? []);
  const guards: GuardState[] = rs.guards.map((g) => {
    // (the hard-stop condition is kept only compiled)
    const hardStop = hardLevel > 0 || (g.raw.hard_stop_when !== undefined && g.hardStop!(env));
    const outstanding: string[] = [];
    const satisfied: string[] = [];
    const applies = holds(g.when, env);
    if (applies) {
      for (const { id, check } of g.checks) {
        if (check.requiredWhen && !holds(check.requiredWhen, env)) continue;
        if (recorded.has(id) || (check.satisfiedWhen !== undefined && holds(check.satisfiedWhen, env))) satisfied.push(id);
        else outstanding.push(id);
      }
    }
    const status = !applies ? "not_applicable" : outstanding.length > 0 ? "holding" : "released";
    return { id: g.raw.id, title: g.raw.title, status, floor: g.raw.floor, outstanding, satisfied, hard_stop: hardStop };
  });
  for (const g of guards) if (g.status === "holding") level = Math.max(level, rs.outcomeLevel.get(g.floor)!);

  const tz = rs.officeHours.time_zone;
  const due = (d: Duration): string => formatInZone(dueFrom(received, d, rs.officeHours), tz);
  const deadlines: Record<string, string> = {};
  for (const [name, d] of rs.outcomes[level - 1]!.responseTimes) deadlines[name] = due(d);
  const steps: DecisionStep[] = [];
  const flags: string[] = [];
  for (const f of firedRules) {
    for (const id of f.raw.steps ?? []) {
      const existing = steps.find((s) => s.id === id);
      if (existing) {
        if (!existing.from.includes(f.id)) existing.from.push(f.id);
        continue;
      }
      const step = rs.steps.get(id)!;
      const due_by = step.dueDuration ? due(step.dueDuration) : step.due && "deadline" in step.due ? deadlines[step.due.deadline] : undefined;
      steps.push(due_by ? { id, text: step.text, due_by, from: [f.id] } : { id, text: step.text, from: [f.id] });
    }
    for (const flag of f.raw.flags ?? []) if (!flags.includes(flag)) flags.push(flag);
  }
  // Steps in the order they must be done (issue 13 d), written out plainly: due time, then the
  // order the rules gave; undated last; past due at decision time marked.
  const dueMs = (st: DecisionStep) => (st.due_by === undefined ? Number.POSITIVE_INFINITY : new Date(st.due_by).getTime());
  const ordered = steps.map((st, i) => ({ st, i })).sort((a, b) => (dueMs(a.st) === dueMs(b.st) ? a.i - b.i : dueMs(a.st) < dueMs(b.st) ? -1 : 1));
  steps.length = 0;
  for (const { st } of ordered) {
    if (dueMs(st) < now.getTime()) st.overdue_at_decision = true;
    steps.push(st);
  }

  const history = input.history ?? EMPTY_HISTORY;
  const outcome = outcomeRef(rs, level);
  return {
    rule_set: { id: rs.id, version: rs.version, sha256: rs.sha256 },
    received_at: formatInZone(received, tz),
    decided_at: formatInZone(now, tz),
    computed_outcome: outcome,
    outcome: { ...outcome },
    hard_floor: hardLevel > 0 ? rs.outcomes[hardLevel - 1]!.id : null,
    deadlines,
    fired,
    steps,
    guards,
    flags,
    unknowns,
    history: {
      referrals_in_window: history.referrals_in_window,
      distinct_referrers: history.distinct_referrers,
      earlier: history.earlier,
      possible_matches: history.possible_matches,
      facts: history.facts,
    },
    answers: visibleAnswers,
    clock: { now: formatInZone(now, tz), out_of_hours: env.clock.out_of_hours, received_out_of_hours: env.clock.received_out_of_hours },
    warnings: [...(input.warnings ?? [])],
  };
}
