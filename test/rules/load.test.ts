import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseRuleSet } from "../../src/rules/load.js";
import { repoPath } from "../helpers/rules.js";

const problemsOf = (name: string): string[] => {
  const file = `fixtures/rulesets/invalid/${name}.yaml`;
  const result = parseRuleSet(readFileSync(repoPath(file), "utf8"), file);
  if (result.ok) throw new Error(`${name} should be invalid`);
  return result.problems;
};

// Each broken file has one kind of defect; the position is where the defect is written (counted by hand).
const cases: [string, string[]][] = [
  ["yaml-syntax", ["yaml-syntax.yaml:55:5: YAML syntax: Flow sequence"]],
  ["duplicate-key", ['duplicate-key.yaml:111:5: duplicate key "floor"']],
  [
    "unknown-key",
    ['unknown-key.yaml:109:29: unknown key "eqq"', 'unknown-key.yaml:118:5: unknown key "becuase"', 'unknown-key.yaml:114:5: missing required key "because"'],
  ],
  ["duplicate-id", ['duplicate-id.yaml:130:9: duplicate id "R3_repeat" (first used at rules[2])']],
  ["unknown-question", ['unknown-question.yaml:132:55: unknown question "concern"; did you mean concerns?']],
  ["unknown-option", ['unknown-option.yaml:109:33: "toddler" is not an option of "age"; expected one of: baby, young, older, unknown']],
  ["operator-type", ['operator-type.yaml:132:34: operator "gte" does not fit select question "age"']],
  ["threshold-range", ['threshold-range.yaml:13:12: threshold "repeat_count" is 12, outside its allowed range 2–10']],
  ["later-question", ['later-question.yaml:68:16: "contacts" is asked at or after this question']],
  [
    "unknown-references",
    [
      'unknown-references.yaml:34:89: unknown threshold "urgent_hour"',
      'unknown-references.yaml:128:13: unknown step "chronology_review"',
      'unknown-references.yaml:140:12: unknown outcome "protection"',
      'unknown-references.yaml:167:40: unknown check "police_checks"',
    ],
  ],
  ["missing-because", ['missing-because.yaml:150:5: missing required key "because"']],
];

describe("broken rule files: every problem, each at file:line:col", () => {
  it.each(cases)("%s", (name, expected) => {
    const problems = problemsOf(name);
    for (const fragment of expected)
      expect(
        problems.some((p) => p.includes(fragment)),
        `${fragment}\n in:\n${problems.join("\n")}`,
      ).toBe(true);
    if (name !== "yaml-syntax") expect(problems).toHaveLength(expected.length);
  });

  it("reports all problems of a file at once, not only the first", () => {
    expect(problemsOf("unknown-references")).toHaveLength(4);
  });

  it("says what was meant: the closest valid id by edit distance", () => {
    const text = problemsOf("unknown-references").join("\n");
    expect(text).toContain('unknown outcome "protection"; did you mean protect?');
    expect(text).toContain('unknown step "chronology_review"; did you mean chronology?');
    expect(text).toContain('unknown threshold "urgent_hour"; did you mean urgent_hours?');
  });
});

describe("valid rule sets", () => {
  const text = readFileSync(repoPath("fixtures/rulesets/minimal.yaml"), "utf8");

  it("parses and identifies the rule set by id, version and content hash", () => {
    const result = parseRuleSet(text, "minimal.yaml");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.ruleSet.raw.id).toBe("minimal");
    expect(result.ruleSet.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("gives the same hash when comments, whitespace, key order and rule order change", () => {
    const a = parseRuleSet(text, "a.yaml");
    const reordered = text
      .replace("# A small rule set", "# Reworded comment.\n# A small rule set")
      .replace('id: minimal\nversion: "1"', 'version: "1"\nid: minimal')
      .replace(/ {2}- id: R7_feedback[\s\S]*?(?= {2}- id: R8_ooh)/, "")
      .replace("rules:\n", `rules:\n${/ {2}- id: R7_feedback[\s\S]*?(?= {2}- id: R8_ooh)/.exec(text)![0]}`);
    const b = parseRuleSet(reordered, "b.yaml");
    expect(a.ok && b.ok).toBe(true);
    if (a.ok && b.ok) expect(b.ruleSet.sha256).toBe(a.ruleSet.sha256);
  });

  it("gives a different hash when a threshold changes", () => {
    const a = parseRuleSet(text, "a.yaml");
    const b = parseRuleSet(text.replace("    value: 3\n", "    value: 4\n"), "b.yaml");
    if (!a.ok || !b.ok) throw new Error("should parse");
    expect(b.ruleSet.sha256).not.toBe(a.ruleSet.sha256);
  });

  it("rejects a document that is not a map", () => {
    const result = parseRuleSet("- just\n- a list\n", "list.yaml");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]).toMatch(/^list\.yaml:1:1: expected a rule set/);
  });

  it("keeps yes/no as strings (YAML 1.2 core schema), so option tokens are not silently booleans", () => {
    const result = parseRuleSet(text.replace("options: [safe, with_harmer, unknown]", "options: [safe, with_harmer, unknown, no]"), "yesno.yaml");
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.ruleSet.raw.questions.find((q) => q.id === "whereabouts")?.options).toContain("no");
  });
});
