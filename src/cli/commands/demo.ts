/**
 * `triage demo`: a log of the fictional fixture referrals, recorded in the order they happened, so
 * repeat referrals about one child link up and a newcomer can try `log list`, `log show` and
 * `log verify` at once. Never writes to the real log unless asked to with --db.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { ExitCode, TriageError } from "../../errors.js";
import { checkAnswers } from "../../rules/answers.js";
import { parseDateTime } from "../../rules/time.js";
import { PACKAGE_ROOT, type Context } from "../context.js";
import { readFixtures } from "../fixture-files.js";
import { redactUrl } from "../../log/pg-errors.js";
import { isServerLog, openStore, recordDecision } from "../record.js";
import { loadRules } from "../rules-loader.js";

const WORKERS = ["amira.duty", "ben.duty", "chloe.duty", "dev.edt"];

export async function run(ctx: Context, _args: string[], options: Record<string, unknown>): Promise<void> {
  const dbPath = typeof options.db === "string" ? ctx.dbPath : join(dirname(ctx.dbPath), "demo.db");
  const server = isServerLog({ dbPath });
  if (!server && existsSync(dbPath))
    throw new TriageError(
      `${dbPath} already exists; the log is append-only, so the demo is built only into a new file`,
      ExitCode.Usage,
      "remove it, or choose another file with --db",
    );
  const rs = await loadRules(ctx);
  const tz = rs.officeHours.time_zone;
  const fixtures = readFixtures(join(PACKAGE_ROOT, "fixtures", "referrals"))
    .map((f) => ({ f, at: parseDateTime(f.now, tz) }))
    .filter((x): x is { f: (typeof x)["f"]; at: Date } => x.at !== undefined)
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  const demoCtx = { ...ctx, dbPath, err: () => undefined };
  const store = await openStore(demoCtx);
  const refs: string[] = [];
  try {
    if (server && (await store.head()).seq > 0)
      throw new TriageError(`${store.path} already has entries; the demo is built only into an empty log`, ExitCode.Usage, "create an empty database for it");
    for (const [i, { f, at }] of fixtures.entries()) {
      const checked = checkAnswers(rs, f.answers);
      if (checked.problems.length > 0) continue;
      // Earlier referrals about the same child are found in the log itself: exact matches count,
      // possible ones are confirmed here as a worker would after looking.
      // On the server log the database records who is logged in: every demo decision is theirs.
      const decision = await recordDecision({ ...demoCtx, user: server ? demoCtx.user : WORKERS[i % WORKERS.length]! }, rs, store, {
        answers: checked.answers,
        warnings: checked.warnings,
        now: at,
        choices: { confirm: new Set(), reject: new Set() },
      });
      refs.push(decision.ref!);
    }
  } finally {
    await store.close();
  }
  const shown = redactUrl(dbPath);
  const summary = { path: shown, decisions: refs.length, first: refs[0], last: refs[refs.length - 1] };
  if (ctx.json) return ctx.out(JSON.stringify(summary, null, 2));
  ctx.out(
    [
      `Demo log with ${refs.length} fictional referrals: ${shown}`,
      "Try:",
      `  triage --db ${shown} log list`,
      `  triage --db ${shown} log list --child "Skye Brennan"`,
      `  triage --db ${shown} log show ${refs[refs.length - 1] ?? "REF"}`,
      `  triage --db ${shown} log verify`,
      `  triage --db ${shown} stats`,
    ].join("\n"),
  );
}
