/**
 * `triage review [REF --agree | --challenge --reason TEXT | --escalate OUTCOME --reason TEXT [--of SEQ]]`:
 * without a reference, the current user's review queue (in a terminal, pick one); with one,
 * a manager's review of the decision, or of a pending override or closure (default: the oldest
 * pending one, else the decision). Who may review is decided in src/workflow/actions.ts from the
 * team file; agreement completes a proposal when every required approval is in.
 */
import { TriageError } from "../../errors.js";
import { planReview, type Team } from "../../workflow/actions.js";
import { roleName, rolesNeeded, type ReviewBody } from "../../workflow/events.js";
import type { ReferralState } from "../../workflow/state.js";
import type { Context } from "../context.js";
import { isServerLog, loadReferral, openStore } from "../record.js";
import { loadTeam, serverTeam } from "../team.js";
import { eventTime, refusalError } from "../actions.js";
import { inert } from "../render/inert.js";
import { reviewQueue, type TodayItem } from "../../workflow/today.js";
import { loadAllCases, type LoadedCase } from "../cases.js";

function parseOf(text: unknown, decisionSeq: number | undefined): "decision" | number | undefined {
  if (text === undefined) return undefined;
  const given = typeof text === "string" ? text : JSON.stringify(text);
  const s = given.trim().replace(/^#/, "");
  if (s === "decision") return "decision";
  if (!/^\d+$/.test(s)) throw new TriageError(`--of: expected an entry number (see triage log show REF) or "decision", got "${given}"`);
  const n = Number(s);
  return n === decisionSeq ? "decision" : n;
}

function describe(body: ReviewBody, seq: number, state: ReferralState, ref: string): string {
  const role = roleName(body.role);
  if (body.of === "decision") {
    if (body.action === "agree") return `Review #${seq}: ${role} agreed with the decision on ${ref} (outcome ${state.outcome.id}).`;
    if (body.action === "challenge")
      return `Review #${seq}: ${role} challenged the decision on ${ref}; it goes back to ${state.decision.decided_by ?? "the worker"}: ${body.reason}`;
    return `Review #${seq}: ${role} escalated ${ref} to ${body.to}; the outcome is now ${state.outcome.id}.`;
  }
  const o = state.overrides.find((x) => x.seq === body.of);
  const target = o ?? state.closure!;
  const what = o ? `override #${o.seq} (${o.from} → ${o.to})` : `closure #${state.closure!.seq} as ${state.closure!.reason}`;
  if (body.action === "challenge") return `Review #${seq}: ${role} challenged ${what}; it goes back to ${target.by}: ${body.reason}`;
  if (body.action === "escalate") return `Review #${seq}: ${role} declined ${what} and escalated ${ref} to ${body.to}; the outcome is now ${state.outcome.id}.`;
  if (target.status === "effective")
    return `Review #${seq}: ${role} agreed with ${what}. It now takes effect: ${ref} is ${state.closed ? `closed as ${state.closure!.reason}, outcome ` : ""}${state.outcome.id}.`;
  const required = "rationale" in target ? state.closure!.approvals_required : (o!.approvals_required ?? ["manager"]);
  return `Review #${seq}: ${role} agreed with ${what}; still pending: it needs ${rolesNeeded(required)} (different people), agreed so far by ${target.approvals.map((a) => a.by).join(", ")}.`;
}

/** `triage review [REF] --agree | --challenge | --escalate OUTCOME [--reason TEXT] [--of SEQ]`, as src/cli/program.ts declares it. */
export interface ReviewOptions {
  agree?: boolean;
  challenge?: boolean;
  escalate?: string;
  reason?: string;
  of?: string;
}

export async function run(ctx: Context, args: string[], options: ReviewOptions): Promise<void> {
  const ref = args[0];
  const chosen = (["agree", "challenge", "escalate"] as const).filter((a) => options[a] !== undefined && options[a] !== false);
  if (ref === undefined || ref.trim() === "") {
    if (chosen.length > 0 || options.of !== undefined || options.reason !== undefined)
      throw new TriageError("give the reference to review: triage review REF --agree | --challenge --reason TEXT | --escalate OUTCOME --reason TEXT");
    return reviewQueueCommand(ctx);
  }
  if (chosen.length !== 1) throw new TriageError("choose one of --agree, --challenge --reason TEXT, --escalate OUTCOME --reason TEXT");
  return recordReview(ctx, ref, {
    action: chosen[0]!,
    of: options.of,
    to: options.escalate,
    reason: options.reason,
  });
}

interface ReviewRequest {
  action: "agree" | "challenge" | "escalate";
  /** --of as typed, or the seq / "decision" picked from the queue. */
  of: unknown;
  to: string | undefined;
  reason: string | undefined;
}

async function recordReview(ctx: Context, ref: string, request: ReviewRequest): Promise<void> {
  const { action } = request;
  // The file-based team is loaded first (bad input fails before the log is touched); the server
  // log's team is the database's roles of whoever is logged in.
  const fileTeam = isServerLog(ctx) ? undefined : await loadTeam(ctx);
  const store = await openStore(ctx);
  try {
    const { team, lookedAt } = fileTeam ?? serverTeam(store);
    const { seq, body } = await store.batch(async (tx) => {
      const { state, rs } = await loadReferral(tx, ref);
      const at = eventTime(state, ctx.now(rs.officeHours.time_zone), rs.officeHours.time_zone, "the review");
      const decisionSeq = (await tx.getDecisionRow(ref))?.seq;
      const verdict = planReview(state, rs, {
        action,
        of: parseOf(request.of, decisionSeq),
        to: request.to,
        reason: request.reason,
        actor: ctx.user,
        team,
        teamLookedAt: lookedAt,
      });
      if (!verdict.ok) throw refusalError(verdict.refusal);
      const head = await tx.append({ kind: "review", ref, actor: ctx.user, at, body: verdict.body });
      return { seq: head.seq, body: verdict.body };
    });
    const { state } = await loadReferral(store, ref);
    if (ctx.json) {
      const target = body.of === "decision" ? undefined : (state.overrides.find((o) => o.seq === body.of) ?? state.closure);
      ctx.out(
        JSON.stringify(
          {
            ref,
            seq,
            review: body,
            target_status: target?.status,
            outcome: state.outcome,
            closed: state.closed,
            pending: state.pending,
            challenged: state.challenged,
            reviewed: state.reviewed,
          },
          null,
          2,
        ),
      );
      return;
    }
    ctx.out(inert(describe(body, seq, state, ref)));
  } finally {
    await store.close();
  }
}

/**
 * `triage review` without a reference: what waits for the current user's approval or review, most
 * serious first (src/workflow/today.ts reviewQueue). In a terminal, pick one and review it.
 */
async function reviewQueueCommand(ctx: Context): Promise<void> {
  const fileTeam = isServerLog(ctx) ? undefined : await loadTeam(ctx);
  const store = await openStore(ctx, { readonly: true });
  let cases: LoadedCase[];
  let team: Team | undefined;
  let lookedAt: string;
  try {
    ({ team, lookedAt } = fileTeam ?? serverTeam(store));
    cases = await loadAllCases(store);
  } finally {
    await store.close();
  }
  const queue = reviewQueue(cases, ctx.user, team);
  if (ctx.json) return ctx.out(JSON.stringify({ user: ctx.user, ...queue }, null, 2));
  if (queue.role === null)
    return ctx.out(
      inert(`Nothing to review: ${ctx.user} is not a manager or senior manager in the team file ${team ? team.source : `(none at ${lookedAt})`}.`),
    );
  if (queue.items.length === 0) return ctx.out(inert(`Nothing waits for your review, ${ctx.user}.`));
  const [{ makeStyle }, { localTime, table }, { inertLine }] = await Promise.all([
    import("../render/style.js"),
    import("../render/text.js"),
    import("../render/inert.js"),
  ]);
  const style = makeStyle(ctx.color);
  const line = (i: TodayItem) => [i.ref, i.child ?? "(name not known)", i.outcome.label, localTime(i.since), i.what].map(inertLine);
  ctx.out(style.bold(inert(`Waiting for ${ctx.user} (${queue.role === "senior_manager" ? "senior manager" : "manager"}): ${queue.items.length}`)));
  ctx.out(table(["REFERENCE", "CHILD", "OUTCOME", "WAITING SINCE", "WHAT"], queue.items.map(line), style));
  if (!(ctx.stdinIsTTY && ctx.stdoutIsTTY)) {
    ctx.out("\nReview one with: triage review REF --agree | --challenge --reason TEXT | --escalate OUTCOME --reason TEXT");
    return;
  }
  const { InquirerPrompter } = await import("../interview/prompter.js");
  const prompter = new InquirerPrompter({ style: style });
  ctx.out("");
  const picked = await prompter.choose(
    "review-pick",
    "Which one?",
    queue.items.map((i, n) => ({ value: n, label: inertLine(`${i.ref}  ${i.child ?? "(name not known)"} · ${i.outcome.label} · ${i.what}`) })),
    { canGoBack: false },
  );
  if (typeof picked !== "number") return;
  const item = queue.items[picked]!;
  const loaded = cases.find((c) => c.state.ref === item.ref)!;
  const action = await prompter.choose<"agree" | "challenge" | "escalate">("review-action", inertLine(`${item.ref}: ${item.what}`), [
    { value: "agree", label: "Agree" },
    { value: "challenge", label: "Challenge: return it to the worker with a reason" },
    { value: "escalate", label: "Escalate: raise the outcome, with a reason" },
  ]);
  if (typeof action !== "string") return;
  let to: string | undefined;
  if (action === "escalate") {
    const higher = loaded.rs.outcomes.filter((o) => o.level > loaded.state.outcome.level);
    if (higher.length === 0) throw new TriageError(`${item.ref} is already at the highest outcome; there is nothing to escalate to`);
    const chosen = await prompter.choose(
      "review-to",
      "Raise to",
      higher.map((o) => ({ value: o.id, label: o.label })),
    );
    if (typeof chosen !== "string") return;
    to = chosen;
  }
  const reason = action === "agree" ? undefined : await prompter.text("review-reason", "Why?", { required: true });
  if (typeof reason !== "string" && reason !== undefined) return;
  const of = item.kind === "review" ? "decision" : item.seq;
  await recordReview(ctx, item.ref, { action, of, to, reason });
}
