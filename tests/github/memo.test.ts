/**
 * The app's memo of its own writes (src/github/memo.ts): what it answers, and when it answers "none".
 */
import { describe, expect, it } from "vitest";
import { OwnWrites } from "../../src/github/memo.js";
import type { CheckRun } from "../../src/github/facts.js";
import type { CommentFacts } from "../../src/types.js";

const REF = { owner: "Acme", repo: "Web" };
const A = "a".repeat(40);
const B = "b".repeat(40);
const NAME = "Agent Governance";
const run = (id: number, sha: string) => ({ id, head_sha: sha, name: NAME, started_at: "2026-12-01T10:00:00Z", status: "completed", conclusion: "success", output: { title: "t", summary: "s", text: "ledger" } }) as unknown as CheckRun;

describe("OwnWrites", () => {
  it("answers a check run it wrote or read, whatever the case of the repository's name", () => {
    const memo = new OwnWrites();
    expect(memo.run(REF, 1, A, NAME)).toBeUndefined();
    memo.remember(REF, 1, A, NAME, run(7, A));
    expect(memo.run({ owner: "acme", repo: "WEB" }, 1, A, NAME)?.id).toBe(7);
    // Another check name, another head: not known.
    expect(memo.run(REF, 1, A, "Other")).toBeUndefined();
    expect(memo.run(REF, 1, B, NAME)).toBeUndefined();
  });

  it("a run written for one PR is known to its twin (same head): twins share one check run", () => {
    const memo = new OwnWrites();
    memo.remember(REF, 1, A, NAME, run(7, A));
    expect(memo.run(REF, 2, A, NAME, true)?.id).toBe(7);
  });

  it("says 'none' only for a PR followed from its first evaluation, only when asked to, and never for a head written for it", () => {
    const memo = new OwnWrites();
    expect(memo.run(REF, 1, B, NAME, true)).toBeUndefined();
    memo.follow(REF, 1);
    expect(memo.run(REF, 1, B, NAME, true)).toBeNull();
    // Without absentIsNone (the ledger's replaced head), nothing is assumed.
    expect(memo.run(REF, 1, B, NAME)).toBeUndefined();
    // Another PR is not followed.
    expect(memo.run(REF, 2, B, NAME, true)).toBeUndefined();
  });

  it("a write with an unknown outcome is read back, even for a followed PR", () => {
    const memo = new OwnWrites();
    memo.follow(REF, 1);
    memo.remember(REF, 1, A, NAME, null);
    expect(memo.run(REF, 1, A, NAME, true)).toBeUndefined();
    memo.remember(REF, 1, A, NAME, run(8, A));
    expect(memo.run(REF, 1, A, NAME, true)?.id).toBe(8);
  });

  it("a head written for a followed PR whose run was since forgotten is read back, not taken as none", () => {
    const memo = new OwnWrites();
    memo.follow(REF, 1);
    memo.remember(REF, 1, A, NAME, run(7, A));
    // 5,000 other runs push it out of the runs' LRU; the PR's record still lists the head as written.
    for (let i = 0; i < 5000; i++) memo.remember(REF, undefined, i.toString(16).padStart(40, "0"), NAME, run(i, A));
    expect(memo.run(REF, 1, A, NAME, true)).toBeUndefined();
  });

  it("two PRs with one head creating a run each at once: the newer run (higher id) is kept, whichever answer came last", () => {
    const memo = new OwnWrites();
    memo.remember(REF, 1, A, NAME, null);
    memo.remember(REF, 2, A, NAME, null);
    memo.remember(REF, 2, A, NAME, run(9, A));
    memo.remember(REF, 1, A, NAME, run(8, A));
    expect(memo.run(REF, 1, A, NAME)?.id).toBe(9);
    // A failed write makes it unsure again, whatever was held.
    memo.remember(REF, 1, A, NAME, null);
    expect(memo.run(REF, 1, A, NAME)).toBeUndefined();
  });

  it("a read fills only what nothing is held for: it never puts back what a write (or a write under way) replaced", () => {
    const memo = new OwnWrites();
    memo.learn(REF, A, NAME, run(7, A));
    expect(memo.run(REF, 1, A, NAME)?.id).toBe(7);
    memo.remember(REF, 1, A, NAME, { ...run(7, A), conclusion: "failure" } as CheckRun);
    memo.learn(REF, A, NAME, run(7, A));
    expect(memo.run(REF, 1, A, NAME)?.conclusion).toBe("failure");
    memo.remember(REF, 1, B, NAME, null);
    memo.learn(REF, B, NAME, run(3, B));
    expect(memo.run(REF, 1, B, NAME)).toBeUndefined();
  });

  it("tells when a run was written for another PR too (twins): closing one re-evaluates the other", () => {
    const memo = new OwnWrites();
    memo.remember(REF, 1, A, NAME, run(7, A));
    expect(memo.sharedWith(REF, 1, A, NAME)).toBe(false);
    memo.remember(REF, 2, A, NAME, run(7, A));
    expect(memo.sharedWith(REF, 1, A, NAME)).toBe(true);
    expect(memo.sharedWith(REF, 2, A, NAME)).toBe(true);
    // A merge group's write (no PR) names no twin.
    memo.remember(REF, undefined, B, NAME, run(8, B));
    memo.remember(REF, 1, B, NAME, run(8, B));
    expect(memo.sharedWith(REF, 1, B, NAME)).toBe(false);
  });

  it("keeps the escalation comments per PR, and forgets them when told", () => {
    const memo = new OwnWrites();
    const comments = [{ id: 9, body: "<!-- agent-governance:escalation -->" }] as CommentFacts[];
    expect(memo.comments(REF, 1)).toBeUndefined();
    memo.rememberComments(REF, 1, comments);
    expect(memo.comments(REF, 1)).toEqual(comments);
    expect(memo.comments(REF, 2)).toBeUndefined();
    memo.rememberComments(REF, 1, undefined);
    expect(memo.comments(REF, 1)).toBeUndefined();
  });
});
