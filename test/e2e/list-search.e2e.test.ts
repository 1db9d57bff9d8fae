/**
 * `triage log list` as a supervisor searches: worker and child columns, the truncation note, --child
 * by a misspelt name, a date of birth, a postcode or a case reference, references in any case, and
 * outcomes by id or label (unknown ones refused with suggestions). A real log, the spawned binary.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { runCli, sandbox } from "../helpers/cli.js";
import { repoPath } from "../helpers/rules.js";

describe("log list: search and truncation", () => {
  const box = sandbox();
  const db = join(box.dir, "log.db");
  const cli = (args: string[], user = "worker.one") => runCli(args, { env: { ...box.env, TRIAGE_DB: db, TRIAGE_USER: user } });
  const refs: string[] = [];
  afterAll(() => box.cleanup());

  beforeAll(() => {
    const f01 = parse(readFileSync(repoPath("fixtures/referrals/01-nfa-school-information-request.yaml"), "utf8")) as { answers: Record<string, unknown> };
    // Seven advice referrals on seven working days: Skye twice (once misspelt, with a postcode and case reference), five other children.
    const children: [string, string, Record<string, string>][] = [
      ["Skye Brennan", "amira.duty", { child_dob: "2019-05-02", household_postcode: "AB1 2CD", child_ref: "LCS-4411" }],
      ["Maya Okafor", "ben.duty", {}],
      ["Sky Brenan", "chloe.duty", { child_dob: "2019-05-02" }],
      ["Leo Marsh", "ben.duty", { child_dob: "2017-01-09" }],
      ["Ava Cole", "ben.duty", { child_dob: "2016-02-10" }],
      ["Isla Kerr", "ben.duty", { child_dob: "2015-03-11" }],
      ["Noah Price", "ben.duty", { child_dob: "2014-04-12" }],
    ];
    children.forEach(([name, worker, extra], i) => {
      const at = `2026-03-${["09", "10", "11", "12", "13", "16", "17"][i]}T10:00`; // weekdays, in office hours
      const file = join(box.dir, `${i}.yaml`);
      writeFileSync(file, stringify({ ...f01.answers, child_name: name, received_at: at, ...extra }));
      // The misspelt Sky is confirmed by the worker as the same child as Skye (a possible match).
      const link = i === 2 ? ["--link", refs[0]!] : [];
      const r = cli(["new", "--answers", file, "--now", at, "--json", ...link], worker);
      expect(r.code, r.stderr).toBe(0);
      refs.push(JSON.parse(r.stdout).ref);
    });
  });

  const listed = (args: string[]) => {
    const r = cli(["log", "list", ...args, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { ref: string }[]).map((x) => x.ref);
  };

  it("shows worker and child columns with outcome labels, and says when the list is cut", () => {
    const r = cli(["log", "list", "--limit", "3"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^REFERENCE\s+RECEIVED\s+CHILD\s+OUTCOME\s+WORKER\s+RESPOND BY\s+STATE$/);
    expect(lines[1]).toContain("Noah Price");
    expect(lines[1]).toContain("Advice / no further action");
    expect(lines[1]).toContain("ben.duty");
    expect(lines.at(-1)).toBe("showing 3 of 7 (use --limit)");
    // Derived filters count too.
    expect(cli(["log", "list", "--unreviewed", "--limit", "2"]).stdout.trimEnd().split("\n").at(-1)).toBe("showing 2 of 7 (use --limit)");
    expect(cli(["log", "list"]).stdout).not.toContain("showing");
  });

  it("--child finds a misspelt name as the history lookup does, and by date of birth, postcode or case reference", () => {
    expect(listed(["--child", "Skye Brenan"]).sort()).toEqual([refs[0], refs[2]].sort());
    expect(listed(["--child", "Skye"])).toEqual([refs[0]]);
    expect(listed(["--child", "2019-05-02"]).sort()).toEqual([refs[0], refs[2]].sort());
    expect(listed(["--child", "ab1 2cd"])).toEqual([refs[0]]);
    expect(listed(["--child", "lcs-4411"])).toEqual([refs[0]]);
    expect(listed(["--child", refs[3]!.toLowerCase()])).toEqual([refs[3]]);
    expect(listed(["--child", "Zebedee Quill"])).toEqual([]);
  });

  it("references are accepted in any case", () => {
    const r = cli(["log", "show", refs[1]!.toLowerCase(), "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).ref).toBe(refs[1]);
  });

  it("--outcome takes an id or a label; an unknown one is exit 2 with suggestions", () => {
    expect(listed(["--outcome", "advice_or_nfa"])).toHaveLength(7);
    expect(listed(["--outcome", "Advice / no further action"])).toHaveLength(7);
    expect(listed(["--outcome", "early help"])).toEqual([]);
    const typo = cli(["log", "list", "--outcome", "early halp"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('did you mean early_help ("Early help")');
    const unknown = cli(["log", "list", "--outcome", "s99"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('strategy_discussion_s47 ("Strategy discussion (s47 threshold)")');
  });
});
