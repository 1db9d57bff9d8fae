/**
 * Plain-text layout helpers: wrapping, aligned tables and local times, at 80 columns by default.
 * Widths are terminal columns (displayWidth: colour codes 0, CJK and emoji 2, combining marks 0).
 */
import { displayWidth as visible, padEndColumns } from "./width.js";

export const WIDTH = 80;

export function wrap(text: string, indent: string, width = WIDTH): string[] {
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  const lines: string[] = [];
  let line = indent;
  for (const word of words) {
    if (visible(line) > indent.length && visible(line) + 1 + visible(word) > width) {
      lines.push(line);
      line = indent + word;
    } else line = visible(line) > indent.length ? `${line} ${word}` : line + word;
  }
  if (visible(line) > indent.length) lines.push(line);
  return lines;
}

export function table(headers: string[], rows: string[][], style?: { bold(s: string): string }): string {
  const widths = headers.map((h, i) => Math.max(visible(h), ...rows.map((r) => visible(r[i] ?? ""))));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : padEndColumns(cell, widths[i]!)))
      .join("  ")
      .trimEnd();
  const head = line(headers);
  return [style ? style.bold(head) : head, ...rows.map(line)].join("\n");
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "2026-04-17T10:30:00+01:00" → "Fri 17 Apr 2026 10:30", read from the local part the ISO text carries. */
export function localTime(iso: string | undefined): string {
  if (!iso) return "—";
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso);
  if (!m) return iso;
  const [, y, mo, d, h, mi] = m;
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d))).getUTCDay();
  return `${DAYS[day]} ${Number(d)} ${MONTHS[Number(mo) - 1]} ${y} ${h}:${mi}`;
}

export function bar(value: number, max: number, width = 30): string {
  const n = max > 0 ? Math.round((value / max) * width) : 0;
  return "█".repeat(n) + (value > 0 && n === 0 ? "▏" : "");
}
