/** Referral references (TRG-YYYY-NNNNNN), the same on every backend. */

const MAX_PER_YEAR = 999_999;

/** The year as written (local to the offset given), not the UTC year: what a worker expects to see. */
export function yearOf(iso: string): string {
  const match = /^(\d{4})-\d{2}-\d{2}T/.exec(iso);
  if (!match?.[1]) throw new Error(`recordDecision: decided_at is not an ISO 8601 date-time: ${JSON.stringify(iso)}`);
  return match[1];
}

/** The reference numbered `next` in `year`. */
export function formatRef(year: string, next: number): string {
  if (next > MAX_PER_YEAR) throw new Error(`no references left for ${year} (more than ${MAX_PER_YEAR} referrals)`);
  return `TRG-${year}-${String(next).padStart(6, "0")}`;
}
