/**
 * Domains: each question's finite list of candidate answers (options, "not known", unanswered,
 * numbers either side of every operand, dates and date-times relative to the clock).
 */
import type { CompiledQuestion, CompiledRuleSet } from "../compile.js";
import { formatInZone } from "../time.js";
import { UNKNOWN, type Answer } from "../types.js";
import { MINUTE_MS, shiftDate } from "./clock.js";
import type { Operands } from "./operands.js";
import type { Candidate } from "./types.js";

const MAX_COMBO_OPTIONS = 20;
const DATETIME_AGO_MINUTES = [0, 1, 30, 120, 600, 1440, 4320];
const DATE_OFFSET_DAYS = [0, -1, -100, -250, -400, -1500, -3000, -4800, -5900, -6500, 60, 150];

function numberDomain(q: CompiledQuestion, operands: Set<number> | undefined): number[] {
  const raw = q.raw;
  const lo = raw.min ?? 0;
  const hi = raw.max ?? Number.POSITIVE_INFINITY;
  const values = new Set<number>([lo, lo + 1, lo + 2]);
  for (const v of operands ?? []) {
    if (raw.integer) for (const x of [Math.floor(v) - 1, Math.floor(v), Math.ceil(v), Math.ceil(v) + 1]) values.add(x);
    else for (const x of [v - 1, v, v + 1]) values.add(x);
  }
  if (Number.isFinite(hi)) values.add(hi);
  else values.add(Math.max(lo, ...values) + 10);
  return [...values].filter((v) => v >= lo && v <= hi && (!raw.integer || Number.isInteger(v))).sort((a, b) => a - b);
}

export function rawDomain(rs: CompiledRuleSet, q: CompiledQuestion, operands: Operands): { domain: Candidate[]; comboOptions: string[] } {
  const raw = q.raw;
  const domain: Candidate[] = [];
  let comboOptions: string[] = [];
  const value = (v: Answer): Candidate => ({ kind: "value", value: v });
  switch (raw.type) {
    case "select":
      for (const o of q.options) if (o !== UNKNOWN) domain.push(value(o));
      break;
    case "multiselect": {
      const exclusive = new Set(raw.exclusive ?? []);
      for (const o of q.options) if (o !== UNKNOWN) domain.push(value([o]));
      comboOptions = q.options.filter((o) => o !== UNKNOWN && !exclusive.has(o)).slice(0, MAX_COMBO_OPTIONS);
      // partial_unknown: combinations may also hold "not known" ("at least these; the rest not known").
      if (raw.partial_unknown && q.allowUnknown) comboOptions.push(UNKNOWN);
      if (comboOptions.length > 1) domain.push({ kind: "combo" });
      break;
    }
    case "number":
      for (const n of numberDomain(q, operands.numbers.get(q.index))) domain.push(value(n));
      break;
    case "date": {
      for (const days of DATE_OFFSET_DAYS) domain.push({ kind: "days", days });
      const fixed = new Set<string>();
      for (const d of operands.dates.get(q.index) ?? []) for (const k of [-1, 0, 1]) fixed.add(shiftDate(d, k));
      for (const h of rs.officeHours.bank_holidays.slice(0, 2)) fixed.add(h);
      for (const d of [...fixed].sort()) domain.push(value(d));
      break;
    }
    case "datetime": {
      for (const minutes of DATETIME_AGO_MINUTES) domain.push({ kind: "ago", minutes });
      const tz = rs.officeHours.time_zone;
      const fixed = new Set<number>();
      for (const t of operands.datetimes.get(q.index) ?? []) for (const k of [-1, 0, 1]) fixed.add(t + k * MINUTE_MS);
      for (const t of [...fixed].sort((a, b) => a - b)) domain.push(value(formatInZone(new Date(t), tz)));
      break;
    }
    case "text":
      domain.push(value("Fictional answer"));
      for (const t of operands.texts.get(q.index) ?? []) domain.push(value(t));
      break;
  }
  if (q.allowUnknown && q.raw.type !== "multiselect") domain.push(value(UNKNOWN));
  if (q.allowUnknown && q.raw.type === "multiselect") domain.push(value([UNKNOWN]));
  if (raw.optional) domain.unshift({ kind: "none" });
  return { domain, comboOptions };
}
