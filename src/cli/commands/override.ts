/**
 * `triage override REF --to OUTCOME --reason TEXT`: up takes effect at once; down is checked against
 * the hard floor and the guards (src/workflow/actions.ts) and waits for a manager's agreement.
 */
import { planOverride, rescreenStatus } from "../../workflow/actions.js";
import { rolesNeeded } from "../../workflow/events.js";
import type { Context } from "../context.js";
import { runnable } from "../invocation.js";
import { loadReferral, openStore } from "../record.js";
import { eventTime, laterDecisionsAbout, refusalError } from "../actions.js";
import { inert } from "../render/inert.js";

export async function run(ctx: Context, args: string[], options: { to: string; reason: string }): Promise<void> {
  const ref = args[0]!;
  const store = await openStore(ctx);
  try {
    const { seq, body } = await store.batch(async (tx) => {
      const { state, rs } = await loadReferral(tx, ref);
      const later = await laterDecisionsAbout(tx, rs, state);
      const verdict = planOverride(state, rs, {
        to: options.to,
        reason: options.reason,
        rescreen: rescreenStatus(state, rs, later),
      });
      if (!verdict.ok) throw refusalError(verdict.refusal);
      const tz = rs.officeHours.time_zone;
      const head = await tx.append({ kind: "override", ref, actor: ctx.user, at: eventTime(state, ctx.now(tz), tz, "the override"), body: verdict.body });
      return { seq: head.seq, body: verdict.body };
    });
    const { state, rs } = await loadReferral(store, ref);
    if (ctx.json) {
      ctx.out(JSON.stringify({ ref, seq, override: body, status: state.overrides.find((o) => o.seq === seq)?.status, outcome: state.outcome }, null, 2));
      return;
    }
    const label = (id: string) => rs.raw.outcomes.find((o) => o.id === id)?.label ?? id;
    if (body.direction === "up") ctx.out(inert(`Override #${seq}: ${ref} raised from ${label(body.from)} to ${label(body.to)}, effective now.`));
    else {
      const who = rolesNeeded(body.approvals_required ?? ["manager"]);
      ctx.out(
        runnable(
          inert(
            `Override #${seq}: downgrade of ${ref} from ${label(body.from)} to ${label(body.to)} recorded, pending the agreement of ${who} (not ${ctx.user}, not the decider ${state.decision.decided_by ?? ""}): triage review ${ref} --agree\nThe outcome stays ${state.outcome.label} until then.`,
          ),
          ctx.self(),
        ),
      );
    }
  } finally {
    await store.close();
  }
}
