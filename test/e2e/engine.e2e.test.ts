import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, sandbox } from "../helpers/cli.js";
import { repoPath } from "../helpers/rules.js";

const box = sandbox();
afterAll(() => box.cleanup());
const cli = (args: string[], input?: string) => runCli(args, { env: box.env, ...(input !== undefined && { input }) });
const MINIMAL = "fixtures/rulesets/minimal.yaml";
const answers = join(box.dir, "answers.yaml");
writeFileSync(
  answers,
  "received_at: 2026-11-27T10:00\nchild_name: Fictional Child\nage: baby\nconcerns: [injury]\ninjury_seen: not_seen\ncontacts: 0\nwhereabouts: with_harmer\nreferrer: family\n",
);

describe("triage (spawned binary)", () => {
  it("--help lists the command groups and the exit codes", () => {
    const r = cli(["--help"]);
    expect(r.code).toBe(0);
    for (const word of ["new", "resume", "checks", "close", "override", "review", "stats", "log", "rules", "demo", "Exit codes:"])
      expect(r.stdout).toContain(word);
  });

  it("--version prints the version", () => {
    const r = cli(["--version"]);
    expect(r.code).toBe(0);
    // The version in the program must be the package's, not a copy that drifts.
    expect(r.stdout.trim()).toBe((JSON.parse(readFileSync(repoPath("package.json"), "utf8")) as { version: string }).version);
  });

  it("an unknown command is a usage error (exit 2)", () => {
    const r = cli(["frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command");
  });

  it("rules validate: a good file exits 0 with a one-line summary", () => {
    const r = cli(["rules", "validate", MINIMAL]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/valid — minimal 1, 9 questions, 8 rules/);
  });

  it("rules validate: a broken file exits 1 with every problem at file:line:col", () => {
    const r = cli(["rules", "validate", "fixtures/rulesets/invalid/unknown-references.yaml"]);
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n").filter((l) => /unknown-references\.yaml:\d+:\d+: /.test(l))).toHaveLength(4);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("rules validate: a missing file and a non-YAML file are clear errors", () => {
    const missing = cli(["rules", "validate", "no/such/rules.yaml"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("cannot read rule set no/such/rules.yaml: no such file");
    const binary = join(box.dir, "not-yaml.yaml");
    writeFileSync(binary, "id: [unclosed\n  : : :\n\t- tab");
    const bad = cli(["rules", "validate", binary]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not-yaml\.yaml:\d+:\d+: YAML syntax/);
  });

  it("rules schema prints a JSON Schema editors can use", () => {
    const r = cli(["rules", "schema"]);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout) as { $schema: string; properties: Record<string, unknown> };
    expect(schema.$schema).toContain("json-schema.org");
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(["rules", "guards", "thresholds", "questions"]));
  });

  it("new --answers --dry-run --json prints the decision record without a ref", () => {
    const r = cli(["--rules", MINIMAL, "new", "--answers", answers, "--dry-run", "--json", "--now", "2026-11-27T10:30"]);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d.ref).toBeUndefined();
    expect(d.computed_outcome).toEqual({ id: "protect", level: 5, label: "Immediate protection" });
    expect(d.outcome).toEqual(d.computed_outcome);
    expect(d.received_at).toBe("2026-11-27T10:00:00+00:00");
    expect(d.rule_set.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(d.fired.map((f: { id: string }) => f.id)).toEqual(expect.arrayContaining(["R1_baby_injury", "R5_whereabouts"]));
    for (const key of ["deadlines", "steps", "guards", "flags", "unknowns", "history"]) expect(d).toHaveProperty(key);
  });

  it("new --answers - reads standard input", () => {
    const r = cli(
      ["--rules", MINIMAL, "new", "--answers", "-", "--dry-run", "--json", "--now", "2026-11-27T10:30"],
      '{"received_at":"2026-11-27T10:00","child_name":"X","age":"older","concerns":["none"],"contacts":0,"whereabouts":"safe","referrer":"professional"}',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).computed_outcome.id).toBe("none");
  });

  it("a bad answers file names the question and its position, exit 2", () => {
    const bad = join(box.dir, "bad-answers.yaml");
    writeFileSync(bad, "received_at: 2026-11-27T10:00\nchild_name: X\nage: toddler\nconcerns: [none]\ncontacts: 0\nreferrer: family\n");
    const r = cli(["--rules", MINIMAL, "new", "--answers", bad, "--dry-run"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad-answers.yaml:3:6: question "age": "toddler" is not an option');
    expect(r.stderr).toContain('question "whereabouts" is not answered');
  });

  it("a bad JSON answers file is located the same way (JSON is parsed fast, problems located as YAML)", () => {
    const bad = join(box.dir, "bad-answers.json");
    writeFileSync(
      bad,
      '{\n  "received_at": "2026-11-27T10:00",\n  "child_name": "X",\n  "age": "toddler",\n  "concerns": ["none"],\n  "contacts": 0,\n  "whereabouts": "safe",\n  "referrer": "family"\n}\n',
    );
    const r = cli(["--rules", MINIMAL, "new", "--answers", bad, "--dry-run"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad-answers.json:4:10: question "age": "toddler" is not an option');
  });

  it("rules explain shows each rule and each condition with the actual answer and threshold", () => {
    const r = cli(["--rules", MINIMAL, "rules", "explain", answers, "--now", "2026-11-27T10:30"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("FIRED   R1_baby_injury");
    expect(r.stdout).toContain("✗ contacts gte repeat_count (repeat_count = 3)  — 0");
    expect(r.stdout).toMatch(/not evaluated|·/);
  });

  it("a bad --now is a usage error naming the expected format", () => {
    const r = cli(["--rules", MINIMAL, "new", "--answers", answers, "--dry-run", "--now", "yesterday"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--now: "yesterday" is not a date-time');
  });
});
