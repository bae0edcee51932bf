/**
 * Faults, ordering and concurrency: GitHub errors, rate limits, timeouts,
 * malformed bodies and huge PRs never pass a PR by accident, never crash the
 * app, and are retried; late or concurrent events converge on the newest state.
 */
import examples from "@octokit/webhooks-examples";
import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { rateLimitOptions, shouldRetryRateLimit, KeyedQueue, RetryQueue, RETRY_DELAYS_MS } from "../../src/github/retry.js";
import {
  API,
  COMMANDS_LINE,
  COPILOT_HEADER,
  FakeScheduler,
  HEAD_SHA,
  BEFORE_SHA,
  REPO_PATH,
  SEEN_CHECK,
  commit,
  mockCheckRun,
  mockCheckRunUpdate,
  mockCheckRunRead,
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
  VIA_APP,
  waitingOutputs,
  violationOutputs,
} from "../helpers/app.js";

afterEach(() => teardown());

const PR = `${REPO_PATH}/pulls/2`;

/** Mocks every read of the PR but `broken`, which answers as given. */
function mockPrWith(broken: "files" | "pull", reply: (scope: nock.Interceptor) => nock.Scope) {
  const scope = nock(API);
  if (broken === "pull") reply(scope.get(PR));
  else scope.get(PR).reply(200, pullObject());
  scope.get(`${PR}/reviews`).query(true).reply(200, []);
  scope.get(`${REPO_PATH}/issues/2/comments`).query(true).reply(200, []);
  if (broken === "files") reply(scope.get(`${PR}/files`).query(true));
  else scope.get(`${PR}/files`).query(true).reply(200, []);
  scope.get(`${PR}/commits`).query(true).reply(200, []);
}

type CheckBody = { conclusion: string; output: { title: string; summary: string } };

/** A real `issue_comment.created` payload made a comment on PR #2. */
function commentEvent(comment: Record<string, unknown>): Record<string, unknown> {
  const group = (examples as unknown as { name: string; examples: Record<string, unknown>[] }[]).find((e) => e.name === "issue_comment")!;
  const payload = structuredClone(group.examples.find((x) => x.action === "created")!);
  payload.installation = { id: 2 };
  Object.assign(payload.issue as Record<string, unknown>, { number: 2, pull_request: { url: `${API}${REPO_PATH}/pulls/2` } });
  Object.assign(payload.comment as Record<string, unknown>, comment);
  return payload;
}

describe("GitHub errors while writing", () => {
  it("a label write that fails still lets the check run say the new verdict, and the evaluation is retried", async () => {
    // alice's approval was dismissed: the head's check said success; the label write now fails.
    const scheduler = new FakeScheduler();
    const app = setupApp({ scheduler });
    mockToken();
    mockPolicy(null);
    mockPr({ reviews: [review({ login: "alice", state: "DISMISSED", at: "2026-11-20T11:40:00Z" })], permissions: { alice: "write" } });
    nock(API).post(`${REPO_PATH}/labels`).reply(500, { message: "Server Error" });
    const check = mockCheckRun({ ...SEEN_CHECK, conclusion: "success", output: { title: "Policy satisfied", summary: "" } });
    await receive(app, "pull_request_review", reviewPayload({ action: "dismissed", reviewer: { login: "alice", id: 5001, type: "User" } }));
    expect(check.body()).toMatchObject({ conclusion: "action_required", output: { title: "Waiting for 1 human approval" } });
    expect(scheduler.timers.map((t) => t.ms)).toEqual([30_000]);
    expect(nock.isDone()).toBe(true);
  });
});

describe("GitHub errors while reading", () => {
  const cases: [string, (i: nock.Interceptor) => nock.Scope][] = [
    ["500", (i) => i.reply(500, { message: "Server Error" })],
    ["502", (i) => i.reply(502, "<html>Bad gateway</html>")],
    ["403 secondary rate limit with retry-after", (i) => i.reply(403, { message: "You have exceeded a secondary rate limit." }, { "retry-after": "60" })],
    ["a timeout", (i) => i.replyWithError({ code: "ETIMEDOUT", message: "connect ETIMEDOUT" })],
  ];
  for (const [name, reply] of cases) {
    it(`${name}: a blocking "Could not evaluate" check, a log line, and a retry with backoff`, async () => {
      const scheduler = new FakeScheduler();
      const app = setupApp({ scheduler });
      mockToken();
      mockPolicy(null);
      mockPrWith("files", reply);
      const check = mockCheckRun();
      await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
      const body = check.body() as CheckBody;
      expect(body.conclusion).toBe("failure");
      expect(body.output.title).toBe("Could not evaluate");
      expect(body.output.summary).toContain("the app retries; until then this PR is blocked.");
      expect(body.output.summary).toContain("**Agent:** Copilot coding agent (high confidence)");
      expect(app.logs.some((l) => l.decision === "error" && l.level === 50)).toBe(true);
      expect(scheduler.timers.map((t) => t.ms)).toEqual([RETRY_DELAYS_MS[0]]);
    });
  }

  it("in `mode: report` a read error gives a neutral check (report mode never blocks) that still says it will retry", async () => {
    const scheduler = new FakeScheduler();
    const app = setupApp({ scheduler });
    mockToken();
    mockPolicy("mode: report\n");
    mockPrWith("files", (i) => i.reply(500, { message: "Server Error" }));
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
    expect(check.body()).toMatchObject({ conclusion: "neutral", output: { title: "Report only: Could not evaluate" } });
    expect((check.body() as CheckBody).output.summary).toBe(
      [
        // The payload's PR (the `synchronize` example) is assigned to Codertocat, and nothing else names an invoker.
        COPILOT_HEADER.replace("(high confidence)", "(high confidence), started by @Codertocat").replace("(pull.user)", "(pull.user)\n- hint: assignee `Codertocat` (pull.assignees)"),
        "",
        "_Report mode: this check never blocks merging._",
        "",
        "| | Rule | Result |",
        "| --- | --- | --- |",
        "| ❌ | `evaluation` | GitHub could not be read (500): the app retries.<br>_Fix:_ The app retries; `/governance recheck` re-runs it now. |",
        "",
        COMMANDS_LINE,
      ].join("\n"),
    );
    expect(scheduler.timers.map((t) => t.ms)).toEqual([RETRY_DELAYS_MS[0]]);
  });

  it("in `mode: report` with an `overrides` entry that enforces, a read error still blocks (which entry applies is unknown)", async () => {
    const app = setupApp();
    mockToken();
    mockPolicy("mode: report\noverrides:\n  - agents: [devin]\n    mode: enforce\n");
    mockPrWith("files", (i) => i.reply(500, { message: "Server Error" }));
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
    expect(check.body()).toMatchObject({ conclusion: "failure", output: { title: "Could not evaluate" } });
    expect((check.body() as CheckBody).output.summary).toContain("GitHub could not be read (500): the app retries; until then this PR is blocked.");
  });

  it("a malformed body: blocked, never passed", async () => {
    const app = setupApp();
    mockToken();
    mockPolicy(null);
    mockPrWith("pull", (i) => i.reply(200, { unexpected: true }));
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
    // Nothing can be evaluated from garbage; the payload's head commit gets "Could not evaluate".
    expect(check.body()).toMatchObject({ head_sha: HEAD_SHA, conclusion: "failure", output: { title: "Could not evaluate" } });
    expect(app.logs.some((l) => l.decision === "error")).toBe(true);
  });

  it("the retry re-evaluates and the PR gets its real result; the server keeps serving", async () => {
    const scheduler = new FakeScheduler();
    const app = setupApp({ scheduler });
    mockToken();
    mockPolicy(null);
    mockPrWith("files", (i) => i.reply(500, {}));
    mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
    expect(scheduler.timers).toHaveLength(1);

    // GitHub is back: the scheduled retry runs, and updates the check run the failure wrote (remembered: not read back).
    mockPolicy(null);
    mockPr();
    waitingOutputs();
    const check = mockCheckRunUpdate(555);
    await scheduler.timers[0]!.fn();
    expect((check.body() as CheckBody).conclusion).toBe("action_required");
    expect(nock.isDone()).toBe(true);
  });

  it("a team the app cannot see (404) has no members: its approval is missing, nothing crashes", async () => {
    const app = setupApp();
    mockToken();
    mockPolicy("reviewers:\n  from: { teams: [Codertocat/ghosts] }\n");
    mockPr({ reviews: [{ id: 1, user: { login: "alice", id: 5, type: "User" }, state: "APPROVED", commit_id: HEAD_SHA, submitted_at: "2026-11-20T11:00:00Z" }], permissions: { alice: "write" } });
    nock(API).get("/orgs/Codertocat/teams/ghosts/members").query(true).reply(404, { message: "Not Found" });
    mockLabels({ add: ["agent-pr", "needs-human-review"] });
    nock(API).post(`${REPO_PATH}/pulls/2/requested_reviewers`).reply(201, {});
    mockEscalation();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
    expect(nock.isDone()).toBe(true);
    expect((check.body() as CheckBody).conclusion).toBe("action_required");
    expect((check.body() as CheckBody).output.summary).toMatch(
      /\n\n\*\*Notes:\*\*\n- Team `Codertocat\/ghosts` was not found \(404\): its members' approvals do not count\. Check the team slug in the policy \(`org\/team-slug`, as in the team's URL\) and that the app is installed on that organization\.$/,
    );
  });

  describe("a team the app may not list (403)", () => {
    const ALICE_APPROVES = [{ id: 1, user: { login: "alice", id: 5, type: "User" }, state: "APPROVED", commit_id: HEAD_SHA, submitted_at: "2026-11-20T11:00:00Z" }];
    function mockTeamPolicy() {
      mockToken();
      mockPolicy("reviewers:\n  from: { teams: [Codertocat/maintainers] }\n");
      mockPr({ reviews: ALICE_APPROVES, permissions: { alice: "write" } });
    }

    it("no `members: read` (or a secret team): the approval does not count, and the check names the team and what to do", async () => {
      const scheduler = new FakeScheduler();
      const app = setupApp({ scheduler });
      mockTeamPolicy();
      nock(API).get("/orgs/Codertocat/teams/maintainers/members").query(true).reply(403, { message: "Resource not accessible by integration" });
      mockLabels({ add: ["agent-pr", "needs-human-review"] });
      nock(API).post(`${REPO_PATH}/pulls/2/requested_reviewers`, { reviewers: [], team_reviewers: ["maintainers"] }).reply(201, {});
      mockEscalation();
      const check = mockCheckRun();
      await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
      expect(nock.isDone()).toBe(true);
      const body = check.body() as CheckBody;
      expect(body.conclusion).toBe("action_required");
      expect(body.output.summary.split("\n\n**Notes:**\n")[1]).toBe(
        "- Team `Codertocat/maintainers` could not be read (403): its members' approvals do not count. Grant the app the organization permission **Members: read** (then accept it on the installation), or, if the team is secret, make it visible or list its members as users.",
      );
      expect(scheduler.timers).toEqual([]);
    });

    const limits: [string, Record<string, string>, string][] = [
      ["retry-after", { "retry-after": "60" }, "You have exceeded a secondary rate limit."],
      ["x-ratelimit-remaining: 0", { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1800000000" }, "Forbidden"],
      ["a message saying rate limit", {}, "API rate limit exceeded for installation ID 2."],
    ];
    for (const [name, headers, message] of limits) {
      it(`a rate limit (${name}) is an error, not an empty team: "Could not evaluate" and a retry`, async () => {
        const scheduler = new FakeScheduler();
        const app = setupApp({ scheduler });
        mockTeamPolicy();
        nock(API).get("/orgs/Codertocat/teams/maintainers/members").query(true).reply(403, { message }, headers);
        const check = mockCheckRun();
        await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
        expect(nock.isDone()).toBe(true);
        expect(check.body()).toMatchObject({ conclusion: "failure", output: { title: "Could not evaluate" } });
        expect((check.body() as CheckBody).output.summary).toContain("GitHub could not be read (403): the app retries; until then this PR is blocked.");
        expect(scheduler.timers.map((t) => t.ms)).toEqual([RETRY_DELAYS_MS[0]]);
      });
    }
  });

  it("a PR with more changed files than GitHub lists fails closed and says why", async () => {
    const app = setupApp();
    mockToken();
    mockPolicy(null);
    const files = Array.from({ length: 3000 }, (_, i) => ({ filename: `src/f${i}.ts`, status: "added", additions: 1, deletions: 0, changes: 1 }));
    mockPr({ pull: { ...pullObject(), changed_files: 3500 }, files });
    violationOutputs();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
    const body = check.body() as CheckBody;
    expect(body.conclusion).toBe("failure");
    expect(body.output.summary).toMatch(/3500/);
    expect(body.output.summary).toMatch(/3000/);
  });
});

describe("events on a closed or merged PR", () => {
  const ALICE = { login: "alice", id: 5001, type: "User" };
  const skipped = { decision: "skip", reason: "closed", pr: 2, repo: "Codertocat/Hello-World" };

  it("a review on a merged PR (the payload says closed) reads nothing and schedules no retry", async () => {
    const scheduler = new FakeScheduler();
    const app = setupApp({ scheduler });
    const payload = reviewPayload({ reviewer: ALICE, state: "commented" });
    Object.assign(payload.pull_request as object, { state: "closed", merged: true });
    // No mock at all: any request (even the installation token) would fail and be logged.
    await receive(app, "pull_request_review", payload);
    expect(app.logs.filter((l) => l.decision).map((l) => ({ decision: l.decision, reason: l.reason, pr: l.pr, repo: l.repo }))).toEqual([skipped]);
    expect(scheduler.timers).toEqual([]);
  });

  it("a label added after the merge reads nothing and schedules no retry", async () => {
    const scheduler = new FakeScheduler();
    const app = setupApp({ scheduler });
    const payload = pullRequestPayload({ action: "labeled" });
    payload.label = { name: "release-note" };
    Object.assign(payload.pull_request as object, { state: "closed", merged: true });
    await receive(app, "pull_request", payload);
    expect(app.logs.filter((l) => l.decision).map((l) => l.decision)).toEqual(["skip"]);
    expect(scheduler.timers).toEqual([]);
  });

  it("a PR merged after the event was sent is read once, skipped, and not retried", async () => {
    const scheduler = new FakeScheduler();
    const app = setupApp({ scheduler });
    mockToken();
    mockPolicy(null);
    mockPr({ pull: { ...pullObject(), state: "closed", merged: true } });
    mockCheckRunRead(); // read in the same wave as the PR
    await receive(app, "pull_request_review", reviewPayload({ reviewer: ALICE, state: "commented" }));
    expect(nock.isDone()).toBe(true);
    expect(app.logs.filter((l) => l.decision).map((l) => ({ decision: l.decision, reason: l.reason, pr: l.pr, repo: l.repo }))).toEqual([skipped]);
    expect(scheduler.timers).toEqual([]);
  });
});

describe("a delivery without an installation", () => {
  it("is dropped with one log line: no request, no check, no retry", async () => {
    const scheduler = new FakeScheduler();
    const app = setupApp({ scheduler });
    for (const [name, payload] of [
      ["pull_request", pullRequestPayload({ action: "synchronize" })],
      ["pull_request_review", reviewPayload({ reviewer: { login: "alice", id: 5001, type: "User" } })],
    ] as const) {
      delete payload.installation;
      await receive(app, name, payload);
    }
    // No mock at all: any request would fail and be logged.
    expect(app.logs.filter((l) => l.decision).map((l) => ({ decision: l.decision, reason: l.reason, event: l.event }))).toEqual([
      { decision: "skip", reason: "no_installation", event: "pull_request" },
      { decision: "skip", reason: "no_installation", event: "pull_request_review" },
    ]);
    expect(scheduler.timers).toEqual([]);
  });
});

describe("rate limits", () => {
  it("retries a rate-limited request inline only briefly and a bounded number of times", () => {
    expect(shouldRetryRateLimit(5, 0)).toBe(true);
    expect(shouldRetryRateLimit(5, 1)).toBe(true);
    expect(shouldRetryRateLimit(5, 2)).toBe(false);
    expect(shouldRetryRateLimit(3600, 0)).toBe(false);
  });

  it("keys the write throttle by installation and installs the retry handlers; leaves a disabled throttle alone", () => {
    const transform = rateLimitOptions(() => () => true);
    const out = transform({ auth: { installationId: 42 }, throttle: { minTime: 1 } }) as { throttle: Record<string, unknown> };
    expect(out.throttle.id).toBe("installation-42");
    expect(out.throttle.minTime).toBe(1);
    expect(typeof out.throttle.onSecondaryRateLimit).toBe("function");
    expect(transform({ throttle: { enabled: false } })).toEqual({ throttle: { enabled: false } });
    expect((transform({ throttle: { id: "given" }, auth: { installationId: 1 } }) as { throttle: { id: string } }).throttle.id).toBe("given");
  });

  it("retries an evaluation three times with growing delays, then stops", () => {
    const scheduler = new FakeScheduler();
    const q = new RetryQueue(scheduler);
    const fn = async () => undefined;
    expect([q.schedule("k", fn), q.schedule("k", fn), q.schedule("k", fn), q.schedule("k", fn)]).toEqual([...RETRY_DELAYS_MS, null]);
    q.succeeded("k");
    expect(q.pending("k")).toBe(0);
  });
});

describe("ordering and concurrency", () => {
  it("an event about an old head commit arriving late evaluates and writes for the newest head", async () => {
    const NEW_HEAD = "1111111111111111111111111111111111111111";
    const app = setupApp();
    mockToken();
    mockPolicy(null);
    const newer = { ...pullObject(), head: { ...(pullObject().head as object), sha: NEW_HEAD } };
    // The first wave (for the payload's head) shows a newer head: everything is read again for it, files after head.
    mockCheckRunRead();
    mockPr({ pull: newer });
    mockPr({ pull: newer, commits: [commit({ sha: NEW_HEAD })] });
    waitingOutputs();
    let posted: { head_sha?: string } | undefined;
    nock(API)
      .get(`${REPO_PATH}/commits/${NEW_HEAD}/check-runs`)
      .query(true)
      .reply(200, { total_count: 0, check_runs: [] })
      .post(`${REPO_PATH}/check-runs`, (b) => ((posted = b), true))
      .reply(201, { id: 1 });
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize", headSha: HEAD_SHA }));
    expect(posted?.head_sha).toBe(NEW_HEAD);
    expect(nock.isDone()).toBe(true);
  });

  it("a push landing while the files are read (the commits list builds on the head): read again for the new head, nothing written for the old", async () => {
    const NEW_HEAD = "2222222222222222222222222222222222222222";
    const app = setupApp();
    mockToken();
    mockPolicy(null);
    // The PR still shows the old head, but the commits (listed with the files) already hold a commit on top of it.
    mockCheckRunRead();
    mockPr({ commits: [commit(), { ...commit({ sha: NEW_HEAD }), parents: [{ sha: HEAD_SHA }] }] });
    // Read again: the PR first (its head is known before its files), then the wave for the new head.
    const newer = { ...pullObject(), head: { ...(pullObject().head as object), sha: NEW_HEAD } };
    mockPr({ pull: newer, commits: [commit(), { ...commit({ sha: NEW_HEAD }), parents: [{ sha: HEAD_SHA }] }] });
    mockCheckRunRead(); // the ledger is carried from the last head the app saw among the PR's latest commits
    waitingOutputs();
    const posted: { head_sha?: string }[] = [];
    nock(API)
      .get(`${REPO_PATH}/commits/${NEW_HEAD}/check-runs`)
      .query(true)
      .reply(200, { total_count: 0, check_runs: [] })
      .post(`${REPO_PATH}/check-runs`, (b) => (posted.push(b), true))
      .reply(201, { id: 1 });
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize", headSha: HEAD_SHA }));
    expect(posted.map((b) => b.head_sha)).toEqual([NEW_HEAD]);
    expect(nock.isDone()).toBe(true);
  });

  it("a head that keeps moving: after three tries nothing but a blocking failure is written, and a retry is due", async () => {
    const scheduler = new FakeScheduler();
    const app = setupApp({ scheduler });
    mockToken();
    mockPolicy(null);
    const heads = ["3", "4", "5"].map((d) => d.repeat(40));
    // Each wave's PR read shows yet another head than the one the wave read files for.
    mockCheckRunRead();
    mockPr({ pull: { ...pullObject(), head: { ...(pullObject().head as object), sha: heads[0] } } });
    for (const [i, sha] of heads.slice(0, 2).entries()) {
      nock(API).get(`${REPO_PATH}/commits/${sha}/check-runs`).query(true).reply(200, { total_count: 0, check_runs: [] });
      mockPr({ pull: { ...pullObject(), head: { ...(pullObject().head as object), sha: heads[i + 1] } } });
    }
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize", headSha: HEAD_SHA }));
    expect(check.body()).toMatchObject({ head_sha: HEAD_SHA, conclusion: "failure", output: { title: "Could not evaluate" } });
    expect((check.body()?.output as { summary: string }).summary).toContain("GitHub could not be read (the head kept moving): the app retries; until then this PR is blocked.");
    expect(scheduler.timers).toHaveLength(1);
  });

  it("two events for one PR arriving together are evaluated one after the other: one check run, one comment", async () => {
    const app = setupApp();
    const BOT = { login: "agent-governance[bot]", id: 1, type: "Bot" };
    let checkBody: Record<string, unknown> | undefined;
    let commentBody: string | undefined;
    let checksCreated = 0;
    let commentsCreated = 0;
    const ourComment = () => [{ id: 9001, user: BOT, performed_via_github_app: VIA_APP, body: commentBody, created_at: "2026-11-20T12:00:00Z" }];
    // Both deliveries may ask for an installation token before either is cached.
    nock(API).post("/app/installations/2/access_tokens").times(2).reply(200, { token: "ghs_test_installation_token", permissions: {} });
    mockPolicy(null);
    mockPolicy(null);
    // Interceptors for one path are used in order: first evaluation, then the second (the head's files and commits are read once).
    nock(API)
      .get(PR).reply(200, pullObject())
      .get(PR).reply(200, { ...pullObject(), labels: [{ name: "agent-pr" }, { name: "needs-human-review" }] })
      .get(`${PR}/reviews`).query(true).times(2).reply(200, [])
      .get(`${PR}/files`).query(true).reply(200, [{ filename: "README.md", status: "modified", additions: 1, deletions: 0 }])
      .get(`${PR}/commits`).query(true).reply(200, [commit()])
      .get(`${REPO_PATH}/issues/2/comments`).query(true).reply(200, [])
      .post(`${REPO_PATH}/issues/2/comments`, (b) => ((commentBody = b.body), commentsCreated++, true)).reply(201, { id: 9001 })
      .get(`${REPO_PATH}/issues/2/comments`).query(true).reply(200, ourComment)
      // (Other open PRs with this head are asked for only when the PR may merge: it waits for approval, so not here.)
      .get(`${REPO_PATH}/commits/${HEAD_SHA}/check-runs`).query(true).reply(200, { total_count: 0, check_runs: [] })
      // The push's replaced head: no check run of ours there, so no ledger to carry.
      .get(`${REPO_PATH}/commits/${BEFORE_SHA}/check-runs`).query(true).reply(200, { total_count: 0, check_runs: [] })
      // The second evaluation takes our check run from what the first wrote (the app's memo): not read back.
      .post(`${REPO_PATH}/check-runs`, (b) => ((checkBody = b), checksCreated++, true)).reply(201, { id: 555 });
    mockLabels({ add: ["agent-pr", "needs-human-review"] });
    await Promise.all([
      receive(app, "pull_request", pullRequestPayload({ action: "synchronize" })),
      receive(app, "pull_request", pullRequestPayload({ action: "reopened" })),
    ]);
    expect(checksCreated).toBe(1);
    expect(commentsCreated).toBe(1);
    expect(app.logs.filter((l) => l.msg === "evaluated").map((l) => l.writes)).toEqual([
      { labels: "+agent-pr,needs-human-review -", comment: "created", check: "created" },
      { check: "unchanged" },
    ]);
    expect(nock.pendingMocks().filter((m) => !m.includes("access_tokens"))).toEqual([]);
  });

  it("a command and a review for one PR: the command is answered and evaluated in the PR's queue, so the newer review's result is written last", async () => {
    const app = setupApp();
    const ALICE = { login: "alice", id: 5001, type: "User" };
    const BOB = { login: "bob", id: 5002, type: "User" };
    const at = "2026-11-20T11:30:00Z";
    const command = { id: 4242, user: ALICE, body: "/governance approve", created_at: at, updated_at: at };
    const changes = review({ id: 81, login: "bob", state: "CHANGES_REQUESTED", at: "2026-11-20T11:31:00Z" });
    nock(API).post("/app/installations/2/access_tokens").times(2).reply(200, { token: "ghs_test_installation_token", permissions: {} });
    // The command's read (alice's approval only), then the review's read (bob now requests changes).
    mockPolicy(null);
    mockPr({ comments: [command], permissions: { alice: "write" } });
    mockPolicy(null);
    mockPr({ comments: [command], reviews: [changes], permissions: { alice: "write", bob: "write" } });
    let stored: Record<string, unknown> | null = { ...SEEN_CHECK };
    const written: string[] = [];
    nock(API)
      .persist()
      .get(`${REPO_PATH}/commits/${HEAD_SHA}/check-runs`)
      .query(true)
      .reply(200, () => ({ total_count: 1, check_runs: [stored] }))
      .patch(`${REPO_PATH}/check-runs/777`, (b) => ((stored = { ...stored, ...b }), written.push(b.conclusion), true))
      .reply(200, { id: 777 })
      .post(/\/labels$/)
      .reply(200, [])
      .post(`${REPO_PATH}/issues/2/comments`)
      .reply(201, { id: 9001 })
      .get(`${REPO_PATH}/issues/2/comments`)
      .query(true)
      .reply(200, [command]);
    // While the command's reaction is in flight, bob's review arrives at this process.
    let reviewed: Promise<void> | undefined;
    nock(API)
      .post(`${REPO_PATH}/issues/comments/4242/reactions`)
      .reply(201, () => {
        reviewed = receive(app, "pull_request_review", reviewPayload({ reviewer: BOB, state: "changes_requested" }));
        return { id: 1, content: "+1" };
      });
    const payload = commentEvent(command);
    await receive(app, "issue_comment", payload);
    await reviewed;
    expect(written).toEqual(["success", "action_required"]);
    expect(stored?.conclusion).toBe("action_required");
    nock.cleanAll();
  });

  it("a merge arriving while a review is being evaluated is applied after it: the comment ends saying merged", async () => {
    const app = setupApp();
    const BOT = { login: "agent-governance[bot]", id: 1, type: "Bot" };
    const ours = { id: 9001, user: BOT, performed_via_github_app: VIA_APP, body: "<!-- agent-governance:escalation -->\n### 👀 This agent PR needs human review", created_at: "2026-11-20T11:00:00Z" };
    nock(API).post("/app/installations/2/access_tokens").times(2).reply(200, { token: "ghs_test_installation_token", permissions: {} });
    mockPolicy(null);
    let merged: Promise<void> | undefined;
    const edits: string[] = [];
    const labeled = { ...pullObject(), labels: [{ name: "agent-pr" }, { name: "needs-human-review" }] };
    const scope = nock(API);
    scope.get(PR).reply(200, labeled);
    scope.get(`${PR}/reviews`).query(true).reply(200, []);
    scope.get(`${REPO_PATH}/issues/2/comments`).query(true).reply(200, [ours]);
    // While the review's files are read, the PR is merged and GitHub sends `closed`.
    scope.get(`${PR}/files`).query(true).reply(200, () => {
      const closed = pullRequestPayload({ action: "closed" });
      Object.assign(closed.pull_request as Record<string, unknown>, { merged: true, state: "closed", labels: labeled.labels });
      merged = receive(app, "pull_request", closed);
      return [{ filename: "README.md", status: "modified", additions: 1, deletions: 0 }];
    });
    scope.get(`${PR}/commits`).query(true).reply(200, [commit()]);
    scope.get(`${REPO_PATH}/issues/2/comments`).query(true).reply(200, () => [{ ...ours, body: edits.at(-1) ?? ours.body }]);
    scope.persist().patch(`${REPO_PATH}/issues/comments/9001`, (b) => (edits.push(b.body), true)).reply(200, { id: 9001 });
    scope.persist().delete(/\/issues\/2\/labels\//).reply(200, []);
    mockCheckRun(SEEN_CHECK);
    await receive(app, "pull_request_review", reviewPayload({ reviewer: { login: "rita", id: 5003, type: "User" }, state: "commented" }));
    await merged;
    expect(edits.at(-1)).toContain("### Merged");
    nock.cleanAll();
  });

  it("two replicas that both created an escalation comment converge on the oldest one at the next evaluation", async () => {
    // Creating the comment reads nothing back; the next evaluation finds both in the list it reads anyway.
    const app = setupApp();
    const BOT = { login: "agent-governance[bot]", id: 1, type: "Bot" };
    mockToken();
    mockPolicy(null);
    const mine = (id: number, text: string) => ({ id, user: BOT, performed_via_github_app: VIA_APP, body: `<!-- agent-governance:escalation -->\n${text}`, created_at: "2026-11-20T11:00:00Z" });
    mockPr({ pull: { ...pullObject(), labels: [{ name: "agent-pr" }, { name: "needs-human-review" }] }, comments: [mine(9002, "from replica B"), mine(9001, "from replica A")] });
    let edited: string | undefined;
    const deleted: number[] = [];
    nock(API)
      .delete(`${REPO_PATH}/issues/comments/9002`).reply(() => (deleted.push(9002), [204, ""]))
      .patch(`${REPO_PATH}/issues/comments/9001`, (b) => ((edited = b.body), true)).reply(200, {});
    mockCheckRun(SEEN_CHECK);
    await receive(app, "pull_request", pullRequestPayload({ action: "reopened" }));
    expect(deleted).toEqual([9002]);
    expect(edited).toContain("### 👀 This agent PR needs human review");
    expect(nock.isDone()).toBe(true);
  });

  it("KeyedQueue runs tasks for one key in order, other keys concurrently", async () => {
    const q = new KeyedQueue();
    const order: string[] = [];
    const slow = (tag: string, ms: number) => () => new Promise<void>((r) => setTimeout(() => (order.push(tag), r()), ms));
    await Promise.all([q.run("a", slow("a1", 30)), q.run("a", slow("a2", 1)), q.run("b", slow("b1", 5))]);
    expect(order).toEqual(["b1", "a1", "a2"]);
    expect(q.size).toBe(0);
  });
});
