import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, sha256Hex, UnpairedSurrogateError } from "../../src/log/canonical.js";
import { entryHash, entryHashInput } from "../../src/log/chain.js";

describe("canonicalJson", () => {
  it.each([
    ["sorts keys at every depth", { b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } }, '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}'],
    ["has no whitespace and keeps array order", [3, 1, 2, "x y"], '[3,1,2,"x y"]'],
    ["drops undefined properties", { a: undefined, b: 2 }, '{"b":2}'],
    ["writes undefined in arrays as null, as JSON does", [1, undefined], "[1,null]"],
    ["writes numbers as JSON", { n: 1.5, e: 1e21, z: -0, i: 10 }, '{"e":1e+21,"i":10,"n":1.5,"z":0}'],
    ["escapes strings as JSON", { s: 'quote " back \\ nl \n é' }, JSON.stringify({ s: 'quote " back \\ nl \n é' })],
    ["sorts keys by code unit, not locale", { b: 1, B: 2, é: 3, a: 4 }, '{"B":2,"a":4,"b":1,"é":3}'],
    ["uses toJSON (dates as ISO text)", { d: new Date("2026-03-02T10:00:00Z") }, '{"d":"2026-03-02T10:00:00.000Z"}'],
    ["handles scalars", "x", '"x"'],
  ])("%s", (_name, value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it("gives the same text whatever the insertion order", () => {
    expect(canonicalJson({ x: 1, y: { p: 1, q: 2 } })).toBe(canonicalJson({ y: { q: 2, p: 1 }, x: 1 }));
  });

  it.each([
    ["NaN", { n: Number.NaN }],
    ["Infinity", [Number.POSITIVE_INFINITY]],
    ["bigint", { n: 1n }],
    ["a function", { f: () => 1 }],
    ["a Map", { m: new Map() }],
    ["undefined at the top", undefined],
  ])("refuses %s rather than hash something JSON would lose", (_name, value) => {
    expect(() => canonicalJson(value)).toThrow(TypeError);
  });

  it("refuses cycles but allows shared references", () => {
    const shared = { a: 1 };
    expect(canonicalJson({ x: shared, y: shared })).toBe('{"x":{"a":1},"y":{"a":1}}');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/cycle/);
  });

  it("sha256Hex is SHA-256 of the UTF-8 bytes in hex", () => {
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(sha256Hex("é")).toBe(createHash("sha256").update(Buffer.from("é", "utf8")).digest("hex"));
  });
});

describe("entry hash", () => {
  const fields = { seq: 7, ref: "TRG-2026-000001", kind: "check", actor: 'Ada "the" Worker\n', at: "2026-03-02T10:00:00+00:00", prev_hash: "ab".repeat(32) };
  const body = { z: [1, { b: "é", a: null }], a: "\u2028 \ud83d\ude00" };

  it("is sha256 over canonicalJson of the whole entry with the body as an object", () => {
    const definition = canonicalJson({ ...fields, body });
    expect(entryHashInput(fields, canonicalJson(body))).toBe(definition);
    expect(entryHash(fields, canonicalJson(body))).toBe(sha256Hex(definition));
  });

  it("matches the definition for any strings and any JSON body", () => {
    const text = fc.string({ unit: "binary" }).filter(wellFormed); // quotes, backslashes, control characters, astral characters
    fc.assert(
      fc.property(fc.nat(), fc.option(text, { nil: null }), text, text, text, fc.jsonValue(), (seq, ref, kind, actor, at, body) => {
        const entry = { seq, ref, kind, actor, at, prev_hash: "0".repeat(64) };
        expect(entryHashInput(entry, canonicalJson(body))).toBe(canonicalJson({ ...entry, body }));
      }),
    );
  });

  it("canonical text parses back to an equal value and is stable", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
      }),
    );
  });

  it.each(["actor", "kind", "at", "ref"] as const)("refuses an unpaired surrogate in the %s, as canonicalJson does", (field) => {
    const entry = { ...fields, [field]: "Ada \ud800" };
    expect(() => entryHashInput(entry, "{}")).toThrow(UnpairedSurrogateError);
    expect(() => entryHash(entry, "{}")).toThrow(new RegExp(`entry's ${field} contains an unpaired UTF-16 surrogate`));
    expect(() => canonicalJson({ ...entry, body: {} })).toThrow(UnpairedSurrogateError);
  });

  it("writes a missing ref as null", () => {
    const noRef = { ...fields, ref: null };
    expect(entryHashInput(noRef, "{}")).toBe(canonicalJson({ ...noRef, body: {} }));
  });
});

const wellFormed = (s: string): boolean => !/[\ud800-\udfff]/u.test(s);

/** The IEEE 754 double with these 16 hex digits (big-endian), as RFC 8785 Appendix B lists them. */
const double = (hex: string): number => Buffer.from(hex, "hex").readDoubleBE(0);

// The definition canonicalJson had before it followed RFC 8785 by name: JSON.stringify for every
// scalar, keys in Array.prototype.sort order. Every log written so far was hashed over this text.
function previousDefinition(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(previousDefinition).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${previousDefinition(record[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

describe("canonicalJson is RFC 8785 (JSON Canonicalization Scheme)", () => {
  // RFC 8785 Appendix B: IEEE 754 doubles (hex) and their ES6 Number.prototype.toString text.
  it.each([
    ["0000000000000000", "0"], // zero
    ["8000000000000000", "0"], // minus zero
    ["0000000000000001", "5e-324"], // min positive
    ["8000000000000001", "-5e-324"], // min negative
    ["7fefffffffffffff", "1.7976931348623157e+308"], // max positive
    ["ffefffffffffffff", "-1.7976931348623157e+308"], // max negative
    ["4340000000000000", "9007199254740992"], // max positive int
    ["c340000000000000", "-9007199254740992"], // max negative int
    ["4430000000000000", "295147905179352830000"], // ~2^68
    ["44b52d02c7e14af5", "9.999999999999997e+22"],
    ["44b52d02c7e14af6", "1e+23"],
    ["44b52d02c7e14af7", "1.0000000000000001e+23"],
    ["444b1ae4d6e2ef4e", "999999999999999700000"],
    ["444b1ae4d6e2ef4f", "999999999999999900000"],
    ["444b1ae4d6e2ef50", "1e+21"],
    ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"],
    ["3eb0c6f7a0b5ed8d", "0.000001"],
    ["41b3de4355555553", "333333333.3333332"],
    ["41b3de4355555554", "333333333.33333325"],
    ["41b3de4355555555", "333333333.3333333"],
    ["41b3de4355555556", "333333333.3333334"],
    ["41b3de4355555557", "333333333.33333343"],
    ["becbf647612f3696", "-0.0000033333333333333333"],
    ["43143ff3c1cb0959", "1424953923781206.2"],
  ])("writes the double %s as %s (Appendix B)", (hex, expected) => {
    expect(canonicalJson(double(hex))).toBe(expected);
    expect(canonicalJson([double(hex)])).toBe(`[${expected}]`);
  });

  it.each([
    ["7fffffffffffffff", "NaN"],
    ["7ff0000000000000", "Infinity"],
    ["fff0000000000000", "-Infinity"],
  ])("refuses the double %s (%s), which Appendix B marks as an error", (hex) => {
    expect(() => canonicalJson({ n: double(hex) })).toThrow(TypeError);
  });

  it.each([
    [-0, "0"],
    [1e21, "1e+21"],
    [1e20, "100000000000000000000"],
    [1e-7, "1e-7"],
    [1e-6, "0.000001"],
    [5e-324, "5e-324"],
    [1e300, "1e+300"],
    [-1.5e-300, "-1.5e-300"],
    [123.456, "123.456"],
  ])("writes %s as ES6 Number.prototype.toString does: %s", (n, expected) => {
    expect(canonicalJson(n)).toBe(expected);
    expect(canonicalJson(n)).toBe(String(n === 0 ? 0 : n));
  });

  it("gives the RFC's §3.2.2 example exactly (whitespace, numbers, string escapes, literals)", () => {
    const input = JSON.parse(
      '{\n  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n' +
        '  "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",\n  "literals": [null, true, false]\n}',
    ) as unknown;
    const expected = '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}';
    expect(canonicalJson(input)).toBe(expected);
    // §3.2.4: the output is UTF-8, the euro sign as e2 82 ac right after "string":" and before $ and \u000f.
    expect(Buffer.from(canonicalJson(input), "utf8").toString("hex")).toContain(`${Buffer.from('"string":"').toString("hex")}e282ac245c7530303066`);
  });

  it("sorts keys by UTF-16 code units, as the RFC's §3.2.3 example does", () => {
    const input = {
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis",
    };
    expect(canonicalJson(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  // The reference implementation's test data (github.com/cyberphone/json-canonicalization, testdata/).
  it.each([
    ["arrays", '[56, {"d": true, "10": null, "1": [ ]}]', '[56,{"1":[],"10":null,"d":true}]'],
    [
      "french (no locale)",
      '{"peach": "This sorting order", "p\u00e9ch\u00e9": "is wrong according to French", "p\u00eache": "but canonicalization MUST", "sin": "ignore locale"}',
      '{"peach":"This sorting order","p\u00e9ch\u00e9":"is wrong according to French","p\u00eache":"but canonicalization MUST","sin":"ignore locale"}',
    ],
    [
      "structures",
      '{"1": {"f": {"f": "hi","F": 5} ,"\\n": 56.0}, "10": { }, "": "empty", "a": { }, "111": [ {"e": "yes","E": "no" } ], "A": { }}',
      '{"":"empty","1":{"\\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{"E":"no","e":"yes"}],"A":{},"a":{}}',
    ],
    ["unicode (no normalisation)", '{"Unnormalized Unicode":"A\\u030a"}', '{"Unnormalized Unicode":"A\u030a"}'],
    [
      "weird",
      '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\u000a": "Newline", "1": "One", "\\u0080": "Control\\u007f", "\\ud83d\\ude02": "Smiley", "\\u00f6": "Latin Small Letter O With Diaeresis", "\\ufb33": "Hebrew Letter Dalet With Dagesh", "</script>": "Browser Challenge"}',
      '{"\\n":"Newline","\\r":"Carriage Return","1":"One","</script>":"Browser Challenge","\u0080":"Control\u007f","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude02":"Smiley","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    ],
  ])("gives the reference output for %s", (_name, input, expected) => {
    expect(canonicalJson(JSON.parse(input))).toBe(expected);
  });

  it.each([
    ["\u0000\u0001\u001f", '"\\u0000\\u0001\\u001f"'],
    ["\b\t\n\f\r", '"\\b\\t\\n\\f\\r"'],
    ['"\\/', '"\\"\\\\/"'],
    ["\u007f\u0080\u2028\u2029", '"\u007f\u0080\u2028\u2029"'],
  ])("escapes only what §3.2.2.2 escapes: %j", (text, expected) => {
    expect(canonicalJson(text)).toBe(expected);
  });

  it.each([
    ["a lone high surrogate", { name: "Ada \ud83d" }, "$.name"],
    ["a lone low surrogate", ["ok", "\ude00 trailing"], "$[1]"],
    ["a reversed pair", { a: { b: "\ude00\ud83d" } }, "$.a.b"],
    ["a surrogate in a key", { "k\udc00": 1 }, '$."k\\udc00"'],
    ["a bare string", "\ud800", "$"],
  ])("refuses %s with an UnpairedSurrogateError naming where, never hashing it", (_name, value, where) => {
    expect(() => canonicalJson(value)).toThrow(UnpairedSurrogateError);
    expect(() => canonicalJson(value)).toThrow(`the text at ${where} contains an unpaired UTF-16 surrogate`);
  });

  it("keeps a proper surrogate pair (an emoji) as its UTF-8 character", () => {
    expect(canonicalJson({ mood: "\ud83d\ude00" })).toBe('{"mood":"\ud83d\ude00"}');
    expect(Buffer.from(canonicalJson("\ud83d\ude00"), "utf8").toString("hex")).toBe("22f09f988022");
  });

  it("refuses every string with an unpaired surrogate and accepts every well-formed one", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        if (wellFormed(s)) expect(JSON.parse(canonicalJson({ s })) as unknown).toEqual({ s });
        else expect(() => canonicalJson({ s })).toThrow(UnpairedSurrogateError);
      }),
    );
  });

  it("writes every well-formed JSON value exactly as before, so no existing log hash changes", () => {
    fc.assert(
      fc.property(
        fc.jsonValue({ stringUnit: "binary" }).filter((v) => wellFormed(JSON.stringify(v) ?? "")),
        (value) => {
          expect(canonicalJson(value)).toBe(previousDefinition(value));
        },
      ),
      { numRuns: 500 },
    );
    // A decision-shaped body, hashed as the log has always hashed it.
    const body = { ref: "TRG-2026-000001", answers: { child_name: "Zoë Ñúñez", note: 'said "now"\n' }, score: -0, at: 1e21 };
    expect(canonicalJson(body)).toBe(previousDefinition(body));
  });
});
