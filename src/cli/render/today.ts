/** `triage today` in the terminal: one block per section, urgent first; an empty section is one line. */
import type { TodayItem, TodayQueue } from "../../workflow/today.js";
import { inertDeep } from "./inert.js";
import type { Style } from "./style.js";
import { localTime, table } from "./text.js";

const when = (i: TodayItem, now: string): string => {
  if (i.due_by) return `${Date.parse(i.due_by) < Date.parse(now) ? "was due" : "due"} ${localTime(i.due_by)}`;
  return i.since ? `since ${localTime(i.since)}` : "—";
};

/** The terminal shows the start of a long step text; --json and `log show` have all of it. */
const MAX_WHAT = 90;
const short = (s: string): string => (s.length <= MAX_WHAT ? s : `${s.slice(0, MAX_WHAT - 1).trimEnd()}…`);

export function renderToday(raw: TodayQueue, style: Style): string {
  const q = inertDeep(raw); // names, proposers and step texts came from people and rule files
  const out: string[] = [];
  const who = `${q.user}${q.role ? ` (${q.role === "senior_manager" ? "senior manager" : "manager"})` : ""}`;
  out.push(style.bold(`The front door at ${localTime(q.now)} — for ${who}${q.worker ? `, cases held by ${q.worker}` : ""}`));
  for (const s of q.sections) {
    out.push("");
    if (s.items.length === 0) {
      out.push(`${style.heading(s.id === "due" ? `${s.title} by ${localTime(q.until)}` : s.title)}: ${style.dim(s.empty)}`);
      continue;
    }
    const title = s.id === "due" ? `${s.title} by ${localTime(q.until)}` : s.title;
    out.push(style.heading(`${title} (${s.items.length})`));
    const rows = s.items.map((i) => [
      i.ref,
      i.child ?? "(name not known)",
      style.level(i.outcome.level, i.outcome.label),
      s.id === "overdue" ? style.bad(when(i, q.now)) : when(i, q.now),
      i.holder,
      short(i.what),
    ]);
    out.push(
      table(["REFERENCE", "CHILD", "OUTCOME", "WHEN", "HELD BY", "WHAT"], rows, style)
        .split("\n")
        .map((l) => `  ${l}`)
        .join("\n"),
    );
  }
  return out.join("\n");
}
