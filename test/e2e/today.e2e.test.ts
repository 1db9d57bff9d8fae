/**
 * `triage today`, end to end: the spawned binary on a real SQLite log built from fixture referrals at
 * known times, then the handover queue at Monday 1 June 2026 09:30 for a manager, a worker, one
 * worker's cases and a short window. Expected sections worked out by hand from what was recorded.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { runCli, sandbox } from "../helpers/cli.js";
import { repoPath } from "../helpers/rules.js";

const NOW = "2026-06-01T09:30";

type Item = {
  ref: string;
  child: string | null;
  outcome: { id: string; level: number; label: string };
  kind: string;
  what: string;
  due_by?: string;
  since?: string;
  holder: string;
};
type Queue = { now: string; until: string; user: string; role: string | null; sections: { id: string; title: string; empty: string; items: Item[] }[] };

function setup() {
  const box = sandbox();
  const db = join(box.dir, "log.db");
  writeFileSync(join(box.dir, "team.yaml"), "managers: [mia.manager]\nsenior_managers: [sam.senior]\n");
  const cli = (args: string[], user = "worker.one") => runCli(args, { env: { ...box.env, TRIAGE_DB: db, TRIAGE_USER: user } });
  const json = (args: string[], user?: string) => {
    const r = cli([...args, "--json"], user);
    if (r.code !== 0) throw new Error(`triage ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  /** Records a fixture referral as `user`; `at` moves both its receipt and the decision to that local time. */
  const record = (n: string, user: string, at?: string, extra: string[] = []): string => {
    const file = readFileSync(repoPath("fixtures/referrals/" + FIXTURES[n]), "utf8");
    const fixture = parse(file) as { now: string; answers: Record<string, unknown> };
    const path = join(box.dir, `${n}-${user}.yaml`);
    writeFileSync(path, stringify({ ...fixture.answers, ...(at ? { received_at: at } : {}) }));
    return json(["new", "--answers", path, "--now", at ?? fixture.now, ...extra], user).ref as string;
  };
  return { box, cli, json, record };
}

const FIXTURES: Record<string, string> = {
  "01": "01-nfa-school-information-request.yaml",
  "03": "03-m1-bruise-on-3-month-old-health-visitor.yaml",
  "35": "35-ooh-saturday-night-edt-neglect.yaml",
  "51": "51-malicious-closure-ex-partner-no-checks-guard-holds.yaml",
};

const section = (q: Queue, id: string) => q.sections.find((s) => s.id === id)!;
const refs = (q: Queue, id: string) => section(q, id).items.map((i) => i.ref);

describe("triage today: the handover queue", () => {
  const t = setup();
  afterAll(() => t.box.cleanup());
  const r = {} as Record<"nfa" | "earlyHelp" | "edt" | "guarded" | "s47", string>;

  beforeAll(() => {
    r.nfa = t.record("01", "worker.one"); // Tue 10 Mar: advice, its feedback long overdue
    // Wed 11 Mar: the same child again, raised by the worker to early help; a downgrade is proposed below.
    r.earlyHelp = t.record("01", "worker.two", "2026-03-11T11:00", ["--escalate", "early_help", "--reason", "school worried about attendance"]);
    r.edt = t.record("35", "edt.worker"); // Sat 25 Apr 21:30: out of hours, never re-screened
    r.guarded = t.record("51", "worker.one"); // Wed 27 May: guard G1 holding, eight checks outstanding
    r.s47 = t.record("03", "worker.two", "2026-06-01T09:00"); // this morning at 09:00: a bruised baby, s47 steps due today
    // The manager agreed with the advice decision; worker.two proposes a downgrade of the early help one.
    expect(t.cli(["review", r.nfa, "--agree", "--now", "2026-03-11T09:30"], "mia.manager").code).toBe(0);
    const down = t.cli(
      ["override", r.earlyHelp, "--to", "advice_or_nfa", "--reason", "mother now well supported by her GP", "--now", "2026-03-12T10:00"],
      "worker.two",
    );
    expect(down.code, down.stderr).toBe(0);
  });

  it("lists the sections in order for a manager: overdue, due, waiting for you, not re-screened, guarded, unreviewed", () => {
    const q: Queue = t.json(["today", "--now", NOW], "mia.manager");
    expect(q.sections.map((s) => s.id)).toEqual(["overdue", "due", "awaiting_you", "rescreen", "guarded", "unreviewed"]);
    expect(q.user).toBe("mia.manager");
    expect(q.role).toBe("manager");
    // Default window: to the end of the next working day (Tuesday 2 June, office hours end 17:00).
    expect(q.until).toBe("2026-06-02T17:00:00+01:00");

    // Overdue: every open referral decided before today has late steps; the bruised baby's are not late yet.
    // Most serious first (s17 before early help before advice), then the earliest due: the two early
    // help referrals (the escalated one and, under rules 1.1, the out-of-hours neglect) by due time.
    const overdue = section(q, "overdue").items;
    expect(overdue.map((i) => i.ref)).toEqual([r.guarded, r.earlyHelp, r.edt, r.nfa]);
    expect(overdue.map((i) => i.outcome.id)).toEqual(["s17_assessment", "early_help", "early_help", "advice_or_nfa"]);
    expect(Date.parse(overdue[1]!.due_by!)).toBeLessThan(Date.parse(overdue[2]!.due_by!));
    expect(overdue.every((i) => Date.parse(i.due_by!) < Date.parse("2026-06-01T09:30:00+01:00"))).toBe(true);
    expect(overdue.find((i) => i.ref === r.nfa)!.holder).toBe("worker.one");
    expect(overdue.find((i) => i.ref === r.nfa)!.child).toBe("Maya Okafor");

    // Due in the window: the s47 referral received at 09:00 (strategy discussion and seeing the child today).
    expect(refs(q, "due")).toEqual([r.s47]);
    const due = section(q, "due").items[0]!;
    expect(due.outcome.id).toBe("strategy_discussion_s47");
    expect(due.holder).toBe("worker.two");
    expect(Date.parse(due.due_by!)).toBeGreaterThanOrEqual(Date.parse("2026-06-01T09:30:00+01:00"));

    // Waiting for mia: the downgrade she may approve, and reviews of the four decisions not yet reviewed.
    const mine = section(q, "awaiting_you").items;
    expect(mine.filter((i) => i.kind === "downgrade").map((i) => i.ref)).toEqual([r.earlyHelp]);
    expect(mine.find((i) => i.kind === "downgrade")!.what).toContain("downgrade to Advice / no further action proposed by worker.two");
    // Most serious first: the s47, the guarded s17, then the two early help ones (rules 1.1) by due time.
    expect(mine.filter((i) => i.kind === "review").map((i) => i.ref)).toEqual([r.s47, r.guarded, r.earlyHelp, r.edt]);
    expect(mine.every((i) => i.holder === "mia.manager (manager)")).toBe(true);

    expect(refs(q, "rescreen")).toEqual([r.edt]);
    expect(refs(q, "guarded")).toEqual([r.guarded]);
    expect(section(q, "guarded").items[0]!.what).toContain("8 check(s) outstanding for G1_never_presumed_malicious");
    expect(refs(q, "unreviewed")).toEqual([]);
  });

  it("for a worker: nothing waits for their approval, and the unreviewed decisions wait for a manager", () => {
    const q: Queue = t.json(["today", "--now", NOW], "worker.one");
    expect(q.role).toBeNull();
    expect(refs(q, "awaiting_you")).toEqual([]);
    expect(refs(q, "unreviewed")).toEqual([r.s47, r.guarded, r.earlyHelp, r.edt]);
    expect(section(q, "unreviewed").items.every((i) => i.holder === "a manager")).toBe(true);
  });

  it("--worker keeps one worker's cases; --hours narrows the window", () => {
    const q: Queue = t.json(["today", "--now", NOW, "--worker", "worker.two"], "mia.manager");
    const all = new Set(q.sections.flatMap((s) => s.items.map((i) => i.ref)));
    expect([...all].sort()).toEqual([r.earlyHelp, r.s47].sort());
    // The bruised baby's steps: three due at 13:00 today, the medical at 21:00, two by 09:00 tomorrow.
    const stepsDue = (q: Queue) => section(q, "due").items.flatMap((i) => (i as Item & { steps: { id: string }[] }).steps.map((s) => s.id));
    expect(stepsDue(t.json(["today", "--now", NOW], "mia.manager")).sort()).toEqual(
      [
        "consider_siblings",
        "give_feedback_to_referrer",
        "record_needs_and_network",
        "same_day_cp_medical",
        "strategy_discussion_today",
        "strategy_plan_six_points",
      ].sort(),
    );
    const four: Queue = t.json(["today", "--now", NOW, "--hours", "4"], "mia.manager");
    expect(four.until).toBe("2026-06-01T13:30:00+01:00");
    expect(stepsDue(four).sort()).toEqual(["consider_siblings", "strategy_discussion_today", "strategy_plan_six_points"]);
    expect(t.cli(["today", "--hours", "soon"]).code).toBe(2);
  });

  it("prints labels, one line for an empty section, and the overdue first", () => {
    const res = t.cli(["today", "--now", NOW], "worker.one");
    expect(res.code, res.stderr).toBe(0);
    const out = res.stdout;
    expect(out).toContain("Waiting for you (worker.one): Nothing waits for worker.one: approvals need a manager in the team file");
    expect(out).toContain("Strategy discussion (s47 threshold)");
    expect(out).toContain("Maya Okafor");
    expect(out.indexOf("Overdue (4)")).toBeLessThan(out.indexOf("Falling due by Tue 2 Jun 2026 17:00 (1)"));
    expect(out.indexOf("Falling due by")).toBeLessThan(out.indexOf("Out-of-hours decisions not yet re-screened (1)"));
    expect(out).not.toContain("strategy_discussion_s47");
  });

  it("a re-screen by a manager in office hours takes the referral out of the re-screen section and the review queue", () => {
    // A manager's agreement in office hours re-screens the out-of-hours decision.
    expect(t.cli(["review", r.edt, "--agree", "--now", "2026-06-01T09:40"], "mia.manager").code).toBe(0);
    const q: Queue = t.json(["today", "--now", "2026-06-01T09:45"], "mia.manager");
    expect(refs(q, "rescreen")).toEqual([]);
    expect(
      section(q, "awaiting_you")
        .items.filter((i) => i.kind === "review")
        .map((i) => i.ref),
    ).not.toContain(r.edt);
    expect(t.cli(["today", "--now", "2026-06-01T09:45"], "mia.manager").stdout).toContain(
      "Out-of-hours decisions not yet re-screened: Every out-of-hours decision has been re-screened.",
    );
  });

  it("triage review without a reference: the manager's queue, most serious first; nothing for a worker", () => {
    const q = t.json(["review", "--now", "2026-06-01T09:50"], "mia.manager") as { role: string; items: Item[] };
    expect(q.role).toBe("manager");
    // The out-of-hours one was agreed above; the early help referral waits twice: its review, then the downgrade.
    expect(q.items.map((i) => [i.ref, i.kind])).toEqual([
      [r.s47, "review"],
      [r.guarded, "review"],
      [r.earlyHelp, "review"],
      [r.earlyHelp, "downgrade"],
    ]);
    expect((q.items[3] as Item & { seq: number }).seq).toBeGreaterThan(0);
    const text = t.cli(["review", "--now", "2026-06-01T09:50"], "mia.manager");
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("Waiting for mia.manager (manager): 4");
    expect(text.stdout).toContain("Review one with: triage review REF --agree");
    expect(t.cli(["review"], "worker.one").stdout).toContain("Nothing to review: worker.one is not a manager or senior manager in the team file");
    const flagsOnly = t.cli(["review", "--agree"], "mia.manager");
    expect(flagsOnly.code).toBe(2);
    expect(flagsOnly.stderr).toContain("give the reference to review");
  });

  it("a second agreement by the same manager is refused, not recorded twice", () => {
    expect(t.cli(["review", r.s47, "--agree", "--now", "2026-06-01T09:55"], "mia.manager").code).toBe(0);
    const again = t.cli(["review", r.s47, "--agree", "--now", "2026-06-01T10:05"], "mia.manager");
    expect(again.code).toBe(5);
    expect(again.stderr).toContain("already agreed on 2026-06-01 09:55");
    const shown = t.json(["log", "show", r.s47]);
    expect(shown.entries.filter((e: { kind: string }) => e.kind === "review")).toHaveLength(1);
    const q = t.json(["review"], "mia.manager") as { items: Item[] };
    expect(q.items.map((i) => i.ref)).not.toContain(r.s47);
  });
});
