import { describe, expect, it } from "vitest";
import { PolicySchema, type PolicyInput } from "../../src/config/schema.js";
import { evaluate } from "../../src/policy/evaluate.js";
import { neededLookups } from "../../src/policy/lookups.js";
import { heldBy, limitsSet, oneIssueGroup, openPrsRule, siblingsOf } from "../../src/policy/swarm.js";
import type { PullFacts, PullRequestFacts } from "../../src/types.js";

const COPILOT = { login: "Copilot", id: 198982749, type: "Bot" };
const DEVIN = { login: "devin-ai-integration[bot]", id: 158243242, type: "Bot" };
const HUMAN = { login: "octo", id: 1, type: "User" };

const pr = (number: number, o: { by?: typeof COPILOT; body?: string; created?: string; assignees?: typeof HUMAN[] } = {}): PullRequestFacts => ({
  number,
  title: `PR ${number}`,
  body: o.body ?? "",
  state: "open",
  user: o.by ?? COPILOT,
  head: { ref: `copilot/fix-${number}`, sha: String(number).padStart(40, "0") },
  base: { ref: "main", repo: { full_name: "acme/app" } },
  labels: [],
  html_url: `https://github.com/acme/app/pull/${number}`,
  created_at: o.created ?? `2026-11-${String(number).padStart(2, "0")}T10:00:00Z`,
  assignees: o.assignees ?? [],
});

const policyOf = (limits: PolicyInput["limits"]) => PolicySchema.parse({ limits });
const factsOf = (self: PullRequestFacts, open: PullRequestFacts[] | undefined): PullFacts => ({
  pull: self,
  files: [],
  commits: [],
  reviews: [],
  comments: [],
  ...(open ? { open_pulls: open } : {}),
});

describe("limits.open_prs", () => {
  const open = [pr(1), pr(2), pr(3, { by: DEVIN }), pr(4), pr(5, { by: HUMAN })];
  const policy = policyOf({ open_prs: { per_agent: 2 } });

  it("the oldest stay in the budget; a newer PR of the same agent is held, with the others linked", () => {
    expect(openPrsRule(policy, factsOf(pr(2), open))).toEqual({ id: "limits.open_prs", status: "pass", message: "Within the open-PR limits: Copilot coding agent has 3 open PRs here (at most 2)." });
    expect(openPrsRule(policy, factsOf(pr(4), open))).toEqual({
      id: "limits.open_prs",
      status: "pending",
      message:
        "Held: over the open-PR limit. Copilot coding agent has 3 open PRs here (at most 2); older ones in the budget: [#1](https://github.com/acme/app/pull/1), [#2](https://github.com/acme/app/pull/2).",
      fix: "Merge or close an older agent PR: this one is evaluated again when one closes (`/governance recheck` does it now). An override lets it pass meanwhile.",
    });
    // Devin's one PR is its own budget; the human PR is not counted.
    expect(openPrsRule(policy, factsOf(pr(3, { by: DEVIN }), open))?.status).toBe("pass");
  });

  it("orders by creation, then number, whatever the list's order; the PR itself is counted even when the list predates it", () => {
    expect(siblingsOf(policy, [pr(4), pr(2), pr(1)]).map((s) => s.number)).toEqual([1, 2, 4]);
    const sameTime = [pr(9, { created: "2026-11-01T00:00:00Z" }), pr(8, { created: "2026-11-01T00:00:00Z" })];
    expect(siblingsOf(policy, sameTime).map((s) => s.number)).toEqual([8, 9]);
    expect(openPrsRule(policy, factsOf(pr(6), [pr(1), pr(2)]))?.status).toBe("pending");
  });

  it("per invoker, across agents: the human who set them going (Devin's `Requested by:`, Copilot's human assignee)", () => {
    const p = policyOf({ open_prs: { per_invoker: 1 } });
    const byOcto = (n: number, by = COPILOT) => (by === DEVIN ? pr(n, { by, body: "Requested by: @octo" }) : pr(n, { by, assignees: [HUMAN] }));
    const list = [byOcto(1, DEVIN), byOcto(2)];
    expect(openPrsRule(p, factsOf(byOcto(2), list))?.message).toBe(
      "Held: over the open-PR limit. @octo has 2 open agent PRs here (at most 1); older ones in the budget: [#1](https://github.com/acme/app/pull/1).",
    );
    // No invoker known: no per-invoker budget.
    expect(openPrsRule(p, factsOf(pr(2), [pr(1), pr(2)]))).toBeNull();
  });

  it("holds with `action_required` and a title that says so; nothing is read or checked without the list", () => {
    const e = evaluate({ policy: policyOf({ open_prs: { per_agent: 1 } }), facts: factsOf(pr(2), [pr(1), pr(2)]), now: "2026-11-20T00:00:00Z" });
    expect([e.outcome, e.conclusion, e.title]).toEqual(["waiting", "action_required", "Held: over the open-PR limit"]);
    // Without the list (a facts file for `explain`): said, not counted as within the limits.
    const missing = { status: "skipped", message: "The open PRs were not read (the facts have no `open_pulls`): the limits were not counted." };
    expect(openPrsRule(policy, factsOf(pr(4), undefined))).toEqual({ id: "limits.open_prs", ...missing });
    expect(openPrsRule(policyOf({ one_per_issue: true }), factsOf(pr(4), undefined))).toEqual({ id: "limits.one_per_issue", ...missing });
    expect(openPrsRule(PolicySchema.parse({}), factsOf(pr(4), undefined))).toBeNull();
    expect(neededLookups(policy, factsOf(pr(4), undefined)).openPulls).toBe(true);
    expect(neededLookups(PolicySchema.parse({}), factsOf(pr(4), undefined)).openPulls).toBeUndefined();
    expect(neededLookups(policy, factsOf(pr(4, { by: HUMAN }), undefined)).openPulls).toBeUndefined();
    expect([limitsSet(PolicySchema.parse({})), limitsSet(policy), limitsSet(policyOf({ one_per_issue: true }))]).toEqual([false, true, true]);
  });
});

describe("limits.one_per_issue", () => {
  const policy = policyOf({ one_per_issue: true });
  const list = [pr(1, { body: "Fixes #12" }), pr(2, { by: DEVIN, body: "Closes acme/app#12 and refs #13" }), pr(3, { body: "See #12" }), pr(4, { body: "Fixes other/repo#12" })];

  it("a second agent PR linking the same issue needs a maintainer's approval, naming the first", () => {
    expect(oneIssueGroup(policy, factsOf(list[0]!, list))).toBeNull();
    expect(oneIssueGroup(policy, factsOf(list[1]!, list))).toEqual({
      rule: "limits.one_per_issue",
      label: "a second PR for #12",
      required: 1,
      set: { users: [], teams: [], min_permission: "maintain" },
      files: [],
      names: [],
      what: "A second agent PR for #12: [#1](https://github.com/acme/app/pull/1) (Copilot coding agent) links it already",
    });
    // A mention without a linking word, or another repository's #12, is no link.
    expect(oneIssueGroup(policy, factsOf(list[2]!, list))).toBeNull();
    expect(oneIssueGroup(policy, factsOf(list[3]!, list))).toBeNull();
  });

  it("waits for the approval, which a maintainer's review gives", () => {
    const facts = { ...factsOf(list[1]!, list), reviews: [{ id: 1, user: { login: "maint", type: "User" }, state: "APPROVED", commit_id: list[1]!.head.sha, submitted_at: "2026-11-19T00:00:00Z" }] };
    const p = PolicySchema.parse({ limits: { one_per_issue: true }, reviewers: { required: 0 } });
    const waiting = evaluate({ policy: p, facts: { ...facts, permissions: { maint: "write" } }, now: "2026-11-20T00:00:00Z" });
    expect(waiting.rules.find((r) => r.id === "limits.one_per_issue")).toMatchObject({ status: "pending" });
    expect(waiting.conclusion).toBe("action_required");
    const released = evaluate({ policy: p, facts: { ...facts, permissions: { maint: "maintain" } }, now: "2026-11-20T00:00:00Z" });
    expect(released.rules.find((r) => r.id === "limits.one_per_issue")).toMatchObject({ status: "pass" });
    expect(released.conclusion).toBe("success");
  });
});

describe("heldBy: what a closed PR releases", () => {
  it("the newer PRs of its agent, invoker or issue that were held, at most 5, oldest first", () => {
    const policy = policyOf({ open_prs: { per_agent: 1 }, one_per_issue: true });
    const open = [pr(2), pr(3, { by: DEVIN, body: "Fixes #7" }), pr(4), ...[5, 6, 7, 8, 9, 10].map((n) => pr(n))];
    expect(heldBy(policy, pr(1, { body: "Fixes #7" }), open)).toEqual([2, 3, 4, 5, 6]);
    // A PR newer than the closed one is never held by it; nor is anything without limits.
    expect(heldBy(policy, pr(20), open)).toEqual([]);
    expect(heldBy(PolicySchema.parse({}), pr(1), open)).toEqual([]);
  });
});
