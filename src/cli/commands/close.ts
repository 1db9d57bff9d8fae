/**
 * `triage close REF --as REASON --rationale TEXT [--evidence TEXT]`: proposes a closure. The rules
 * (guards, hard stops, floors, evidence, approvals) are decided in src/workflow/actions.ts; this
 * file loads, asks, appends (in one write transaction, so two workers cannot both propose) and prints.
 */
import { planClosure, rescreenStatus } from "../../workflow/actions.js";
import { rolesNeeded } from "../../workflow/events.js";
import { eventTime, laterDecisionsAbout, refusalError } from "../actions.js";
import type { Context } from "../context.js";
import { isServerLog, loadReferral, openStore } from "../record.js";
import { wrap } from "../render/text.js";
import { loadTeam } from "../team.js";
import { inert } from "../render/inert.js";

/** `triage close REF --as REASON --rationale TEXT [--evidence TEXT]`, as src/cli/program.ts declares it. */
export interface CloseOptions {
  as: string;
  rationale: string;
  evidence?: string;
}

export async function run(ctx: Context, args: string[], options: CloseOptions): Promise<void> {
  const ref = args[0]!;
  const reason = options.as;
  // Only for a note: proposing needs no team file; a broken one must not stop the proposal.
  const teamInfo = isServerLog(ctx) ? undefined : await loadTeam(ctx).catch(() => undefined);
  const store = await openStore(ctx);
  try {
    const { seq, body, rs } = await store.batch(async (tx) => {
      const { state, rs } = await loadReferral(tx, ref);
      const at = eventTime(state, ctx.now(rs.officeHours.time_zone), rs.officeHours.time_zone, "the closure");
      const later = await laterDecisionsAbout(tx, rs, state);
      const verdict = planClosure(state, rs, {
        reason,
        rationale: options.rationale,
        evidence: options.evidence,
        rescreen: rescreenStatus(state, rs, later),
      });
      if (!verdict.ok) throw refusalError(verdict.refusal);
      const head = await tx.append({ kind: "closure", ref, actor: ctx.user, at, body: verdict.body });
      return { seq: head.seq, body: verdict.body, rs };
    });
    const { state } = await loadReferral(store, ref);
    if (ctx.json) {
      ctx.out(JSON.stringify({ ref, seq, closure: body, status: state.closure?.status, outcome: state.outcome }, null, 2));
      return;
    }
    const label = rs.raw.closure_reasons.find((c) => c.id === body.reason)?.label ?? body.reason;
    const out = [`Closure #${seq} of ${ref} proposed as "${label}" by ${ctx.user}: pending.`];
    out.push(
      ...wrap(
        `Needs the agreement of ${rolesNeeded(body.approvals_required)}${body.approvals_required.length > 1 ? " (different people)" : ""}, not ${[...new Set([ctx.user, state.decision.decided_by ?? ctx.user])].join(" nor ")}: ${ctx.self()} review ${ref} --agree`,
        "  ",
      ),
    );
    for (const g of body.guards ?? (body.guard ? [body.guard] : []))
      out.push(...wrap(`Guard ${g.id}: every check done (${g.checks.join(", ") || "none required"}).`, "  "));
    if (teamInfo && !teamInfo.team)
      out.push(
        ...wrap(
          `Note: there is no team file at ${teamInfo.lookedAt}, so no approval can be recorded until there is one (managers: [names], senior_managers: [names]).`,
          "  ",
        ),
      );
    ctx.out(inert(out.join("\n")));
  } finally {
    await store.close();
  }
}
