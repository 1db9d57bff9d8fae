/**
 * Urgent calls first, in the terminal (the pure part is src/interview/flow/urgent.ts): the offer to
 * record the decision now and finish the rest after, and recording it — the questions not yet asked
 * answered "not known", those that cannot be asked first, then the card, the worker's choice and the
 * record with its step to finish the interview (part of src/cli/interview-session.ts).
 */
import {
  ANALYSIS_PENDING,
  ANALYSIS_QUESTION,
  answerQuestion,
  BACK,
  effectiveAnswers,
  effectiveNotes,
  FINISH_WITHIN_HOURS,
  leaveForLater,
  localDateTime,
  nextStep,
  urgentOffer,
  withLeftForLater,
} from "../../interview/flow.js";
import { evaluate } from "../../rules/evaluate.js";
import { formatInZone } from "../../rules/time.js";
import { cardParts } from "../render/decision.js";
import { labelsFor } from "../render/labels.js";
import { wrap } from "../render/text.js";
import { decide } from "./decide.js";
import { identityStep } from "./identity-step.js";
import { askWithNotes } from "./notes.js";
import { choicesOf, type RecordInput, type SessionResult } from "./ports.js";
import type { Session } from "./session.js";

/**
 * Offers "record the decision now, finish the rest after" when the answers so far hold a hard floor
 * at strategy discussion or above, once per floor (again only if it rises). Only when recording: a
 * dry run has nothing to record. True when the worker chose to record now.
 */
export async function offerUrgent(s: Session): Promise<boolean> {
  const { deps, draft } = s;
  const { rs, prompter, style } = deps;
  if (!deps.recorder) return false;
  const offer = urgentOffer(rs, draft.flow, s.nowIso(), s.history);
  if (!offer || offer.hardFloor.level <= s.urgentOfferedAt) return false;
  s.urgentOfferedAt = offer.hardFloor.level;
  const labels = labelsFor(rs);
  const why = offer.rules.map((id) => labels.rule(id)).join("; ");
  prompter.show(
    wrap(
      `Urgent: the answers so far already hold a hard floor at ${offer.hardFloor.label} (${why}). You can record the decision now — the questions not yet asked count as "not known", the worst case — and finish them after the call.`,
      "",
    )
      .map((l) => style.bad(l))
      .join("\n"),
  );
  const choice = await prompter.choose(
    "urgent",
    "Record the decision now?",
    [
      { value: "continue", label: "Carry on with the questions" },
      { value: "record", label: "Record the decision now, finish the rest after" },
    ],
    { canGoBack: true },
  );
  return choice === "record";
}

/**
 * Records an urgent call's decision with the questions not yet asked as "not known". Returns BACK
 * when the worker steps back (to the questions, where they were).
 */
export async function recordUrgent(s: Session): Promise<SessionResult | typeof BACK> {
  const { deps, draft, tz, facts, nowIso } = s;
  const { rs, prompter, style } = deps;
  const recorder = deps.recorder!;
  // Questions that cannot be "not known" are asked now (in the shipped rules: whether a closure is proposed).
  let ready;
  for (;;) {
    const left = leaveForLater(rs, draft.flow, nowIso().slice(0, 10), s.history);
    if (left.kind === "ready") {
      ready = left;
      break;
    }
    const q = left.question;
    prompter.show(style.dim(`Needed before recording (it cannot be "not known"):`));
    const step = nextStep(rs, { answers: draft.flow.answers, asked: draft.flow.asked }, facts());
    const result = await askWithNotes(
      prompter,
      q,
      {
        previous: draft.flow.answers[q.id],
        ...(step.kind === "ask" && step.question.id === q.id ? { progress: step.progress } : {}),
        canGoBack: true,
        timeZone: tz,
        now: localDateTime(nowIso()),
      },
      s.noteStore,
    );
    if (result === BACK) return BACK;
    draft.flow = answerQuestion(rs, draft.flow, q.id, result, facts());
    await s.save();
  }
  const answers = effectiveAnswers(rs, ready.state, facts());
  if (!(await identityStep(s, answers, true))) return BACK;
  const now = deps.now();
  const decision = withLeftForLater(rs, evaluate(rs, { answers, history: s.history, now: formatInZone(now, tz) }), ready.leftForLater);
  const card = cardParts(decision, style, rs, { unrecorded: "(not recorded yet)" });
  prompter.show(`\n${[...card.rest, "", style.dim("─".repeat(40)), ...card.first].join("\n")}\n`);
  prompter.show(
    style.dim(
      `${ready.leftForLater.length} question(s) left for later, counted as "not known"; finishing them is a step due within ${FINISH_WITHIN_HOURS} hours.`,
    ),
  );
  const choice = await decide(s, decision);
  if (choice === BACK) return BACK;
  const withAnalysis = answers[ANALYSIS_QUESTION] === ANALYSIS_PENDING ? { ...answers, [ANALYSIS_QUESTION]: choice.analysis } : answers;
  const input: RecordInput = {
    answers: withAnalysis,
    now,
    choices: choicesOf(draft.links),
    analysis: choice.analysis,
    draftId: deps.draftId,
    leftForLater: ready.leftForLater,
    notes: effectiveNotes(rs, ready.state, facts()),
  };
  if (choice.escalation) input.escalation = choice.escalation;
  if (choice.downgrade) input.downgrade = choice.downgrade;
  const recorded = await recorder.record(input);
  return { kind: "recorded", decision: recorded, logPath: recorder.logPath, draftId: deps.draftId };
}
