import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PolicySchema, type PolicyInput } from "../../src/config/schema.js";
import { planEscalation } from "../../src/output/escalation.js";
import { planReviewRequests } from "../../src/output/plan.js";
import { poolOrder, poolPicks } from "../../src/output/pool.js";
import type { Evaluation, PullFacts } from "../../src/types.js";

const AT = "2026-11-01T00:00:00.000Z";
const waiting: Evaluation = {
  agent: { detected: true, id: "copilot", name: "Copilot coding agent", kind: "agent", confidence: "high", evidence: [], invoker: "inv", invokers: ["inv"] },
  mode: "enforce",
  outcome: "waiting",
  conclusion: "action_required",
  title: "Waiting",
  rules: [],
  required: [{ rule: "reviewers", label: "reviewers", needed: 1, have: 0, users: [], teams: [], min_permission: "write", approved_by: [], blocked_by: [] }],
  approvals: [],
  overrides: [],
  head_sha: "abc",
  evaluated_at: AT,
};
const POOL = ["alice", "bob", "carol", "dave", "erin", "acme/maintainers"];
const policy = (request: NonNullable<PolicyInput["reviewers"]>["request"], more: PolicyInput = {}) => PolicySchema.parse({ ...more, reviewers: { ...more.reviewers, request } });
const facts = (over: Partial<PullFacts["pull"]> = {}, more: Partial<PullFacts> = {}): PullFacts => ({
  pull: { number: 7, title: "t", body: "", user: { login: "Copilot", id: 198982749, type: "Bot" }, head: { ref: "copilot/x", sha: "abc" }, base: { ref: "main", repo: { full_name: "acme/app" } }, ...over },
  files: [],
  commits: [],
  reviews: [],
  comments: [],
  ...more,
});
const requests = (p: ReturnType<typeof policy>, f: PullFacts, e: Evaluation = waiting) => planReviewRequests(e, f, p, planEscalation(e, f, p, new Date(AT)));

describe("reviewers.request: a pool", () => {
  it("asks `count` of the pool in the PR's order, the same order on every evaluation", () => {
    const order = poolOrder(POOL, "acme/app", 7);
    expect([...order].sort()).toEqual([...POOL].sort());
    expect(poolOrder([...POOL].reverse(), "ACME/App", 7)).toEqual(order);
    const picks = poolPicks(policy({ count: 2, from: POOL }), facts(), new Set());
    expect(picks).toEqual(order.slice(0, 2));
  });

  it("gives another PR another order (the draw is per PR)", () => {
    const orders = new Set([1, 2, 3, 4, 5, 6, 7, 8].map((n) => poolOrder(POOL, "acme/app", n).join(",")));
    expect(orders.size).toBeGreaterThan(1);
  });

  it("those already asked, or who reviewed, count towards `count`; nobody more is asked once it is reached", () => {
    const p = policy({ count: 2, from: POOL });
    const [first, second, third] = poolOrder(POOL, "acme/app", 7).filter((w) => !w.includes("/"));
    expect(poolPicks(p, facts({ requested_reviewers: [{ login: first! }] }), new Set())).not.toContain(first);
    expect(poolPicks(p, facts({ requested_reviewers: [{ login: first! }] }), new Set())).toHaveLength(1);
    const reviewed = facts({}, { reviews: [{ id: 1, user: { login: second!, type: "User" }, state: "COMMENTED" }, { id: 2, user: { login: third!, type: "User" }, state: "APPROVED" }] });
    expect(poolPicks(p, reviewed, new Set())).toEqual([]);
    // Someone outside the pool does not count.
    expect(poolPicks(p, facts({ requested_reviewers: [{ login: "zed" }] }), new Set())).toHaveLength(2);
  });

  it("a requested team counts by its slug", () => {
    const p = policy({ count: 1, from: ["acme/maintainers", "alice"] });
    expect(poolPicks(p, facts({ requested_teams: [{ slug: "maintainers" }] }), new Set())).toEqual([]);
  });

  it("never picks the author, an invoker, a contributor, a bot, an agent's account or another organization's team", () => {
    const p = policy({ count: 15, from: ["Copilot", "inv", "contrib", "dependabot[bot]", "acme-agent", "other/team", "acme/devs", "zoe"] }, { agents: { also: { logins: ["acme-agent"] } } });
    const f = facts({}, { commits: [{ sha: "abc", commit: { message: "m" }, author: { login: "contrib", type: "User" }, committer: { login: "web-flow", type: "User" } }] });
    const body = requests(p, f);
    expect(body.reviewers.sort()).toEqual(["zoe"]);
    expect(body.team_reviewers).toEqual(["devs"]);
  });

  it("is requested with the other review requests, only while the PR waits and is not a draft", () => {
    const p = policy({ count: 1, from: ["alice"] });
    expect(requests(p, facts())).toEqual({ reviewers: ["alice"], team_reviewers: [] });
    expect(requests(p, facts({ draft: true }))).toEqual({ reviewers: [], team_reviewers: [] });
    expect(requests(p, facts(), { ...waiting, outcome: "passed" })).toEqual({ reviewers: [], team_reviewers: [] });
    expect(requests(policy({ count: 1, from: ["alice"] }, { escalation: { request_reviews: false } }), facts())).toEqual({ reviewers: [], team_reviewers: [] });
    expect(requests(PolicySchema.parse({}), facts())).toEqual({ reviewers: [], team_reviewers: [] });
  });

  it("picks are stable whatever else changes: a push (new head) or a new review asks nobody new before `count` is met", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 5 }), fc.subarray(POOL), (number, count, reviewed) => {
        const p = policy({ count, from: POOL });
        const base = facts({ number });
        const picks = poolPicks(p, base, new Set());
        const after = facts({ number, head: { ref: "x", sha: "def" } }, { reviews: reviewed.filter((w) => !w.includes("/")).map((login, i) => ({ id: i, user: { login, type: "User" }, state: "COMMENTED" })) });
        // Every later pick was an earlier pick or comes after all of them in the PR's order: nobody ranked ahead is skipped.
        const order = poolOrder(POOL, "acme/app", number);
        const last = Math.max(-1, ...picks.map((w) => order.indexOf(w)));
        for (const w of poolPicks(p, after, new Set())) expect(picks.includes(w) || order.indexOf(w) > last).toBe(true);
        expect(picks.length).toBe(Math.min(count, POOL.length));
      }),
    );
  });
});
