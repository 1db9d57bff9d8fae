import { claimedByOther } from "../../log/os-user.js";
import { overdue } from "../../workflow/state.js";
import type { Context } from "../context.js";
import { loadReferral, openStore } from "../record.js";
import { renderReferral, stateSummary } from "../render/referral.js";
import { makeStyle } from "../render/style.js";

export async function run(ctx: Context, args: string[]): Promise<void> {
  const ref = args[0]!;
  const store = await openStore(ctx, { readonly: true });
  try {
    const { state, rs } = await loadReferral(store, ref);
    const entries = await store.eventsFor(ref);
    const now = ctx.now(rs.officeHours.time_zone);
    if (ctx.json) {
      const { decision, ...rest } = state;
      ctx.out(
        JSON.stringify(
          {
            ...decision,
            ref,
            outcome: state.outcome,
            guards: state.guards,
            state: { ...rest, summary: stateSummary(state, now), overdue: overdue(state, now) },
            entries,
            // Entries naming someone other than the OS account that wrote them (a local file's limit).
            named_not_os_user: entries.flatMap((e) => {
              const os = claimedByOther(e);
              return os === undefined ? [] : [{ seq: e.seq, actor: e.actor, os_user: os }];
            }),
          },
          null,
          2,
        ),
      );
      return;
    }
    ctx.out(renderReferral(state, entries, makeStyle(ctx.color), rs.outcomes.length, now));
  } finally {
    await store.close();
  }
}
