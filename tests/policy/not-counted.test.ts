/** What did not count, and why (issue 18, point 2): `Evaluation.refused`, through the evaluator. */
import { describe, expect, it } from "vitest";
import { evaluate } from "../../src/policy/evaluate.js";
import { ineligibility } from "../../src/policy/not-counted.js";
import type { CommentFacts, PullFacts } from "../../src/types.js";
import { commit, copilot, facts, file, HEAD, NOW, OLD, policy, review } from "./build.js";

const T0 = "2025-06-01T10:00:00Z";
const AT = "2025-06-01T11:00:00Z";
const run = (f: PullFacts, p = policy()) => evaluate({ policy: p, facts: f, now: NOW, verdict: copilot });
const refused = (f: PullFacts, p = policy()) => run(f, p).refused;

let id = 500;
const comment = (login: string, body: string, o: { at?: string; updated?: string } = {}): CommentFacts => ({
  id: id++,
  user: { login, type: "User" },
  body,
  created_at: o.at ?? AT,
  updated_at: o.updated ?? o.at ?? AT,
});
/** The head committed at T0, before every comment. */
const withComments = (comments: CommentFacts[], extra: Partial<PullFacts> = {}) =>
  facts({ commits: [commit(HEAD, "Fix", { committer: { name: "GitHub", email: "noreply@github.com", date: T0 } })], comments, ...extra });

describe("refused: one line per approval that did not count, with the kind and reason", () => {
  it("stale: an approval of an older commit", () => {
    expect(refused(facts({ reviews: [review("alice", "APPROVED", AT, OLD)] }))).toEqual([
      { login: "alice", via: "review", commit: OLD, at: AT, kind: "stale", reason: "stale: the head is now `c0ffee0`" },
    ]);
    // Approvals kept across pushes: it counts, and is not listed.
    expect(refused(facts({ reviews: [review("alice", "APPROVED", AT, OLD)] }), policy({ reviewers: { stale_on_push: false } }))).toEqual([]);
  });

  it("permission: too little repository permission", () => {
    expect(refused(facts({ reviews: [review("reader", "APPROVED", AT)] }))).toEqual([
      { login: "reader", via: "review", commit: HEAD, at: AT, kind: "permission", reason: "read permission; needs write or above" },
    ]);
  });

  it("not_in_group: not one of the users or teams the policy lists", () => {
    const p = policy({ reviewers: { from: { teams: ["acme/maintainers"], users: ["dba1"] } } });
    expect(refused(facts({ reviews: [review("alice", "APPROVED", AT)] }), p)).toEqual([
      { login: "alice", via: "review", commit: HEAD, at: AT, kind: "not_in_group", reason: "not one of @dba1, @acme/maintainers" },
    ]);
  });

  it("the author and a contributor of the PR's commits", () => {
    const f = facts({
      pull: { user: { login: "carol", type: "User" } },
      commits: [commit(HEAD, "Fix", {}, { author: { login: "dave", type: "User" } })],
      permissions: { carol: "admin", dave: "admin" },
      reviews: [review("carol", "APPROVED", AT), review("dave", "APPROVED", AT)],
    });
    expect(refused(f)!.map((r) => [r.login, r.kind, r.reason])).toEqual([
      ["carol", "author", "the PR author"],
      ["dave", "contributor", "a contributor of the PR's commits"],
    ]);
  });

  it("changes_requested: an approval its reviewer followed with a changes request", () => {
    const f = facts({ reviews: [review("alice", "APPROVED", T0), review("alice", "CHANGES_REQUESTED", AT)] });
    expect(refused(f)).toEqual([
      { login: "alice", via: "review", commit: HEAD, at: T0, kind: "changes_requested", reason: `changes requested after it, at ${AT}` },
    ]);
  });

  it("edited: an approve or override whose comment was edited", () => {
    const p = policy({ paths: { forbidden: ["infra/**"] } });
    const f = withComments(
      [comment("alice", "/governance approve", { updated: "2025-06-01T11:05:00Z" }), comment("bob", "/governance override ok", { updated: "2025-06-01T11:06:00Z" })],
      { files: [file("infra/a.tf")] },
    );
    expect(refused(f, p)).toEqual([
      { login: "alice", via: "command", commit: HEAD, at: AT, kind: "edited", reason: "its comment was edited at 2025-06-01T11:05:00Z: write a new one" },
      { login: "bob", via: "command", action: "override", commit: HEAD, at: AT, kind: "edited", reason: "its comment was edited at 2025-06-01T11:06:00Z: write a new one" },
    ]);
  });

  it("a command approval the policy does not authorize: why, as for a review; turned off: says so", () => {
    expect(refused(withComments([comment("reader", "/governance approve")]))).toEqual([
      { login: "reader", via: "command", commit: HEAD, at: AT, kind: "permission", reason: "read permission; needs write or above" },
    ]);
    expect(refused(withComments([comment("alice", "/governance approve")]), policy({ commands: { approve: { enabled: false } } }))).toEqual([
      { login: "alice", via: "command", commit: HEAD, at: AT, kind: "disabled", reason: "approval by command is off here (`commands.approve.enabled: false`)" },
    ]);
  });

  it("expired: a time-bound override past its expiry", () => {
    const p = policy({ paths: { forbidden: ["infra/**"] } });
    const f = withComments([comment("bob", "/governance override 30m INC-1")], { files: [file("infra/a.tf")] });
    expect(refused(f, p)).toEqual([
      { login: "bob", via: "command", action: "override", commit: HEAD, at: AT, kind: "expired", reason: "expired at 2025-06-01T11:30:00.000Z" },
    ]);
  });

  it("nothing for approvals that counted, and oldest first", () => {
    const f = facts({ reviews: [review("reader", "APPROVED", AT), review("alice", "APPROVED", AT), review("bob", "APPROVED", T0, OLD)] });
    expect(refused(f)!.map((r) => `${r.login} ${r.kind}`)).toEqual(["bob stale", "reader permission"]);
  });
});

describe("ineligibility", () => {
  it("null when the person can approve one requirement, or there is none", () => {
    const f = facts();
    const r = run(f).required;
    expect(ineligibility("alice", r, f)).toBeNull();
    expect(ineligibility("reader", [], f)).toBeNull();
    expect(ineligibility("reader", r, f)).toEqual({ kind: "permission", reason: "read permission; needs write or above" });
  });
});
