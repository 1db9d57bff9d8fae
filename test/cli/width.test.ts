/**
 * Columns are counted as a terminal draws them: a table with a child's name in Chinese, an emoji in a
 * worker's name, an accent typed as a combining mark, or a coloured cell still lines up.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { renderDecision } from "../../src/cli/render/decision.js";
import { makeStyle } from "../../src/cli/render/style.js";
import { table, wrap } from "../../src/cli/render/text.js";
import { displayWidth, padEndColumns } from "../../src/cli/render/width.js";
import { evaluateFixture, parseFixture } from "../../src/rules/fixtures.js";
import { compileFile, repoPath } from "../helpers/rules.js";

const ESC = "\u001b";
const red = (s: string) => `${ESC}[31m${s}${ESC}[39m`;
const stripColour = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, "");

describe("displayWidth", () => {
  it.each([
    ["nothing", "", 0],
    ["ASCII", "Maya Okafor", 11],
    ["Chinese (East Asian Wide)", "王小明", 6],
    ["Japanese kana", "ひらがな", 8],
    ["Korean hangul syllables", "김민준", 6],
    ["Korean built from conjoining jamo", "\u1100\u1161\u11a8", 2],
    ["fullwidth Latin", "ＡＢＣ", 6],
    ["halfwidth katakana (narrow)", "ｱｲｳ", 3],
    ["CJK punctuation", "「」。", 6],
    ["a CJK Extension B ideograph (astral)", "\u{20000}", 2],
    ["an emoji", "😀", 2],
    ["an emoji with a skin tone", "👍🏽", 2],
    ["a family joined by ZWJ", "👨\u200d👩\u200d👧", 2],
    ["a flag (two regional indicators)", "🇬🇧", 2],
    ["a text symbol made an emoji by VS16", "\u2764\ufe0f", 2],
    ["the same symbol as text", "\u2764", 1],
    ["a precomposed accent", "Zoë", 3],
    ["a combining accent", "Zoe\u0308", 3],
    ["stacked combining marks", "a\u0301\u0323\u0302", 1],
    ["a zero-width space", "a\u200bb", 2],
    ["a word joiner and a BOM", "a\u2060b\ufeff", 2],
    ["a bidi mark", "\u200fab", 2],
    ["ambiguous-width Greek and Cyrillic (narrow outside East Asia)", "ΩЖ±", 3],
    ["a control character", "a\u0007b", 2],
    ["a coloured word", red("red"), 3],
    ["a coloured CJK name", `${ESC}[1m王小明${ESC}[22m`, 6],
    ["several colour codes", `${ESC}[1;31m${ESC}[4mab${ESC}[0m`, 2],
    ["a mixed name", "Li 王 😀 e\u0301", 10],
  ])("%s: %j is %i columns", (_name, text, expected) => {
    expect(displayWidth(text)).toBe(expected);
  });

  it("is .length for printable ASCII", () => {
    fc.assert(fc.property(fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) }), (s) => displayWidth(s) === s.length));
  });

  it("adds up over concatenation of whole characters, and colour adds nothing", () => {
    const pieces = ["a", "王", "😀", "e\u0301", "ｱ", "🇬🇧", "Ω", "\u200b"];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces)), (parts) => {
        const sum = parts.reduce((n, p) => n + displayWidth(p), 0);
        expect(displayWidth(parts.join(""))).toBe(sum);
        expect(displayWidth(parts.map(red).join(""))).toBe(sum);
      }),
    );
  });

  it("padEndColumns pads to the width in columns and never cuts", () => {
    expect(padEndColumns("王", 4)).toBe("王  ");
    expect(padEndColumns("e\u0301", 3)).toBe("e\u0301  ");
    expect(padEndColumns(red("ab"), 3)).toBe(`${red("ab")} `);
    expect(padEndColumns("王小明", 2)).toBe("王小明");
  });
});

/** The column (in display columns) where `needle` starts in `line`. */
const columnOf = (line: string, needle: string): number => displayWidth(line.slice(0, line.indexOf(needle)));

describe("table() aligns by display width", () => {
  it("lines up names in Chinese, with emoji and with combining accents", () => {
    const out = table(
      ["CHILD", "AGE", "WORKER"],
      [
        ["王小明", "7", "Ada"],
        ["Zoe\u0308 Ñúñez", "12", "Bo 😀"],
        ["김민준", "3", "Cy"],
        ["Ruby 👍🏽", "15", "Di"],
      ],
    );
    expect(out.split("\n")).toEqual([
      "CHILD      AGE  WORKER", // the widest child is "Zoë Ñúñez": 9 columns, then two spaces
      "王小明     7    Ada",
      "Zoe\u0308 Ñúñez  12   Bo 😀",
      "김민준     3    Cy",
      "Ruby 👍🏽    15   Di",
    ]);
  });

  it("lines up coloured cells as if they were plain, and the plain text is unchanged", () => {
    const rows = [
      [red("王小明"), "7", "x"],
      ["Zoë", red("12"), "y"],
    ];
    const coloured = table(["CHILD", "AGE", "NOTE"], rows, makeStyle(true));
    const plain = table(
      ["CHILD", "AGE", "NOTE"],
      rows.map((r) => r.map(stripColour)),
    );
    expect(stripColour(coloured)).toBe(plain);
    for (const line of stripColour(coloured).split("\n").slice(1)) expect(columnOf(line, line.trim().split(/\s+/).at(-1)!)).toBe(13);
  });

  it("starts every column at the same display column on every line, for any text", () => {
    // Cells are "<…|": the second and third cells start at the second and third "<" of each line.
    const piece = fc.constantFrom("a", "Z", "王", "😀", "e\u0301", "ｱ", "🇬🇧", " ", "Ω", "\u200b", red("r"));
    const cell = fc.array(piece, { maxLength: 6 }).map((p) => `<${p.join("")}|`);
    fc.assert(
      fc.property(fc.array(fc.tuple(cell, cell, cell), { minLength: 1, maxLength: 5 }), (rows) => {
        const all = [["<A|", "<B|", "<C|"], ...rows];
        const lines = stripColour(table(all[0]!, rows)).split("\n");
        const starts = (line: string) => {
          const second = line.indexOf("<", 1);
          return [displayWidth(line.slice(0, second)), displayWidth(line.slice(0, line.indexOf("<", second + 1)))];
        };
        const widest = (i: number) => Math.max(...all.map((r) => displayWidth(r[i]!)));
        for (const line of lines) expect(starts(line)).toEqual([widest(0) + 2, widest(0) + 2 + widest(1) + 2]);
      }),
    );
  });

  it("wraps by display width: a line of CJK words is no wider than asked", () => {
    const text = Array.from({ length: 30 }, (_, i) => (i % 2 ? "王小明" : "😀😀")).join(" ");
    const lines = wrap(text, "  ", 20);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(20);
    expect(lines.join(" ").replace(/\s+/g, " ").trim()).toBe(text);
  });
});

describe("the decision card in colour", () => {
  const rs = compileFile("rules/default.yaml");
  it.each([
    "06-arthur-like-1-grandmother-calls-edt-with-photos.yaml",
    "03-m1-bruise-on-3-month-old-health-visitor.yaml",
    "01-nfa-school-information-request.yaml",
  ])("%s: without its colour codes is the plain card (colour does not move a column or a line break)", (file) => {
    const path = `fixtures/referrals/${file}`;
    const { fixture } = parseFixture(readFileSync(repoPath(path), "utf8"), path);
    const { decision } = evaluateFixture(rs, fixture!);
    expect(stripColour(renderDecision(decision!, makeStyle(true), rs))).toBe(renderDecision(decision!, makeStyle(false), rs));
  });
});
