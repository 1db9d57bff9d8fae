import { ExitCode } from "../../errors.js";
import type { Context } from "../context.js";
import { loadValidRuleSet } from "../rules-loader.js";
import { inert } from "../render/inert.js";

export async function run(ctx: Context, args: string[]): Promise<void> {
  const file = args[0] ?? ctx.rulesPath;
  // A broken rule file is this command's finding (exit 1), not a usage error.
  const valid = await loadValidRuleSet(ctx, file, ExitCode.Findings);
  const r = valid.raw;
  const summary = {
    file,
    id: r.id,
    version: r.version,
    sha256: valid.sha256,
    questions: r.questions.length,
    rules: r.rules.length,
    guards: r.guards.length,
    outcomes: r.outcomes.length,
    thresholds: Object.keys(r.thresholds).length,
    invariants: r.invariants.length,
  };
  if (ctx.json) ctx.out(JSON.stringify({ ok: true, ...summary }, null, 2));
  else
    ctx.out(
      inert(
        `${file}: valid — ${r.id} ${r.version}, ${summary.questions} questions, ${summary.rules} rules, ${summary.guards} guard(s), ${summary.outcomes} outcomes, ${summary.thresholds} thresholds, ${summary.invariants} invariants (sha256 ${valid.sha256.slice(0, 12)})`,
      ),
    );
}
