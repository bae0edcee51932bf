import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { businessMs, clockDurationMs, elapsedMs, parseHours, validTimeZone, type BusinessHours } from "../../src/policy/business-time.js";

const BERLIN: BusinessHours = { timezone: "Europe/Berlin", days: ["mon", "tue", "wed", "thu", "fri"], hours: "09:00-17:00", holidays: ["2026-12-25"] };
const H = 3_600_000;
const at = (iso: string) => Date.parse(iso);

describe("businessMs", () => {
  it("counts only working hours, in the zone's local time (Berlin is UTC+1 in winter)", () => {
    // Monday 2026-11-23, 07:00 to 12:00 UTC = 08:00 to 13:00 Berlin: 09:00 to 13:00 counts.
    expect(businessMs(at("2026-11-23T07:00:00Z"), at("2026-11-23T12:00:00Z"), BERLIN)).toBe(4 * H);
    // A whole working day, midnight to midnight.
    expect(businessMs(at("2026-11-22T23:00:00Z"), at("2026-11-23T23:00:00Z"), BERLIN)).toBe(8 * H);
  });

  it("skips weekends: Friday 16:00 to Monday 10:00 Berlin is two working hours", () => {
    expect(businessMs(at("2026-11-20T15:00:00Z"), at("2026-11-23T09:00:00Z"), BERLIN)).toBe(2 * H);
  });

  it("skips holidays: Christmas Day (a Friday) counts nothing", () => {
    expect(businessMs(at("2026-12-24T23:00:00Z"), at("2026-12-25T23:00:00Z"), BERLIN)).toBe(0);
    expect(businessMs(at("2026-12-23T23:00:00Z"), at("2026-12-24T23:00:00Z"), BERLIN)).toBe(8 * H);
  });

  it("follows daylight saving time: 09:00 Berlin is 07:00 UTC in summer", () => {
    expect(businessMs(at("2026-07-06T07:00:00Z"), at("2026-07-06T15:00:00Z"), BERLIN)).toBe(8 * H);
    // The Monday after the spring change (29 March 2026): still 8 hours, from 07:00 UTC.
    expect(businessMs(at("2026-03-30T06:00:00Z"), at("2026-03-30T16:00:00Z"), BERLIN)).toBe(8 * H);
    // A full week across the autumn change (25 October 2026): five working days.
    expect(businessMs(at("2026-10-22T22:00:00Z"), at("2026-10-29T23:00:00Z"), BERLIN)).toBe(5 * 8 * H);
  });

  it("a whole-day schedule in a zone west of UTC", () => {
    const ny: BusinessHours = { timezone: "America/New_York", days: ["sat"], hours: "00:00-24:00", holidays: [] };
    // Saturday 2026-11-21 in New York is 05:00 UTC Saturday to 05:00 UTC Sunday.
    expect(businessMs(at("2026-11-20T00:00:00Z"), at("2026-11-23T00:00:00Z"), ny)).toBe(24 * H);
  });

  it("is 0 for an empty or reversed span", () => {
    expect(businessMs(at("2026-11-23T10:00:00Z"), at("2026-11-23T10:00:00Z"), BERLIN)).toBe(0);
    expect(businessMs(at("2026-11-23T12:00:00Z"), at("2026-11-23T10:00:00Z"), BERLIN)).toBe(0);
  });

  // Instants from 2025 to 2028, on the minute, in a few zones with and without DST.
  const instant = fc.integer({ min: at("2025-01-01T00:00:00Z") / 60_000, max: at("2028-01-01T00:00:00Z") / 60_000 }).map((m) => m * 60_000);
  const schedule = fc.record({
    timezone: fc.constantFrom("Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "UTC", "Pacific/Apia"),
    days: fc.subarray(["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const, { minLength: 1 }),
    hours: fc
      .tuple(fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 1, max: 1440 }))
      .filter(([a, b]) => b > a)
      .map(([a, b]) => `${String(Math.floor(a / 60)).padStart(2, "0")}:${String(a % 60).padStart(2, "0")}-${String(Math.floor(b / 60)).padStart(2, "0")}:${String(b % 60).padStart(2, "0")}`),
    holidays: fc.array(fc.date({ min: new Date("2025-01-01"), max: new Date("2027-12-31"), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)), { maxLength: 5 }),
  });

  it("is never more than the wall time, and never negative (property)", () => {
    fc.assert(
      fc.property(instant, instant, schedule, (a, b, bh) => {
        const [from, to] = a <= b ? [a, b] : [b, a];
        const ms = businessMs(from, to, bh);
        expect(ms).toBeGreaterThanOrEqual(0);
        expect(ms).toBeLessThanOrEqual(to - from);
      }),
      { numRuns: 150 },
    );
  });

  it("is monotonic: a later end never counts less, an earlier start never counts less (property)", () => {
    fc.assert(
      fc.property(instant, instant, instant, schedule, (a, b, c, bh) => {
        const [x, y, z] = [a, b, c].sort((p, q) => p - q) as [number, number, number];
        expect(businessMs(x, z, bh)).toBeGreaterThanOrEqual(businessMs(x, y, bh));
        expect(businessMs(x, z, bh)).toBeGreaterThanOrEqual(businessMs(y, z, bh));
      }),
      { numRuns: 100 },
    );
  });

  it("adds up: the span split at any instant counts the same (property)", () => {
    fc.assert(
      fc.property(instant, instant, instant, schedule, (a, b, c, bh) => {
        const [x, y, z] = [a, b, c].sort((p, q) => p - q) as [number, number, number];
        expect(businessMs(x, y, bh) + businessMs(y, z, bh)).toBe(businessMs(x, z, bh));
      }),
      { numRuns: 100 },
    );
  });
});

describe("durations on the policy's clock", () => {
  it("wall time without business hours", () => {
    expect(clockDurationMs("2d")).toBe(48 * H);
    expect(elapsedMs(0, 5 * H)).toBe(5 * H);
    expect(elapsedMs(5 * H, 0)).toBe(0);
  });
  it("with business hours, a day is a working day and a week a working week", () => {
    expect(clockDurationMs("4h", BERLIN)).toBe(4 * H);
    expect(clockDurationMs("30m", BERLIN)).toBe(H / 2);
    expect(clockDurationMs("3d", BERLIN)).toBe(24 * H);
    expect(clockDurationMs("1w", BERLIN)).toBe(40 * H);
    expect(elapsedMs(at("2026-11-20T15:00:00Z"), at("2026-11-23T09:00:00Z"), BERLIN)).toBe(2 * H);
  });
});

describe("parseHours and validTimeZone", () => {
  it("reads HH:MM-HH:MM and refuses what is not a forward range", () => {
    expect(parseHours("09:00-17:30")).toEqual({ start: 540, end: 1050 });
    expect(parseHours("00:00-24:00")).toEqual({ start: 0, end: 1440 });
    for (const bad of ["17:00-09:00", "09:00-09:00", "9:00-17:00", "09:60-17:00", "09:00-24:30", "25:00-26:00", "nine to five"]) expect(parseHours(bad)).toBeNull();
  });
  it("knows IANA zones", () => {
    expect(validTimeZone("Europe/Berlin")).toBe(true);
    expect(validTimeZone("Mars/Olympus")).toBe(false);
    expect(validTimeZone("")).toBe(false);
  });
});
