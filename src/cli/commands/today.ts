/**
 * `triage today [--hours N] [--worker NAME]`: the 09:00 handover queue. Replays every open referral
 * (src/cli/cases.ts); what is due, late or waiting is decided by the pure todayQueue
 * (src/workflow/today.ts) and printed by src/cli/render/today.ts, or as JSON.
 */
import { TriageError } from "../../errors.js";
import { addHours, formatInZone } from "../../rules/time.js";
import { endOfNextWorkingDay, todayQueue } from "../../workflow/today.js";
import { loadAllCases } from "../cases.js";
import type { Context } from "../context.js";
import { openStore } from "../record.js";
import { loadRules } from "../rules-loader.js";
import { loadTeam } from "../team.js";

export async function run(ctx: Context, _args: string[], options: { hours?: string; worker?: string }): Promise<void> {
  const rules = await loadRules(ctx);
  const tz = rules.officeHours.time_zone;
  const now = ctx.now(tz);
  let until: Date;
  if (options.hours !== undefined) {
    const hours = Number(options.hours);
    if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 31)
      throw new TriageError(`--hours: expected a number of hours between 0 and 744, got ${JSON.stringify(options.hours)}`);
    until = addHours(now, hours);
  } else until = endOfNextWorkingDay(now, rules);
  const worker = options.worker;
  const { team } = await loadTeam(ctx);
  const store = await openStore(ctx, { readonly: true });
  try {
    const queue = todayQueue({
      cases: await loadAllCases(store),
      now,
      until,
      user: ctx.user,
      team,
      ...(worker !== undefined ? { worker } : {}),
      format: (t) => formatInZone(t, tz),
    });
    if (ctx.json) return ctx.out(JSON.stringify(queue, null, 2));
    const [{ renderToday }, { makeStyle }] = await Promise.all([import("../render/today.js"), import("../render/style.js")]);
    ctx.out(renderToday(queue, makeStyle(ctx.color)));
  } finally {
    await store.close();
  }
}
