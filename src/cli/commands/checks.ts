/**
 * `triage checks REF`: the checks the guards and steps require for this referral — recorded (what,
 * by whom, when done, what was found) and outstanding — and what closing it would need.
 * `--record CHECK --found TEXT [--at WHEN]` appends one (a rule-set check or a step of this decision).
 */
import { TriageError } from "../../errors.js";
import { localTimeGap, parseDateTime } from "../../rules/time.js";
import { checksReport, planCheck, type ChecksReport } from "../../workflow/actions.js";
import { roleName } from "../../workflow/events.js";
import type { Context } from "../context.js";
import { loadReferral, openStore } from "../record.js";
import { inert, inertDeep, inertLine } from "../render/inert.js";
import { labelsFor, type Labels } from "../render/labels.js";
import { makeStyle, type Style } from "../render/style.js";
import { localTime, table, wrap } from "../render/text.js";
import { eventTime, refusalError } from "../actions.js";

function render(r: ChecksReport, labels: Labels, style: Style, self = "triage"): string {
  const out: string[] = [style.bold(`${r.ref} — checks`), ""];
  const guards = r.guards.filter((g) => g.status !== "not_applicable");
  const hanging = (text: string, indent: string) => wrap(text, indent).map((l, i) => (i === 0 ? l : `  ${l}`));
  // Ids appear only where the worker types them: in the --record hint.
  const recordAs = (id: string) => style.dim(`(--record ${id})`);
  out.push(style.heading("Guards"));
  if (guards.length === 0) out.push("  No guard applies to the decision as made.");
  for (const g of guards)
    out.push(
      ...hanging(`${labels.guard(g.id)}: ${g.status === "holding" ? style.bad("HOLDING") : style.ok("released")} · floor ${labels.outcome(g.floor)}`, "  "),
    );
  out.push("");
  out.push(style.heading(`Outstanding (${r.outstanding.length})`));
  if (r.outstanding.length === 0) out.push("  None: no guard is waiting for a check, for this outcome, a lower one or a closure.");
  for (const c of r.outstanding) out.push(...hanging(`- ${labels.checkText(c)} ${recordAs(c)}`, "  "));
  out.push("");
  out.push(style.heading(`Recorded (${r.recorded.length})`));
  if (r.recorded.length === 0) out.push("  Nothing recorded since the decision.");
  else
    out.push(
      table(
        ["#", "CHECK", "BY", "DONE", "FOUND"],
        r.recorded.map((c) => [String(c.seq), labels.item(c.check), c.by, localTime(c.done_at), c.found].map(inertLine)),
        style,
      ).replace(/^/gm, "  "),
    );
  if (r.steps.length > 0) {
    out.push("", style.heading("Steps"));
    for (const s of r.steps) {
      const mark = s.done ? style.ok("[done]") : s.overdue ? style.bad("[OVERDUE]") : "[ ]";
      out.push(...hanging(`${mark} ${labels.item(s.id)}${s.due_by ? ` — due ${localTime(s.due_by)}` : ""} ${s.done ? "" : recordAs(s.id)}`, "  "));
    }
  }
  if (r.lower.length > 0) {
    // The same answer `triage override --to` gives (src/workflow/floors.ts).
    out.push("", style.heading("To lower the outcome"));
    for (const l of r.lower) {
      const status =
        l.holds.length === 0
          ? `can be proposed now; then ${l.approvals.map(roleName).join(" + ")}`
          : l.holds
              .map((h) =>
                h.kind === "hard_floor"
                  ? style.bad(
                      `never at the front door: hard floor ${labels.outcome(h.outcome)}${h.rules.length > 0 ? ` (${h.rules.map((id) => labels.rule(id)).join("; ")})` : ""}`,
                    )
                  : `held by "${labels.guard(h.guard)}" at ${labels.outcome(h.outcome)} until: ${h.outstanding.map((c) => labels.check(c)).join("; ")}`,
              )
              .join("; ");
      out.push(...hanging(`${labels.outcome(l.outcome)}: ${status}`, "  "));
    }
  }
  if (r.closures.length > 0) {
    out.push("", style.heading("To close"));
    const checkList = (ids: readonly string[]) => ids.map((c) => labels.check(c)).join("; ");
    for (const c of r.closures) {
      const who = c.approvals.map(roleName).join(" + ");
      const status = c.refused_outright
        ? style.bad(`never at the front door: ${c.refused_outright}`)
        : c.outstanding.length > 0
          ? `after ${c.governed_by.map((g) => labels.guard(g)).join(", ")} — checks: ${checkList(c.outstanding)}`
          : c.floors.length > 0
            ? `after ${c.floors.map((f) => `${labels.guard(f.guard)} — checks: ${checkList(f.outstanding)}`).join("; ")}`
            : `can be proposed now`;
      out.push(...hanging(`${labels.closure(c.reason)}: ${status}; then ${who}${c.evidence_required ? "; needs --evidence of knowing falsehood" : ""}`, "  "));
    }
  }
  out.push("", style.dim(`Record one: ${self} checks ${r.ref} --record CHECK --found "what was found" [--at WHEN]`));
  return out.join("\n");
}

/** `triage checks REF [--record CHECK [--found TEXT] [--at ISO]]`, as src/cli/program.ts declares it. */
export interface ChecksOptions {
  record?: string;
  found?: string;
  at?: string;
}

export async function run(ctx: Context, args: string[], options: ChecksOptions): Promise<void> {
  const ref = args[0]!;
  const record = options.record;
  if (record === undefined && (options.found !== undefined || options.at !== undefined)) throw new TriageError("--found and --at go with --record CHECK");
  const store = await openStore(ctx, { readonly: record === undefined });
  try {
    let appended: number | undefined;
    if (record !== undefined) {
      appended = await store.batch(async (tx) => {
        const { state, rs } = await loadReferral(tx, ref);
        const tz = rs.officeHours.time_zone;
        const now = ctx.now(tz);
        const atText = options.at;
        const gap = atText === undefined ? undefined : localTimeGap(atText, tz);
        if (gap) throw new TriageError(`--at: ${gap}`);
        const doneAt = atText === undefined ? now : parseDateTime(atText, tz);
        if (!doneAt) throw new TriageError(`--at: "${atText}" is not a date-time; expected e.g. 2026-05-28T10:30 (local to ${tz}) or with an offset`);
        const verdict = planCheck(state, rs, { check: record, found: options.found, doneAt, now });
        if (!verdict.ok) throw refusalError(verdict.refusal);
        return (await tx.append({ kind: "check", ref, actor: ctx.user, at: eventTime(state, now, tz, "recording the check"), body: verdict.body })).seq;
      });
    }
    const { state, rs } = await loadReferral(store, ref);
    const report = checksReport(state, rs, ctx.now(rs.officeHours.time_zone));
    if (ctx.json) {
      ctx.out(JSON.stringify(appended === undefined ? report : { ...report, appended }, null, 2));
      return;
    }
    const head = appended === undefined ? "" : inert(`Recorded "${labelsFor(rs).item(record!)}" as entry #${appended} by ${ctx.user}.\n\n`);
    await ctx.page(head + render(inertDeep(report), labelsFor(rs), makeStyle(ctx.color), ctx.self()));
  } finally {
    await store.close();
  }
}
