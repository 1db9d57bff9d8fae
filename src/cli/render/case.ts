/**
 * The case around the decision card in `log show`: who the child is and who referred (before the
 * card), then every answer by section, the history the decision used and every step with its status
 * (after it). The card itself is src/cli/render/decision.ts; the entries since, referral.ts.
 */
import type { CaseView } from "../../workflow/case-view.js";
import { inertDeep } from "./inert.js";
import type { Style } from "./style.js";
import { localTime, wrap } from "./text.js";

export function renderCaseHead(raw: CaseView, style: Style): string {
  const v = inertDeep(raw);
  const out = [style.heading("Child")];
  out.push(`  Name            ${v.child.name ?? "not known"}`);
  out.push(`  Date of birth   ${v.child.dob ?? "not known"}`);
  out.push(`  Case reference  ${v.child.ref ?? "none given"}`);
  out.push(`  Postcode        ${v.child.postcode ?? "none given"}`);
  out.push("", style.heading("Referrer"));
  if (v.referrer.length === 0) out.push("  not recorded");
  for (const a of v.referrer) out.push(...wrap(`${a.ask} ${style.bold(a.label)}`, "  ").map((l, i) => (i === 0 ? l : `    ${l.trimStart()}`)));
  return out.join("\n");
}

export function renderCaseBody(raw: CaseView, style: Style): string {
  const v = inertDeep(raw);
  const out = [style.heading("Answers")];
  for (const s of v.sections) {
    out.push(`  ${style.bold(s.title)}`);
    for (const a of s.answers) {
      out.push(
        ...wrap(`${a.ask} — ${a.label}${a.completed ? style.dim(` (answered after the decision, #${a.completed.seq})`) : ""}`, "    ").map((l, i) =>
          i === 0 ? l : `      ${l.trimStart()}`,
        ),
      );
      // The worker's note sits under its answer: a person's words, already inert (inertDeep above).
      if (a.note !== undefined) out.push(...wrap(`note: ${a.note}`, "        "));
    }
  }
  if (v.notes) out.push("", style.heading("Worker's notes"), ...wrap(v.notes, "  "));

  out.push("", style.heading("History used"));
  if (v.history.earlier.length === 0 && v.history.matches.length === 0) out.push("  No earlier referral about this child was found in the log.");
  const hang = (l: string, i: number) => (i === 0 ? l : `    ${l.trimStart()}`);
  for (const e of v.history.earlier)
    out.push(
      ...wrap(`${e.ref} received ${localTime(e.received_at)}: ${e.outcome_label}${e.closed_as_label ? `; closed as "${e.closed_as_label}"` : ""}`, "  ").map(
        hang,
      ),
    );
  for (const m of v.history.matches)
    out.push(...wrap(`${m.decision} match ${m.ref}${m.by ? ` (by ${m.by}, ${localTime(m.at)})` : ""}: ${m.why}`, "  ").map(hang));

  out.push("", style.heading("Steps"));
  if (v.steps.length === 0) out.push("  none");
  for (const s of v.steps) {
    const status = s.done ? style.ok("done") : s.overdue ? style.bad("OVERDUE") : "to do";
    const due = s.due_by ? ` — due ${localTime(s.due_by)}` : "";
    out.push(...wrap(`[${status}] ${s.text.replace(/\s+/g, " ").trim()}${due}`, "  ").map((l, i) => (i === 0 ? l : `      ${l.trimStart()}`)));
    if (s.done) out.push(...wrap(`done by ${s.done_by}, ${localTime(s.done_at)}: ${s.found}`, "      "));
  }
  return out.join("\n");
}
