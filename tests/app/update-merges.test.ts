/**
 * GitHub's "Update branch" merges keep approvals (issue 18, point 4b), end to end: a push of a merge GitHub
 * made reads the compare from the approved commit, and the approval counts when the merge brought only the
 * base branch's changes.
 */
import nock from "nock";
import { afterEach, expect, it } from "vitest";
import {
  API,
  ALICE_APPROVED_SUMMARY,
  HEAD_SHA,
  REPO_PATH,
  commit,
  mockCheckRun,
  mockLabels,
  mockPolicy,
  mockPr,
  mockToken,
  pullRequestPayload,
  receive,
  review,
  setupApp,
  teardown,
  checkRunBody,
  ALICE_COUNTED,
  notCountedSummary,
  waitingOutputs,
} from "../helpers/app.js";
import { EMPTY_LEDGER, WAITING_LEDGER } from "../helpers/ledger.js";

afterEach(() => teardown());

type Json = Record<string, unknown>;
const APPROVED = "a11ce00000000000000000000000000000000001";
const BASE = "ba5e000000000000000000000000000000000001";

/** The agent's commit alice approved, then GitHub's "Update branch" merge of the base into it: the head. */
function commits(): Json[] {
  const agent = { ...commit({ sha: APPROVED }), parents: [{ sha: BASE }] };
  const merge = commit({ message: "Merge branch 'master' into copilot/fix" });
  merge.parents = [{ sha: APPROVED }, { sha: BASE }];
  merge.author = { login: "Codertocat", id: 21031067, type: "User" };
  return [agent, merge];
}

/** A `synchronize` for the merge: alice's approval of APPROVED, the compare APPROVED...head listing `changed`. */
function pushMerge(changed: Json[]) {
  const app = setupApp();
  mockToken();
  mockPolicy(null);
  mockPr({ commits: commits(), reviews: [review({ login: "alice", commitId: APPROVED })], permissions: { alice: "write" } });
  nock(API).get(`${REPO_PATH}/compare/${APPROVED}...${HEAD_SHA}`).query(true).reply(200, { status: "ahead", files: changed });
  return { app, check: mockCheckRun() };
}

it("an approval before an Update branch merge that brought only base-branch files still counts", async () => {
  const { app, check } = pushMerge([{ filename: "docs/base-change.md", status: "modified", additions: 2, deletions: 0 }]);
  mockLabels({ add: ["agent-pr"] });
  await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
  expect(check.body()).toEqual(checkRunBody("success", {
    title: "Policy satisfied",
    summary: ALICE_APPROVED_SUMMARY.replace(
      ALICE_COUNTED,
      "- @alice approved `a11ce00` by review at 2026-11-20T11:00:00Z (reviewers; carried to `ec26c3e`: only base-branch changes merged since)",
    ),
    text: EMPTY_LEDGER,
  }));
  expect(nock.isDone()).toBe(true);
});

it("a merge that changed a file of the PR (a conflict resolved in GitHub's editor) makes the approval stale", async () => {
  const { app, check } = pushMerge([{ filename: "README.md", status: "modified", additions: 1, deletions: 1 }]);
  waitingOutputs();
  await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
  expect(check.body()).toEqual(checkRunBody("action_required", {
    title: "Waiting for 1 human approval",
    summary: notCountedSummary("- @alice approved `a11ce00` by review at 2026-11-20T11:00:00Z: stale: the head is now `ec26c3e`"),
    text: WAITING_LEDGER,
  }));
  expect(nock.isDone()).toBe(true);
});
