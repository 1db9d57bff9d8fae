/**
 * `triage admin init --db postgres://…`: creates (or upgrades) the server log's schema and its roles,
 * idempotently; run by the database owner. Prints how to let people in.
 */
import { ExitCode, TriageError } from "../../errors.js";
import type { Context } from "../context.js";
import { isServerLog } from "../record.js";

export async function run(ctx: Context, _args: string[], _options: Record<string, unknown>): Promise<void> {
  if (!isServerLog(ctx))
    throw new TriageError(
      "admin init sets up a server log: give --db postgres://… (or TRIAGE_DB)",
      ExitCode.Usage,
      "a SQLite log needs no setup; it is created when the first referral is recorded",
    );
  const { initServerLog } = await import("../../log/pg-open.js");
  const result = await initServerLog(ctx.dbPath);
  if (ctx.json) {
    ctx.out(JSON.stringify(result, null, 2));
    return;
  }
  const done =
    result.applied.length === 0
      ? `The triage log at ${result.where} is already at schema ${result.version}; nothing to do.`
      : `The triage log at ${result.where} is ready (schema ${result.version}; applied ${result.applied.join(", ")}).`;
  ctx.out(
    [
      done,
      result.createdRoles.length > 0
        ? `Created the roles ${result.createdRoles.join(", ")}.`
        : "The roles triage_worker, triage_manager, triage_senior_manager, triage_rules_lead and triage_auditor exist.",
      "",
      "Each person logs in as their own database user; what they may do comes from the role you grant them:",
      "  CREATE ROLE alice LOGIN PASSWORD '…';      -- or use your usual authentication",
      "  GRANT triage_worker TO alice;             -- record decisions, checks, proposals",
      "  GRANT triage_manager TO mia;              -- also review, approve downgrades and closures",
      "  GRANT triage_senior_manager TO sam;       -- also the second approval of a malicious closure",
      "  GRANT triage_rules_lead TO lee;           -- approve rule sets",
      "  GRANT triage_auditor TO aud;              -- read and verify only",
      "Then each person sets TRIAGE_DB=postgres://alice@host/dbname (password in ~/.pgpass or PGPASSWORD, never in the address).",
    ].join("\n"),
  );
}
