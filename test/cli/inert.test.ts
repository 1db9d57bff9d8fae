import { describe, expect, it } from "vitest";
import { csvCell, inert, inertDeep, inertLine } from "../../src/cli/render/inert.js";

describe("inert: controls and bidi shown, never interpreted", () => {
  it("shows ESC, CR, backspace, BEL, NUL, DEL and C1 visibly", () => {
    expect(inert("a\u001b[2Jb")).toBe("a\\e[2Jb");
    expect(inert("\u001b]0;title\u0007")).toBe("\\e]0;title\\a");
    expect(inert("over\rwrite\b\u0000\u007f\u009b")).toBe("over\\rwrite\\b\\0\\x7f\\x9b");
  });
  it("shows the bidi embeddings, overrides and isolates", () => {
    expect(inert("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")).toBe("\\u202a\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067\\u2068\\u2069");
  });
  it("keeps newline and tab in multi-line text, shows them in one line", () => {
    expect(inert("one\n\ttwo")).toBe("one\n\ttwo");
    expect(inertLine("one\n\ttwo")).toBe("one\\n\\ttwo");
  });
  it("leaves ordinary text, accents and emoji alone (same string back)", () => {
    const s = "Zoë O'Brien — café ☕ \\ back\\slash";
    expect(inert(s)).toBe(s);
  });
  it("keeps our own SGR colour only when asked, and never any other sequence", () => {
    expect(inert("\u001b[31mred\u001b[39m\u001b]0;x\u0007", { keepSgr: true })).toBe("\u001b[31mred\u001b[39m\\e]0;x\\a");
    expect(inert("\u001b[31mred")).toBe("\\e[31mred");
  });
  it("inertDeep neutralises every string in plain data, keys included, and returns untouched data as is", () => {
    const clean = { a: ["x", { b: "y" }], n: 1 };
    expect(inertDeep(clean)).toBe(clean);
    expect(inertDeep({ "k\u001b": ["\u202e", { v: "\r" }], n: 2, m: new Map([["\u0007", "ok"]]) })).toEqual({
      "k\\e": ["\\u202e", { v: "\\r" }],
      n: 2,
      m: new Map([["\\a", "ok"]]),
    });
  });
});

describe("csvCell: OWASP formula rule, then RFC 4180", () => {
  it.each([
    ["=1+1", "'=1+1"],
    ["+44 20", "'+44 20"],
    ["-2", "'-2"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\tx", "'\tx"],
    ["\rx", `"'\rx"`],
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ["plain", "plain"],
    ["a,b", '"a,b"'],
  ])("%j → %j", (input, out) => expect(csvCell(input)).toBe(out));
  it("writes numbers and objects as JSON, null as empty", () => {
    expect(csvCell(7)).toBe("7");
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
    expect(csvCell(null)).toBe("");
  });
});
