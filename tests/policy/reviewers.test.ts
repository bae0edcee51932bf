import { describe, expect, it } from "vitest";
import {
  contributors,
  describeRequirement,
  invokerLogins,
  isEligible,
  refusedApprover,
  requirement,
  requirementContext,
  reviewState,
  type ApprovalCandidate,
} from "../../src/policy/reviewers.js";
import type { PullFacts, ReviewFacts } from "../../src/types.js";
import { evaluate } from "../../src/policy/evaluate.js";
import { commit, copilot, facts, HEAD, NOW, OLD, policy, review } from "./build.js";

const refusedOf = (f: PullFacts, p = policy()) => evaluate({ policy: p, facts: f, now: NOW, verdict: copilot }).refused;

const anyWriter = { users: [], teams: [] };

function main(f: PullFacts, input = {}) {
  const p = policy(input);
  return requirement("reviewers", "reviewers", p.reviewers.required, p.reviewers.from, reviewState(f), requirementContext(p, f, copilot));
}

describe("reviewState: the latest review per reviewer wins", () => {
  it.each<[string, ReviewFacts[], string[], string[]]>([
    ["one approval", [review("alice", "APPROVED", "2025-01-01T00:00:00Z")], ["alice"], []],
    ["changes requested, then approved", [review("alice", "CHANGES_REQUESTED", "2025-01-01T00:00:00Z"), review("alice", "APPROVED", "2025-01-02T00:00:00Z")], ["alice"], []],
    ["approved, then changes requested", [review("alice", "APPROVED", "2025-01-01T00:00:00Z"), review("alice", "CHANGES_REQUESTED", "2025-01-02T00:00:00Z")], [], ["alice"]],
    ["approved, then a comment", [review("alice", "APPROVED", "2025-01-01T00:00:00Z"), review("alice", "COMMENTED", "2025-01-02T00:00:00Z")], ["alice"], []],
    ["changes requested, and that request dismissed", [review("alice", "DISMISSED", "2025-01-01T00:00:00Z")], [], []],
    // A dismissed review is skipped: the reviewer's earlier approval stands again (policy-bot's rule).
    [
      "approved, then changes requested, and that request dismissed",
      [review("alice", "APPROVED", "2025-01-01T00:00:00Z"), review("alice", "DISMISSED", "2025-01-02T00:00:00Z")],
      ["alice"],
      [],
    ],
    ["an approval dismissed", [review("alice", "DISMISSED", "2025-01-01T00:00:00Z")], [], []],
    [
      "changes requested, approved, and that approval dismissed",
      [review("alice", "CHANGES_REQUESTED", "2025-01-01T00:00:00Z"), review("alice", "DISMISSED", "2025-01-02T00:00:00Z")],
      [],
      ["alice"],
    ],
    ["listed out of order", [review("alice", "APPROVED", "2025-01-02T00:00:00Z"), review("alice", "CHANGES_REQUESTED", "2025-01-01T00:00:00Z")], ["alice"], []],
    ["a bot's approval", [{ ...review("ci-bot[bot]", "APPROVED", "2025-01-01T00:00:00Z"), user: { login: "ci-bot[bot]", type: "Bot" } }], [], []],
  ])("%s", (_what, reviews, approved, blocked) => {
    const s = reviewState(facts({ reviews }));
    expect(s.approvals.map((a) => a.login)).toEqual(approved);
    expect(s.changesRequested).toEqual(blocked);
  });
});

describe("reviewState: a review and a `/governance approve` by one person, the later decides", () => {
  const approve = (at: string, commit = HEAD): ApprovalCandidate => ({ login: "alice", via: "command", commit, at });
  it.each<[string, ReviewFacts[], ApprovalCandidate[], string[], string[]]>([
    ["an approval of the head after an older command approval", [review("alice", "APPROVED", "2025-01-02T00:00:00Z")], [approve("2025-01-01T00:00:00Z", OLD)], ["review HEAD"], []],
    ["a command approval after an older review approval", [review("alice", "APPROVED", "2025-01-01T00:00:00Z", OLD)], [approve("2025-01-02T00:00:00Z")], ["command HEAD"], []],
    ["a command approval after a changes request", [review("alice", "CHANGES_REQUESTED", "2025-01-01T00:00:00Z")], [approve("2025-01-02T00:00:00Z")], ["command HEAD"], []],
    ["a changes request after a command approval", [review("alice", "CHANGES_REQUESTED", "2025-01-02T00:00:00Z")], [approve("2025-01-01T00:00:00Z")], [], ["alice"]],
    // A dismissed review is as if never given: the command approval before it stands.
    ["a review dismissed after a command approval", [review("alice", "DISMISSED", "2025-01-02T00:00:00Z")], [approve("2025-01-01T00:00:00Z")], ["command HEAD"], []],
    ["a command approval at the same second as a review", [review("alice", "APPROVED", "2025-01-01T00:00:00Z", OLD)], [approve("2025-01-01T00:00:00Z")], ["command HEAD"], []],
    [
      "commands before and after a review",
      [review("alice", "APPROVED", "2025-01-02T00:00:00Z", OLD)],
      [approve("2025-01-01T00:00:00Z", OLD), approve("2025-01-03T00:00:00Z")],
      ["command HEAD"],
      [],
    ],
  ])("%s", (_what, reviews, commands, approved, blocked) => {
    const s = reviewState(facts({ reviews }), commands);
    expect(s.approvals.map((a) => `${a.via} ${a.commit === HEAD ? "HEAD" : a.commit}`)).toEqual(approved);
    expect(s.changesRequested).toEqual(blocked);
  });

  it("keeps a current review approval counting after an older command on an earlier commit", () => {
    const f = facts({ reviews: [review("alice", "APPROVED", "2025-01-02T00:00:00Z")] });
    const p = policy();
    const r = requirement("reviewers", "reviewers", 1, p.reviewers.from, reviewState(f, [approve("2025-01-01T00:00:00Z", OLD)]), requirementContext(p, f, copilot));
    expect(r).toMatchObject({ have: 1, approved_by: ["alice"] });
  });
});

describe("requirement: which approvals count", () => {
  it.each<[string, ReviewFacts[], object, number, string[]]>([
    ["a writer's approval of the head", [review("alice", "APPROVED", "2025-01-01T00:00:00Z")], {}, 1, []],
    ["a reader's approval", [review("reader", "APPROVED", "2025-01-01T00:00:00Z")], {}, 0, []],
    ["an approval of an older commit", [review("alice", "APPROVED", "2025-01-01T00:00:00Z", OLD)], {}, 0, []],
    ["an older approval when stale_on_push is off", [review("alice", "APPROVED", "2025-01-01T00:00:00Z", OLD)], { reviewers: { stale_on_push: false } }, 1, []],
    ["the invoker's approval", [review("inviter", "APPROVED", "2025-01-01T00:00:00Z")], {}, 0, []],
    ["the invoker's approval when allowed", [review("inviter", "APPROVED", "2025-01-01T00:00:00Z")], { reviewers: { invoker_can_approve: true } }, 1, []],
    ["an approval from outside the listed team", [review("alice", "APPROVED", "2025-01-01T00:00:00Z")], { reviewers: { from: { teams: ["acme/maintainers"] } } }, 0, []],
    ["an approval from the listed team", [review("bob", "APPROVED", "2025-01-01T00:00:00Z")], { reviewers: { from: { teams: ["acme/maintainers"] } } }, 1, []],
    ["a listed user below min_permission", [review("reader", "APPROVED", "2025-01-01T00:00:00Z")], { reviewers: { from: { users: ["reader"], min_permission: "write" } } }, 0, []],
    ["an eligible reviewer's changes request", [review("alice", "APPROVED", "2025-01-01T00:00:00Z"), review("bob", "CHANGES_REQUESTED", "2025-01-01T01:00:00Z")], {}, 1, ["bob"]],
    ["an ineligible reviewer's changes request", [review("alice", "APPROVED", "2025-01-01T00:00:00Z"), review("reader", "CHANGES_REQUESTED", "2025-01-01T01:00:00Z")], {}, 1, []],
    ["a changes request on an older commit still blocks", [review("bob", "CHANGES_REQUESTED", "2025-01-01T01:00:00Z", OLD)], {}, 0, ["bob"]],
  ])("%s", (_what, reviews, input, have, blocked) => {
    const r = main(facts({ reviews }), input);
    expect(r.have).toBe(have);
    expect(r.blocked_by).toEqual(blocked);
  });

  it("never counts any of the agent's invokers (case-insensitively), unless allowed", () => {
    const f = facts({ reviews: [review("ALICE", "APPROVED", "2025-01-01T00:00:00Z")] });
    const verdict = { ...copilot, invoker: "inviter", invokers: ["inviter", "alice"] };
    const count = (input = {}) => {
      const p = policy(input);
      return requirement("reviewers", "reviewers", 1, p.reviewers.from, reviewState(f), requirementContext(p, f, verdict)).have;
    };
    expect(count()).toBe(0);
    expect(count({ reviewers: { invoker_can_approve: true } })).toBe(1);
    expect(invokerLogins(verdict)).toEqual(["inviter", "alice"]);
    expect(invokerLogins({ ...copilot, invoker: "Solo", invokers: [] })).toEqual(["solo"]);
  });

  it("never counts the PR author", () => {
    const f = facts({ pull: { user: { login: "alice", type: "User" } }, reviews: [review("alice", "APPROVED", "2025-01-01T00:00:00Z")] });
    expect(main(f).have).toBe(0);
  });

  it("does not count a human who pushed commits to the PR, unless allowed", () => {
    const pushed = commit("c2", "Tweak", {}, { author: { login: "alice", type: "User" }, committer: { login: "alice", type: "User" } });
    const f = facts({ commits: [commit(HEAD, "Fix"), pushed], reviews: [review("alice", "APPROVED", "2025-01-01T00:00:00Z")] });
    expect(main(f).have).toBe(0);
    expect(main(f, { reviewers: { contributors_can_approve: true } }).have).toBe(1);
  });

  it("does not make the author of a merge commit (Update branch) a contributor", () => {
    const merge = commit("m", "Merge main", {}, { author: { login: "alice", type: "User" }, parents: [{ sha: "a" }, { sha: "b" }] });
    expect(contributors(facts({ commits: [commit(HEAD, "Fix"), merge] }))).toEqual([]);
  });

  it("makes the maker of a merge committed by a person (not GitHub's web-flow) a contributor: its resolution may hold their changes", () => {
    const merge = commit("m", "Merge main", {}, { author: { login: "alice", type: "User" }, committer: { login: "alice", type: "User" }, parents: [{ sha: "a" }, { sha: "b" }] });
    expect(contributors(facts({ commits: [commit(HEAD, "Fix"), merge] }))).toEqual(["alice"]);
  });
});

describe("reviewState with commands", () => {
  it("a command bound to no commit (given before the app saw the head) does not replace the same person's review", () => {
    const f = facts({ reviews: [review("bob", "APPROVED", "2025-06-01T10:00:00Z")] });
    const unbound = { login: "bob", via: "command" as const, commit: null, at: "2025-06-01T11:00:00Z" };
    expect(reviewState(f, [unbound]).approvals).toEqual([{ login: "bob", via: "review", commit: HEAD, at: "2025-06-01T10:00:00Z" }]);
  });
});

describe("isEligible", () => {
  const f = facts();
  it.each([
    ["alice", anyWriter, true],
    ["reader", anyWriter, false],
    ["nobody", anyWriter, false],
    ["ALICE", { users: ["alice"], teams: [] }, true],
    ["dba1", { users: [], teams: ["acme/dba"] }, true],
    ["dba1", { users: [], teams: ["acme/dba"], min_permission: "admin" as const }, false],
  ])("%s for %j → %s", (login, set, ok) => {
    expect(isEligible(login, set, f)).toBe(ok);
  });
});

describe("describeRequirement", () => {
  const base = { rule: "r", label: "l", needed: 2, have: 1, approved_by: [], blocked_by: [] };
  it.each([
    [{ users: [], teams: [], min_permission: "write" as const }, "1 more approval from anyone with write permission or above"],
    [{ users: ["a"], teams: ["acme/dba"], min_permission: null }, "1 more approval from @a, @acme/dba"],
    [{ users: ["a"], teams: [], min_permission: "admin" as const }, "1 more approval from @a with admin permission or above"],
  ])("%j", (who, text) => {
    expect(describeRequirement({ ...base, ...who })).toBe(text);
  });
});

describe("agents' accounts are never approvers (issue 15, item 1)", () => {
  const at = "2025-01-01T00:00:00Z";
  const perms = { permissions: { "openhands-agent": "admin", cursoragent: "admin", "acme-agent": "admin", alice: "write" } } as const;

  it.each([
    ["openhands-agent", "an agent account (OpenHands)"],
    ["cursoragent", "an agent account (Cursor background agent)"],
    ["CursorAgent", "an agent account (Cursor background agent)"],
    ["acme-agent", "an agent account (in `agents.also.logins`)"],
    ["greenkeeperio-bot", "an automation account (Greenkeeper)"],
  ])("refusedApprover(%s): %s", (login, why) => {
    expect(refusedApprover(login, facts(), copilot, true, true, ["ACME-agent"])).toBe(why);
  });

  it("refuses nobody else for it", () => {
    // `copilot`: the registry pins Copilot's account to `type: Bot`, so a User of that name is a person.
    const f = facts({ pull: { user: { login: "carol", type: "User" } } });
    for (const login of ["alice", "copilot", "openhands", "cursor", "acme-agent-2"]) expect(refusedApprover(login, f, copilot, true, true, ["acme-agent"])).toBeNull();
  });

  it("a registry agent's account or a login in `agents.also.logins` with admin permission does not count, on another agent's PR", () => {
    const f = facts({ ...perms, reviews: [review("openhands-agent", "APPROVED", at), review("acme-agent", "APPROVED", at), review("cursoragent", "CHANGES_REQUESTED", at)] });
    const r = main(f, { agents: { also: { logins: ["acme-agent"] } } });
    expect(r).toMatchObject({ have: 0, approved_by: [], blocked_by: [] });
    expect(main({ ...f, reviews: [...f.reviews, review("alice", "APPROVED", at)] }, { agents: { also: { logins: ["acme-agent"] } } })).toMatchObject({ have: 1, approved_by: ["alice"] });
  });

  it("`refused` lists each refused approval with its reason: bots, agents' accounts, author, invoker, whatever its commit", () => {
    const bot = { ...review("ci-bot[bot]", "APPROVED", at), user: { login: "ci-bot[bot]", type: "Bot" } };
    const reviews = [
      bot,
      review("openhands-agent", "APPROVED", at),
      review("inviter", "APPROVED", at),
      review("alice", "APPROVED", at),
      review("cursoragent", "APPROVED", at, OLD),
    ];
    const f = facts({ ...perms, reviews });
    const p = policy();
    expect(refusedOf(f, p)).toEqual([
      { login: "ci-bot[bot]", via: "review", commit: HEAD, at, kind: "bot", reason: "a bot or app account" },
      { login: "openhands-agent", via: "review", commit: HEAD, at, kind: "bot", reason: "an agent account (OpenHands)" },
      { login: "inviter", via: "review", commit: HEAD, at, kind: "invoker", reason: "the agent's invoker" },
      // Of an older commit, and refused for who gave it: who decides (approving the head would not count either).
      { login: "cursoragent", via: "review", commit: OLD, at, kind: "bot", reason: "an agent account (Cursor background agent)" },
    ]);
  });

  it("a bot's later changes request, or its approval dismissed, takes its approval off the list", () => {
    const bot = (state: string, t: string) => ({ ...review("ci-bot[bot]", state, t), user: { login: "ci-bot[bot]", type: "Bot" } });
    const requested = facts({ reviews: [bot("APPROVED", "2025-01-01T00:00:00Z"), bot("CHANGES_REQUESTED", "2025-01-02T00:00:00Z")] });
    expect(refusedOf(requested)).toEqual([]);
    const dismissed = facts({ reviews: [bot("DISMISSED", "2025-01-01T00:00:00Z")] });
    expect(refusedOf(dismissed)).toEqual([]);
  });
});
