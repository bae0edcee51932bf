/**
 * GitHub's merge queue: a merge group waits for the required check on its own
 * commit. The app evaluates the queued PR and writes its verdict there, so a
 * queue behind a required "Agent Governance" check neither stalls nor passes
 * a PR the policy would block.
 */
import fc from "fast-check";
import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { queuedPullNumber } from "../../src/handlers/payload.js";
import {
  ALICE_APPROVED_SUMMARY,
  GROUP_SHA,
  mergeGroupPayload,
  API,
  FakeScheduler,
  NOW,
  OWNER,
  PR_URL,
  REPO_PATH,
  mockCheckRun,
  mockLabels,
  mockPolicy,
  mockPr,
  mockToken,
  pullObject,
  receive,
  review,
  setupApp,
  teardown,
  waitingOutputs,
} from "../helpers/app.js";

afterEach(() => teardown());

type Json = Record<string, unknown>;

/** The check run written on the merge group's commit: none there yet, then created. */
function mockGroupCheck(reply = 201): { body: () => Json | undefined } {
  let captured: Json | undefined;
  nock(API)
    .get(`${REPO_PATH}/commits/${GROUP_SHA}/check-runs`)
    .query(true)
    .reply(200, { total_count: 0, check_runs: [] })
    .post(`${REPO_PATH}/check-runs`, (b: Json) => b.head_sha === GROUP_SHA && ((captured = b), true))
    .reply(reply, reply === 201 ? { id: 990 } : { message: "Server Error" });
  return { body: () => captured };
}

/** The summary for a merge group whose branch (`refs/heads/main`) names no PR. */
const NO_PR =
  "The merge group's branch `refs/heads/main` does not name a pull request (`gh-readonly-queue/<base>/pr-<number>-<sha>`), so the app cannot tell whose policy applies; it does not pass a merge group it cannot tie to a pull request.";

const ALICE_APPROVES = { reviews: [review({ login: "alice" })], permissions: { alice: "write" } };

describe("merge_group.checks_requested", () => {
  it("writes the queued PR's passing verdict on the merge group's commit (and the PR's own check as usual)", async () => {
    const app = setupApp();
    mockToken();
    mockPolicy(null);
    mockPr(ALICE_APPROVES);
    mockLabels({ add: ["agent-pr"], exists: true });
    const group = mockGroupCheck();
    const pr = mockCheckRun();
    await receive(app, "merge_group", mergeGroupPayload());
    expect(pr.body()).toMatchObject({ head_sha: "ec26c3e57ca3a959ca5aad62de7213c562f8c821", conclusion: "success" });
    expect(group.body()).toEqual({
      name: "Agent Governance",
      head_sha: GROUP_SHA,
      started_at: NOW,
      status: "completed",
      conclusion: "success",
      details_url: PR_URL,
      actions: [],
      output: {
        title: "#2: Policy satisfied",
        summary: `This merge group queues pull request #2 (head \`ec26c3e\`), evaluated now:\n\n${ALICE_APPROVED_SUMMARY}`,
      },
    });
    expect(nock.isDone()).toBe(true);
    expect(app.logs.find((l) => l.decision === "merge_group")).toMatchObject({ pr: 2, merge_group: GROUP_SHA, conclusion: "success", writes: { check: "created" } });
  });

  it("fails the merge group of a PR still waiting for people (a merge group takes no action, so never action_required)", async () => {
    const app = setupApp();
    mockToken();
    mockPolicy(null);
    mockPr();
    waitingOutputs();
    const group = mockGroupCheck();
    mockCheckRun();
    await receive(app, "merge_group", mergeGroupPayload());
    expect(group.body()).toMatchObject({ conclusion: "failure", output: { title: "#2: Waiting for 1 human approval" } });
    expect(nock.isDone()).toBe(true);
  });

  it("fails a merge group whose branch names no PR, under the check name the policy gives", async () => {
    const app = setupApp();
    mockToken();
    mockPolicy("escalation:\n  check_name: Governance\n");
    const group = mockGroupCheck();
    await receive(app, "merge_group", mergeGroupPayload("refs/heads/main"));
    expect(group.body()).toEqual({
      name: "Governance",
      head_sha: GROUP_SHA,
      started_at: NOW,
      status: "completed",
      conclusion: "failure",
      actions: [],
      output: {
        title: "Merge group of an unknown pull request",
        summary: NO_PR,
      },
    });
    expect(nock.isDone()).toBe(true);
  });

  it("in `mode: report`, a merge group it cannot tie to an evaluated PR is neutral: report mode never blocks", async () => {
    const app = setupApp();
    mockToken();
    mockPolicy("mode: report\n");
    const group = mockGroupCheck();
    await receive(app, "merge_group", mergeGroupPayload("refs/heads/main"));
    expect(group.body()).toMatchObject({
      conclusion: "neutral",
      output: { title: "Report only: Merge group of an unknown pull request", summary: `${NO_PR}\n\n_Report mode: this check never blocks merging._` },
    });
    expect(nock.isDone()).toBe(true);
  });

  it("fails the merge group of a PR closed meanwhile", async () => {
    const app = setupApp();
    mockToken();
    mockPolicy(null);
    const closed = { ...pullObject(), state: "closed" };
    mockPr({ pull: closed });
    nock(API).get(`${REPO_PATH}/pulls/2`).reply(200, closed);
    const group = mockGroupCheck();
    await receive(app, "merge_group", mergeGroupPayload());
    expect(group.body()).toMatchObject({ conclusion: "failure", output: { title: "#2 is not open", summary: "Pull request #2 is closed, so this merge group is not evaluated." } });
    expect(nock.isDone()).toBe(true);
  });

  describe("when GitHub cannot be read for the PR", () => {
    /** GitHub failing to read PR #2, for as long as the test runs; every check run created on the group is kept. */
    function failingGitHub(): Json[] {
      nock(API).persist().get(`${REPO_PATH}/contents/.github%2Fagent-governance.yml`).reply(404, { message: "Not Found" });
      nock(API).persist().get(`/repos/${OWNER}/.github/contents/.github%2Fagent-governance.yml`).reply(404, { message: "Not Found" });
      nock(API).persist().get(`${REPO_PATH}/pulls/2`).reply(500, { message: "Server Error" });
      for (const list of ["pulls/2/reviews", "issues/2/comments", "pulls/2/files", "pulls/2/commits"]) {
        nock(API).persist().get(`${REPO_PATH}/${list}`).query(true).optionally().reply(200, []);
      }
      nock(API).persist().get(`${REPO_PATH}/commits/${GROUP_SHA}/check-runs`).query(true).reply(200, { total_count: 0, check_runs: [] });
      const created: Json[] = [];
      nock(API).persist().post(`${REPO_PATH}/check-runs`, (b: Json) => (created.push(b), true)).reply(201, { id: 990 });
      // The app remembers the in-progress run it started (it does not read it back): the last attempt completes it.
      nock(API).persist().patch(`${REPO_PATH}/check-runs/990`, (b: Json) => (created.push(b), true)).reply(200, { id: 990 });
      return created;
    }

    it("the group waits with an in-progress check and is tried again, failing only when the retries run out (never a silent pass)", async () => {
      const scheduler = new FakeScheduler();
      const app = setupApp({ scheduler });
      mockToken();
      const created = failingGitHub();
      await receive(app, "merge_group", mergeGroupPayload());
      expect(created).toEqual([
        {
          name: "Agent Governance",
          head_sha: GROUP_SHA,
          started_at: NOW,
          status: "in_progress",
          output: { title: "Evaluating #2", summary: "GitHub could not be read for pull request #2; the app tries again (next in 30 s) while the merge queue waits." },
        },
      ]);
      expect(app.logs.find((l) => l.msg === "merge group check waits for a retry")).toMatchObject({ decision: "retry_scheduled", pr: 2, merge_group: GROUP_SHA, delay_ms: 30_000 });
      // Each attempt schedules the PR's own retry, then the group's (the newest timer).
      for (const ms of [120_000, 600_000]) {
        await scheduler.timers.at(-1)!.fn();
        expect(scheduler.timers.at(-1)!.ms).toBe(ms);
        expect(created).toHaveLength(1);
      }
      await scheduler.timers.at(-1)!.fn();
      expect(created).toHaveLength(2);
      expect(created[1]).toMatchObject({
        status: "completed",
        conclusion: "failure",
        output: {
          title: "#2: Could not evaluate",
          summary: "Pull request #2 could not be evaluated for this merge group: GitHub could not be read (500). The PR's own check is retried; add the PR to the merge queue again once it passes.",
        },
      });
    });
  });

  it("a retry after GitHub came back completes the in-progress check on the group with the PR's verdict", async () => {
    const scheduler = new FakeScheduler();
    const app = setupApp({ scheduler });
    mockToken();
    mockPolicy(null);
    // Without a head from the event the PR is read first (its files after): when that fails, nothing else is read.
    nock(API).get(`${REPO_PATH}/pulls/2`).times(2).reply(500, { message: "Server Error" });
    nock(API).post(`${REPO_PATH}/check-runs`, (b: Json) => b.status === "in_progress").reply(201, { id: 990 });
    await receive(app, "merge_group", mergeGroupPayload());
    expect(nock.isDone()).toBe(true);

    mockPolicy(null);
    mockPr(ALICE_APPROVES);
    mockLabels({ add: ["agent-pr"], exists: true });
    mockCheckRun();
    let completed: Json | undefined;
    // The in-progress run on the group is the one the app started: remembered, not read back.
    nock(API)
      .patch(`${REPO_PATH}/check-runs/990`, (b: Json) => ((completed = b), true))
      .reply(200, { id: 990 });
    await scheduler.timers.at(-1)!.fn();
    expect(completed).toMatchObject({ status: "completed", conclusion: "success", output: { title: "#2: Policy satisfied" } });
    expect(nock.isDone()).toBe(true);
  });

  it("when the check cannot be written, retries with backoff and a fresh evaluation", async () => {
    const scheduler = new FakeScheduler();
    const app = setupApp({ scheduler });
    mockToken();
    mockPolicy(null);
    mockPr(ALICE_APPROVES);
    mockLabels({ add: ["agent-pr"], exists: true });
    mockGroupCheck(500);
    mockCheckRun();
    await receive(app, "merge_group", mergeGroupPayload());
    expect(app.logs.find((l) => l.msg === "merge group check could not be written")).toMatchObject({ decision: "error", pr: 2, merge_group: GROUP_SHA, delay_ms: 30_000 });
    expect(scheduler.timers.map((t) => t.ms)).toEqual([30_000]);
    expect(nock.isDone()).toBe(true);

    mockPolicy(null);
    mockPr(ALICE_APPROVES);
    mockLabels({ add: ["agent-pr"], exists: true });
    const group = mockGroupCheck();
    mockCheckRun({ id: 555, status: "completed", conclusion: "success", output: { title: "Policy satisfied", summary: "" } });
    await scheduler.timers[0]!.fn();
    expect(group.body()).toMatchObject({ conclusion: "success", output: { title: "#2: Policy satisfied" } });
  });

  it("ignores a payload without a merge group, saying so", async () => {
    const app = setupApp();
    const payload = mergeGroupPayload();
    delete payload.merge_group;
    await receive(app, "merge_group", payload);
    expect(app.logs.find((l) => l.decision === "malformed_payload")).toMatchObject({ event: "merge_group", reason: "no merge_group" });
  });
});

describe("queuedPullNumber (property)", () => {
  const sha = fc.stringMatching(/^[0-9a-f]{40}$/);
  it("reads the PR number back from any merge-queue branch GitHub names", () => {
    const base = fc.string({ minLength: 1, maxLength: 60 }).filter((b) => !/[\n\r\u2028\u2029]/.test(b));
    fc.assert(
      fc.property(base, fc.integer({ min: 1, max: 2 ** 31 }), sha, (b, n, s) => {
        expect(queuedPullNumber(`refs/heads/gh-readonly-queue/${b}/pr-${n}-${s}`)).toBe(n);
      }),
    );
  });
  it("never throws, and reads no number from other refs", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (ref) => {
        const n = queuedPullNumber(ref);
        expect(n === null || (Number.isSafeInteger(n) && n > 0)).toBe(true);
        if (!ref.startsWith("refs/heads/gh-readonly-queue/")) expect(n).toBeNull();
      }),
    );
    expect(queuedPullNumber("refs/heads/gh-readonly-queue/main/pr-0-" + "a".repeat(40))).toBeNull();
    expect(queuedPullNumber("refs/heads/gh-readonly-queue/main/pr-12-abc")).toBeNull();
  });
});
