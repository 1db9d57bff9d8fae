import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { compileRuleSet, type CompiledRuleSet } from "../../src/rules/compile.js";
import { parseRuleSet } from "../../src/rules/load.js";

export const repoPath = (relative: string): string => fileURLToPath(new URL(`../../${relative}`, import.meta.url));

export function compileFile(relative: string): CompiledRuleSet {
  const result = parseRuleSet(readFileSync(repoPath(relative), "utf8"), relative);
  if (!result.ok) throw new Error(result.problems.join("\n"));
  return compileRuleSet(result.ruleSet);
}

/** Compiles rule-set text, for tests that build a variant of a file in memory. */
export function compileText(text: string, file = "test.yaml"): CompiledRuleSet {
  const result = parseRuleSet(text, file);
  if (!result.ok) throw new Error(result.problems.join("\n"));
  return compileRuleSet(result.ruleSet);
}
