/**
 * Wiring the interview loop to the terminal, the rule file and the log, and driving it: Ctrl-C,
 * SIGHUP and SIGTERM leave the draft and exit 130 with the command that continues it (part of
 * src/cli/interview-session.ts).
 */
import { ExitCode, TriageError } from "../../errors.js";
import { PromptInterrupted, type Prompter } from "../../interview/flow.js";
import type { CompiledRuleSet } from "../../rules/compile.js";
import type { Context } from "../context.js";
import { makeStyle } from "../render/style.js";
import { conductInterview } from "./conduct.js";
import { MemoryDraftStore, newDraftId, type DraftState } from "./drafts.js";
import { InterviewInterrupted, type HistoryPort, type RecorderPort, type SessionDeps, type SessionResult } from "./ports.js";
import { inert } from "../render/inert.js";
import { localTime } from "../render/text.js";
import { FINISH_STEP } from "../../workflow/events.js";

// ---------------------------------------------------------------------------------------------
// Wiring: terminal, rule file, log

interface Wiring {
  deps: SessionDeps;
  dryRun: boolean;
  close(): Promise<void>;
}

async function openPorts(ctx: Context, rs: CompiledRuleSet, dryRun: boolean, prompter: Prompter, draftId: string | undefined): Promise<Wiring> {
  const style = makeStyle(ctx.color);
  const now = () => ctx.now(rs.officeHours.time_zone);
  if (dryRun) {
    const drafts = new MemoryDraftStore();
    const base = { rs, prompter, drafts, draftId: draftId ?? (await newDraftId()), user: ctx.user, now, style };
    // A dry run reads earlier referrals read-only when the log exists, so it never decides lower
    // than the recording would (issue 13 a); without a log it says history is not counted.
    const { existsSync } = await import("node:fs");
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(ctx.dbPath) && !existsSync(ctx.dbPath)) {
      prompter.show(style.dim(`Dry run: no decision log at ${ctx.dbPath}, so earlier referrals are not counted.`));
      return { deps: base, dryRun, close: async () => {} };
    }
    const record = await import("../record.js");
    const store = await record.openStore(ctx, { readonly: true });
    prompter.show(style.dim(`Dry run: earlier referrals are read from ${store.path} (read-only).`));
    const history: HistoryPort = { lookup: (answers, receivedAt, choices) => record.lookupHistory(store, rs, answers, receivedAt, choices) };
    return { deps: { ...base, history }, dryRun, close: () => store.close() };
  }
  const record = await import("../record.js");
  const store = await record.openStore(ctx);
  const history: HistoryPort = { lookup: (answers, receivedAt, choices) => record.lookupHistory(store, rs, answers, receivedAt, choices) };
  const recorder: RecorderPort = {
    logPath: store.path,
    // The analysis rides along for record.ts to store with the decision.
    record: (input) => record.recordDecision(ctx, rs, store, { ...input, warnings: [] }),
  };
  return {
    deps: {
      rs,
      prompter,
      drafts: store,
      draftId: draftId ?? (await newDraftId(async (id) => (await store.getDraft(id)) !== undefined)),
      user: ctx.user,
      now,
      style,
      history,
      recorder,
    },
    dryRun,
    close: () => store.close(),
  };
}

/** Interrupts the prompt on SIGHUP/SIGTERM (the draft is already saved), instead of dying mid-write. */
function trapSignals(controller: AbortController): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    // The terminal may be gone: never let a failed write turn into a crash.
    process.stdout.on("error", () => {});
    process.stderr.on("error", () => {});
    controller.abort(signal);
  };
  process.on("SIGHUP", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    process.off("SIGHUP", onSignal);
    process.off("SIGTERM", onSignal);
  };
}

export async function terminalPrompter(ctx: Context, signal: AbortSignal): Promise<Prompter> {
  const { InquirerPrompter } = await import("./prompter.js");
  return new InquirerPrompter({ style: makeStyle(ctx.color), signal });
}

export function requireTerminal(ctx: Context, what: string): void {
  if (!ctx.stdinIsTTY || !ctx.stdoutIsTTY)
    throw new TriageError(`${what} needs a terminal for the guided interview`, ExitCode.Usage, "run it in a terminal, or use `triage new --answers FILE`");
}

export async function drive(
  ctx: Context,
  rs: CompiledRuleSet,
  options: { dryRun: boolean; draftId?: string; initial?: DraftState; alreadySaved?: boolean },
): Promise<void> {
  const controller = new AbortController();
  const untrap = trapSignals(controller);
  const prompter = await terminalPrompter(ctx, controller.signal);
  let wiring: Wiring | undefined;
  try {
    wiring = await openPorts(ctx, rs, options.dryRun, prompter, options.draftId);
    const { deps } = wiring;
    if (!options.initial && !options.dryRun)
      prompter.show(makeStyle(ctx.color).dim(`New referral · draft ${deps.draftId}, saved after every answer · Esc or "← Back": back`));
    if (options.dryRun) prompter.show(makeStyle(ctx.color).dim("Dry run: nothing will be recorded or saved."));
    let result: SessionResult;
    try {
      result = await conductInterview(deps, options.initial);
    } catch (error) {
      if (!(error instanceof PromptInterrupted)) throw error;
      const saved = !options.dryRun && (options.alreadySaved === true || (await deps.drafts.getDraft(deps.draftId)) !== undefined);
      const message = options.dryRun ? "Interrupted (dry run: nothing was saved)" : new InterviewInterrupted(deps.draftId, saved).message;
      throw new TriageError(message, ExitCode.Interrupted);
    }
    if (result.kind === "saved") {
      ctx.out(`Draft ${result.draftId} saved; continue with: ${ctx.self()} resume ${result.draftId}`);
      return;
    }
    if (result.kind === "dry_run") {
      const parts = [`Dry run: not recorded. Outcome ${result.decision.outcome.label}`];
      if (result.escalation) parts.push(`escalation to ${result.escalation.to} (${result.escalation.reason})`);
      if (result.downgrade) parts.push(`proposed downgrade to ${result.downgrade.to}, pending a manager (${result.downgrade.reason})`);
      ctx.out(inert(parts.join("; ")));
      return;
    }
    ctx.out(inert(`Recorded as ${result.decision.ref} (outcome: ${result.decision.outcome.label}) in ${result.logPath}`));
    const left = result.decision.left_for_later ?? [];
    if (left.length > 0) {
      const due = result.decision.steps.find((x) => x.id === FINISH_STEP)?.due_by;
      ctx.out(
        inert(
          `${left.length} question(s) left for later${due ? `, due by ${localTime(due)}` : ""}: finish them with ${ctx.self()} resume ${result.decision.ref}`,
        ),
      );
    }
  } finally {
    untrap();
    await wiring?.close();
  }
}
