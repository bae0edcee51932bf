/**
 * No request timeout (issue 15, item 9): a GitHub read that never answers held
 * the PR's queue for undici's 300 s. Every request the app's Octokit makes (the
 * class `npm start` and the serverless handlers give Probot, so webhook
 * contexts and the sweep; and the CLI's snapshot client) now has
 * `GITHUB_REQUEST_TIMEOUT_MS` to answer, and a request out of time is retried
 * as a 5xx. nock's `.delay()` plays the GitHub that does not answer. The limit
 * is 1 s for the app here (every request has it, and the first one in a cold
 * test process, the token, can take well over 50 ms on a busy machine) and
 * 50 ms where every request is meant to run out of time.
 */
import { join } from "node:path";
import nock from "nock";
import type { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../src/cli.js";
import { DEFAULT_REQUEST_TIMEOUT_MS, fetchWithTimeout, requestTimeoutMs } from "../../src/github/timeout.js";
import { RETRY_DELAYS_MS } from "../../src/github/retry.js";
import { sweep } from "../../src/handlers/sweep.js";
import { MeteredOctokit } from "../../src/server/ops.js";
import {
  API,
  COMMANDS_LINE,
  COPILOT_HEADER,
  FakeScheduler,
  INSTALLATION_ID,
  NOW,
  REPO_PATH,
  mockCheckRun,
  mockPolicy,
  mockPr,
  mockToken,
  pullObject,
  pullRequestPayload,
  receive,
  setupApp,
  teardown,
  checkRunBody,
  waitingOutputs,
} from "../helpers/app.js";
import { tempDir } from "../cli/run.js";
import { withoutLedger } from "../helpers/ledger.js";

const PR = `${REPO_PATH}/pulls/2`;
const LIMIT_MS = 1_000;
const NEVER = 60_000; // far beyond the limit: as good as never, for this test

/** The server's Octokit class, with Octokit's retry waits shortened (1, 4, 9 ms instead of s) and no write throttle. */
const ServerOctokit = MeteredOctokit.defaults((o: Record<string, unknown>) => ({
  ...o,
  retry: { retryAfterBaseValue: 1 },
  throttle: { enabled: false },
})) as typeof ProbotOctokit;

beforeEach(() => {
  process.env.GITHUB_REQUEST_TIMEOUT_MS = String(LIMIT_MS);
});
afterEach(() => {
  delete process.env.GITHUB_REQUEST_TIMEOUT_MS;
  teardown();
});

/** Every read of the PR answers, but its files: their first `silent` requests never do. */
function mockPrWithSilentFiles(silent: number) {
  const scope = nock(API);
  scope.get(PR).reply(200, pullObject());
  scope.get(`${PR}/reviews`).query(true).reply(200, []);
  scope.get(`${REPO_PATH}/issues/2/comments`).query(true).reply(200, []);
  scope.get(`${PR}/files`).query(true).times(silent).delay(NEVER).reply(200, []);
  scope.get(`${PR}/commits`).query(true).reply(200, []);
  return scope;
}

describe("the limit", () => {
  it("is 10 s unless GITHUB_REQUEST_TIMEOUT_MS says otherwise", () => {
    expect(DEFAULT_REQUEST_TIMEOUT_MS).toBe(10_000);
    expect(requestTimeoutMs({})).toBe(10_000);
    expect(requestTimeoutMs({ GITHUB_REQUEST_TIMEOUT_MS: "20000" })).toBe(20_000);
    for (const bad of ["", "0", "-5", "1.5", "soon"]) expect(requestTimeoutMs({ GITHUB_REQUEST_TIMEOUT_MS: bad })).toBe(10_000);
  });

  it("covers the body too: headers in time and a body that stalls is out of time, not an empty answer", async () => {
    nock.disableNetConnect();
    nock(API).get("/slow-body").delay({ head: 0, body: NEVER }).reply(200, { ok: true });
    const timed = fetchWithTimeout(50);
    await expect(timed(`${API}/slow-body`)).rejects.toMatchObject({ name: "TimeoutError", message: "GitHub did not answer GET /slow-body within 50 ms (GITHUB_REQUEST_TIMEOUT_MS)" });
  });
});

describe("a GitHub read that never answers, on a webhook", () => {
  it("is given up after the limit and retried as a 5xx: the retry answers and the PR gets its real result", async () => {
    const scheduler = new FakeScheduler();
    const app = setupApp({ scheduler, Octokit: ServerOctokit });
    mockToken();
    mockPolicy(null);
    const files = nock(API).get(`${PR}/files`).query(true).delay(NEVER).reply(200, []);
    mockPr();
    waitingOutputs();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
    expect(files.isDone()).toBe(true);
    expect(check.body()).toMatchObject({ conclusion: "action_required", output: { title: "Waiting for 1 human approval" } });
    expect(scheduler.timers).toEqual([]);
    expect(nock.isDone()).toBe(true);
  });

  it("never answering at all: four attempts, then a blocking \"Could not evaluate\" check, a log line naming the request, and a retry", async () => {
    const scheduler = new FakeScheduler();
    const app = setupApp({ scheduler, Octokit: ServerOctokit });
    mockToken();
    mockPolicy(null);
    const reads = mockPrWithSilentFiles(4); // the request and Octokit's 3 retries
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
    expect(withoutLedger(check.body())).toEqual(checkRunBody("failure", {
      title: "Could not evaluate",
      summary: [
        // The synchronize example's human assignee counts as the invoker (nothing else names one).
        COPILOT_HEADER.replace("(high confidence)", "(high confidence), started by @Codertocat").replace("(pull.user)", "(pull.user)\n- hint: assignee `Codertocat` (pull.assignees)"),
        "",
        "| | Rule | Result |",
        "| --- | --- | --- |",
        "| ❌ | `evaluation` | GitHub could not be read (500): the app retries; until then this PR is blocked.<br>_Fix:_ The app retries; `/governance recheck` re-runs it now. |",
        "",
        COMMANDS_LINE,
      ].join("\n"),
    }));
    expect(reads.isDone()).toBe(true);
    const error = app.logs.find((l) => l.decision === "error");
    expect(error).toMatchObject({
      level: 50,
      pr: 2,
      err: { status: 500, message: `GitHub did not answer GET /repos/Codertocat/Hello-World/pulls/2/files within ${LIMIT_MS} ms (GITHUB_REQUEST_TIMEOUT_MS)` },
    });
    expect(scheduler.timers.map((t) => t.ms)).toEqual([RETRY_DELAYS_MS[0]]);
    expect(nock.isDone()).toBe(true);
  });
});

describe("the sweep's clients", () => {
  it("an installation's repository list that never answers: the sweep records an error for it and goes on", async () => {
    const app = setupApp({ Octokit: ServerOctokit });
    mockToken();
    nock(API)
      .get("/app/installations")
      .query(true)
      .reply(200, [{ id: INSTALLATION_ID, account: { login: "Codertocat" } }])
      .get("/installation/repositories")
      .query(true)
      .times(4)
      .delay(NEVER)
      .reply(200, { total_count: 0, repositories: [] });
    const stats = await sweep(app.probot, () => new Date(NOW), { appId: 123 });
    expect(stats).toEqual({ installations: 1, repositories: 0, pulls: 0, evaluated: 0, errors: 1 });
    expect(app.logs.find((l) => l.decision === "sweep_error")).toMatchObject({
      installation: INSTALLATION_ID,
      err: { message: `GitHub did not answer GET /installation/repositories within ${LIMIT_MS} ms (GITHUB_REQUEST_TIMEOUT_MS)` },
    });
    expect(nock.isDone()).toBe(true);
  });
});

describe("the CLI's snapshot client", () => {
  it("a GitHub that never answers is reported as unreachable, naming the request, instead of waited on", async () => {
    nock.disableNetConnect();
    // The CLI's Octokit keeps its default retry waits (1 + 4 + 9 s) between the four attempts.
    nock(API).get(`${REPO_PATH}/contents/.github%2Fagent-governance.yml`).times(4).delay(NEVER).reply(404, {});
    const out = { stdout: "", stderr: "" };
    const io = {
      stdout: { write: (s: string) => (out.stdout += s) },
      stderr: { write: (s: string) => (out.stderr += s) },
      env: { GITHUB_TOKEN: "ghp_timeoutTestToken0123456789abcdefABCD", GITHUB_REQUEST_TIMEOUT_MS: "50" },
    };
    const code = await main(["snapshot", "Codertocat/Hello-World#2", "--out", join(tempDir(), "pr.json")], io);
    expect(code).toBe(1);
    expect(out.stderr).toBe(
      "agent-governance snapshot: could not reach GitHub at https://api.github.com to read Codertocat/Hello-World#2: GitHub did not answer GET /repos/Codertocat/Hello-World/contents/.github%2Fagent-governance.yml within 50 ms (GITHUB_REQUEST_TIMEOUT_MS) (check the network connection, and GHE_HOST / GHE_PROTOCOL for GitHub Enterprise Server)\n",
    );
    expect(nock.isDone()).toBe(true);
  }, 60_000);
});
