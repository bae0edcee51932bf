/** An override carried over a later push, end to end: the compare API is read, and the check says so. */
import nock from "nock";
import { afterEach, expect, it } from "vitest";
import {
  API,
  HEAD_SHA,
  REPO_PATH,
  SEEN_CHECK,
  commit,
  mockCheckRun,
  mockEscalation,
  mockLabels,
  mockPolicy,
  mockPr,
  mockToken,
  pullRequestPayload,
  receive,
  setupApp,
  teardown,
} from "../helpers/app.js";

afterEach(() => teardown());

const OLD = "0000000000000000000000000000000000000abc";
type CheckBody = { conclusion: string; output: { title: string; summary: string } };

/**
 * bob (admin) overrides at 10:00 under `scope: until_governed_push`; the PR's commits are OLD (dated 09:00)
 * and the head (dated `headDate`), which changed only `src/a.ts` since OLD; the app first saw OLD at `oldSeen`.
 * Returns the check run the app writes after the head's `synchronize`.
 */
async function overrideThenPush(o: { headDate: string; oldSeen: string; violation?: boolean }): Promise<CheckBody> {
  const app = setupApp();
  mockToken();
  mockPolicy('paths:\n  forbidden: ["infra/**"]\ncommands:\n  override: { scope: until_governed_push }\n');
  const older = commit({ sha: OLD });
  (older.commit as { committer: { date: string } }).committer.date = "2026-11-20T09:00:00Z";
  const newer = commit();
  (newer.commit as { committer: { date: string } }).committer.date = o.headDate;
  mockPr({
    files: [{ filename: "infra/main.tf", status: "modified", additions: 1, deletions: 0 }, { filename: "src/a.ts", status: "modified", additions: 3, deletions: 1 }],
    commits: [older, newer],
    comments: [{ id: 77, user: { login: "bob", id: 7, type: "User" }, body: "/governance override approved infra change, INC-9", created_at: "2026-11-20T10:00:00Z", updated_at: "2026-11-20T10:00:00Z" }],
    permissions: { bob: "admin" },
  });
  nock(API)
    .get(`${REPO_PATH}/compare/${OLD}...${HEAD_SHA}`)
    .query(true)
    .reply(200, { status: "ahead", files: [{ filename: "src/a.ts", status: "modified", additions: 3, deletions: 1 }] });
  nock(API)
    .get(`${REPO_PATH}/commits/${OLD}/check-runs`)
    .query(true)
    .reply(200, { total_count: 1, check_runs: [{ ...SEEN_CHECK, id: 700, head_sha: OLD, started_at: o.oldSeen }] });
  mockLabels({ add: o.violation ? ["agent-pr", "agent-policy-violation"] : ["agent-pr"] });
  if (o.violation) mockEscalation();
  const check = mockCheckRun();
  await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
  expect(nock.isDone()).toBe(true);
  return check.body() as CheckBody;
}

it("an admin's override given on an earlier commit carries over a push that touched no governed path", async () => {
  // The app saw OLD as the head at 09:05, before the override: the override was given on it.
  const body = await overrideThenPush({ headDate: "2026-11-20T11:00:00Z", oldSeen: "2026-11-20T09:05:00Z" });
  expect(body.conclusion).toBe("success");
  expect(body.output.title).toBe("Overridden by @bob");
  expect(body.output.summary).toContain(
    "- @bob overrode `0000000` at 2026-11-20T10:00:00Z: `approved infra change, INC-9` (carried to `ec26c3e`: no governed path changed since)",
  );
});

it("an override does not carry from a commit the app never saw as the head before it (a back-dated commit cannot claim it)", async () => {
  // The dates place the override on OLD, but the app first saw OLD at 10:20, after the override (OLD was
  // pushed, back-dated, after it): it does not carry, and the forbidden path fails.
  const body = await overrideThenPush({ headDate: "2026-11-20T11:00:00Z", oldSeen: "2026-11-20T10:20:00Z", violation: true });
  expect(body.conclusion).toBe("failure");
  expect(body.output.title).toBe("Policy violation: paths.forbidden");
});

it("an override carries over a push whose commit is dated before the override (made earlier, pushed later)", async () => {
  // The head, made at 09:30 and touching only src/, is pushed after the override: the override stays on OLD and carries.
  const body = await overrideThenPush({ headDate: "2026-11-20T09:30:00Z", oldSeen: "2026-11-20T09:05:00Z" });
  expect(body.conclusion).toBe("success");
  expect(body.output.title).toBe("Overridden by @bob");
});
