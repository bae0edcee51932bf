/** An override carried over a later push, end to end: the compare API is read, and the check says so. */
import nock from "nock";
import { afterEach, expect, it } from "vitest";
import { API, HEAD_SHA, REPO_PATH, commit, mockCheckRun, mockLabels, mockPolicy, mockPr, mockToken, pullRequestPayload, receive, setupApp, teardown } from "../helpers/app.js";

afterEach(() => teardown());

const OLD = "0000000000000000000000000000000000000abc";

it("an admin's override given on an earlier commit carries over a push that touched no governed path", async () => {
  const app = setupApp();
  mockToken();
  mockPolicy('paths:\n  forbidden: ["infra/**"]\ncommands:\n  override: { scope: until_governed_push }\n');
  const older = commit({ sha: OLD });
  (older.commit as { committer: { date: string } }).committer.date = "2026-11-20T09:00:00Z";
  const newer = commit();
  (newer.commit as { committer: { date: string } }).committer.date = "2026-11-20T11:00:00Z";
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
  mockLabels({ add: ["agent-pr"] });
  const check = mockCheckRun();
  await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
  const body = check.body() as { conclusion: string; output: { title: string; summary: string } };
  expect(body.conclusion).toBe("success");
  expect(body.output.title).toBe("Overridden by @bob");
  expect(body.output.summary).toContain(
    "- @bob overrode `0000000` at 2026-11-20T10:00:00Z: `approved infra change, INC-9` (carried to `ec26c3e`: no governed path changed since)",
  );
  expect(nock.isDone()).toBe(true);
});
