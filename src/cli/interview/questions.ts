/**
 * The questions and the review screen: asks until the worker submits the review (or saves and
 * exits), with the identity checkpoint once the child's name and date of birth are known, saving
 * the draft after every answer (part of src/cli/interview-session.ts).
 */
import {
  ANALYSIS_PENDING,
  answerQuestion,
  BACK,
  derivedAnswer,
  editAnswer,
  effectiveAnswers,
  FlowError,
  formatAnswer,
  goBack,
  identityAnswers,
  identityReady,
  localDateTime,
  nextStep,
  reviewSections,
  submit,
  suggestedAnswer,
  type Choice,
} from "../../interview/flow.js";
import { wrap } from "../render/text.js";
import { inert } from "../render/inert.js";
import { identityStep } from "./identity-step.js";
import { askWithNotes } from "./notes.js";
import type { Session } from "./session.js";
import { offerUrgent } from "./urgent.js";

export async function questionsAndReview(s: Session): Promise<"submitted" | "saved" | "urgent"> {
  const { deps, draft, tz, save, facts, nowIso } = s;
  const { rs, prompter, style } = deps;
  for (;;) {
    if (deps.history) {
      const ids = identityAnswers(rs, draft.flow, facts());
      const key = JSON.stringify(ids);
      if (identityReady(rs, draft.flow, facts()) && key !== s.lookedUpFor) {
        if (!(await identityStep(s, effectiveAnswers(rs, draft.flow, facts()), false))) {
          draft.flow = goBack(draft.flow);
          await save();
          continue;
        }
        s.lookedUpFor = key;
      }
    }
    const step = nextStep(rs, draft.flow, facts());
    if (step.kind === "ask") {
      draft.stage = "questions";
      const q = step.question;
      const sofar = effectiveAnswers(rs, draft.flow, facts());
      // Not asked: an answer that follows from earlier ones (src/interview/flow/ask-less.ts).
      const derived = step.editing ? undefined : derivedAnswer(rs, q, sofar, nowIso().slice(0, 10));
      if (derived) {
        draft.flow = answerQuestion(rs, draft.flow, q.id, derived.answer, facts());
        s.derived.add(q.id);
        if (derived.answer !== ANALYSIS_PENDING)
          prompter.show(style.dim(`✔ ${q.raw.ask.replace(/[?:]$/, "")}: ${formatAnswer(q, derived.answer)} (${derived.because})`));
        await save();
        continue;
      }
      s.derived.delete(q.id);
      // Urgent calls first: offered once the answers given hold a hard floor at strategy discussion or above.
      if (!step.editing && (await offerUrgent(s))) return "urgent";
      const result = await askWithNotes(
        prompter,
        q,
        {
          previous: step.previous ?? suggestedAnswer(rs, q, sofar),
          progress: step.progress,
          canGoBack: step.canGoBack,
          timeZone: tz,
          now: localDateTime(nowIso()),
        },
        s.noteStore,
      );
      if (result === BACK) {
        // A derived answer is not a stop on the way back (it would only be derived again): go past it.
        const editing = draft.flow.editing !== undefined;
        let popped = draft.flow.asked.at(-1);
        draft.flow = goBack(draft.flow);
        while (!editing && popped !== undefined && s.derived.has(popped) && draft.flow.asked.length > 0) {
          popped = draft.flow.asked.at(-1);
          draft.flow = goBack(draft.flow);
        }
        await save();
        continue;
      }
      try {
        draft.flow = answerQuestion(rs, draft.flow, q.id, result, facts());
      } catch (error) {
        if (!(error instanceof FlowError)) throw error;
        prompter.show(style.bad(error.message));
        continue;
      }
      await save();
      continue;
    }
    if (step.kind === "done") return "submitted";

    // The review screen.
    if (draft.stage !== "review") {
      draft.stage = "review";
      await save();
    }
    prompter.show(reviewText(s));
    const what = await prompter.choose(
      "review",
      "Check the answers. What next?",
      [
        { value: "submit", label: "Submit: see the decision" },
        { value: "change", label: "Change an answer…" },
        { value: "save", label: "Save draft and exit" },
      ],
      { canGoBack: true },
    );
    if (what === BACK) {
      draft.flow = goBack(draft.flow);
      await save();
      continue;
    }
    if (what === "save") {
      await save();
      return "saved";
    }
    if (what === "change") {
      const items: Choice<string>[] = [];
      for (const section of reviewSections(rs, draft.flow, facts())) {
        for (const item of section.items)
          if (item.status !== "not_applicable")
            items.push({ value: item.question.id, label: clip(`${section.label} · ${item.question.raw.ask} — ${item.text}`, 76) });
      }
      const id = await prompter.choose("change", "Which answer do you want to change?", items, { canGoBack: true });
      if (id === BACK) continue;
      draft.flow = editAnswer(rs, draft.flow, id, facts());
      continue;
    }
    draft.flow = submit(rs, draft.flow, facts());
    return "submitted";
  }
}

function reviewText(session: Session): string {
  const { draft, facts } = session;
  const { rs, style } = session.deps;
  const lines = ["", style.heading("Review: the answers so far")];
  const stale: string[] = [];
  for (const section of reviewSections(rs, draft.flow, facts())) {
    const current = section.items.filter((i) => i.status !== "not_applicable");
    if (current.length > 0) lines.push("", style.bold(section.label));
    for (const item of current) {
      lines.push(...wrap(`${item.question.raw.ask} — ${style.ok(item.text)}`, "  ").map((l, i) => (i === 0 ? l : `  ${l}`)));
      const note = draft.flow.notes?.[item.question.id];
      if (note !== undefined) lines.push(...wrap(`note: ${inert(note)}`, "      "));
    }
    for (const item of section.items.filter((i) => i.status === "not_applicable")) stale.push(`  ${item.question.raw.ask} — ${item.text}`);
  }
  if (stale.length > 0) lines.push("", style.dim("No longer applies (kept, not used):"), ...stale.map((s) => style.dim(s)));
  const links = Object.entries(draft.links);
  if (links.length > 0)
    lines.push("", style.bold("Earlier referrals"), ...links.map(([ref, same]) => `  ${ref}: ${same ? "the same child" : "a different child"}`));
  lines.push("");
  return lines.join("\n");
}

function clip(s: string, width: number): string {
  return s.length <= width ? s : `${s.slice(0, width - 1)}…`;
}
