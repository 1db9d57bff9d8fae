/**
 * Reading a saved draft's flow state back and fitting it to the current rule set (part of the pure
 * flow, src/interview/flow.ts).
 */
import { normaliseAnswer } from "../../rules/answers.js";
import type { CompiledRuleSet } from "../../rules/compile.js";
import { NO_HISTORY, type Answer, type HistoryFacts } from "../../rules/types.js";
import { FlowError, nextStep, prune, question, sectionLabel, visibility, type FlowState, type FlowStep } from "./state.js";

// ---------------------------------------------------------------------------------------------
// Resume and re-validation

/** Reads a saved flow state (a draft's JSON), or undefined when it is not one. */
export function parseFlowState(raw: unknown): FlowState | undefined {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return undefined;
  const r = raw as Record<string, unknown>;
  if (r.answers === null || typeof r.answers !== "object" || Array.isArray(r.answers)) return undefined;
  if (!Array.isArray(r.asked) || !r.asked.every((x) => typeof x === "string")) return undefined;
  const answers: Record<string, Answer> = {};
  for (const [k, v] of Object.entries(r.answers as Record<string, unknown>)) {
    if (typeof v === "string" || (typeof v === "number" && Number.isFinite(v)) || (Array.isArray(v) && v.every((x) => typeof x === "string"))) answers[k] = v;
  }
  const state: FlowState = { answers, asked: [...new Set(r.asked)] };
  if (typeof r.editing === "string") state.editing = r.editing;
  if (r.submitted === true) state.submitted = true;
  if (r.notes !== null && typeof r.notes === "object" && !Array.isArray(r.notes)) {
    const notes: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.notes as Record<string, unknown>)) if (typeof v === "string" && v.trim() !== "") notes[k] = v;
    if (Object.keys(notes).length > 0) state.notes = notes;
  }
  return state;
}

export interface Revalidation {
  state: FlowState;
  /** What changed, one sentence each, for the worker. Empty when the draft fits as it is. */
  changes: string[];
}

/**
 * Fits a draft to the current rule set: answers to questions that no longer exist are dropped;
 * answers that no longer fit (an option removed, a range changed, "not known" no longer allowed)
 * are dropped and asked again; questions that no longer apply leave the path; questions that now
 * apply before the point reached (anywhere, when the draft had reached review) are reported, and
 * will be asked. Idempotent: a draft that fits comes back unchanged with no changes.
 */
export function revalidate(rs: CompiledRuleSet, saved: FlowState, history: HistoryFacts = NO_HISTORY, options: { reachedReview?: boolean } = {}): Revalidation {
  const changes: string[] = [];
  const tz = rs.officeHours.time_zone;
  const answers: Record<string, Answer> = {};
  const dropped = new Set<string>();
  for (const [id, value] of Object.entries(saved.answers)) {
    const index = rs.questionIndex.get(id);
    if (index === undefined) {
      changes.push(`"${id}" is no longer a question; its answer (${Array.isArray(value) ? value.join(", ") : String(value)}) was dropped.`);
      dropped.add(id);
      continue;
    }
    const q = rs.questions[index]!;
    const checked = normaliseAnswer(q, value, tz);
    if (!checked.ok) {
      if (saved.asked.includes(id)) changes.push(`The answer to "${q.raw.ask}" no longer fits (${checked.message}); it will be asked again.`);
      dropped.add(id);
      continue;
    }
    answers[id] = checked.answer;
  }
  const known = saved.asked.filter((id) => rs.questionIndex.has(id) && !dropped.has(id));
  const before: FlowState = { answers, asked: known };
  const after = prune(rs, before, history);
  for (const id of known) {
    if (!after.asked.includes(id)) changes.push(`"${question(rs, id).raw.ask}" no longer applies; its answer is kept but not used.`);
  }
  // Questions that apply now but were never answered, before the furthest point reached.
  const visible = visibility(rs, after, history);
  const frontier = Math.max(-1, ...saved.asked.map((id) => rs.questionIndex.get(id) ?? -1));
  const reached = saved.submitted === true || saved.editing !== undefined || options.reachedReview === true;
  for (const q of rs.questions) {
    if (!visible[q.index] || after.asked.includes(q.id) || dropped.has(q.id)) continue;
    if (q.index < frontier || reached) changes.push(`"${q.raw.ask}" (${sectionLabel(q.raw.section)}) now needs an answer.`);
  }
  const state: FlowState = { answers: after.answers, asked: after.asked };
  if (saved.editing !== undefined && after.asked.includes(saved.editing)) state.editing = saved.editing;
  const notes = Object.fromEntries(Object.entries(saved.notes ?? {}).filter(([id]) => after.answers[id] !== undefined));
  if (Object.keys(notes).length > 0) state.notes = notes;
  return { state, changes };
}

/** A saved draft's flow, fitted to the current rule set: the state, what changed, and where it continues. */
export function resumeFlow(
  rs: CompiledRuleSet,
  raw: unknown,
  history: HistoryFacts = NO_HISTORY,
  options: { reachedReview?: boolean } = {},
): Revalidation & { step: FlowStep } {
  const parsed = parseFlowState(raw);
  if (!parsed) throw new FlowError("the draft's saved state is not an interview state");
  const result = revalidate(rs, parsed, history, options);
  return { ...result, step: nextStep(rs, result.state, history) };
}
