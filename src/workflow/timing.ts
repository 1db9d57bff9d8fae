/**
 * Time is checked, not trusted (issue 10). Pure: the clock is passed in.
 * - A referral cannot be received in the future: beyond a few minutes' clock skew it is refused.
 * - One received more than a week before it is decided is accepted, with a warning on the card
 *   (a late entry is legitimate, but a reader should see it).
 * - Nothing can happen to a referral (a check, review, override or closure) before it was received.
 */

/** Clocks on different machines disagree a little; more than this is a wrong date, not skew. */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;
export const LATE_ENTRY_DAYS = 7;

export interface ReceivedCheck {
  refusal?: string;
  warning?: string;
}

export function checkReceivedAt(receivedAt: string, now: Date, nowText: string): ReceivedCheck {
  const received = Date.parse(receivedAt);
  if (!Number.isFinite(received)) return {};
  if (received > now.getTime() + CLOCK_SKEW_MS)
    return { refusal: `received_at: ${receivedAt} is in the future (the time now is ${nowText}); a referral cannot be received after it is decided` };
  const days = (now.getTime() - received) / 86_400_000;
  if (days > LATE_ENTRY_DAYS)
    return {
      warning: `received_at ${receivedAt} is ${Math.floor(days)} days before this decision was made (${nowText}): a late entry; deadlines are counted from when it was received`,
    };
  return {};
}

/** A refusal when `at` (an event about the referral) is before the referral was received. */
export function beforeReceived(what: string, at: Date, atText: string, receivedAt: string): string | undefined {
  const received = Date.parse(receivedAt);
  if (!Number.isFinite(received) || at.getTime() >= received) return undefined;
  return `${what} is dated ${atText}, before the referral was received (${receivedAt}); nothing can happen to a referral before it arrives`;
}
