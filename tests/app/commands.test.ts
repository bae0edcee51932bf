/**
 * Reviewer commands end to end: a real `issue_comment` payload (made a PR
 * comment by adding `issue.pull_request`), nock with the network disabled, and
 * the exact answers (reactions, replies) and check runs sent to GitHub.
 */
import examples from "@octokit/webhooks-examples";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { helpText } from "../../src/commands/answer.js";
import { defaultPolicy } from "../../src/config/schema.js";
import {
  API,
  pullObject,
  NOW,
  FakeScheduler,
  HEAD_SHA,
  INSTALLATION_ID,
  REPO_PATH,
  commit,
  mockCheckRun,
  mockCheckRunRead,
  mockEscalation,
  mockLabels,
  mockPolicy,
  mockPr,
  mockToken,
  pullRequestPayload,
  receive,
  reviewPayload,
  SEEN_CHECK,
  setupApp,
  teardown,
  type TestApp,
  VIA_APP,
  checkRunUpdateBody,
  WAITING_ROW,
  ONE_MORE_APPROVAL,
  forbiddenAnnotation,
  waitingOutputs,
  COPILOT_HEADER,
  COMMANDS_LINE,
} from "../helpers/app.js";
import { sealed } from "../helpers/ledger.js";

type Json = Record<string, unknown>;

const ALICE = { login: "alice", id: 5001, type: "User" };
const BOB = { login: "bob", id: 5002, type: "User" };
const READER = { login: "rita", id: 5003, type: "User" };
const AGENT = { login: "Copilot", id: 198982749, type: "Bot" };
const APP_BOT = { login: "agent-governance[bot]", id: 1, type: "Bot" };
const COMMENT_ID = 492700400;
const CREATED = "2026-11-20T11:30:00Z";

/** A real `issue_comment` payload on Codertocat/Hello-World, rewritten to a comment on PR #2 (or a plain issue). */
function commentPayload(o: { action?: string; body: string; user?: Json; updated?: string; from?: string; plainIssue?: boolean }): Json {
  const group = (examples as unknown as { name: string; examples: Json[] }[]).find((e) => e.name === "issue_comment")!;
  const payload = structuredClone(group.examples.find((x) => x.action === (o.action ?? "created"))!);
  payload.installation = { id: INSTALLATION_ID };
  const issue = payload.issue as Json;
  issue.number = 2;
  if (!o.plainIssue) issue.pull_request = { url: `${API}${REPO_PATH}/pulls/2`, html_url: "https://github.com/Codertocat/Hello-World/pull/2" };
  const comment = payload.comment as Json;
  comment.id = COMMENT_ID;
  comment.body = o.body;
  comment.user = { ...(comment.user as Json), ...(o.user ?? ALICE) };
  comment.created_at = CREATED;
  comment.updated_at = o.updated ?? CREATED;
  if (o.from !== undefined) payload.changes = { body: { from: o.from } };
  return payload;
}

/** The comment as `GET /issues/2/comments` lists it. */
function listed(body: string, o: { id?: number; user?: Json; updated?: string } = {}): Json {
  return { id: o.id ?? COMMENT_ID, user: o.user ?? ALICE, body, created_at: CREATED, updated_at: o.updated ?? CREATED };
}

const marker = `<!-- agent-governance:reply:${COMMENT_ID} -->`;

/** The app's written answer: captures the POSTed body. */
function mockReply(): { scope: nock.Scope; body: () => string | undefined } {
  let captured: string | undefined;
  const scope = nock(API)
    .post(`${REPO_PATH}/issues/2/comments`, (b: Json) => ((captured = b.body as string), true))
    .reply(201, { id: 7001 });
  return { scope, body: () => captured };
}

function mockReaction(): { scope: nock.Scope; body: () => Json | undefined } {
  let captured: Json | undefined;
  const scope = nock(API)
    .post(`${REPO_PATH}/issues/comments/${COMMENT_ID}/reactions`, (b: Json) => ((captured = b), true))
    .reply(201, { id: 1, content: "+1" });
  return { scope, body: () => captured };
}

let app: TestApp;
beforeEach(() => {
  app = setupApp();
});
afterEach(() => {
  teardown();
});

describe("issue_comment on a plain issue", () => {
  it("is ignored: no request at all", async () => {
    await receive(app, "issue_comment", commentPayload({ body: "/governance approve", plainIssue: true }));
    expect(nock.pendingMocks()).toEqual([]);
    expect(app.logs.filter((l) => l.decision)).toEqual([]);
  });
});

describe("comments without a command", () => {
  it("are ignored without a request", async () => {
    await receive(app, "issue_comment", commentPayload({ body: "Nice work!\n\n> /governance approve" }));
    expect(app.logs.filter((l) => l.decision)).toEqual([]);
  });
});

describe("/governance approve", () => {
  it("is accepted from a writer: a +1 reaction, then the PR passes with the command's approval", async () => {
    const body = "LGTM.\n\n  /Governance   APPROVE  ";
    mockToken();
    mockPolicy(null);
    mockPr({ comments: [listed(body)], permissions: { alice: "write" } });
    const reaction = mockReaction();
    // The command handler hands its policy and facts to the evaluation: no second read.
    mockLabels({ add: ["agent-pr"] });
    const check = mockCheckRun(SEEN_CHECK);
    await receive(app, "issue_comment", commentPayload({ body }));
    expect(reaction.body()).toEqual({ content: "+1" });
    expect(check.body()).toMatchObject({ conclusion: "success", output: { title: "Policy satisfied" } });
    expect((check.body()!.output as { summary: string }).summary).toContain(
      "- @alice approved `ec26c3e` by command at 2026-11-20T11:30:00Z (reviewers)",
    );
    expect(nock.isDone()).toBe(true);
    expect(app.logs.find((l) => l.msg === "command")).toMatchObject({ command: "approve", decision: "accepted", actor: "alice", comment: COMMENT_ID });
  });

  it("does not count for a head the app first saw after the command: a back-dated push cannot inherit it", async () => {
    // alice approved at 11:30; the agent then pushed the head with an 11:00 committer date (any date can
    // be set). The dates put the command on the head, but the app first saw the head at 11:45.
    const body = "/governance approve";
    mockToken();
    mockPolicy(null);
    mockPr({ comments: [listed(body)], permissions: { alice: "write" } });
    mockLabels({ add: ["agent-pr", "needs-human-review"] });
    mockEscalation(); // the evaluation's comment is posted first, then the reply
    const reply = mockReply();
    const check = mockCheckRun({ ...SEEN_CHECK, started_at: "2026-11-20T11:45:00Z" });
    await receive(app, "issue_comment", commentPayload({ body }));
    expect(reply.body()).toBe(
      `@alice \`/governance approve\` was not counted: the app had not yet seen the head commit \`ec26c3e\` when you wrote it (it was pushed, or the app was installed, just before), so it cannot tell that you saw it. Check the latest changes and comment again.\n\n${marker}`,
    );
    expect(check.body()).toMatchObject({ conclusion: "action_required", output: { title: "Waiting for 1 human approval" } });
    expect(check.body()).not.toHaveProperty("started_at"); // an update never moves when the app first saw the head
    expect(nock.isDone()).toBe(true); // no 👍: the approval does not count
    expect(app.logs.find((l) => l.msg === "command")).toMatchObject({ command: "approve", decision: "not_counted" });
  });

  /**
   * The app saw the head (ec26c3e) at 10:00, then B at 10:10; alice approved B at 11:30 by command; the
   * agent force-pushes back to ec26c3e. Its old check run says 10:00, but it is the head again only now.
   * Mocks the reads of both heads' check runs and the new check run the app starts at once.
   */
  function forcePushBack(): { B: string; started: () => Json | undefined } {
    const B = "b".repeat(40);
    let started: Json | undefined;
    nock(API)
      .get(`${REPO_PATH}/pulls/2`) // the head is still the PR's head: the return is recorded
      .reply(200, pullObject())
      .get(`${REPO_PATH}/commits/${HEAD_SHA}/check-runs`)
      .query(true)
      .reply(200, { total_count: 1, check_runs: [SEEN_CHECK] })
      .get(`${REPO_PATH}/commits/${B}/check-runs`)
      .query(true)
      .reply(200, { total_count: 1, check_runs: [{ ...SEEN_CHECK, id: 778, head_sha: B, started_at: "2026-11-20T10:10:00Z" }] })
      .post(`${REPO_PATH}/check-runs`, (b: Json) => ((started = b), true))
      .reply(201, (_u: string, b: Json) => ({ id: 779, ...b, app: { id: 123 } }));
    return { B, started: () => started };
  }

  it("does not pass to an earlier head the agent force-pushes back to after the approval", async () => {
    mockToken();
    mockPolicy(null);
    const { B, started } = forcePushBack();
    mockPr({ comments: [listed("/governance approve")], permissions: { alice: "write" } });
    waitingOutputs();
    let completed: Json | undefined;
    nock(API).patch(`${REPO_PATH}/check-runs/779`, (b: Json) => ((completed = b), true)).reply(200, { id: 779 });
    const payload = pullRequestPayload({ action: "synchronize" });
    payload.before = B;
    await receive(app, "pull_request", payload);
    expect(started()).toMatchObject({ head_sha: HEAD_SHA, status: "in_progress", started_at: "2026-11-20T12:00:00.000Z" });
    expect(completed).toMatchObject({ conclusion: "action_required", output: { title: "Waiting for 1 human approval" } });
    expect(nock.isDone()).toBe(true);
    expect(app.logs.find((l) => l.decision === "head_returned")).toMatchObject({ head: HEAD_SHA, replaced: B });
  });

  it("keeps that record when the evaluation after the force-push fails: the retry does not count the approval either", async () => {
    const scheduler = new FakeScheduler();
    app = setupApp({ scheduler });
    mockToken();
    mockPolicy(null);
    const B = "b".repeat(40);
    let created: Json | undefined;
    // The first wave fails (files: 502) before the return could be ruled out: the failure goes on a new run, started now.
    nock(API)
      .get(`${REPO_PATH}/commits/${HEAD_SHA}/check-runs`)
      .query(true)
      .reply(200, { total_count: 1, check_runs: [SEEN_CHECK] })
      .get(`${REPO_PATH}/pulls/2`)
      .reply(200, pullObject())
      .get(`${REPO_PATH}/pulls/2/files`)
      .query(true)
      .reply(502, {})
      .get(`${REPO_PATH}/pulls/2/commits`)
      .query(true)
      .reply(200, [commit()])
      .get(`${REPO_PATH}/pulls/2/reviews`)
      .query(true)
      .reply(200, [])
      .get(`${REPO_PATH}/issues/2/comments`)
      .query(true)
      .reply(200, [listed("/governance approve")])
      .post(`${REPO_PATH}/check-runs`, (b: Json) => ((created = b), true))
      .reply(201, { id: 779 });
    const payload = pullRequestPayload({ action: "synchronize" });
    payload.before = B;
    await receive(app, "pull_request", payload);
    expect(created).toMatchObject({ head_sha: HEAD_SHA, started_at: "2026-11-20T12:00:00.000Z", conclusion: "failure", output: { title: "Could not evaluate" } });
    expect(scheduler.timers).toHaveLength(1);
    expect(nock.isDone()).toBe(true);

    // The retry reads the PR by number only: the new check run says when the app saw the head.
    mockPolicy(null);
    mockPr({ comments: [listed("/governance approve")], permissions: { alice: "write" } });
    waitingOutputs();
    const retried = mockCheckRun({ ...SEEN_CHECK, id: 779, started_at: NOW, conclusion: "failure", output: { title: "Could not evaluate", summary: "" } });
    await scheduler.timers[0]!.fn();
    expect(retried.body()).toMatchObject({ conclusion: "action_required" });
  });

  it("when the new check run cannot be started, \"Could not evaluate\" is written as a new run: the record is kept", async () => {
    mockToken();
    mockPolicy(null);
    const B = "b".repeat(40);
    let created: Json | undefined;
    mockPr(); // the first wave
    nock(API)
      .get(`${REPO_PATH}/pulls/2`) // is the pushed head still the PR's head? yes
      .reply(200, pullObject())
      .get(`${REPO_PATH}/commits/${HEAD_SHA}/check-runs`)
      .query(true)
      .reply(200, { total_count: 1, check_runs: [SEEN_CHECK] })
      .get(`${REPO_PATH}/commits/${B}/check-runs`)
      .query(true)
      .reply(200, { total_count: 1, check_runs: [{ ...SEEN_CHECK, id: 778, head_sha: B, started_at: "2026-11-20T10:10:00Z" }] })
      .post(`${REPO_PATH}/check-runs`)
      .reply(502, { message: "Bad Gateway" })
      .post(`${REPO_PATH}/check-runs`, (b: Json) => ((created = b), true))
      .reply(201, { id: 780 });
    const payload = pullRequestPayload({ action: "synchronize" });
    payload.before = B;
    await receive(app, "pull_request", payload);
    expect(created).toMatchObject({ head_sha: HEAD_SHA, started_at: "2026-11-20T12:00:00.000Z", conclusion: "failure", output: { title: "Could not evaluate" } });
    expect(nock.isDone()).toBe(true);
  });

  it("when reading the PR's head fails during that check, the failure is written as a new run: the retry does not count the approval", async () => {
    const scheduler = new FakeScheduler();
    app = setupApp({ scheduler });
    mockToken();
    mockPolicy(null);
    const B = "b".repeat(40);
    let created: Json | undefined;
    mockPr(); // the first wave
    nock(API)
      .get(`${REPO_PATH}/commits/${HEAD_SHA}/check-runs`)
      .query(true)
      .reply(200, { total_count: 1, check_runs: [SEEN_CHECK] })
      .get(`${REPO_PATH}/commits/${B}/check-runs`)
      .query(true)
      .reply(200, { total_count: 1, check_runs: [{ ...SEEN_CHECK, id: 778, head_sha: B, started_at: "2026-11-20T10:10:00Z" }] })
      .get(`${REPO_PATH}/pulls/2`) // is the pushed head still the PR's head? GitHub fails to say
      .reply(502, { message: "Bad Gateway" })
      .post(`${REPO_PATH}/check-runs`, (b: Json) => ((created = b), true))
      .reply(201, { id: 782 });
    const payload = pullRequestPayload({ action: "synchronize" });
    payload.before = B;
    await receive(app, "pull_request", payload);
    // Not a PATCH of the old run (started 10:00): a new run, started now.
    expect(created).toMatchObject({ head_sha: HEAD_SHA, started_at: "2026-11-20T12:00:00.000Z", output: { title: "Could not evaluate" } });
    expect(scheduler.timers).toHaveLength(1);
    expect(nock.isDone()).toBe(true);
  });

  it.each([
    ["force-pushed back after the approval", "2026-11-20T11:40:00Z"],
    ["force-pushed away before the approval and pushed back after it (the return leaves no timeline event)", "2026-11-20T11:20:00Z"],
  ])("a head %s does not inherit it, even when another event is handled before the push's", async (_what, forcePushedAt) => {
    // The app saw the head at 10:00; alice approved by command at 11:30. A force-push since the app saw the
    // head means it left and came back at a time GitHub does not record: a review event for the head is
    // handled first, the approval does not count, and the check run is written anew (the app sees the head now).
    mockToken();
    mockPolicy(null);
    mockPr({
      comments: [listed("/governance approve")],
      permissions: { alice: "write" },
      timeline: [{ event: "committed" }, { event: "head_ref_force_pushed", created_at: forcePushedAt }],
    });
    waitingOutputs();
    mockCheckRunRead(SEEN_CHECK);
    let created: Json | undefined;
    nock(API).post(`${REPO_PATH}/check-runs`, (b: Json) => ((created = b), true)).reply(201, { id: 783 });
    await receive(app, "pull_request_review", reviewPayload({ reviewer: READER, state: "commented" }));
    expect(created).toMatchObject({ started_at: "2026-11-20T12:00:00.000Z", conclusion: "action_required", output: { title: "Waiting for 1 human approval" } });
    expect(nock.isDone()).toBe(true);
  });

  it("the timeline is read only when a command would count for the head", async () => {
    mockToken();
    mockPolicy(null);
    mockPr({ comments: [], permissions: {} });
    waitingOutputs();
    mockCheckRun(SEEN_CHECK);
    await receive(app, "pull_request_review", reviewPayload({ reviewer: READER, state: "commented" }));
    expect(nock.activeMocks().filter((m) => m.includes("/timeline"))).toHaveLength(1); // left unread
  });

  it("a force-push from before the app saw the head changes nothing: the approval counts", async () => {
    mockToken();
    mockPolicy(null);
    mockPr({ comments: [listed("/governance approve")], permissions: { alice: "write" }, timeline: [{ event: "head_ref_force_pushed", created_at: "2026-11-20T09:59:00Z" }] });
    mockLabels({ add: ["agent-pr"] });
    const check = mockCheckRun(SEEN_CHECK);
    await receive(app, "pull_request_review", reviewPayload({ reviewer: READER, state: "commented" }));
    expect(check.body()).toMatchObject({ conclusion: "success" });
    expect(nock.isDone()).toBe(true);
  });

  it("a late push event whose head is no longer the PR's head records nothing", async () => {
    mockToken();
    mockPolicy(null);
    const B = "b".repeat(40);
    const NEWER = "c".repeat(40);
    const newer = { ...pullObject(), head: { ...(pullObject().head as Json), sha: NEWER } };
    // The first wave shows a newer head: everything is read again for it (its files after its head was seen).
    mockCheckRunRead(SEEN_CHECK);
    mockPr({ pull: newer });
    mockPr({ pull: newer, commits: [commit({ sha: NEWER })] });
    waitingOutputs();
    let created: Json | undefined;
    nock(API)
      .get(`${REPO_PATH}/commits/${NEWER}/check-runs`)
      .query(true)
      .reply(200, { total_count: 0, check_runs: [] })
      .post(`${REPO_PATH}/check-runs`, (b: Json) => ((created = b), true))
      .reply(201, { id: 781 });
    const payload = pullRequestPayload({ action: "synchronize" });
    payload.before = B;
    await receive(app, "pull_request", payload);
    expect(created).toMatchObject({ head_sha: NEWER, status: "completed" }); // no "Evaluating" run left on the stale head
    expect(nock.isDone()).toBe(true);
    expect(app.logs.filter((l) => l.decision === "head_returned")).toEqual([]);
  });

  it("an approve whose evaluation cannot be written is answered from the facts read: not counted, so a reply, no 👍", async () => {
    const scheduler = new FakeScheduler();
    app = setupApp({ scheduler });
    mockToken();
    mockPolicy(null);
    mockPr({ comments: [listed("/governance approve")], permissions: { alice: "write" } });
    // The verdict is written first; when it fails, no notification is written before the retry.
    nock(API).get(`${REPO_PATH}/commits/${HEAD_SHA}/check-runs`).query(true).reply(200, { total_count: 0, check_runs: [] });
    nock(API).post(`${REPO_PATH}/check-runs`).reply(502, { message: "Bad Gateway" });
    const reply = mockReply();
    await receive(app, "issue_comment", commentPayload({ body: "/governance approve" }));
    expect(reply.body()).toContain("was not counted: the app had not yet seen the head commit `ec26c3e`");
    expect(scheduler.timers).toHaveLength(1);
    expect(nock.isDone()).toBe(true);
  });

  it.each([
    ["an override under the default scope (commit) given before the app saw the head: a reply, no 👍", "", "/governance override hotfix", { bob: "admin" }, BOB, false],
    ["an approval under stale_on_push: false given before the app saw the head: it counts, so a 👍", "reviewers:\n  stale_on_push: false\n", "/governance approve", { alice: "write" }, ALICE, true],
  ])("answers by what the evaluation counted: %s", async (_what, policyText, body, permissions, user, counted) => {
    const A = "a".repeat(40);
    mockToken();
    mockPolicy(policyText || null);
    mockPr({ commits: [commit({ sha: A }), commit()], comments: [listed(body, { user })], permissions });
    // Our run on the head carries no ledger (written before ledgers): the app looks on the PR's previous commit for one.
    nock(API).get(`${REPO_PATH}/commits/${A}/check-runs`).query(true).reply(200, { total_count: 0, check_runs: [] });
    mockLabels({ add: counted ? ["agent-pr"] : ["agent-pr", "needs-human-review"] });
    if (!counted) mockEscalation();
    const reaction = counted ? mockReaction() : null;
    const reply = counted ? null : mockReply();
    const check = mockCheckRun({ ...SEEN_CHECK, started_at: "2026-11-20T11:45:00Z" });
    await receive(app, "issue_comment", commentPayload({ body, user }));
    expect(check.body()).toMatchObject({ conclusion: counted ? "success" : "action_required" });
    if (counted) expect(reaction!.body()).toEqual({ content: "+1" });
    else expect(reply!.body()).toContain("was not counted: the app had not yet seen the head commit `ec26c3e`");
    expect(nock.isDone()).toBe(true);
  });

  it("on a PR the app never evaluated (installed after it was opened) says the approval cannot count yet, and evaluates it", async () => {
    const body = "/governance approve";
    mockToken();
    mockPolicy(null);
    mockPr({ comments: [listed(body)], permissions: { alice: "write" } });
    mockLabels({ add: ["agent-pr", "needs-human-review"] });
    mockEscalation(); // the evaluation's comment is posted first, then the reply
    const reply = mockReply();
    const check = mockCheckRun();
    await receive(app, "issue_comment", commentPayload({ body }));
    expect(reply.body()).toContain("was not counted: the app had not yet seen the head commit `ec26c3e`");
    expect(check.body()).toMatchObject({ conclusion: "action_required", started_at: "2026-11-20T12:00:00.000Z" });
    expect(nock.isDone()).toBe(true);
  });

  it("is refused for a reader, with a reply saying why, and nothing re-evaluated", async () => {
    mockToken();
    mockPolicy(null);
    mockPr({ comments: [listed("/governance approve", { user: READER })], permissions: { rita: "read" } });
    mockCheckRunRead();
    const reply = mockReply();
    await receive(app, "issue_comment", commentPayload({ body: "/governance approve", user: READER }));
    expect(reply.body()).toBe(
      `@rita \`/governance approve\` was not done: your approval would not count here: approvals come from anyone with write permission or above (you have read permission).\n\n${marker}`,
    );
    expect(nock.isDone()).toBe(true);
  });

  it("is refused for the agent itself", async () => {
    mockToken();
    mockPolicy(null);
    mockPr({ comments: [listed("/governance approve", { user: AGENT })] });
    mockCheckRunRead();
    const reply = mockReply();
    await receive(app, "issue_comment", commentPayload({ body: "/governance approve", user: AGENT }));
    expect(reply.body()).toBe(
      `@Copilot \`/governance approve\` was not done: commands written by bots or agents are not obeyed; a human must write them.\n\n${marker}`,
    );
    expect(nock.isDone()).toBe(true);
  });

  it("is refused for the PR author (a human PR governed by `govern_humans`), whose permission is looked up", async () => {
    const policy = "agents:\n  govern_humans: true\n";
    const human = { login: "Codertocat", id: 21031067, type: "User" };
    mockToken();
    mockPolicy(policy);
    const pull = commentPr(human);
    mockPr({ pull, comments: [listed("/governance approve", { user: human })] });
    mockCheckRunRead();
    nock(API).get(`${REPO_PATH}/collaborators/Codertocat/permission`).reply(200, { permission: "admin", role_name: "admin", user: { login: "Codertocat" } });
    const reply = mockReply();
    await receive(app, "issue_comment", commentPayload({ body: "/governance approve", user: human }));
    expect(reply.body()).toBe(`@Codertocat \`/governance approve\` was not done: you are the PR author, and the PR author cannot approve this PR.\n\n${marker}`);
    expect(nock.isDone()).toBe(true);
  });
});

describe("/governance approve of a change to the policy's `_extends` base in this repository", () => {
  it("is accepted from a maintainer who is not a listed reviewer, and counts for the protected file only", async () => {
    const body = "/governance approve";
    mockToken();
    mockPolicy("_extends: .github/base.yml\nreviewers:\n  from: { users: [alice] }\n");
    nock(API)
      .get(`${REPO_PATH}/contents/.github%2Fbase.yml`)
      .reply(200, { type: "file", encoding: "base64", content: Buffer.from("mode: enforce\n").toString("base64") });
    mockPr({
      files: [{ filename: ".github/base.yml", status: "modified", additions: 1, deletions: 1, changes: 2 }],
      comments: [listed(body, { user: BOB })],
      permissions: { bob: "maintain" },
    });
    const reaction = mockReaction();
    waitingOutputs();
    nock(API).post(`${REPO_PATH}/pulls/2/requested_reviewers`, { reviewers: ["alice"], team_reviewers: [] }).reply(201, {});
    const check = mockCheckRun(SEEN_CHECK);
    await receive(app, "issue_comment", commentPayload({ body, user: BOB }));
    expect(reaction.body()).toEqual({ content: "+1" });
    const summary = (check.body()!.output as { summary: string }).summary;
    expect(summary).toContain("| ✅ | `paths.agent_files` | Changes to agent-steering files (`.github/base.yml`): approved by @bob. |");
    expect(summary).toContain("| ⏳ | `reviewers` | Human review: 0/1 approvals; needs 1 more approval from @alice.");
    expect(nock.isDone()).toBe(true);
  });
});

/** The PR object of `GET /pulls/2`, opened by `user`. */
function commentPr(user: Json, createdAt?: string): Json {
  const group = (examples as unknown as { name: string; examples: Json[] }[]).find((e) => e.name === "pull_request")!;
  const pr = structuredClone(group.examples.find((x) => x.action === "opened")!.pull_request as Json);
  pr.user = { ...(pr.user as Json), ...user };
  (pr.head as Json).sha = HEAD_SHA;
  if (createdAt) pr.created_at = createdAt;
  return pr;
}

/** Copilot's PR, opened three hours before now: a 24h escalation tier is not due yet. */
const recentPr = () => commentPr(AGENT, "2026-11-20T09:00:00Z");

describe("commands the policy cannot act on", () => {
  it("approve on a human PR that is not governed is refused, saying so", async () => {
    const human = { login: "Codertocat", id: 21031067, type: "User" };
    mockToken();
    mockPolicy(null);
    mockPr({ pull: commentPr(human), comments: [listed("/governance approve")], permissions: { alice: "write" } });
    mockCheckRunRead();
    const reply = mockReply();
    await receive(app, "issue_comment", commentPayload({ body: "/governance approve" }));
    expect(reply.body()).toBe(
      `@alice \`/governance approve\` was not done: this PR is not governed by the policy (no agent detected), so there is nothing to do.\n\n${marker}`,
    );
    expect(nock.isDone()).toBe(true);
  });

  it("approve under an invalid policy file is refused, pointing at the check run", async () => {
    mockToken();
    mockPolicy("reviewers:\n  requird: 2\n");
    mockPr({ comments: [listed("/governance approve")], permissions: { alice: "write" } });
    mockCheckRunRead();
    const reply = mockReply();
    await receive(app, "issue_comment", commentPayload({ body: "/governance approve" }));
    expect(reply.body()).toBe(
      `@alice \`/governance approve\` was not done: the policy file is invalid, so nothing can be approved, overridden or escalated until it is fixed (the check run names the problems).\n\n${marker}`,
    );
    expect(nock.isDone()).toBe(true);
  });
});

/** The check once @bob's `/governance override 2d INC-42 hotfix` (11:30) is cut to `max_duration: 1d`. */
const TIMED_OVERRIDE_CHECK = checkRunUpdateBody("success", {
  title: "Overridden by @bob until 2026-11-21T11:30:00.000Z",
  summary: [
    COPILOT_HEADER,
    "",
    "| | Rule | Result |",
    "| --- | --- | --- |",
    WAITING_ROW,
    "| ❌ | `paths.forbidden` | Changes forbidden paths: `infra/main.tf`.<br>_Fix:_ Remove these changes from the PR, or ask an admin for `/governance override <reason>`. |",
    "",
    "**Still required:**",
    ONE_MORE_APPROVAL,
    "",
    "**Counted:**",
    "- @bob overrode `ec26c3e` at 2026-11-20T11:30:00Z until 2026-11-21T11:30:00.000Z: `INC-42 hotfix`",
    "",
    COMMANDS_LINE,
  ].join("\n"),
  text: sealed({ invokers: [] }),
  annotations: [forbiddenAnnotation("infra/main.tf")],
});

describe("/governance override", () => {
  const POLICY = 'paths:\n  forbidden: ["infra/**"]\n';
  const files = [{ filename: "infra/main.tf", status: "modified", additions: 1, deletions: 0, changes: 1 }];

  it("is accepted from an admin with a reason: the check passes as overridden, for the head commit", async () => {
    const body = "/governance override INC-42 hotfix, reviewed on the call";
    mockToken();
    mockPolicy(POLICY);
    mockPr({ files, comments: [listed(body, { user: BOB })], permissions: { bob: "admin" } });
    const reaction = mockReaction();
    // The command handler hands its policy and facts to the evaluation: no second read.
    mockLabels({ add: ["agent-pr"] });
    const check = mockCheckRun(SEEN_CHECK);
    await receive(app, "issue_comment", commentPayload({ body, user: BOB }));
    expect(reaction.body()).toEqual({ content: "+1" });
    expect(check.body()).toMatchObject({ conclusion: "success", output: { title: "Overridden by @bob" } });
    expect((check.body()!.output as { summary: string }).summary).toContain(
      "- @bob overrode `ec26c3e` at 2026-11-20T11:30:00Z: `INC-42 hotfix, reviewed on the call`",
    );
    expect(nock.isDone()).toBe(true);
  });

  it("a time-bound override (`/governance override 2d …`), cut to `max_duration`: the check gives its expiry", async () => {
    const body = "/governance override 2d INC-42 hotfix";
    mockToken();
    mockPolicy(`${POLICY}commands:\n  override: { max_duration: 1d }\n`);
    mockPr({ files, comments: [listed(body, { user: BOB })], permissions: { bob: "admin" } });
    const reaction = mockReaction();
    mockLabels({ add: ["agent-pr"] });
    const check = mockCheckRun(SEEN_CHECK);
    await receive(app, "issue_comment", commentPayload({ body, user: BOB }));
    expect(reaction.body()).toEqual({ content: "+1" });
    expect(check.body()).toEqual(TIMED_OVERRIDE_CHECK);
    expect(nock.isDone()).toBe(true);
  });

  it("is refused for a writer and without a reason", async () => {
    mockToken();
    mockPolicy(POLICY);
    mockPr({ files, comments: [listed("/governance override please", { user: ALICE })], permissions: { alice: "write" } });
    mockCheckRunRead();
    const reply = mockReply();
    await receive(app, "issue_comment", commentPayload({ body: "/governance override please" }));
    expect(reply.body()).toBe(
      `@alice \`/governance override\` was not done: an override needs admin permission or above (you have write permission).\n\n${marker}`,
    );

    mockPolicy(POLICY);
    mockPr({ files, comments: [listed("/governance override", { user: BOB })], permissions: { bob: "admin" } });
    mockCheckRunRead();
    const second = mockReply();
    await receive(app, "issue_comment", commentPayload({ body: "/governance override", user: BOB }));
    expect(second.body()).toBe(`@bob \`/governance override\` was not done: an override needs a reason: \`/governance override <reason>\`.\n\n${marker}`);
    expect(nock.isDone()).toBe(true);
  });
});

/** The PR's comment list, the only read besides the policy that `help` makes. */
function mockComments(comments: Json[]): nock.Scope {
  return nock(API).get(`${REPO_PATH}/issues/2/comments`).query(true).reply(200, comments);
}

describe("/governance recheck, explain, escalate, help", () => {
  it("recheck from a writer: a +1 reaction and a re-evaluation", async () => {
    mockToken();
    mockPolicy(null);
    mockPr({ comments: [listed("/governance recheck")], permissions: { alice: "write" } });
    const reaction = mockReaction();
    // The command handler hands its policy and facts to the evaluation: no second read.
    waitingOutputs();
    const check = mockCheckRun();
    await receive(app, "issue_comment", commentPayload({ body: "/governance recheck" }));
    expect(reaction.body()).toEqual({ content: "+1" });
    expect(check.body()).toMatchObject({ conclusion: "action_required", output: { title: "Waiting for 1 human approval" } });
    expect(nock.isDone()).toBe(true);
  });

  it("recheck from a reader is refused and does not re-evaluate", async () => {
    mockToken();
    mockPolicy(null);
    mockPr({ comments: [listed("/governance recheck", { user: READER })], permissions: { rita: "read" } });
    mockCheckRunRead();
    const reply = mockReply();
    await receive(app, "issue_comment", commentPayload({ body: "/governance recheck", user: READER }));
    expect(reply.body()).toBe(
      `@rita \`/governance recheck\` was not done: \`/governance recheck\` needs write permission or above on this repository (you have read).\n\n${marker}`,
    );
    expect(nock.isDone()).toBe(true);
  });

  it("explain from a reader: replies with the full evaluation, writing nothing else", async () => {
    mockToken();
    mockPolicy(null);
    mockPr({ comments: [listed("/governance explain", { user: READER })], permissions: { rita: "read" } });
    mockCheckRunRead();
    const reply = mockReply();
    await receive(app, "issue_comment", commentPayload({ body: "/governance explain", user: READER }));
    const text = reply.body()!;
    expect(text.startsWith("**Agent:** Copilot coding agent (high confidence)")).toBe(true);
    expect(text).toContain("| ⏳ | `reviewers` | Human review: 0/1 approvals;");
    expect(text.endsWith(`\n\n${marker}`)).toBe(true);
    expect(nock.isDone()).toBe(true);
  });

  it("escalate from a writer: a rocket, the next tier notified, and a reply naming it", async () => {
    const POLICY = "escalation:\n  tiers:\n    - { after: 24h, notify: [acme/leads] }\n";
    mockToken();
    mockPolicy(POLICY);
    mockPr({ pull: recentPr(), comments: [listed("/governance escalate")], permissions: { alice: "write" } });
    const reaction = mockReaction();
    // The command handler hands its policy and facts to the evaluation: no second read.
    mockLabels({ add: ["agent-pr", "needs-human-review"] });
    const escalation = mockEscalation();
    mockCheckRun();
    const reply = mockReply();
    await receive(app, "issue_comment", commentPayload({ body: "/governance escalate" }));
    expect(reaction.body()).toEqual({ content: "rocket" });
    expect(escalation.body()).toContain("@acme/leads");
    expect(reply.body()).toBe(`Escalated at @alice's request: notified \`acme/leads\` in the escalation comment.\n\n${marker}`);
    expect(nock.isDone()).toBe(true);
  });

  it("escalate names the tier of the `overrides` entry that applies to the PR, whose tiers the comment follows", async () => {
    const POLICY = "overrides:\n  - agents: [copilot]\n    base_branches: [master]\n    escalation: { tiers: [{ after: 24h, notify: [acme/leads] }] }\n";
    mockToken();
    mockPolicy(POLICY);
    mockPr({ pull: recentPr(), comments: [listed("/governance escalate")], permissions: { alice: "write" } });
    mockReaction();
    mockLabels({ add: ["agent-pr", "needs-human-review"] });
    const escalation = mockEscalation();
    mockCheckRun();
    const reply = mockReply();
    await receive(app, "issue_comment", commentPayload({ body: "/governance escalate" }));
    expect(escalation.body()).toContain("cc @acme/leads (escalation tier 1, after 24h)");
    expect(reply.body()).toBe(`Escalated at @alice's request: notified \`acme/leads\` in the escalation comment.\n\n${marker}`);
    expect(nock.isDone()).toBe(true);
  });

  it.each([
    ["help", "/governance help", ""],
    ["a bare prefix", "/governance", ""],
    ["an unknown command", "/governance lgtm", "`/governance lgtm` is not a command.\n\n"],
  ])("%s gets the help text", async (_what, body, lead) => {
    mockToken();
    mockPolicy(null);
    // No facts are gathered for help: the policy and the comment list (was it answered already?).
    mockComments([listed(body, { user: READER })]);
    const reply = mockReply();
    await receive(app, "issue_comment", commentPayload({ body, user: READER }));
    // The help of the policy that applies (here the defaults: override needs admin permission).
    expect(reply.body()).toBe(`${lead}${helpText(defaultPolicy().commands)}\n\n${marker}`);
    expect(reply.body()).toContain("| `/governance override [7d] <reason>` | admin permission | lets the current head commit pass");
    expect(nock.isDone()).toBe(true);
  });
});

describe("GitHub trouble while answering", () => {
  it("logs the failure and still re-evaluates the PR, without throwing", async () => {
    mockToken();
    mockPolicy(null);
    mockPr({ comments: [listed("/governance recheck")], permissions: { alice: "write" } });
    mockCheckRunRead();
    nock(API).post(`${REPO_PATH}/issues/comments/${COMMENT_ID}/reactions`).reply(500, { message: "Server Error" });
    mockPolicy(null);
    mockPr({ comments: [listed("/governance recheck")], permissions: { alice: "write" } });
    waitingOutputs();
    const check = mockCheckRun();
    await receive(app, "issue_comment", commentPayload({ body: "/governance recheck" }));
    expect(check.body()).toMatchObject({ conclusion: "action_required" });
    expect(app.logs.find((l) => l.decision === "error")).toMatchObject({ command: "recheck", comment: COMMENT_ID, err: { status: 500 } });
    expect(nock.isDone()).toBe(true);
  });
});

describe("redelivery, edits and deletions", () => {
  it("answers a redelivered command once: the second delivery finds the marked reply", async () => {
    mockToken();
    mockPolicy(null);
    mockComments([listed("/governance help", { user: READER })]);
    const reply = mockReply();
    await receive(app, "issue_comment", commentPayload({ body: "/governance help", user: READER }));
    expect(reply.body()).toContain(marker);

    const answered = { id: 7001, user: APP_BOT, performed_via_github_app: VIA_APP, body: reply.body(), created_at: CREATED, updated_at: CREATED };
    mockPolicy(null);
    mockComments([listed("/governance help", { user: READER }), answered]);
    await receive(app, "issue_comment", commentPayload({ body: "/governance help", user: READER }));
    expect(nock.isDone()).toBe(true); // no second POST: nock would have refused it
    expect(app.logs.filter((l) => l.msg === "command").map((l) => l.answered_before)).toEqual([false, true]);
  });

  it("does not escalate twice when an escalate command is redelivered", async () => {
    const POLICY = "escalation:\n  tiers:\n    - { after: 24h, notify: [acme/leads] }\n";
    const answered = { id: 7001, user: APP_BOT, performed_via_github_app: VIA_APP, body: `Escalated.\n\n${marker}`, created_at: CREATED, updated_at: CREATED };
    mockToken();
    mockPolicy(POLICY);
    mockPr({ pull: recentPr(), comments: [listed("/governance escalate"), answered], permissions: { alice: "write" } });
    const reaction = mockReaction();
    // The command handler hands its policy and facts to the evaluation: no second read.
    mockLabels({ add: ["agent-pr", "needs-human-review"] });
    const escalation = mockEscalation();
    mockCheckRun();
    await receive(app, "issue_comment", commentPayload({ body: "/governance escalate" }));
    expect(reaction.body()).toEqual({ content: "rocket" }); // idempotent on GitHub
    expect(escalation.body()).not.toContain("acme/leads"); // the tier is not due yet and was not forced again
    expect(nock.isDone()).toBe(true);
  });

  it("an edited comment's command is not obeyed, and its approval stops counting", async () => {
    const edited = "2026-11-20T11:45:00Z";
    mockToken();
    mockPolicy(null);
    mockPr({ comments: [listed("/governance approve", { updated: edited })], permissions: { alice: "write" } });
    waitingOutputs();
    const check = mockCheckRun();
    await receive(app, "issue_comment", commentPayload({ action: "edited", body: "/governance approve", updated: edited, from: "/governance aprove" }));
    expect(check.body()).toMatchObject({ conclusion: "action_required", output: { title: "Waiting for 1 human approval" } });
    expect(nock.isDone()).toBe(true); // no reaction, no reply
  });

  it("a deleted approval stops counting", async () => {
    mockToken();
    mockPolicy(null);
    mockPr({ comments: [], permissions: {} });
    waitingOutputs();
    const check = mockCheckRun();
    await receive(app, "issue_comment", commentPayload({ action: "deleted", body: "/governance approve" }));
    expect(check.body()).toMatchObject({ conclusion: "action_required" });
    expect(nock.isDone()).toBe(true);
  });

  it("an edit that never held a command changes nothing", async () => {
    await receive(app, "issue_comment", commentPayload({ action: "edited", body: "typo fixed", from: "tpyo" }));
    expect(nock.pendingMocks()).toEqual([]);
  });
});
