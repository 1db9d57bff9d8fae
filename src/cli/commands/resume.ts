/**
 * `triage resume [DRAFT]`: unfinished interviews. Without an id it lists them — who, when, which
 * child, how far — (`--json` for the same as data) and, in a terminal, offers to continue one;
 * with an id it continues that one where it stopped. With a referral's reference (TRG-…) it finishes
 * the questions an urgent decision left for later, as a follow-up entry about that referral.
 */
import { existsSync } from "node:fs";
import { ExitCode, TriageError } from "../../errors.js";
import { redactUrl } from "../../log/pg-errors.js";
import type { Context } from "../context.js";
import { parseDraftState, resumeInterview, type DraftRecord } from "../interview-session.js";
import { makeStyle } from "../render/style.js";
import { localTime, table } from "../render/text.js";
import { inertLine } from "../render/inert.js";

export interface DraftSummary {
  id: string;
  created_by: string;
  created_at: string;
  updated_at: string;
  child: string | null;
  stage: "questions" | "review" | "unreadable";
  answered: number;
  total: number;
  rule_set: { id: string; version: string; sha256: string };
}

export function summarise(d: DraftRecord): DraftSummary {
  const s = parseDraftState(d.state);
  return {
    id: d.id,
    created_by: d.createdBy,
    created_at: d.createdAt,
    updated_at: d.updatedAt,
    child: s?.child ?? null,
    stage: s ? s.stage : "unreadable",
    answered: s?.progress.answered ?? 0,
    total: s?.progress.total ?? 0,
    rule_set: { id: s?.ruleSet.id ?? "?", version: s?.ruleSet.version ?? "?", sha256: d.ruleSetSha256 },
  };
}

async function listDrafts(ctx: Context): Promise<DraftSummary[]> {
  const { isServerLog, openStore } = await import("../record.js");
  if (!isServerLog(ctx) && !existsSync(ctx.dbPath)) return [];
  const store = await openStore(ctx, { readonly: true });
  try {
    return (await store.listDrafts()).map(summarise);
  } finally {
    await store.close();
  }
}

export async function run(ctx: Context, args: string[], options: { answers?: string }): Promise<void> {
  const id = args[0];
  // A referral's reference: finish the questions an urgent decision left for later (src/cli/interview/finish.ts).
  if (id !== undefined && /^TRG-\d{4}-\d+$/i.test(id)) {
    const finish = await import("../interview/finish.js");
    return options.answers !== undefined ? finish.finishFromAnswers(ctx, id.toUpperCase(), options.answers) : finish.finishReferral(ctx, id.toUpperCase());
  }
  if (options.answers !== undefined)
    throw new TriageError("--answers goes with a referral's reference (TRG-…): it answers the questions left for later", ExitCode.Usage);
  if (id !== undefined && id !== "") return resumeInterview(ctx, id);
  const drafts = await listDrafts(ctx);
  if (ctx.json) {
    ctx.out(JSON.stringify(drafts, null, 2));
    return;
  }
  if (drafts.length === 0) {
    ctx.out(`No unfinished interviews in ${redactUrl(ctx.dbPath)}.`);
    return;
  }
  const style = makeStyle(ctx.color);
  const rows = drafts.map((d) =>
    [
      d.id,
      d.created_by,
      localTime(d.updated_at),
      d.child ?? "(no name yet)",
      d.stage === "review" ? "at review" : d.stage === "unreadable" ? "unreadable" : `${d.answered} of ${d.total} answered`,
    ].map(inertLine),
  );
  ctx.out(table(["DRAFT", "WHO", "LAST SAVED", "CHILD", "HOW FAR"], rows, style));
  if (ctx.stdinIsTTY && ctx.stdoutIsTTY) {
    ctx.out("");
    return resumeInterview(ctx);
  }
  ctx.out(`\nContinue one with: ${ctx.self()} resume ${drafts[0]!.id}`);
}
