import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { overriddenTitle, overrideArgs, overrideExpired, overrideExpiry, titleExpiry } from "../../src/commands/override-time.js";
import { durationMs } from "../../src/config/schema.js";

describe("overrideArgs: a leading duration, then the reason", () => {
  it.each([
    ["7d hotfix INC-42", { duration: "7d", reason: "hotfix INC-42" }],
    ["30m  ship it", { duration: "30m", reason: "ship it" }],
    ["1.5H reviewed on the call", { duration: "1.5h", reason: "reviewed on the call" }],
    ["2w", { duration: "2w", reason: "" }],
    ["hotfix 7d", { duration: null, reason: "hotfix 7d" }],
    // A reason that starts like a duration is read as one (documented): write a duration first.
    ["3d party library bug", { duration: "3d", reason: "party library bug" }],
    ["3 days", { duration: null, reason: "3 days" }],
    ["3dd party", { duration: null, reason: "3dd party" }],
    ["7y too long", { duration: null, reason: "7y too long" }],
    ["", { duration: null, reason: "" }],
  ])("%j", (args, expected) => {
    expect(overrideArgs(args)).toEqual(expected);
  });

  it("never loses a word: the duration and the reason give back the arguments (property)", () => {
    const words = fc.array(fc.stringMatching(/^[^\s]{1,10}$/), { maxLength: 6 });
    fc.assert(
      fc.property(fc.option(fc.stringMatching(/^\d{1,4}[mhdw]$/), { nil: null }), words, (duration, rest) => {
        const args = [duration, ...rest].filter((w) => w !== null).join(" ");
        const r = overrideArgs(args);
        expect([r.duration, r.reason].filter(Boolean).join(" ").toLowerCase()).toBe(args.toLowerCase());
        // Every duration it reads is one the policy's `duration` understands.
        if (r.duration) expect(Number.isFinite(durationMs(r.duration))).toBe(true);
        if (duration) expect(r.duration).toBe(duration);
      }),
    );
  });
});

describe("overrideExpiry: the duration, at most the max, the max when none", () => {
  const AT = "2026-11-20T11:30:00Z";
  it.each<[string | null, string | undefined, string | null]>([
    [null, undefined, null],
    ["2d", undefined, "2026-11-22T11:30:00.000Z"],
    ["2d", "1d", "2026-11-21T11:30:00.000Z"],
    ["4h", "1d", "2026-11-20T15:30:00.000Z"],
    [null, "1w", "2026-11-27T11:30:00.000Z"],
  ])("%s under max %s: %s", (duration, max, expected) => {
    expect(overrideExpiry(AT, duration, max)).toBe(expected);
  });

  it("never throws: a duration past what a date can hold (`commands.override.max_duration: 99999999w`, which the schema accepts) never expires, rather than crash every evaluation of the PR", () => {
    expect(overrideExpiry(AT, "100000d", undefined)).toBe("2300-09-05T11:30:00.000Z");
    expect(overrideExpiry(AT, "999999w", "1d")).toBe("2026-11-21T11:30:00.000Z");
    expect(overrideExpiry(AT, null, "99999999w")).toBeNull();
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,6}(\.\d{1,3})?[mhdw]$/), fc.option(fc.stringMatching(/^\d{1,12}[mhdw]$/), { nil: undefined }), (duration, max) => {
        const at = overrideExpiry(AT, overrideArgs(`${duration} why`).duration, max);
        if (at !== null) expect(Date.parse(at)).toBeGreaterThanOrEqual(Date.parse(AT));
      }),
    );
  });

  it("is expired from its instant on", () => {
    expect(overrideExpired("2026-11-21T11:30:00.000Z", "2026-11-21T11:29:59Z")).toBe(false);
    expect(overrideExpired("2026-11-21T11:30:00.000Z", new Date("2026-11-21T11:30:00Z"))).toBe(true);
    expect(overrideExpired(undefined, "2099-01-01T00:00:00Z")).toBe(false);
  });
});

describe("titleExpiry reads back the title's expiry", () => {
  it("from an overridden title, report mode too; null otherwise", () => {
    const t = overriddenTitle("bob", "2026-11-21T11:30:00.000Z");
    expect(t).toBe("Overridden by @bob until 2026-11-21T11:30:00.000Z");
    expect(titleExpiry(t)).toBe(Date.parse("2026-11-21T11:30:00Z"));
    expect(titleExpiry(`Report only: ${t}`)).toBe(Date.parse("2026-11-21T11:30:00Z"));
    expect(titleExpiry(overriddenTitle("bob", undefined))).toBeNull();
    expect(titleExpiry("Policy satisfied")).toBeNull();
    expect(titleExpiry(undefined)).toBeNull();
  });
});
