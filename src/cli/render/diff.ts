/** Text form of `rules diff`: what changed, the replay's counts, the from × to table, and each changed case. */
import type { ChangedCase, ReplayReport, RuleSetDiff, RuleSetIdentity, Section, ThresholdUse } from "../../rules/diff.js";
import { SECTIONS } from "../../rules/diff.js";
import type { Style } from "./style.js";
import { table, wrap } from "./text.js";

export interface DiffReport extends ReplayReport {
  old: RuleSetIdentity & { file: string };
  new: RuleSetIdentity & { file: string };
  identical: boolean;
  changes: RuleSetDiff;
  /** Outcome ids, lowest first, of each rule set (for the table). */
  outcomes: { old: string[]; new: string[] };
  fixtures_dir: string;
  log: { path: string; found: boolean; since?: string; skipped_by_since: number };
  elapsed_ms: number;
}

/** How many changed cases the text lists per group (JSON has them all). */
export const LISTED = 50;

const TITLES: Record<Section, string> = {
  outcomes: "Outcomes",
  questions: "Questions",
  steps: "Steps",
  checks: "Checks",
  rules: "Rules",
  guards: "Guards",
  closure_reasons: "Closure reasons",
  invariants: "Invariants",
};

const num = (n: number): string => n.toLocaleString("en-GB");
const plural = (n: number, one: string, many = `${one}s`): string => `${num(n)} ${n === 1 ? one : many}`;

export function usesText(uses: readonly ThresholdUse[]): string {
  if (uses.length === 0) return "nothing refers to it";
  const byKind = new Map<string, string[]>();
  for (const u of uses) {
    const list = byKind.get(u.kind) ?? [];
    if (!list.includes(u.id)) list.push(u.id);
    byKind.set(u.kind, list);
  }
  return [...byKind].map(([kind, ids]) => `${kind}${ids.length > 1 ? "s" : ""} ${ids.join(", ")}`).join("; ");
}

export function renderChanges(c: RuleSetDiff, s: Style): string[] {
  if (c.identical) return [s.ok(`No change: both files have the same canonical content (sha256 ${c.new.sha256}).`)];
  const out: string[] = [s.heading(`What changed (${plural(c.count, "change")})`)];
  if (c.settings.length > 0) {
    out.push("  Settings");
    for (const line of c.settings) out.push(`    ~ ${line}`);
  }
  if (c.thresholds.length > 0) {
    out.push("  Thresholds");
    for (const t of c.thresholds) {
      const mark = t.change === "added" ? "+" : t.change === "removed" ? "−" : "~";
      const value =
        t.change === "added" ? `${t.to}` : t.change === "removed" ? `${t.from}` : t.from !== t.to ? `${t.from} → ${t.to}` : `${t.to} (value unchanged)`;
      out.push(`    ${mark} ${s.bold(t.name)}  ${value}${t.details.length > 0 ? `; ${t.details.join("; ")}` : ""}`);
      out.push(s.dim(`        used by ${usesText(t.used_by)}`));
    }
  }
  for (const section of SECTIONS) {
    const items = c.sections[section];
    if (items.length === 0) continue;
    out.push(`  ${TITLES[section]}`);
    for (const item of items) {
      const mark = item.change === "added" ? s.ok("+") : item.change === "removed" ? s.bad("−") : s.warn("~");
      const head = `    ${mark} ${s.bold(item.id)}${item.change === "changed" ? "" : ` ${item.change}`}`;
      if (item.details.length === 0) out.push(head);
      else out.push(...wrap(`${item.details.join("; ")}`, "        ").map((line, i) => (i === 0 ? `${head}: ${line.trimStart()}` : line)));
    }
  }
  return out;
}

function outcomeTable(r: DiffReport, s: Style): string[] {
  const counts = new Map(r.table.map((t) => [`${t.from}\u0000${t.to}`, t.count]));
  const headers = ["old ↓  new →", ...r.outcomes.new.map((_, i) => `L${i + 1}`)];
  const rows = r.outcomes.old.map((from, i) => [
    `L${i + 1} ${from}`,
    ...r.outcomes.new.map((to) => {
      const n = counts.get(`${from}\u0000${to}`) ?? 0;
      if (n === 0) return s.dim("·");
      const text = num(n);
      const j = r.outcomes.new.indexOf(to);
      return j > i ? s.warn(text) : j < i ? s.bad(text) : text;
    }),
  ]);
  const lines = table(headers, rows)
    .split("\n")
    .map((l) => `  ${l}`);
  const sameIds = r.outcomes.old.join() === r.outcomes.new.join();
  if (!sameIds) lines.push(s.dim(`  new levels: ${r.outcomes.new.map((id, i) => `L${i + 1} ${id}`).join(", ")}`));
  return lines;
}

function caseLines(cases: readonly ChangedCase[], s: Style): string[] {
  const out: string[] = [];
  for (const c of cases.slice(0, LISTED)) {
    const arrow = c.direction === "up" ? s.warn("↑") : c.direction === "down" ? s.bad("↓") : c.direction === "same_level" ? "↔" : "=";
    const move = c.from === c.to ? c.to : `${c.from} → ${c.to}`;
    out.push(`    ${arrow} ${s.bold(c.ref)}  ${move}`);
    out.push(...wrap(c.reason, "        "));
  }
  if (cases.length > LISTED) out.push(s.dim(`    … and ${num(cases.length - LISTED)} more (--json lists them all)`));
  return out;
}

export function renderDiffReport(r: DiffReport, s: Style, options: { failOnLower: boolean }): string {
  const out: string[] = [s.heading("Rule sets")];
  out.push(`  old  ${r.old.id} ${r.old.version}  ${s.dim(`sha256 ${r.old.sha256.slice(0, 12)}`)}  ${r.old.file}`);
  out.push(`  new  ${r.new.id} ${r.new.version}  ${s.dim(`sha256 ${r.new.sha256.slice(0, 12)}`)}  ${r.new.file}`);
  out.push("", ...renderChanges(r.changes, s), "");

  const sources = [`${plural(r.fixtures, "fixture")} from ${r.fixtures_dir}`];
  if (r.log.found)
    sources.push(
      `${plural(r.logged, "logged decision")} from ${r.log.path}${r.log.since ? ` received since ${r.log.since} (${num(r.log.skipped_by_since)} earlier skipped)` : ""}`,
    );
  out.push(s.heading("Replay"));
  out.push(...wrap(`Replayed under both: ${sources.join(", ")}.`, "  "));
  if (!r.log.found) out.push(s.warn(`  No decision log at ${r.log.path}: replayed fixtures only.`));
  const summary = `${plural(r.replayed, "case")} replayed: ${plural(r.changed, "outcome")} change (${num(r.up)} up, ${num(r.down)} down${r.same_level > 0 ? `, ${num(r.same_level)} to another outcome at the same level` : ""}), ${num(r.unchanged)} unchanged`;
  out.push(...wrap(summary, "  "));
  if (r.detail_changed > 0)
    out.push(...wrap(`${plural(r.detail_changed, "case")} keep their outcome but fire different rules, or differ in guards, steps or flags.`, "  "));
  if (r.not_replayable > 0) out.push(s.warn(`  ${plural(r.not_replayable, "case")} cannot be replayed (listed below).`));
  out.push("");

  if (r.replayed > 0) {
    out.push(s.heading("Outcomes, old × new"), ...outcomeTable(r, s), "");
  }
  if (r.rules.length > 0) {
    out.push(s.heading("Rules that fire more or less often"));
    const rows = r.rules.map((x) => {
      const delta = x.new - x.old;
      return [
        x.id,
        `${num(x.old)} → ${num(x.new)}`,
        delta > 0 ? s.warn(`+${num(delta)}`) : delta < 0 ? s.bad(`−${num(-delta)}`) : "±0",
        s.dim(`starts in ${num(x.started)}, stops in ${num(x.stopped)}`),
      ];
    });
    out.push(
      ...table(["rule", "cases", "change", ""], rows)
        .split("\n")
        .map((l) => `  ${l}`),
      "",
    );
  }
  if (r.guards.length > 0) {
    out.push(s.heading("Guards"));
    for (const g of r.guards) out.push(`  ${s.bold(g.id)}  newly holds in ${plural(g.newly_holding, "case")}; releases in ${plural(g.released, "case")}`);
    out.push("");
  }
  if (r.cases.length > 0) {
    out.push(s.heading(`Cases whose outcome changes (${num(r.cases.length)})`), ...caseLines(r.cases, s), "");
  }
  if (r.detail_cases.length > 0) {
    out.push(s.heading(`Same outcome, different rules, guards or steps (${num(r.detail_cases.length)})`), ...caseLines(r.detail_cases, s), "");
  }
  if (r.not_replayed.length > 0) {
    out.push(s.heading(`Cannot be replayed (${num(r.not_replayed.length)})`));
    // Grouped by what is wrong: a removed option usually strands many cases for the same reason.
    const groups = new Map<string, string[]>();
    for (const c of r.not_replayed) {
      const under = c.under === "both" ? "either rule set" : c.under.toUpperCase();
      const key = `cannot replay under ${under}: ${c.problems.join("; ")}`;
      groups.set(key, [...(groups.get(key) ?? []), c.ref]);
    }
    for (const [problem, refs] of [...groups].slice(0, LISTED)) {
      const shown = refs.slice(0, 10).join(", ") + (refs.length > 10 ? `, … (${num(refs.length - 10)} more)` : "");
      out.push(...wrap(`${plural(refs.length, "case")} (${shown}): ${problem}`, "  ").map((l, i) => (i === 0 ? l : `    ${l.trimStart()}`)));
    }
    if (groups.size > LISTED) out.push(s.dim(`  … and ${num(groups.size - LISTED)} more reasons (--json lists every case)`));
    out.push("");
  }
  const notes: string[] = [];
  for (const u of r.unanswered)
    notes.push(`${plural(u.cases, "case")} replayed without an answer to "${u.question}", which the ${u.under} rule set asks and the case never answered.`);
  for (const u of r.ignored) notes.push(`${plural(u.cases, "case")} had an answer to "${u.question}", which the ${u.under} rule set does not have: ignored.`);
  if (notes.length > 0) {
    out.push(s.heading("Notes"));
    for (const n of notes) out.push(...wrap(n, "  "));
    out.push("");
  }
  const verdict =
    r.down > 0
      ? s.bad(`${plural(r.down, "case")} would get a LOWER outcome under the new rule set.${options.failOnLower ? " (--fail-on-lower: exit 1)" : ""}`)
      : r.changed > 0
        ? s.warn(`No outcome goes down; ${plural(r.up, "case")} go${r.up === 1 ? "es" : ""} up.`)
        : s.ok(r.identical ? "No change." : "No outcome changes.");
  out.push(verdict);
  out.push(s.dim(`(${num(r.elapsed_ms)} ms)`));
  return out.join("\n");
}
