/**
 * Answers as the worker reads them: option labels, local date-times, and the review screen's
 * sections (part of the pure flow, src/interview/flow.ts).
 */
import type { CompiledQuestion, CompiledRuleSet } from "../../rules/compile.js";
import { isUnknownAnswer } from "../../rules/evaluate.js";
import { NO_HISTORY, UNKNOWN, type Answer, type HistoryFacts } from "../../rules/types.js";
import { sectionLabel, visibility, type FlowState } from "./state.js";

// ---------------------------------------------------------------------------------------------
// Showing answers

export function optionLabel(q: CompiledQuestion, value: string): string {
  if (value === UNKNOWN) {
    const written = (q.raw.options ?? []).find((o) => typeof o !== "string" && o.value === UNKNOWN);
    return written && typeof written !== "string" && written.label ? written.label : "Not known";
  }
  const o = (q.raw.options ?? []).find((x) => (typeof x === "string" ? x : x.value) === value);
  if (o && typeof o !== "string" && o.label) return o.label;
  return value.replace(/_/g, " ");
}

/** "2026-11-27T10:30:00+00:00" → "2026-11-27 10:30" (the local time the ISO text carries). */
export function localDateTime(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]}` : iso;
}

/** An answer as the worker reads it. */
export function formatAnswer(q: CompiledQuestion, answer: Answer | undefined): string {
  if (answer === undefined) return "(not answered)";
  if (isUnknownAnswer(answer)) return optionLabel(q, UNKNOWN);
  if (typeof answer === "object" && answer.includes(UNKNOWN))
    return `${answer
      .filter((v) => v !== UNKNOWN)
      .map((v) => optionLabel(q, v))
      .join(", ")}; anything else not known`;
  if (typeof answer === "object") return answer.map((v) => optionLabel(q, v)).join(", ");
  if (q.raw.type === "select") return optionLabel(q, String(answer));
  if (q.raw.type === "datetime" && typeof answer === "string") return localDateTime(answer);
  return String(answer);
}

export interface ReviewItem {
  question: CompiledQuestion;
  answer: Answer | undefined;
  text: string;
  /** answered (or left blank when optional); not_applicable: hidden now, answer kept but not used. */
  status: "answered" | "blank" | "not_applicable";
}

export interface ReviewSection {
  section: string;
  label: string;
  items: ReviewItem[];
}

/** All answers grouped by section (in the order sections first appear), for the review screen. */
export function reviewSections(rs: CompiledRuleSet, state: FlowState, history: HistoryFacts = NO_HISTORY): ReviewSection[] {
  const visible = visibility(rs, state, history);
  const onPath = new Set(state.asked);
  const sections: ReviewSection[] = [];
  for (const q of rs.questions) {
    const answer = state.answers[q.id];
    let status: ReviewItem["status"];
    if (visible[q.index] && onPath.has(q.id)) status = answer === undefined ? "blank" : "answered";
    else if (!visible[q.index] && answer !== undefined) status = "not_applicable";
    else continue;
    let section = sections.find((s) => s.section === q.raw.section);
    if (!section) sections.push((section = { section: q.raw.section, label: sectionLabel(q.raw.section), items: [] }));
    section.items.push({ question: q, answer, text: status === "blank" ? "(left blank)" : formatAnswer(q, answer), status });
  }
  return sections;
}
