/**
 * `triage resume REF` for a referral recorded before its interview was finished (an urgent call):
 * asks only the questions left for later, re-runs the rules under the decision's rule set, shows
 * what changed and records it as a follow-up entry (src/cli/record.ts recordCompletion). An outcome
 * that rises is raised with it; one the rules would now put lower stays, and the worker is told how
 * to propose a downgrade (part of src/cli/interview-session.ts).
 */
import { ExitCode, TriageError } from "../../errors.js";
import {
  answerQuestion,
  BACK,
  derivedAnswer,
  effectiveAnswers,
  evaluateFollowUp,
  followUpFromAnswers,
  followUpState,
  formatAnswer,
  goBack,
  localDateTime,
  nextStep,
  PromptInterrupted,
  withNote,
  type FlowState,
  type Prompter,
} from "../../interview/flow.js";
import { askWithNotes } from "./notes.js";
import type { CompiledRuleSet } from "../../rules/compile.js";
import { formatInZone } from "../../rules/time.js";
import type { Decision, OutcomeRef } from "../../rules/types.js";
import type { Context } from "../context.js";
import { cardParts } from "../render/decision.js";
import { inert } from "../render/inert.js";
import { labelsFor } from "../render/labels.js";
import { makeStyle, type Style } from "../render/style.js";
import { localTime, wrap } from "../render/text.js";

/** What finishing needs: the referral as replayed, a prompter, the clock; and where to record. */
export interface FinishDeps {
  rs: CompiledRuleSet;
  ref: string;
  decision: Decision;
  /** The referral's outcome now (after any overrides): the follow-up never lowers it. */
  current: OutcomeRef;
  prompter: Prompter;
  style: Style;
  now: () => Date;
  record: (followUp: ReturnType<typeof evaluateFollowUp>, notes: Record<string, string>) => Promise<{ seq: number }>;
}

/** The follow-up loop with every dependency passed in (tests drive it with the scripted prompter). */
export async function finishInterview(deps: FinishDeps): Promise<{ seq: number; followUp: ReturnType<typeof evaluateFollowUp> } | "not_recorded"> {
  const { rs, decision, prompter, style } = deps;
  const tz = rs.officeHours.time_zone;
  const base = followUpState(rs, decision);
  const baseLength = base.asked.length;
  let flow: FlowState = base;
  const derived = new Set<string>();
  const today = decision.decided_at.slice(0, 10);
  // Notes on the answers given now (Tab at a question), checked as the interview checks them.
  let notes: FlowState = { answers: {}, asked: [] };
  const noteStore = {
    get: (id: string) => notes.notes?.[id],
    set: (id: string, text: string) => {
      notes = withNote(rs, notes, id, text);
    },
  };
  for (;;) {
    const step = nextStep(rs, flow, decision.history.facts);
    if (step.kind === "ask") {
      const q = step.question;
      const sofar = effectiveAnswers(rs, flow, decision.history.facts);
      const d = derivedAnswer(rs, q, sofar, today);
      if (d) {
        flow = answerQuestion(rs, flow, q.id, d.answer, decision.history.facts);
        derived.add(q.id);
        continue;
      }
      const left = decision.answers[q.id];
      const result = await askWithNotes(
        prompter,
        q,
        {
          previous: left === "unknown" || (Array.isArray(left) && left.length === 1 && left[0] === "unknown") ? undefined : left,
          progress: step.progress,
          canGoBack: flow.asked.length > baseLength,
          timeZone: tz,
          now: localDateTime(formatInZone(deps.now(), tz)),
        },
        noteStore,
      );
      if (result === BACK) {
        // Back goes no further than the first question left for later (and past derived answers).
        do flow = goBack(flow);
        while (flow.asked.length > baseLength && derived.has(flow.asked.at(-1)!));
        if (flow.asked.length < baseLength) flow = base;
        continue;
      }
      flow = answerQuestion(rs, flow, q.id, result, decision.history.facts);
      continue;
    }
    const followUp = evaluateFollowUp(rs, decision, deps.current, flow);
    prompter.show(summary(rs, deps.ref, followUp, style));
    const what = await prompter.choose(
      "finish",
      "Record these answers?",
      [
        { value: "record", label: `Record the answers for ${deps.ref}` },
        { value: "later", label: "Not now (nothing is recorded)" },
      ],
      { canGoBack: true },
    );
    if (what === BACK) {
      if (flow.asked.length > baseLength) flow = goBack(flow);
      continue;
    }
    if (what === "later") return "not_recorded";
    const given = Object.fromEntries(Object.entries(notes.notes ?? {}).filter(([id]) => followUp.answers[id] !== undefined));
    const { seq } = await deps.record(followUp, given);
    return { seq, followUp };
  }
}

function summary(rs: CompiledRuleSet, ref: string, f: ReturnType<typeof evaluateFollowUp>, style: Style): string {
  const labels = labelsFor(rs);
  const out = ["", style.heading(`The answers left for later (${ref})`)];
  for (const [id, a] of Object.entries(f.answers)) {
    const q = rs.questions[rs.questionIndex.get(id)!]!;
    out.push(...wrap(`${labels.question(id)} — ${style.ok(inert(formatAnswer(q, a)))}`, "  ").map((l, i) => (i === 0 ? l : `  ${l}`)));
  }
  out.push("");
  if (f.after.level > f.before.level) {
    out.push(style.bad(`The outcome rises: ${f.before.label} → ${f.after.label}. It will be recorded as raised.`));
    const card = cardParts({ ...f.decision, outcome: f.after }, style, rs, { unrecorded: `${ref} (follow-up, not recorded yet)` });
    out.push("", ...card.first);
  } else if (f.lower) {
    out.push(
      ...wrap(
        `With these answers the rules would now give ${f.lower.label}, lower than ${f.before.label}. The outcome stays ${f.before.label}: lowering it needs a proposed downgrade (triage override ${ref} --to ${f.lower.id} --reason …) and a manager's agreement.`,
        "",
      ).map((l) => style.warn(l)),
    );
  } else out.push(`The outcome stays ${f.before.label}.`);
  if (f.stepsAdded.length > 0) {
    out.push("", style.heading("Steps these answers add"));
    for (const s of f.stepsAdded) out.push(...wrap(`${s.text.replace(/\s+/g, " ")}${s.due_by ? ` — by ${localTime(s.due_by)}` : ""}`, "  "));
  }
  if (f.stillUnknown.length > 0) out.push("", ...wrap(`Still not known: ${f.stillUnknown.map((id) => labels.question(id)).join("; ")}`, ""));
  out.push("");
  return out.join("\n");
}

/** `triage resume REF`: finish the questions an urgent decision left for later, in a terminal. */
export async function finishReferral(ctx: Context, ref: string): Promise<void> {
  const { requireTerminal, terminalPrompter } = await import("./wiring.js");
  requireTerminal(ctx, "triage resume");
  const { loadReferral, openStore, recordCompletion } = await import("../record.js");
  const store = await openStore(ctx);
  try {
    const { state, rs } = await loadReferral(store, ref);
    const decision = state.decision;
    refuseUnlessLeft(ctx, ref, state);
    const controller = new AbortController();
    const prompter = await terminalPrompter(ctx, controller.signal);
    const style = makeStyle(ctx.color);
    const tz = rs.officeHours.time_zone;
    ctx.out(inert(`Finishing ${ref}: ${decision.left_for_later?.length ?? 0} question(s) left for later (now "not known"). Esc goes back.`));
    let result: Awaited<ReturnType<typeof finishInterview>>;
    try {
      result = await finishInterview({
        rs,
        ref,
        decision,
        current: state.outcome,
        prompter,
        style,
        now: () => ctx.now(tz),
        record: (followUp, notes) => recordCompletion(ctx, store, rs, ref, followUp, ctx.now(tz), notes),
      });
    } catch (error) {
      if (error instanceof PromptInterrupted)
        throw new TriageError(`Interrupted: nothing recorded; finish later with ${ctx.self()} resume ${ref}`, ExitCode.Interrupted);
      throw error;
    }
    if (result === "not_recorded") {
      ctx.out(`Nothing recorded; finish later with ${ctx.self()} resume ${ref}`);
      return;
    }
    const f = result.followUp;
    ctx.out(
      inert(
        `Recorded the answers left for later as entry #${result.seq} about ${ref}; outcome ${f.after.level > f.before.level ? `raised to ${f.after.label}` : `stays ${f.before.label}`}.`,
      ),
    );
  } finally {
    await store.close();
  }
}

/**
 * `triage resume REF --answers FILE`: the questions left for later answered from a file, without a
 * terminal. The same follow-up as the interview's (evaluateFollowUp, recordCompletion); `--json`
 * prints the entry recorded.
 */
export async function finishFromAnswers(ctx: Context, ref: string, path: string): Promise<void> {
  const { loadReferral, openStore, recordCompletion } = await import("../record.js");
  const { located, readAnswersMap } = await import("../answers-file.js");
  const store = await openStore(ctx);
  try {
    const { state, rs } = await loadReferral(store, ref);
    const decision = state.decision;
    refuseUnlessLeft(ctx, ref, state);
    const file = await readAnswersMap(rs, path);
    const read = followUpFromAnswers(rs, decision, file.map);
    if (!read.ok) throw await located(file.file, file.yaml, file.prefix, rs, read.problems);
    for (const id of read.ignored) ctx.err(inert(`warning: the answer to "${id}" is not used: it was not left for later`));
    const tz = rs.officeHours.time_zone;
    const followUp = evaluateFollowUp(rs, decision, state.outcome, read.state);
    const now = ctx.now(tz);
    const { seq } = await recordCompletion(ctx, store, rs, ref, followUp, now, file.notes);
    if (ctx.json) {
      const entry = (await store.eventsFor(ref)).find((e) => e.seq === seq);
      ctx.out(JSON.stringify(entry, null, 2));
      return;
    }
    ctx.out(summary(rs, ref, followUp, makeStyle(ctx.color)));
    ctx.out(
      inert(
        `Recorded the answers left for later as entry #${seq} about ${ref}; outcome ${followUp.after.level > followUp.before.level ? `raised to ${followUp.after.label}` : `stays ${followUp.before.label}`}.`,
      ),
    );
  } finally {
    await store.close();
  }
}

/** Only a referral recorded with questions left for later, and not yet finished, has anything to finish. */
function refuseUnlessLeft(ctx: Context, ref: string, state: { decision: Decision; completions: { by: string; at: string; seq: number }[] }): void {
  if (!state.decision.left_for_later || state.decision.left_for_later.length === 0)
    throw new TriageError(
      `${ref} was recorded with every question answered: there is nothing left for later`,
      ExitCode.Usage,
      `\`${ctx.self()} resume\` without a reference lists unfinished interviews`,
    );
  const done = state.completions[0];
  if (done) throw new TriageError(`the questions ${ref} left for later were answered by ${done.by} ${localTime(done.at)} (entry #${done.seq})`, ExitCode.Usage);
}
