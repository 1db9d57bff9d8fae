/**
 * Shared by the workflow unit tests: the shipped rule set, decisions evaluated from the fixture
 * referrals (as `triage new` would record them), and log entries built by hand.
 */
import { readdirSync, readFileSync } from "node:fs";
import { parse } from "yaml";
import type { CompiledRuleSet } from "../../src/rules/compile.js";
import { checkAnswers } from "../../src/rules/answers.js";
import { evaluate, outcomeRef } from "../../src/rules/evaluate.js";
import { formatInZone, parseDateTime } from "../../src/rules/time.js";
import { EMPTY_HISTORY, type Decision, type HistoryUsed } from "../../src/rules/types.js";
import { deriveState, type EntryLike, type ReferralState } from "../../src/workflow/state.js";
import { compileFile, repoPath } from "../helpers/rules.js";

export const rs: CompiledRuleSet = compileFile("rules/default.yaml");
const TZ = rs.officeHours.time_zone;

/** A fixture referral (by its number, e.g. "51") evaluated as recorded by `decider`, with answer changes. */
export function decide(
  number: string,
  options: { ref?: string; decider?: string; answers?: Record<string, unknown>; history?: HistoryUsed; ruleSet?: CompiledRuleSet } = {},
): Decision {
  const file = readdirSync(repoPath("fixtures/referrals")).find((f) => f.startsWith(`${number}-`));
  if (!file) throw new Error(`no fixture ${number}`);
  const fixture = parse(readFileSync(repoPath(`fixtures/referrals/${file}`), "utf8")) as { now: string; answers: Record<string, unknown> };
  const set = options.ruleSet ?? rs;
  const checked = checkAnswers(set, { ...fixture.answers, ...options.answers });
  if (checked.problems.length > 0) throw new Error(checked.problems.map((p) => p.message).join("; "));
  const now = parseDateTime(fixture.now, TZ)!;
  const d = evaluate(set, { answers: checked.answers, history: options.history ?? EMPTY_HISTORY, now: formatInZone(now, TZ) });
  return { ...d, ref: options.ref ?? `TRG-2026-0000${number}`, decided_by: options.decider ?? "worker.one" };
}

/** Builds entries with increasing seq numbers (the decision itself is seq 1). */
export function log() {
  let seq = 1;
  const entries: EntryLike[] = [];
  const add = (kind: string, actor: string, at: string, body: unknown): number => {
    entries.push({ seq: ++seq, kind, actor, at, body });
    return seq;
  };
  return { entries, add };
}

export function derive(decision: Decision, entries: readonly EntryLike[], set: CompiledRuleSet = rs): ReferralState {
  const outcomeOf = (id: string) => outcomeRef(set, set.outcomeLevel.get(id)!);
  return deriveState(decision.ref!, decision, entries, outcomeOf, outcomeRef(set, 1));
}

export const level = (id: string): number => rs.outcomeLevel.get(id)!;
