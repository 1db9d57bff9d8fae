import { describe, expect, it } from "vitest";
import { cacheFileName } from "../../src/cli/rules-loader.js";

describe("the validated rule-set cache", () => {
  it("is keyed by the build as well as the file, so an upgraded tool validates again", () => {
    const text = "id: x\nversion: 1.0.0\n";
    expect(cacheFileName(text, "build-a")).toBe(cacheFileName(text, "build-a"));
    expect(cacheFileName(text, "build-a")).not.toBe(cacheFileName(text, "build-b"));
    expect(cacheFileName(text, "build-a")).not.toBe(cacheFileName(`${text} `, "build-a"));
  });

  it("uses this build's stamp by default (the module's own file exists)", () => {
    expect(cacheFileName("x")).not.toBe(cacheFileName("x", "unknown-build"));
  });
});
