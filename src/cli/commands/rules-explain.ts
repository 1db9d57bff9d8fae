import { TriageError } from "../../errors.js";
import { explain } from "../../rules/explain.js";
import { formatInZone } from "../../rules/time.js";
import { readAnswersFile } from "../answers-file.js";
import { parseNow, type Context } from "../context.js";
import { renderDecision } from "../render/decision.js";
import { inertDeep } from "../render/inert.js";
import { renderExplanation } from "../render/explain.js";
import { makeStyle } from "../render/style.js";
import { loadRules } from "../rules-loader.js";

/** `triage rules explain [ANSWERS] [--ref REF] [--unanswered MODE]` and the global --rules, as src/cli/program.ts declares them. */
export interface ExplainOptions {
  ref?: string;
  unanswered?: "error" | "unknown";
  /** The global --rules FILE given on this command line. */
  rules?: string | undefined;
}

export async function run(ctx: Context, args: string[], options: ExplainOptions): Promise<void> {
  if (options.ref !== undefined) {
    const { explainLogged } = await import("./rules-explain-ref.js");
    // Only a --rules given on this command line is compared with; TRIAGE_RULES is not.
    return explainLogged(ctx, options.ref, { rules: options.rules });
  }
  const file = args[0];
  if (!file) throw new TriageError("rules explain needs an answers file (or --ref REF for a logged decision)");
  const rs = await loadRules(ctx);
  const tz = rs.officeHours.time_zone;
  const input = await readAnswersFile(rs, file, options.unanswered ?? "error");
  const now = ctx.nowIsFixed || !input.now ? ctx.now(tz) : parseNow(input.now, tz);
  const explanation = explain(rs, { answers: input.answers, now: formatInZone(now, tz), warnings: input.warnings });
  if (ctx.json) {
    ctx.out(JSON.stringify({ ...explanation.decision, explanation: { rules: explanation.rules, guards: explanation.guards } }, null, 2));
    return;
  }
  const style = makeStyle(ctx.color);
  await ctx.page(`${renderDecision(explanation.decision, style, rs)}\n\n${renderExplanation(inertDeep(explanation), style)}`);
}
