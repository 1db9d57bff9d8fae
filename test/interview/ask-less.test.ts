/**
 * Asking less: the prompts a worker answers for every shipped fixture, before (every visible
 * question plus the analysis) and after (the age band from a known date of birth and the analysis
 * question not asked separately); the age bands and the defaults that follow earlier answers.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ageBandFor, promptsFor, suggestedAnswer } from "../../src/interview/flow.js";
import { parseFixture } from "../../src/rules/fixtures.js";
import type { Answer } from "../../src/rules/types.js";
import { compileFile, repoPath } from "../helpers/rules.js";

const rs = compileFile("rules/default.yaml");
const q = (id: string) => rs.questions[rs.questionIndex.get(id)!]!;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

describe("prompts per shipped fixture", () => {
  const files = readdirSync(repoPath("fixtures/referrals")).filter((f) => f.endsWith(".yaml"));
  const counts = files.map((file) => {
    const path = `fixtures/referrals/${file}`;
    const { fixture, problems } = parseFixture(readFileSync(repoPath(path), "utf8"), path);
    if (!fixture) throw new Error(problems.join("\n"));
    const today = (fixture.now ?? "2026-01-01").slice(0, 10);
    return {
      file,
      dobKnown: typeof fixture.answers.child_dob === "string" && fixture.answers.child_dob !== "unknown",
      before: promptsFor(rs, fixture.answers as Record<string, Answer>, today, false),
      after: promptsFor(rs, fixture.answers as Record<string, Answer>, today, true),
    };
  });

  it("every fixture is asked fewer prompts; two fewer when the date of birth is known", () => {
    expect(counts.length).toBeGreaterThanOrEqual(64);
    for (const c of counts) {
      // The analysis question is never asked separately; the age band follows from a known date of birth.
      expect(c.after, c.file).toBe(c.before - (c.dobKnown ? 2 : 1));
    }
    const before = median(counts.map((c) => c.before));
    const after = median(counts.map((c) => c.after));
    console.log(`prompts per fixture (${counts.length} fixtures): median before ${before}, after ${after}`);
    expect(after).toBeLessThan(before);
  });
});

describe("the age band from the date of birth", () => {
  const band = q("child_age_band");
  it("counts whole months and years on the day of the referral", () => {
    expect(ageBandFor(band, "2026-06-01", "2026-11-27")).toBe("0_5m"); // 5 months
    expect(ageBandFor(band, "2026-05-27", "2026-11-27")).toBe("6_11m"); // 6 months to the day
    expect(ageBandFor(band, "2025-11-28", "2026-11-27")).toBe("6_11m"); // a day short of 1
    expect(ageBandFor(band, "2025-11-27", "2026-11-27")).toBe("1_4y");
    expect(ageBandFor(band, "2021-11-28", "2026-11-27")).toBe("1_4y"); // a day short of 5
    expect(ageBandFor(band, "2021-11-27", "2026-11-27")).toBe("5_10y");
    expect(ageBandFor(band, "2015-11-27", "2026-11-27")).toBe("11_15y");
    expect(ageBandFor(band, "2010-11-27", "2026-11-27")).toBe("16_17y");
    expect(ageBandFor(band, "2027-02-01", "2026-11-27")).toBe("unborn"); // an expected due date
    expect(ageBandFor(band, "2008-11-27", "2026-11-27")).toBeUndefined(); // 18: asked, not guessed
  });
});

describe("defaults that follow earlier answers", () => {
  it("a call received at 18:40 on a weekday pre-selects out of hours; 10:00 in hours", () => {
    const route = q("received_out_of_hours");
    expect(suggestedAnswer(rs, route, { received_at: "2026-11-26T18:40:00+00:00" })).toBe("ooh_edt"); // a Thursday
    expect(suggestedAnswer(rs, route, { received_at: "2026-11-26T10:00:00+00:00" })).toBe("in_hours");
    expect(suggestedAnswer(rs, route, { received_at: "unknown" })).toBeUndefined();
  });

  it("a parent's new partner among the adults pre-selects that there is one, not yet checked", () => {
    const partner = q("new_partner_status");
    expect(suggestedAnswer(rs, partner, { household_adults: ["mother", "new_partner"] })).toBe("identified_not_checked");
    expect(suggestedAnswer(rs, partner, { household_adults: ["mother", "adult_identity_unknown"] })).toBe("identity_unknown");
    expect(suggestedAnswer(rs, partner, { household_adults: ["mother"] })).toBeUndefined();
  });
});
