import { describe, expect, it } from "vitest";
import { checkAnswers } from "../../src/rules/answers.js";
import { closest, didYouMean, editDistance } from "../../src/rules/suggest.js";
import { compileFile } from "../helpers/rules.js";

const shipped = compileFile("rules/default.yaml");
const ids = shipped.questions.map((q) => q.id);

describe("did you mean: one helper, by edit distance", () => {
  it("suggests child_mobility for child_mobilty, not another child_ question", () => {
    expect(ids).toContain("child_mobility");
    expect(closest("child_mobilty", ids)[0]).toBe("child_mobility");
    expect(closest("child_mobilty", ids)).not.toContain("child_name");
    expect(didYouMean("child_mobilty", ids)).toBe("did you mean child_mobility?");
  });

  it("says so in an answers file's problems", () => {
    const r = checkAnswers(shipped, { child_mobilty: "mobile" });
    expect(r.problems.find((p) => p.question === "child_mobilty")?.message).toBe('unknown question "child_mobilty"; did you mean "child_mobility"?');
  });

  it("lists what is known when nothing is close", () => {
    expect(didYouMean("zzzz", ["none", "help", "assess"])).toBe("expected one of: none, help, assess");
    expect(closest("zzzz", ["none", "help"])).toEqual([]);
  });

  it("counts a swap of neighbours as one edit", () => {
    expect(editDistance("ab", "ba")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
  });
});
