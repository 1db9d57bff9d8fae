import { ExitCode } from "../../errors.js";
import { LIMITS, readText } from "../../files.js";
import type { Context } from "../context.js";
import { openStore } from "../record.js";
import { inert } from "../render/inert.js";

export async function run(ctx: Context, _args: string[], options: { anchor?: string }): Promise<void> {
  const { verifyLog, parseAnchor } = await import("../../log/verify.js");
  const anchor = options.anchor !== undefined ? parseAnchor(readText(options.anchor, "anchor file", LIMITS.anchorFileBytes), options.anchor) : undefined;
  const store = await openStore(ctx, { readonly: true });
  try {
    // By default, with an anchor folder set, the log's anchor there (src/cli/anchor-dir.ts); --anchor FILE wins.
    const { anchorForVerify } = await import("../anchor-dir.js");
    const fromDir = anchor === undefined && ctx.anchorDir !== undefined ? await anchorForVerify(ctx.anchorDir, store) : undefined;
    const result = await verifyLog(store, { anchor: anchor ?? fromDir?.anchor });
    if (fromDir?.finding !== undefined) Object.assign(result, { ok: false, anchor: { matches: false, reason: fromDir.finding } });
    const anchorFile = options.anchor ?? fromDir?.file;
    if (!result.ok) process.exitCode = ExitCode.Findings;
    if (ctx.json) return ctx.out(JSON.stringify({ path: store.path, ...result, ...(anchorFile !== undefined && { anchorFile }) }, null, 2));
    const lines: string[] = [];
    if (result.ok) lines.push(`Log intact: ${result.count} entries; head #${result.head.seq} ${result.head.hash}; append-only triggers present.`);
    else lines.push(`LOG NOT INTACT: ${store.path}`);
    if (result.firstBroken)
      lines.push(`  first broken entry: #${result.firstBroken.seq} — ${result.firstBroken.reason} (later entries cannot be trusted either)`);
    if (!result.triggersPresent) lines.push(`  append-only triggers missing or altered: ${result.missingTriggers.join(", ")}`);
    for (const p of result.problems) lines.push(`  ${p}`);
    if (result.clockBackwardsCount > 0) {
      // A warning, not a finding (the exit status is unchanged): the chain is intact, and clocks of
      // the machines writing one log can be corrected; but setting the clock back is how an entry is back-dated.
      const n = result.clockBackwardsCount;
      lines.push(
        `  warning: the clock ran backwards at ${n} ${n === 1 ? "entry" : "entries"}: recorded (by the writing machine's clock) more than 5 minutes before the entry before ${n === 1 ? "it" : "them"}; check whether ${n === 1 ? "it was" : "they were"} back-dated`,
      );
      for (const b of result.clockBackwards) lines.push(`    #${b.seq} recorded ${b.recorded_at}, after #${b.previous_seq} recorded ${b.previous_recorded_at}`);
      if (n > result.clockBackwards.length) lines.push(`    … and ${n - result.clockBackwards.length} more`);
    }
    if (result.anchor) lines.push(`  anchor${anchorFile !== undefined ? ` (${anchorFile})` : ""}: ${result.anchor.reason}`);
    else if (result.ok)
      lines.push(
        "  no anchor given: a rewrite of the whole chain is only caught against an anchor kept elsewhere (TRIAGE_ANCHOR_DIR, or `triage log anchor --out FILE`).",
      );
    ctx.out(inert(lines.join("\n")));
  } finally {
    await store.close();
  }
}
