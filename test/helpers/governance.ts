/**
 * For tests whose subject is not rule-set governance but that record with a test rule set: puts
 * that rule set on the log as proposed by one person and approved by another, exactly as the
 * entries `triage rules propose` / `triage rules approve` write (src/workflow/rule-approval.ts),
 * without running the approval's test, lint and diff gates: a test rule set is not meant to pass
 * the shipped fixtures. Governance itself is tested end to end in test/e2e/governance.e2e.test.ts.
 */
import { readFileSync } from "node:fs";
import { openLog } from "../../src/log/open.js";
import { parseRuleSet, type ValidRuleSet } from "../../src/rules/load.js";
import type { ApprovalBody, ProposalBody } from "../../src/workflow/rule-approval.js";
import { repoPath } from "./rules.js";

const AT = "2026-01-05T09:00:00+00:00";

function valid(file: string): ValidRuleSet {
  const r = parseRuleSet(readFileSync(file, "utf8"), file);
  if (!r.ok) throw new Error(r.problems.join("\n"));
  return r.ruleSet;
}

function approval(v: ValidRuleSet, basis: ApprovalBody["basis"], previous: ApprovalBody["previous"], proposal_seq: number | null): ApprovalBody {
  return {
    id: v.raw.id,
    version: v.raw.version,
    sha256: v.sha256,
    content: JSON.parse(v.content) as unknown,
    basis,
    approved_by: basis === "shipped" ? "shipped with triage" : "test.lead",
    proposed_by: basis === "shipped" ? null : "test.author",
    proposal_seq,
    previous,
    test: null,
    lint: null,
    diff: null,
  };
}

/** Approves `ruleFile` on the log at `dbPath` (creating the log, with the shipped rule set approved first, if needed). */
export async function approveInLog(dbPath: string, ruleFile: string): Promise<void> {
  const store = openLog(dbPath);
  try {
    const v = valid(ruleFile);
    await store.batch(async (tx) => {
      let current = (await tx.eventsOfKind("rule_set_approved")).at(-1)?.body as ApprovalBody | undefined;
      if (!current) {
        const shipped = valid(repoPath("rules/default.yaml"));
        await tx.registerRuleSet(
          { id: shipped.raw.id, version: shipped.raw.version, sha256: shipped.sha256, content: shipped.content },
          { actor: "test.lead", at: AT },
        );
        current = approval(shipped, "shipped", null, null);
        await tx.append({ kind: "rule_set_approved", actor: "test.lead", at: AT, body: current });
      }
      if (current.sha256 === v.sha256) return;
      const proposal: ProposalBody = { id: v.raw.id, version: v.raw.version, sha256: v.sha256, proposed_by: "test.author" };
      const { seq } = await tx.append({ kind: "rule_set_proposed", actor: "test.author", at: AT, body: proposal });
      await tx.registerRuleSet({ id: v.raw.id, version: v.raw.version, sha256: v.sha256, content: v.content }, { actor: "test.lead", at: AT });
      const previous = { id: current.id, version: current.version, sha256: current.sha256 };
      await tx.append({ kind: "rule_set_approved", actor: "test.lead", at: AT, body: approval(v, "four_eyes", previous, seq) });
    });
  } finally {
    await store.close();
  }
}
