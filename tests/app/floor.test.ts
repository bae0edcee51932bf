/**
 * The org floor end to end (ORG_FLOOR=true): the `.github` repository's `floor:` is read beside the policy,
 * raises it, and the check says which repository setting it overrode.
 */
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { API, COMMANDS_LINE, COPILOT_HEADER, HEAD_SHA, NOW, OWNER, PR_URL, RECHECK, mockCheckRun, mockEscalation, mockLabels, mockPolicy, mockPr, mockToken, pullRequestPayload, receive, setupApp, teardown, type TestApp } from "../helpers/app.js";
import { sealed } from "../helpers/ledger.js";

let app: TestApp;
beforeEach(() => {
  process.env.ORG_FLOOR = "true";
  app = setupApp();
  mockToken();
});
afterEach(() => {
  delete process.env.ORG_FLOOR;
  teardown();
});

/** The organization's policy file, in its `.github` repository. */
function mockOrgFile(yaml: string): nock.Scope {
  return nock(API)
    .get(`/repos/${OWNER}/.github/contents/.github%2Fagent-governance.yml`)
    .reply(200, { type: "file", encoding: "base64", content: Buffer.from(yaml).toString("base64") }, { etag: '"org-v1"' });
}

describe("the org floor", () => {
  it("raises a repository that asks for no approval to the floor's one, and says so in the check", async () => {
    mockPolicy("reviewers: { required: 0 }\n");
    mockOrgFile("floor:\n  reviewers: { required: 1 }\n");
    mockPr({ opened: true });
    mockLabels({ add: ["agent-pr", "needs-human-review"] });
    mockEscalation();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload());
    expect(check.body()).toEqual({
      name: "Agent Governance",
      head_sha: HEAD_SHA,
      started_at: NOW,
      status: "completed",
      conclusion: "action_required",
      details_url: PR_URL,
      actions: RECHECK,
      output: {
        title: "Waiting for 1 human approval",
        summary: [
          COPILOT_HEADER,
          "",
          "| | Rule | Result |",
          "| --- | --- | --- |",
          "| ⏳ | `reviewers` | Human review: 0/1 approvals; needs 1 more approval from anyone with write permission or above.<br>_Fix:_ An eligible reviewer approves the latest commit (a review, or `/governance approve`). |",
          "",
          "**Still required:**",
          "- reviewers: 1 more approval from anyone with write permission or above",
          "",
          COMMANDS_LINE,
          "",
          "**Notes:**",
          "- Org floor (Codertocat/.github:.github/agent-governance.yml): `reviewers.required`: 0 → 1 (org floor)",
        ].join("\n"),
        text: sealed({ invokers: [], escalation: { notified: {}, started: NOW } }),
      },
    });
    expect(nock.isDone()).toBe(true);
  });
});
