/**
 * Issue 15, items 4 and 6, end to end: what the app must not forget about a PR is kept in its
 * own check run (a sealed ledger), so editing the PR body or the escalation comment, deleting
 * the comment, or removing the agent label no longer frees an invoker or stops a tier.
 */
import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { sweep } from "../../src/handlers/sweep.js";
import { ledgerKeyOf } from "../../src/github/ledger.js";
import { ledgerKeyFromSecret, ledgerSubject, sealLedger } from "../../src/output/ledger.js";
import {
  API,
  BEFORE_SHA,
  COMMANDS_LINE,
  DEVIN,
  HEAD_SHA,
  HOW_TO_ACT,
  HUMAN,
  INSTALLATION_ID,
  NOW,
  REPO_PATH,
  VIA_APP,
  commit,
  mockCheckRun,
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
  checkRunUpdateBody,
  WAITING_ROW,
  ONE_MORE_APPROVAL,
  waitingOutputs,
} from "../helpers/app.js";
import { LEDGER_KEY, sealed } from "../helpers/ledger.js";

afterEach(() => teardown());

const ALICE = { login: "alice", id: 5001, type: "User" };
const BOT = { login: "agent-governance[bot]", id: 1, type: "Bot" };
const COPILOT = { login: "Copilot", id: 198982749, type: "Bot" };
const DEVIN_RUN = "Link to Devin run: https://app.devin.ai/sessions/abc";
const WAITING = { title: "Waiting for 1 human approval" };

type Json = Record<string, unknown>;
const summaryOf = (body: Json | undefined) => (body?.output as { summary: string } | undefined)?.summary;
const textOf = (body: Json | undefined) => (body?.output as { text?: string } | undefined)?.text;

describe("item 4: an invoker stays refused whatever the PR says later", () => {
  it("editing `Requested by:` to someone else, then approving, does not count: the app recorded the first invoker in its check run", async () => {
    // Read back from the check run (as after a restart, or with replicas): the memo's own path is in tests/app/memo.test.ts.
    const app = setupApp({ memo: false });
    const asked = `${DEVIN_RUN}\nRequested by: @alice`;
    const edited = `${DEVIN_RUN}\nRequested by: @bob`;

    // Devin opens the PR for alice: the app's check run records her as the invoker.
    mockToken();
    mockPolicy(null);
    mockPr({ opened: true });
    mockLabels({ add: ["agent-pr", "needs-human-review"] });
    const comment = mockEscalation();
    const first = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ author: DEVIN, body: asked }));
    expect(nock.isDone()).toBe(true);

    // The body now names bob, and alice approves: her approval is refused (she was the invoker).
    mockPolicy(null);
    mockPr({
      pull: { ...pullObject({ author: DEVIN, body: edited }), labels: [{ name: "agent-pr" }, { name: "needs-human-review" }] },
      reviews: [review({ login: "alice" })],
      comments: [{ id: 9001, user: BOT, performed_via_github_app: VIA_APP, body: comment.body(), created_at: NOW }],
      permissions: { alice: "write" },
    });
    const updated = mockEscalation({ update: 9001 }); // "Opened by Devin for @bob": the invoker shown is the one the body names
    const check = mockCheckRun({ ...(first.body() as Json), id: 555, app: VIA_APP });
    await receive(app, "pull_request_review", reviewPayload({ reviewer: ALICE, author: DEVIN }));
    expect(check.body()?.conclusion).toBe("action_required");
    expect(textOf(first.body())).toBe(sealed({ invokers: ["alice"], escalation: { notified: {}, started: NOW } }));
    expect(check.body()).toEqual(checkRunUpdateBody("action_required", {
      ...WAITING,
      summary: [
        "**Agent:** Devin (high confidence), started by @bob",
        "",
        "<details><summary>Evidence</summary>",
        "",
        "- verified: author `devin-ai-integration[bot] (id 158243242, Bot)` (pull.user)",
        "- declared: session-link `https://app.devin.ai/sessions/abc` (pull.body)",
        "- declared: requested-by `@bob` (pull.body)",
        "- declared: recorded-invoker `alice` (ledger)",
        "",
        "</details>",
        "",
        "| | Rule | Result |",
        "| --- | --- | --- |",
        WAITING_ROW,
        "",
        "**Still required:**",
        ONE_MORE_APPROVAL,
        "",
        "**Not counted:**",
        "- @alice approved `ec26c3e` by review at 2026-11-20T11:00:00Z: the agent's invoker",
        "",
        COMMANDS_LINE,
      ].join("\n"),
      text: sealed({ invokers: ["alice", "bob"], escalation: { notified: {}, started: NOW } }),
    }));
    expect(updated.body()).toContain("Opened by **Devin** for @bob.");
    expect(nock.isDone()).toBe(true);
  });

  it.each([
    [
      "assigned Copilot (the timeline's `assigned` event)",
      { assignees: [COPILOT] },
      [{ id: 1, event: "assigned", actor: ALICE, assignee: COPILOT, created_at: "2026-11-20T09:00:00Z" }],
      "- declared: assigner `alice assigned Copilot` (timeline)",
    ],
    ["is the PR's assignee, and no trailer names anyone", { assignees: [ALICE] }, [], "- hint: assignee `alice` (pull.assignees)"],
  ])("the human who %s is an invoker: their approval does not count", async (_what, assigned, timeline, evidence) => {
    const app = setupApp();
    mockToken();
    mockPolicy(null);
    mockPr({ pull: { ...pullObject({ author: COPILOT }), ...assigned }, reviews: [review({ login: "alice" })], permissions: { alice: "write" }, timeline });
    waitingOutputs();
    const check = mockCheckRun();
    await receive(app, "pull_request_review", reviewPayload({ reviewer: ALICE }));
    expect(check.body()).toMatchObject({ conclusion: "action_required", output: WAITING });
    expect(summaryOf(check.body())).toContain(`**Agent:** Copilot coding agent (high confidence), started by @alice\n\n<details><summary>Evidence</summary>\n\n- verified: author \`Copilot (id 198982749, Bot)\` (pull.user)\n${evidence}\n`);
    expect(textOf(check.body())).toBe(sealed({ invokers: ["alice"], escalation: { notified: {}, started: NOW } }));
    expect(nock.isDone()).toBe(true);
  });

  it("reads the timeline only when it can matter: not when a trailer names the invoker, nor with no agent assigned", async () => {
    const app = setupApp();
    const timeline = nock(API).get(`${REPO_PATH}/issues/2/timeline`).query(true).reply(200, []);
    mockToken();
    mockPolicy(null);
    const trailer = commit({ message: "Fix\n\nCo-authored-by: Ann <1+ann@users.noreply.github.com>", by: COPILOT });
    mockPr({ opened: true, commits: [trailer] });
    waitingOutputs();
    mockCheckRun();
    await receive(app, "pull_request", { ...pullRequestPayload(), pull_request: { ...pullObject(), assignees: [COPILOT] } });
    expect(timeline.isDone()).toBe(false);
  });

  it("a push carries the record to the new head: the check run it replaced is read, so a deleted comment and an edited body free no one", async () => {
    const app = setupApp();
    const before = { id: 700, name: "Agent Governance", head_sha: BEFORE_SHA, status: "completed", conclusion: "action_required", started_at: "2026-11-20T09:00:00Z", output: { ...WAITING, summary: "", text: sealed({ invokers: ["alice"], escalation: { notified: {}, started: "2026-11-20T09:00:00.000Z" } }) }, app: VIA_APP };
    mockToken();
    mockPolicy(null);
    mockPr({ pull: { ...pullObject({ author: DEVIN, body: DEVIN_RUN }), labels: [{ name: "agent-pr" }, { name: "needs-human-review" }] }, reviews: [review({ login: "alice" })], permissions: { alice: "write" } });
    // Our check run on the replaced head, read before the generic "none" (interceptors are used in order).
    nock(API).get(`${REPO_PATH}/commits/${BEFORE_SHA}/check-runs`).query(true).reply(200, { total_count: 1, check_runs: [before] });
    mockEscalation(); // the comment was deleted: posted anew
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize", author: DEVIN, body: DEVIN_RUN }));
    expect(check.body()).toMatchObject({ conclusion: "action_required", output: { ...WAITING, text: sealed({ invokers: ["alice"], escalation: { notified: {}, started: "2026-11-20T09:00:00.000Z" } }) } });
    expect(summaryOf(check.body())).toContain("**Agent:** Devin (high confidence), started by @alice");
    expect(nock.isDone()).toBe(true);
  });
});

// ---------------------------------------------------------------------------
// Item 6: escalations

// The example PR was opened at 2019-05-15T15:20:33Z.
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
const LABELS = [{ name: "agent-pr" }, { name: "needs-human-review" }];
const openPull = (labels = LABELS) => ({ ...pullObject(), created_at: OPENED, labels, requested_teams: [{ slug: "maintainers" }] });

const body = (tiers: string[], state: string) =>
  [
    "<!-- agent-governance:escalation -->",
    "### 👀 This agent PR needs human review",
    "",
    "Opened by **Copilot coding agent**. Before it can merge:",
    "",
    "- ⏳ **reviewers**: 1 more approval from @Codertocat/maintainers",
    "",
    ...tiers,
    "",
    HOW_TO_ACT + `\n<!-- agent-governance:state ${state} -->`,
  ].join("\n");
const TIER1_CC = "cc @Codertocat/maintainers (escalation tier 1, after 0h)";
const TIER2_CC = "cc @Codertocat/leads @octocat (escalation tier 2, after 24h)";
const TIER1_COMMENT = body([TIER1_CC], `{"notified":{"0":"${ONE_HOUR_LATER}"}}`);
const BOTH_TIERS_COMMENT = body([TIER1_CC, TIER2_CC], `{"notified":{"0":"${ONE_HOUR_LATER}","1":"${A_DAY_LATER}"}}`);

/** What the app recorded when it notified tier 1, an hour after the PR opened. */
const TIER1_LEDGER = { invokers: [], escalation: { notified: { "0": ONE_HOUR_LATER }, started: ONE_HOUR_LATER } };
const TIER2_LEDGER = { invokers: [], escalation: { notified: { "0": ONE_HOUR_LATER, "1": A_DAY_LATER }, started: ONE_HOUR_LATER } };
const run = (text: string) => ({
  id: 777,
  name: "Agent Governance",
  head_sha: HEAD_SHA,
  status: "completed",
  conclusion: "action_required",
  started_at: ONE_HOUR_LATER,
  output: { title: "Waiting for 1 human approval", summary: "", text },
  app: VIA_APP,
});
const appComment = (text: string) => ({ id: 9001, user: BOT, performed_via_github_app: VIA_APP, body: text, created_at: ONE_HOUR_LATER, updated_at: "2019-05-16T10:00:00Z" });

/** The sweep's listing: one installation, one repository, these open PRs. */
function listing(pulls: Json[]) {
  return nock(API)
    .get("/app/installations").query(true).reply(200, [{ id: INSTALLATION_ID, account: { login: "Codertocat" } }])
    .get("/installation/repositories").query(true).reply(200, { total_count: 1, repositories: [{ name: "Hello-World", owner: { login: "Codertocat" } }] })
    .get(`${REPO_PATH}/pulls`).query({ state: "open", per_page: 100 }).reply(200, pulls);
}

describe("item 6: an escalation is not lost", () => {
  it("editing the comment's hidden state (tier 2 'notified') does not stop tier 2: the app's check run holds the state", async () => {
    const app = setupApp({ now: A_DAY_LATER });
    listing([openPull()]);
    mockToken();
    mockPolicy(POLICY);
    mockPolicyNotModified();
    const forged = TIER1_COMMENT.replace(`{"notified":{"0":"${ONE_HOUR_LATER}"}}`, `{"notified":{"0":"${ONE_HOUR_LATER}","1":"${ONE_HOUR_LATER}"}}`);
    mockPr({ pull: openPull(), comments: [appComment(forged)] });
    const labels = mockLabels({ add: ["escalated"] });
    const request = mockReviewRequest();
    const comment = mockEscalation({ update: 9001 });
    const check = mockCheckRun(run(sealed(TIER1_LEDGER)));
    await sweep(app.probot, () => new Date(A_DAY_LATER));
    expect(request.body()).toEqual({ reviewers: ["octocat"], team_reviewers: ["leads"] });
    expect(labels.bodies.at(-1)).toEqual({ labels: ["escalated"] });
    expect(comment.body()).toBe(BOTH_TIERS_COMMENT);
    expect(textOf(check.body())).toBe(sealed(TIER2_LEDGER));
    expect(nock.isDone()).toBe(true);
  });

  it("deleting the comment does not restart the clock: tier 2 falls due on time and the comment is posted anew with both tiers", async () => {
    const app = setupApp({ now: A_DAY_LATER });
    listing([openPull()]);
    mockToken();
    mockPolicy(POLICY);
    mockPolicyNotModified();
    mockPr({ pull: openPull(), comments: [] });
    mockLabels({ add: ["escalated"] });
    const request = mockReviewRequest();
    const comment = mockEscalation();
    const check = mockCheckRun(run(sealed(TIER1_LEDGER)));
    await sweep(app.probot, () => new Date(A_DAY_LATER));
    expect(request.body()).toEqual({ reviewers: ["octocat"], team_reviewers: ["leads"] });
    expect(comment.body()).toBe(BOTH_TIERS_COMMENT);
    expect(textOf(check.body())).toBe(sealed(TIER2_LEDGER));
    expect(nock.isDone()).toBe(true);
  });

  it("removing the agent label (and the others) does not hide the PR from the sweep: it is found by its author, and its labels come back", async () => {
    const app = setupApp({ now: A_DAY_LATER });
    listing([openPull([])]);
    mockToken();
    mockPolicy(POLICY);
    mockPolicyNotModified();
    mockPr({ pull: openPull([]), comments: [appComment(TIER1_COMMENT)] });
    const labels = mockLabels({ add: ["agent-pr", "needs-human-review", "escalated"] });
    const request = mockReviewRequest();
    const comment = mockEscalation({ update: 9001 });
    mockCheckRun(run(sealed(TIER1_LEDGER)));
    const stats = await sweep(app.probot, () => new Date(A_DAY_LATER));
    expect(stats).toEqual({ installations: 1, repositories: 1, pulls: 1, evaluated: 1, errors: 0 });
    expect(labels.bodies.at(-1)).toEqual({ labels: ["agent-pr", "needs-human-review", "escalated"] });
    expect(request.body()).toEqual({ reviewers: ["octocat"], team_reviewers: ["leads"] });
    expect(comment.body()).toBe(BOTH_TIERS_COMMENT);
    expect(nock.isDone()).toBe(true);
  });

  it("an unlabelled PR whose object shows no agent (an agent under a human's account) is found by our check run on its head; a passing one is not read again within the hour", async () => {
    const app = setupApp({ now: A_DAY_LATER });
    // Claude Code working under Codertocat's account: only the commit's trailer says so.
    const human = { ...openPull([]), user: { ...(pullObject().user as Json), ...HUMAN } };
    const claude = commit({ message: "Update README\n\nCo-authored-by: Claude <noreply@anthropic.com>" });
    const passing = { ...run(sealed({ invokers: ["codertocat"] })), id: 778, head_sha: "3".repeat(40), conclusion: "success", output: { title: "Policy satisfied", summary: "" } };
    const human3 = { ...human, number: 3, head: { ...((human as Json).head as Json), sha: "3".repeat(40) } };
    const memo = (await import("../../src/handlers/sweep.js")).newSweepMemo();
    listing([human, human3]);
    mockToken();
    mockPolicy(POLICY);
    mockPolicyNotModified();
    nock(API).get(`${REPO_PATH}/commits/${"3".repeat(40)}/check-runs`).query(true).reply(200, { total_count: 1, check_runs: [passing] });
    // #2's head: read once by the sweep (not passing), once by its evaluation.
    nock(API).get(`${REPO_PATH}/commits/${HEAD_SHA}/check-runs`).query(true).reply(200, { total_count: 1, check_runs: [run(sealed({ ...TIER1_LEDGER, invokers: ["codertocat"] }))] });
    mockPr({ pull: human, commits: [claude], comments: [appComment(TIER1_COMMENT.replace("Copilot coding agent", "Claude Code").replace(". Before", " for @Codertocat. Before"))] });
    mockLabels({ add: ["agent-pr", "needs-human-review", "escalated"] });
    const request = mockReviewRequest();
    mockEscalation({ update: 9001 });
    mockCheckRun(run(sealed({ ...TIER1_LEDGER, invokers: ["codertocat"] })));
    const stats = await sweep(app.probot, () => new Date(A_DAY_LATER), { swept: memo });
    expect(stats).toEqual({ installations: 1, repositories: 1, pulls: 2, evaluated: 1, errors: 0 });
    expect(request.body()).toEqual({ reviewers: ["octocat"], team_reviewers: ["leads"] });
    expect(nock.isDone()).toBe(true);

    // The next sweep: #3's head was seen passing, so its check run is not read again.
    listing([human3]);
    mockPolicyNotModified();
    expect(await sweep(app.probot, () => new Date(A_DAY_LATER), { swept: memo })).toEqual({ installations: 1, repositories: 1, pulls: 1, evaluated: 0, errors: 0 });
    expect(nock.isDone()).toBe(true);
  });

  it.each([
    ["sealed with another key", sealLedger(TIER1_LEDGER, ledgerKeyFromSecret("not-the-app"), ledgerSubject("Codertocat", "Hello-World", 2))],
    ["copied from another PR", sealed(TIER1_LEDGER, 3)],
  ])("a ledger %s is discarded: the wait counts from the PR's creation and every tier due is notified again", async (_what, text) => {
    const app = setupApp({ now: A_DAY_LATER });
    listing([openPull()]);
    mockToken();
    mockPolicy(POLICY);
    mockPolicyNotModified();
    mockPr({ pull: openPull(), comments: [appComment(TIER1_COMMENT)] });
    mockLabels({ add: ["escalated"] });
    const request = mockReviewRequest();
    const comment = mockEscalation({ update: 9001 });
    const check = mockCheckRun(run(text));
    await sweep(app.probot, () => new Date(A_DAY_LATER));
    expect(request.body()).toEqual({ reviewers: ["octocat"], team_reviewers: ["leads"] });
    expect(comment.body()).toBe(body([TIER1_CC, TIER2_CC], `{"notified":{"0":"${A_DAY_LATER}","1":"${A_DAY_LATER}"}}`));
    expect(textOf(check.body())).toBe(sealed({ invokers: [], escalation: { notified: { "0": A_DAY_LATER, "1": A_DAY_LATER }, started: OPENED } }));
    expect(nock.isDone()).toBe(true);
  });

  it("a tier whose notification could not be written is not recorded: the record stays as it was, and the retry notifies it", async () => {
    const app = setupApp({ now: A_DAY_LATER });
    mockToken();
    mockPolicy(POLICY);
    mockPr({ pull: openPull(), comments: [appComment(TIER1_COMMENT)] });
    mockLabels({ add: ["escalated"] });
    nock(API).post(`${REPO_PATH}/pulls/2/requested_reviewers`).reply(502, { message: "Bad Gateway" });
    const check = mockCheckRun(run(sealed(TIER1_LEDGER)));
    // The verdict is written first, recording tier 2; when its review request fails, an update puts the record back.
    let putBack: Record<string, unknown> | undefined;
    nock(API).patch(`${REPO_PATH}/check-runs/777`, (b) => ((putBack = b), true)).reply(200, { id: 777 });
    await receive(app, "pull_request", pullRequestPayload({ action: "ready_for_review" }));
    expect(check.body()).toMatchObject({ conclusion: "action_required" });
    expect(textOf(check.body())).not.toBe(sealed(TIER1_LEDGER));
    expect(textOf(putBack)).toBe(sealed(TIER1_LEDGER));
    expect(nock.isDone()).toBe(true);
  });

  it("a PR closed and reopened waits anew from the reopening (as after a draft or a pass)", async () => {
    const app = setupApp({ now: A_DAY_LATER });
    mockToken();
    mockPolicy(POLICY);
    mockPr({ pull: openPull(), comments: [appComment(TIER1_COMMENT)] });
    const comment = mockEscalation({ update: 9001 });
    const check = mockCheckRun(run(sealed(TIER1_LEDGER)));
    await receive(app, "pull_request", pullRequestPayload({ action: "reopened" }));
    expect(comment.body()).toBe(body([TIER1_CC], `{"notified":{"0":"${ONE_HOUR_LATER}"},"since":"${A_DAY_LATER}"}`));
    expect(textOf(check.body())).toBe(sealed({ invokers: [], escalation: { ...TIER1_LEDGER.escalation, since: A_DAY_LATER } }));
    expect(nock.isDone()).toBe(true);
  });
});

describe("the ledger key", () => {
  it("is derived from the webhook secret through Probot (no request), and never logged", async () => {
    const app = setupApp();
    expect(Buffer.from((await ledgerKeyOf(app.probot))!).equals(LEDGER_KEY)).toBe(true);
    mockToken();
    mockPolicy(null);
    mockPr({ opened: true });
    waitingOutputs();
    mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload());
    expect(app.logs.some((l) => l.msg === "evaluated")).toBe(true);
    for (const form of [LEDGER_KEY.toString("hex"), LEDGER_KEY.toString("base64"), LEDGER_KEY.toString("base64url"), "test-secret"]) {
      expect(app.logText()).not.toContain(form);
    }
  });
});
