/**
 * `triage demo`: "a month at a front door" — a log of fictional referrals over the last month of
 * working days, dated back from now (nothing in the future), with what a month brings after the
 * decisions: steps done, reviews agreed, challenged and escalated, checks recorded, a closure
 * approved and a malicious closure the guard refused, a downgrade and an out-of-hours decision
 * waiting for the day team, a child referred five times by five different people (once misspelt).
 *
 * Everything after a decision goes through the real commands (checks, review, override, close)
 * with the acting person and the clock set, so the demo obeys the same rules as a person would.
 * It writes into a new folder (default: demo/ beside the log) with a team file naming the demo's
 * managers, and never into an existing log.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ExitCode, TriageError } from "../../errors.js";
import { checkAnswers } from "../../rules/answers.js";
import type { CompiledRuleSet } from "../../rules/compile.js";
import { formatInZone, fromLocal, isOutOfHours, isWorkingDay, localParts } from "../../rules/time.js";
import type { Answer } from "../../rules/types.js";
import { PACKAGE_ROOT, type Context } from "../context.js";
import { isServerLog, loadReferral, openStore, recordDecision } from "../record.js";
import { loadRules } from "../rules-loader.js";

const WORKERS = ["amira.duty", "ben.duty", "chloe.duty"];
const EDT = "dev.edt";
const MANAGER = "mia.manager";
const LEAD = "lee.lead";
const SENIOR = "sam.senior";
const TEAM_YAML = `# The demo's managers (triage demo). Approvals are accepted only from people named here.\nmanagers: [${MANAGER}, ${LEAD}]\nsenior_managers: [${SENIOR}]\n`;

/** One referral of the month: a fixture's answers as a template, with the child and the day changed. */
interface Referral {
  key: string;
  template: string;
  /** Working days before today (1 = the last working day), or "last-night" for the evening before now. */
  day: number | "last-night";
  time: string;
  worker?: string;
  child?: { name: string; dob?: string; postcode?: string };
  answers?: Record<string, Answer>;
  /** Escalated by the worker at decision time. */
  escalate?: { to: string; reason: string };
  /** Possible earlier matches (a misspelt name) the worker confirms as the same child. */
  confirmMatches?: boolean;
}

const T01 = "01-nfa-school-information-request.yaml";
const T02 = "02-early-help-health-visitor-parental-low-mood.yaml";
const T55 = "55-interpreter-needed-for-parent-early-help.yaml";
const T57 = "57-e6-not-fired-neglect-hearsay-older-child.yaml";
const T61 = "61-e5-recent-separation-older-child.yaml";
const SKYE = { name: "Skye Brennan", dob: "2019-05-02", postcode: "LS6 2QD" };

// Most contacts at a front door are advice or early help; a few need assessment, fewer a strategy discussion.
const MONTH: Referral[] = [
  { key: "advice-1", template: T01, day: 22, time: "09:40", child: { name: "Harry Dobson", dob: "2016-03-14" } },
  { key: "eh-1", template: T02, day: 22, time: "11:10", child: { name: "Isabella Kerr", dob: "2024-06-02" } },
  { key: "skye-1", template: T01, day: 21, time: "10:05", child: SKYE, answers: { referrer_type: "school_education" } },
  { key: "advice-2", template: T01, day: 21, time: "14:30", child: { name: "Oliver Grant", dob: "2014-09-21" }, answers: { referrer_type: "gp" } },
  { key: "eh-2", template: T55, day: 20, time: "10:20", child: { name: "Zofia Nowak", dob: "2022-01-17" } },
  { key: "s17-1", template: "58-e8-parental-drug-use-toddler.yaml", day: 20, time: "15:45", child: { name: "Riley Moss", dob: "2023-08-08" } },
  { key: "advice-3", template: T01, day: 19, time: "09:15", child: { name: "Amelia Shaw", dob: "2015-11-30" }, answers: { referrer_type: "housing" } },
  { key: "eh-3", template: T61, day: 18, time: "13:00", child: { name: "Nathan Fox", dob: "2011-04-04" } },
  { key: "closed", template: T01, day: 18, time: "16:10", child: { name: "Freya Lowe", dob: "2017-07-19" } },
  { key: "skye-2", template: T02, day: 17, time: "11:35", child: SKYE, answers: { referrer_type: "health_visitor" } },
  { key: "advice-4", template: T01, day: 16, time: "10:00", child: { name: "Jack Turner", dob: "2013-02-26" }, answers: { referrer_type: "police" } },
  {
    key: "edt-rescreened",
    template: "35-ooh-saturday-night-edt-neglect.yaml",
    day: 15,
    time: "22:10",
    worker: EDT,
    child: { name: "Millie Baxter", dob: "2020-10-03" },
  },
  { key: "eh-4", template: T57, day: 14, time: "14:20", child: { name: "Ella Fitzgerald-Rowe", dob: "2010-12-12" }, answers: { referrer_type: "anonymous" } },
  { key: "escalated", template: T02, day: 13, time: "09:50", child: { name: "Evie Hughes", dob: "2023-03-09" } },
  { key: "skye-3", template: T02, day: 12, time: "15:00", child: SKYE, answers: { referrer_type: "grandparent" } },
  { key: "advice-5", template: T01, day: 12, time: "10:30", child: { name: "George Patel", dob: "2012-05-05" }, answers: { referrer_type: "early_years" } },
  { key: "s47-1", template: "03-m1-bruise-on-3-month-old-health-visitor.yaml", day: 11, time: "10:40", child: { name: "Noah Whitfield" } },
  { key: "challenged", template: T55, day: 10, time: "11:00", child: { name: "Ruby Hartley", dob: "2021-02-14" } },
  { key: "guarded", template: "51-malicious-closure-ex-partner-no-checks-guard-holds.yaml", day: 9, time: "15:00", child: { name: "Poppy Whitlock" } },
  { key: "advice-6", template: T01, day: 8, time: "09:30", child: { name: "Lucas Reid", dob: "2016-08-18" }, answers: { referrer_type: "school_education" } },
  {
    key: "skye-4",
    template: T57,
    day: 7,
    time: "12:15",
    child: { ...SKYE, name: "Skye Brenan" },
    answers: { referrer_type: "neighbour_public" },
    confirmMatches: true,
  },
  { key: "eh-5", template: T02, day: 6, time: "10:45", child: { name: "Maisie Cole", dob: "2024-09-27" } },
  {
    key: "downgrade",
    template: T01,
    day: 5,
    time: "14:00",
    child: { name: "Leo Marsh", dob: "2015-01-09" },
    escalate: { to: "early_help", reason: "School worried about attendance; parents asked for help" },
  },
  { key: "s17-2", template: "59-e9-12-year-old-not-in-school.yaml", day: 4, time: "11:20", child: { name: "Lucy Parr" } },
  { key: "advice-7", template: T01, day: 4, time: "15:30", child: { name: "Sienna Wood", dob: "2018-06-06" }, answers: { referrer_type: "midwife" } },
  {
    key: "eh-6",
    template: T61,
    day: 3,
    time: "09:55",
    child: { name: "Toby Clarke", dob: "2012-10-10" },
    answers: { referrer_type: "aunt_uncle_other_relative" },
  },
  { key: "skye-5", template: T02, day: 2, time: "10:10", child: SKYE, answers: { referrer_type: "police" }, confirmMatches: true },
  { key: "advice-8", template: T01, day: 2, time: "13:40", child: { name: "Aria Khan", dob: "2017-03-03" }, answers: { referrer_type: "other_professional" } },
  { key: "eh-7", template: T55, day: 1, time: "11:30", child: { name: "Kacper Wisniewski", dob: "2020-05-15" } },
  { key: "advice-9", template: T01, day: 1, time: "15:05", child: { name: "Mohammed Ali", dob: "2013-12-01" }, answers: { referrer_type: "school_education" } },
  {
    key: "edt-waiting",
    template: "35-ooh-saturday-night-edt-neglect.yaml",
    day: "last-night",
    time: "21:40",
    worker: EDT,
    child: { name: "Tyler Goodwin", dob: "2019-02-20" },
  },
];

/** Local dates of the working days before `now`'s date, most recent first. */
function workingDaysBefore(now: Date, rs: CompiledRuleSet, n: number): string[] {
  const { year, month, day } = localParts(now, rs.officeHours.time_zone);
  const days: string[] = [];
  for (let t = Date.UTC(year, month - 1, day) - 86_400_000; days.length < n; t -= 86_400_000) {
    const date = new Date(t).toISOString().slice(0, 10);
    if (isWorkingDay(date, rs.officeHours)) days.push(date);
  }
  return days;
}

const addMinutes = (t: Date, m: number): Date => new Date(t.getTime() + m * 60_000);

/** Minutes from receipt to decision: most within the hour or two, out-of-hours ones quickly. */
const DELAYS = [25, 40, 55, 70, 95, 130, 35, 50, 160, 45];
const delay = (r: Referral, i: number): number => (r.worker === EDT ? 20 : DELAYS[i % DELAYS.length]!);

export async function run(ctx: Context, _args: string[], options: { db?: string }): Promise<void> {
  // A log named with --db or TRIAGE_DB is the demo's; the default log's place gets a demo folder
  // beside it, so the demo never mixes with real referrals.
  const dbPath = options.db !== undefined || !ctx.dbIsDefault ? ctx.dbPath : join(dirname(ctx.dbPath), "demo", "demo.db");
  if (isServerLog({ dbPath })) return demoOnServer(ctx, dbPath, options);
  if (existsSync(dbPath))
    throw new TriageError(
      `${dbPath} already exists; the log is append-only, so the demo is built only into a new file`,
      ExitCode.Usage,
      "remove it, or choose another file with --db",
    );
  mkdirSync(dirname(dbPath), { recursive: true, mode: 0o700 });
  const teamFile = join(dirname(dbPath), "team.yaml");
  const teamWritten = !existsSync(teamFile);
  if (teamWritten) writeFileSync(teamFile, TEAM_YAML, { mode: 0o600 });

  const rs = await loadRules(ctx);
  const tz = rs.officeHours.time_zone;
  const now = ctx.now(tz);
  const days = workingDaysBefore(now, rs, 23);
  const quiet = { ...ctx, dbPath, teamPath: teamFile, json: true, out: () => undefined, err: () => undefined };
  const as = (user: string, at: Date): Context => ({ ...quiet, user, now: () => at, nowIsFixed: true });
  // Never in the future: anything scheduled after now is left undone (it is what `today` shows).
  const past = (t: Date) => t.getTime() <= now.getTime();

  const { parse } = await import("yaml");
  const template = (file: string) =>
    (parse(readFileSync(join(PACKAGE_ROOT, "fixtures", "referrals", file), "utf8")) as { answers: Record<string, Answer> }).answers;

  // 1. The decisions, oldest first, each with the history the log holds by then.
  const when = (r: Referral): Date => {
    if (r.day === "last-night") {
      const { year, month, day } = localParts(now, tz);
      const yesterday = new Date(Date.UTC(year, month - 1, day) - 86_400_000).toISOString().slice(0, 10);
      return fromLocal(yesterday, r.time, tz);
    }
    return fromLocal(days[r.day - 1]!, r.time, tz);
  };
  const scheduled = MONTH.map((r, i) => ({ r, received: when(r), minutes: delay(r, i) }))
    .filter((x) => past(addMinutes(x.received, x.minutes)))
    .sort((a, b) => a.received.getTime() - b.received.getTime());
  const refs = new Map<string, string>();
  const decidedAt = new Map<string, Date>();
  const store = await openStore({ ...quiet, err: () => undefined });
  try {
    for (const [i, { r, received, minutes }] of scheduled.entries()) {
      const base = template(r.template);
      const answers: Record<string, Answer> = {
        ...base,
        ...(r.child ? { child_name: r.child.name } : {}),
        ...(r.child?.dob ? { child_dob: r.child.dob } : {}),
        ...(r.child?.postcode ? { household_postcode: r.child.postcode } : {}),
        ...r.answers,
        received_at: formatInZone(received, tz).slice(0, 16),
      };
      // The template's notes name its own child: the demo's child is named instead.
      const was = typeof base.child_name === "string" ? base.child_name.split(" ")[0] : undefined;
      if (r.child && was && typeof answers.worker_rationale === "string")
        answers.worker_rationale = answers.worker_rationale.split(was).join(r.child.name.split(" ")[0]);
      const checked = checkAnswers(rs, answers);
      if (checked.problems.length > 0) throw new Error(`demo referral ${r.key}: ${checked.problems.map((p) => p.message).join("; ")}`);
      // A day-time referral is decided before the office closes (else it would be an out-of-hours decision).
      const closing = addMinutes(fromLocal(formatInZone(received, tz).slice(0, 10), rs.officeHours.end, tz), -5);
      const inHours = !isOutOfHours(received, rs.officeHours);
      const decided = inHours ? new Date(Math.min(addMinutes(received, minutes).getTime(), closing.getTime())) : addMinutes(received, minutes);
      const worker = r.worker ?? (isOutOfHours(received, rs.officeHours) ? EDT : WORKERS[i % WORKERS.length]!);
      // A worker looks at each possible match; here the misspelt name is confirmed as the same child.
      const possible = r.confirmMatches ? [...refs.entries()].filter(([k]) => k.startsWith("skye-")).map(([, ref]) => ref) : [];
      const decision = await recordDecision({ ...as(worker, decided) }, rs, store, {
        answers: checked.answers,
        warnings: checked.warnings,
        now: decided,
        choices: { confirm: new Set(possible), reject: new Set() },
        ...(r.escalate ? { escalation: r.escalate } : {}),
      });
      refs.set(r.key, decision.ref!);
      decidedAt.set(r.key, decided);
    }
  } finally {
    await store.close();
  }

  // 2. What the month brought afterwards, in order of time, through the real commands.
  type Action = { at: Date; user: string; command: string; ref: string; options: Record<string, unknown>; expectRefusal?: boolean };
  const actions: Action[] = [];
  const nextMorning = (key: string, minutes: number): Date => {
    const decided = decidedAt.get(key)!;
    const date = days
      .slice()
      .reverse()
      .find((d) => fromLocal(d, "09:00", tz).getTime() > decided.getTime());
    return addMinutes(date ? fromLocal(date, "09:00", tz) : now, minutes);
  };
  const stepsDone = new Set(["s17-1", "s47-1"]); // the two cases whose steps the team has kept up with in full
  const keep = (key: string) => refs.has(key);

  // Steps recorded as done: on every case older than three working days, except a few left late.
  const late = new Set(["eh-6", "guarded", "s17-2", "edt-rescreened", "eh-5"]);
  for (const { r } of scheduled) {
    const ref = refs.get(r.key)!;
    const decided = decidedAt.get(r.key)!;
    const oldEnough = typeof r.day === "number" && r.day > 3;
    if (!(oldEnough || stepsDone.has(r.key)) || late.has(r.key)) continue;
    const { state } = await withStore(dbPath, quiet, (s) => loadReferral(s, ref));
    for (const step of state.decision.steps) {
      const due = step.due_by ? new Date(step.due_by) : addMinutes(decided, 24 * 60);
      const doneAt = new Date(Math.max(decided.getTime() + 30 * 60_000, Math.min(due.getTime() - 45 * 60_000, now.getTime())));
      if (!past(doneAt)) continue;
      actions.push({
        at: doneAt,
        user: state.decision.decided_by!,
        command: "checks",
        ref,
        options: { record: step.id, found: "Done; noted on the case file" },
      });
    }
  }

  // Reviews: the manager agrees with most decisions the next working morning.
  const unreviewed = new Set(["eh-7", "advice-9", "edt-waiting", "skye-5", "guarded", "s17-2"]);
  let minute = 0;
  for (const { r } of scheduled) {
    if (unreviewed.has(r.key) || ["challenged", "escalated", "closed", "downgrade", "eh-5"].includes(r.key)) continue;
    actions.push({ at: nextMorning(r.key, 20 + (minute++ % 90)), user: MANAGER, command: "review", ref: refs.get(r.key)!, options: { agree: true } });
  }
  if (keep("challenged")) {
    // Challenged: the worker answers with the check asked for; the manager then agrees.
    const ref = refs.get("challenged")!;
    actions.push({
      at: nextMorning("challenged", 35),
      user: LEAD,
      command: "review",
      ref,
      options: { challenge: true, reason: "Speak to the referrer yourself before deciding: what did the health visitor see?" },
    });
    actions.push({
      at: nextMorning("challenged", 120),
      user: "amira.duty",
      command: "checks",
      ref,
      options: { record: "referrer_interviewed", found: "Spoke to the health visitor: mother anxious, engaging, asks for help with housing and nursery" },
    });
    actions.push({ at: nextMorning("challenged", 240), user: LEAD, command: "review", ref, options: { agree: true } });
  }
  if (keep("eh-5")) {
    // A challenge not yet answered.
    actions.push({
      at: nextMorning("eh-5", 50),
      user: LEAD,
      command: "review",
      ref: refs.get("eh-5")!,
      options: { challenge: true, reason: "Father not mentioned at all: who else lives there?" },
    });
  }
  if (keep("escalated")) {
    actions.push({
      at: nextMorning("escalated", 15),
      user: MANAGER,
      command: "review",
      ref: refs.get("escalated")!,
      options: { escalate: "s17_assessment", reason: "Third contact about this baby's weight in a year: assess, do not signpost" },
    });
  }
  if (keep("closed")) {
    // A closure proposed by the worker and approved by a manager.
    const ref = refs.get("closed")!;
    actions.push({
      at: nextMorning("closed", 60),
      user: "chloe.duty",
      command: "close",
      ref,
      options: { as: "information_only", rationale: "School asked for information only; no concern about the child; told the school how to refer" },
    });
    actions.push({ at: nextMorning("closed", 95), user: MANAGER, command: "review", ref, options: { agree: true } });
  }
  if (keep("guarded")) {
    // Some checks recorded; the malicious closure is refused by the guard (G1): most checks are outstanding.
    const ref = refs.get("guarded")!;
    actions.push({
      at: nextMorning("guarded", 30),
      user: "ben.duty",
      command: "checks",
      ref,
      options: { record: "full_history", found: "Two earlier contacts in 2024, both closed after checks; no earlier allegation by this referrer" },
    });
    actions.push({
      at: nextMorning("guarded", 75),
      user: "ben.duty",
      command: "checks",
      ref,
      options: { record: "health_checks", found: "GP: seen last month, no concerns recorded; no ED attendances" },
    });
    actions.push({
      at: nextMorning("guarded", 90),
      user: "ben.duty",
      command: "close",
      ref,
      expectRefusal: true,
      options: { as: "referral_considered_malicious", rationale: "Mother says he is using the court case", evidence: "Custody hearing next week" },
    });
  }
  if (keep("downgrade")) {
    actions.push({
      at: nextMorning("downgrade", 60),
      user: "ben.duty",
      command: "override",
      ref: refs.get("downgrade")!,
      options: { to: "advice_or_nfa", reason: "School's attendance plan is working; parents no longer want early help" },
    });
  }

  const refused: string[] = [];
  for (const a of actions.filter((x) => past(x.at)).sort((x, y) => x.at.getTime() - y.at.getTime())) {
    const module = (await import(`./${a.command}.js`)) as { run: (ctx: Context, args: string[], options: Record<string, unknown>) => Promise<void> };
    try {
      await module.run(as(a.user, a.at), [a.ref], a.options);
      if (a.expectRefusal) throw new Error(`demo: ${a.command} ${a.ref} was expected to be refused`);
    } catch (error) {
      if (!a.expectRefusal || !(error instanceof TriageError) || error.exitCode !== ExitCode.Refused) throw error;
      refused.push(a.ref);
    }
  }

  const at = (key: string) => refs.get(key) ?? "(not yet: the demo stops at now)";
  const summary = {
    path: dbPath,
    team: teamFile,
    team_written: teamWritten,
    decisions: refs.size,
    first: [...refs.values()][0],
    last: [...refs.values()].at(-1),
    from: formatInZone(scheduled[0]!.received, tz),
    until: formatInZone(now, tz),
    highlights: {
      five_referrals: MONTH.filter((r) => r.key.startsWith("skye-")).map((r) => at(r.key)),
      misspelt_name_matched: at("skye-4"),
      closure_approved: at("closed"),
      closure_refused_by_guard: refused[0] ?? at("guarded"),
      downgrade_awaiting_manager: at("downgrade"),
      escalated_by_manager: at("escalated"),
      edt_rescreened: at("edt-rescreened"),
      edt_not_rescreened: at("edt-waiting"),
    },
  };
  if (ctx.json) return ctx.out(JSON.stringify(summary, null, 2));
  const db = `--db ${dbPath}`;
  ctx.out(
    [
      `A month at a front door: ${refs.size} fictional referrals from ${summary.from.slice(0, 10)} to now, written to ${dbPath}`,
      teamWritten ? `Team file (the demo's managers ${MANAGER}, ${LEAD} and ${SENIOR}): ${teamFile}` : `Team file already there, left as it was: ${teamFile}`,
      "",
      "Worth a look:",
      `  triage ${db} --user ${MANAGER} today                 the 09:00 handover queue`,
      `  triage ${db} --user ${MANAGER} review                what waits for the manager`,
      `  triage ${db} log list --child "Skye Brennan"          five referrals, five referrers, one misspelt`,
      `  triage ${db} log show ${summary.highlights.five_referrals.at(-1)}         the fifth: history used, rules fired`,
      `  triage ${db} log show ${summary.highlights.closure_refused_by_guard}         a malicious closure the guard refused`,
      `  triage ${db} stats                                    the month's audit measures`,
      `  triage ${db} log export --format csv --out month.csv  one row per decision, for a spreadsheet`,
    ].join("\n"),
  );
}

async function withStore<T>(dbPath: string, ctx: Context, fn: (store: Awaited<ReturnType<typeof openStore>>) => Promise<T>): Promise<T> {
  const store = await openStore({ ...ctx, dbPath }, { readonly: true });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/**
 * The demo on a server log. Several people act in it (workers, managers), and a server log records
 * only whoever is logged in; so the month is built in a file first, its people named as on a pilot's
 * log, then copied verbatim into the empty server log by its owner, as `triage log copy` moves a
 * pilot's log in (README "A shared team log").
 */
async function demoOnServer(ctx: Context, url: string, options: { db?: string }): Promise<void> {
  const { copyLog } = await import("./log-copy.js");
  const dir = mkdtempSync(join(tmpdir(), "triage-demo-"));
  try {
    const file = join(dir, "demo.db");
    let built = "";
    await run({ ...ctx, dbPath: file, dbIsDefault: false, json: true, out: (text) => void (built += text) }, [], { ...options, db: file });
    const copy = await copyLog(ctx, file, url);
    if (!copy.same_head) throw new TriageError(`the demo was copied to ${copy.to} but the copy does not verify: ${copy.mismatch ?? ""}`, ExitCode.Log);
    const month = JSON.parse(built) as { decisions: number };
    const summary = { ...month, path: copy.to, team: null, team_written: false, copied: copy.copied };
    if (ctx.json) return ctx.out(JSON.stringify(summary, null, 2));
    ctx.out(
      [
        `A month at a front door: ${summary.decisions} fictional referrals, ${copy.copied} entries copied into the server log ${copy.to} (verified, same head hash as built).`,
        "The entries name the demo's people; on the server, who may approve is each login's database role (GRANT triage_manager TO …), not a team file.",
        'Worth a look, as your own database user: triage today · triage log list --child "Skye Brennan" · triage stats',
      ].join("\n"),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
