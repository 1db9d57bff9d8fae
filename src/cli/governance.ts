/**
 * The shell around rule-set governance (src/workflow/rule-approval.ts): reads proposals and
 * approvals from the log, approves the shipped rule set implicitly where a log has none yet, and
 * decides which rule set records. Only an approved rule set decides (docs/rule-format.md "The life
 * of a rule change").
 */
import { RefusedError, TriageError, ExitCode } from "../errors.js";
import type { LogReads, LogStore } from "../log/store.js";
import type { CompiledRuleSet } from "../rules/compile.js";
import type { ValidRuleSet } from "../rules/load.js";
import { formatInZone } from "../rules/time.js";
import { governance, howToApprove, isApproved, type ApprovalBody, type Governance } from "../workflow/rule-approval.js";
import { SHIPPED_RULES, type Context } from "./context.js";
import { loadRules, loadValidRuleSet } from "./rules-loader.js";

export async function readGovernance(store: LogReads): Promise<Governance> {
  return governance(await store.eventsOfKind("rule_set_proposed"), await store.eventsOfKind("rule_set_approved"));
}

/**
 * Records the shipped rule set's implicit approval (basis "shipped") unless the log has an approval
 * already; re-read inside the write lock, since another process may have approved one meanwhile.
 * On a server log only its owner may (the database refuses anyone else): `triage admin init` does it.
 * Returns the entry's number, or undefined when an approval was there already.
 */
export async function recordShippedApproval(store: LogStore, shipped: ValidRuleSet, actor: string, at: string): Promise<number | undefined> {
  const body: ApprovalBody = {
    id: shipped.raw.id,
    version: shipped.raw.version,
    sha256: shipped.sha256,
    content: JSON.parse(shipped.content) as unknown,
    basis: "shipped",
    approved_by: "shipped with triage",
    proposed_by: null,
    proposal_seq: null,
    previous: null,
    test: null,
    lint: null,
    diff: null,
  };
  return store.batch(async (tx) => {
    if ((await readGovernance(tx)).current) return undefined;
    await tx.registerRuleSet({ id: body.id, version: body.version, sha256: body.sha256, content: shipped.content }, { actor, at });
    return (await tx.append({ kind: "rule_set_approved", actor, at, body })).seq;
  });
}

/** When the shipped rule set is approved implicitly: now, in its office's zone. */
export async function shippedApprovalNow(ctx: Context): Promise<{ shipped: ValidRuleSet; at: string }> {
  const shipped = await loadValidRuleSet(ctx, SHIPPED_RULES);
  const zone = shipped.raw.office_hours.time_zone;
  return { shipped, at: formatInZone(ctx.now(zone), zone) };
}

/**
 * The governance of a writable log, approving the shipped rule set first when a local log has no
 * approval yet (a new log, or one made before approvals existed): the record then says which rule
 * set was in force from the start. A server log gets that entry from `triage admin init` (its owner).
 */
export async function governanceFor(ctx: Context, store: LogStore): Promise<Governance> {
  const g = await readGovernance(store);
  if (g.current || store.readonly || store.backend === "postgres") return g;
  const { shipped, at } = await shippedApprovalNow(ctx);
  await recordShippedApproval(store, shipped, ctx.user, at);
  return readGovernance(store);
}

/** A server log without any approved rule set: set up before approvals were recorded there. */
export function noApprovalOnServer(store: LogStore): TriageError {
  return new TriageError(
    `the server log ${store.path} has no approved rule set`,
    ExitCode.Log,
    "its owner runs `triage admin init` once, which approves the shipped rule set implicitly; after that, rules leads approve changes",
  );
}

/** Whether this rule set may record on this log: approved on it. */
export function mayRecordWith(g: Governance, sha256: string): boolean {
  return isApproved(g, sha256);
}

/** Refuses (exit 5) to record with a rule set that is not approved on this log. */
export async function requireApproved(ctx: Context, store: LogStore, rs: Pick<CompiledRuleSet, "id" | "version" | "sha256">, file: string): Promise<void> {
  const g = await governanceFor(ctx, store);
  if (!g.current && store.backend === "postgres") throw noApprovalOnServer(store);
  if (mayRecordWith(g, rs.sha256)) return;
  const inForce = g.current ? `; the rule set in force is ${g.current.id} ${g.current.version} (sha256 ${g.current.sha256.slice(0, 12)})` : "";
  throw new RefusedError(
    `refused: rule set ${rs.id} ${rs.version} (sha256 ${rs.sha256.slice(0, 12)}) from ${file} is not approved on the log ${store.path}${inForce}`,
    howToApprove(file),
  );
}

/**
 * The rule set a recording command (`new`, `resume`) decides with: the file given with --rules /
 * TRIAGE_RULES when it is approved on this log (else exit 5), otherwise the log's rule set in force.
 */
export async function rulesForRecording(ctx: Context): Promise<CompiledRuleSet> {
  const { openStore, storedRuleSet } = await import("./record.js");
  if (ctx.rulesExplicit) {
    const rs = await loadRules(ctx);
    const store = await openStore(ctx);
    try {
      await requireApproved(ctx, store, rs, ctx.rulesPath);
    } finally {
      await store.close();
    }
    return rs;
  }
  const store = await openStore(ctx);
  try {
    const g = await governanceFor(ctx, store);
    // The common case: the shipped file is the one in force (validated once, cached by content).
    const current = g.current;
    if (!current) {
      if (store.backend === "postgres") throw noApprovalOnServer(store);
      throw new TriageError(`the log ${store.path} has no approved rule set`, ExitCode.Log);
    }
    const shipped = await loadRules(ctx, SHIPPED_RULES);
    return shipped.sha256 === current.sha256 ? shipped : await storedRuleSet(store, current.sha256);
  } finally {
    await store.close();
  }
}

export type { ValidRuleSet };
