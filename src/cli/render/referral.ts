/** A logged referral: its decision card, where it stands now, and every entry since, in order. */
import type { CheckBody, ClosureBody, HistoryLinkBody, OverrideBody, ReviewBody } from "../../workflow/events.js";
import { overdue, type EntryLike, type ReferralState } from "../../workflow/state.js";
import { renderDecision } from "./decision.js";
import type { Style } from "./style.js";
import { localTime, wrap } from "./text.js";
import { inertDeep } from "./inert.js";
import { claimedByOther } from "../../log/os-user.js";

export function describeEntry(e: EntryLike): string {
  switch (e.kind) {
    case "decision":
      return "decision recorded";
    case "check": {
      const b = e.body as CheckBody;
      return `check ${b.check} recorded (done ${localTime(b.done_at)}): ${b.found}`;
    }
    case "override": {
      const b = e.body as OverrideBody;
      return `override ${b.direction} ${b.from} → ${b.to}${b.pending ? " (pending a manager's agreement)" : ""}: ${b.reason}`;
    }
    case "closure": {
      const b = e.body as ClosureBody;
      return `closure proposed as ${b.reason} (needs ${b.approvals_required.join(" and ")}): ${b.rationale}${b.evidence ? ` — evidence: ${b.evidence}` : ""}`;
    }
    case "review": {
      const b = e.body as ReviewBody;
      const what = b.of === "decision" ? "the decision" : `entry #${b.of}`;
      return `${b.role.replace("_", " ")} review: ${b.action}${b.to ? ` to ${b.to}` : ""} ${what}${b.reason ? `: ${b.reason}` : ""}`;
    }
    case "history_link": {
      const b = e.body as HistoryLinkBody;
      return `${b.confirmed ? "confirmed" : "rejected"} earlier referral ${b.other_ref} as the same child (${b.why})`;
    }
    default:
      return e.kind;
  }
}

export function stateSummary(state: ReferralState, now: Date): string[] {
  const words: string[] = [];
  if (state.closed) words.push(`closed as ${state.closure!.reason}`);
  if (state.pending) words.push("pending approval");
  if (state.challenged) words.push("challenged");
  if (!state.reviewed) words.push("unreviewed");
  if (state.guards.some((g) => g.status === "holding")) words.push("guarded");
  if (overdue(state, now).length > 0) words.push("overdue");
  return words;
}

export function renderReferral(rawState: ReferralState, rawEntries: readonly EntryLike[], style: Style, outcomeCount: number, now: Date): string {
  // Every string in a referral's entries came from a person or a rule file: shown inert.
  const state = inertDeep(rawState);
  const entries = inertDeep(rawEntries);
  const out = [renderDecision({ ...state.decision, outcome: state.outcome, guards: state.guards }, style, outcomeCount), ""];
  out.push(style.heading("Now"));
  out.push(`  ${stateSummary(state, now).join(" · ") || "reviewed, nothing pending"}`);
  for (const o of state.overrides.filter((x) => x.status === "pending"))
    out.push(`  pending override #${o.seq} to ${o.to} by ${o.by}: needs a manager's agreement (triage review ${state.ref} --agree)`);
  if (state.closure?.status === "pending")
    out.push(
      `  pending closure #${state.closure.seq} as ${state.closure.reason}: needs ${state.closure.approvals_required.join(" and ")}; agreed so far by ${state.closure.approvals.map((a) => a.by).join(", ") || "no one"}`,
    );
  for (const late of overdue(state, now)) out.push(style.bad(`  overdue: ${late.id} was due ${localTime(late.due_by)}`));
  if (state.checks.length > 0) {
    out.push("  checks recorded:");
    for (const c of state.checks) out.push(...wrap(`${c.check} by ${c.by}, ${localTime(c.done_at)}: ${c.found}`, "    "));
  }
  out.push("", style.heading("Entries"));
  for (const e of [...entries].sort((a, b) => a.seq - b.seq)) {
    // A local file cannot prove who acted: say so where the named person is not the OS account that wrote it.
    const other = claimedByOther(e);
    const mark = other === undefined ? "" : ` ${style.warn(`[OS user: ${other}]`)}`;
    out.push(...wrap(`#${e.seq} ${localTime(e.at)} ${e.actor}${mark}: ${describeEntry(e)}`, "  ").map((l, i) => (i === 0 ? l : `    ${l.trimStart()}`)));
  }
  return out.join("\n");
}
