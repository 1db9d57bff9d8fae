/**
 * Loads a rule file for a command. A validated rule set is cached by the SHA-256 of the file's bytes
 * and this build's stamp, so the common path — the same shipped file — skips YAML parsing and
 * schema validation entirely.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ExitCode, InvalidInputError } from "../errors.js";
import { LIMITS, readText } from "../files.js";
import { sha256Hex } from "../rules/canonical.js";
import { compileRuleSet, type CompiledRuleSet } from "../rules/compile.js";
import type { ValidRuleSet } from "../rules/load.js";
import { seedZone, zoneTable, type ZoneTable } from "../rules/time.js";
import type { Context } from "./context.js";

const CACHE_FORMAT = "triage-rules-cache-2";

/**
 * This build's stamp. A cached rule set is the output of this build's validator: an upgraded or
 * rebuilt tool must validate again rather than trust a structure an older validator produced. tsc
 * rewrites every emitted file on each build, so this module's own modification time changes with
 * any rebuild; one stat costs microseconds.
 */
function buildStamp(): string {
  try {
    return String(statSync(fileURLToPath(import.meta.url)).mtimeMs);
  } catch {
    return "unknown-build";
  }
}

/** The cache file's name: the file's bytes, the cache format and the build that validated it. */
export function cacheFileName(text: string, stamp: string = buildStamp()): string {
  return `rules-${sha256Hex(`${CACHE_FORMAT}\n${stamp}\n${text}`)}.json`;
}
// The span of zone offsets cached with a rule set; instants outside it fall back to Intl.
const ZONE_SPAN = [Date.UTC(2000, 0, 1), Date.UTC(2045, 0, 1)] as const;

interface CacheEntry {
  format: string;
  ruleSet: ValidRuleSet;
  zone: ZoneTable;
}

function readCached(path: string): CacheEntry | undefined {
  try {
    const data = JSON.parse(readFileSync(path, "utf8")) as Partial<CacheEntry>;
    if (data.format !== CACHE_FORMAT || !data.ruleSet || !data.zone) return undefined;
    // The cache is a convenience, not a trust boundary for identity: the hash is recomputed.
    if (sha256Hex(data.ruleSet.content) !== data.ruleSet.sha256) return undefined;
    if (data.zone.zone !== data.ruleSet.raw.office_hours.time_zone) return undefined;
    return data as CacheEntry;
  } catch {
    return undefined;
  }
}

function writeCached(dir: string, path: string, entry: CacheEntry): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(entry), { mode: 0o600 });
    renameSync(tmp, path);
  } catch {
    // A cache that cannot be written only costs speed.
  }
}

export async function loadValidRuleSet(ctx: Context, file: string = ctx.rulesPath, exitCode: ExitCode = ExitCode.Usage): Promise<ValidRuleSet> {
  const text = readText(file, "rule set", LIMITS.ruleFileBytes);
  const cachePath = join(ctx.cacheDir, cacheFileName(text));
  const cached = readCached(cachePath);
  if (cached) {
    seedZone(cached.zone);
    return { ...cached.ruleSet, file };
  }
  const { parseRuleSet } = await import("../rules/load.js");
  const result = parseRuleSet(text, file);
  if (!result.ok) throw new InvalidInputError(`${file}: ${result.problems.length} problem(s) in the rule set`, result.problems, exitCode);
  const valid = result.ruleSet;
  writeCached(ctx.cacheDir, cachePath, { format: CACHE_FORMAT, ruleSet: valid, zone: zoneTable(valid.raw.office_hours.time_zone, ...ZONE_SPAN) });
  return valid;
}

export async function loadRules(ctx: Context, file: string = ctx.rulesPath, exitCode: ExitCode = ExitCode.Usage): Promise<CompiledRuleSet> {
  return compileRuleSet(await loadValidRuleSet(ctx, file, exitCode));
}
