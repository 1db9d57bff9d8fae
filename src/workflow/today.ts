/**
 * The handover queue (`triage today`): what must happen at the front door today, and what waits for
 * the person asking. Pure: replayed states, the clock and the asker's role in; sections out.
 *
 * A referral may appear in several sections, once for each thing it needs (an overdue visit and a
 * manager's review are different jobs). Closed referrals need nothing. Within a section the most
 * serious outcome comes first, then the earliest due time.
 */
import type { CompiledRuleSet } from "../rules/compile.js";
import { fromLocal, isWorkingDay, localParts } from "../rules/time.js";
import type { OutcomeRef } from "../rules/types.js";
import type { Rescreen } from "./actions.js";
import { roleOf, type Team } from "./actions/reviews.js";
import { pendingOf } from "./actions/shared.js";
import { roleName } from "./events.js";
import type { Role } from "./events.js";
import { filledSlots, overdue, type ClosureState, type OverrideState, type ReferralState } from "./state.js";

export interface TodayCase {
  state: ReferralState;
  rs: CompiledRuleSet;
  rescreen: Rescreen;
}

export type TodaySectionId = "overdue" | "due" | "awaiting_you" | "rescreen" | "guarded" | "unreviewed";

/** The order sections are shown in: what is already late first, then what falls due, then what waits. */
export const SECTION_ORDER: readonly TodaySectionId[] = ["overdue", "due", "awaiting_you", "rescreen", "guarded", "unreviewed"];

export interface TodayItem {
  ref: string;
  child: string | null;
  outcome: OutcomeRef;
  /** What kind of thing is due: "steps", "guard_checks", "review", "downgrade", "closure", "rescreen". */
  kind: string;
  /** What is due, in words (labels from the rule set). */
  what: string;
  /** When it is or was due (ISO 8601), where there is a deadline. */
  due_by?: string;
  /** Since when it has waited (ISO 8601), where there is no deadline. */
  since?: string;
  /** Who holds it: the worker who decided, or who must act. */
  holder: string;
  /** For a downgrade or closure awaiting approval: its entry number (what `triage review --of` takes). */
  seq?: number;
  /** For overdue and due steps: every one (step id, its text, when due), earliest first. */
  steps?: DueStep[];
}

export interface TodaySection {
  id: TodaySectionId;
  title: string;
  /** The one line shown when the section is empty. */
  empty: string;
  items: TodayItem[];
}

export interface TodayQueue {
  now: string;
  until: string;
  user: string;
  role: Role | null;
  worker?: string;
  sections: TodaySection[];
}

export interface TodayInput {
  cases: readonly TodayCase[];
  now: Date;
  /** The end of the window: steps due up to then are listed. */
  until: Date;
  user: string;
  team: Team | undefined;
  /** Only referrals decided by this worker. */
  worker?: string;
  /** How an instant is written in the output (the rule set's zone). */
  format(instant: Date): string;
}

/** The end of the next working day after `now`'s local date (office closing time), in the rule set's zone. */
export function endOfNextWorkingDay(now: Date, rs: CompiledRuleSet): Date {
  const hours = rs.officeHours;
  const tz = hours.time_zone;
  const { year, month, day } = localParts(now, tz);
  let t = Date.UTC(year, month - 1, day);
  for (let i = 0; i < 60; i++) {
    t += 86_400_000;
    const date = new Date(t).toISOString().slice(0, 10);
    if (isWorkingDay(date, hours)) return fromLocal(date, hours.end, tz);
  }
  throw new RangeError(`no working day within 60 days of ${new Date(now).toISOString()}`);
}

const oneLine = (s: string): string => s.replace(/\s+/g, " ").trim();
/** The first sentence of a step's text: enough to say what is due on one line. */
const firstSentence = (s: string): string => {
  const line = oneLine(s);
  const m = /^(.+?\.)\s/.exec(line);
  return (m ? m[1]! : line).replace(/\.$/, "");
};

interface DueStep {
  id: string;
  text: string;
  due_by: string;
}

/** A referral's steps in one line: the earliest leads, the rest counted (all of them in `steps`). */
function stepsItem(base: Pick<TodayItem, "ref" | "child" | "outcome">, steps: DueStep[], holder: string): TodayItem {
  const sorted = [...steps].sort((a, b) => Date.parse(a.due_by) - Date.parse(b.due_by));
  const first = sorted[0]!;
  const what = sorted.length === 1 ? first.text : `${first.text} (and ${sorted.length - 1} more step${sorted.length > 2 ? "s" : ""})`;
  return { ...base, kind: "steps", what, due_by: first.due_by, holder, steps: sorted };
}

const childOf = (state: ReferralState): string | null => {
  const name = state.decision.answers.child_name;
  return typeof name === "string" && name !== "unknown" && name.trim() !== "" ? name.trim() : null;
};

function labelOf(rs: CompiledRuleSet, kind: "closure" | "outcome" | "check", id: string): string {
  if (kind === "outcome") return rs.raw.outcomes.find((o) => o.id === id)?.label ?? id;
  if (kind === "closure") return rs.raw.closure_reasons.find((c) => c.id === id)?.label ?? id;
  return oneLine(rs.checks.get(id)?.raw.text ?? id);
}

/** Whether `user` (with `role`) could add an agreement that counts to a pending proposal. */
function canApprove(p: OverrideState | ClosureState, state: ReferralState, user: string, role: Role): boolean {
  if (p.by === user || state.decision.decided_by === user) return false;
  if (p.approvals.some((a) => a.by === user)) return false;
  const required: readonly Role[] = "rationale" in p ? p.approvals_required : (p.approvals_required ?? ["manager"]);
  return filledSlots(required, [...p.approvals, { by: user, role, at: "" }]) > filledSlots(required, p.approvals);
}

/** A manager who did not decide it may review a decision (planReview in actions/reviews.ts decides for certain). */
const mayReview = (state: ReferralState, user: string, role: Role | undefined): boolean => role !== undefined && state.decision.decided_by !== user;

function reviewItem(state: ReferralState): Omit<TodayItem, "holder"> {
  const what = state.challenged ? "manager's review (the decision was challenged)" : "manager's review of the decision";
  return { ref: state.ref, child: childOf(state), outcome: state.outcome, kind: "review", what, since: state.decision.decided_at };
}

/** What waits for `user` (a manager or senior manager) on one referral: proposals they may approve, and the review of the decision. */
function waitingFor({ state, rs }: TodayCase, user: string, role: Role): TodayItem[] {
  if (state.closed) return [];
  const holder = `${user} (${roleName(role)})`;
  const base = { ref: state.ref, child: childOf(state), outcome: state.outcome };
  const items: TodayItem[] = [];
  for (const p of pendingOf(state)) {
    if (!canApprove(p, state, user, role)) continue;
    const what =
      "rationale" in p
        ? `closure as "${labelOf(rs, "closure", p.reason)}" proposed by ${p.by}`
        : `downgrade to ${labelOf(rs, "outcome", p.to)} proposed by ${p.by}`;
    items.push({ ...base, kind: "rationale" in p ? "closure" : "downgrade", what, since: p.at, holder, seq: p.seq });
  }
  if (!state.reviewed && mayReview(state, user, role)) items.push({ ...reviewItem(state), holder });
  return items;
}

/** The review queue (`triage review` without a reference): what waits for `user`'s approval or review, most serious first. */
export function reviewQueue(cases: readonly TodayCase[], user: string, team: Team | undefined): { role: Role | null; items: TodayItem[] } {
  const role = team ? roleOf(team, user) : undefined;
  if (role === undefined) return { role: null, items: [] };
  return { role, items: cases.flatMap((c) => waitingFor(c, user, role)).sort(byUrgency) };
}

const when = (i: TodayItem): number => Date.parse(i.due_by ?? i.since ?? "") || Number.MAX_SAFE_INTEGER;
const byUrgency = (a: TodayItem, b: TodayItem): number => b.outcome.level - a.outcome.level || when(a) - when(b) || a.ref.localeCompare(b.ref);

export function todayQueue(input: TodayInput): TodayQueue {
  const { now, until, user } = input;
  const role = input.team ? roleOf(input.team, user) : undefined;
  const items: Record<TodaySectionId, TodayItem[]> = { overdue: [], due: [], awaiting_you: [], rescreen: [], guarded: [], unreviewed: [] };

  for (const { state, rs, rescreen } of input.cases) {
    if (state.closed) continue;
    const decider = state.decision.decided_by ?? "(not recorded)";
    if (input.worker !== undefined && decider !== input.worker) continue;
    const base = { ref: state.ref, child: childOf(state), outcome: state.outcome };
    const done = new Set(state.checks.map((c) => c.check));
    const stepText = (id: string) => firstSentence(state.decision.steps.find((s) => s.id === id)?.text ?? id);

    // One line per referral for its late steps, and one for the steps falling due: the earliest leads.
    const late = overdue(state, now).map((l) => ({
      id: l.id,
      text:
        l.id === "guard_checks"
          ? `checks a guard needs, past the decision deadline: ${[...new Set(state.guards.filter((g) => g.status === "holding").flatMap((g) => g.outstanding))].join(", ")}`
          : stepText(l.id),
      due_by: l.due_by,
    }));
    if (late.length > 0) items.overdue.push(stepsItem(base, late, decider));
    const due = state.decision.steps
      .filter((s) => s.due_by !== undefined && !done.has(s.id) && Date.parse(s.due_by) >= now.getTime() && Date.parse(s.due_by) <= until.getTime())
      .map((s) => ({ id: s.id, text: stepText(s.id), due_by: s.due_by! }));
    if (due.length > 0) items.due.push(stepsItem(base, due, decider));

    if (role !== undefined) items.awaiting_you.push(...waitingFor({ state, rs, rescreen }, user, role));

    if (rescreen.required && !rescreen.done) {
      const deadline = state.decision.deadlines.decide_by;
      items.rescreen.push({
        ...base,
        kind: "rescreen",
        what: `out-of-hours decision by ${decider}: the day team re-screens it`,
        ...(deadline ? { due_by: deadline } : { since: state.decision.decided_at }),
        holder: "day team (a manager)",
      });
    }

    const holding = state.guards.filter((g) => g.status === "holding");
    if (holding.length > 0) {
      const outstanding = [...new Set(holding.flatMap((g) => g.outstanding))];
      const deadline = state.decision.deadlines.decide_by;
      items.guarded.push({
        ...base,
        kind: "guard_checks",
        what: `${outstanding.length} check(s) outstanding for ${holding.map((g) => g.id).join(", ")}: ${outstanding.join(", ")}`,
        ...(deadline ? { due_by: deadline } : { since: state.decision.decided_at }),
        holder: decider,
      });
    }

    if (!state.reviewed && !mayReview(state, user, role)) items.unreviewed.push({ ...reviewItem(state), holder: "a manager" });
  }

  const titles: Record<TodaySectionId, [string, string]> = {
    overdue: ["Overdue", "Nothing overdue."],
    due: ["Falling due", "Nothing else falls due in the window."],
    awaiting_you: [
      `Waiting for you (${user})`,
      role === undefined
        ? `Nothing waits for ${user}: approvals need a manager in the team file${input.team ? ` ${input.team.source}` : ""}.`
        : "Nothing waits for your approval or review.",
    ],
    rescreen: ["Out-of-hours decisions not yet re-screened", "Every out-of-hours decision has been re-screened."],
    guarded: ["Guards holding: checks outstanding", "No guard is holding a referral."],
    unreviewed: [role === undefined ? "Unreviewed decisions" : "Unreviewed decisions someone else must review", "No other decision waits for a review."],
  };
  return {
    now: input.format(now),
    until: input.format(until),
    user,
    role: role ?? null,
    ...(input.worker !== undefined ? { worker: input.worker } : {}),
    sections: SECTION_ORDER.map((id) => ({ id, title: titles[id][0], empty: titles[id][1], items: items[id].sort(byUrgency) })),
  };
}
