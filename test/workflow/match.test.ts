import { describe, expect, it } from "vitest";
import type { CompiledRuleSet } from "../../src/rules/compile.js";
import { classifyMatch, editDistance, identityFromAnswers, nameKey, normaliseName, normalisePostcode, soundex } from "../../src/workflow/match.js";

// All names are fictional.
describe("normalisation", () => {
  it.each([
    ["  Zoë  O'Neill-Brown ", "zoe oneill brown"],
    ["JOSÉ   ÁLVAREZ", "jose alvarez"],
    ["Łucja Groß", "lucja gross"],
    ["İpek Şahin", "ipek sahin"],
    ["unknown", ""],
    ["Not known", ""],
    ["N/K", ""],
    ["", ""],
  ])("normaliseName(%j) = %j", (input, expected) => {
    expect(normaliseName(input)).toBe(expected);
  });

  it.each([
    ["zz1 1zz", "ZZ11ZZ"],
    [" ZZ99 9ZZ ", "ZZ999ZZ"],
    ["unknown", ""],
  ])("normalisePostcode(%j) = %j", (input, expected) => {
    expect(normalisePostcode(input)).toBe(expected);
  });

  it.each([
    ["Robert", "R163"],
    ["Rupert", "R163"],
    ["Ashcraft", "A261"],
    ["Tymczak", "T522"],
    ["Pfister", "P236"],
    ["Hobson", "H125"],
    ["Hobsen", "H125"],
    ["Katherine", "K365"],
    ["Catherine", "K365"],
    ["Philippa", "F410"],
  ])("soundex(%j) = %j", (input, expected) => {
    expect(soundex(input)).toBe(expected);
  });

  it("keys a name by the sound of each part, in any order", () => {
    expect(nameKey("Star Hobson")).toBe(nameKey("Hobsen, Starr"));
    expect(nameKey("unknown")).toBe("");
  });

  it.each([
    ["", "", 0],
    ["abc", "", 3],
    ["star hobson", "star hobsen", 1],
    ["star hobson", "satr hobson", 1], // swapped neighbours count once
    ["kitten", "sitting", 3],
  ])("editDistance(%j, %j) = %i", (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });
});

describe("classifyMatch", () => {
  const star = { name: "Star Hobson", dob: "2025-03-02", postcode: "ZZ1 1ZZ", ref: "LC-100" };

  it.each([
    ["exact by local reference", { ref: "lc-100" }, { name: "S. Hobson", ref: "LC-100" }, "exact", "same local reference LC-100"],
    ["exact by name and date of birth", { name: "star hobson", dob: "2025-03-02" }, star, "exact", "same name 'star hobson' and date of birth 2025-03-02"],
    [
      "possible: misspelt name, same date of birth",
      { name: "Star Hobsen", dob: "2025-03-02" },
      star,
      "possible",
      "same date of birth 2025-03-02; name 'Star Hobsen' is close to 'Star Hobson'",
    ],
    [
      "possible: name sounds alike, same postcode",
      { name: "Starr Hopsone", postcode: "zz11zz" },
      star,
      "possible",
      "same postcode ZZ1 1ZZ; name 'Starr Hopsone' sounds like 'Star Hobson'",
    ],
    [
      "possible: initial and surname, same date of birth",
      { name: "Stella Hobsen", dob: "2025-03-02" },
      star,
      "possible",
      "same date of birth 2025-03-02; name 'Stella Hobsen' has the same first initial and a surname that sounds like 'Star Hobson'",
    ],
    [
      "possible: same date of birth and postcode, another name",
      { name: "Jade Orrin", dob: "2025-03-02", postcode: "ZZ1 1ZZ" },
      star,
      "possible",
      "same date of birth 2025-03-02 and postcode ZZ1 1ZZ; names differ ('Jade Orrin' / 'Star Hobson')",
    ],
    [
      "possible: same name, date of birth not known",
      { name: "Star Hobson", dob: "unknown" },
      star,
      "possible",
      "name 'Star Hobson' is the same as 'Star Hobson'; date of birth not known on this referral",
    ],
    [
      "possible: same name and birthday but local references differ",
      { name: "Star Hobson", dob: "2025-03-02", ref: "LC-999" },
      star,
      "possible",
      "same name 'Star Hobson' and date of birth 2025-03-02; but local references differ (LC-999 / LC-100)",
    ],
    [
      "none: a different child",
      { name: "Jade Orrin", dob: "2019-01-01", postcode: "ZZ9 9ZZ" },
      star,
      "none",
      "names differ ('Jade Orrin' / 'Star Hobson'); dates of birth differ (2019-01-01 / 2025-03-02); postcodes differ (ZZ9 9ZZ / ZZ1 1ZZ)",
    ],
    [
      "none: similar name but another date of birth",
      { name: "Star Hobsen", dob: "2020-01-01" },
      star,
      "none",
      "dates of birth differ (2020-01-01 / 2025-03-02)",
    ],
    ["none: nothing known", { name: "unknown", dob: "unknown" }, star, "none", "nothing is known about this child to match on"],
    [
      "none: unknowns on both sides never agree",
      { name: "unknown", dob: "unknown", postcode: "unknown" },
      { name: "Not known", dob: "unknown", postcode: "unknown" },
      "none",
      "nothing is known about this child to match on",
    ],
  ])("%s", (_title, current, earlier, kind, why) => {
    expect(classifyMatch(current, earlier)).toEqual({ kind, why });
  });
});

describe("invisible and compatibility characters do not change a name (issue 10)", () => {
  const star = { name: "Star Hobson", dob: "2025-03-02" };
  it.each([
    ["zero-width space", "Star\u200b Hob\u200bson"],
    ["soft hyphen", "Star Hob\u00adson"],
    ["zero-width joiner and word joiner", "St\u200dar Hobs\u2060on"],
    ["a bidi mark", "\u200fStar Hobson\u200e"],
    ["byte-order mark", "\ufeffStar Hobson"],
    ["full-width letters (NFKC)", "Ｓｔａｒ Ｈｏｂｓｏｎ"],
  ])("%s: still an exact match by name and date of birth", (_what, name) => {
    expect(normaliseName(name)).toBe("star hobson");
    expect(nameKey(name)).toBe(nameKey("Star Hobson"));
    expect(classifyMatch({ name, dob: "2025-03-02" }, star).kind).toBe("exact");
  });
});

describe("identityFromAnswers: one reading of who a referral is about", () => {
  // Two questions of one identity kind: the first known answer counts, wherever identity is read.
  const rs = {
    questions: [
      { id: "child_name", raw: { identity: "name" } },
      { id: "known_as", raw: { identity: "name" } },
      { id: "child_dob", raw: { identity: "dob" } },
      { id: "concerns", raw: {} },
    ],
  } as unknown as CompiledRuleSet;

  it("takes the first known answer of each kind, in question order, and leaves out 'not known'", () => {
    expect(identityFromAnswers(rs, { child_name: "Robin Example", known_as: "Rob", child_dob: "unknown", concerns: ["neglect"] })).toEqual({
      name: "Robin Example",
    });
    expect(identityFromAnswers(rs, { child_name: "unknown", known_as: "Rob", child_dob: "2020-02-02" })).toEqual({ name: "Rob", dob: "2020-02-02" });
  });
});
