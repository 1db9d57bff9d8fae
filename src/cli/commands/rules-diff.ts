/**
 * `triage rules diff OLD NEW [--fixtures DIR] [--db FILE] [--since DATE] [--json] [--fail-on-lower]`:
 * what changed between two rule sets, then every fixture and every logged decision (answers and
 * history as used, clock = decided_at) replayed under both. Logged decisions are streamed from the
 * log in chain order; each rule set is compiled once.
 */
import { existsSync, readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { ExitCode, TriageError } from "../../errors.js";
import { LIMITS, readText } from "../../files.js";
import { redactUrl } from "../../log/pg-errors.js";
import type { LogStore } from "../../log/store.js";
import { compileRuleSet } from "../../rules/compile.js";
import { diffRuleSets, questionsKey, Replay, type LoggedCase } from "../../rules/diff.js";
import { parseFixture } from "../../rules/fixtures.js";
import type { RawRuleSet } from "../../rules/schema.js";
import { fromLocal, parseDate, parseDateTime } from "../../rules/time.js";
import type { Decision } from "../../rules/types.js";
import { PACKAGE_ROOT, type Context } from "../context.js";
import { renderDiffReport, type DiffReport } from "../render/diff.js";
import { makeStyle } from "../render/style.js";
import { loadValidRuleSet } from "../rules-loader.js";
import { inertDeep } from "../render/inert.js";

function sinceInstant(text: string, tz: string): number {
  const date = parseDate(text);
  const t = date ? fromLocal(date, "00:00", tz) : parseDateTime(text, tz);
  if (!t) throw new TriageError(`--since: "${text}" is not a date (YYYY-MM-DD) or date-time`);
  return t.getTime();
}

function fixtureNames(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => /\.ya?ml$|\.json$/.test(n))
      .sort();
  } catch {
    throw new TriageError(`cannot read fixtures folder ${dir}`, ExitCode.Usage);
  }
}

/** Streams the logged decisions (chain order) into the replay; returns how many were skipped by --since. */
export async function replayLog(store: LogStore, replay: Replay, since: number | undefined): Promise<{ skipped: number }> {
  const keys = new Map<string, string | undefined>();
  const keyOf = async (sha256: string): Promise<string | undefined> => {
    if (!keys.has(sha256)) {
      const content = await store.getRuleSetContent(sha256);
      keys.set(sha256, content === undefined ? undefined : questionsKey((typeof content === "string" ? JSON.parse(content) : content) as RawRuleSet));
    }
    return keys.get(sha256);
  };
  let skipped = 0;
  for await (const entry of store.allEvents()) {
    if (entry.kind !== "decision" || entry.ref === null) continue;
    const d = entry.body as Decision;
    if (since !== undefined && !(Date.parse(d.received_at) >= since)) {
      skipped++;
      continue;
    }
    const logged: LoggedCase = { answers: d.answers, history: d.history, decided_at: d.decided_at, decision: d };
    replay.addLogged(entry.ref, logged, keys.has(d.rule_set.sha256) ? keys.get(d.rule_set.sha256) : await keyOf(d.rule_set.sha256));
  }
  return { skipped };
}

export async function run(ctx: Context, args: string[], options: { fixtures?: string; since?: string; failOnLower?: boolean }): Promise<void> {
  const [oldFile, newFile] = args;
  if (!oldFile || !newFile) throw new TriageError("rules diff needs two rule files: OLD NEW");
  const started = performance.now();
  const oldValid = await loadValidRuleSet(ctx, oldFile);
  const newValid = await loadValidRuleSet(ctx, newFile);
  const oldRs = compileRuleSet(oldValid);
  const newRs = newValid.sha256 === oldValid.sha256 ? oldRs : compileRuleSet(newValid);
  const structure = diffRuleSets(oldRs, newRs);
  const replay = new Replay(oldRs, newRs, { structure });
  const since = options.since !== undefined ? sinceInstant(options.since, newRs.officeHours.time_zone) : undefined;

  // Fixtures: a file that cannot be parsed, or whose answers do not fit a rule set, is reported, not fatal.
  const fixturesDir = options.fixtures ?? join(PACKAGE_ROOT, "fixtures", "referrals");
  for (const name of fixtureNames(fixturesDir)) {
    const file = join(fixturesDir, name);
    const parsed = parseFixture(readText(file, "fixture", LIMITS.answersFileBytes), file);
    if (parsed.fixture) replay.addFixture(basename(file), parsed.fixture);
    else replay.addUnreadable(basename(file), "fixture", parsed.problems);
  }

  // The log: every logged decision, unless there is no log yet.
  const log: DiffReport["log"] = {
    path: redactUrl(ctx.dbPath),
    found: /^postgres(ql)?:\/\//i.test(ctx.dbPath) || existsSync(ctx.dbPath),
    skipped_by_since: 0,
    ...(options.since !== undefined ? { since: options.since } : {}),
  };
  if (log.found) {
    const { openStore } = await import("../record.js");
    const store = await openStore(ctx, { readonly: true });
    try {
      log.skipped_by_since = (await replayLog(store, replay, since)).skipped;
    } finally {
      await store.close();
    }
  }

  const result = replay.report();
  const report: DiffReport = {
    old: { ...structure.old, file: oldFile },
    new: { ...structure.new, file: newFile },
    identical: structure.identical,
    changes: structure,
    outcomes: { old: oldRs.outcomes.map((o) => o.id), new: newRs.outcomes.map((o) => o.id) },
    fixtures_dir: fixturesDir,
    log,
    ...result,
    elapsed_ms: Math.round(performance.now() - started),
  };
  const failOnLower = options.failOnLower === true;
  if (failOnLower && result.down > 0) process.exitCode = ExitCode.Findings;
  if (ctx.json) {
    const { changes, ...rest } = report;
    const { old: _o, new: _n, ...what } = changes;
    ctx.out(JSON.stringify({ ok: !(failOnLower && result.down > 0), ...rest, changes: what }, null, 2));
    return;
  }
  ctx.out(renderDiffReport(inertDeep(report), makeStyle(ctx.color), { failOnLower }));
}
