/**
 * `triage new`: the guided interview in a terminal, or `--answers FILE` for the non-interactive path.
 * Both end in the same place: evaluate with the child's history, show the card, record the decision.
 */
import { ExitCode, TriageError } from "../../errors.js";
import { evaluate } from "../../rules/evaluate.js";
import { formatInZone } from "../../rules/time.js";
import { readAnswersFile } from "../answers-file.js";
import { parseNow, type Context } from "../context.js";
import { loadRules } from "../rules-loader.js";
import { renderCard, type AnswersOptions } from "../record.js";

/** `triage new [--answers FILE] [--dry-run] [--unanswered MODE] [--finish-later] …`, as src/cli/program.ts declares it. */
export interface NewOptions extends AnswersOptions {
  answers?: string;
  dryRun?: boolean;
  unanswered?: "error" | "unknown";
  finishLater?: boolean;
}

export async function run(ctx: Context, _args: string[], options: NewOptions): Promise<void> {
  if (options.answers === undefined) {
    if (!ctx.stdinIsTTY || !ctx.stdoutIsTTY) {
      throw new TriageError(
        "triage new needs a terminal for the guided interview; without one, pass --answers FILE (or --answers - to read standard input)",
        ExitCode.Usage,
      );
    }
    const { runInterview } = await import("../interview-session.js");
    return runInterview(ctx, { dryRun: options.dryRun === true });
  }
  // A dry run may use any rule file; recording uses the log's rule set in force, or an approved --rules file.
  const rs = options.dryRun === true ? await loadRules(ctx) : await (await import("../governance.js")).rulesForRecording(ctx);
  const tz = rs.officeHours.time_zone;
  const finishLater = options.finishLater === true;
  if (finishLater && options.dryRun === true) throw new TriageError("--finish-later records a decision: it cannot be used with --dry-run", ExitCode.Usage);
  // Finishing later reads the questions left out as "not known", exactly as --unanswered unknown does.
  const input = await readAnswersFile(rs, options.answers, options.unanswered === "unknown" || finishLater ? "unknown" : "error");
  const now = ctx.nowIsFixed || !input.now ? ctx.now(tz) : parseNow(input.now, tz);
  if (options.dryRun === true) {
    // A dry run reads the child's history (read-only) when the log exists: it must not decide lower
    // than recording the same referral would.
    const { dryRunHistory } = await import("../record.js");
    const { history, note } = await dryRunHistory(ctx, rs, input.answers, now, { confirm: new Set(options.link), reject: new Set(options.rejectLink) });
    // Said on stderr for people; --json carries the history itself and keeps stderr clean for scripts.
    if (!ctx.json) ctx.err(note);
    const warnings = [...input.warnings];
    const unresolved = history?.possible_matches.filter((m) => m.confirmed === undefined) ?? [];
    if (unresolved.length > 0)
      warnings.push(
        `possible earlier referral(s) about this child not confirmed or rejected: ${unresolved.map((m) => m.ref).join(", ")} (use --link REF or --no-link REF)`,
      );
    const decision = evaluate(rs, { answers: input.answers, ...(history ? { history } : {}), now: formatInZone(now, tz), warnings });
    if (ctx.json) ctx.out(JSON.stringify(decision, null, 2));
    else await ctx.page(await renderCard(ctx, decision, rs));
    return;
  }
  const { recordFromAnswers } = await import("../record.js");
  if (finishLater) {
    const { urgentFromAnswers } = await import("../../interview/flow/urgent.js");
    const urgent = urgentFromAnswers(rs, input.answers, input.written, formatInZone(now, tz));
    if (!urgent.ok) throw new TriageError(urgent.refusal, ExitCode.Usage, "answer every question, or use --unanswered unknown to record the rest as not known");
    return recordFromAnswers(ctx, rs, { ...input, answers: urgent.answers, warnings: [] }, now, options, urgent.leftForLater);
  }
  await recordFromAnswers(ctx, rs, input, now, options);
}
