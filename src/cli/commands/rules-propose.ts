/**
 * `triage rules propose [FILE] [--note TEXT]`: records on the log that this rule set (its exact
 * content, by SHA-256) is proposed for approval. Another rules lead approves it with
 * `triage rules approve FILE` (src/workflow/rule-approval.ts: four eyes on every rule change).
 */
import { RefusedError } from "../../errors.js";
import { formatInZone } from "../../rules/time.js";
import { proposalRefusals, type ProposalBody } from "../../workflow/rule-approval.js";
import type { Context } from "../context.js";
import { inert } from "../render/inert.js";
import { governanceFor } from "../governance.js";
import { openStore } from "../record.js";
import { loadValidRuleSet } from "../rules-loader.js";

export async function run(ctx: Context, args: string[], options: { note?: string }): Promise<void> {
  const file = args[0] ?? ctx.rulesPath;
  const valid = await loadValidRuleSet(ctx, file);
  const { id, version } = valid.raw;
  const tz = valid.raw.office_hours.time_zone;
  const store = await openStore(ctx);
  try {
    const g = await governanceFor(ctx, store);
    const refusals = proposalRefusals(g, { id, version, sha256: valid.sha256 });
    if (refusals.length > 0) throw new RefusedError(`refused: ${refusals.join("; ")}`);
    const body: ProposalBody = {
      id,
      version,
      sha256: valid.sha256,
      proposed_by: ctx.user,
      ...(options.note !== undefined && options.note.trim() !== "" ? { note: options.note.trim() } : {}),
    };
    const at = formatInZone(ctx.now(tz), tz);
    const { seq } = await store.append({ kind: "rule_set_proposed", actor: ctx.user, at, body });
    if (ctx.json) ctx.out(JSON.stringify({ proposed: { ...body, seq, at }, log: store.path }, null, 2));
    else
      ctx.out(
        inert(
          `Proposed ${id} ${version} (sha256 ${valid.sha256.slice(0, 12)}) from ${file} as entry #${seq} of ${store.path}.\n` +
            `Next: a rules lead other than ${ctx.user} runs \`triage rules approve ${file}\` (it runs rules test --strict, rules lint and rules diff first).`,
        ),
      );
  } finally {
    await store.close();
  }
}
