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
import { renderCard } from "../record.js";

export async function run(ctx: Context, _args: string[], options: Record<string, unknown>): Promise<void> {
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
  const input = await readAnswersFile(rs, String(options.answers), options.unanswered === "unknown" ? "unknown" : "error");
  const now = ctx.nowIsFixed || !input.now ? ctx.now(tz) : parseNow(input.now, tz);
  if (options.dryRun === true) {
    const decision = evaluate(rs, { answers: input.answers, now: formatInZone(now, tz), warnings: input.warnings });
    if (ctx.json) ctx.out(JSON.stringify(decision, null, 2));
    else ctx.out(await renderCard(ctx, decision, rs.outcomes.length));
    return;
  }
  const { recordFromAnswers } = await import("../record.js");
  await recordFromAnswers(ctx, rs, input, now, options);
}
