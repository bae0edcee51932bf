/**
 * Attacks on the one-wave gathering (commit 075672c, issue 15 item 2): the PR, its files, commits and
 * reviews used for a verdict must describe one head and one base, and a write must never carry facts
 * older than what the app was told. Each test plays the attacker end to end: real webhook payloads,
 * GitHub mocked with nock (no network), the exact check run asserted.
 */
import examples from "@octokit/webhooks-examples";
import nock from "nock";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  API,
  COMMANDS_LINE,
  COPILOT_HEADER,
  FakeScheduler,
  HEAD_SHA,
  INSTALLATION_ID,
  PR_URL,
  REPO_PATH,
  SEEN_CHECK,
  commit,
  mockToken,
  pullObject,
  pullRequestPayload,
  receive,
  review,
  reviewPayload,
  setupApp,
  teardown,
  checkRunUpdateBody,
  ALICE_APPROVED_ROW,
  ALICE_COUNTED,
  forbiddenAnnotation,
  WAITING_SUMMARY,
} from "../helpers/app.js";
import { withoutLedger } from "../helpers/ledger.js";

type Json = Record<string, unknown>;

afterEach(() => {
  vi.restoreAllMocks();
  teardown();
});

const PR = `${REPO_PATH}/pulls/2`;
const POLICY_URL = `${REPO_PATH}/contents/.github%2Fagent-governance.yml`;
const ALICE = { login: "alice", id: 5001, type: "User" };
/** The commit under the head that adds the forbidden file. */
const FORBIDDEN_SHA = "c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1";
/** A commit already on master (it changes docs/guide.md). */
const MASTER_SHA = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
const GUIDE = { filename: "docs/guide.md", status: "modified", additions: 1, deletions: 0, changes: 1, patch: "@@ -1 +1 @@\n-a\n+b" };
const README = { filename: "README.md", status: "modified", additions: 1, deletions: 0, changes: 1, patch: "@@ -1 +1 @@\n-a\n+b" };
const PROD = { filename: "infra/prod/main.tf", status: "added", additions: 1, deletions: 0, changes: 1, patch: "@@ -0,0 +1 @@\n+resource \"x\" \"y\" {}" };
const FORBID_POLICY = 'paths:\n  forbidden: ["infra/prod/**"]\n';

function policyFile(yaml: string, etag = '"policy-v1"', headers: Json = {}) {
  return [200, { type: "file", encoding: "base64", path: ".github/agent-governance.yml", content: Buffer.from(yaml).toString("base64") }, { etag, ...headers }] as const;
}

/** The PR as `GET /pulls/2` returns it, into `base`, with `commits` commits and `files` changed files. */
function pullInto(base: string, commits: number, files: number, head = HEAD_SHA): Json {
  const pull = pullObject();
  return { ...pull, commits, changed_files: files, base: { ...(pull.base as Json), ref: base }, head: { ...(pull.head as Json), sha: head } };
}

/** Our check run on `sha` as listed, and its update captured. */
function ourCheck(sha: string, existing: Json | null, bodies: Json[]): void {
  const scope = nock(API).get(`${REPO_PATH}/commits/${sha}/check-runs`).query(true).reply(200, { total_count: existing ? 1 : 0, check_runs: existing ? [existing] : [] });
  if (existing) scope.patch(`${REPO_PATH}/check-runs/${existing.id as number}`, (b: Json) => (bodies.push(b), true)).reply(200, { id: existing.id });
  else scope.post(`${REPO_PATH}/check-runs`, (b: Json) => (bodies.push(b), true)).reply(201, { id: 555 });
}

/** Everything the app may write besides the check run (labels, review requests, comments): accepted, not asserted here. */
function acceptNotifications(): void {
  nock(API)
    .persist()
    .post(`${REPO_PATH}/labels`).reply(201, {})
    .post(`${REPO_PATH}/issues/2/labels`).reply(200, [])
    .delete(/\/issues\/2\/labels\//).reply(200, [])
    .post(`${PR}/requested_reviewers`).reply(201, {})
    .post(`${REPO_PATH}/issues/2/comments`).reply(201, { id: 9001 })
    .patch(/\/issues\/comments\/\d+$/).reply(200, {})
    .get((p) => /\/commits\/[0-9a-f]{40}\/pulls/.test(p)).reply(200, [{ number: 2, state: "open", head: { sha: HEAD_SHA } }])
    .get(`${REPO_PATH}/collaborators/alice/permission`).reply(200, { permission: "write", role_name: "write", user: { login: "alice" } })
    // The ledger is looked for on the PR's earlier commits when the head's check run holds none: none here.
    .get((p) => /\/commits\/[0-9a-f]{40}\/check-runs/.test(p) && !p.includes(HEAD_SHA))
    .query(true)
    .reply(200, { total_count: 0, check_runs: [] });
}

/** A `pull_request.edited` payload for a PR whose base was changed from `from` to `to` (GitHub's retarget event). */
function retargetPayload(from: string, to: string): Json {
  const payload = pullRequestPayload({ action: "opened" });
  payload.action = "edited";
  payload.changes = { base: { ref: { from }, sha: { from: "f".repeat(40) } } };
  const pr = payload.pull_request as Json;
  pr.base = { ...(pr.base as Json), ref: to };
  return payload;
}

/** The check run for the PR approved by alice that adds infra/prod/main.tf to master. */
const FORBIDDEN_VERDICT = checkRunUpdateBody("failure", {
  title: "Policy violation: paths.forbidden",
  summary: [
    COPILOT_HEADER,
    "",
    "| | Rule | Result |",
    "| --- | --- | --- |",
    ALICE_APPROVED_ROW,
    "| ❌ | `paths.forbidden` | Changes forbidden paths: `infra/prod/main.tf`.<br>_Fix:_ Remove these changes from the PR, or ask an admin for `/governance override <reason>`. |",
    "",
    "**Counted:**",
    ALICE_COUNTED,
    "",
    COMMANDS_LINE,
  ].join("\n"),
  annotations: [forbiddenAnnotation("infra/prod/main.tf")],
});

/** The check run for the same head approved by alice against `MASTER` or `stage`: nothing forbidden in that diff. */
const APPROVED_VERDICT = checkRunUpdateBody("success", {
  title: "Policy satisfied",
  summary: [
    COPILOT_HEADER,
    "",
    "| | Rule | Result |",
    "| --- | --- | --- |",
    ALICE_APPROVED_ROW,
    "| ✅ | `paths.forbidden` | No forbidden paths changed. |",
    "",
    "**Counted:**",
    ALICE_COUNTED,
    "",
    COMMANDS_LINE,
  ].join("\n"),
});

/** The check run of the PR with no approval under `reviewers.required: 1`. */
const WAITING_VERDICT = checkRunUpdateBody("action_required", { title: "Waiting for 1 human approval", summary: WAITING_SUMMARY });

/** The check run written when a read failed (500). */
const COULD_NOT_EVALUATE = checkRunUpdateBody("failure", {
  title: "Could not evaluate",
  summary: [
    COPILOT_HEADER,
    "",
    "| | Rule | Result |",
    "| --- | --- | --- |",
    "| ❌ | `evaluation` | GitHub could not be read (500): the app retries; until then this PR is blocked.<br>_Fix:_ The app retries; `/governance recheck` re-runs it now. |",
    "",
    COMMANDS_LINE,
  ].join("\n"),
});

describe("the head's files cache (issue 15, item 2: one head, one base)", () => {
  it("a base branch named like another in another case (`MASTER`, then `master`) does not reuse the first base's files", async () => {
    // The agent's head H merges C1 (adds infra/prod/main.tf, on an old master) with master's tip M1 (docs/guide.md).
    // It pushes `MASTER` = C1 and opens its PR into `MASTER`: the diff is M1's docs/guide.md and H's README.md,
    // two commits (M1, H), two files, nothing forbidden. alice approves. Then it retargets the PR to `master`:
    // the diff is now C1's infra/prod/main.tf and README.md, again two commits (C1, H) and two files, so the
    // counts GitHub reports cannot tell the lists are another base's. Git branch names are case-sensitive;
    // the files cache key was lowercased, so `master` found `MASTER`'s files.
    const app = setupApp();
    mockToken();
    acceptNotifications();
    const bodies: Json[] = [];
    const merge = { ...commit(), parents: [{ sha: FORBIDDEN_SHA }, { sha: MASTER_SHA }] };
    nock(API).get(POLICY_URL).reply(...policyFile(FORBID_POLICY));
    ourCheck(HEAD_SHA, SEEN_CHECK, bodies);
    nock(API)
      .get(PR).reply(200, pullInto("MASTER", 2, 2))
      .get(`${PR}/reviews`).query(true).reply(200, [review({ login: "alice" })])
      .get(`${REPO_PATH}/issues/2/comments`).query(true).reply(200, [])
      .get(`${PR}/files`).query(true).reply(200, [GUIDE, README])
      .get(`${PR}/commits`).query(true).reply(200, [commit({ sha: MASTER_SHA }), merge]);
    const approved = reviewPayload({ reviewer: ALICE });
    ((approved.pull_request as Json).base as Json).ref = "MASTER";
    await receive(app, "pull_request_review", approved);
    expect(withoutLedger(bodies[0])).toEqual(APPROVED_VERDICT);

    // Retargeted to master: the same head now adds infra/prod/main.tf to master.
    nock(API).get(POLICY_URL).reply(...policyFile(FORBID_POLICY));
    ourCheck(HEAD_SHA, { ...SEEN_CHECK, conclusion: "success", output: { title: "Policy satisfied", summary: "" } }, bodies);
    nock(API)
      .get(PR).reply(200, pullInto("master", 2, 2))
      .get(`${PR}/reviews`).query(true).reply(200, [review({ login: "alice" })])
      .get(`${REPO_PATH}/issues/2/comments`).query(true).reply(200, [])
      .get(`${PR}/files`).query(true).reply(200, [PROD, README])
      .get(`${PR}/commits`).query(true).reply(200, [commit({ sha: FORBIDDEN_SHA }), merge]);
    await receive(app, "pull_request", retargetPayload("MASTER", "master"));
    expect(withoutLedger(bodies[1])).toEqual(FORBIDDEN_VERDICT);
  });

  it("a PR retargeted before the app read it does not leave the new base's files under the event's base", async () => {
    // The same head H as above. alice's review event says base `master`; before the app reads anything the
    // agent retargets the PR to `stage` (= C1), so the files GitHub lists are stage's (docs/guide.md, README.md).
    // Those must not be judged, or kept, as master's: when the agent retargets back to `master`, the PR adds
    // infra/prod/main.tf to master and must fail.
    const app = setupApp();
    mockToken();
    acceptNotifications();
    const bodies: Json[] = [];
    const merge = { ...commit(), parents: [{ sha: FORBIDDEN_SHA }, { sha: MASTER_SHA }] };
    const stageWave = () =>
      nock(API)
        .get(`${REPO_PATH}/commits/${HEAD_SHA}/check-runs`).query(true).reply(200, { total_count: 1, check_runs: [SEEN_CHECK] })
        .get(PR).reply(200, pullInto("stage", 2, 2))
        .get(`${PR}/reviews`).query(true).reply(200, [review({ login: "alice" })])
        .get(`${REPO_PATH}/issues/2/comments`).query(true).reply(200, [])
        .get(`${PR}/files`).query(true).reply(200, [GUIDE, README])
        .get(`${PR}/commits`).query(true).reply(200, [commit({ sha: MASTER_SHA }), merge]);
    nock(API).get(POLICY_URL).reply(...policyFile(FORBID_POLICY));
    stageWave();
    // Read again for the base the PR now has (not needed by the code under attack, which judged stage's files at once).
    const again = stageWave();
    nock(API).patch(`${REPO_PATH}/check-runs/777`, (b: Json) => (bodies.push(b), true)).reply(200, { id: 777 });
    await receive(app, "pull_request_review", reviewPayload({ reviewer: ALICE }));
    expect(withoutLedger(bodies[0])).toEqual(APPROVED_VERDICT); // right for `stage`: its diff has nothing forbidden

    // (The retarget to `stage` may be handled by another replica.) Back to master: H adds infra/prod/main.tf.
    nock(API).get(POLICY_URL).reply(...policyFile(FORBID_POLICY));
    ourCheck(HEAD_SHA, { ...SEEN_CHECK, conclusion: "success", output: { title: "Policy satisfied", summary: "" } }, bodies);
    nock(API)
      .get(PR).reply(200, pullInto("master", 2, 2))
      .get(`${PR}/reviews`).query(true).reply(200, [review({ login: "alice" })])
      .get(`${REPO_PATH}/issues/2/comments`).query(true).reply(200, [])
      .get(`${PR}/files`).query(true).reply(200, [PROD, README])
      .get(`${PR}/commits`).query(true).reply(200, [commit({ sha: FORBIDDEN_SHA }), merge]);
    await receive(app, "pull_request", retargetPayload("stage", "master"));
    expect(withoutLedger(bodies[1])).toEqual(FORBIDDEN_VERDICT);
  });
  it("a PR retargeted right after it was opened does not leave the new base's files under the base it was opened into", async () => {
    // An `opened` PR is judged from its payload (no PR read), so nothing confirms the base the files were
    // listed against. The agent opens its PR into `master` and at once retargets it to `stage` (= C1): the files
    // the app lists are stage's. Kept as master's, they were reused when the PR went back to master, approved.
    // Replicas (the retarget handled by another one) run with REDIS_URL: no memo of the app's own writes.
    const app = setupApp({ memo: false });
    mockToken();
    acceptNotifications();
    const bodies: Json[] = [];
    const merge = { ...commit(), parents: [{ sha: FORBIDDEN_SHA }, { sha: MASTER_SHA }] };
    nock(API).get(POLICY_URL).reply(...policyFile(FORBID_POLICY));
    ourCheck(HEAD_SHA, null, bodies);
    nock(API)
      .get(`${PR}/files`).query(true).reply(200, [GUIDE, README])
      .get(`${PR}/commits`).query(true).reply(200, [commit({ sha: MASTER_SHA }), merge]);
    const opened = pullRequestPayload({ action: "opened" });
    Object.assign(opened.pull_request as Json, { commits: 2, changed_files: 2 });
    await receive(app, "pull_request", opened);
    expect(bodies[0]).toMatchObject({ conclusion: "action_required" });

    // (The retarget to `stage` and alice's approval there may be handled by another replica.) Back to master.
    nock(API).get(POLICY_URL).reply(...policyFile(FORBID_POLICY));
    ourCheck(HEAD_SHA, { ...SEEN_CHECK, conclusion: "success", output: { title: "Policy satisfied", summary: "" } }, bodies);
    nock(API)
      .get(PR).reply(200, pullInto("master", 2, 2))
      .get(`${PR}/reviews`).query(true).reply(200, [review({ login: "alice" })])
      .get(`${REPO_PATH}/issues/2/comments`).query(true).reply(200, [])
      .get(`${PR}/files`).query(true).reply(200, [PROD, README])
      .get(`${PR}/commits`).query(true).reply(200, [commit({ sha: FORBIDDEN_SHA }), merge]);
    await receive(app, "pull_request", retargetPayload("stage", "master"));
    expect(withoutLedger(bodies[1])).toEqual(FORBIDDEN_VERDICT);
  });
});

describe("the policy trusted by the repository's `pushed_at` (issue 15, item 2: no verdict from older facts)", () => {
  it("a retry does not trust the event's `pushed_at`: a policy pushed after the event is read, not the cached one", async () => {
    // The event said the repository was last pushed in 2019, and GitHub confirmed the policy (`required: 0`)
    // after that; the evaluation failed on a read and was scheduled again. Meanwhile a maintainer pushed
    // `required: 1`. The retry, minutes later, is a new evaluation: the event's `pushed_at` says nothing about
    // pushes since it was sent, so the policy must be asked for again (with two replicas, the retry's old-policy
    // success would otherwise land after another replica's verdict from the new policy).
    const scheduler = new FakeScheduler();
    const app = setupApp({ scheduler });
    mockToken();
    acceptNotifications();
    const bodies: Json[] = [];
    const date = { date: "Fri, 20 Nov 2026 11:59:00 GMT" };
    nock(API).get(POLICY_URL).reply(...policyFile("reviewers:\n  required: 0\n", '"policy-v1"', date));
    nock(API)
      .get(`${REPO_PATH}/commits/${HEAD_SHA}/check-runs`).query(true).reply(200, { total_count: 1, check_runs: [SEEN_CHECK] })
      .get(PR).reply(200, pullObject())
      .get(`${PR}/reviews`).query(true).reply(200, [])
      .get(`${REPO_PATH}/issues/2/comments`).query(true).reply(200, [])
      .get(`${PR}/files`).query(true).reply(500, { message: "Server Error" })
      .get(`${PR}/commits`).query(true).reply(200, [commit()])
      .patch(`${REPO_PATH}/check-runs/777`, (b: Json) => (bodies.push(b), true)).reply(200, { id: 777 });
    const event = reviewPayload({ reviewer: ALICE, state: "commented" });
    expect((event.repository as Json).pushed_at).toBe("2019-05-15T15:20:33Z");
    await receive(app, "pull_request_review", event);
    expect(withoutLedger(bodies[0])).toEqual(COULD_NOT_EVALUATE);
    expect(scheduler.timers).toHaveLength(1);

    // The retry: the policy is asked for again (conditionally), and the new one applies.
    nock(API, { reqheaders: { "if-none-match": '"policy-v1"' } }).get(POLICY_URL).reply(...policyFile("reviewers:\n  required: 1\n", '"policy-v2"', date));
    nock(API)
      .get(PR).reply(200, pullObject())
      .get(`${REPO_PATH}/commits/${HEAD_SHA}/check-runs`).query(true).reply(200, { total_count: 1, check_runs: [{ ...SEEN_CHECK, conclusion: "failure", output: { title: "Could not evaluate", summary: "" } }] })
      .get(`${PR}/reviews`).query(true).reply(200, [])
      .get(`${REPO_PATH}/issues/2/comments`).query(true).reply(200, [])
      .get(`${PR}/files`).query(true).reply(200, [README])
      .get(`${PR}/commits`).query(true).reply(200, [commit()])
      .patch(`${REPO_PATH}/check-runs/777`, (b: Json) => (bodies.push(b), true)).reply(200, { id: 777 });
    await scheduler.timers[0]!.fn();
    expect(withoutLedger(bodies[1])).toEqual(WAITING_VERDICT);
  });
});

describe("the `/governance help` fast path", () => {
  it("an agent's account (`openhands-agent`, a User) asking for help is refused, as for every other command", async () => {
    // SECURITY.md: none of an agent account's commands (help included) is obeyed, and it is told why. The fast
    // path (policy and comment list only) checked for a Bot, not for an agent's User account.
    const app = setupApp();
    mockToken();
    const OPENHANDS = { login: "openhands-agent", id: 175207370, type: "User" };
    const COMMENT_ID = 492700400;
    const group = (examples as unknown as { name: string; examples: Json[] }[]).find((e) => e.name === "issue_comment")!;
    const payload = structuredClone(group.examples.find((x) => x.action === "created")!);
    payload.installation = { id: INSTALLATION_ID };
    Object.assign(payload.issue as Json, { number: 2, state: "open", pull_request: { url: `${API}${PR}`, html_url: PR_URL } });
    const at = "2026-11-20T11:30:00Z";
    Object.assign(payload.comment as Json, { id: COMMENT_ID, body: "/governance help", user: { ...((payload.comment as Json).user as Json), ...OPENHANDS }, created_at: at, updated_at: at });
    const listed = { id: COMMENT_ID, user: OPENHANDS, body: "/governance help", created_at: at, updated_at: at };
    nock(API)
      .get(POLICY_URL).reply(...policyFile("mode: enforce\n"))
      .get(POLICY_URL).optionally().reply(304)
      .get(`${REPO_PATH}/issues/2/comments`).query(true).reply(200, [listed])
      // The full path reads the PR's facts before refusing (optional: the fast path read none).
      .get(`${REPO_PATH}/issues/2/comments`).query(true).optionally().reply(200, [listed])
      .get(PR).optionally().reply(200, pullObject())
      .get(`${PR}/reviews`).query(true).optionally().reply(200, [])
      .get(`${PR}/files`).query(true).optionally().reply(200, [README])
      .get(`${PR}/commits`).query(true).optionally().reply(200, [commit()])
      .get(`${REPO_PATH}/commits/${HEAD_SHA}/check-runs`).query(true).optionally().reply(200, { total_count: 1, check_runs: [SEEN_CHECK] })
      .get((p) => /\/commits\/[0-9a-f]{40}\/pulls/.test(p)).optionally().reply(200, [{ number: 2, state: "open", head: { sha: HEAD_SHA } }]);
    let reply: string | undefined;
    nock(API).post(`${REPO_PATH}/issues/2/comments`, (b: Json) => ((reply = b.body as string), true)).reply(201, { id: 7001 });
    await receive(app, "issue_comment", payload);
    expect(reply).toBe(
      "@openhands-agent `/governance help` was not done: this is an agent account (OpenHands), and commands written by bots or agents are not obeyed; a human must write them.\n\n" +
        `<!-- agent-governance:reply:${COMMENT_ID} -->`,
    );
    expect(app.logs.find((l) => l.msg === "command")).toMatchObject({ command: "help", decision: "refused", actor: "openhands-agent" });
  });
});

describe("the verdict lane's token", () => {
  it("a retry after the installation token expired writes its verdict with a fresh token, not the lane's first one", async () => {
    // Probot keeps an installation token for 59 minutes of its 60: the token an event's lane was made with may
    // have a minute left. The lane kept it; the event's retries (30 s, 2 min, 10 min on) and a sweep's later PRs
    // wrote their check run with it after it expired: 401, the verdict lost, and every retry of it too.
    const T0 = Date.now();
    const clock = vi.spyOn(Date, "now");
    const token = (t: string, issued: number) =>
      nock(API).post(`/app/installations/${INSTALLATION_ID}/access_tokens`).reply(201, { token: t, expires_at: new Date(issued + 60 * 60_000).toISOString(), permissions: {} });
    const scheduler = new FakeScheduler();
    const app = setupApp({ scheduler });
    acceptNotifications();
    // T0: an echo of the app's own label write reads the policy; the token (ghs_old) is kept by Probot.
    token("ghs_old", T0);
    nock(API).get(POLICY_URL).reply(404, { message: "Not Found" });
    nock(API).get(`/repos/Codertocat/.github/contents/.github%2Fagent-governance.yml`).reply(404, { message: "Not Found" });
    const echo = pullRequestPayload({ action: "labeled" });
    echo.label = { name: "agent-pr" };
    echo.sender = { login: "agent-governance[bot]", id: 1, type: "Bot" };
    await receive(app, "pull_request", echo);

    // T0 + 58.5 min: a review; Probot still hands out ghs_old (a minute and a half left). A read fails: retry.
    clock.mockReturnValue(T0 + 58.5 * 60_000);
    const bodies: Json[] = [];
    nock(API)
      .get(POLICY_URL).reply(404, { message: "Not Found" })
      .get(`/repos/Codertocat/.github/contents/.github%2Fagent-governance.yml`).optionally().reply(404, { message: "Not Found" })
      .get(`${REPO_PATH}/commits/${HEAD_SHA}/check-runs`).query(true).reply(200, { total_count: 1, check_runs: [SEEN_CHECK] })
      .get(PR).reply(200, pullObject())
      .get(`${PR}/reviews`).query(true).reply(200, [])
      .get(`${REPO_PATH}/issues/2/comments`).query(true).reply(200, [])
      .get(`${PR}/files`).query(true).reply(500, { message: "Server Error" })
      .get(`${PR}/commits`).query(true).reply(200, [commit()]);
    nock(API, { reqheaders: { authorization: "token ghs_old" } })
      .patch(`${REPO_PATH}/check-runs/777`, (b: Json) => (bodies.push(b), true)).reply(200, { id: 777 });
    await receive(app, "pull_request_review", reviewPayload({ reviewer: ALICE, state: "commented" }));
    expect(withoutLedger(bodies[0])).toEqual(COULD_NOT_EVALUATE);
    expect(scheduler.timers).toHaveLength(1);

    // T0 + 61 min (the second retry's time): ghs_old has expired; Probot asks for ghs_new.
    clock.mockReturnValue(T0 + 61 * 60_000);
    token("ghs_new", T0 + 61 * 60_000);
    nock(API)
      .get(PR).reply(200, pullObject())
      .get(POLICY_URL).reply(404, { message: "Not Found" })
      .get(`/repos/Codertocat/.github/contents/.github%2Fagent-governance.yml`).optionally().reply(404, { message: "Not Found" })
      .get(`${REPO_PATH}/commits/${HEAD_SHA}/check-runs`).query(true).reply(200, { total_count: 1, check_runs: [{ ...SEEN_CHECK, conclusion: "failure", output: { title: "Could not evaluate", summary: "" } }] })
      .get(`${PR}/reviews`).query(true).reply(200, [])
      .get(`${REPO_PATH}/issues/2/comments`).query(true).reply(200, [])
      .get(`${PR}/files`).query(true).reply(200, [README])
      .get(`${PR}/commits`).query(true).reply(200, [commit()]);
    nock(API, { reqheaders: { authorization: "token ghs_old" } }).patch(`${REPO_PATH}/check-runs/777`).optionally().reply(401, { message: "Bad credentials" });
    nock(API, { reqheaders: { authorization: "token ghs_new" } })
      .patch(`${REPO_PATH}/check-runs/777`, (b: Json) => (bodies.push(b), true)).reply(200, { id: 777 });
    await scheduler.timers[0]!.fn();
    expect(withoutLedger(bodies[1])).toEqual(WAITING_VERDICT);
    expect(app.logs.filter((l) => l.decision === "error")).toHaveLength(1); // E1's read error only
  });
});
