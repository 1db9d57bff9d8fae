/**
 * When an entry was really written. `--now` / TRIAGE_NOW may date an entry at any time (tests,
 * replays, the demo, a late entry), so every entry the store appends also records the machine's real
 * clock (`recorded_at`, ISO 8601 with an offset, in UTC) inside its hashed body. The clock is given to
 * the store by the shell (src/cli/context.ts), never read here. `log show` marks an entry dated well
 * away from when it was recorded (back-dated), and `log verify` warns where recorded_at runs
 * backwards from one entry to the next (a machine clock set back to back-date an entry). Entries
 * written before recorded_at existed have none, and stay valid.
 *
 * What it proves: an entry recorded at 14:02 that says 10:30 is visibly back-dated. What it cannot:
 * the writer owns the machine's clock; a clock set back before writing is seen only as time running
 * backwards against the entry before it (README: What the log guarantees).
 */
import { formatInZone } from "../rules/time.js";
import { CLOCK_SKEW_MS } from "../workflow/timing.js";

/** More apart than this (either way) and an entry's date is not the time it was written. */
export const DATED_AWAY_MS = CLOCK_SKEW_MS;
/** Clocks on the machines writing one log disagree a little; further backwards than this is reported. */
export const BACKWARDS_MS = CLOCK_SKEW_MS;

/** The real clock as stored: UTC with its offset, e.g. 2026-11-29T14:02:11.345+00:00. */
export function formatRecordedAt(instant: Date): string {
  return formatInZone(instant, "UTC");
}

/** The body as stored, with the time it was written added (objects only; other bodies are left as they are). */
export function withRecordedAt(body: unknown, recordedAt: string | undefined): unknown {
  if (recordedAt === undefined || typeof body !== "object" || body === null || Array.isArray(body)) return body;
  return { ...(body as Record<string, unknown>), recorded_at: recordedAt };
}

/** The recorded_at of a parsed body, if it has one. */
export function recordedAtOf(body: unknown): string | undefined {
  const value = typeof body === "object" && body !== null && !Array.isArray(body) ? (body as { recorded_at?: unknown }).recorded_at : undefined;
  return typeof value === "string" && Number.isFinite(Date.parse(value)) ? value : undefined;
}

/** An entry dated more than a few minutes away from when it was recorded: { at, recorded_at }, else undefined. */
export function datedAway(entry: { at: string; body: unknown }): { at: string; recorded_at: string } | undefined {
  const recorded = recordedAtOf(entry.body);
  if (recorded === undefined) return undefined;
  const at = Date.parse(entry.at);
  if (!Number.isFinite(at) || Math.abs(Date.parse(recorded) - at) <= DATED_AWAY_MS) return undefined;
  return { at: entry.at, recorded_at: recorded };
}

const KEY = Buffer.from('"recorded_at":"', "utf8");
const QUOTE = 0x22;

/**
 * recorded_at read from a body's stored canonical JSON bytes without parsing it (verify reads every
 * body): one native search from the end, as canonical JSON sorts keys and recorded_at comes late in
 * every body the store writes (only ref, rule_set, steps, unknowns and warnings follow it in a
 * decision, and none of them holds a recorded_at key). Inside a string a quote is always escaped,
 * so the key cannot be matched in text. Timestamps contain no escapes: the value ends at the next
 * quote. A value that is not a timestamp is ignored.
 */
export function recordedAtInBytes(body: Buffer): string | undefined {
  const at = body.lastIndexOf(KEY);
  if (at < 0) return undefined;
  const start = at + KEY.length;
  const end = body.indexOf(QUOTE, start);
  if (end < 0) return undefined;
  const value = body.toString("latin1", start, end);
  return Number.isFinite(Date.parse(value)) ? value : undefined;
}

/** Whether `current` is more than BACKWARDS_MS before `previous` (both ISO with offsets). */
export function runsBackwards(previous: string, current: string): boolean {
  // Same shape and offset (the store writes UTC): text order is time order, and going forward is the rule.
  if (previous.length === current.length && previous.endsWith("+00:00") && current.endsWith("+00:00") && current >= previous) return false;
  return Date.parse(previous) - Date.parse(current) > BACKWARDS_MS;
}
