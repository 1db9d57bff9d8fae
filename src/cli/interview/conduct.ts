/**
 * The interview loop with every dependency passed in (tests drive it with the scripted prompter and
 * an in-memory draft store): questions and review, history with every answer, the decision card,
 * the worker's choice, then the record (part of src/cli/interview-session.ts).
 */
import { ANALYSIS_PENDING, ANALYSIS_QUESTION, BACK, effectiveAnswers, effectiveNotes } from "../../interview/flow.js";
import { evaluate } from "../../rules/evaluate.js";
import { formatInZone } from "../../rules/time.js";
import { cardParts } from "../render/decision.js";
import { decide } from "./decide.js";
import { newDraftState, type DraftState } from "./drafts.js";
import { identityStep } from "./identity-step.js";
import { choicesOf, type RecordInput, type SessionDeps, type SessionResult } from "./ports.js";
import { questionsAndReview } from "./questions.js";
import { openSession } from "./session.js";
import { recordUrgent } from "./urgent.js";

export async function conductInterview(deps: SessionDeps, initial: DraftState = newDraftState(deps.rs)): Promise<SessionResult> {
  const { rs, prompter, style } = deps;
  const s = openSession(deps, initial);
  const { draft, tz, facts } = s;

  // The review screen and the decision may send the worker back, so the phases are a loop.
  for (;;) {
    // 1. Questions (and the identity checkpoint) until the review screen is submitted.
    const submitted = await questionsAndReview(s);
    if (submitted === "saved") return { kind: "saved", draftId: deps.draftId };
    if (submitted === "urgent") {
      // Record now, finish the rest after (src/cli/interview/urgent.ts); Back returns to the questions.
      const urgent = await recordUrgent(s);
      if (urgent === BACK) continue;
      return urgent;
    }

    // 2. History with every answer (the referrer counts), then the decision.
    const answers = effectiveAnswers(rs, draft.flow, facts());
    if (deps.history && !(await identityStep(s, answers, true))) {
      draft.flow = { ...draft.flow, submitted: false };
      continue;
    }
    const now = deps.now();
    const decision = evaluate(rs, { answers, history: s.history, now: formatInZone(now, tz) });
    // The first screen goes last, right above the question of what to do with it.
    const card = cardParts(decision, style, rs, { unrecorded: deps.recorder ? "(not recorded yet)" : undefined });
    prompter.show(`\n${[...card.rest, "", style.dim("─".repeat(40)), ...card.first].join("\n")}\n`);

    const choice = await decide(s, decision);
    if (choice === BACK) {
      draft.flow = { ...draft.flow, submitted: false };
      continue;
    }
    if (!deps.recorder) {
      const result: SessionResult = { kind: "dry_run", decision, analysis: choice.analysis };
      if (choice.escalation) result.escalation = choice.escalation;
      if (choice.downgrade) result.downgrade = choice.downgrade;
      await deps.drafts.deleteDraft(deps.draftId);
      return result;
    }
    // The analysis question was asked once, after the outcome: its answer is the analysis.
    const withAnalysis = answers[ANALYSIS_QUESTION] === ANALYSIS_PENDING ? { ...answers, [ANALYSIS_QUESTION]: choice.analysis } : answers;
    const input: RecordInput = {
      answers: withAnalysis,
      now,
      choices: choicesOf(draft.links),
      analysis: choice.analysis,
      draftId: deps.draftId,
      notes: effectiveNotes(rs, draft.flow, facts()),
    };
    if (choice.escalation) input.escalation = choice.escalation;
    if (choice.downgrade) input.downgrade = choice.downgrade;
    const recorded = await deps.recorder.record(input);
    return { kind: "recorded", decision: recorded, logPath: deps.recorder.logPath, draftId: deps.draftId };
  }
}
