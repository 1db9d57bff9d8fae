/**
 * The decision card, laid out for a worker who has ten seconds: the first screen (80×24) holds the
 * outcome and why, what must be done in the next few hours (by due time, overdue marked) and the
 * deadlines. Then the reasons, the other steps by due time, guards, what is not known and the history.
 */
import type { CompiledRuleSet } from "../../rules/compile.js";
import type { Decision, DecisionStep } from "../../rules/types.js";
import { inertDeep } from "./inert.js";
import { labelsFor, type Labels } from "./labels.js";
import type { Style } from "./style.js";
import { localTime, wrap, WIDTH } from "./text.js";
import { displayWidth, padEndColumns } from "./width.js";

/** "The next few hours": steps due this soon after the decision are the Act now block. */
export const ACT_NOW_HOURS = 4;
/** The first screen the card is laid out for (a small terminal). */
export const FIRST_SCREEN_ROWS = 24;

export interface CardOptions {
  /** Shown in place of the reference when the decision is not (yet) recorded. */
  unrecorded?: string | undefined;
  width?: number;
  /** The rows the first screen may use: the Act now block is cut to fit (the rest follows below). */
  rows?: number;
  /**
   * In the whole case (`log show`), the steps and the history appear once, in the case's own parts
   * with their status now (src/cli/render/case.ts): the card leaves out its copies below the first screen.
   */
  inCase?: boolean;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** "Thu 21:40" within a week of the decision, else the full local time: short enough for a column. */
export function shortTime(iso: string, from: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso);
  if (!m) return iso;
  const days = (Date.parse(iso) - Date.parse(from)) / 86_400_000;
  if (days < -1 || days >= 6) return localTime(iso);
  const day = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).getUTCDay();
  return `${DAYS[day]} ${m[4]}:${m[5]}`;
}

/** Steps in the order they must be done: by due time (undated last), the record's order kept for ties. */
export function stepsByDueTime(steps: readonly DecisionStep[]): DecisionStep[] {
  const at = (s: DecisionStep) => (s.due_by ? Date.parse(s.due_by) : Number.POSITIVE_INFINITY);
  return steps
    .map((s, i) => ({ s, i }))
    .sort((a, b) => at(a.s) - at(b.s) || a.i - b.i)
    .map((x) => x.s);
}

/** Past due when the decision was made: the record says so (overdue_at_decision), else it is read from the times. */
export function overdueAtDecision(step: DecisionStep, decidedAt: string): boolean {
  const marked = (step as DecisionStep & { overdue_at_decision?: boolean }).overdue_at_decision;
  if (marked !== undefined) return marked;
  return step.due_by !== undefined && Date.parse(step.due_by) < Date.parse(decidedAt);
}

/** The steps to act on now: overdue, or due within ACT_NOW_HOURS of the decision. */
export function actNowSteps(d: Pick<Decision, "steps" | "decided_at">): DecisionStep[] {
  const horizon = Date.parse(d.decided_at) + ACT_NOW_HOURS * 3_600_000;
  return stepsByDueTime(d.steps).filter((s) => s.due_by !== undefined && (Date.parse(s.due_by) <= horizon || overdueAtDecision(s, d.decided_at)));
}

/** Why the outcome is what it is, in words: the rules that set it (hard floors first), or the default. */
function because(d: Decision, labels: Labels): string {
  const setting = d.fired.filter((f) => f.effect !== "note" && f.outcome === d.computed_outcome.id);
  const ordered = [...setting.filter((f) => f.hard), ...setting.filter((f) => !f.hard)];
  if (ordered.length === 0) return "no rule raised it: the rule set's default outcome";
  const first = labels.rule(ordered[0]!.id);
  const more = ordered.length > 1 ? ` (and ${ordered.length - 1} more reason${ordered.length > 2 ? "s" : ""} below)` : "";
  return `${first}${more}`;
}

/** Items joined by " · ", wrapped between items (a deadline's name and time stay on one line). */
function wrapItems(items: readonly string[], indent: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const item of items) {
    if (line && displayWidth(indent) + displayWidth(line) + 3 + displayWidth(item) > width) {
      lines.push(indent + line);
      line = item;
    } else line = line ? `${line} · ${item}` : item;
  }
  if (line) lines.push(indent + line);
  return lines;
}

/** A block of text with a hanging indent under a label column. */
function hanging(label: string, text: string, column: number, width: number): string[] {
  const lines = wrap(text, " ".repeat(column), width);
  if (lines.length === 0) return [label];
  lines[0] = padEndColumns(label, column) + lines[0]!.slice(column);
  return lines;
}

export function renderDecision(d: Decision, style: Style, rs: CompiledRuleSet, options: CardOptions = {}): string {
  const { first, rest } = cardParts(d, style, rs, options);
  return [...first, "", ...rest].join("\n");
}

/**
 * The card in two parts: the first screen, and the rest. The interview prints the rest first and the
 * first screen last, so that what matters sits right above the prompt that asks what to do.
 */
export function cardParts(decision: Decision, style: Style, rs: CompiledRuleSet, options: CardOptions = {}): { first: string[]; rest: string[] } {
  const d = inertDeep(decision); // answers, names, rationale and rule-set text came from people and files
  const labels = labelsFor(rs);
  const width = options.width ?? WIDTH;
  const rows = options.rows ?? FIRST_SCREEN_ROWS;
  const outcomeCount = rs.outcomes.length;
  const top: string[] = [];

  // ── The first screen ───────────────────────────────────────────────────────────────────────────
  const level = d.outcome.level;
  const name = style.level(level, ` ${labels.outcome(d.outcome.id).toUpperCase()} `);
  top.push(`${name}  level ${level} of ${outcomeCount}${d.hard_floor ? ` · ${style.bold("hard floor")}` : ""}`);
  const why = `Why${d.hard_floor ? " (a hard floor: no one at the front door may go below it)" : ""}: ${because(d, labels)}`;
  top.push(...wrap(why, "", width));
  if (d.outcome.id !== d.computed_outcome.id) top.push(`Computed by the rules: ${labels.outcome(d.computed_outcome.id)} (level ${d.computed_outcome.level})`);
  if (d.flags.length > 0) top.push(...wrap(`Flags: ${d.flags.map((f) => style.warn(labels.flag(f))).join(" · ")}`, "", width));
  top.push(
    ...wrap(
      `${d.ref ?? options.unrecorded ?? "Dry run (not recorded)"} · received ${localTime(d.received_at)} · decided ${shortTime(d.decided_at, d.received_at)}`,
      "",
      width,
    ).map((l) => style.dim(l)),
  );

  // A late entry, a pre-dated event: what the worker must see before acting, on the first screen.
  const alerts = [
    ...d.warnings.map((w) => `warning: ${w}`),
    ...d.history.earlier
      .filter((e) => e.closed_as)
      .map(
        (e) =>
          `Earlier referral ${e.ref} (${localTime(e.received_at)}) was closed as "${labels.closure(e.closed_as!)}"${e.closure_passed_guard ? " after the guard's checks" : " WITHOUT the guard's checks: it cannot be relied on"}.`,
      ),
    ...(d.history.possible_matches.some((m) => m.confirmed === undefined)
      ? [
          `${d.history.possible_matches.filter((m) => m.confirmed === undefined).length} possible earlier referral(s) about this child not yet confirmed or rejected.`,
        ]
      : []),
  ];
  for (const a of alerts) top.push(...wrap(`! ${a}`, "  ", width).map((l) => style.bad(l.replace(/^ {2}!/, "!"))));

  const deadlines = Object.entries(d.deadlines).sort((a, b) => Date.parse(a[1]) - Date.parse(b[1]));
  const deadlineLines = wrapItems(
    deadlines.map(([n, at]) => `${labels.deadline(n)} ${shortTime(at, d.decided_at)}`),
    "  ",
    width,
  );
  const deadlineBlock = deadlines.length > 0 ? ["", style.heading("Deadlines"), ...deadlineLines] : [];

  const now = actNowSteps(d);
  const when = (s: DecisionStep) => (s.due_by ? shortTime(s.due_by, d.decided_at) : "no date");
  // The time column fits the longest time shown ("Thu 21:40", or a full date a week or more away).
  const column = 4 + Math.max(9, ...d.steps.map((s) => displayWidth(when(s))));
  const stepLines = (s: DecisionStep): string[] => {
    const late = overdueAtDecision(s, d.decided_at);
    const text = late ? `OVERDUE — ${s.text}` : s.text;
    const lines = hanging(`  ${when(s)}`, text, column, width);
    return late ? lines.map((l) => style.bad(l)) : lines;
  };
  const actBlock: string[] = ["", style.heading(`Act now — due within ${ACT_NOW_HOURS} hours of the decision, or overdue`)];
  const budget = rows - top.length - deadlineBlock.length - actBlock.length;
  const shown: DecisionStep[] = [];
  if (now.length === 0) {
    const first = stepsByDueTime(d.steps).find((s) => s.due_by);
    actBlock.push(
      ...wrap(
        first ? `Nothing is due in the next ${ACT_NOW_HOURS} hours. The first step is due ${localTime(first.due_by)}.` : "No step has a due time.",
        "  ",
        width,
      ),
    );
  } else {
    let used = 0;
    for (const [i, s] of now.entries()) {
      const lines = stepLines(s);
      const rest = now.length - i - 1;
      // Keep one line for "… N more" when something would not fit.
      if (used + lines.length + (rest > 0 ? 1 : 0) > budget && shown.length > 0) break;
      actBlock.push(...lines);
      shown.push(s);
      used += lines.length;
    }
    if (shown.length < now.length)
      actBlock.push(style.bold(`  … ${now.length - shown.length} more due by ${shortTime(now.at(-1)!.due_by!, d.decided_at)}: below, first`));
  }
  const first = [...top, ...actBlock, ...deadlineBlock];
  const out: string[] = [];

  // ── Below the first screen ────────────────────────────────────────────────────────────────────
  const others = options.inCase ? [] : stepsByDueTime(d.steps).filter((s) => !shown.includes(s));
  if (others.length > 0) {
    out.push(style.heading(shown.length > 0 ? "Other steps, by due time" : "Steps, by due time"));
    for (const s of others) out.push(...stepLines(s));
    out.push("");
  }

  out.push(style.heading("Why"));
  if (d.fired.length === 0) out.push("  No rule fired: the rule set's default outcome applies.");
  const fired = [...d.fired.filter((f) => f.effect !== "note"), ...d.fired.filter((f) => f.effect === "note")];
  for (const f of fired) {
    const effect =
      f.effect === "floor"
        ? `at least ${labels.outcome(f.outcome!)}${f.hard ? " (hard floor)" : ""}`
        : f.effect === "raise"
          ? `raised to ${labels.outcome(f.outcome!)}`
          : "adds steps";
    out.push(...wrap(`${style.bold(labels.rule(f.id))} — ${effect}${f.applied ? "" : ", already met"}`, "  ", width));
    out.push(...wrap(f.because, "      ", width));
  }
  for (const g of d.guards.filter((x) => x.status === "holding")) {
    out.push(...wrap(`${style.bold(labels.guard(g.id))} — the guard holds the outcome at ${labels.outcome(g.floor)} or above`, "  ", width));
  }
  out.push("");

  const guards = d.guards.filter((g) => g.status !== "not_applicable");
  if (guards.length > 0) {
    out.push(style.heading("Guards"));
    for (const g of guards) {
      const status = g.status === "holding" ? style.bad("HOLDING") : style.ok("released");
      out.push(...wrap(`${labels.guard(g.id)}: ${status} · floor ${labels.outcome(g.floor)}`, "  ", width));
      if (g.hard_stop) out.push(...wrap(style.bad("hard stop: cannot be closed as unsubstantiated or malicious at the front door"), "      ", width));
      if (g.outstanding.length > 0) {
        out.push("      checks outstanding:");
        for (const c of g.outstanding) out.push(...wrap(`- ${labels.check(c)}`, "        ", width));
      }
    }
    out.push("");
  }

  if (d.analysis) out.push(style.heading("Analysis"), ...wrap(d.analysis, "  ", width), "");
  if (d.unknowns.length > 0) {
    out.push(style.heading("Not known (to find out; counted as the worst case)"));
    for (const q of d.unknowns) out.push(...wrap(`- ${labels.question(q)}`, "    ", width).map((l) => l.replace(/^ {4}-/, "  -")));
    out.push("");
  }

  if (!options.inCase) out.push(...historyLines(d, labels, width));
  return { first, rest: out };
}

/** What the log holds beside what the worker counted, so a "0" never sits unexplained next to a "5". */
export function historyLines(d: Decision, labels: Labels, width = WIDTH): string[] {
  const h = d.history;
  const out = [`${"History"}`];
  const fromLog = `${h.referrals_in_window} earlier referral${h.referrals_in_window === 1 ? "" : "s"} in the window, ${h.distinct_referrers} referrer type${h.distinct_referrers === 1 ? "" : "s"}`;
  const contacts = d.answers.contacts_last_12m;
  const referrers = d.answers.distinct_referrers_12m;
  const said = (v: unknown) => (typeof v === "number" ? String(v) : v === "unknown" ? "not known" : undefined);
  const workerParts = [
    said(contacts) !== undefined ? `${said(contacts)} earlier contact(s) in 12 months` : undefined,
    said(referrers) !== undefined ? `${said(referrers)} referrer(s)` : undefined,
  ].filter((x) => x !== undefined);
  out.push(`  in the log:            ${fromLog}`);
  out.push(`  the worker's count:    ${workerParts.length > 0 ? workerParts.join(", ") : "not asked"}`);
  if (typeof contacts === "number" && contacts > h.referrals_in_window)
    out.push(
      ...wrap(
        `The worker counted more contacts than this log holds: the others are recorded elsewhere (other systems, other areas, before the log) or under other details.`,
        "  ",
        width,
      ),
    );
  else if (typeof contacts === "number" && contacts < h.referrals_in_window)
    out.push(...wrap(`The log holds more earlier referrals than the worker counted: check the chronology.`, "  ", width));
  for (const e of h.earlier)
    out.push(
      ...wrap(
        `${e.ref}  ${localTime(e.received_at)}  ${labels.outcome(e.outcome)}${e.closed_as ? ` — closed as "${labels.closure(e.closed_as)}"` : ""}`,
        "    ",
        width,
      ).map((l) => l.replace(/^ {4}/, "  ")),
    );
  for (const m of h.possible_matches)
    out.push(...wrap(`possible match ${m.ref}: ${m.why}${m.confirmed === true ? " (confirmed)" : m.confirmed === false ? " (rejected)" : ""}`, "    ", width));
  return out;
}
