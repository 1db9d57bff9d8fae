/**
 * Loads a rule file for a command. A validated rule set is cached by the SHA-256 of the file's bytes
 * (and this build's version), so the common path — the same shipped file — skips YAML parsing and
 * schema validation entirely.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ExitCode, InvalidInputError } from "../errors.js";
import { readText } from "../files.js";
import { sha256Hex } from "../rules/canonical.js";
import { compileRuleSet, type CompiledRuleSet } from "../rules/compile.js";
import type { ValidRuleSet } from "../rules/load.js";
import type { Context } from "./context.js";

const CACHE_FORMAT = "triage-rules-cache-1";

function readCached(path: string): ValidRuleSet | undefined {
  try {
    const data = JSON.parse(readFileSync(path, "utf8")) as { format?: string; ruleSet?: ValidRuleSet };
    if (data.format !== CACHE_FORMAT || !data.ruleSet) return undefined;
    // The cache is a convenience, not a trust boundary for identity: the hash is recomputed.
    if (sha256Hex(data.ruleSet.content) !== data.ruleSet.sha256) return undefined;
    return data.ruleSet;
  } catch {
    return undefined;
  }
}

function writeCached(dir: string, path: string, ruleSet: ValidRuleSet): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ format: CACHE_FORMAT, ruleSet }), { mode: 0o600 });
    renameSync(tmp, path);
  } catch {
    // A cache that cannot be written only costs speed.
  }
}

export async function loadValidRuleSet(ctx: Context, file: string = ctx.rulesPath, exitCode: ExitCode = ExitCode.Usage): Promise<ValidRuleSet> {
  const text = readText(file, "rule set");
  const cachePath = join(ctx.cacheDir, `rules-${sha256Hex(`${CACHE_FORMAT}\n${text}`)}.json`);
  const cached = readCached(cachePath);
  if (cached) return { ...cached, file };
  const { parseRuleSet } = await import("../rules/load.js");
  const result = parseRuleSet(text, file);
  if (!result.ok) throw new InvalidInputError(`${file}: ${result.problems.length} problem(s) in the rule set`, result.problems, exitCode);
  const valid = result.ruleSet;
  writeCached(ctx.cacheDir, cachePath, valid);
  return valid;
}

export async function loadRules(ctx: Context, file: string = ctx.rulesPath, exitCode: ExitCode = ExitCode.Usage): Promise<CompiledRuleSet> {
  return compileRuleSet(await loadValidRuleSet(ctx, file, exitCode));
}
