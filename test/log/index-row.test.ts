/** The decisions index row (index-row.ts): verify's name cache changes nothing but the time taken. */
import { describe, expect, it } from "vitest";
import { decisionIndexRow, type NameCache } from "../../src/log/index-row.js";
import { sampleDecision } from "./helpers.js";

describe("decisionIndexRow", () => {
  it("gives the same row with verify's name cache as without, for names seen before and names that normalise alike", () => {
    const cache: NameCache = new Map();
    const names = ["Mira Vale", "  Mira  Vale ", "MIRA VALE", "Zoë O'Brien-Smith", "Mira\u200bVale", "Ola Brook", "Mira Vale"];
    for (const [i, name] of names.entries()) {
      const d = { ...sampleDecision({ name, dob: "2021-05-04", postcode: "zz9 9zz" }), ref: `TRG-2026-00000${i + 1}` };
      expect(decisionIndexRow(d, i + 1, "ada", cache)).toEqual(decisionIndexRow(d, i + 1, "ada"));
    }
    expect(cache.size).toBe(names.length - 1); // the repeated "Mira Vale" came from the cache
    // Without a name, nothing is cached.
    const anonymous = { ...sampleDecision(), ref: "TRG-2026-000099" };
    expect(decisionIndexRow(anonymous, 99, "ada", cache)).toEqual(decisionIndexRow(anonymous, 99, "ada"));
    expect(cache.size).toBe(names.length - 1);
  });
});
