/**
 * Issue 16: one process remembers what the app itself wrote (src/github/memo.ts) instead of reading it back:
 * a PR's life (opened, a push, an approving review, the merge) asks GitHub for none of the app's own check runs
 * and never lists the comments to close the PR, while the sealed ledger still travels from head to head.
 * With the memo off (`REDIS_URL`: several replicas) everything is read back as before.
 */
import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { memoOn } from "../../src/index.js";
import {
  API,
  BEFORE_SHA,
  HEAD_SHA,
  NOW,
  REPO_PATH,
  VIA_APP,
  commit,
  mockCheckRunUpdate,
  mockEscalation,
  mockLabels,
  mockPolicy,
  mockPr,
  mockToken,
  pullObject,
  pullRequestPayload,
  receive,
  review,
  reviewPayload,
  setupApp,
  teardown,
  type TestApp,
  waitingOutputs,
} from "../helpers/app.js";
import { sealed } from "../helpers/ledger.js";
import { GROUP_SHA, HUMAN, mergeGroupPayload } from "../helpers/app.js";

afterEach(() => teardown());

type Json = Record<string, unknown>;
const ALICE = { login: "alice", id: 5001, type: "User" };
const BOT = { login: "agent-governance[bot]", id: 1, type: "Bot" };
const LABELS = [{ name: "agent-pr" }, { name: "needs-human-review" }];
const outputOf = (body: Json | undefined) => body?.output as { title: string; summary: string; text?: string };

/** The reads of our own check runs on these heads, which the memo makes unnecessary: each is asserted not asked. */
function ownRunReads(...shas: string[]) {
  return shas.map((sha) => nock(API).get(`${REPO_PATH}/commits/${sha}/check-runs`).query(true).reply(200, { total_count: 0, check_runs: [] }));
}

/** A new check run, its body captured. */
function mockCreate(id: number) {
  let captured: Json | undefined;
  nock(API).post(`${REPO_PATH}/check-runs`, (b: Json) => ((captured = b), true)).reply(201, { id });
  return () => captured;
}

/** The agent PR opened at BEFORE_SHA: our check run there read once (none), run 554 and comment 9001 written. */
async function openAtBefore(app: TestApp) {
  mockPolicy(null);
  nock(API).get(`${REPO_PATH}/commits/${BEFORE_SHA}/check-runs`).query(true).reply(200, { total_count: 0, check_runs: [] });
  mockPr({ opened: true, commits: [commit({ sha: BEFORE_SHA })] });
  mockLabels({ add: ["agent-pr", "needs-human-review"] });
  const comment = mockEscalation();
  const opened = mockCreate(554);
  await receive(app, "pull_request", pullRequestPayload({ headSha: BEFORE_SHA }));
  return { comment, opened };
}

describe("the app's own writes are remembered, not read back (one process)", () => {
  it("opened, pushed, approved, merged: no check run of ours is read after the first, no comment list to close, and the ledger travels", async () => {
    const app = setupApp();
    mockToken();

    // Opened at BEFORE_SHA: our check run there is read once (none: the PR was never evaluated).
    const { comment, opened } = await openAtBefore(app);
    expect(opened()).toMatchObject({ head_sha: BEFORE_SHA, conclusion: "action_required" });
    const ledger = sealed({ invokers: [], escalation: { notified: {}, started: NOW } });
    expect(outputOf(opened()).text).toBe(ledger);
    expect(nock.isDone()).toBe(true);

    // Pushed to HEAD_SHA: neither the new head's check runs nor the replaced head's are asked for.
    let unasked = ownRunReads(HEAD_SHA, BEFORE_SHA);
    mockPolicy(null);
    const ours = { id: 9001, user: BOT, performed_via_github_app: VIA_APP, body: comment.body(), created_at: NOW };
    mockPr({ pull: { ...pullObject(), labels: LABELS }, comments: [ours], commits: [commit({ sha: BEFORE_SHA }), commit({ sha: HEAD_SHA })] });
    const pushed = mockCreate(555);
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
    expect(pushed()).toMatchObject({ head_sha: HEAD_SHA, conclusion: "action_required", started_at: NOW });
    // The ledger the opened head's run holds, carried from the memo to the new head's run.
    expect(outputOf(pushed()).text).toBe(ledger);
    expect(unasked.map((s) => s.isDone())).toEqual([false, false]);
    nock.cleanAll();

    // alice approves HEAD_SHA: our check run there is updated in place, without reading it.
    unasked = ownRunReads(HEAD_SHA);
    mockPolicy(null);
    mockPr({ pull: { ...pullObject(), labels: LABELS }, reviews: [review({ login: "alice" })], comments: [ours], permissions: { alice: "write" } });
    mockLabels({ remove: ["needs-human-review"] });
    const resolved = mockEscalation({ update: 9001 });
    const approved = mockCheckRunUpdate(555);
    await receive(app, "pull_request_review", reviewPayload({ reviewer: ALICE }));
    // The ledger carried on, the escalation's wait now paused (the PR passes).
    expect(approved.body()).toMatchObject({ conclusion: "success", output: { title: "Policy satisfied", text: sealed({ invokers: [], escalation: { notified: {}, started: NOW, paused: true } }) } });
    expect(resolved.body()).toContain("### ✅ Resolved");
    expect(unasked[0]!.isDone()).toBe(false);
    nock.cleanAll();

    // Merged: the escalation comment as the app last wrote it is closed; the comments are not listed.
    const list = nock(API).get(`${REPO_PATH}/issues/2/comments`).query(true).reply(200, []);
    const closing = mockEscalation({ update: 9001 });
    const payload = pullRequestPayload({ action: "closed" }) as { pull_request: Json };
    Object.assign(payload.pull_request, { merged: true, labels: [{ name: "agent-pr" }] });
    await receive(app, "pull_request", payload);
    expect(closing.body()).toMatch(/^<!-- agent-governance:escalation -->\n### Merged\n\nThis PR was merged; nothing more is needed from reviewers\.\n/);
    expect(list.isDone()).toBe(false);
    expect(app.logs.filter((l) => l.decision === "handler_error" || l.decision === "error")).toEqual([]);
  });

  it("a comment the app remembers but a maintainer deleted: closing the PR shrugs off the 404", async () => {
    const app = setupApp();
    mockToken();
    mockPolicy(null);
    nock(API).get(`${REPO_PATH}/commits/${HEAD_SHA}/check-runs`).query(true).reply(200, { total_count: 0, check_runs: [] });
    mockPr({ opened: true });
    waitingOutputs();
    mockCreate(555);
    await receive(app, "pull_request", pullRequestPayload());
    const gone = nock(API).patch(`${REPO_PATH}/issues/comments/9001`).reply(404, { message: "Not Found" });
    mockLabels({ remove: ["needs-human-review"] });
    const payload = pullRequestPayload({ action: "closed" }) as { pull_request: Json };
    Object.assign(payload.pull_request, { labels: LABELS });
    await receive(app, "pull_request", payload);
    expect(gone.isDone()).toBe(true);
    expect(nock.isDone()).toBe(true);
    expect(app.logs.filter((l) => l.decision === "handler_error")).toEqual([]);
    expect(app.logs.some((l) => l.decision === "closed")).toBe(true);
  });

  it("with the memo off (REDIS_URL, several replicas) the push reads our check runs on both heads, as before", async () => {
    const app = setupApp({ memo: false });
    mockToken();
    const { comment, opened } = await openAtBefore(app);
    const before = { id: 554, name: "Agent Governance", head_sha: BEFORE_SHA, status: "completed", conclusion: "action_required", started_at: NOW, output: outputOf(opened()), app: VIA_APP };
    const read = [
      nock(API).get(`${REPO_PATH}/commits/${HEAD_SHA}/check-runs`).query(true).reply(200, { total_count: 0, check_runs: [] }),
      nock(API).get(`${REPO_PATH}/commits/${BEFORE_SHA}/check-runs`).query(true).reply(200, { total_count: 1, check_runs: [before] }),
    ];
    mockPolicy(null);
    const ours = { id: 9001, user: BOT, performed_via_github_app: VIA_APP, body: comment.body(), created_at: NOW };
    mockPr({ pull: { ...pullObject(), labels: LABELS }, comments: [ours], commits: [commit({ sha: BEFORE_SHA }), commit({ sha: HEAD_SHA })] });
    const pushed = mockCreate(555);
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
    expect(read.map((s) => s.isDone())).toEqual([true, true]);
    expect(outputOf(pushed()).text).toBe(outputOf(opened()).text);
    expect(nock.isDone()).toBe(true);
  });

  it("is on by default, off with REDIS_URL (replicas) or REMEMBER_OWN_WRITES=false unless asked for", () => {
    expect(memoOn(undefined, {})).toBe(true);
    expect(memoOn(undefined, { REDIS_URL: "redis://redis:6379/0" })).toBe(false);
    expect(memoOn(undefined, { REMEMBER_OWN_WRITES: "false" })).toBe(false);
    expect(memoOn(undefined, { REMEMBER_OWN_WRITES: "true" })).toBe(true);
    expect(memoOn(false, {})).toBe(false);
    expect(memoOn(true, { REDIS_URL: "redis://redis:6379/0" })).toBe(true);
  });
});

const P3_HEAD = "3".repeat(40);

function mockPr3() {
  const pr3 = { ...pullObject({ headSha: P3_HEAD, author: HUMAN }), number: 3 } as Json;
  (pr3 as { body: string }).body = "human change";
  (pr3 as { title: string }).title = "Human change";
  nock(API)
    .get(`${REPO_PATH}/pulls/3`).reply(200, pr3)
    .get(`${REPO_PATH}/commits/${P3_HEAD}/check-runs`).query(true).reply(200, { total_count: 0, check_runs: [] })
    .get(`${REPO_PATH}/pulls/3/files`).query(true).reply(200, [{ filename: "README.md", status: "modified", additions: 1, deletions: 0, changes: 1 }])
    .get(`${REPO_PATH}/pulls/3/commits`).query(true).reply(200, [commit({ sha: P3_HEAD })])
    .get(`${REPO_PATH}/pulls/3/reviews`).query(true).reply(200, [])
    .get(`${REPO_PATH}/issues/3/comments`).query(true).reply(200, [])
    .post(`${REPO_PATH}/check-runs`, (b: Json) => b.head_sha === P3_HEAD).reply(201, { id: 333 });
  nock(API).post(/\/labels$/).optionally().reply(200, []).delete(/labels/).optionally().reply(200, []);
}

async function groupThenLabel() {
  const app = setupApp();
  mockToken();
  // 1. Agent PR #2 opened with its head = the merge group's commit G: waits for a human (action_required), run 555.
  mockPolicy(null);
  nock(API).get(`${REPO_PATH}/commits/${GROUP_SHA}/check-runs`).query(true).reply(200, { total_count: 0, check_runs: [] });
  mockPr({ opened: true, commits: [commit({ sha: GROUP_SHA })] });
  waitingOutputs();
  let created: Json | undefined;
  nock(API).post(`${REPO_PATH}/check-runs`, (b: Json) => b.head_sha === GROUP_SHA && ((created = b), true)).reply(201, { id: 555 });
  await receive(app, "pull_request", pullRequestPayload({ headSha: GROUP_SHA }));
  expect(created).toMatchObject({ conclusion: "action_required" });
  nock.cleanAll();

  // 2. merge_group.checks_requested for PR #3 (a passing, human PR) on G: the handler takes the app's run on G (555,
  //    PR #2's, from the memo) and updates it in place to success; the memo is told.
  mockPolicy(null);
  mockPr3();
  const ours555 = { id: 555, name: "Agent Governance", head_sha: GROUP_SHA, status: "completed", conclusion: "action_required", started_at: "2026-11-20T12:00:00Z", output: (created as { output: Json }).output, app: { id: 123 } };
  let groupWrite: Json | undefined;
  void ours555;
  nock(API).patch(`${REPO_PATH}/check-runs/555`, (b: Json) => ((groupWrite = b), true)).reply(200, { id: 555 });
  await receive(app, "merge_group", mergeGroupPayload(`refs/heads/gh-readonly-queue/master/pr-3-${P3_HEAD}`));
  expect(groupWrite).toMatchObject({ conclusion: "success" });
  nock.cleanAll();

  // 3. Any later event on PR #2 (a label by a person): GitHub now shows run 555 = success.
  mockPolicy(null);
  const nowOnGitHub = { ...ours555, conclusion: "success", output: (groupWrite as { output: Json }).output };
  const read = nock(API).get(`${REPO_PATH}/commits/${GROUP_SHA}/check-runs`).query(true).reply(200, { total_count: 1, check_runs: [nowOnGitHub] });
  mockPr({ pull: { ...pullObject({ headSha: GROUP_SHA }), labels: [{ name: "agent-pr" }, { name: "needs-human-review" }] }, commits: [commit({ sha: GROUP_SHA })] });
  nock(API).post(/comments$/).optionally().reply(201, { id: 9002 }).patch(/comments/).optionally().reply(200, {});
  let fix: Json | undefined;
  const patch = nock(API).patch(`${REPO_PATH}/check-runs/555`, (b: Json) => ((fix = b), true)).reply(200, { id: 555 });
  const payload = pullRequestPayload({ action: "labeled", headSha: GROUP_SHA }) as Json;
  (payload as { label: Json }).label = { name: "docs" };
  (payload as { sender: Json }).sender = { login: "maint", id: 9, type: "User" };
  await receive(app, "pull_request", payload);
  return { readDone: read.isDone(), fixed: fix, patchDone: patch.isDone(), logs: app.logs };
}


describe("a merge group's check run on a PR's head commit", () => {
  it("is told to the memo: the PR's next event writes its own verdict back over the group's success, without reading", async () => {
    // An agent pushes a merge group's commit G as its PR's head; the group's check (another PR, passing) then updates
    // the app's run on G. Had the memo not been told, the PR's next event would find its own verdict unchanged and
    // leave GitHub showing the group's success on the agent PR's head.
    const r = await groupThenLabel();
    expect(r.readDone).toBe(false);
    expect(r.fixed).toMatchObject({ conclusion: "action_required" });
    expect(r.patchDone).toBe(true);
  });
});
