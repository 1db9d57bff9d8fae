/**
 * `triage demo`: "a month at a front door", built through the spawned binary at a fixed clock and at
 * the real one. Nothing is dated after the clock; every stats section has something in it; `today`,
 * `review`, `log list` and `log show` each have something worth looking at.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, sandbox } from "../helpers/cli.js";

type Entry = { seq: number; kind: string; at: string; body: Record<string, unknown> };

function build(now?: string) {
  const box = sandbox();
  const db = join(box.dir, "month", "demo.db");
  const clock = now ? ["--now", now] : [];
  const cli = (args: string[], user = "visitor") => runCli(["--db", db, ...args, ...clock], { env: { ...box.env, TRIAGE_USER: user } });
  const built = cli(["demo", "--json"]);
  if (built.code !== 0) throw new Error(`demo exited ${built.code}: ${built.stderr}`);
  return { box, db, cli, summary: JSON.parse(built.stdout), json: (args: string[], user?: string) => JSON.parse(cli([...args, "--json"], user).stdout) };
}

/** Every time the log holds, with where it came from. */
function times(entries: Entry[]): { where: string; at: string }[] {
  const out: { where: string; at: string }[] = [];
  for (const e of entries) {
    out.push({ where: `#${e.seq} at`, at: e.at });
    for (const key of ["received_at", "decided_at", "done_at"]) {
      const v = e.body[key];
      if (typeof v === "string") out.push({ where: `#${e.seq} ${key}`, at: v });
    }
  }
  return out;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the stats JSON as printed, read field by field
function statsSectionsFilled(stats: Record<string, any>): string[] {
  const empty: string[] = [];
  const check = (name: string, ok: boolean) => void (ok || empty.push(name));
  check(
    "by_outcome",
    stats.by_outcome.some((o: { now: number }) => o.now > 0),
  );
  check("by_referrer", stats.by_referrer.length > 0);
  check(
    "referrer_groups",
    stats.referrer_groups.every((g: { referrals: number }) => g.referrals > 0),
  );
  check("overrides", stats.overrides.up + stats.overrides.down.pending + stats.overrides.escalations_by_review > 0);
  check(
    "closures",
    stats.closures.some((c: { effective: number }) => c.effective > 0),
  );
  check("overdue", stats.overdue.referrals > 0);
  check("repeat_referrals", stats.repeat_referrals.groups.length > 0);
  check("out_of_hours", stats.out_of_hours.provisional > 0 && stats.out_of_hours.not_rescreened > 0);
  check("receipt_to_decision_minutes", stats.receipt_to_decision_minutes.count > 0);
  // The demo's people are named, not logged in: every entry names someone other than the OS account.
  check("named_not_os_user", stats.named_not_os_user > 0);
  check("by_rule_set", stats.by_rule_set.length > 0);
  for (const key of Object.keys(stats))
    if (
      ![
        "now",
        "since",
        "decisions",
        ...[
          "by_outcome",
          "by_referrer",
          "referrer_groups",
          "overrides",
          "closures",
          "overdue",
          "repeat_referrals",
          "out_of_hours",
          "receipt_to_decision_minutes",
          "named_not_os_user",
          "by_rule_set",
        ],
      ].includes(key)
    )
      empty.push(`${key} (not checked by this test)`);
  return empty;
}

describe("demo at a fixed clock: Monday 30 November 2026, 09:00", () => {
  const NOW = "2026-11-30T09:00";
  const t = build(NOW);
  afterAll(() => t.box.cleanup());

  it("says where it wrote the log and the team file", () => {
    expect(t.summary.path).toBe(t.db);
    expect(t.summary.team).toBe(join(t.box.dir, "month", "team.yaml"));
    expect(readFileSync(t.summary.team, "utf8")).toContain("managers: [mia.manager, lee.lead]");
    const again = runCli(["--db", join(t.box.dir, "other", "demo.db"), "demo", "--now", NOW], { env: t.box.env });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`written to ${join(t.box.dir, "other", "demo.db")}`);
    expect(again.stdout).toContain(`Team file (the demo's managers mia.manager, lee.lead and sam.senior): ${join(t.box.dir, "other", "team.yaml")}`);
  });

  it("covers the month before the clock, and nothing after it", () => {
    const entries = t
      .cli(["log", "export"])
      .stdout.trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Entry);
    const late = times(entries).filter((x) => Date.parse(x.at) > Date.parse("2026-11-30T09:00:00Z"));
    expect(late).toEqual([]);
    const first = Math.min(...times(entries).map((x) => Date.parse(x.at)));
    expect(first).toBeGreaterThan(Date.parse("2026-10-20T00:00:00Z"));
  });

  it("is mostly advice and early help, with a few assessments and strategy discussions", () => {
    const rows = t.json(["log", "list", "--limit", "500"]) as { outcome: string }[];
    expect(rows.length).toBe(t.summary.decisions);
    const count = (id: string) => rows.filter((r) => r.outcome === id).length;
    expect(count("advice_or_nfa") + count("early_help")).toBeGreaterThan(rows.length / 2);
    expect(count("s17_assessment")).toBeGreaterThan(0);
    expect(count("strategy_discussion_s47")).toBeGreaterThan(0);
  });

  it("has every highlight: five referrals by five people (one misspelt), closures approved and refused, a downgrade and an EDT decision waiting", () => {
    const h = t.summary.highlights;
    for (const [name, ref] of Object.entries(h).filter(([k]) => k !== "five_referrals")) expect(ref, name).toMatch(/^TRG-\d{4}-\d{6}$/);
    expect(h.five_referrals).toHaveLength(5);
    const referrers = h.five_referrals.map((ref: string) => t.json(["log", "show", ref]).answers.referrer_type);
    expect(new Set(referrers).size).toBe(5);
    const fifth = t.json(["log", "show", h.five_referrals[4]]);
    expect(fifth.history.referrals_in_window).toBe(4);
    expect(fifth.outcome.id).toBe("strategy_discussion_s47");
    const misspelt = t.json(["log", "show", h.misspelt_name_matched]);
    expect(misspelt.answers.child_name).toBe("Skye Brenan");
    expect(misspelt.history.possible_matches.filter((m: { confirmed?: boolean }) => m.confirmed === true).length).toBeGreaterThan(0);
    expect(t.json(["log", "show", h.closure_approved]).state.closed).toBe(true);
    const guarded = t.json(["log", "show", h.closure_refused_by_guard]);
    expect(guarded.state.closed).toBe(false);
    expect(guarded.guards.find((g: { id: string }) => g.id === "G1_never_presumed_malicious").status).toBe("holding");
    expect(guarded.state.checks.length).toBeGreaterThan(0);
    expect(t.json(["log", "show", h.downgrade_awaiting_manager]).state.pending).toBe(true);
    const reviews = t
      .cli(["log", "export"])
      .stdout.trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Entry)
      .filter((e) => e.kind === "review")
      .map((e) => e.body.action);
    expect(reviews).toEqual(expect.arrayContaining(["agree", "challenge", "escalate"]));
  });

  it("log show is the whole case: child, referrer, answers by section, history used, steps, and every entry since", () => {
    const h = t.summary.highlights;
    const misspelt = t.cli(["log", "show", h.misspelt_name_matched.toLowerCase()]);
    expect(misspelt.code, misspelt.stderr).toBe(0);
    const text = misspelt.stdout;
    const flat = text.replace(/\s+/g, " "); // long lines wrap at 80 columns
    // Who, the card (outcome and why, Act now, deadlines, the reasons), then the case's own parts; the
    // steps and history appear once, with their status now.
    const order = [
      "Child",
      "Referrer",
      "Why:",
      h.misspelt_name_matched,
      "Act now",
      "Deadlines",
      "\nWhy\n",
      "Answers",
      "History used",
      "\nSteps\n",
      "\nNow\n",
      "Entries",
    ].map((w) => text.indexOf(w));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(text.match(/^Steps/gm)).toHaveLength(1);
    expect(text).not.toContain("Steps, by due time");
    expect(text).toContain("Name            Skye Brenan");
    expect(text).toContain("Date of birth   2019-05-02");
    expect(text).toContain("Postcode        LS6 2QD");
    expect(text).toContain("Who is making the referral? Neighbour or member of the public");
    expect(text).toContain("  Contact and referrer\n");
    expect(text).toContain("How did the referral come in? — To the front door in office hours");
    expect(flat).toMatch(new RegExp(`${h.five_referrals[0]} received \\w+ \\d+ \\w+ \\d{4} \\d\\d:\\d\\d: Advice / no further action`));
    expect(flat).toMatch(new RegExp(`confirmed match ${h.five_referrals[0]} \\(by \\S+, .*\\): .*is close to 'Skye Brennan'`));
    expect(text).not.toContain("Ella"); // the template's child is not named in the demo's notes
    const closed = t.cli(["log", "show", h.closure_approved]).stdout.replace(/\s+/g, " ");
    expect(closed).toMatch(/\[done\] .* — due /);
    expect(closed).toMatch(/done by \S+, .*: Done; noted on the case file/);
    expect(closed).toMatch(/closure proposed as "Information only" .*School asked for information only/); // the label, not the id
    expect(closed).toMatch(/manager review: agree entry #\d+/);
    expect(closed).toContain("closed as Information only");
    const data = t.json(["log", "show", h.misspelt_name_matched]);
    expect(data.ref).toBe(h.misspelt_name_matched);
    expect(data.case.child).toEqual({ name: "Skye Brenan", dob: "2019-05-02", ref: null, postcode: "LS6 2QD" });
    expect(data.case.history.matches.map((m: { decision: string }) => m.decision)).toEqual(["confirmed", "confirmed", "confirmed"]);
    expect(data.case.sections.map((s: { title: string }) => s.title)).toContain("Contact and referrer");
  });

  it("gives today, the review queue and stats something in every section", () => {
    const today = t.json(["today"], "mia.manager") as { sections: { id: string; items: unknown[] }[] };
    const filled = today.sections.filter((s) => s.items.length > 0).map((s) => s.id);
    expect(filled).toEqual(["overdue", "due", "awaiting_you", "rescreen", "guarded"]);
    const queue = t.json(["review"], "mia.manager") as { items: { kind: string; ref: string }[] };
    expect(queue.items.find((i) => i.kind === "downgrade")?.ref).toBe(t.summary.highlights.downgrade_awaiting_manager);
    expect(statsSectionsFilled(t.json(["stats"]))).toEqual([]);
  });
});

describe("demo at the real clock", () => {
  const t = build();
  afterAll(() => t.box.cleanup());

  it("dates nothing in the future, and every stats section has something in it", () => {
    const now = Date.now();
    const entries = t
      .cli(["log", "export"])
      .stdout.trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Entry);
    expect(entries.length).toBeGreaterThan(100);
    expect(times(entries).filter((x) => Date.parse(x.at) > now)).toEqual([]);
    expect(statsSectionsFilled(t.json(["stats"]))).toEqual([]);
    expect(existsSync(t.summary.team)).toBe(true);
  });
});
