/**
 * Attacks on the policy-change preview (README "Policy-change preview"): the proposed file is the PR
 * author's, read at the PR's head, so nothing it names may make the app read, and show, what the
 * author may not read.
 */
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  API,
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
  type TestApp,
  PREVIEW_INTRO,
  mockPolicyAtHead,
  mockPreviewCheck,
  previewCheckBody,
  waitingOutputs,
} from "../helpers/app.js";

let app: TestApp;
beforeEach(() => {
  app = setupApp();
  mockToken();
});
afterEach(() => {
  teardown();
});

describe("policy-change preview: attacks", () => {
  it("does not read, or quote, a file of another repository that a proposed `_extends` names (a private repository the installation can read)", async () => {
    const proposed = "_extends: Codertocat/private-infra:deploy/prod.yml\nreviewers:\n  required: 1\n";
    mockPolicy("reviewers:\n  required: 1\n");
    mockPr({
      opened: true,
      files: [{ filename: ".github/agent-governance.yml", status: "modified", additions: 1, deletions: 0, changes: 1, patch: "@@ -1,2 +1,3 @@\n+_extends: Codertocat/private-infra:deploy/prod.yml\n reviewers:\n   required: 1" }],
    });
    waitingOutputs();
    mockCheckRun();
    mockPolicyAtHead(proposed);
    nock(API).get(`${REPO_PATH}/pulls`).query(true).reply(200, [pullObject()]);
    // What the installation token could read there: a file the PR's author may not see.
    let secretRead = false;
    nock(API)
      .get("/repos/Codertocat/private-infra/contents/deploy%2Fprod.yml")
      .optionally()
      .reply(200, () => (secretRead = true) && {
        type: "file",
        encoding: "base64",
        path: "deploy/prod.yml",
        content: Buffer.from("database_host: db-7.internal.example\nbilling_admin: root\n").toString("base64"),
      });
    const preview = mockPreviewCheck();

    await receive(app, "pull_request", pullRequestPayload());

    expect(secretRead).toBe(false);
    expect(preview.body()).toEqual(previewCheckBody("failure", {
      title: "Proposed policy is invalid: 1 problem",
      summary: [
        PREVIEW_INTRO,
        "",
        "**Proposed policy** (Codertocat/Hello-World:.github/agent-governance.yml): invalid.",
        "- ❌ Codertocat/Hello-World:.github/agent-governance.yml:1:1: `_extends`: the preview does not read Codertocat/private-infra:deploy/prod.yml: a proposed policy may extend a file of another repository only when the policy in force extends it already, or the organization's `.github` policy (Codertocat/.github:.github/agent-governance.yml); the app reads it once the change is merged",
        "",
        "**Open pull requests:** not compared: the app would refuse the proposed file, and every pull request's check would fail until it is fixed.",
      ].join("\n"),
      annotations: [
        {
          path: ".github/agent-governance.yml",
          start_line: 1,
          end_line: 1,
          annotation_level: "failure",
          title: "agent-governance policy",
          message:
            "`_extends`: the preview does not read Codertocat/private-infra:deploy/prod.yml: a proposed policy may extend a file of another repository only when the policy in force extends it already, or the organization's `.github` policy (Codertocat/.github:.github/agent-governance.yml); the app reads it once the change is merged",
        },
      ],
    }));
    expect(JSON.stringify(preview.body())).not.toContain("db-7.internal");
    expect(JSON.stringify(preview.body())).not.toContain("billing_admin");
  });
});
