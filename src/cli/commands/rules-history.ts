/**
 * `triage rules history`: the rule sets approved on this log, newest first, each with who proposed
 * and approved it, its checks and its diff against the one before; and proposals still waiting.
 */
import { governance } from "../../workflow/rule-approval.js";
import type { Context } from "../context.js";
import { inertDeep } from "../render/inert.js";
import { makeStyle } from "../render/style.js";
import { isServerLog, openStore } from "../record.js";
import { existsSync } from "node:fs";

export async function run(ctx: Context): Promise<void> {
  // A local file not made yet has nothing approved; a server log is always asked (it exists once set up).
  if (!isServerLog(ctx) && !existsSync(ctx.dbPath)) {
    if (ctx.json) ctx.out(JSON.stringify({ log: ctx.dbPath, approvals: [], pending: [] }, null, 2));
    else ctx.out(`No log at ${ctx.dbPath} yet: nothing approved. The shipped rule set is approved implicitly when the log is created.`);
    return;
  }
  const store = await openStore(ctx, { readonly: true });
  try {
    // Names, versions and notes come from people and files: shown inert (src/cli/render/inert.ts).
    const g = inertDeep(governance(await store.eventsOfKind("rule_set_proposed"), await store.eventsOfKind("rule_set_approved")));
    const approvedShas = new Set(g.approvals.map((a) => a.sha256));
    const pending = g.proposals.filter((p) => !approvedShas.has(p.sha256));
    if (ctx.json) {
      ctx.out(JSON.stringify({ log: store.path, current: g.current ?? null, approvals: [...g.approvals].reverse(), pending }, null, 2));
      return;
    }
    const s = makeStyle(ctx.color);
    const lines = [s.heading(`Rule sets approved on ${store.path}`), ""];
    if (g.approvals.length === 0) lines.push("None yet: decisions so far were recorded before approvals existed.");
    for (const a of [...g.approvals].reverse()) {
      const inForce = a.seq === g.current?.seq ? s.ok(" — in force") : "";
      lines.push(`${s.bold(`${a.id} ${a.version}`)} ${s.dim(`sha256 ${a.sha256.slice(0, 12)}`)}  #${a.seq} ${a.at}${inForce}`);
      if (a.basis === "shipped") lines.push(`  approved implicitly: the rule set shipped with triage, in force from the log's first approval`);
      else {
        lines.push(`  proposed by ${a.proposed_by ?? "—"}${a.proposal_seq ? ` (#${a.proposal_seq})` : ""}, approved by ${a.approved_by}`);
        if (a.test) lines.push(`  rules test --strict: ${a.test.passed} passed, ${a.test.failed} failed`);
        if (a.lint)
          lines.push(
            `  rules lint: ${a.lint.samples.toLocaleString("en-GB")} samples, ${a.lint.baseline_invariants} baseline + ${a.lint.own_invariants} own invariant(s), ${a.lint.violations.length} violation(s)`,
          );
        if (a.diff) {
          lines.push(
            `  diff against ${a.diff.against.id} ${a.diff.against.version}: ${a.diff.decisions} logged decision(s) — ${a.diff.up} up, ${a.diff.down} down, ${a.diff.same} same`,
          );
          for (const c of a.diff.changes) lines.push(s.dim(`    ${c}`));
        }
      }
      lines.push("");
    }
    if (pending.length > 0) {
      lines.push(s.bold("Proposed, not yet approved"));
      for (const p of pending)
        lines.push(
          `  ${p.id} ${p.version} ${s.dim(`sha256 ${p.sha256.slice(0, 12)}`)} proposed by ${p.proposed_by} on ${p.at} (#${p.seq})${p.note ? `: ${p.note}` : ""}`,
        );
    }
    ctx.out(lines.join("\n").trimEnd());
  } finally {
    await store.close();
  }
}
