/**
 * `triage rules explain --ref REF [--rules FILE]`: reproduces a logged decision from the rule set
 * stored with it — the stored answers, the history as used and the clock (decided_at) — and proves
 * the reproduction is the logged record byte for byte (same canonical JSON, same entry hash in the
 * chain). With --rules, the same case is also decided under FILE and shown side by side.
 */
import { ExitCode, TriageError } from "../../errors.js";
import { canonicalJson, sha256Hex } from "../../log/canonical.js";
import { entryHash } from "../../log/chain.js";
import type { CompiledRuleSet } from "../../rules/compile.js";
import { CaseComparison, evaluatedSide, prepareLogged } from "../../rules/diff.js";
import { evaluateDetailed, type EvaluateOptions } from "../../rules/evaluate.js";
import { explain } from "../../rules/explain.js";
import type { Decision } from "../../rules/types.js";
import type { Context } from "../context.js";
import { openStore, storedRuleSet } from "../record.js";
import { renderDecision } from "../render/decision.js";
import { inert, inertDeep } from "../render/inert.js";
import { renderExplanation } from "../render/explain.js";
import { makeStyle, type Style } from "../render/style.js";
import { wrap } from "../render/text.js";
import { padEndColumns } from "../render/width.js";
import { loadRules } from "../rules-loader.js";

export interface ExplainLoggedOptions {
  /** A rule file to decide the same case under, side by side with the logged decision. */
  rules?: string | undefined;
}

/** Paths where two JSON values differ, e.g. `fired[2].applied: stored true, reproduced false`. */
export function differences(stored: unknown, reproduced: unknown, path = "", out: string[] = [], limit = 20): string[] {
  if (out.length >= limit) return out;
  if (canonicalJson(stored ?? null) === canonicalJson(reproduced ?? null) && (stored === undefined) === (reproduced === undefined)) return out;
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
  if (Array.isArray(stored) && Array.isArray(reproduced)) {
    for (let i = 0; i < Math.max(stored.length, reproduced.length); i++) differences(stored[i], reproduced[i], `${path}[${i}]`, out, limit);
    return out;
  }
  if (isObj(stored) && isObj(reproduced)) {
    for (const key of [...new Set([...Object.keys(stored), ...Object.keys(reproduced)])].sort())
      differences(stored[key], reproduced[key], path ? `${path}.${key}` : key, out, limit);
    return out;
  }
  const show = (v: unknown) => (v === undefined ? "(absent)" : JSON.stringify(v));
  out.push(`${path || "(record)"}: stored ${show(stored)}, reproduced ${show(reproduced)}`);
  return out;
}

interface Comparison {
  file: string;
  rule_set?: { id: string; version: string; sha256: string };
  problems?: string[];
  unanswered?: string[];
  decision?: Decision;
  outcome?: { from: string; to: string; direction: string };
  fired_added?: string[];
  fired_removed?: string[];
  steps_added?: string[];
  steps_removed?: string[];
  flags_added?: string[];
  flags_removed?: string[];
  guards?: { id: string; from: string; to: string }[];
  hard_floor?: { from: string | null; to: string | null };
  reason?: string;
}

function compareUnder(file: string, logged: CompiledRuleSet, other: CompiledRuleSet, stored: Decision, input: EvaluateOptions): Comparison {
  const base: Comparison = { file, rule_set: { id: other.id, version: other.version, sha256: other.sha256 } };
  const prepared = prepareLogged(other, { answers: stored.answers, history: stored.history, decided_at: stored.decided_at }, false);
  if (!prepared.input) return { ...base, problems: prepared.problems, unanswered: prepared.unanswered };
  const o = evaluateDetailed(logged, input);
  const n = evaluateDetailed(other, prepared.input);
  const c = new CaseComparison(logged, other, evaluatedSide(o), evaluatedSide(n));
  const delta = (a: string[], b: string[]) => ({ added: b.filter((x) => !a.includes(x)), removed: a.filter((x) => !b.includes(x)) });
  const steps = delta(
    o.decision.steps.map((s) => s.id),
    n.decision.steps.map((s) => s.id),
  );
  const flags = delta(o.decision.flags, n.decision.flags);
  return {
    ...base,
    ...(prepared.unanswered.length > 0 ? { unanswered: prepared.unanswered } : {}),
    decision: n.decision,
    outcome: { from: c.from.id, to: c.to.id, direction: c.direction },
    fired_added: c.rulesAdded,
    fired_removed: c.rulesRemoved,
    steps_added: steps.added,
    steps_removed: steps.removed,
    flags_added: flags.added,
    flags_removed: flags.removed,
    guards: c.guardChanges(),
    hard_floor: { from: o.decision.hard_floor, to: n.decision.hard_floor },
    reason: c.anyChange ? c.reason() : "no difference",
  };
}

/** Two columns of wrapped text, with a label on the left. */
function sideBySide(rows: [string, string, string][], labelWidth: number, width: number): string[] {
  const out: string[] = [];
  for (const [label, left, right] of rows) {
    const l = wrap(left || "—", "", width);
    const r = wrap(right || "—", "", width);
    for (let i = 0; i < Math.max(l.length, r.length, 1); i++) {
      out.push(`  ${padEndColumns(i === 0 ? label : "", labelWidth)}  ${padEndColumns(l[i] ?? "", width)}  ${r[i] ?? ""}`.trimEnd());
    }
  }
  return out;
}

function renderComparison(cmp: Comparison, stored: Decision, s: Style): string[] {
  const out: string[] = [s.heading(`The same case under ${cmp.file}`)];
  if (!cmp.decision) {
    out.push(s.bad(`  cannot replay under ${cmp.file}: ${(cmp.problems ?? []).join("; ")}`));
    return out;
  }
  const d = cmp.decision;
  const left = `logged: ${stored.rule_set.id} ${stored.rule_set.version} (${stored.rule_set.sha256.slice(0, 12)})`;
  const right = `${cmp.rule_set!.id} ${cmp.rule_set!.version} (${cmp.rule_set!.sha256.slice(0, 12)})`;
  const W = 38;
  const guardText = (x: Decision) => x.guards.map((g) => `${g.id} ${g.status.replace("_", " ")}`).join(", ");
  const arrow =
    cmp.outcome!.direction === "up"
      ? "  ↑ higher"
      : cmp.outcome!.direction === "down"
        ? "  ↓ LOWER"
        : cmp.outcome!.direction === "same_level"
          ? "  ↔ other outcome, same level"
          : "";
  out.push(
    ...sideBySide(
      [
        ["", left, right],
        [
          "outcome",
          `${stored.computed_outcome.id} (level ${stored.computed_outcome.level})`,
          `${d.computed_outcome.id} (level ${d.computed_outcome.level})${arrow}`,
        ],
        ["hard floor", stored.hard_floor ?? "none", d.hard_floor ?? "none"],
        ["fired", stored.fired.map((f) => f.id).join(", "), d.fired.map((f) => f.id).join(", ")],
        ["steps", stored.steps.map((x) => x.id).join(", "), d.steps.map((x) => x.id).join(", ")],
        ["guards", guardText(stored), guardText(d)],
        ["flags", stored.flags.join(", "), d.flags.join(", ")],
      ],
      10,
      W,
    ),
  );
  out.push("");
  const list = (xs: string[] | undefined) => (xs && xs.length > 0 ? xs.join(", ") : "none");
  out.push(`  fired rules added: ${list(cmp.fired_added)}; removed: ${list(cmp.fired_removed)}`);
  out.push(`  steps added: ${list(cmp.steps_added)}; removed: ${list(cmp.steps_removed)}`);
  for (const g of cmp.guards ?? []) out.push(`  guard ${g.id}: ${g.from.replace("_", " ")} → ${g.to.replace("_", " ")}`);
  if (cmp.unanswered && cmp.unanswered.length > 0)
    out.push(s.warn(`  not answered in the logged case (asked only by ${cmp.file}): ${cmp.unanswered.join(", ")}`));
  out.push(...wrap(`why: ${cmp.reason}`, "  "));
  return out;
}

export async function explainLogged(ctx: Context, ref: string, options: ExplainLoggedOptions = {}): Promise<void> {
  const other = options.rules !== undefined ? await loadRules(ctx, options.rules) : undefined;
  const store = await openStore(ctx, { readonly: true });
  try {
    const stored = await store.getDecision(ref);
    if (!stored) throw new TriageError(`there is no referral ${ref} in the log ${store.path}`, ExitCode.Usage, "`triage log list` shows the references");
    const entry = (await store.eventsFor(ref)).find((e) => e.kind === "decision");
    const rs = await storedRuleSet(store, stored.rule_set.sha256);

    // The inputs exactly as the decision used them; the clock is the time it was decided.
    const input: EvaluateOptions = { answers: stored.answers, history: stored.history, now: stored.decided_at, warnings: stored.warnings };
    const explanation = explain(rs, input);
    // What recording added to the evaluation: the reference, who decided, their analysis, and the
    // OS account a local log file records, and when it was really written.
    const reproduced: Decision = {
      ...explanation.decision,
      ...(stored.ref !== undefined ? { ref: stored.ref } : {}),
      ...(stored.decided_by !== undefined ? { decided_by: stored.decided_by } : {}),
      ...(stored.analysis !== undefined ? { analysis: stored.analysis } : {}),
      ...(stored.os_user !== undefined ? { os_user: stored.os_user } : {}),
      ...(stored.recorded_at !== undefined ? { recorded_at: stored.recorded_at } : {}),
    };
    const storedText = canonicalJson(stored);
    const reproducedText = canonicalJson(reproduced);
    const exact = storedText === reproducedText;
    const recordSha = sha256Hex(reproducedText);
    const entryMatches = entry
      ? entryHash({ seq: entry.seq, ref: entry.ref, kind: entry.kind, actor: entry.actor, at: entry.at, prev_hash: entry.prev_hash }, reproducedText) ===
        entry.hash
      : false;
    const diffs = exact ? [] : differences(stored, reproduced);
    const comparison = other ? compareUnder(options.rules!, rs, other, stored, input) : undefined;
    if (!exact) process.exitCode = ExitCode.Findings;

    if (ctx.json) {
      const reproduction = {
        exact,
        record_sha256: recordSha,
        stored_sha256: sha256Hex(storedText),
        entry: entry ? { seq: entry.seq, hash: entry.hash, matches: entryMatches } : null,
        differences: diffs,
      };
      ctx.out(
        JSON.stringify(
          {
            ...reproduced,
            explanation: { rules: explanation.rules, guards: explanation.guards },
            reproduction,
            ...(comparison ? { compare: comparison } : {}),
          },
          null,
          2,
        ),
      );
      return;
    }
    const s = makeStyle(ctx.color);
    const out = [renderDecision(reproduced, s, rs), "", renderExplanation(inertDeep(explanation), s), ""];
    out.push(s.heading("Reproduction"));
    out.push(
      `  from the rule set stored with it: ${rs.id} ${rs.version} (sha256 ${rs.sha256.slice(0, 12)}); answers and history as used; clock ${stored.decided_at}`,
    );
    if (exact) {
      out.push(s.ok(`  ${ref} reproduced exactly, sha256 ${recordSha}`));
      if (entry)
        out.push(
          entryMatches
            ? s.ok(`  log entry #${entry.seq}: the reproduction gives its chain hash ${entry.hash.slice(0, 16)}…`)
            : s.bad(`  log entry #${entry.seq}: the chain hash does not match the reproduction (run \`triage log verify\`)`),
        );
    } else {
      out.push(s.bad(`  ${ref} is NOT reproduced exactly: stored sha256 ${sha256Hex(storedText)}, reproduced ${recordSha}`));
      for (const d of diffs) out.push(`    ${inert(d)}`);
    }
    if (comparison) out.push("", ...renderComparison(inertDeep(comparison), inertDeep(stored), s));
    await ctx.page(out.join("\n"));
  } finally {
    await store.close();
  }
}
