/**
 * `triage review REF --agree | --challenge --reason TEXT | --escalate OUTCOME --reason TEXT [--of SEQ]`:
 * a manager's review of the decision, or of a pending override or closure (default: the oldest
 * pending one, else the decision). Who may review is decided in src/workflow/actions.ts from the
 * team file; agreement completes a proposal when every required approval is in.
 */
import { TriageError } from "../../errors.js";
import { planReview } from "../../workflow/actions.js";
import { roleName, rolesNeeded, type ReviewBody } from "../../workflow/events.js";
import type { ReferralState } from "../../workflow/state.js";
import type { Context } from "../context.js";
import { isServerLog, loadReferral, openStore } from "../record.js";
import { loadTeam, serverTeam } from "../team.js";
import { eventTime, refusalError } from "../actions.js";
import { inert } from "../render/inert.js";

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

export async function run(ctx: Context, args: string[], options: Record<string, unknown>): Promise<void> {
  const ref = args[0]!;
  const chosen = (["agree", "challenge", "escalate"] as const).filter((a) => options[a] !== undefined && options[a] !== false);
  if (chosen.length !== 1) throw new TriageError("choose one of --agree, --challenge --reason TEXT, --escalate OUTCOME --reason TEXT");
  const action = chosen[0]!;
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
        of: parseOf(options.of, decisionSeq),
        to: typeof options.escalate === "string" ? options.escalate : undefined,
        reason: typeof options.reason === "string" ? options.reason : undefined,
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
