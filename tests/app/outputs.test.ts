/**
 * What reviewers see: the escalation comment, labels, review requests, tiers
 * (also reached by the sweep with a fixed clock), redelivery, and the Re-check button.
 */
import examples from "@octokit/webhooks-examples";
import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { sweep } from "../../src/handlers/sweep.js";
import {
  API,
  HEAD_SHA,
  INSTALLATION_ID,
  REPO_PATH,
  mockCheckRun,
  mockCheckRunCreate,
  mockEscalation,
  mockLabels,
  mockPolicy,
  mockPolicyNotModified,
  mockPr,
  mockReviewRequest,
  mockToken,
  pullObject,
  pullRequestPayload,
  receive,
  review,
  reviewPayload,
  setupApp,
  teardown,
  HOW_TO_ACT,
  HUMAN,
  VIA_APP,
  waitingOutputs,
} from "../helpers/app.js";
import { sealed } from "../helpers/ledger.js";

// The example PR was opened at 2019-05-15T15:20:33Z; the clock is one hour later.
const OPENED = "2019-05-15T15:20:33Z";
const ONE_HOUR_LATER = "2019-05-15T16:20:33.000Z";
const A_DAY_LATER = "2019-05-16T16:20:33.000Z";

const POLICY = `
reviewers:
  required: 1
  from: { teams: [Codertocat/maintainers] }
escalation:
  tiers:
    - { after: 0h, notify: [Codertocat/maintainers] }
    - { after: 24h, notify: [Codertocat/leads, octocat], label: escalated }
`;

const BOT = { login: "agent-governance[bot]", id: 1, type: "Bot" };
/** The head of a human's PR (#3) beside the agent PR in the sweep's list. */
const HUMAN_HEAD = "3".repeat(40);


const TIER1_COMMENT = [
  "<!-- agent-governance:escalation -->",
  "### 👀 This agent PR needs human review",
  "",
  "Opened by **Copilot coding agent**. Before it can merge:",
  "",
  "- ⏳ **reviewers**: 1 more approval from @Codertocat/maintainers",
  "",
  "cc @Codertocat/maintainers (escalation tier 1, after 0h)",
  "",
  HOW_TO_ACT + `\n<!-- agent-governance:state {"notified":{"0":"${ONE_HOUR_LATER}"}} -->`,
].join("\n");

/** What the app recorded when it notified tier 1 an hour after the PR opened: the wait's start and the tier. */
const TIER1_LEDGER = sealed({ invokers: [], escalation: { notified: { "0": ONE_HOUR_LATER }, started: ONE_HOUR_LATER } });

/** Our check run on the head as that evaluation left it: the app's record is in its (hidden) text. */
const TIER1_RUN = {
  id: 777,
  name: "Agent Governance",
  head_sha: HEAD_SHA,
  status: "completed",
  conclusion: "action_required",
  started_at: ONE_HOUR_LATER,
  output: { title: "Waiting for 1 human approval", summary: "", text: TIER1_LEDGER },
  app: { id: 123, slug: "agent-governance" },
};

afterEach(() => teardown());

describe("escalation comment, labels and review requests", () => {
  it("posts the first escalation: tier 1 mentioned, its team asked for review, labels added", async () => {
    const app = setupApp({ now: ONE_HOUR_LATER });
    mockToken();
    mockPolicy(POLICY);
    mockPr({ opened: true });
    const labels = mockLabels({ add: ["agent-pr", "needs-human-review"] });
    const request = mockReviewRequest();
    const comment = mockEscalation();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload());
    expect(comment.body()).toBe(TIER1_COMMENT);
    expect(request.body()).toEqual({ reviewers: [], team_reviewers: ["maintainers"] });
    expect(labels.bodies.at(-1)).toEqual({ labels: ["agent-pr", "needs-human-review"] });
    expect(check.body()?.conclusion).toBe("action_required");
    expect(nock.isDone()).toBe(true);
  });

  it("follows the `overrides` entry that applies to the PR (its agent, into its base): its tiers, who may override, whom to ask", async () => {
    const app = setupApp({ now: ONE_HOUR_LATER });
    mockToken();
    // The example PR merges into `master`: this entry applies; the base policy has no tiers and admins override.
    mockPolicy(
      "overrides:\n  - agents: [copilot]\n    base_branches: [master]\n    escalation: { tiers: [{ after: 0h, notify: [octocat] }] }\n    commands: { override: { min_permission: maintain } }\n",
    );
    mockPr({ opened: true });
    mockLabels({ add: ["agent-pr", "needs-human-review"] });
    const request = mockReviewRequest();
    const comment = mockEscalation();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload());
    expect(comment.body()).toBe(
      [
        "<!-- agent-governance:escalation -->",
        "### 👀 This agent PR needs human review",
        "",
        "Opened by **Copilot coding agent**. Before it can merge:",
        "",
        "- ⏳ **reviewers**: 1 more approval from anyone with write permission or above",
        "",
        "cc @octocat (escalation tier 1, after 0h)",
        "",
        HOW_TO_ACT.replace("(admin permission)", "(maintain permission or above)") + `\n<!-- agent-governance:state {"notified":{"0":"${ONE_HOUR_LATER}"}} -->`,
      ].join("\n"),
    );
    expect(request.body()).toEqual({ reviewers: ["octocat"], team_reviewers: [] });
    // The check run says the same about who may override.
    expect((check.body()?.output as { summary: string }).summary).toContain("`/governance override [7d] <reason>` (maintain permission or above)");
    expect(nock.isDone()).toBe(true);
  });

  it("ignores an escalation comment another bot forged (all tiers 'notified'): the app posts its own and notifies tier 1", async () => {
    const app = setupApp({ now: ONE_HOUR_LATER });
    const forged = {
      id: 8001,
      user: { login: "Copilot", id: 198982749, type: "Bot" },
      performed_via_github_app: { id: 1143301, slug: "copilot-swe-agent" },
      body: `<!-- agent-governance:escalation -->\nnothing to see\n<!-- agent-governance:state {"notified":{"0":"${ONE_HOUR_LATER}"}} -->`,
      created_at: ONE_HOUR_LATER,
    };
    mockToken();
    mockPolicy(POLICY);
    mockPr({ pull: { ...pullObject(), labels: [{ name: "agent-pr" }] }, comments: [forged] });
    mockLabels({ add: ["needs-human-review"] });
    mockReviewRequest();
    const comment = mockEscalation();
    mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
    expect(comment.body()).toBe(TIER1_COMMENT); // posted anew, tier 1 mentioned; the forged comment is neither edited nor deleted
    expect(nock.isDone()).toBe(true);
  });

  it("updates the same comment in place to resolved after an approval, and removes the waiting label", async () => {
    const app = setupApp({ now: ONE_HOUR_LATER });
    mockToken();
    mockPolicy(POLICY);
    mockPr({
      pull: { ...pullObject(), labels: [{ name: "agent-pr" }, { name: "needs-human-review" }] },
      reviews: [review({ login: "alice" })],
      comments: [{ id: 9001, user: BOT, performed_via_github_app: VIA_APP, body: TIER1_COMMENT, created_at: ONE_HOUR_LATER }],
      permissions: { alice: "write" },
      teams: { "Codertocat/maintainers": ["alice"] },
    });
    mockLabels({ remove: ["needs-human-review"] });
    const comment = mockEscalation({ update: 9001 });
    const check = mockCheckRun(TIER1_RUN);
    await receive(app, "pull_request_review", reviewPayload({ reviewer: { login: "alice", id: 5001, type: "User" } }));
    expect(comment.body()).toBe(
      [
        "<!-- agent-governance:escalation -->",
        "### ✅ Resolved",
        "",
        "The policy is satisfied on `ec26c3e`: approved by @alice.",
        "",
        `<!-- agent-governance:state {"notified":{"0":"${ONE_HOUR_LATER}"},"paused":true} -->`,
      ].join("\n"),
    );
    expect(check.body()?.conclusion).toBe("success");
    expect(nock.isDone()).toBe(true);
  });

  it("writes nothing when the same webhook is delivered again", async () => {
    // First delivery: capture what the app wrote.
    let app = setupApp({ now: ONE_HOUR_LATER });
    mockToken();
    mockPolicy(POLICY);
    mockPr({ opened: true });
    mockLabels({ add: ["agent-pr", "needs-human-review"] });
    mockReviewRequest();
    const comment = mockEscalation();
    const check = mockCheckRun();
    const payload = pullRequestPayload();
    await receive(app, "pull_request", payload);
    const first = check.body() as { conclusion: string; output: { title: string; summary: string } };
    teardown();

    // Redelivery of the same `opened` payload: GitHub now holds those writes, so only reads may
    // happen (a write has no mock here and would fail the test).
    app = setupApp({ now: ONE_HOUR_LATER });
    mockToken();
    mockPolicy(POLICY);
    mockPr({
      pull: { ...pullObject(), labels: [{ name: "agent-pr" }, { name: "needs-human-review" }], requested_teams: [{ slug: "maintainers" }] },
      comments: [{ id: 9001, user: BOT, performed_via_github_app: VIA_APP, body: comment.body(), created_at: ONE_HOUR_LATER }],
    });
    nock(API)
      .get(`${REPO_PATH}/commits/${HEAD_SHA}/check-runs`)
      .query(true)
      .reply(200, { total_count: 1, check_runs: [{ id: 555, status: "completed", conclusion: first.conclusion, output: first.output }] });
    const redelivered = structuredClone(payload) as { pull_request: { labels: { name: string }[]; requested_teams: { slug: string }[] } };
    // The payload is the original; labels and requested teams written since are not in it.
    await receive(app, "pull_request", redelivered as never);
    expect(app.logs.find((l) => l.msg === "evaluated")?.writes).toEqual({ check: "unchanged" });
  });

  it("notes a refused review request in the summary and logs it, without failing", async () => {
    // The check run is read back on the next event (memo off), so that its write shows the note carried.
    const app = setupApp({ now: ONE_HOUR_LATER, memo: false });
    mockToken();
    mockPolicy(POLICY);
    mockPr({ opened: true });
    mockLabels({ add: ["agent-pr", "needs-human-review"] });
    mockReviewRequest(true);
    mockEscalation();
    const check = mockCheckRun();
    // The verdict is written first; the refusal's note follows in an update.
    let updated: Record<string, unknown> | undefined;
    nock(API).patch(`${REPO_PATH}/check-runs/555`, (b) => ((updated = b), true)).reply(200, { id: 555 });
    await receive(app, "pull_request", pullRequestPayload());
    expect((check.body()?.output as { summary: string }).summary).not.toContain("**Notes:**");
    const summary = (updated?.output as { summary: string }).summary;
    expect(summary.endsWith(
      "**Notes:**\n- GitHub refused the review request for team `maintainers`: Reviews may only be requested from collaborators. One or more of the teams you specified is not a collaborator of the Codertocat/Hello-World repository.. Check that they have access to this repository.",
    )).toBe(true);
    expect(app.logs.some((l) => l.decision === "review_request_refused")).toBe(true);
    expect(nock.isDone()).toBe(true);

    // The next event does not ask again (for an hour): the note is in the verdict's first write, and nothing is refused anew.
    mockPolicyNotModified();
    mockPr({ pull: { ...pullObject(), labels: [{ name: "agent-pr" }, { name: "needs-human-review" }] } });
    const again = mockCheckRun({ id: 555, status: "completed", conclusion: "action_required", started_at: ONE_HOUR_LATER, app: { id: 123 }, output: { title: "x", summary: "" } });
    await receive(app, "pull_request", pullRequestPayload({ action: "reopened" }));
    expect((again.body()?.output as { summary: string }).summary).toBe(summary);
    expect(nock.isDone()).toBe(true);
  });
});

describe("policy warnings", () => {
  it("shows what validate would warn about in the check summary, without blocking on it", async () => {
    const app = setupApp({ now: ONE_HOUR_LATER });
    mockToken();
    mockPolicy('paths:\n  forbidden: ["src/**.ts"]\n');
    mockPr({ opened: true });
    waitingOutputs();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload());
    const body = check.body() as { conclusion: string; output: { summary: string } };
    expect(body.conclusion).toBe("action_required");
    expect(body.output.summary).toMatch(/\*\*Notes:\*\*\n- Policy warning: Codertocat\/Hello-World:\.github\/agent-governance\.yml:2:15: .*src\/\*\*\.ts/);
    expect(nock.isDone()).toBe(true);
  });
});

describe("escalation tiers over time", () => {
  it("the sweep notifies tier 2 after 24 hours: mention, review request, tier label, comment edited in place", async () => {
    const app = setupApp({ now: A_DAY_LATER });
    const tier1Comment = { id: 9001, user: BOT, performed_via_github_app: VIA_APP, body: TIER1_COMMENT, created_at: ONE_HOUR_LATER };
    nock(API)
      .get("/app/installations")
      .query(true)
      .reply(200, [{ id: INSTALLATION_ID, account: { login: "Codertocat" } }])
      .get("/installation/repositories")
      .query(true)
      .reply(200, { total_count: 1, repositories: [{ name: "Hello-World", owner: { login: "Codertocat" } }] })
      .get(`${REPO_PATH}/pulls`)
      .query({ state: "open", per_page: 100 })
      .reply(200, [
        { ...pullObject(), labels: [{ name: "agent-pr" }, { name: "needs-human-review" }] },
        // A human's PR without labels: our check run on its head passed it (not governed), so it is not evaluated.
        { ...pullObject({ author: HUMAN, headSha: HUMAN_HEAD }), number: 3, labels: [] },
      ])
      .get(`${REPO_PATH}/commits/${HUMAN_HEAD}/check-runs`)
      .query(true)
      .reply(200, { total_count: 1, check_runs: [{ ...TIER1_RUN, id: 778, head_sha: HUMAN_HEAD, conclusion: "success", output: { title: "No agent detected: not governed", summary: "" } }] });
    mockToken();
    mockPolicy(POLICY);
    mockPolicyNotModified(); // the evaluation re-reads the policy the sweep just read: a 304
    mockPr({
      pull: { ...pullObject(), created_at: OPENED, labels: [{ name: "agent-pr" }, { name: "needs-human-review" }], requested_teams: [{ slug: "maintainers" }] },
      comments: [tier1Comment],
    });
    const labels = mockLabels({ add: ["escalated"] });
    const request = mockReviewRequest();
    const comment = mockEscalation({ update: 9001 });
    const check = mockCheckRun(TIER1_RUN);
    const asked: Record<string, string>[] = [];
    check.scope.on("request", (req: { path: string }) => {
      if (req.path.includes("/check-runs?")) asked.push(Object.fromEntries(new URL(req.path, API).searchParams));
    });
    const stats = await sweep(app.probot, () => new Date(A_DAY_LATER));
    expect(asked).toEqual([{ check_name: "Agent Governance", filter: "latest", per_page: "10", app_id: "123" }]); // only this app's check runs
    expect(stats).toEqual({ installations: 1, repositories: 1, pulls: 2, evaluated: 1, errors: 0 });
    expect(request.body()).toEqual({ reviewers: ["octocat"], team_reviewers: ["leads"] });
    expect(labels.bodies.at(-1)).toEqual({ labels: ["escalated"] });
    expect(comment.body()).toBe(
      [
        "<!-- agent-governance:escalation -->",
        "### 👀 This agent PR needs human review",
        "",
        "Opened by **Copilot coding agent**. Before it can merge:",
        "",
        "- ⏳ **reviewers**: 1 more approval from @Codertocat/maintainers",
        "",
        "cc @Codertocat/maintainers (escalation tier 1, after 0h)",
        "cc @Codertocat/leads @octocat (escalation tier 2, after 24h)",
        "",
        HOW_TO_ACT + `\n<!-- agent-governance:state {"notified":{"0":"${ONE_HOUR_LATER}","1":"${A_DAY_LATER}"}} -->`,
      ].join("\n"),
    );
    expect(check.body()?.conclusion).toBe("action_required");
    expect(nock.isDone()).toBe(true);
  });
});

describe("the sweep, for tiers set only in an `overrides` entry", () => {
  it("lists the repository's open PRs (a tier there falls due without an event too)", async () => {
    const app = setupApp({ now: A_DAY_LATER });
    const pulls = nock(API)
      .get("/app/installations").query(true).reply(200, [{ id: INSTALLATION_ID, account: { login: "Codertocat" } }])
      .get("/installation/repositories").query(true).reply(200, { total_count: 1, repositories: [{ name: "Hello-World", owner: { login: "Codertocat" } }] })
      .get(`${REPO_PATH}/pulls`).query({ state: "open", per_page: 100 }).reply(200, []);
    mockToken();
    mockPolicy("overrides:\n  - agents: [copilot]\n    escalation: { tiers: [{ after: 24h, notify: [octocat] }] }\n");
    const stats = await sweep(app.probot, () => new Date(A_DAY_LATER));
    expect(pulls.isDone()).toBe(true);
    expect(stats).toEqual({ installations: 1, repositories: 1, pulls: 0, evaluated: 0, errors: 0 });
  });
});

describe("an escalation that falls due while GitHub fails is not lost", () => {
  it("a sweep that cannot read the PR leaves it blocked; the next sweep notifies the tier", async () => {
    const app = setupApp({ now: A_DAY_LATER });
    const tier1Comment = { id: 9001, user: BOT, performed_via_github_app: VIA_APP, body: TIER1_COMMENT, created_at: ONE_HOUR_LATER };
    const listing = () =>
      nock(API)
        .get("/app/installations").query(true).reply(200, [{ id: INSTALLATION_ID, account: { login: "Codertocat" } }])
        .get("/installation/repositories").query(true).reply(200, { total_count: 1, repositories: [{ name: "Hello-World", owner: { login: "Codertocat" } }] })
        .get(`${REPO_PATH}/pulls`).query(true).reply(200, [{ ...pullObject(), labels: [{ name: "agent-pr" }, { name: "needs-human-review" }] }]);
    const openPull = { ...pullObject(), created_at: OPENED, labels: [{ name: "agent-pr" }, { name: "needs-human-review" }], requested_teams: [{ slug: "maintainers" }] };

    // First sweep: GitHub fails to list the PR's files.
    listing();
    mockToken();
    mockPolicy(POLICY);
    mockPolicyNotModified();
    nock(API)
      .get(`${REPO_PATH}/pulls/2`).reply(200, openPull)
      .get(`${REPO_PATH}/pulls/2/files`).query(true).reply(502, "bad gateway")
      .get(`${REPO_PATH}/pulls/2/commits`).query(true).reply(200, [])
      .get(`${REPO_PATH}/pulls/2/reviews`).query(true).reply(200, [])
      .get(`${REPO_PATH}/issues/2/comments`).query(true).reply(200, [tier1Comment]);
    await sweep(app.probot, () => new Date(A_DAY_LATER));
    expect(app.logs.some((l) => l.decision === "error")).toBe(true);
    expect(nock.isDone()).toBe(true);

    // Next sweep: GitHub answers; the tier that fell due meanwhile is notified.
    listing();
    mockPolicyNotModified();
    mockPolicyNotModified();
    mockPr({ pull: openPull, comments: [tier1Comment] });
    mockLabels({ add: ["escalated"] });
    const request = mockReviewRequest();
    const comment = mockEscalation({ update: 9001 });
    mockCheckRun(TIER1_RUN);
    await sweep(app.probot, () => new Date(A_DAY_LATER));
    expect(request.body()).toEqual({ reviewers: ["octocat"], team_reviewers: ["leads"] });
    expect(comment.body()).toContain("cc @Codertocat/leads @octocat (escalation tier 2, after 24h)");
    expect(nock.isDone()).toBe(true);
  });
});

describe("a closed PR", () => {
  /** A violating PR closing asks which open PRs shared its head: GitHub lists only this one. */
  const noTwins = () => nock(API).get(`${REPO_PATH}/commits/${HEAD_SHA}/pulls`).reply(200, [{ number: 2, state: "closed", head: { sha: HEAD_SHA } }]);

  it("its escalation comment says it was merged and the waiting label goes; nothing is evaluated", async () => {
    const app = setupApp({ now: ONE_HOUR_LATER });
    mockToken();
    mockPolicy(POLICY);
    nock(API)
      .get(`${REPO_PATH}/issues/2/comments`)
      .query(true)
      .reply(200, [{ id: 9001, user: BOT, performed_via_github_app: VIA_APP, body: TIER1_COMMENT, created_at: ONE_HOUR_LATER }]);
    const comment = mockEscalation({ update: 9001 });
    mockLabels({ remove: ["needs-human-review"] });
    const payload = pullRequestPayload({ action: "closed" }) as { pull_request: Record<string, unknown> };
    payload.pull_request.merged = true;
    payload.pull_request.labels = [{ name: "agent-pr" }, { name: "needs-human-review" }];
    await receive(app, "pull_request", payload);
    expect(comment.body()).toBe(
      [
        "<!-- agent-governance:escalation -->",
        "### Merged",
        "",
        "This PR was merged; nothing more is needed from reviewers.",
        "",
        `<!-- agent-governance:state {"notified":{"0":"${ONE_HOUR_LATER}"},"paused":true} -->`,
      ].join("\n"),
    );
    expect(nock.isDone()).toBe(true);
  });

  it("a violating PR closed re-evaluates the open PRs that shared its head commit (their head.shared failure may be over)", async () => {
    const app = setupApp({ now: ONE_HOUR_LATER });
    mockToken();
    mockPolicy(null);
    nock(API).get(`${REPO_PATH}/issues/7/comments`).query(true).reply(200, []);
    nock(API).delete(`${REPO_PATH}/issues/7/labels/agent-policy-violation`).reply(200, []);
    nock(API)
      .get(`${REPO_PATH}/commits/${HEAD_SHA}/pulls`)
      .reply(200, [
        { number: 7, state: "closed", head: { sha: HEAD_SHA } },
        { number: 2, state: "open", head: { sha: HEAD_SHA } },
      ]);
    // #2, alone with the head now, waits for its reviewer again.
    mockPolicy(null);
    mockPr();
    waitingOutputs();
    const check = mockCheckRun();
    const payload = pullRequestPayload({ action: "closed" }) as { pull_request: Record<string, unknown> };
    payload.pull_request.number = 7;
    payload.pull_request.labels = [{ name: "agent-pr" }, { name: "agent-policy-violation" }];
    await receive(app, "pull_request", payload);
    expect(check.body()).toMatchObject({ conclusion: "action_required", output: { title: "Waiting for 1 human approval" } });
    expect(nock.isDone()).toBe(true);
  });

  it("the labels go by the names the policy gives them; a label of the same name as a default is left alone", async () => {
    const app = setupApp({ now: ONE_HOUR_LATER });
    mockToken();
    mockPolicy("escalation:\n  labels: { needs_review: waiting-for-humans, violation: Broke-A-Rule }\n");
    nock(API).get(`${REPO_PATH}/issues/2/comments`).query(true).reply(200, []);
    mockLabels({ remove: ["Waiting-For-Humans", "broke-a-rule"] });
    noTwins();
    const payload = pullRequestPayload({ action: "closed" }) as { pull_request: Record<string, unknown> };
    payload.pull_request.labels = [{ name: "agent-pr" }, { name: "Waiting-For-Humans" }, { name: "broke-a-rule" }, { name: "needs-human-review" }];
    await receive(app, "pull_request", payload);
    // A DELETE of any other label has no mock and would be logged as a handler error.
    expect(nock.isDone()).toBe(true);
    expect(app.logs.filter((l) => l.decision).map((l) => l.decision)).toEqual(["closed"]);
  });

  it("after an evaluation here, the labels go by the names of the policy it read, without asking for the policy again", async () => {
    const app = setupApp({ now: ONE_HOUR_LATER });
    const custom = "escalation:\n  labels: { needs_review: waiting-for-humans }\n";
    mockToken();
    mockPolicy(custom);
    mockPr({ opened: true });
    const added = mockLabels({ add: ["agent-pr", "waiting-for-humans"] });
    mockEscalation();
    mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload());
    expect(added.bodies.at(-1)).toEqual({ labels: ["agent-pr", "waiting-for-humans"] });
    // Closed: the escalation comment the app wrote is closed (remembered: not listed) and the label removed; no policy read.
    const closing = mockEscalation({ update: 9001 });
    mockLabels({ remove: ["waiting-for-humans"] });
    const payload = pullRequestPayload({ action: "closed" }) as { pull_request: Record<string, unknown> };
    payload.pull_request.labels = [{ name: "agent-pr" }, { name: "waiting-for-humans" }, { name: "needs-human-review" }];
    await receive(app, "pull_request", payload);
    expect(closing.body()).toBe('<!-- agent-governance:escalation -->\n### Closed\n\nThis PR was closed; nothing more is needed from reviewers.\n\n<!-- agent-governance:state {"notified":{},"paused":true} -->');
    expect(nock.isDone()).toBe(true);
    expect(app.logs.filter((l) => l.decision).map((l) => l.decision)).toContain("closed");
    expect(app.logs.filter((l) => l.decision === "handler_error" || l.decision === "policy_unreadable")).toEqual([]);
  });

  it("with no policy (or one that cannot be read) the default names go", async () => {
    const app = setupApp({ now: ONE_HOUR_LATER });
    mockToken();
    nock(API).get(`${REPO_PATH}/issues/2/comments`).query(true).reply(200, []);
    nock(API).get(`${REPO_PATH}/contents/.github%2Fagent-governance.yml`).reply(500, { message: "Server Error" });
    mockLabels({ remove: ["agent-policy-violation"] });
    noTwins();
    const payload = pullRequestPayload({ action: "closed" }) as { pull_request: Record<string, unknown> };
    payload.pull_request.labels = [{ name: "agent-pr" }, { name: "agent-policy-violation" }];
    await receive(app, "pull_request", payload);
    expect(nock.isDone()).toBe(true);
    expect(app.logs.filter((l) => l.decision).map((l) => l.decision)).toEqual(["policy_unreadable", "closed"]);
  });

  it("an unlabelled PR closing costs no request", async () => {
    const app = setupApp({ now: ONE_HOUR_LATER });
    const payload = pullRequestPayload({ action: "closed", author: { login: "Codertocat", id: 21031067, type: "User" } }) as { pull_request: Record<string, unknown> };
    payload.pull_request.labels = [];
    await receive(app, "pull_request", payload);
    // Any request would find no mock (the network is off) and be logged as a failure.
    expect(app.logs.filter((l) => l.decision === "closed" || l.decision === "handler_error")).toEqual([]);
  });
});

describe("a PR converted back to draft", () => {
  it("loses the needs-human-review label (drafts are not escalated); its check still blocks", async () => {
    const app = setupApp({ now: ONE_HOUR_LATER });
    mockToken();
    mockPolicy(null);
    mockPr({ pull: { ...pullObject(), draft: true, labels: [{ name: "agent-pr" }, { name: "needs-human-review" }] } });
    mockLabels({ remove: ["needs-human-review"] });
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "converted_to_draft" }));
    expect(check.body()?.conclusion).toBe("action_required");
    // No escalation comment and no review request for a draft: those would have no mock.
    expect(nock.isDone()).toBe(true);
    expect(app.logs.filter((l) => l.decision === "error" || l.decision === "handler_error")).toEqual([]);
  });
});

describe("label events", () => {
  it("our own label writes echo back as events (sent by a bot) and are not re-evaluated", async () => {
    const app = setupApp({ now: ONE_HOUR_LATER });
    mockToken();
    mockPolicy(null); // asked once (no policy: the default label names), then trusted for a while
    for (const action of ["labeled", "unlabeled"]) {
      const payload = pullRequestPayload({ action }) as Record<string, unknown>;
      payload.label = { name: "needs-human-review" };
      payload.sender = BOT;
      await receive(app, "pull_request", payload);
    }
    // Any other request would fail and be logged.
    expect(nock.isDone()).toBe(true);
    expect(app.logs.filter((l) => l.decision || l.msg === "evaluated" || (l.level as number) >= 40)).toEqual([]);
  });

  it("our own writes of labels the policy renames cost one policy read for the pair (it is trusted for a minute), not an evaluation", async () => {
    const app = setupApp({ now: ONE_HOUR_LATER });
    mockToken();
    mockPolicy("escalation:\n  labels: { agent: ai-pr, needs_review: ai-needs-review, violation: ai-violation }\n");
    for (const name of ["ai-pr", "AI-Needs-Review"]) {
      const payload = pullRequestPayload({ action: "labeled" }) as Record<string, unknown>;
      payload.label = { name };
      payload.sender = BOT;
      await receive(app, "pull_request", payload);
    }
    expect(nock.isDone()).toBe(true);
    expect(app.logs.filter((l) => l.decision || l.msg === "evaluated" || (l.level as number) >= 40)).toEqual([]);
  });

  it.each([
    ["a label the policy also detects agents by (a labeler workflow marking an agent PR)", "ai-generated", "agents:\n  also:\n    labels: [ai-generated]\nescalation:\n  labels: { agent: ai-generated }\n"],
    ["a detection label that is also a default label name", "agent-pr", "agents:\n  also:\n    labels: [agent-pr]\n"],
  ])("a bot adding %s is evaluated", async (_what, label, policyText) => {
    const app = setupApp({ now: ONE_HOUR_LATER });
    mockToken();
    mockPolicy(policyText);
    mockPolicyNotModified();
    mockPr();
    mockLabels({ add: [label, "needs-human-review"] });
    mockEscalation();
    mockCheckRun();
    const payload = pullRequestPayload({ action: "labeled" }) as Record<string, unknown>;
    payload.label = { name: label };
    payload.sender = { login: "github-actions[bot]", id: 41898282, type: "Bot" };
    await receive(app, "pull_request", payload);
    expect(app.logs.filter((l) => l.msg === "evaluated")).toHaveLength(1);
    expect(nock.isDone()).toBe(true);
  });

  it("a person removing the agent label is re-evaluated, and the label comes back", async () => {
    const app = setupApp({ now: ONE_HOUR_LATER });
    mockToken();
    mockPolicy(null);
    mockPr({ pull: { ...pullObject(), labels: [{ name: "needs-human-review" }] } });
    const labels = mockLabels({ add: ["agent-pr"] });
    mockEscalation();
    const check = mockCheckRun();
    const payload = pullRequestPayload({ action: "unlabeled" }) as Record<string, unknown>;
    payload.label = { name: "agent-pr" };
    payload.sender = { login: "Codertocat", id: 21031067, type: "User" };
    await receive(app, "pull_request", payload);
    expect(labels.bodies).toEqual([{ name: "agent-pr", color: "6f42c1", description: "Managed by agent-governance" }, { labels: ["agent-pr"] }]);
    expect(check.body()?.conclusion).toBe("action_required");
    expect(nock.isDone()).toBe(true);
  });

  it("another label (a detection signal) re-evaluates", async () => {
    const app = setupApp({ now: ONE_HOUR_LATER });
    mockToken();
    mockPolicy(null);
    mockPr();
    waitingOutputs();
    const check = mockCheckRun();
    const payload = pullRequestPayload({ action: "labeled" }) as Record<string, unknown>;
    payload.label = { name: "ai-generated" };
    await receive(app, "pull_request", payload);
    expect(check.body()?.conclusion).toBe("action_required");
  });
});

describe("status events", () => {
  function statusPayload(context: string) {
    const group = (examples as unknown as { name: string; examples: Record<string, unknown>[] }[]).find((e) => e.name === "status")!;
    const payload = structuredClone(group.examples[0]!);
    payload.installation = { id: INSTALLATION_ID };
    payload.sha = HEAD_SHA;
    payload.context = context;
    return payload;
  }
  const POLICY_FOR_COPILOT = "overrides:\n  - agents: [copilot]\n    compliance: { required_checks: [ci/jenkins] }\n";

  it("a status an `overrides` entry requires re-evaluates the commit's PRs", async () => {
    const app = setupApp({ now: ONE_HOUR_LATER });
    mockToken();
    mockPolicy(POLICY_FOR_COPILOT);
    mockPolicyNotModified();
    nock(API).get(`${REPO_PATH}/commits/${HEAD_SHA}/pulls`).reply(200, [{ number: 2, state: "open", head: { sha: HEAD_SHA } }]);
    mockPr();
    nock(API)
      .get(`${REPO_PATH}/commits/${HEAD_SHA}/check-runs`)
      .query(true)
      .reply(200, { total_count: 0, check_runs: [] })
      .get(`${REPO_PATH}/commits/${HEAD_SHA}/statuses`)
      .query(true)
      .reply(200, [{ context: "ci/jenkins", state: "success" }]);
    waitingOutputs();
    // The head's check runs are listed once: ours (none yet) is found among them.
    const check = mockCheckRunCreate();
    await receive(app, "status", statusPayload("ci/jenkins"));
    expect((check.body()?.output as { summary: string }).summary).toContain("| ✅ | `compliance.required_checks` |");
    expect(nock.isDone()).toBe(true);
  });

  it("a status nothing requires reads nothing but the policy", async () => {
    const app = setupApp({ now: ONE_HOUR_LATER });
    mockToken();
    mockPolicy(POLICY_FOR_COPILOT);
    await receive(app, "status", statusPayload("coverage/coveralls"));
    expect(nock.isDone()).toBe(true);
    expect(app.logs.filter((l) => l.decision || l.msg === "evaluated")).toEqual([]);
  });

  it("in a repository without a policy file, a burst of statuses asks for it once; a PR event still asks", async () => {
    const app = setupApp({ now: ONE_HOUR_LATER });
    mockToken();
    mockPolicy(null); // the repository's and the organisation's `.github`: 404, once
    await receive(app, "status", statusPayload("ci/jenkins"));
    await receive(app, "status", statusPayload("ci/lint")); // nock would refuse a second read: an error logged
    expect(nock.isDone()).toBe(true);
    expect(app.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);

    mockPolicy(null);
    mockPr();
    waitingOutputs();
    mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
    expect(nock.isDone()).toBe(true);
  });
});

describe("check_run events", () => {
  const REPO_ID = 186853002;
  /** An entry of `check_run.pull_requests` as GitHub sends it: a PR whose base is in repository `repoId`. */
  function listedPull(number: number, repoId: number) {
    const repo = { id: repoId, url: `${API}/repos/someone/Hello-World`, name: "Hello-World" };
    return { url: `${API}/repos/someone/Hello-World/pulls/${number}`, id: 1000 + number, number, head: { ref: "changes", sha: HEAD_SHA, repo }, base: { ref: "main", sha: "f".repeat(40), repo } };
  }
  function checkRunPayload(action: "rerequested" | "requested_action", identifier?: string) {
    const group = (examples as unknown as { name: string; examples: Record<string, unknown>[] }[]).find((e) => e.name === "check_run")!;
    const payload = structuredClone(group.examples.find((x) => x.action === action)!) as Record<string, unknown> & {
      check_run: { head_sha: string; pull_requests: unknown[] };
      repository: Record<string, unknown>;
    };
    payload.installation = { id: INSTALLATION_ID };
    payload.repository = { ...payload.repository, id: REPO_ID, name: "Hello-World", full_name: "Codertocat/Hello-World", owner: { login: "Codertocat", id: 21031067, type: "User" } };
    payload.check_run.head_sha = HEAD_SHA;
    payload.check_run.pull_requests = [listedPull(2, REPO_ID)];
    if (identifier) payload.requested_action = { identifier };
    return payload;
  }

  it("re-evaluates on the Re-check button", async () => {
    const app = setupApp({ now: ONE_HOUR_LATER });
    mockToken();
    mockPolicy(null);
    mockPr();
    waitingOutputs();
    const check = mockCheckRun();
    await receive(app, "check_run", checkRunPayload("requested_action", "recheck"));
    expect(check.body()?.conclusion).toBe("action_required");
    expect(nock.isDone()).toBe(true);
  });

  it("re-evaluates on a re-run request", async () => {
    const app = setupApp({ now: ONE_HOUR_LATER });
    mockToken();
    mockPolicy(null);
    mockPr();
    waitingOutputs();
    const check = mockCheckRun();
    await receive(app, "check_run", checkRunPayload("rerequested"));
    expect(check.body()?.output).toMatchObject({ title: "Waiting for 1 human approval" });
  });

  it("writes the check run on a re-run even when nothing changed (GitHub reset the suite and waits for it)", async () => {
    let app = setupApp({ now: ONE_HOUR_LATER });
    mockToken();
    mockPolicy(null);
    mockPr();
    mockLabels({ add: ["agent-pr", "needs-human-review"] });
    const comment = mockEscalation();
    const first = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
    const written = first.body() as { conclusion: string; output: { title: string; summary: string } };
    teardown();

    app = setupApp({ now: ONE_HOUR_LATER });
    mockToken();
    mockPolicy(null);
    mockPr({ pull: { ...pullObject(), labels: [{ name: "agent-pr" }, { name: "needs-human-review" }] }, comments: [{ id: 9001, user: BOT, performed_via_github_app: VIA_APP, body: comment.body(), created_at: ONE_HOUR_LATER }] });
    const again = mockCheckRun({ id: 555, status: "completed", conclusion: written.conclusion, output: written.output, started_at: ONE_HOUR_LATER, head_sha: HEAD_SHA });
    await receive(app, "check_run", checkRunPayload("rerequested"));
    expect(again.body()).toMatchObject({ conclusion: written.conclusion, output: { title: written.output.title } });
    expect(app.logs.find((l) => l.msg === "evaluated")?.writes).toEqual({ check: "updated" });
  });

  it("re-evaluates on \"Re-run all checks\" (check_suite.rerequested), for the suite's PR in this repository", async () => {
    const app = setupApp({ now: ONE_HOUR_LATER });
    const group = (examples as unknown as { name: string; examples: Record<string, unknown>[] }[]).find((e) => e.name === "check_suite")!;
    const payload = structuredClone(group.examples.find((x) => x.action === "rerequested")!);
    payload.installation = { id: INSTALLATION_ID };
    mockToken();
    mockPolicy(null);
    mockPr();
    waitingOutputs();
    const check = mockCheckRun();
    await receive(app, "check_suite", payload);
    expect(check.body()?.output).toMatchObject({ title: "Waiting for 1 human approval" });
    expect(nock.isDone()).toBe(true);
  });

  it("ignores another app's requested action", async () => {
    const app = setupApp({ now: ONE_HOUR_LATER });
    await receive(app, "check_run", checkRunPayload("requested_action", "lgtm|26764"));
    expect(nock.pendingMocks()).toEqual([]);
  });

  /** `ci` completes on the head of a PR whose `policy` requires checks; the head has `runs` and `statuses`. The new check's summary. */
  async function ciCompletes(policy: string, runs: Record<string, unknown>[], statuses: Record<string, unknown>[] = []): Promise<string> {
    const app = setupApp({ now: ONE_HOUR_LATER });
    mockToken();
    mockPolicy(policy);
    mockPolicyNotModified();
    mockPr();
    nock(API)
      .get(`${REPO_PATH}/commits/${HEAD_SHA}/check-runs`)
      .query((q) => !q.check_name) // all checks on the head, listed once: ours (none yet) is found among them
      .reply(200, { total_count: runs.length, check_runs: runs.map((r) => ({ head_sha: HEAD_SHA, ...r })) })
      .get(`${REPO_PATH}/commits/${HEAD_SHA}/statuses`)
      .query(true)
      .reply(200, statuses);
    waitingOutputs();
    const check = mockCheckRunCreate();
    const payload = checkRunPayload("rerequested");
    payload.action = "completed";
    (payload.check_run as Record<string, unknown>).name = "ci";
    await receive(app, "check_run", payload);
    expect(nock.isDone()).toBe(true);
    return (check.body()?.output as { summary: string }).summary;
  }

  it("re-evaluates a PR whose policy requires checks when another check completes", async () => {
    const summary = await ciCompletes("compliance:\n  required_checks: [ci]\n", [{ name: "ci", status: "completed", conclusion: "success" }]);
    expect(summary).toContain("| ✅ | `compliance.required_checks` |");
  });

  it("with `{ name, app }`, counts only that app's report: another app's run and a person's status of the name do not pass it", async () => {
    const summary = await ciCompletes(
      "compliance:\n  required_checks: [{ name: ci, app: github-actions }]\n",
      [{ name: "ci", status: "completed", conclusion: "success", app: { id: 9, slug: "forger" } }],
      [{ context: "ci", state: "success", creator: { login: "mallory", type: "User" } }],
    );
    expect(summary).toContain(
      "| ⏳ | `compliance.required_checks` | Waiting for required checks on ec26c3e: `ci` from `github-actions` (reported only by `forger`, a commit status, which do not count).<br>_Fix:_ Wait for the checks to finish. A check that is never reported may be misnamed in `compliance.required_checks`, or its `app` may not be the app that runs it (the slug in `github.com/apps/<slug>`). |",
    );
  });

  it("evaluates only the PRs of `pull_requests` based in this repository (a fork's #3 is not this repository's #3)", async () => {
    const app = setupApp({ now: ONE_HOUR_LATER });
    mockToken();
    mockPolicy(null);
    mockPr();
    waitingOutputs();
    const check = mockCheckRun();
    const payload = checkRunPayload("rerequested");
    // The same commit is the head of #3 in a fork: GitHub lists that PR here too.
    payload.check_run.pull_requests = [listedPull(3, 999), listedPull(2, REPO_ID)];
    await receive(app, "check_run", payload);
    expect(check.body()?.conclusion).toBe("action_required");
    // Any other request (GET /pulls/3, a look-up by commit) has no mock and would be logged as an error.
    expect(nock.isDone()).toBe(true);
    expect(app.logs.filter((l) => l.decision === "error" || l.decision === "handler_error")).toEqual([]);
  });

  it("when `pull_requests` lists only another repository's PR, finds this repository's PRs by commit", async () => {
    const app = setupApp({ now: ONE_HOUR_LATER });
    mockToken();
    mockPolicy(null);
    const lookup = nock(API)
      .get(`${REPO_PATH}/commits/${HEAD_SHA}/pulls`)
      .reply(200, [
        { number: 2, state: "open", head: { sha: HEAD_SHA } },
        { number: 7, state: "closed", head: { sha: HEAD_SHA } },
      ]);
    mockPr();
    waitingOutputs();
    const check = mockCheckRun();
    const payload = checkRunPayload("rerequested");
    payload.check_run.pull_requests = [listedPull(3, 999)];
    await receive(app, "check_run", payload);
    expect(lookup.isDone()).toBe(true);
    expect(check.body()?.conclusion).toBe("action_required");
    expect(nock.isDone()).toBe(true);
    expect(app.logs.filter((l) => l.decision === "error" || l.decision === "handler_error")).toEqual([]);
  });

  it("a check the policy does not require does not re-evaluate the PR (nor does our own)", async () => {
    const app = setupApp({ now: ONE_HOUR_LATER });
    mockToken();
    mockPolicy("compliance:\n  required_checks: [ci, Agent Governance]\n");
    mockPolicyNotModified();
    mockPolicyNotModified();
    // Names are exact (`CI` is not `ci`), as `required_checks` matches them.
    for (const name of ["spellcheck", "CI", "Agent Governance"]) {
      const payload = checkRunPayload("rerequested");
      payload.action = "completed";
      (payload.check_run as Record<string, unknown>).name = name;
      await receive(app, "check_run", payload);
    }
    // Only the policy was read: a PR read has no mock and would be logged as an error.
    expect(nock.isDone()).toBe(true);
    expect(app.logs.filter((l) => l.decision || l.msg === "evaluated")).toEqual([]);
  });

  it("our own check run completing costs no request at all (not even the policy)", async () => {
    const app = setupApp({ now: ONE_HOUR_LATER });
    const payload = checkRunPayload("rerequested");
    payload.action = "completed";
    Object.assign(payload.check_run as Record<string, unknown>, { name: "Agent Governance", app: { id: 123, slug: "agent-governance" } });
    await receive(app, "check_run", payload);
    expect(app.logs.filter((l) => (l.level as number) >= 40)).toEqual([]); // no token, no read: nock would have refused
  });

  it("ignores checks completing in a repository whose policy requires none", async () => {
    const app = setupApp({ now: ONE_HOUR_LATER });
    mockToken();
    mockPolicy("reviewers:\n  required: 1\n");
    const payload = checkRunPayload("rerequested");
    payload.action = "completed";
    await receive(app, "check_run", payload);
    expect(nock.isDone()).toBe(true);
  });
});
