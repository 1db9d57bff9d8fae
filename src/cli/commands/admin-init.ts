/**
 * `triage admin init --db postgres://…`: creates (or upgrades) the server log's schema and its roles,
 * idempotently; run by the database owner. Prints how to let people in.
 */
import { ExitCode, TriageError } from "../../errors.js";
import type { Context } from "../context.js";
import { isServerLog, openStore } from "../record.js";

export async function run(ctx: Context, _args: string[], options: { empty?: boolean }): Promise<void> {
  if (!isServerLog(ctx))
    throw new TriageError(
      "admin init sets up a server log: give --db postgres://… (or TRIAGE_DB)",
      ExitCode.Usage,
      "a SQLite log needs no setup; it is created when the first referral is recorded",
    );
  const { initServerLog } = await import("../../log/pg-open.js");
  const result = await initServerLog(ctx.dbPath);
  // The record says which rule set was in force from the start: the shipped one, approved implicitly
  // by the owner as the log's first approval (the database allows no one else; docs/rule-format.md).
  // With --empty the log stays without entries, to receive `triage log copy` (which brings the
  // pilot's own approvals: a copy goes only into an empty log).
  let approval: { seq: number; id: string; version: string; sha256: string } | null = null;
  if (options.empty !== true) {
    const { recordShippedApproval, shippedApprovalNow } = await import("../governance.js");
    const { shipped, at } = await shippedApprovalNow(ctx);
    const store = await openStore(ctx);
    try {
      const seq = await recordShippedApproval(store, shipped, ctx.user, at);
      if (seq !== undefined) approval = { seq, id: shipped.raw.id, version: shipped.raw.version, sha256: shipped.sha256 };
    } finally {
      await store.close();
    }
  }
  if (ctx.json) {
    ctx.out(JSON.stringify({ ...result, shipped_approval: approval }, null, 2));
    return;
  }
  const done =
    result.applied.length === 0
      ? `The triage log at ${result.where} is already at schema ${result.version}; nothing to do.`
      : `The triage log at ${result.where} is ready (schema ${result.version}; applied ${result.applied.join(", ")}).`;
  ctx.out(
    [
      done,
      approval
        ? `Approved the shipped rule set ${approval.id} ${approval.version} implicitly (entry #${approval.seq}, after its content): it decides until a rules lead approves a change.`
        : options.empty === true
          ? "No entries written (--empty): ready to receive `triage log copy`; without a copy, run `triage admin init` again to approve the shipped rule set."
          : "A rule set is already approved on this log.",
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
