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
} from "../helpers/app.js";
import { sealed } from "../helpers/ledger.js";

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

describe("the app's own writes are remembered, not read back (one process)", () => {
  it("opened, pushed, approved, merged: no check run of ours is read after the first, no comment list to close, and the ledger travels", async () => {
    const app = setupApp();
    mockToken();

    // Opened at BEFORE_SHA: our check run there is read once (none: the PR was never evaluated).
    mockPolicy(null);
    nock(API).get(`${REPO_PATH}/commits/${BEFORE_SHA}/check-runs`).query(true).reply(200, { total_count: 0, check_runs: [] });
    mockPr({ opened: true, commits: [commit({ sha: BEFORE_SHA })] });
    mockLabels({ add: ["agent-pr", "needs-human-review"] });
    const comment = mockEscalation();
    const opened = mockCreate(554);
    await receive(app, "pull_request", pullRequestPayload({ headSha: BEFORE_SHA }));
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
    mockLabels({ add: ["agent-pr", "needs-human-review"] });
    mockEscalation();
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
    mockPolicy(null);
    nock(API).get(`${REPO_PATH}/commits/${BEFORE_SHA}/check-runs`).query(true).reply(200, { total_count: 0, check_runs: [] });
    mockPr({ opened: true, commits: [commit({ sha: BEFORE_SHA })] });
    mockLabels({ add: ["agent-pr", "needs-human-review"] });
    const comment = mockEscalation();
    const opened = mockCreate(554);
    await receive(app, "pull_request", pullRequestPayload({ headSha: BEFORE_SHA }));
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

  it("is on by default, off with REDIS_URL (replicas) unless asked for", () => {
    expect(memoOn(undefined, {})).toBe(true);
    expect(memoOn(undefined, { REDIS_URL: "redis://redis:6379/0" })).toBe(false);
    expect(memoOn(false, {})).toBe(false);
    expect(memoOn(true, { REDIS_URL: "redis://redis:6379/0" })).toBe(true);
  });
});
