/**
 * Expected values are worked out by hand from the calendar and the published clock-change rules:
 * UK clocks go forward at 01:00 UTC on the last Sunday of March (2026-03-29) and back at 01:00 UTC
 * on the last Sunday of October (2026-10-25); US clocks change at 02:00 local on 2026-03-08 and
 * 2026-11-01. 2026-01-01 is a Thursday, 2026-12-25 a Friday, 2027-01-01 a Friday.
 */
import { describe, it, expect } from "vitest";
import {
  addCalendarDays,
  addHours,
  addWorkingDays,
  formatInZone,
  fromLocal,
  isOutOfHours,
  isValidTimeZone,
  isWorkingDay,
  localParts,
  nextOpening,
  parseDate,
  parseDateTime,
  parseInstant,
  zoneOffsetMinutes,
  type OfficeHours,
} from "../../src/rules/time.js";

const LON = "Europe/London";
const NY = "America/New_York";
const utc = (iso: string): Date => new Date(iso);
const iso = (d: Date): string => d.toISOString();

const london: OfficeHours = {
  time_zone: LON,
  days: ["mon", "tue", "wed", "thu", "fri"],
  start: "09:00",
  end: "17:00",
  bank_holidays: ["2026-08-31", "2026-12-25", "2026-12-28", "2027-01-01"],
};
const newYork: OfficeHours = { ...london, time_zone: NY, bank_holidays: ["2026-07-03"] };

describe("localParts", () => {
  it("gives wall-clock parts in winter and summer", () => {
    expect(localParts(utc("2026-01-15T12:00:00Z"), LON)).toEqual({
      year: 2026,
      month: 1,
      day: 15,
      hour: 12,
      minute: 0,
      second: 0,
      weekday: "thu",
      date: "2026-01-15",
    });
    expect(localParts(utc("2026-07-01T09:30:45Z"), LON)).toMatchObject({ hour: 10, minute: 30, second: 45, weekday: "wed" });
  });

  it("uses the local date, not the UTC date", () => {
    // 23:30 UTC on Wed 1 July is 00:30 BST on Thu 2 July.
    expect(localParts(utc("2026-07-01T23:30:00Z"), LON)).toMatchObject({ date: "2026-07-02", hour: 0, weekday: "thu" });
    // 03:00 UTC on Thu 15 Jan is 22:00 EST on Wed 14 Jan.
    expect(localParts(utc("2026-01-15T03:00:00Z"), NY)).toMatchObject({ date: "2026-01-14", hour: 22, weekday: "wed" });
  });

  it("shows midnight as hour 0", () => {
    expect(localParts(utc("2026-01-15T00:00:00Z"), LON)).toMatchObject({ date: "2026-01-15", hour: 0 });
  });

  it("rejects an unknown zone and an invalid Date", () => {
    expect(() => localParts(utc("2026-01-15T00:00:00Z"), "Mars/Olympus")).toThrow(RangeError);
    expect(() => localParts(new Date(NaN), LON)).toThrow(RangeError);
    expect(isValidTimeZone(LON)).toBe(true);
    expect(isValidTimeZone("Mars/Olympus")).toBe(false);
  });
});

describe("zoneOffsetMinutes", () => {
  it("London is +0 in winter and +60 in summer", () => {
    expect(zoneOffsetMinutes(utc("2026-01-15T12:00:00Z"), LON)).toBe(0);
    expect(zoneOffsetMinutes(utc("2026-07-01T12:00:00Z"), LON)).toBe(60);
  });

  it("switches exactly at 01:00 UTC on the change days", () => {
    expect(zoneOffsetMinutes(utc("2026-03-29T00:59:59Z"), LON)).toBe(0);
    expect(zoneOffsetMinutes(utc("2026-03-29T01:00:00Z"), LON)).toBe(60);
    expect(zoneOffsetMinutes(utc("2026-10-25T00:59:59Z"), LON)).toBe(60);
    expect(zoneOffsetMinutes(utc("2026-10-25T01:00:00Z"), LON)).toBe(0);
  });

  it("handles negative and half-hour offsets", () => {
    expect(zoneOffsetMinutes(utc("2026-01-15T12:00:00Z"), NY)).toBe(-300);
    expect(zoneOffsetMinutes(utc("2026-07-01T12:00:00Z"), NY)).toBe(-240);
    expect(zoneOffsetMinutes(utc("2026-01-15T12:00:00Z"), "Asia/Kolkata")).toBe(330);
    expect(zoneOffsetMinutes(utc("2026-01-15T12:00:00Z"), "UTC")).toBe(0);
  });
});

describe("fromLocal", () => {
  it("converts ordinary winter and summer times", () => {
    expect(iso(fromLocal("2026-01-15", "09:00", LON))).toBe("2026-01-15T09:00:00.000Z");
    expect(iso(fromLocal("2026-07-01", "09:00", LON))).toBe("2026-07-01T08:00:00.000Z");
    expect(iso(fromLocal("2026-01-15", "09:00:30", LON))).toBe("2026-01-15T09:00:30.000Z");
    expect(iso(fromLocal("2026-07-01", "00:30", LON))).toBe("2026-06-30T23:30:00.000Z");
  });

  it("moves a time in the spring-forward gap forward by the gap", () => {
    expect(iso(fromLocal("2026-03-29", "00:59", LON))).toBe("2026-03-29T00:59:00.000Z");
    expect(iso(fromLocal("2026-03-29", "01:00", LON))).toBe("2026-03-29T01:00:00.000Z"); // = 02:00 BST
    expect(iso(fromLocal("2026-03-29", "01:30", LON))).toBe("2026-03-29T01:30:00.000Z"); // = 02:30 BST
    expect(iso(fromLocal("2026-03-29", "02:00", LON))).toBe("2026-03-29T01:00:00.000Z");
    // New York: 02:30 on 8 March does not exist; 03:30 EDT = 07:30 UTC.
    expect(iso(fromLocal("2026-03-08", "02:30", NY))).toBe("2026-03-08T07:30:00.000Z");
  });

  it("picks the earlier occurrence in the autumn overlap", () => {
    expect(iso(fromLocal("2026-10-25", "00:59", LON))).toBe("2026-10-24T23:59:00.000Z");
    expect(iso(fromLocal("2026-10-25", "01:00", LON))).toBe("2026-10-25T00:00:00.000Z"); // BST
    expect(iso(fromLocal("2026-10-25", "01:30", LON))).toBe("2026-10-25T00:30:00.000Z"); // BST, not 01:30Z
    expect(iso(fromLocal("2026-10-25", "02:00", LON))).toBe("2026-10-25T02:00:00.000Z"); // GMT only
    // New York: 01:30 on 1 November happens twice; EDT (-4) first.
    expect(iso(fromLocal("2026-11-01", "01:30", NY))).toBe("2026-11-01T05:30:00.000Z");
  });

  it("throws on impossible dates and times", () => {
    expect(() => fromLocal("2026-02-30", "09:00", LON)).toThrow(RangeError);
    expect(() => fromLocal("2026-01-15", "25:00", LON)).toThrow(RangeError);
    expect(() => fromLocal("2026-01-15", "9:00", LON)).toThrow(RangeError);
  });
});

describe("parseDateTime", () => {
  it("reads local times in the given zone", () => {
    expect(iso(parseDateTime("2026-01-15T09:00", LON)!)).toBe("2026-01-15T09:00:00.000Z");
    expect(iso(parseDateTime("2026-07-01T09:00:15", LON)!)).toBe("2026-07-01T08:00:15.000Z");
    expect(iso(parseDateTime("2026-07-01T09:00", NY)!)).toBe("2026-07-01T13:00:00.000Z");
    expect(iso(parseDateTime("2026-03-29T01:30", LON)!)).toBe("2026-03-29T01:30:00.000Z"); // gap
    expect(iso(parseDateTime("2026-10-25T01:30", LON)!)).toBe("2026-10-25T00:30:00.000Z"); // overlap
  });

  it("accepts a space separator and fractional seconds", () => {
    expect(iso(parseDateTime("2026-07-01 09:00", LON)!)).toBe("2026-07-01T08:00:00.000Z");
    expect(iso(parseDateTime("2026-07-01 09:00:15.25", LON)!)).toBe("2026-07-01T08:00:15.250Z");
    expect(iso(parseDateTime("2026-07-01T09:00:15.123456Z", LON)!)).toBe("2026-07-01T09:00:15.123Z");
  });

  it("honours Z and explicit offsets regardless of the zone", () => {
    expect(iso(parseDateTime("2026-07-01T09:00Z", LON)!)).toBe("2026-07-01T09:00:00.000Z");
    expect(iso(parseDateTime("2026-07-01T09:00+02:00", LON)!)).toBe("2026-07-01T07:00:00.000Z");
    expect(iso(parseDateTime("2026-07-01T09:00:00-0500", LON)!)).toBe("2026-07-01T14:00:00.000Z");
    expect(iso(parseDateTime("2026-07-01 09:00+05:30", NY)!)).toBe("2026-07-01T03:30:00.000Z");
    // Offset pushes across midnight and a year end.
    expect(iso(parseDateTime("2027-01-01T00:30+01:00", LON)!)).toBe("2026-12-31T23:30:00.000Z");
  });

  it("accepts 29 February only in leap years", () => {
    expect(iso(parseDateTime("2028-02-29T10:00", LON)!)).toBe("2028-02-29T10:00:00.000Z");
    expect(parseDateTime("2026-02-29T10:00", LON)).toBeUndefined();
  });

  it.each([
    "",
    "2026-01-15",
    "2026-01-15T10",
    "2026-02-30T10:00",
    "2026-13-01T10:00",
    "2026-00-10T10:00",
    "2026-01-15T25:00",
    "2026-01-15T24:00",
    "2026-01-15T10:60",
    "2026-01-15T10:00:60",
    "2026-01-15T10:00.5",
    "2026-1-15T10:00",
    "15/01/2026 10:00",
    "2026-01-15T10:00+2",
    "2026-01-15T10:00+25:00",
    "2026-01-15T10:00+01:60",
    "2026-01-15T10:00 ",
    " 2026-01-15T10:00",
    "2026-01-15X10:00",
    "2026-01-15T10:00:00.Z",
  ])("rejects %j", (text) => {
    expect(parseDateTime(text, LON)).toBeUndefined();
  });
});

describe("parseDate", () => {
  it("returns real calendar dates unchanged", () => {
    expect(parseDate("2026-02-28")).toBe("2026-02-28");
    expect(parseDate("2028-02-29")).toBe("2028-02-29");
    expect(parseDate("2000-02-29")).toBe("2000-02-29"); // divisible by 400
    expect(parseDate("2026-12-31")).toBe("2026-12-31");
  });

  it.each(["2026-02-29", "2100-02-29", "2026-04-31", "2026-13-01", "2026-01-00", "2026-4-01", "2026-04-01T00:00", "", "0000-01-01"])("rejects %j", (text) => {
    expect(parseDate(text)).toBeUndefined();
  });
});

describe("formatInZone", () => {
  it("writes ISO 8601 with the zone's offset", () => {
    expect(formatInZone(utc("2026-11-27T14:05:00Z"), LON)).toBe("2026-11-27T14:05:00+00:00");
    expect(formatInZone(utc("2026-07-01T09:00:00Z"), LON)).toBe("2026-07-01T10:00:00+01:00");
    expect(formatInZone(utc("2026-01-15T15:00:00Z"), NY)).toBe("2026-01-15T10:00:00-05:00");
    expect(formatInZone(utc("2026-01-15T00:00:00Z"), "Asia/Kolkata")).toBe("2026-01-15T05:30:00+05:30");
  });

  it("tells the two 01:30s of the autumn overlap apart", () => {
    expect(formatInZone(utc("2026-10-25T00:30:00Z"), LON)).toBe("2026-10-25T01:30:00+01:00");
    expect(formatInZone(utc("2026-10-25T01:30:00Z"), LON)).toBe("2026-10-25T01:30:00+00:00");
  });

  it("keeps non-zero milliseconds and round-trips through parseDateTime", () => {
    expect(formatInZone(utc("2026-07-01T09:00:00.050Z"), LON)).toBe("2026-07-01T10:00:00.050+01:00");
    for (const t of ["2026-10-25T01:30:00Z", "2026-03-29T01:00:00Z", "2026-12-31T23:59:59.999Z"]) {
      for (const zone of [LON, NY]) {
        expect(iso(parseDateTime(formatInZone(utc(t), zone), "UTC")!)).toBe(iso(utc(t)));
      }
    }
  });
});

describe("isWorkingDay", () => {
  it("is true on listed weekdays that are not bank holidays", () => {
    expect(isWorkingDay("2026-01-15", london)).toBe(true); // Thu
    expect(isWorkingDay("2026-01-16", london)).toBe(true); // Fri
    expect(isWorkingDay("2026-01-17", london)).toBe(false); // Sat
    expect(isWorkingDay("2026-01-18", london)).toBe(false); // Sun
    expect(isWorkingDay("2026-12-25", london)).toBe(false); // Christmas, a Friday
    expect(isWorkingDay("2026-12-28", london)).toBe(false); // Boxing Day substitute, a Monday
    expect(isWorkingDay("2026-12-29", london)).toBe(true); // Tue
  });

  it("follows the configured days, not a built-in Mon–Fri", () => {
    const sunToThu: OfficeHours = { ...london, days: ["sun", "mon", "tue", "wed", "thu"] };
    expect(isWorkingDay("2026-01-16", sunToThu)).toBe(false); // Fri
    expect(isWorkingDay("2026-01-18", sunToThu)).toBe(true); // Sun
  });

  it("throws on an invalid date", () => {
    expect(() => isWorkingDay("2026-02-30", london)).toThrow(RangeError);
  });
});

describe("isOutOfHours", () => {
  it("has inclusive start and exclusive end (winter, London = UTC)", () => {
    expect(isOutOfHours(utc("2026-01-15T08:59:59Z"), london)).toBe(true);
    expect(isOutOfHours(utc("2026-01-15T08:59:59.999Z"), london)).toBe(true);
    expect(isOutOfHours(utc("2026-01-15T09:00:00Z"), london)).toBe(false);
    expect(isOutOfHours(utc("2026-01-15T16:59:00Z"), london)).toBe(false);
    expect(isOutOfHours(utc("2026-01-15T16:59:59.999Z"), london)).toBe(false);
    expect(isOutOfHours(utc("2026-01-15T17:00:00Z"), london)).toBe(true);
  });

  it("uses local time in summer (BST = UTC+1)", () => {
    expect(isOutOfHours(utc("2026-07-01T07:59:59Z"), london)).toBe(true); // 08:59:59 BST
    expect(isOutOfHours(utc("2026-07-01T08:00:00Z"), london)).toBe(false); // 09:00 BST
    expect(isOutOfHours(utc("2026-07-01T15:59:00Z"), london)).toBe(false); // 16:59 BST
    expect(isOutOfHours(utc("2026-07-01T16:00:00Z"), london)).toBe(true); // 17:00 BST
  });

  it("is out of hours all day on weekends and bank holidays", () => {
    expect(isOutOfHours(utc("2026-01-17T12:00:00Z"), london)).toBe(true); // Sat
    expect(isOutOfHours(utc("2026-12-25T12:00:00Z"), london)).toBe(true);
    expect(isOutOfHours(utc("2026-08-31T11:00:00Z"), london)).toBe(true); // summer bank holiday, Mon
  });

  it("works in New York", () => {
    expect(isOutOfHours(utc("2026-01-15T13:59:59Z"), newYork)).toBe(true); // 08:59:59 EST
    expect(isOutOfHours(utc("2026-01-15T14:00:00Z"), newYork)).toBe(false); // 09:00 EST
    expect(isOutOfHours(utc("2026-01-15T21:59:00Z"), newYork)).toBe(false); // 16:59 EST
    expect(isOutOfHours(utc("2026-01-15T22:00:00Z"), newYork)).toBe(true); // 17:00 EST
    // 10:00 London on Thu 15 Jan is 05:00 in New York: closed there.
    expect(isOutOfHours(utc("2026-01-15T10:00:00Z"), newYork)).toBe(true);
  });

  it("rejects office hours that can never be open", () => {
    expect(() => isOutOfHours(utc("2026-01-15T10:00:00Z"), { ...london, start: "17:00", end: "09:00" })).toThrow(RangeError);
  });
});

describe("nextOpening", () => {
  it("returns the instant itself when open", () => {
    expect(iso(nextOpening(utc("2026-01-15T10:15:30Z"), london))).toBe("2026-01-15T10:15:30.000Z");
  });

  it("opens later the same day if before start, else on the next working day", () => {
    expect(iso(nextOpening(utc("2026-01-15T07:00:00Z"), london))).toBe("2026-01-15T09:00:00.000Z");
    expect(iso(nextOpening(utc("2026-01-15T17:00:00Z"), london))).toBe("2026-01-16T09:00:00.000Z");
    expect(iso(nextOpening(utc("2026-01-16T18:00:00Z"), london))).toBe("2026-01-19T09:00:00.000Z"); // Fri → Mon
    expect(iso(nextOpening(utc("2026-01-17T11:00:00Z"), london))).toBe("2026-01-19T09:00:00.000Z"); // Sat → Mon
  });

  it("uses the local date around midnight", () => {
    // 23:30 UTC Wed 1 July = 00:30 BST Thu 2 July → 09:00 BST Thu = 08:00 UTC.
    expect(iso(nextOpening(utc("2026-07-01T23:30:00Z"), london))).toBe("2026-07-02T08:00:00.000Z");
  });

  it("skips bank holidays and crosses clock changes", () => {
    // Thu 24 Dec evening → Fri 25 (BH), weekend, Mon 28 (BH) → Tue 29 09:00 GMT.
    expect(iso(nextOpening(utc("2026-12-24T18:00:00Z"), london))).toBe("2026-12-29T09:00:00.000Z");
    // Sat 28 March (GMT) → Mon 30 March 09:00 BST = 08:00 UTC.
    expect(iso(nextOpening(utc("2026-03-28T12:00:00Z"), london))).toBe("2026-03-30T08:00:00.000Z");
  });

  it("throws rather than loop forever when there is no working day", () => {
    expect(() => nextOpening(utc("2026-01-17T11:00:00Z"), { ...london, days: [] })).toThrow(RangeError);
  });
});

describe("addWorkingDays", () => {
  it("keeps the time of day across a weekend", () => {
    // Fri 16:00 + 1 = Mon 16:00.
    expect(iso(addWorkingDays(utc("2026-01-16T16:00:00Z"), 1, london))).toBe("2026-01-19T16:00:00.000Z");
    // Mon 10:00 + 5 = next Mon 10:00.
    expect(iso(addWorkingDays(utc("2026-01-19T10:00:00Z"), 5, london))).toBe("2026-01-26T10:00:00.000Z");
  });

  it("starts counting from the next opening", () => {
    // Sat 11:00: counting starts Mon 09:00, so + 1 = Tue 09:00.
    expect(iso(addWorkingDays(utc("2026-01-17T11:00:00Z"), 1, london))).toBe("2026-01-20T09:00:00.000Z");
    // Thu 20:00: opening Fri 09:00, + 1 = Mon 09:00.
    expect(iso(addWorkingDays(utc("2026-01-15T20:00:00Z"), 1, london))).toBe("2026-01-19T09:00:00.000Z");
  });

  it("returns nextOpening for n = 0", () => {
    expect(iso(addWorkingDays(utc("2026-01-17T11:00:00Z"), 0, london))).toBe("2026-01-19T09:00:00.000Z");
    expect(iso(addWorkingDays(utc("2026-01-15T10:00:00Z"), 0, london))).toBe("2026-01-15T10:00:00.000Z");
  });

  it("skips Christmas and the Boxing Day substitute", () => {
    // Thu 24 Dec 10:00 + 1: Fri 25 BH, Sat, Sun, Mon 28 BH → Tue 29 10:00.
    expect(iso(addWorkingDays(utc("2026-12-24T10:00:00Z"), 1, london))).toBe("2026-12-29T10:00:00.000Z");
    expect(iso(addWorkingDays(utc("2026-12-24T10:00:00Z"), 2, london))).toBe("2026-12-30T10:00:00.000Z");
    // Mon 21 Dec + 10: 22, 23, 24, 29, 30, 31, (1 Jan BH), 4, 5, 6, 7 Jan.
    expect(iso(addWorkingDays(utc("2026-12-21T10:00:00Z"), 10, london))).toBe("2027-01-07T10:00:00.000Z");
  });

  it("keeps local time across the March and October clock changes", () => {
    // Fri 27 Mar 10:00 GMT + 1 = Mon 30 Mar 10:00 BST = 09:00 UTC.
    expect(iso(addWorkingDays(utc("2026-03-27T10:00:00Z"), 1, london))).toBe("2026-03-30T09:00:00.000Z");
    // Fri 23 Oct 10:00 BST (09:00 UTC) + 1 = Mon 26 Oct 10:00 GMT = 10:00 UTC.
    expect(iso(addWorkingDays(utc("2026-10-23T09:00:00Z"), 1, london))).toBe("2026-10-26T10:00:00.000Z");
  });

  it("works in other zones and week shapes", () => {
    // Fri 6 Mar 10:00 EST (15:00 UTC) + 1 = Mon 9 Mar 10:00 EDT (US clocks changed on 8 Mar) = 14:00 UTC.
    expect(iso(addWorkingDays(utc("2026-03-06T15:00:00Z"), 1, newYork))).toBe("2026-03-09T14:00:00.000Z");
    // Thu 2 Jul 10:00 EDT + 1: Fri 3 Jul is their bank holiday → Mon 6 Jul 10:00 EDT = 14:00 UTC.
    expect(iso(addWorkingDays(utc("2026-07-02T14:00:00Z"), 1, newYork))).toBe("2026-07-06T14:00:00.000Z");
    // Dubai (UTC+4, no DST), Sun–Thu week: Thu 15 Jan 16:00 local + 1 = Sun 18 Jan 16:00 local.
    const dubai: OfficeHours = { ...london, time_zone: "Asia/Dubai", days: ["sun", "mon", "tue", "wed", "thu"], bank_holidays: [] };
    expect(iso(addWorkingDays(utc("2026-01-15T12:00:00Z"), 1, dubai))).toBe("2026-01-18T12:00:00.000Z");
  });

  it("rejects negative and fractional counts", () => {
    const t = utc("2026-01-15T10:00:00Z");
    expect(() => addWorkingDays(t, -1, london)).toThrow(RangeError);
    expect(() => addWorkingDays(t, 1.5, london)).toThrow(RangeError);
    expect(() => addWorkingDays(t, NaN, london)).toThrow(RangeError);
  });
});

describe("addHours and addCalendarDays", () => {
  it("addHours counts elapsed time, ignoring clock changes", () => {
    // 12:00 GMT Sat 28 Mar + 24h = 12:00 UTC Sun 29 Mar, which is 13:00 BST.
    expect(iso(addHours(utc("2026-03-28T12:00:00Z"), 24))).toBe("2026-03-29T12:00:00.000Z");
    expect(iso(addHours(utc("2026-01-15T10:00:00Z"), 1.5))).toBe("2026-01-15T11:30:00.000Z");
    expect(iso(addHours(utc("2026-01-15T10:00:00Z"), -2))).toBe("2026-01-15T08:00:00.000Z");
    expect(() => addHours(utc("2026-01-15T10:00:00Z"), Infinity)).toThrow(RangeError);
  });

  it("addCalendarDays keeps local time, so a day can be 23 or 25 hours", () => {
    // 12:00 GMT Sat 28 Mar + 1 day = 12:00 BST Sun 29 Mar = 11:00 UTC (23 hours).
    expect(iso(addCalendarDays(utc("2026-03-28T12:00:00Z"), 1, LON))).toBe("2026-03-29T11:00:00.000Z");
    // 12:00 BST Sat 24 Oct (11:00 UTC) + 1 day = 12:00 GMT Sun 25 Oct (25 hours).
    expect(iso(addCalendarDays(utc("2026-10-24T11:00:00Z"), 1, LON))).toBe("2026-10-25T12:00:00.000Z");
    // 10:00 EST Sat 7 Mar + 1 day = 10:00 EDT Sun 8 Mar = 14:00 UTC.
    expect(iso(addCalendarDays(utc("2026-03-07T15:00:00Z"), 1, NY))).toBe("2026-03-08T14:00:00.000Z");
  });

  it("addCalendarDays crosses month and year ends and goes backwards", () => {
    expect(iso(addCalendarDays(utc("2026-01-31T10:00:00Z"), 1, LON))).toBe("2026-02-01T10:00:00.000Z");
    expect(iso(addCalendarDays(utc("2026-12-31T10:00:00Z"), 1, LON))).toBe("2027-01-01T10:00:00.000Z");
    expect(iso(addCalendarDays(utc("2026-03-30T09:00:00Z"), -3, LON))).toBe("2026-03-27T10:00:00.000Z");
  });

  it("addCalendarDays lands a gap time after the gap, and n = 0 leaves the instant alone", () => {
    // 01:30 GMT Sat 28 Mar + 1 = 01:30 Sun 29 Mar, which does not exist → 02:30 BST = 01:30 UTC.
    expect(iso(addCalendarDays(utc("2026-03-28T01:30:00Z"), 1, LON))).toBe("2026-03-29T01:30:00.000Z");
    // The second (GMT) 01:30 of 25 Oct must not be moved to the first.
    expect(iso(addCalendarDays(utc("2026-10-25T01:30:00Z"), 0, LON))).toBe("2026-10-25T01:30:00.000Z");
    expect(() => addCalendarDays(utc("2026-01-15T10:00:00Z"), 0.5, LON)).toThrow(RangeError);
  });
});

describe("zone tables (offsets cached with a rule set, so start-up skips Intl)", () => {
  it("once seeded, give exactly Intl's offset around every clock change and at spread instants", async () => {
    const { zoneTable, seedZone } = await import("../../src/rules/time.js");
    for (const zone of ["Europe/London", "America/New_York", "Australia/Lord_Howe"]) {
      const table = zoneTable(zone, Date.UTC(2025, 0, 1), Date.UTC(2028, 0, 1));
      expect(table.changes.length).toBeGreaterThan(zone === "Europe/London" ? 5 : 1);
      const probes: number[] = [];
      for (const [at] of table.changes.slice(1)) for (let k = -8; k <= 8; k++) probes.push(at + k * 15 * 60_000);
      for (let i = 0; i < 500; i++) probes.push(Date.UTC(2025, 0, 1) + Math.floor((((i * 7919) % 1000) / 1000) * 3 * 365 * 86_400_000));
      const fromIntl = probes.map((t) => zoneOffsetMinutes(new Date(t), zone));
      seedZone(table);
      probes.forEach((t, i) => expect(zoneOffsetMinutes(new Date(t), zone), `${zone} at ${new Date(t).toISOString()}`).toBe(fromIntl[i]));
    }
  });
});

describe("fast paths agree with the plain ones (issue 17)", () => {
  // A plain working-day count: from the next opening, step local dates one at a time.
  const plainAddWorkingDays = (instant: Date, n: number, hours: OfficeHours): string => {
    const open = nextOpening(instant, hours);
    const p = localParts(open, hours.time_zone);
    let date = p.date;
    for (let i = 0; i < n;) {
      date = new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      if (isWorkingDay(date, hours)) i++;
    }
    return iso(
      fromLocal(date, `${String(p.hour).padStart(2, "0")}:${String(p.minute).padStart(2, "0")}:${String(p.second).padStart(2, "0")}`, hours.time_zone),
    );
  };

  it("addWorkingDays (the working-day table, used after the first hundred searches) = a day-by-day count", () => {
    // A fresh calendar so this test, not an earlier one, decides when the table is built.
    const hours: OfficeHours = { ...london, bank_holidays: [...london.bank_holidays, "2027-04-02", "2027-04-05", "2030-12-25"] };
    let x = 12345;
    const random = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 600; i++) {
      const instant = new Date(Date.UTC(2024, 0, 1) + Math.floor(random() * 8 * 365 * 86_400) * 1000);
      const n = Math.floor(random() * 60);
      expect(iso(addWorkingDays(instant, n, hours)), `${iso(instant)} + ${n}`).toBe(plainAddWorkingDays(instant, n, hours));
    }
  });

  it("parseInstant = Date.parse, for the canonical forms and for anything else", () => {
    const cases = [
      "2026-07-01T10:00:00+01:00",
      "2026-07-01T10:00:00Z",
      "2026-12-31T23:59:59-05:30",
      "2026-02-30T10:00:00Z",
      "2026-01-01T24:00:00Z",
      "2026-01-01T10:00:60Z",
      "2026-13-01T10:00:00Z",
      "2026-01-01T10:00:00+24:00",
      "2026-01-01T10:00:00.5Z",
      "2026-01-01T10:00Z",
      "0099-01-01T00:00:00Z",
      "2026-01-01t10:00:00Z",
      "2026-01-01T1a:00:00Z",
      "2026-1-01T10:00:00+00:00",
      "not a date at all!!!",
      "",
    ];
    for (let i = 0; i < 2000; i++) {
      const t = Date.UTC(1990, 0, 1) + i * 7_777_777_000;
      const minutes = ((i * 37) % 1500) - 750;
      const sign = minutes < 0 ? "-" : "+";
      const abs = Math.abs(minutes);
      cases.push(
        new Date(t)
          .toISOString()
          .replace(/\.\d{3}Z$/, i % 2 ? "Z" : `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`),
      );
    }
    for (const text of cases) expect(parseInstant(text), text).toBe(Date.parse(text));
  });

  it("formatInZone after many dates (its date cache) = Intl's reading", () => {
    const intl = new Intl.DateTimeFormat("en-CA", {
      timeZone: LON,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
    for (let i = 0; i < 3000; i++) {
      const t = new Date(Date.UTC(2020, 0, 1) + i * 123_456_789);
      const p = Object.fromEntries(intl.formatToParts(t).map((x) => [x.type, x.value]));
      expect(formatInZone(t, LON).slice(0, 19)).toBe(`${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`);
    }
  });
});
