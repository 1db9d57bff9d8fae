/**
 * Time-zone-aware date arithmetic for response deadlines. Pure: no I/O, no clock, no environment;
 * every function takes the instant and the zone explicitly. Conversion is done with
 * `Intl.DateTimeFormat`, so any IANA zone works and DST rules come from the runtime's tz data.
 * Local dates are passed around as "YYYY-MM-DD" strings, which compare and hash cleanly.
 */

export type Weekday = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";

export interface OfficeHours {
  time_zone: string;
  days: readonly Weekday[];
  start: string; // HH:MM, local
  end: string; // HH:MM, local, exclusive
  bank_holidays: readonly string[]; // YYYY-MM-DD, local dates
}

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: Weekday;
  date: string; // YYYY-MM-DD
}

const WEEKDAYS: readonly Weekday[] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const MINUTE = 60_000;
const DAY = 86_400_000;
// Guards the day-by-day searches against rule sets with no reachable working day.
const MAX_SEARCH_DAYS = 3660;

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");
// Two-digit fields are formatted many times per evaluation (every deadline); a table is cheaper.
const TWO = Array.from({ length: 100 }, (_, i) => pad(i));

/** Epoch ms for a wall-clock reading treated as UTC. setUTCFullYear avoids Date.UTC's 0–99 → 19xx quirk. */
function wallMs(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  t.setUTCHours(h, mi, s, ms);
  return t.getTime();
}

function isRealDate(y: number, mo: number, d: number): boolean {
  if (y < 1 || mo < 1 || mo > 12 || d < 1) return false;
  return d <= new Date(wallMs(y, mo + 1, 0)).getUTCDate(); // day 0 of next month = last day of this one
}

/** Weekday from the date itself rather than a localised name. */
function dateAndWeekday(utcMidnight: number): { date: string; weekday: Weekday } {
  const t = new Date(utcMidnight);
  const date = `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
  return { date, weekday: WEEKDAYS[t.getUTCDay()] as Weekday };
}

function checkInstant(instant: Date): number {
  const t = instant.getTime();
  if (!Number.isFinite(t)) throw new RangeError("invalid Date");
  return t;
}

// Building a DateTimeFormat is far slower than using one; deadline loops call this a lot.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23", // never "24:00" at midnight
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True if the runtime knows the IANA zone (for validating a rule set before use). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Wall-clock parts straight from Intl (slow: one formatToParts call). */
function intlParts(instant: Date, timeZone: string): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const n: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) {
    if (p.type !== "literal") n[p.type] = Number(p.value);
  }
  return { year: n.year ?? NaN, month: n.month ?? NaN, day: n.day ?? NaN, hour: n.hour ?? NaN, minute: n.minute ?? NaN, second: n.second ?? NaN };
}

// Zone offsets change only on quarter-hour boundaries (every transition in the tz database since
// 1970 does), so the offset is cached per quarter hour: deadline arithmetic then costs a Map lookup
// instead of an Intl call, which is what lets evaluation run in microseconds.
const QUARTER_HOUR = 15 * MINUTE;
const offsetCaches = new Map<string, Map<number, number>>();

/**
 * A zone's offset changes over a span, as [instant, offset from then on] pairs, computed with Intl.
 * The shell stores it with a cached rule set and seeds it back (seedZone), so a command that only
 * evaluates never initialises Intl's time-zone data (about 10 ms of start-up).
 */
export interface ZoneTable {
  zone: string;
  from: number;
  to: number;
  changes: [number, number][];
}

export function zoneTable(timeZone: string, from: number, to: number): ZoneTable {
  const exact = (t: number): number => {
    const p = intlParts(new Date(t), timeZone);
    return wallMs(p.year, p.month, p.day, p.hour, p.minute, p.second) - t;
  };
  const start = Math.floor(from / QUARTER_HOUR) * QUARTER_HOUR;
  const changes: [number, number][] = [[start, exact(start)]];
  let previous = changes[0]![1];
  // Offsets change at most a few times a year: step a day at a time, then bisect to the quarter hour.
  for (let day = start + DAY; day <= to + DAY; day += DAY) {
    const offset = exact(day);
    if (offset === previous) continue;
    let lo = day - DAY;
    let hi = day;
    while (hi - lo > QUARTER_HOUR) {
      const mid = lo + Math.floor((hi - lo) / 2 / QUARTER_HOUR) * QUARTER_HOUR;
      if (exact(mid) === previous) lo = mid;
      else hi = mid;
    }
    changes.push([hi, offset]);
    previous = offset;
  }
  return { zone: timeZone, from: start, to, changes };
}

const seeded = new Map<string, ZoneTable>();
export function seedZone(table: ZoneTable): void {
  seeded.set(table.zone, table);
}

function seededOffset(t: number, timeZone: string): number | undefined {
  const table = seeded.get(timeZone);
  if (!table || t < table.from || t > table.to) return undefined;
  const changes = table.changes;
  let lo = 0;
  let hi = changes.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (changes[mid]![0] <= t) lo = mid;
    else hi = mid - 1;
  }
  return changes[lo]![1];
}

/** Offset in ms (local minus UTC) at epoch ms `t`: whole seconds, as every tz offset is. */
function offsetAt(t: number, timeZone: string): number {
  const fromTable = seeded.size > 0 ? seededOffset(t, timeZone) : undefined;
  if (fromTable !== undefined) return fromTable;
  let cache = offsetCaches.get(timeZone);
  if (!cache) offsetCaches.set(timeZone, (cache = new Map<number, number>()));
  const bucket = Math.floor(t / QUARTER_HOUR);
  let offset = cache.get(bucket);
  if (offset === undefined) {
    const at = new Date(bucket * QUARTER_HOUR);
    const p = intlParts(at, timeZone);
    offset = wallMs(p.year, p.month, p.day, p.hour, p.minute, p.second) - at.getTime();
    if (cache.size > 50_000) cache.clear();
    cache.set(bucket, offset);
  }
  return offset;
}

function offsetMs(instant: Date, timeZone: string): number {
  return offsetAt(checkInstant(instant), timeZone);
}

/** Wall-clock parts of `instant` in `timeZone`. Throws RangeError for an unknown zone. */
export function localParts(instant: Date, timeZone: string): LocalParts {
  const t = checkInstant(instant);
  const wall = new Date(Math.floor(t / 1000) * 1000 + offsetMs(instant, timeZone));
  const year = wall.getUTCFullYear();
  const month = wall.getUTCMonth() + 1;
  const day = wall.getUTCDate();
  return {
    year,
    month,
    day,
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
    ...dateAndWeekday(wallMs(year, month, day)),
  };
}

/** Minutes east of UTC at `instant`, e.g. +60 for Europe/London in summer. */
export function zoneOffsetMinutes(instant: Date, timeZone: string): number {
  return Math.round(offsetMs(instant, timeZone) / MINUTE);
}

/**
 * The instant for a wall-clock reading (as ms-treated-as-UTC). Tries the offsets in force a day
 * either side; a candidate is real if the zone agrees with it. Two real ones = autumn overlap
 * (take the earlier); none = spring gap (use the pre-gap offset, which pushes the time forward by
 * the size of the gap, as Temporal's "compatible" mode does).
 */
function wallToInstant(wall: number, timeZone: string): Date {
  const before = offsetAt(wall - DAY, timeZone);
  const after = offsetAt(wall + DAY, timeZone);
  // No clock change within a day either side (nearly always): one offset, one answer.
  if (before === after) return new Date(wall - before);
  const early = wall - before;
  const late = wall - after;
  const earlyReal = offsetAt(early, timeZone) === before;
  const lateReal = offsetAt(late, timeZone) === after;
  if (earlyReal && lateReal) return new Date(Math.min(early, late));
  if (earlyReal || lateReal) return new Date(earlyReal ? early : late);
  return new Date(early);
}

const TIME_RE = /^(\d{2}):(\d{2})(?::(\d{2}))?$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The instant at local `date` + `time` in `timeZone`. Throws RangeError for an invalid date or time. */
export function fromLocal(date: string, time: string, timeZone: string): Date {
  const d = DATE_RE.exec(date);
  const t = TIME_RE.exec(time);
  if (!d || !t) throw new RangeError(`invalid local date/time: ${date} ${time}`);
  const [y, mo, da, h, mi, s] = [d[1], d[2], d[3], t[1], t[2], t[3] ?? "0"].map(Number);
  if (!isRealDate(y!, mo!, da!) || h! > 23 || mi! > 59 || s! > 59) {
    throw new RangeError(`invalid local date/time: ${date} ${time}`);
  }
  return wallToInstant(wallMs(y!, mo!, da!, h, mi, s), timeZone);
}

/** `text` if it is a real calendar date written YYYY-MM-DD, else undefined. */
export function parseDate(text: string): string | undefined {
  const m = DATE_RE.exec(text);
  return m && isRealDate(Number(m[1]), Number(m[2]), Number(m[3])) ? text : undefined;
}

// Fraction only after seconds: "10:00.5" would mean fractional minutes in ISO 8601.
const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):?(\d{2}))?$/;

/**
 * Parses a date-time; without Z/offset it is local to `timeZone`. Strict: anything else,
 * including surrounding whitespace or an impossible date/time, gives undefined.
 */
export function parseDateTime(text: string, timeZone: string): Date | undefined {
  const m = DATETIME_RE.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi] = [m[1], m[2], m[3], m[4], m[5]].map(Number);
  const s = Number(m[6] ?? 0);
  const ms = Number(((m[7] ?? "") + "000").slice(0, 3)); // truncate beyond milliseconds
  if (!isRealDate(y!, mo!, d!) || h! > 23 || mi! > 59 || s > 59) return undefined;
  const wall = wallMs(y!, mo!, d!, h, mi, s);
  if (m[8] === undefined) return new Date(wallToInstant(wall, timeZone).getTime() + ms);
  if (m[8] === "Z") return new Date(wall + ms);
  const oh = Number(m[10]),
    om = Number(m[11]);
  if (oh > 23 || om > 59) return undefined;
  const offset = (m[9] === "-" ? -1 : 1) * (oh * 60 + om) * MINUTE;
  return new Date(wall - offset + ms);
}

const digit = (text: string, at: number): number => {
  const d = text.charCodeAt(at) - 48;
  return d >= 0 && d <= 9 ? d : Number.NaN;
};
const two = (text: string, at: number): number => digit(text, at) * 10 + digit(text, at + 1);

/**
 * `Date.parse` for the form every record and clock is written in (2026-07-01T10:00:00+01:00 or
 * …Z), read digit by digit: an evaluation parses its clock and received time, and Date.parse is the
 * slowest step of it. Anything else (fractions, other forms, out-of-range fields) is left to
 * Date.parse itself, so the result is always Date.parse's.
 */
export function parseInstant(text: string): number {
  const n = text.length;
  if ((n === 20 || n === 25) && text.charCodeAt(10) === 84 /* T */ && text.charCodeAt(4) === 45 && text.charCodeAt(7) === 45) {
    const y = two(text, 0) * 100 + two(text, 2);
    const mo = two(text, 5);
    const d = two(text, 8);
    const h = two(text, 11);
    const mi = two(text, 14);
    const sec = two(text, 17);
    const colons = text.charCodeAt(13) === 58 && text.charCodeAt(16) === 58;
    if (colons && y >= 100 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && sec <= 59) {
      const wall = Date.UTC(y, mo - 1, d, h, mi, sec);
      if (n === 20 && text.charCodeAt(19) === 90 /* Z */) return wall;
      const sign = text.charCodeAt(19);
      const oh = two(text, 20);
      const om = two(text, 23);
      if (n === 25 && (sign === 43 || sign === 45) && text.charCodeAt(22) === 58 && oh <= 23 && om <= 59)
        return wall - (sign === 45 ? -1 : 1) * (oh * 60 + om) * MINUTE;
    }
  }
  return Date.parse(text);
}

/**
 * A local date-time (no offset) that does not exist in `timeZone` because the clocks went forward
 * over it (01:30 on the last Sunday of March in Europe/London): the message saying so, else
 * undefined. Such a time is refused rather than silently moved to another hour.
 */
export function localTimeGap(text: string, timeZone: string): string | undefined {
  const m = DATETIME_RE.exec(text);
  if (!m || m[8] !== undefined) return undefined;
  const instant = parseDateTime(text, timeZone);
  if (!instant) return undefined;
  const p = localParts(instant, timeZone);
  const same = p.year === Number(m[1]) && p.month === Number(m[2]) && p.day === Number(m[3]) && p.hour === Number(m[4]) && p.minute === Number(m[5]);
  if (same) return undefined;
  return `${text} does not exist in ${timeZone}: the clocks go forward over it (daylight saving); give a time outside the gap, or with its offset`;
}

/** ISO 8601 with the zone's offset, e.g. 2026-07-01T10:00:00+01:00. Milliseconds only if non-zero. */
export function formatInZone(instant: Date, timeZone: string): string {
  const t = checkInstant(instant);
  const off = offsetAt(t, timeZone);
  // Integer arithmetic on the wall clock; the date and the offset, which repeat across a record's
  // many instants, are formatted once each and kept.
  const wall = t + off;
  const day = Math.floor(wall / DAY);
  const inDay = wall - day * DAY;
  const ms = inDay % 1000;
  const seconds = (inDay - ms) / 1000;
  return (
    `${localDate(day)}T${TWO[Math.floor(seconds / 3600)]}:${TWO[Math.floor(seconds / 60) % 60]}:${TWO[seconds % 60]}` +
    `${ms ? `.${pad(ms, 3)}` : ""}${offsetSuffix(off)}`
  );
}

// A small direct-mapped cache of formatted local dates, by day number.
const DATE_SLOTS = 1024;
const dateSlotDay = new Float64Array(DATE_SLOTS).fill(Number.NaN);
const dateSlotText = new Array<string>(DATE_SLOTS);
function localDate(day: number): string {
  const slot = day & (DATE_SLOTS - 1);
  if (dateSlotDay[slot] === day) return dateSlotText[slot]!;
  const w = new Date(day * DAY);
  const text = `${pad(w.getUTCFullYear(), 4)}-${TWO[w.getUTCMonth() + 1]}-${TWO[w.getUTCDate()]}`;
  dateSlotDay[slot] = day;
  dateSlotText[slot] = text;
  return text;
}

const offsetSuffixes = new Map<number, string>();
function offsetSuffix(off: number): string {
  let text = offsetSuffixes.get(off);
  if (text === undefined) {
    const minutes = Math.round(off / MINUTE);
    const abs = Math.abs(minutes);
    text = `${minutes < 0 ? "-" : "+"}${pad(Math.floor(abs / 60))}:${TWO[abs % 60]}`;
    if (offsetSuffixes.size < 1000) offsetSuffixes.set(off, text);
  }
  return text;
}

const dayNumber = (date: string): number => {
  const [y, mo, d] = date.split("-").map(Number) as [number, number, number];
  return Math.round(wallMs(y, mo, d) / DAY);
};
const dateOfDayNumber = (n: number): string => dateAndWeekday(n * DAY).date;

/**
 * Office hours prepared once per rule set: weekdays and bank holidays as numbers, so walking 45
 * working days is integer arithmetic, not date formatting.
 */
interface Calendar {
  days: ReadonlySet<number>; // 0 = Sunday, as Date#getUTCDay
  holidays: ReadonlySet<number>; // day numbers (days since 1970-01-01)
  window: [number, number];
  /** Working-day searches so far: a one-off command walks day by day, a batch builds the table. */
  searches: number;
  /** The working days of TABLE_FROM..TABLE_TO in order, and for each day how many are on or before it. */
  table?: { working: Int32Array; rank: Int32Array };
}
// The span of the working-day table: "45 working days later" is then two array reads.
const TABLE_FROM = Math.round(Date.UTC(1990, 0, 1) / DAY);
const TABLE_TO = Math.round(Date.UTC(2080, 0, 1) / DAY);
// Building the table takes about a millisecond: worth it from the hundredth search on.
const TABLE_AFTER = 100;
const calendars = new WeakMap<OfficeHours, Calendar>();
function calendar(hours: OfficeHours): Calendar {
  let c = calendars.get(hours);
  if (!c) {
    c = {
      days: new Set(hours.days.map((d) => WEEKDAYS.indexOf(d))),
      holidays: new Set(hours.bank_holidays.filter((d) => parseDate(d) !== undefined).map(dayNumber)),
      window: openWindow(hours),
      searches: 0,
    };
    calendars.set(hours, c);
  }
  return c;
}
// 1970-01-01 was a Thursday (4).
const isWorkingDayNumber = (n: number, c: Calendar): boolean => c.days.has((((n + 4) % 7) + 7) % 7) && !c.holidays.has(n);

/** True if local `date` is one of the office days and not a bank holiday. */
export function isWorkingDay(date: string, hours: OfficeHours): boolean {
  if (parseDate(date) === undefined) throw new RangeError(`invalid date: ${date}`);
  return isWorkingDayNumber(dayNumber(date), calendar(hours));
}

/** Start/end as ms since local midnight; rejects a window that could never be open. */
function openWindow(hours: OfficeHours): [number, number] {
  const [s, e] = [hours.start, hours.end].map((x) => {
    const m = TIME_RE.exec(x);
    if (!m || m[3] !== undefined || Number(m[1]) > 23 || Number(m[2]) > 59) {
      throw new RangeError(`invalid office-hours time: ${x}`);
    }
    return (Number(m[1]) * 60 + Number(m[2])) * MINUTE;
  }) as [number, number];
  if (s >= e) throw new RangeError(`office hours start ${hours.start} is not before end ${hours.end}`);
  return [s, e];
}

function nextWorkingDay(n: number, c: Calendar): number {
  for (let i = 1; i <= MAX_SEARCH_DAYS; i++) if (isWorkingDayNumber(n + i, c)) return n + i;
  throw new RangeError(`no working day within ${MAX_SEARCH_DAYS} days of ${dateOfDayNumber(n)}`);
}

function workingDayTable(c: Calendar): { working: Int32Array; rank: Int32Array } {
  if (!c.table) {
    const rank = new Int32Array(TABLE_TO - TABLE_FROM);
    const working: number[] = [];
    for (let day = TABLE_FROM; day < TABLE_TO; day++) {
      if (isWorkingDayNumber(day, c)) working.push(day);
      rank[day - TABLE_FROM] = working.length;
    }
    c.table = { working: Int32Array.from(working), rank };
  }
  return c.table;
}

/** The `n`th working day after day `day` (n >= 1): from the table inside its span, else day by day. */
function nthWorkingDayAfter(day: number, n: number, c: Calendar): number {
  if (day >= TABLE_FROM && day < TABLE_TO && ++c.searches > TABLE_AFTER) {
    const { working, rank } = workingDayTable(c);
    const at = rank[day - TABLE_FROM]! + n - 1;
    if (at < working.length && working[at]! - day <= MAX_SEARCH_DAYS) return working[at]!;
  }
  for (let i = 0; i < n; i++) day = nextWorkingDay(day, c);
  return day;
}

// Below, times are "wall" milliseconds: the local reading as if it were UTC. A local day is then
// floor(wall / DAY) and the time of day is the remainder: integer arithmetic, no date strings.

/** True unless `instant` falls on a working day with start <= local time < end. */
export function isOutOfHours(instant: Date, hours: OfficeHours): boolean {
  const c = calendar(hours);
  const t = checkInstant(instant);
  const wall = t + offsetAt(t, hours.time_zone);
  const day = Math.floor(wall / DAY);
  if (!isWorkingDayNumber(day, c)) return true;
  const sinceMidnight = wall - day * DAY;
  return sinceMidnight < c.window[0] || sinceMidnight >= c.window[1];
}

/** `instant` if the office is open then, else the start of the next working period. */
export function nextOpening(instant: Date, hours: OfficeHours): Date {
  if (!isOutOfHours(instant, hours)) return new Date(instant.getTime());
  const c = calendar(hours);
  const t = instant.getTime();
  const wall = t + offsetAt(t, hours.time_zone);
  const today = Math.floor(wall / DAY);
  // Before opening on a working day: today's start; otherwise the next working day's.
  const day = isWorkingDayNumber(today, c) && wall - today * DAY < c.window[0] ? today : nthWorkingDayAfter(today, 1, c);
  return wallToInstant(day * DAY + c.window[0], hours.time_zone);
}

/**
 * `n` working days after the next opening, at the same local time of day, so a deadline set at
 * 16:00 on Friday falls at 16:00 on Monday whatever the clocks did over the weekend.
 */
export function addWorkingDays(instant: Date, n: number, hours: OfficeHours): Date {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`working days must be a whole number >= 0: ${n}`);
  const open = nextOpening(instant, hours);
  if (n === 0) return open;
  const c = calendar(hours);
  const o = open.getTime();
  const wall = o + offsetAt(o, hours.time_zone);
  const day = Math.floor(wall / DAY);
  const timeOfDay = wall - day * DAY;
  return wallToInstant(nthWorkingDayAfter(day, n, c) * DAY + timeOfDay, hours.time_zone);
}

/** Elapsed hours: a 24-hour deadline is 24 real hours, even across a clock change. */
export function addHours(instant: Date, h: number): Date {
  const t = checkInstant(instant);
  if (!Number.isFinite(h)) throw new RangeError(`hours must be a finite number: ${h}`);
  return new Date(t + Math.round(h * 60 * MINUTE));
}

/** Same local time `n` local days later (n may be negative); 23 or 25 real hours across DST. */
export function addCalendarDays(instant: Date, n: number, timeZone: string): Date {
  if (!Number.isInteger(n)) throw new RangeError(`calendar days must be a whole number: ${n}`);
  // n = 0 must not move an instant in the second (GMT) half of an autumn overlap.
  if (n === 0) return new Date(checkInstant(instant));
  const t = checkInstant(instant);
  return wallToInstant(t + offsetAt(t, timeZone) + n * DAY, timeZone);
}
