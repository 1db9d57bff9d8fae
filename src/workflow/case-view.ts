/**
 * The whole case as `log show` presents it: who the child is, who referred, every answer by section
 * with its label, the history the decision used, and every step with its status. Pure: a replayed
 * state and the rule set it was decided under in, plain data out (labels from the rule set; ids kept).
 */
import type { CompiledRuleSet } from "../rules/compile.js";
import type { Answer } from "../rules/types.js";
import { checksReport, type StepStatus } from "./actions.js";
import type { ReferralState } from "./state.js";

export interface AnswerView {
  id: string;
  ask: string;
  value: Answer;
  /** The answer in words: option labels, "not known". */
  label: string;
  /** The worker's note on the answer (what was actually said), if any. */
  note?: string;
  /** Set when the answer was given after the decision, in a follow-up (`answers_completed` entry #seq): it was "not known" before. */
  completed?: { seq: number; by: string; at: string };
}

export interface CaseView {
  child: { name: string | null; dob: string | null; ref: string | null; postcode: string | null };
  referrer: AnswerView[];
  sections: { title: string; answers: AnswerView[] }[];
  /** The worker's own words: the analysis recorded with the decision. */
  notes: string | null;
  history: {
    earlier: { ref: string; received_at: string; outcome: string; outcome_label: string; closed_as: string | null; closed_as_label: string | null }[];
    matches: { ref: string; why: string; decision: "confirmed" | "rejected" | "not decided"; by?: string; at?: string }[];
  };
  steps: (StepStatus & { done_by?: string; done_at?: string; found?: string })[];
}

const oneLine = (s: string): string => s.replace(/\s+/g, " ").trim();

function answerLabel(rs: CompiledRuleSet, id: string, value: Answer): string {
  const q = rs.raw.questions.find((x) => x.id === id);
  const option = (v: string): string => {
    if (v === "unknown") return "not known";
    for (const o of q?.options ?? [])
      if (typeof o === "string" ? o === v : o.value === v) return typeof o === "string" || !o.label ? v.replace(/_/g, " ") : o.label;
    return v;
  };
  if (Array.isArray(value)) return value.map(option).join("; ");
  if (typeof value === "number") return String(value);
  return q && (q.type === "select" || q.type === "multiselect") ? option(value as string) : value === "unknown" ? "not known" : (value as string);
}

export function caseView(state: ReferralState, rs: CompiledRuleSet, now: Date): CaseView {
  const d = state.decision;
  // Answers given after an urgent decision (follow-up entries) stand in for the "not known" recorded then.
  const later = new Map<string, { value: Answer; seq: number; by: string; at: string; note?: string }>();
  for (const c of state.completions)
    for (const [id, value] of Object.entries(c.answers)) {
      const note = c.answer_notes?.[id];
      later.set(id, { value, seq: c.seq, by: c.by, at: c.at, ...(note !== undefined ? { note } : {}) });
    }
  const view = (id: string): AnswerView | undefined => {
    const after = later.get(id);
    const value = after?.value ?? d.answers[id];
    if (value === undefined) return undefined;
    const q = rs.raw.questions.find((x) => x.id === id);
    const note = after ? after.note : d.answer_notes?.[id];
    const base: AnswerView = { id, ask: oneLine(q?.ask ?? id), value, label: answerLabel(rs, id, value), ...(note !== undefined ? { note } : {}) };
    return after ? { ...base, completed: { seq: after.seq, by: after.by, at: after.at } } : base;
  };
  const identity = (kind: "name" | "dob" | "ref" | "postcode"): string | null => {
    const q = rs.raw.questions.find((x) => x.identity === kind);
    const a = q ? d.answers[q.id] : undefined;
    return typeof a === "string" && a !== "unknown" && a.trim() !== "" ? a.trim() : null;
  };
  const sections: CaseView["sections"] = [];
  for (const q of rs.raw.questions) {
    const a = view(q.id);
    if (!a) continue;
    const last = sections[sections.length - 1];
    if (last && last.title === q.section) last.answers.push(a);
    else sections.push({ title: q.section, answers: [a] });
  }
  const outcomeLabel = (id: string) => rs.raw.outcomes.find((o) => o.id === id)?.label ?? id;
  const closureLabel = (id: string) => rs.raw.closure_reasons.find((c) => c.id === id)?.label ?? id;
  const linkOf = (ref: string) => state.links.find((l) => l.other_ref === ref);
  const checks = new Map(state.checks.map((c) => [c.check, c]));
  return {
    child: { name: identity("name"), dob: identity("dob"), ref: identity("ref"), postcode: identity("postcode") },
    referrer: Object.keys(d.answers)
      .filter((id) => id.startsWith("referrer_"))
      .map((id) => view(id)!),
    sections,
    notes: d.analysis ?? null,
    history: {
      earlier: d.history.earlier.map((e) => ({
        ref: e.ref,
        received_at: e.received_at,
        outcome: e.outcome,
        outcome_label: outcomeLabel(e.outcome),
        closed_as: e.closed_as ?? null,
        closed_as_label: e.closed_as ? closureLabel(e.closed_as) : null,
      })),
      matches: d.history.possible_matches.map((m) => {
        const link = linkOf(m.ref);
        return {
          ref: m.ref,
          why: m.why,
          decision: m.confirmed === true ? "confirmed" : m.confirmed === false ? "rejected" : "not decided",
          ...(link ? { by: link.by, at: link.at } : {}),
        };
      }),
    },
    steps: checksReport(state, rs, now).steps.map((s) => {
      const c = checks.get(s.id);
      return c ? { ...s, done_by: c.by, done_at: c.done_at, found: c.found } : s;
    }),
  };
}
