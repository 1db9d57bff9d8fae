/** A logged referral: its decision card, where it stands now, and every entry since, in order. */
import type { CompiledRuleSet } from "../../rules/compile.js";
import type { AnswersCompletedBody, CheckBody, ClosureBody, HistoryLinkBody, OverrideBody, ReviewBody } from "../../workflow/events.js";
import { overdue, type EntryLike, type ReferralState } from "../../workflow/state.js";
import { renderDecision } from "./decision.js";
import { inertDeep } from "./inert.js";
import { labelsFor, type Labels } from "./labels.js";
import type { Style } from "./style.js";
import { localTime, wrap } from "./text.js";
import { claimedByOther } from "../../log/os-user.js";
import { datedAway } from "../../log/recorded-at.js";
import { formatInZone } from "../../rules/time.js";

/** Without labels (the --json summary), ids as recorded. */
const ids = new Proxy({} as Labels, { get: () => (id: string) => id });

export function describeEntry(e: EntryLike, labels: Labels = ids): string {
  switch (e.kind) {
    case "decision":
      return "decision recorded";
    case "check": {
      const b = e.body as CheckBody;
      return `check "${labels.item(b.check)}" recorded (done ${localTime(b.done_at)}): ${b.found}`;
    }
    case "override": {
      const b = e.body as OverrideBody;
      return `override ${b.direction} ${labels.outcome(b.from)} → ${labels.outcome(b.to)}${b.pending ? " (pending a manager's agreement)" : ""}: ${b.reason}`;
    }
    case "closure": {
      const b = e.body as ClosureBody;
      return `closure proposed as "${labels.closure(b.reason)}" (needs ${b.approvals_required.map((r) => r.replace("_", " ")).join(" and ")}): ${b.rationale}${b.evidence ? ` — evidence: ${b.evidence}` : ""}`;
    }
    case "review": {
      const b = e.body as ReviewBody;
      const what = b.of === "decision" ? "the decision" : `entry #${b.of}`;
      return `${b.role.replace("_", " ")} review: ${b.action}${b.to ? ` to ${labels.outcome(b.to)}` : ""} ${what}${b.reason ? `: ${b.reason}` : ""}`;
    }
    case "answers_completed": {
      const b = e.body as AnswersCompletedBody;
      const n = Object.keys(b.answers).length;
      const outcome =
        b.outcome_after !== b.outcome_before
          ? `outcome raised ${labels.outcome(b.outcome_before)} → ${labels.outcome(b.outcome_after)}`
          : b.lower_not_applied
            ? `outcome stays ${labels.outcome(b.outcome_before)} (the rules would now give ${labels.outcome(b.lower_not_applied)}: not lowered without a downgrade and a manager)`
            : `outcome stays ${labels.outcome(b.outcome_before)}`;
      return `the questions left for later answered (${n} answer${n === 1 ? "" : "s"}); ${outcome}${b.still_unknown.length > 0 ? `; still not known: ${b.still_unknown.map((q) => labels.question(q)).join(", ")}` : ""}`;
    }
    case "history_link": {
      const b = e.body as HistoryLinkBody;
      return `${b.confirmed ? "confirmed" : "rejected"} earlier referral ${b.other_ref} as the same child (${b.why})`;
    }
    default:
      return e.kind;
  }
}

/** The decision's "not known" answers, less those a follow-up has answered since (an urgent call's questions left for later). */
function stillUnknown(state: ReferralState): string[] {
  const answered = new Set(state.completions.flatMap((c) => Object.keys(c.answers).filter((id) => !c.still_unknown.includes(id))));
  return state.decision.unknowns.filter((id) => !answered.has(id));
}

export function stateSummary(state: ReferralState, now: Date, labels: Labels = ids): string[] {
  const words: string[] = [];
  if (state.closed) words.push(`closed as ${labels.closure(state.closure!.reason)}`);
  if (state.pending) words.push("pending approval");
  if (state.challenged) words.push("challenged");
  if (!state.reviewed) words.push("unreviewed");
  if (state.guards.some((g) => g.status === "holding")) words.push("guarded");
  if (overdue(state, now).length > 0) words.push("overdue");
  return words;
}

/** `around`: the case's own parts, already rendered (src/cli/render/case.ts): before the card, and between the card and "Now". */
export function renderReferral(
  rawState: ReferralState,
  rawEntries: readonly EntryLike[],
  style: Style,
  rs: CompiledRuleSet,
  now: Date,
  around: { head?: string; afterCard?: string } = {},
): string {
  // Every string in a referral's entries came from a person or a rule file: shown inert.
  const state = inertDeep(rawState);
  const entries = inertDeep(rawEntries);
  const labels = labelsFor(rs);
  const out = [
    ...(around.head ? [around.head, ""] : []),
    renderDecision({ ...state.decision, outcome: state.outcome, guards: state.guards, unknowns: stillUnknown(state) }, style, rs, {
      inCase: around.afterCard !== undefined,
    }),
    "",
    ...(around.afterCard ? [around.afterCard, ""] : []),
  ];
  out.push(style.heading("Now"));
  out.push(`  ${stateSummary(state, now, labels).join(" · ") || "reviewed, nothing pending"}`);
  for (const o of state.overrides.filter((x) => x.status === "pending"))
    out.push(
      ...wrap(`pending override #${o.seq} to ${labels.outcome(o.to)} by ${o.by}: needs a manager's agreement (triage review ${state.ref} --agree)`, "  "),
    );
  if (state.closure?.status === "pending")
    out.push(
      ...wrap(
        `pending closure #${state.closure.seq} as "${labels.closure(state.closure.reason)}": needs ${state.closure.approvals_required.map((r) => r.replace("_", " ")).join(" and ")}; agreed so far by ${state.closure.approvals.map((a) => a.by).join(", ") || "no one"}`,
        "  ",
      ),
    );
  for (const late of overdue(state, now))
    out.push(...wrap(`overdue: ${labels.item(late.id)} — was due ${localTime(late.due_by)}`, "  ").map((l) => style.bad(l)));
  if (state.checks.length > 0) {
    out.push("  checks recorded:");
    for (const c of state.checks) out.push(...wrap(`${labels.item(c.check)} — by ${c.by}, ${localTime(c.done_at)}: ${c.found}`, "    "));
  }
  out.push("", style.heading("Entries"));
  for (const e of [...entries].sort((a, b) => a.seq - b.seq)) {
    // A local file cannot prove who acted: say so where the named person is not the OS account that wrote it.
    const other = claimedByOther(e);
    const mark = other === undefined ? "" : ` ${style.warn(`[OS user: ${other}]`)}`;
    out.push(
      ...wrap(`#${e.seq} ${localTime(e.at)} ${e.actor}${mark}: ${describeEntry(e, labels)}`, "  ").map((l, i) => (i === 0 ? l : `    ${l.trimStart()}`)),
    );
    // Dated away from when it was really written (--now, a late entry): both times, on a line of its own.
    const dated = datedMark(e, rs.officeHours.time_zone);
    if (dated !== undefined) out.push(style.warn(`    ${dated}`));
  }
  return out.join("\n");
}

/**
 * An entry dated more than a few minutes away from when the machine's clock says it was written
 * (--now, TRIAGE_NOW, a late entry): both times, in the rule set's zone.
 */
export function datedMark(e: { at: string; body: unknown }, timeZone: string): string | undefined {
  const away = datedAway(e);
  if (away === undefined) return undefined;
  const recorded = localTime(formatInZone(new Date(away.recorded_at), timeZone));
  const back = Date.parse(away.at) < Date.parse(away.recorded_at);
  return `${back ? "back-dated: " : ""}recorded ${recorded}, dated ${localTime(away.at)}`;
}
