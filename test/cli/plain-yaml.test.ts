// The plain-YAML reader must give exactly what the YAML library gives (core schema, as answers
// files are parsed), or step aside (undefined) — never a different value.
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { parseDocument } from "yaml";
import { describe, expect, it } from "vitest";
import { readPlainYaml } from "../../src/cli/plain-yaml.js";
import { repoPath } from "../helpers/rules.js";

function library(text: string): { ok: true; value: unknown } | { ok: false } {
  const doc = parseDocument(text, { uniqueKeys: true, schema: "core" });
  return doc.errors.length > 0 ? { ok: false } : { ok: true, value: doc.toJS() };
}

function agrees(text: string): boolean {
  const mine = readPlainYaml(text);
  if (mine === undefined) return true;
  const theirs = library(text);
  expect(theirs.ok, `the reader accepted what the library refuses:\n${text}`).toBe(true);
  if (theirs.ok) expect(mine, text).toStrictEqual(theirs.value);
  return true;
}

const fixtureFiles = readdirSync(repoPath("fixtures/referrals")).filter((f) => f.endsWith(".yaml"));

describe("readPlainYaml", () => {
  it("reads every fixture referral exactly as the YAML library does (and does not step aside for them)", () => {
    expect(fixtureFiles.length).toBeGreaterThan(50);
    for (const f of fixtureFiles) {
      const text = readFileSync(repoPath(`fixtures/referrals/${f}`), "utf8");
      const mine = readPlainYaml(text);
      expect(mine, f).toBeDefined();
      const theirs = library(text);
      expect(theirs.ok, f).toBe(true);
      if (theirs.ok) expect(mine, f).toStrictEqual(theirs.value);
    }
  });

  it("reads the core schema's plain scalars as the library does", () => {
    const words = ["yes", "no", "on", "off", "y", "null", "Null", "NULL", "~", "true", "True", "TRUE", "false", "FALSE", "tRue"];
    const numbers = [
      "0",
      "-0",
      "+0",
      "007",
      "-12",
      "+3",
      "1.5",
      "-1.5",
      ".5",
      "5.",
      "1e3",
      "-2.5E-3",
      "1_000",
      "0x1F",
      "0o17",
      ".inf",
      "-.inf",
      ".nan",
      "1e",
      "12345678901234567890",
      "3.14159265358979323846",
    ];
    const texts = ["2026-04-16", "2026-04-16T19:40", "10:00", "a:b", "a b c", "-x", "x-", "x # y", "x#y", "é", "unknown", "[]", "{}", "''", '""'];
    for (const v of [...words, ...numbers, ...texts]) {
      for (const doc of [`k: ${v}\n`, `k: [${v}]\n`, `k: { a: ${v} }\n`, `k:\n  - ${v}\n`, `k: "${v}"\n`, `k: '${v}'\n`, `outer:\n  k: ${v}\n`]) agrees(doc);
    }
  });

  it("steps aside for what it does not read: anchors, tags, escapes, tabs, documents, duplicates, odd keys", () => {
    for (const text of [
      "a: &x 1\nb: *x\n",
      "a: !!str 1\n",
      'a: "line\\nbreak"\n',
      "a:\tb\n",
      "---\na: 1\n",
      "a: 1\na: 2\n",
      "null: 1\n",
      "1: a\n",
      "'quoted key': 1\n",
      "a: b\n  c\n",
      "a: |+\n  x\n",
      "a: >2\n   x\n",
      "a: |\n  x\n\n  y\n",
      "- a\n- b\n",
      "a:\n  - b: c\n",
      "a: [b, [c]]\n",
      "a: 'it''s'\n",
      'a: "x" y\n',
      "a: b\r\nc: d\r\n",
      "\ufeffa: 1\n",
    ])
      expect(readPlainYaml(text), JSON.stringify(text)).toBeUndefined();
  });

  it("agrees with the library on generated documents in every style it reads", () => {
    const key = fc.constantFrom("child_name", "a", "b_2", "x-y", "concerns", "now", "answers", "null", "True", "k");
    const atom = fc.oneof(
      fc.constantFrom(
        "yes",
        "null",
        "~",
        "12",
        "-3",
        "1.5",
        "1e3",
        ".5",
        "007",
        "true",
        "False",
        "2026-01-01",
        "2026-01-01T10:00",
        "a b",
        "x:y",
        "unknown",
        "é ü",
        "0x1",
        ".inf",
      ),
      fc.string({ unit: fc.constantFrom("a", "b", " ", "-", ":", "#", ",", "'", '"', "[", "{", "1", ".", "\\"), maxLength: 8 }),
    );
    const styled = atom.chain((a) => fc.constantFrom(a, `"${a}"`, `'${a}'`, `[${a}]`, `[${a}, ${a}]`, `{ k: ${a} }`, `${a} # note`, `[]`, `{}`));
    const entry = fc.tuple(
      key,
      fc.oneof(
        styled.map((v) => ` ${v}`),
        fc.array(atom, { minLength: 1, maxLength: 3 }).map((xs) => `\n${xs.map((x) => `  - ${x}`).join("\n")}`),
        fc
          .array(fc.constantFrom("one two", "three", "four five six"), { minLength: 1, maxLength: 3 })
          .chain((ls) => fc.constantFrom(">-", ">", "|", "|-").map((s) => ` ${s}\n${ls.map((l) => `  ${l}`).join("\n")}`)),
      ),
    );
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 6 }), fc.boolean(), fc.boolean(), (entries, nest, finalNewline) => {
        const body = entries.map(([k, v]) => `${k}:${v}`).join("\n");
        const text = nest
          ? `answers:\n${body
              .split("\n")
              .map((l) => `  ${l}`)
              .join("\n")}`
          : body;
        return agrees(finalNewline ? `${text}\n` : text);
      }),
      { numRuns: 3000, seed: 17 },
    );
  });
});
