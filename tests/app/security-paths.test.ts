/**
 * Issue 15, items 3 and 11, end to end: a real `pull_request_review` payload in,
 * the exact check run out. Every path list follows one rule: `X/**` also matches
 * `X` itself (and every folder a glob names literally), so a symlink in place of
 * a steering folder needs a maintainer; and case is ignored, so a forbidden path
 * in another case (one file on macOS and Windows) is still forbidden.
 */
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  COMMANDS_LINE,
  COPILOT_HEADER,
  mockCheckRun,
  mockPolicy,
  mockPr,
  mockToken,
  receive,
  review,
  reviewPayload,
  setupApp,
  teardown,
  type TestApp,
  checkRunBody,
  ALICE_APPROVED_ROW,
  ALICE_COUNTED,
  forbiddenAnnotation,
  waitingOutputs,
  violationOutputs,
} from "../helpers/app.js";
import { withoutLedger } from "../helpers/ledger.js";

const ALICE = { login: "alice", id: 5001, type: "User" };

/** A symlink as GitHub lists it in a PR's files: one added "file" whose content is the link's target. */
const symlink = (filename: string, target: string) => ({
  filename,
  status: "added",
  additions: 1,
  deletions: 0,
  changes: 1,
  patch: `@@ -0,0 +1 @@\n+${target}\n\\ No newline at end of file`,
});

let app: TestApp;
beforeEach(() => {
  app = setupApp();
  mockToken();
});
afterEach(() => teardown());

describe("a symlinked agent-steering folder (issue 15, item 3)", () => {
  it("`.claude` added as a symlink needs a maintainer: a writer's approval no longer passes the PR", async () => {
    mockPolicy(null);
    mockPr({ reviews: [review({ login: "alice" })], permissions: { alice: "write" }, files: [symlink(".claude", "docs/agent-settings")] });
    waitingOutputs();
    const check = mockCheckRun();
    await receive(app, "pull_request_review", reviewPayload({ reviewer: ALICE }));
    expect(withoutLedger(check.body())).toEqual(checkRunBody("action_required", {
      title: "Waiting for 1 human approval",
      summary: [
        COPILOT_HEADER,
        "",
        "| | Rule | Result |",
        "| --- | --- | --- |",
        ALICE_APPROVED_ROW,
        "| ⏳ | `paths.agent_files` | Changes to agent-steering files (`.claude`): 0/1 approvals; needs 1 more approval from anyone with maintain permission or above.<br>_Fix:_ An eligible reviewer approves the latest commit (a review, or `/governance approve`). |",
        "",
        "**Still required:**",
        "- agent-steering files: 1 more approval from anyone with maintain permission or above",
        "",
        "**Counted:**",
        ALICE_COUNTED,
        "",
        COMMANDS_LINE,
      ].join("\n"),
      annotations: [
        {
          path: ".claude",
          start_line: 1,
          end_line: 1,
          annotation_level: "warning",
          title: "paths.agent_files",
          message: "Needs approval: 1 more approval from anyone with maintain permission or above.",
        },
      ],
    }));
    expect(nock.isDone()).toBe(true);
  });

  it.each([".github/instructions", ".github", ".Cursor"])("`%s` added as a symlink needs a maintainer too", async (name) => {
    mockPolicy(null);
    mockPr({ reviews: [review({ login: "alice" })], permissions: { alice: "write" }, files: [symlink(name, "docs/agent-notes")] });
    waitingOutputs();
    const check = mockCheckRun();
    await receive(app, "pull_request_review", reviewPayload({ reviewer: ALICE }));
    const body = check.body() as { conclusion: string; output: { title: string; summary: string } };
    expect(body.conclusion).toBe("action_required");
    expect(body.output.title).toBe("Waiting for 1 human approval");
    expect(body.output.summary).toContain(
      `| ⏳ | \`paths.agent_files\` | Changes to agent-steering files (\`${name}\`): 0/1 approvals; needs 1 more approval from anyone with maintain permission or above.`,
    );
    expect(nock.isDone()).toBe(true);
  });
});

describe("path lists ignore case (issue 15, item 11)", () => {
  it("a forbidden folder in another case is still forbidden: the check fails whatever the approvals", async () => {
    mockPolicy('paths:\n  forbidden: ["infra/prod/**"]\n');
    mockPr({
      reviews: [review({ login: "alice" })],
      permissions: { alice: "write" },
      files: [{ filename: "Infra/Prod/main.tf", status: "added", additions: 1, deletions: 0, changes: 1, patch: "@@ -0,0 +1 @@\n+resource {}" }],
    });
    violationOutputs();
    const check = mockCheckRun();
    await receive(app, "pull_request_review", reviewPayload({ reviewer: ALICE }));
    expect(withoutLedger(check.body())).toEqual(checkRunBody("failure", {
      title: "Policy violation: paths.forbidden",
      summary: [
        COPILOT_HEADER,
        "",
        "| | Rule | Result |",
        "| --- | --- | --- |",
        ALICE_APPROVED_ROW,
        "| ❌ | `paths.forbidden` | Changes forbidden paths: `Infra/Prod/main.tf`.<br>_Fix:_ Remove these changes from the PR, or ask an admin for `/governance override <reason>`. |",
        "",
        "**Counted:**",
        ALICE_COUNTED,
        "",
        COMMANDS_LINE,
      ].join("\n"),
      annotations: [forbiddenAnnotation("Infra/Prod/main.tf")],
    }));
    expect(nock.isDone()).toBe(true);
  });

  it("a restricted group in another case still needs its reviewers", async () => {
    mockPolicy('paths:\n  restricted:\n    - paths: ["db/migrations/**"]\n      reviewers: { users: [dana], required: 1 }\n');
    mockPr({
      reviews: [review({ login: "alice" })],
      permissions: { alice: "write" },
      files: [{ filename: "DB/Migrations/001.SQL", status: "added", additions: 1, deletions: 0, changes: 1, patch: "@@ -0,0 +1 @@\n+drop table users;" }],
    });
    waitingOutputs();
    nock("https://api.github.com").post("/repos/Codertocat/Hello-World/pulls/2/requested_reviewers", { reviewers: ["dana"], team_reviewers: [] }).reply(201, {});
    const check = mockCheckRun();
    await receive(app, "pull_request_review", reviewPayload({ reviewer: ALICE }));
    const body = check.body() as { conclusion: string; output: { title: string; summary: string } };
    expect(body.conclusion).toBe("action_required");
    expect(body.output.summary).toContain("| ⏳ | `paths.restricted[0]` | Changes to db/migrations/** (`DB/Migrations/001.SQL`): 0/1 approvals; needs 1 more approval from @dana.");
    expect(nock.isDone()).toBe(true);
  });
});
