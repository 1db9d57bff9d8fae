/**
 * The invariant checks: one invariant against one sample's decisions.
 */
import { canonicalJson } from "../canonical.js";
import { emptyEnv, evaluate, hasUnknown, type EvaluationDetail } from "../evaluate.js";
import { inputOf } from "../generate.js";
import type { Decision } from "../types.js";
import type { Finding, SampleRun, Side } from "./sample.js";
import type { Prepared } from "./setup.js";

const outcomeText = (d: Decision): string => `${d.computed_outcome.id} (level ${d.computed_outcome.level})`;

/** Checks one invariant against one sample's decisions; null when it holds (or has nothing to check). */
export function check(run: SampleRun, inv: Prepared): Finding | null {
  const rs = run.setup.rs;
  const each = (test: (side: Side) => string | null): Finding | null => {
    for (const side of run.decisions()) {
      const message = test(side);
      if (message) return { message, sides: [side] };
    }
    return null;
  };
  switch (inv.kind) {
    case "guard_floor_holds":
      return each(({ detail: { decision: d } }) => {
        for (const g of d.guards) {
          const floor = rs.outcomeLevel.get(g.floor)!;
          if (g.status === "holding" && d.computed_outcome.level < floor)
            return `guard ${g.id} holds with floor ${g.floor} (level ${floor}), but the outcome is ${outcomeText(d)}`;
        }
        return null;
      });
    case "hard_stop_not_closable":
      return each(({ detail: { decision: d, env } }) => {
        for (const g of d.guards) {
          if (d.hard_floor !== null && g.status !== "not_applicable" && !g.hard_stop)
            return `hard floor ${d.hard_floor} fired, but guard ${g.id} (${g.status}) does not report a hard stop, so a closure it governs would not be refused`;
        }
        for (const cg of rs.guards) {
          const g = d.guards.find((x) => x.id === cg.raw.id);
          if (cg.hardStop && g && !g.hard_stop && cg.hardStop(env)) return `guard ${g.id}'s hard_stop_when holds, but the record does not report a hard stop`;
        }
        return null;
      });
    case "out_of_hours_provisional":
      return each(({ detail: { decision: d, env } }) => {
        if (!inv.when({ ...env, level: d.computed_outcome.level })) return null;
        const problems = [
          d.flags.includes(inv.raw.flag) ? "" : `does not carry the flag ${inv.raw.flag}`,
          inv.neverFinal.has(d.computed_outcome.id) ? `has outcome ${d.computed_outcome.id}, one of never_final (${inv.raw.never_final.join(", ")})` : "",
        ].filter(Boolean);
        return problems.length === 0 ? null : `the out-of-hours condition holds, but the decision ${problems.join(" and ")}`;
      });
    case "deterministic": {
      const input = inputOf(run.scenario, run.visible);
      const first = evaluate(rs, input);
      // The same input again, in fresh objects with the answers in another key order.
      const again = evaluate(
        rs,
        inputOf(
          run.scenario,
          Object.fromEntries(
            Object.entries(run.visible)
              .reverse()
              .map(([k, v]) => [k, typeof v === "object" ? [...v] : v]),
          ),
        ),
      );
      if (run.tally) run.tally.evaluations += 2;
      if (JSON.stringify(first) === JSON.stringify(again) || canonicalJson(first) === canonicalJson(again)) return null;
      const detail = (decision: Decision): EvaluationDetail => ({
        decision,
        env: emptyEnv(rs),
        testedAtLevel: new Map(),
        rulesLevel: decision.computed_outcome.level,
      });
      return {
        message: `two evaluations of the same input gave different records (${firstDifference(first, again)})`,
        sides: [
          { label: "first evaluation", detail: detail(first) },
          { label: "second evaluation", detail: detail(again) },
        ],
      };
    }
    case "floor":
      return each(({ detail: { decision: d, env } }) => {
        if (!inv.when(env)) return null;
        const hard = d.hard_floor === null ? 0 : (rs.outcomeLevel.get(d.hard_floor) ?? 0);
        if (d.computed_outcome.level >= inv.floorLevel && hard >= inv.floorLevel) return null;
        return d.computed_outcome.level < inv.floorLevel
          ? `the national floor ${inv.floor} applies, but the outcome is ${outcomeText(d)}`
          : `the national floor ${inv.floor} applies and is reached, but not as a hard floor (hard floor: ${d.hard_floor ?? "none"}), so it could be overridden below it`;
      });
    case "ooh":
      return each(({ detail: { decision: d, env } }) =>
        inv.when({ ...env, level: d.computed_outcome.level }) && !d.flags.includes(inv.flag)
          ? `the decision is out of hours, but it does not carry the flag ${inv.flag} (provisional)`
          : null,
      );
    case "closure":
      return each(({ detail: { decision: d, env } }) => {
        if (inv.problems.length > 0) return `${inv.problems.join("; ")}`;
        if (!inv.when(env)) return null;
        const applies = d.guards.some((g) => inv.guards.includes(g.id) && g.status !== "not_applicable");
        return applies
          ? null
          : `a closure as ${String(d.answers.proposed_closure_reason)} of an allegation of harm is proposed, but no guard with the required checks (${inv.guards.join(", ") || "none"}) applies`;
      });
    case "compare": {
      const pair = run.turn?.inv === inv ? run.pair() : undefined;
      if (!pair) return null;
      const [low, high] = pair;
      if (high.detail.decision.computed_outcome.level >= low.detail.decision.computed_outcome.level) return null;
      return {
        message: `${high.label} gives ${outcomeText(high.detail.decision)}, lower than ${low.label}, which gives ${outcomeText(low.detail.decision)}`,
        sides: [low, high],
      };
    }
    case "never_lower": {
      const pair = run.turn?.inv === inv ? run.pair() : undefined;
      if (!pair) return null;
      const [low, high] = pair;
      if (high.detail.decision.computed_outcome.level >= low.detail.decision.computed_outcome.level) return null;
      return {
        message: `${high.label} gives ${outcomeText(high.detail.decision)}, lower than ${low.label}, which gives ${outcomeText(low.detail.decision)}`,
        sides: [low, high],
      };
    }
    case "unknown_not_lower": {
      const step = inv.raw.requires_step;
      if (step) {
        // Every decision with "not known" on a listed question must ask for the step.
        const missing = each(({ detail: { decision: d } }) => {
          const q = inv.questions.find((x) => hasUnknown(d.answers[x.id]));
          return q && !d.steps.some((s) => s.id === step) ? `${q.id} = unknown, but the decision does not ask for step ${step}` : null;
        });
        if (missing) return missing;
      }
      const pair = run.turn?.inv === inv ? run.pair() : undefined;
      if (!pair) return null;
      const [known, unknown] = pair;
      if (unknown.detail.decision.computed_outcome.level >= known.detail.decision.computed_outcome.level) return null;
      return {
        message: `${unknown.label} gives ${outcomeText(unknown.detail.decision)}, lower than ${known.label}, which gives ${outcomeText(known.detail.decision)}`,
        sides: [known, unknown],
      };
    }
  }
}

function firstDifference(a: unknown, b: unknown, path = "record"): string {
  if (canonicalJson(a) === canonicalJson(b)) return "";
  if (a && b && typeof a === "object" && typeof b === "object") {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of [...keys].sort()) {
      const inner = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (inner) return inner;
    }
  }
  return `${path}: ${a === undefined ? "undefined" : canonicalJson(a)} vs ${b === undefined ? "undefined" : canonicalJson(b)}`;
}
