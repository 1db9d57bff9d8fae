import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, sha256Hex } from "../../src/log/canonical.js";
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
    const text = fc.string({ unit: "binary" }); // includes quotes, backslashes, control characters, lone surrogates
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

  it("writes a missing ref as null", () => {
    const noRef = { ...fields, ref: null };
    expect(entryHashInput(noRef, "{}")).toBe(canonicalJson({ ...noRef, body: {} }));
  });
});
