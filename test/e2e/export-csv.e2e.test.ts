/**
 * `triage log export --format csv`: one row per decision, read back with a strict RFC 4180 parser
 * (test/helpers/csv.ts). The log is built through the spawned binary; expected cells are worked out
 * by hand from what was recorded.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { runCli, sandbox } from "../helpers/cli.js";
import { parseCsvStrict } from "../helpers/csv.js";
import { repoPath } from "../helpers/rules.js";

/** The shipped rule set's version: the one in force on a new log. */
const SHIPPED_VERSION = (parse(readFileSync(repoPath("rules/default.yaml"), "utf8")) as { version: string }).version;

const REQUIRED = [
  "ref",
  "received_at",
  "decided_at",
  "child_name",
  "child_dob",
  "referrer_type",
  "computed_outcome",
  "current_outcome",
  "decided_by",
  "reviewed_by",
  "review_state",
  "guard_state",
  "closure",
  "overdue_steps",
  "rule_set_version",
];

// A name a spreadsheet would run as a formula, with a comma, quotes and a line break in it.
const HOSTILE_NAME = '-2+3, "Jo"\nSmith';

describe("log export --format csv: one row per decision", () => {
  const box = sandbox();
  const db = join(box.dir, "log.db");
  writeFileSync(join(box.dir, "team.yaml"), "managers: [mia.manager]\n");
  const cli = (args: string[], user = "worker.one") => runCli(args, { env: { ...box.env, TRIAGE_DB: db, TRIAGE_USER: user } });
  const refs: string[] = [];
  afterAll(() => box.cleanup());

  beforeAll(() => {
    const fixture = (n: string) => parse(readFileSync(repoPath(`fixtures/referrals/${n}`), "utf8")) as { now: string; answers: Record<string, unknown> };
    const f01 = fixture("01-nfa-school-information-request.yaml");
    const hostile = join(box.dir, "hostile.yaml");
    writeFileSync(hostile, stringify({ ...f01.answers, child_name: HOSTILE_NAME }));
    for (const [file, user] of [
      [hostile, "worker.one"],
      [repoPath("fixtures/referrals/51-malicious-closure-ex-partner-no-checks-guard-holds.yaml"), "worker.two"],
      [repoPath("fixtures/referrals/35-ooh-saturday-night-edt-neglect.yaml"), "edt.worker"],
    ] as const) {
      const r = cli(["new", "--answers", file, "--json", ...(file === hostile ? ["--now", f01.now] : [])], user);
      expect(r.code, r.stderr).toBe(0);
      refs.push(JSON.parse(r.stdout).ref);
    }
    expect(cli(["review", refs[0]!, "--agree", "--now", "2026-03-10T11:00"], "mia.manager").code).toBe(0);
    expect(cli(["review", refs[2]!, "--challenge", "--reason", "see the child first", "--now", "2026-04-27T10:00"], "mia.manager").code).toBe(0);
  });

  it("has the named columns, one row per decision, and reads back exactly", () => {
    const r = cli(["log", "export", "--format", "csv", "--now", "2026-06-01T09:00"]);
    expect(r.code, r.stderr).toBe(0);
    const [header, ...rows] = parseCsvStrict(r.stdout);
    expect(header!.filter((c) => REQUIRED.includes(c))).toEqual(REQUIRED);
    expect(rows).toHaveLength(3);
    const cell = (row: string[], column: string) => row[header!.indexOf(column)]!;
    const [nfa, guarded, edt] = rows as [string[], string[], string[]];

    expect(cell(nfa, "ref")).toBe(refs[0]);
    // The formula-like name is neutralised with a leading apostrophe, and otherwise kept whole.
    expect(cell(nfa, "child_name")).toBe(`'${HOSTILE_NAME}`);
    expect(cell(nfa, "received_at")).toBe("2026-03-10T10:15:00+00:00");
    expect(cell(nfa, "computed_outcome")).toBe("advice_or_nfa");
    expect(cell(nfa, "current_outcome")).toBe("advice_or_nfa");
    expect(cell(nfa, "decided_by")).toBe("worker.one");
    expect(cell(nfa, "reviewed_by")).toBe("mia.manager");
    expect(cell(nfa, "review_state")).toBe("agreed");
    expect(cell(nfa, "rule_set_version")).toBe(SHIPPED_VERSION);

    expect(cell(guarded, "child_name")).toBe("Poppy Whitlock");
    expect(cell(guarded, "referrer_type")).toBe("ex_partner_other_parent");
    expect(cell(guarded, "current_outcome")).toBe("s17_assessment");
    expect(cell(guarded, "guard_state")).toBe("holding");
    expect(cell(guarded, "checks_outstanding").split("; ")).toContain("police_checks_all_adults");
    expect(cell(guarded, "review_state")).toBe("unreviewed");
    expect(cell(guarded, "reviewed_by")).toBe("");
    expect(cell(guarded, "overdue_steps").split("; ")).toContain("guard_checks");
    expect(cell(guarded, "closure")).toBe("");

    expect(cell(edt, "decided_by")).toBe("edt.worker");
    expect(cell(edt, "review_state")).toBe("challenged");
    expect(cell(edt, "out_of_hours_rescreen")).toBe("outstanding");
  });

  it("--events keeps one row per entry", () => {
    const [header, ...rows] = parseCsvStrict(cli(["log", "export", "--format", "csv", "--events"]).stdout);
    expect(header).toEqual(["seq", "ref", "kind", "actor", "at", "prev_hash", "hash", "body"]);
    const kinds = rows.map((r) => r[2]);
    expect(kinds.filter((k) => k === "decision")).toHaveLength(3);
    expect(kinds.filter((k) => k === "review")).toHaveLength(2);
  });

  it("the strict reader refuses what a spreadsheet would misread", () => {
    expect(() => parseCsvStrict('a,b\r\n"x,y\r\n')).toThrow(/not closed/);
    expect(() => parseCsvStrict('a,b\r\nx"y,z\r\n')).toThrow(/quote inside/);
    expect(() => parseCsvStrict("a,b\r\nx\r\n")).toThrow(/1 fields/);
    expect(() => parseCsvStrict("a,b\nx,y\n")).toThrow(/line feed/);
  });
});
