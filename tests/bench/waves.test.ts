import { describe, expect, it } from "vitest";
import { timeline, wavesOf } from "../../bench/waves.js";

const r = (start: number, end: number) => ({ start, end });

describe("wavesOf (bench)", () => {
  it("puts overlapping requests in one wave, whatever order they are logged in", () => {
    expect(wavesOf([r(2, 52), r(0, 50), r(1, 51)])).toEqual([1, 1, 1]);
    expect(wavesOf([])).toEqual([]);
  });

  it("puts a request that starts after another was answered in a later wave", () => {
    // A policy read, then the check run write, then two notification writes together.
    expect(wavesOf([r(0, 50), r(51, 101), r(102, 152), r(103, 153)])).toEqual([1, 2, 3, 3]);
  });

  it("counts the longest chain: a request after a late one is later than it, not just after the first wave", () => {
    // A and B start together; C starts once A is answered (B still running); D starts after C.
    const waves = wavesOf([r(0, 50), r(1, 200), r(55, 105), r(110, 160)]);
    expect(waves).toEqual([1, 1, 2, 3]);
  });

  it("a request starting exactly when another is answered is after it", () => {
    expect(wavesOf([r(0, 50), r(50, 100)])).toEqual([1, 2]);
  });

  it("timeline gives the events' waves and the verdict's wave and time from t0", () => {
    const log = [
      { path: "/contents", ...r(10, 60) },
      { path: "/files", ...r(11, 61) },
      { path: "/check-runs", ...r(65, 115) },
      { path: "/labels", ...r(116, 166) },
    ];
    const t = timeline(log, 5, (x) => x.path === "/check-runs");
    expect(t.waves).toBe(3);
    expect(t.verdict).toEqual({ wave: 2, ms: 110 });
    expect(t.rows.map((x) => x.wave)).toEqual([1, 1, 2, 3]);
    expect(timeline(log, 0, () => false).verdict).toBeNull();
  });
});
