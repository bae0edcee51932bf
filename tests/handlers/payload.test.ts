import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { commentPullNumber, pullOf, repoOf } from "../../src/handlers/payload.js";
import { pullRequestPayload } from "../helpers/app.js";

describe("payload readers", () => {
  it("read a real payload", () => {
    const p = pullRequestPayload();
    expect(repoOf(p)).toEqual({ owner: "Codertocat", repo: "Hello-World" });
    expect(pullOf(p)?.number).toBe(2);
    expect(commentPullNumber({ issue: { number: 2, pull_request: { url: "x" } } })).toBe(2);
  });
  it("answer null for what is missing or mistyped", () => {
    expect(repoOf({ repository: { name: "x", owner: null } })).toBeNull();
    expect(pullOf({ pull_request: { number: "2", head: { sha: "a" } } })).toBeNull();
    expect(pullOf({ pull_request: { number: 2, head: null } })).toBeNull();
    expect(commentPullNumber({ issue: { number: 2 } })).toBeNull(); // a plain issue
    expect(commentPullNumber({ issue: { number: -1, pull_request: {} } })).toBeNull();
  });
  it("never throw on anything", () => {
    fc.assert(
      fc.property(fc.anything(), (v) => {
        repoOf(v);
        pullOf(v);
        commentPullNumber(v);
      }),
    );
  });
});
