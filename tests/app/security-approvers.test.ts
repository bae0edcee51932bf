/**
 * Issue 15, item 1, end to end: an agent's own account never counts as the
 * human approval. A User account that detection knows as an agent's (a registry
 * account such as `cursoragent` or `openhands-agent`, or a login in
 * `agents.also.logins`), approving by review or by `/governance approve`, on its
 * own PR or another agent's, is refused with the reason in the check run; none of
 * its commands is obeyed; no review is requested from it. Each account is given
 * write (or admin) permission, so only who it is can refuse it.
 */
import examples from "@octokit/webhooks-examples";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  API,
  INSTALLATION_ID,
  PR_URL,
  REPO_PATH,
  SEEN_CHECK,
  mockCheckRun,
  mockCheckRunRead,
  mockPolicy,
  mockPr,
  mockReviewRequest,
  mockToken,
  pullRequestPayload,
  receive,
  review,
  reviewPayload,
  setupApp,
  teardown,
  type TestApp,
  checkRunBody,
  waitingOutputs,
  notCountedSummary,
} from "../helpers/app.js";
import { withoutLedger } from "../helpers/ledger.js";

type Json = Record<string, unknown>;

const CURSOR_USER = { login: "cursoragent", id: 199161495, type: "User" };
const OPENHANDS_USER = { login: "openhands-agent", id: 175207370, type: "User" };
const ACME_AGENT = { login: "acme-agent", id: 7001, type: "User" };
const ALICE = { login: "alice", id: 5001, type: "User" };
const COMMENT_ID = 492700400;
const CREATED = "2026-11-20T11:30:00Z";

/**
 * The permission GitHub would give: write (or more). Optional, since the app no longer
 * asks for an agent account's permission; without the fix it asks, and counts the approval.
 */
function mockPermission(login: string, permission = "write"): void {
  nock(API)
    .get(`${REPO_PATH}/collaborators/${login}/permission`)
    .optionally()
    .reply(200, { permission, role_name: permission, user: { login } });
}

/** A real `issue_comment` payload on Codertocat/Hello-World, rewritten to a comment on PR #2. */
function commentPayload(o: { body: string; user: Json }): Json {
  const group = (examples as unknown as { name: string; examples: Json[] }[]).find((e) => e.name === "issue_comment")!;
  const payload = structuredClone(group.examples.find((x) => x.action === "created")!);
  payload.installation = { id: INSTALLATION_ID };
  const issue = payload.issue as Json;
  issue.number = 2;
  issue.pull_request = { url: `${API}${REPO_PATH}/pulls/2`, html_url: PR_URL };
  const comment = payload.comment as Json;
  Object.assign(comment, { id: COMMENT_ID, body: o.body, user: { ...(comment.user as Json), ...o.user }, created_at: CREATED, updated_at: CREATED });
  return payload;
}

/** A comment as `GET /issues/2/comments` lists it. */
const listed = (body: string, user: Json, id = COMMENT_ID): Json => ({ id, user, body, created_at: CREATED, updated_at: CREATED });

const marker = `<!-- agent-governance:reply:${COMMENT_ID} -->`;

function mockReply(): { body: () => string | undefined } {
  let captured: string | undefined;
  nock(API)
    .post(`${REPO_PATH}/issues/2/comments`, (b: Json) => ((captured = b.body as string), true))
    .reply(201, { id: 7001 });
  return { body: () => captured };
}

/** The check run of a PR still waiting for its one approval, with `notCounted` lines listed as such. */
function waitingCheck(notCounted: string[]): Json {
  return checkRunBody("action_required", {
    title: "Waiting for 1 human approval",
    summary: notCountedSummary(...notCounted),
  });
}

let app: TestApp;
beforeEach(() => {
  app = setupApp();
  mockToken();
});
afterEach(() => teardown());

describe("an agent's account approving by review (issue 15, item 1)", () => {
  it("a registry agent's User account (`cursoragent`) with write permission does not pass another agent's PR", async () => {
    mockPolicy(null);
    mockPr({ reviews: [review({ login: "cursoragent" })] });
    mockPermission("cursoragent");
    waitingOutputs();
    const check = mockCheckRun();
    await receive(app, "pull_request_review", reviewPayload({ reviewer: CURSOR_USER }));
    expect(withoutLedger(check.body())).toEqual(
      waitingCheck(["- @cursoragent approved `ec26c3e` by review at 2026-11-20T11:00:00Z: an agent account (Cursor background agent)"]),
    );
    expect(nock.isDone()).toBe(true);
  });

  it("a login in `agents.also.logins` (a User account) does not count either", async () => {
    mockPolicy("agents:\n  also:\n    logins: [acme-agent]\n");
    mockPr({ reviews: [review({ login: "acme-agent" })] });
    mockPermission("acme-agent", "admin");
    waitingOutputs();
    const check = mockCheckRun();
    await receive(app, "pull_request_review", reviewPayload({ reviewer: ACME_AGENT }));
    expect(withoutLedger(check.body())).toEqual(
      waitingCheck(["- @acme-agent approved `ec26c3e` by review at 2026-11-20T11:00:00Z: an agent account (in `agents.also.logins`)"]),
    );
    expect(nock.isDone()).toBe(true);
  });
});

describe("an agent's account approving by command (issue 15, item 1)", () => {
  it("`/governance approve` from `openhands-agent` is refused with a reply, and nothing is approved", async () => {
    mockPolicy(null);
    mockPr({ comments: [listed("/governance approve", OPENHANDS_USER)] });
    mockPermission("openhands-agent");
    mockCheckRunRead(SEEN_CHECK);
    // Without the fix: a 👍 and a passing check run. With it: a reply, and no write at all.
    nock(API).post(`${REPO_PATH}/issues/comments/${COMMENT_ID}/reactions`).optionally().reply(201, {});
    const reply = mockReply();
    await receive(app, "issue_comment", commentPayload({ body: "/governance approve", user: OPENHANDS_USER }));
    expect(reply.body()).toBe(
      `@openhands-agent \`/governance approve\` was not done: this is an agent account (OpenHands), and commands written by bots or agents are not obeyed; a human must write them.\n\n${marker}`,
    );
    expect(nock.pendingMocks()).toEqual([]);
    expect(app.logs.find((l) => l.msg === "command")).toMatchObject({ command: "approve", decision: "refused", actor: "openhands-agent" });
  });

  it("the agent's approve command is listed as not counted when the PR is evaluated again", async () => {
    const RECHECK_ID = COMMENT_ID + 1;
    mockPolicy(null);
    mockPr({
      comments: [listed("/governance approve", OPENHANDS_USER), { ...listed("/governance recheck", ALICE, RECHECK_ID), created_at: "2026-11-20T11:45:00Z", updated_at: "2026-11-20T11:45:00Z" }],
      permissions: { alice: "write" },
    });
    mockPermission("openhands-agent");
    nock(API).post(`${REPO_PATH}/issues/comments/${RECHECK_ID}/reactions`).reply(201, { id: 1, content: "+1" });
    waitingOutputs();
    const check = mockCheckRun(SEEN_CHECK);
    const payload = commentPayload({ body: "/governance recheck", user: ALICE });
    Object.assign(payload.comment as Json, { id: RECHECK_ID, created_at: "2026-11-20T11:45:00Z", updated_at: "2026-11-20T11:45:00Z" });
    await receive(app, "issue_comment", payload);
    const { started_at: _started, head_sha: _sha, ...expected } = waitingCheck([
      "- @openhands-agent approved `ec26c3e` by command at 2026-11-20T11:30:00Z: an agent account (OpenHands)",
    ]);
    expect(withoutLedger(check.body())).toEqual(expected);
    expect(nock.isDone()).toBe(true);
  });

  it.each([
    ["/governance override urgent fix", "acme-agent", ACME_AGENT],
    ["/governance escalate", "cursoragent", CURSOR_USER],
    ["/governance recheck", "openhands-agent", OPENHANDS_USER],
  ])("`%s` from %s (admin) is refused: an agent's account is never an authorised commander", async (body, login, user) => {
    mockPolicy("agents:\n  also:\n    logins: [acme-agent]\n");
    mockPr({ comments: [listed(body, user)] });
    mockPermission(login, "admin");
    mockCheckRunRead(SEEN_CHECK);
    nock(API).post(`${REPO_PATH}/issues/comments/${COMMENT_ID}/reactions`).optionally().reply(201, {});
    const reply = mockReply();
    await receive(app, "issue_comment", commentPayload({ body, user }));
    const account = login === "acme-agent" ? "an agent account (in `agents.also.logins`)" : login === "cursoragent" ? "an agent account (Cursor background agent)" : "an agent account (OpenHands)";
    const name = body.split(" ").slice(0, 2).join(" ");
    expect(reply.body()).toBe(
      `@${login} \`${name}\` was not done: this is ${account}, and commands written by bots or agents are not obeyed; a human must write them.\n\n${marker}`,
    );
    expect(nock.pendingMocks()).toEqual([]);
  });
});

describe("review requests (issue 15, item 1)", () => {
  it("are never sent to an agent's account, even one the policy lists as a reviewer", async () => {
    mockPolicy("reviewers:\n  from: { users: [cursoragent, acme-agent, dana] }\nagents:\n  also:\n    logins: [acme-agent]\n");
    mockPr({ opened: true });
    waitingOutputs();
    const requested = mockReviewRequest();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload());
    expect(withoutLedger(requested.body())).toEqual({ reviewers: ["dana"], team_reviewers: [] });
    expect(check.body()).toMatchObject({ conclusion: "action_required", output: { title: "Waiting for 1 human approval" } });
    expect(nock.isDone()).toBe(true);
  });
});
