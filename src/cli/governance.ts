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
 * The governance of a writable log, approving the shipped rule set first when the log has no
 * approval yet (a new log, or one made before approvals existed): the record then says which rule
 * set was in force from the start.
 */
export async function governanceFor(ctx: Context, store: LogStore): Promise<Governance> {
  const g = await readGovernance(store);
  // On a server log an approval needs the triage_rules_lead role (checked by the database): no
  // implicit entry there; the shipped rule set is in force until a rules lead approves one.
  if (g.current || store.readonly || store.backend === "postgres") return g;
  const shipped = await loadValidRuleSet(ctx, SHIPPED_RULES);
  const at = formatInZone(ctx.now(shipped.raw.office_hours.time_zone), shipped.raw.office_hours.time_zone);
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
  await store.batch(async (tx) => {
    // Re-read inside the write lock: another process may have approved it meanwhile.
    if ((await readGovernance(tx)).current) return;
    await tx.registerRuleSet({ id: body.id, version: body.version, sha256: body.sha256, content: shipped.content }, { actor: ctx.user, at });
    await tx.append({ kind: "rule_set_approved", actor: ctx.user, at, body });
  });
  return readGovernance(store);
}

/**
 * Whether this rule set may record on this log: approved on it, or — on a server log where no rule
 * set has been approved yet — the shipped one.
 */
export async function mayRecordWith(ctx: Context, store: LogStore, g: Governance, sha256: string): Promise<boolean> {
  if (isApproved(g, sha256)) return true;
  if (g.current || store.backend !== "postgres") return false;
  return (await loadValidRuleSet(ctx, SHIPPED_RULES)).sha256 === sha256;
}

/** Refuses (exit 5) to record with a rule set that is not approved on this log. */
export async function requireApproved(ctx: Context, store: LogStore, rs: Pick<CompiledRuleSet, "id" | "version" | "sha256">, file: string): Promise<void> {
  const g = await governanceFor(ctx, store);
  if (await mayRecordWith(ctx, store, g, rs.sha256)) return;
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
    // A server log with nothing approved yet decides with the shipped rule set.
    const shipped = await loadRules(ctx, SHIPPED_RULES);
    const current = g.current;
    if (!current) {
      if (store.backend === "postgres") return shipped;
      throw new TriageError(`the log ${store.path} has no approved rule set`, ExitCode.Log);
    }
    return shipped.sha256 === current.sha256 ? shipped : await storedRuleSet(store, current.sha256);
  } finally {
    await store.close();
  }
}

export type { ValidRuleSet };
