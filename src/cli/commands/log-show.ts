/**
 * `triage log show REF`: the whole case — the child and the referrer, the decision card, every answer
 * by section, the history used, every step with its status, and every entry since. `--json` is the
 * decision record (the contract) with the derived `state`, the `case` view and the `entries`.
 */
import { claimedByOther } from "../../log/os-user.js";
import { caseView } from "../../workflow/case-view.js";
import { datedAway } from "../../log/recorded-at.js";
import { overdue } from "../../workflow/state.js";
import type { Context } from "../context.js";
import { loadReferral, openStore } from "../record.js";
import { renderReferral, stateSummary } from "../render/referral.js";
import { makeStyle } from "../render/style.js";
import { inertLine } from "../render/inert.js";
import { readGovernance } from "../governance.js";
import { approvalOf, describeApproval } from "../../workflow/rule-approval.js";

export async function run(ctx: Context, args: string[]): Promise<void> {
  const ref = args[0]!;
  const store = await openStore(ctx, { readonly: true });
  try {
    const { state, rs } = await loadReferral(store, ref);
    const entries = await store.eventsFor(ref);
    const now = ctx.now(rs.officeHours.time_zone);
    // Which rule set decided, and how it came to be in force (docs/rule-format.md "The life of a rule change").
    const g = await readGovernance(store);
    const decisionSeq = entries.find((e) => e.kind === "decision")?.seq ?? 0;
    const approval = approvalOf(g, state.decision.rule_set.sha256, decisionSeq);
    const ruleSet = { ...state.decision.rule_set, approval: describeApproval(approval), ...(typeof approval === "object" ? { approved: approval } : {}) };
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
            case: caseView(state, rs, now),
            entries,
            // Entries naming someone other than the OS account that wrote them (a local file's limit).
            named_not_os_user: entries.flatMap((e) => {
              const os = claimedByOther(e);
              return os === undefined ? [] : [{ seq: e.seq, actor: e.actor, os_user: os }];
            }),
            // Entries dated more than a few minutes away from when they were really written (--now, a late entry).
            dated_away_from_recorded: entries.flatMap((e) => {
              const away = datedAway(e);
              return away === undefined ? [] : [{ seq: e.seq, ...away }];
            }),
            rule_set_in_force: ruleSet,
          },
          null,
          2,
        ),
      );
      return;
    }
    const style = makeStyle(ctx.color);
    const { renderCaseBody, renderCaseHead } = await import("../render/case.js");
    const view = caseView(state, rs, now);
    await ctx.page(
      `${renderReferral(state, entries, style, rs, now, { head: renderCaseHead(view, style), afterCard: renderCaseBody(view, style) })}\n\n${style.bold("Rule set")}  ${inertLine(`${ruleSet.id} ${ruleSet.version} (sha256 ${ruleSet.sha256.slice(0, 12)}): ${ruleSet.approval}`)}`,
    );
  } finally {
    await store.close();
  }
}
