/**
 * Dates and the clock: the instants a sample may be judged at, spread over the office-hours edges.
 */
import type { CompiledRuleSet } from "../compile.js";
import { formatInZone, fromLocal, isOutOfHours, isWorkingDay } from "../time.js";
import type { ClockCandidate } from "./types.js";

const DAY_MS = 86_400_000;
export const MINUTE_MS = 60_000;

export function shiftDate(date: string, days: number): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const t = new Date(0);
  t.setUTCFullYear(y, m - 1, d);
  return new Date(t.getTime() + days * DAY_MS).toISOString().slice(0, 10);
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number) as [number, number];
  return h * 60 + m;
}

function hhmm(minutes: number): string {
  const m = ((minutes % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

/**
 * Clocks spread over the rule set's office-hours edges: a mid-week working day (the baseline, at
 * midday), the minute either side of opening and closing, the last office day before a weekend and
 * the first after it, the weekend itself, and bank holidays with the days either side.
 */
export function clockCandidates(rs: CompiledRuleSet): ClockCandidate[] {
  const oh = rs.officeHours;
  const tz = oh.time_zone;
  const holidays = [...oh.bank_holidays].sort();
  const year = holidays[0]?.slice(0, 4) ?? "2026";
  const working = (d: string) => isWorkingDay(d, oh);
  const find = (from: string, test: (d: string) => boolean, limit = 400): string | undefined => {
    for (let i = 0; i < limit; i++) {
      const d = shiftDate(from, i);
      if (test(d)) return d;
    }
    return undefined;
  };
  const midweek =
    find(`${year}-01-08`, (d) => working(d) && working(shiftDate(d, -1)) && working(shiftDate(d, 1)) && !holidays.includes(shiftDate(d, 2))) ??
    find(`${year}-01-08`, working) ??
    `${year}-01-08`;
  const lastOfWeek = find(midweek, (d) => working(d) && !working(shiftDate(d, 1)), 14);
  const start = minutesOf(oh.start);
  const end = minutesOf(oh.end);
  const mid = Math.floor((start + end) / 2);

  const out: ClockCandidate[] = [];
  const seen = new Set<string>();
  const add = (date: string | undefined, minutes: number, why: string) => {
    if (!date) return;
    // Minutes outside 0..1439 move to the previous/next day (e.g. opening at 00:00 minus a minute).
    const dayShift = Math.floor(minutes / 1440);
    const instant = fromLocal(shiftDate(date, dayShift), hhmm(minutes), tz);
    const now = formatInZone(instant, tz);
    if (seen.has(now)) return;
    seen.add(now);
    out.push({ now, outOfHours: isOutOfHours(instant, oh), why });
  };
  add(midweek, mid, "mid-week working day, midday");
  add(midweek, start, "mid-week, opening minute");
  add(midweek, start - 1, "mid-week, a minute before opening");
  add(midweek, end - 1, "mid-week, last minute open");
  add(midweek, end, "mid-week, closing time");
  add(midweek, 3 * 60, "mid-week, 03:00");
  if (lastOfWeek) {
    const weekendStart = shiftDate(lastOfWeek, 1);
    const nextWorking = find(weekendStart, working, 30);
    add(lastOfWeek, mid, "last office day before the weekend, midday");
    add(lastOfWeek, end - 1, "last office day, last minute open");
    add(lastOfWeek, end, "last office day, closing time");
    add(weekendStart, mid, "weekend, midday");
    add(shiftDate(weekendStart, 1), 23 * 60 + 59, "weekend, 23:59");
    add(nextWorking, start - 1, "first office day after the weekend, a minute before opening");
    add(nextWorking, start, "first office day after the weekend, opening minute");
  }
  for (const h of holidays.slice(0, 3)) {
    add(h, mid, `bank holiday ${h}, midday`);
    add(shiftDate(h, -1), end - 1, `day before bank holiday ${h}, last minute open`);
    add(shiftDate(h, -1), end, `day before bank holiday ${h}, closing time`);
    add(shiftDate(h, 1), start, `day after bank holiday ${h}, opening minute`);
  }
  return out;
}
