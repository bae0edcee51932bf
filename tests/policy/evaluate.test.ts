import { describe, expect, it } from "vitest";
import { authorize } from "../../src/commands/authorize.js";
import { parseCommand } from "../../src/commands/parse.js";
import type { PolicyInput } from "../../src/config/schema.js";
import { effectivePolicy, evaluate, isGoverned, policyErrorEvaluation, policyFilesChanged } from "../../src/policy/evaluate.js";
import { neededLookups } from "../../src/policy/lookups.js";
import type { AgentVerdict, PullFacts } from "../../src/types.js";
import { commit, copilot, dependabot, facts, file, HEAD, human, NOW, OLD, policy, review, unknownAgent } from "./build.js";

const run = (input: PolicyInput, f: PullFacts, verdict: AgentVerdict = copilot) => evaluate({ policy: policy(input), facts: f, now: NOW, verdict });
const approved = [review("alice", "APPROVED", "2025-05-01T00:00:00Z")];

describe("which PRs are governed", () => {
  it.each<[string, PolicyInput, AgentVerdict, boolean]>([
    ["an agent PR", {}, copilot, true],
    ["a human PR", {}, human, false],
    ["a human PR with govern_humans", { agents: { govern_humans: true } }, human, true],
    ["a dependency bot", {}, dependabot, true],
    ["a dependency bot with govern_automation off", { agents: { govern_automation: false } }, dependabot, false],
  ])("%s → %s", (_what, input, verdict, governed) => {
    expect(isGoverned(policy(input), verdict)).toBe(governed);
    expect(run(input, facts(), verdict).outcome === "not_governed").toBe(!governed);
  });
  it("says a human PR is not governed, and passes it", () => {
    const e = run({}, facts(), human);
    expect(e).toMatchObject({ outcome: "not_governed", conclusion: "success", title: "No agent detected: not governed", rules: [], required: [] });
  });
});

describe("overrides: matched by agent id, automation, unknown and *", () => {
  const input: PolicyInput = {
    reviewers: { required: 1 },
    overrides: [
      { agents: ["automation"], reviewers: { required: 0 } },
      { agents: ["unknown"], reviewers: { required: 2 } },
      { agents: ["Copilot"], paths: { forbidden: ["infra/**"] } },
      { agents: ["*"], compliance: { linked_issue: true } },
    ],
  };
  it.each<[string, AgentVerdict, number, string[], boolean]>([
    ["copilot (case-insensitive id, and *)", copilot, 1, ["infra/**"], true],
    ["a dependency bot (automation, and *)", dependabot, 0, [], true],
    ["an unknown agent (unknown, and *)", unknownAgent, 2, [], true],
    ["a human (none)", human, 1, [], false],
  ])("%s", (_what, verdict, required, forbidden, linked) => {
    const p = effectivePolicy(policy(input), verdict);
    expect(p.reviewers.required).toBe(required);
    expect(p.paths.forbidden).toEqual(forbidden);
    expect(p.compliance.linked_issue).toBe(linked);
  });
  it("merges mappings key by key and replaces lists; a later entry wins", () => {
    const p = effectivePolicy(
      policy({
        reviewers: { required: 2, from: { teams: ["acme/maintainers"] } },
        paths: { forbidden: ["a/**", "b/**"] },
        overrides: [
          { agents: ["copilot"], reviewers: { required: 1 }, paths: { forbidden: ["c/**"] } },
          { agents: ["*"], reviewers: { required: 3 } },
        ],
      }),
      copilot,
    );
    expect(p.reviewers).toMatchObject({ required: 3, from: { teams: ["acme/maintainers"] }, stale_on_push: true });
    expect(p.paths.forbidden).toEqual(["c/**"]);
  });
  it("puts one agent in report mode", () => {
    const e = run({ paths: { forbidden: ["src/**"] }, overrides: [{ agents: ["copilot"], mode: "report" }] }, facts());
    expect(e).toMatchObject({ mode: "report", outcome: "violation", conclusion: "neutral", title: "Report only: Policy violation: paths.forbidden" });
  });
});

describe("overrides with base_branches: only for PRs into those branches", () => {
  const input: PolicyInput = {
    reviewers: { required: 1 },
    overrides: [
      { agents: ["*"], base_branches: ["release/**", "main"], reviewers: { required: 2 } },
      { agents: ["copilot"], base_branches: ["release/**"], paths: { forbidden: ["src/**"] } },
    ],
  };
  it.each<[string, string | null | undefined, number, string[]]>([
    ["into a release branch: both entries", "release/1.2", 2, ["src/**"]],
    ["into main: the first", "main", 2, []],
    ["into another branch: neither", "feature/x", 1, []],
    ["a glob does not match a longer name", "mainline", 1, []],
    ["an unknown base: neither", undefined, 1, []],
  ])("%s", (_what, base, required, forbidden) => {
    const p = effectivePolicy(policy(input), copilot, base);
    expect(p.reviewers.required).toBe(required);
    expect(p.paths.forbidden).toEqual(forbidden);
  });
  it("the evaluation reads the PR's base branch", () => {
    expect(run(input, facts({ reviews: approved, pull: { base: { ref: "develop" } } }))).toMatchObject({ outcome: "passed" });
    expect(run(input, facts({ reviews: approved, pull: { base: { ref: "release/2.0" } } }))).toMatchObject({
      outcome: "violation",
      title: "Policy violation: paths.forbidden",
    });
    expect(run(input, facts({ reviews: approved }))).toMatchObject({ outcome: "waiting", title: "Waiting for 1 human approval" });
  });
});

describe("a reviewer's review and command approval", () => {
  it("a review approving the head counts after the same person's command approved an earlier commit", () => {
    const f = facts({
      commits: [
        commit(OLD, "First try", { committer: { date: "2025-05-01T00:00:00Z" } }),
        commit(HEAD, "Second try", { committer: { date: "2025-05-03T00:00:00Z" } }),
      ],
      comments: [{ id: 1, user: { login: "alice", type: "User" }, body: "/governance approve", created_at: "2025-05-02T00:00:00Z" }],
      reviews: [review("alice", "APPROVED", "2025-05-04T00:00:00Z")],
    });
    const e = run({}, f);
    expect(e).toMatchObject({ outcome: "passed", title: "Policy satisfied" });
    expect(e.approvals).toEqual([{ login: "alice", via: "review", commit: HEAD, at: "2025-05-04T00:00:00Z", counted_for: ["reviewers"] }]);
  });
});

describe("stale_on_push: false", () => {
  it("lets an approval of an older commit count for the reviewers, never for a later change to an agent-steering file", () => {
    const e = evaluate({
      policy: policy({ reviewers: { stale_on_push: false } }),
      facts: facts({ files: [file("src/a.ts"), file(".github/workflows/release.yml")], reviews: [review("bob", "APPROVED", "2025-06-01T09:00:00Z", OLD)], permissions: { bob: "admin" } }),
      now: NOW,
      verdict: copilot,
    });
    expect(e.rules.find((r) => r.id === "reviewers")?.status).toBe("pass");
    expect(e.rules.find((r) => r.id === "paths.agent_files")?.status).toBe("pending");
  });
});

describe("head.shared: other open PRs with the same head commit share its check run", () => {
  it("fails, naming them, and no override passes it (the check would carry it to the other PRs)", () => {
    const f = facts({
      shared_head: [7, 9],
      reviews: approved,
      comments: [{ id: 1, user: { login: "root", type: "User" }, body: "/governance override hotfix", created_at: "2025-05-02T00:00:00Z" }],
      permissions: { alice: "write", root: "admin" },
    });
    const e = run({}, f);
    expect(e).toMatchObject({ outcome: "violation", conclusion: "failure", title: "Policy violation: head.shared", overrides: [] });
    expect(e.rules.find((r) => r.id === "head.shared")).toEqual({
      id: "head.shared",
      status: "fail",
      message:
        "The head commit `c0ffee0` is also the head of #7, #9. GitHub keeps one check run per commit, so this check would say the same for every PR with this head, whatever their bases, changes and approvals; no override applies.",
      fix: "Close the other PR (this one is then evaluated again), or push a distinct commit to one of them (an empty commit will do) and `/governance recheck` the other.",
    });
  });
  it("is silent when the head is this PR's alone, or was not read", () => {
    expect(run({}, facts({ shared_head: [], reviews: approved })).rules.map((r) => r.id)).not.toContain("head.shared");
    expect(run({}, facts({ reviews: approved })).rules.map((r) => r.id)).not.toContain("head.shared");
  });
});

describe("commits.incomplete: GitHub lists at most 250 commits", () => {
  // 250 listed commits, the last one the head, dated before the comments.
  const listed = Array.from({ length: 250 }, (_, i) =>
    commit(i === 249 ? HEAD : String(i).padStart(40, "a"), `Step ${i}`, { committer: { date: "2025-05-01T00:00:00Z" } }),
  );
  const at = (id: number, login: string, body: string) => ({ id, user: { login, type: "User" }, body, created_at: "2025-05-02T00:00:00Z" });
  const commands = [at(1, "alice", "/governance approve"), at(2, "bob", "/governance override hotfix")];
  const capped = (extra: Partial<PullFacts> = {}) => facts({ pull: { commits: 312 }, commits: listed, ...extra });

  it("fails when GitHub counts more commits than it listed, saying how to proceed", () => {
    const e = run({ reviewers: { required: 0 } }, capped());
    expect(e).toMatchObject({ outcome: "violation", conclusion: "failure", title: "Policy violation: commits.incomplete" });
    expect(e.rules).toEqual([
      {
        id: "commits.incomplete",
        status: "fail",
        message:
          "GitHub lists only the first 250 commits of a PR; it reports 312 commits but listed 250. " +
          "The commit rules (signatures, sign-offs, AI disclosure) and the list of commit authors, who may not approve, cannot see the other 62, " +
          "and a `/governance` command cannot be tied to a commit, so `/governance approve` and `/governance override` do not count.",
        fix: "Squash the commits (or rebase them into fewer than 250) and force-push, or split the change into smaller PRs.",
      },
    ]);
  });

  it("counts no command: an approval or override could be from before commits GitHub did not list", () => {
    const input: PolicyInput = { paths: { forbidden: ["src/**"] } };
    const e = run(input, capped({ comments: commands }));
    expect(e).toMatchObject({ outcome: "violation", title: "Policy violation: commits.incomplete, paths.forbidden", approvals: [], overrides: [] });
    // The same commands on a PR whose commits are all listed count.
    const complete = run(input, facts({ pull: { commits: 250 }, commits: listed, comments: commands }));
    expect(complete).toMatchObject({ outcome: "overridden", title: "Overridden by @bob" });
    expect(complete.approvals.map((a) => `${a.login} ${a.via}`)).toEqual(["alice command"]);
  });

  it.each<[string, Partial<PullFacts["pull"]>]>([
    ["as many as listed", { commits: 250 }],
    ["fewer than listed (a push since the PR was read)", { commits: 3 }],
    ["no count (a hand-written snapshot)", {}],
  ])("is absent when GitHub counts %s", (_what, pull) => {
    const e = run({}, facts({ pull, commits: listed, reviews: approved }));
    expect(e.rules.map((r) => r.id)).toEqual(["reviewers"]);
  });

  it("applies only to governed PRs", () => {
    expect(run({}, capped(), human)).toMatchObject({ outcome: "not_governed", rules: [] });
  });
});

describe("outcome, conclusion and title", () => {
  it.each<[string, PolicyInput, Partial<PullFacts>, string, string, string]>([
    ["approved", {}, { reviews: approved }, "passed", "success", "Policy satisfied"],
    ["waiting for one approval", {}, {}, "waiting", "action_required", "Waiting for 1 human approval"],
    ["waiting for two", { reviewers: { required: 2 } }, {}, "waiting", "action_required", "Waiting for 2 human approvals"],
    ["changes requested", {}, { reviews: [...approved, review("bob", "CHANGES_REQUESTED", "2025-05-02T00:00:00Z")] }, "waiting", "action_required", "Changes requested by a reviewer"],
    ["waiting for checks", { compliance: { required_checks: ["ci"] } }, { reviews: approved }, "waiting", "action_required", "Waiting for required checks"],
    ["a violation beats waiting", { paths: { forbidden: ["src/**"] } }, {}, "violation", "failure", "Policy violation: paths.forbidden"],
    ["several violations", { paths: { forbidden: ["src/**"], limits: { max_files: 1 } }, compliance: { linked_issue: true } }, { pull: { changed_files: 5, body: "" } as never }, "violation", "failure", "Policy violation: paths.incomplete, paths.forbidden, paths.limits, compliance.linked_issue"],
    ["report mode never blocks", { mode: "report" }, {}, "waiting", "neutral", "Report only: Waiting for 1 human approval"],
    ["no approvals required", { reviewers: { required: 0 } }, {}, "passed", "success", "Policy satisfied"],
  ])("%s", (_what, input, extra, outcome, conclusion, title) => {
    const e = run(input, facts(extra as never));
    expect({ outcome: e.outcome, conclusion: e.conclusion, title: e.title }).toEqual({ outcome, conclusion, title });
  });

  it("needs both the main reviewers and a restricted group's reviewers, and counts one approval for both", () => {
    const input: PolicyInput = { paths: { restricted: [{ name: "migrations", paths: ["db/**"], reviewers: { teams: ["acme/dba"] } }] } };
    const f = facts({ files: [file("db/001.sql")] });
    const waiting = run(input, { ...f, reviews: approved });
    expect(waiting.required.map((r) => r.rule)).toEqual(["paths.restricted[0]"]);
    expect(waiting.rules.find((r) => r.id === "paths.restricted[0]")).toEqual({
      id: "paths.restricted[0]",
      status: "pending",
      message: "Changes to migrations (`db/001.sql`): 0/1 approvals; needs 1 more approval from @acme/dba.",
      fix: "An eligible reviewer approves the latest commit (a review, or `/governance approve`).",
      locations: [{ path: "db/001.sql", message: "Needs approval: 1 more approval from @acme/dba." }],
    });
    const done = run(input, { ...f, reviews: [review("dba1", "APPROVED", "2025-05-01T00:00:00Z")] });
    expect(done.outcome).toBe("passed");
    expect(done.approvals).toEqual([{ login: "dba1", via: "review", commit: f.pull.head.sha, at: "2025-05-01T00:00:00Z", counted_for: ["reviewers", "paths.restricted[0]"] }]);
  });

  it("turns dependency changes into a requirement for the named group", () => {
    const e = run({ compliance: { dependencies: { reviewers: { users: ["bob"] } } } }, facts({ files: [file("package-lock.json")], reviews: approved }));
    expect(e.required).toEqual([
      { rule: "compliance.dependencies", label: "dependency manifests and lockfiles", needed: 1, have: 0, users: ["bob"], teams: [], min_permission: null, approved_by: [], blocked_by: [] },
    ]);
    expect(e.rules.find((r) => r.id === "compliance.dependencies")?.status).toBe("pending");
  });

  it("is deterministic and takes its time from the input", () => {
    const a = run({}, facts());
    expect(a.evaluated_at).toBe("2025-06-01T12:00:00.000Z");
    expect(run({}, facts())).toEqual(a);
  });
});

describe("the agent's invoker", () => {
  const devin = { login: "devin-ai-integration[bot]", id: 158243242, type: "Bot" };
  // Devin's PR says a decoy requested it; the real requester is the co-author of its commit.
  const decoy = facts({
    pull: { user: devin, head: { ref: "devin/1718000000-fix", sha: HEAD }, body: "Link to Devin run: https://app.devin.ai/sessions/abc\nRequested by: @decoy" },
    commits: [
      commit(
        HEAD,
        "Fix the parser\n\nCo-authored-by: Real <4242+realdev@users.noreply.github.com>",
        { author: { name: "Devin AI", email: "158243242+devin-ai-integration[bot]@users.noreply.github.com" } },
        { author: devin },
      ),
    ],
    reviews: [review("realdev", "APPROVED", "2025-05-01T00:00:00Z")],
    comments: [{ id: 1, user: { login: "realdev", type: "User" }, body: "/governance approve", created_at: "2025-05-01T00:01:00Z" }],
    permissions: { alice: "write", realdev: "write", decoy: "write" },
  });

  it("a decoy Requested by line does not make the real requester, a commit's co-author, an eligible approver", () => {
    const e = evaluate({ policy: policy(), facts: decoy, now: NOW });
    expect(e.agent).toMatchObject({ id: "devin", invoker: "decoy", invokers: ["decoy", "realdev"] });
    expect({ outcome: e.outcome, title: e.title, approvals: e.approvals }).toEqual({ outcome: "waiting", title: "Waiting for 1 human approval", approvals: [] });
    expect(e.rules.find((r) => r.id === "reviewers")?.message).toBe(
      "Human review: 0/1 approvals; needs 1 more approval from anyone with write permission or above.",
    );
    expect(authorize(parseCommand("/governance approve")!, { login: "RealDev", type: "User" }, decoy, policy(), e.agent)).toEqual({
      ok: false,
      reason: "you are the agent's invoker, and the agent's invoker cannot approve this PR",
    });
  });

  it("the decoy named by the line cannot approve either; an independent reviewer can", () => {
    const byDecoy = evaluate({ policy: policy(), facts: { ...decoy, reviews: [review("decoy", "APPROVED", "2025-05-01T00:00:00Z")] }, now: NOW });
    expect(byDecoy.outcome).toBe("waiting");
    const byAlice = evaluate({ policy: policy(), facts: { ...decoy, reviews: [...decoy.reviews, review("alice", "APPROVED", "2025-05-01T00:00:00Z")] }, now: NOW });
    expect(byAlice.outcome).toBe("passed");
    expect(byAlice.approvals.map((a) => a.login)).toEqual(["alice"]);
  });

  it("every invoker may approve when the policy allows it", () => {
    const e = evaluate({ policy: policy({ reviewers: { invoker_can_approve: true } }), facts: decoy, now: NOW });
    expect(e.outcome).toBe("passed");
    expect(e.approvals.map((a) => a.login)).toEqual(["realdev"]);
  });
});

describe("policyErrorEvaluation", () => {
  it("blocks an agent PR, naming the file, line and problem", () => {
    const e = policyErrorEvaluation(
      facts({ pull: { user: { login: "Copilot", id: 198982749, type: "Bot" } } }),
      [{ file: ".github/agent-governance.yml", line: 3, col: 5, path: "reviewers.requird", message: "unknown key `requird`" }],
      NOW,
    );
    expect(e.conclusion).toBe("failure");
    expect(e.rules[0]!.message).toBe(
      "The policy file is invalid:\n.github/agent-governance.yml:3:5: unknown key `requird`\nUntil it is fixed every pull request fails this check: the app cannot tell which ones the file was meant to govern.",
    );
  });

  const problem = { file: "acme/app:.github/agent-governance.yml", line: 3, col: 5, path: "reviewers.requird", message: "unknown key `requird`" };
  const human = { user: { login: "dev", id: 1, type: "User" }, head: { ref: "fix", sha: facts().pull.head.sha }, base: { ref: "main", repo: { full_name: "acme/app" } } };

  it("blocks a PR with no agent detected too: the broken file may be what governed it (never neutral)", () => {
    const e = policyErrorEvaluation(facts({ pull: human, commits: [] }), [problem], NOW);
    expect(e).toMatchObject({ outcome: "error", conclusion: "failure", rules: [{ id: "policy", status: "fail" }] });
    expect(e.agent.detected).toBe(false);
  });

  it("tells the PR that repairs the file how to merge it; lists 20 problems and counts the rest", () => {
    const repair = facts({ pull: human, files: [{ filename: ".github/agent-governance.yml", status: "modified" }] });
    const e = policyErrorEvaluation(repair, Array.from({ length: 22 }, () => problem), NOW);
    expect(e.conclusion).toBe("failure");
    expect(e.rules[0]!.fix).toMatch(/^This pull request changes `\.github\/agent-governance\.yml`, but the policy is read from the default branch/);
    expect(e.rules[0]!.message.split("\n").slice(20, 22)).toEqual(["acme/app:.github/agent-governance.yml:3:5: unknown key `requird`", "… and 2 more (`agent-governance validate` lists them all)"]);
  });

  it("counts as the repair a PR changing the broken `_extends` base in its own repository, not a same-named file elsewhere", () => {
    const base = { ...problem, file: "acme/app:.github/base.yml" };
    const touching = (filename: string, previous?: string) => facts({ pull: human, files: [{ filename, status: "renamed", ...(previous ? { previous_filename: previous } : {}) }] });
    expect(policyFilesChanged(touching(".github/base.yml"), [base])).toEqual([".github/base.yml"]);
    expect(policyFilesChanged(touching(".github/renamed.yml", ".github/base.yml"), [base])).toEqual([".github/base.yml"]);
    expect(policyFilesChanged(touching(".github/base.yml"), [{ ...base, file: "acme/.github:.github/base.yml" }])).toEqual([]);
    expect(policyFilesChanged(touching("src/app.ts"), [base])).toEqual([]);
  });
});

describe("neededLookups", () => {
  const input: PolicyInput = {
    reviewers: { from: { teams: ["acme/maintainers"] } },
    overrides: [{ agents: ["copilot"], compliance: { required_checks: ["ci"], dependencies: { reviewers: { teams: ["acme/deps"] } } } }],
  };
  it("asks for reviewers' permissions, the applying policy's teams, and checks it requires", () => {
    const f = facts({ reviews: approved, comments: [{ id: 1, user: { login: "bob", type: "User" }, body: "/governance approve", created_at: NOW }] });
    expect(neededLookups(policy(input), f, copilot)).toEqual({ logins: ["alice", "bob"], teams: ["acme/maintainers"], checks: true, sharedHead: true });
  });
  it("asks for a group's team only when the PR touches that group's files", () => {
    const f = facts({ reviews: approved, files: [{ filename: "package.json", status: "modified", additions: 1, deletions: 0 }] });
    expect(neededLookups(policy(input), f, copilot).teams).toEqual(["acme/deps", "acme/maintainers"]);
  });
  it("skips teams when nobody reviewed, and checks for a PR the policy does not govern", () => {
    expect(neededLookups(policy(input), facts(), copilot)).toEqual({ logins: [], teams: [], checks: true, sharedHead: true });
    expect(neededLookups(policy(input), facts({ reviews: approved }), human)).toEqual({ logins: ["alice"], teams: [], checks: false, sharedHead: false });
  });
  it("never looks up an agent's account: it is refused whatever its permission (issue 15, item 1)", () => {
    const f = facts({ reviews: [review("openhands-agent", "APPROVED", NOW), review("acme-agent", "APPROVED", NOW), review("alice", "APPROVED", NOW)] });
    expect(neededLookups(policy({ agents: { also: { logins: ["acme-agent"] } } }), f, copilot).logins).toEqual(["alice"]);
  });
  it("never looks up the author or bots", () => {
    const f = facts({ reviews: [{ ...review("x[bot]", "APPROVED", NOW), user: { login: "x[bot]", type: "Bot" } }, review("Copilot", "COMMENTED", NOW)] });
    expect(neededLookups(policy(), f, copilot).logins).toEqual([]);
  });
});
