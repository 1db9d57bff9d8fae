/**
 * The guided interview's imperative shell: `triage new` in a terminal and `triage resume`.
 *
 * The pure flow (src/interview/flow.ts) says what to ask; this loop asks it through a Prompter,
 * saves the draft after every answer (docs/architecture.md, principle 6), looks up earlier referrals once the
 * child's name and date of birth are known (principle 4), shows the review screen and the decision
 * card, takes the worker's accept / escalate / downgrade and analysis, and records. Ctrl-C, SIGHUP
 * and SIGTERM leave the draft and exit 130 with the command that continues it.
 *
 * `conductInterview` is the loop with every dependency passed in (tests drive it with the scripted
 * prompter and an in-memory draft store); `runInterview` and `resumeInterview` wire it to the
 * terminal, the rule file and the log.
 *
 * This module holds the entry points; the parts live in src/cli/interview/: drafts.ts (drafts and
 * their store), ports.ts (the seams to the log, the loop's dependencies and result), session.ts
 * (one interview in progress), questions.ts (the questions and the review screen),
 * identity-step.ts (earlier referrals), decide.ts (accept / escalate / downgrade and analysis),
 * conduct.ts (the loop) and wiring.ts (terminal, rule file, log).
 */
import { ExitCode, TriageError } from "../errors.js";
import { BACK, PromptInterrupted, revalidate, type Choice } from "../interview/flow.js";
import type { CompiledRuleSet } from "../rules/compile.js";
import { NO_HISTORY } from "../rules/types.js";
import type { Context } from "./context.js";
import { draftLine, parseDraftState, type DraftRecord, type DraftState } from "./interview/drafts.js";
import { drive, requireTerminal, terminalPrompter } from "./interview/wiring.js";
import { localTime } from "./render/text.js";
import { inert } from "./render/inert.js";

export { conductInterview } from "./interview/conduct.js";
export {
  DRAFT_FORMAT,
  draftLine,
  MemoryDraftStore,
  newDraftId,
  newDraftState,
  parseDraftState,
  type DraftRecord,
  type DraftState,
  type DraftStore,
} from "./interview/drafts.js";
export {
  InterviewInterrupted,
  type HistoryPort,
  type LinkChoices,
  type RecordInput,
  type RecorderPort,
  type SessionDeps,
  type SessionResult,
} from "./interview/ports.js";

/** `triage new` without --answers: a new guided interview. */
export async function runInterview(ctx: Context, options: { dryRun: boolean }): Promise<void> {
  requireTerminal(ctx, "triage new");
  // A dry run may use any rule file; recording only the log's approved ones.
  const rs = options.dryRun ? await (await import("./rules-loader.js")).loadRules(ctx) : await (await import("./governance.js")).rulesForRecording(ctx);
  await drive(ctx, rs, { dryRun: options.dryRun });
}

/** Fits a saved draft to the current rule set, saying what changed when the rule set is not the one it was started under. */
export function prepareResume(rs: CompiledRuleSet, draft: DraftRecord): { state: DraftState; notes: string[] } {
  const parsed = parseDraftState(draft.state);
  if (!parsed) throw new TriageError(`draft ${draft.id} is not an interview this version of triage can continue`, ExitCode.Usage);
  const notes: string[] = [];
  const changed = draft.ruleSetSha256 !== rs.sha256;
  const fitted = revalidate(rs, parsed.flow, NO_HISTORY, { reachedReview: parsed.stage === "review" });
  if (changed) {
    notes.push(
      `This draft was started under rules ${parsed.ruleSet.id} ${parsed.ruleSet.version} (${draft.ruleSetSha256.slice(0, 12)}); the current rules are ${rs.id} ${rs.version} (${rs.sha256.slice(0, 12)}).`,
    );
    notes.push(...(fitted.changes.length > 0 ? fitted.changes.map((c) => `  • ${c}`) : ["  The answers so far still fit; nothing to change."]));
  }
  return { state: { ...parsed, flow: fitted.state, ruleSet: { id: rs.id, version: rs.version } }, notes };
}

/** `triage resume [DRAFT]`: continue a saved interview (without an id, choose one). */
export async function resumeInterview(ctx: Context, draftId?: string): Promise<void> {
  requireTerminal(ctx, "triage resume");
  const { rulesForRecording } = await import("./governance.js");
  const rs = await rulesForRecording(ctx);
  const { openStore } = await import("./record.js");
  const store = await openStore(ctx);
  let draft: DraftRecord | undefined;
  try {
    if (draftId === undefined) {
      const drafts = await store.listDrafts();
      if (drafts.length === 0) {
        ctx.out("No unfinished interviews.");
        return;
      }
      const controller = new AbortController();
      const prompter = await terminalPrompter(ctx, controller.signal);
      const choices: Choice<string>[] = drafts.map((d) => ({ value: d.id, label: draftLine(d) }));
      let picked: string | typeof BACK;
      try {
        picked = await prompter.choose("draft", "Continue which interview?", [...choices, { value: "", label: "None for now" }]);
      } catch (error) {
        if (error instanceof PromptInterrupted) throw new TriageError("Interrupted", ExitCode.Interrupted);
        throw error;
      }
      if (picked === BACK || picked === "") return;
      draftId = picked;
    }
    draft = await store.getDraft(draftId);
    if (!draft) throw new TriageError(`there is no unfinished interview ${draftId} in ${store.path}`, ExitCode.Usage, "`triage resume` lists them");
  } finally {
    await store.close();
  }
  const { state, notes } = prepareResume(rs, draft);
  ctx.out(inert(`Continuing draft ${draft.id}${state.child ? ` (${state.child})` : ""}, started by ${draft.createdBy} ${localTime(draft.createdAt)}.`));
  for (const n of notes) ctx.out(inert(n));
  await drive(ctx, rs, { dryRun: false, draftId: draft.id, initial: state, alreadySaved: true });
}
