import { describe, expect, it } from "vitest";
import { evaluate } from "../../src/policy/evaluate.js";
import { carriedOver, onlyUpdateMergesSince, updateMergeCandidates } from "../../src/policy/update-merges.js";
import type { CommitFacts, FileFacts, PullFacts } from "../../src/types.js";
import { commit, copilot, facts, file, HEAD, NOW, OLD, policy, review } from "./build.js";

const BASE = "ba5e000000000000000000000000000000000001";
const MID = "m1d0000000000000000000000000000000000001";

/** "Update branch": a merge GitHub made (web-flow, verified) of `base` into `first`. */
function updateMerge(sha: string, first: string, o: { committer?: string; verified?: boolean; second?: string } = {}): CommitFacts {
  return commit(
    sha,
    "Merge branch 'main' into copilot/fix",
    { verification: { verified: o.verified ?? true, reason: "valid" } },
    { committer: { login: o.committer ?? "web-flow", type: "User" }, parents: [{ sha: first }, { sha: o.second ?? BASE }] },
  );
}

/** The agent's commit OLD (approved by alice), then `after`, the head last; the compare OLD...HEAD lists `changed`. */
function merged(after: CommitFacts[], changed: FileFacts[] | null = [file("docs/base-change.md")], extra: Partial<PullFacts> = {}): PullFacts {
  return facts({
    commits: [commit(OLD, "Fix the parser", {}, { parents: [{ sha: BASE }] }), ...after],
    files: [file("src/a.ts")],
    reviews: [review("alice", "APPROVED", "2025-06-01T11:00:00Z", OLD)],
    changed_since: { [OLD]: changed },
    ...extra,
  });
}

describe("onlyUpdateMergesSince", () => {
  it.each<[string, CommitFacts[], boolean]>([
    ["one Update branch merge", [updateMerge(HEAD, OLD)], true],
    ["two in a row", [updateMerge(MID, OLD), updateMerge(HEAD, MID)], true],
    ["a merge a person committed", [updateMerge(HEAD, OLD, { committer: "mallory" })], false],
    ["an unverified merge", [updateMerge(HEAD, OLD, { verified: false })], false],
    ["a merge whose first parent is not the approved commit", [updateMerge(HEAD, MID)], false],
    ["a merge of another PR commit (not the base)", [updateMerge(HEAD, OLD, { second: OLD })], false],
    ["an agent's commit after the merge", [updateMerge(MID, OLD), commit(HEAD, "More", {}, { parents: [{ sha: MID }] })], false],
    ["an ordinary push", [commit(HEAD, "More", {}, { parents: [{ sha: OLD }] })], false],
  ])("%s: %s", (_what, after, expected) => {
    expect(onlyUpdateMergesSince(merged(after), OLD)).toBe(expected);
  });

  it("not for the head itself, an unknown commit, or a capped commit list", () => {
    const f = merged([updateMerge(HEAD, OLD)]);
    expect(onlyUpdateMergesSince(f, HEAD)).toBe(false);
    expect(onlyUpdateMergesSince(f, "f".repeat(40))).toBe(false);
    expect(onlyUpdateMergesSince({ ...f, pull: { ...f.pull, commits: 300 } }, OLD)).toBe(false);
  });

  it("updateMergeCandidates: the stale approvals' commits it holds for", () => {
    const f = merged([updateMerge(HEAD, OLD)]);
    expect(updateMergeCandidates(f, [OLD, HEAD, null, OLD])).toEqual([OLD]);
    expect(updateMergeCandidates(merged([commit(HEAD, "More", {}, { parents: [{ sha: OLD }] })]), [OLD])).toEqual([]);
  });
});

describe("carriedOver: only base-branch changes since", () => {
  it.each<[string, FileFacts[] | null, boolean]>([
    ["files only the base changed", [file("docs/base-change.md"), file("src/b.ts")], true],
    ["nothing", [], true],
    ["a file of the PR (the merge's resolution may have changed it)", [file("docs/base-change.md"), file("src/a.ts")], false],
    ["a PR file renamed", [file("src/z.ts", { previous_filename: "src/a.ts", status: "renamed" })], false],
    ["a compare GitHub could not list whole", null, false],
  ])("%s: %s", (_what, changed, expected) => {
    expect(carriedOver(merged([updateMerge(HEAD, OLD)], changed), OLD)).toBe(expected);
  });

  it("not without the compare, nor with a capped file list", () => {
    const f = merged([updateMerge(HEAD, OLD)]);
    expect(carriedOver({ ...f, changed_since: {} }, OLD)).toBe(false);
    expect(carriedOver({ ...f, pull: { ...f.pull, changed_files: 3001 } }, OLD)).toBe(false);
  });
});

describe("through the evaluator", () => {
  const run = (f: PullFacts, p = policy()) => evaluate({ policy: p, facts: f, now: NOW, verdict: copilot });

  it("an approval before an Update branch merge that brought only base changes still counts, and says it was carried", () => {
    const e = run(merged([updateMerge(HEAD, OLD)]));
    expect(e.outcome).toBe("passed");
    expect(e.approvals).toEqual([{ login: "alice", via: "review", commit: OLD, at: "2025-06-01T11:00:00Z", counted_for: ["reviewers"], carried_to: HEAD }]);
  });

  it("stays stale when the merge touched a PR file, or an agent pushed after it", () => {
    expect(run(merged([updateMerge(HEAD, OLD)], [file("src/a.ts")])).outcome).toBe("waiting");
    expect(run(merged([updateMerge(MID, OLD), commit(HEAD, "More", {}, { parents: [{ sha: MID }] })])).outcome).toBe("waiting");
  });
});
