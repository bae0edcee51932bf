/**
 * The org floor end to end (ORG_FLOOR=true): the `.github` repository's `floor:` is read beside the policy,
 * raises it, and the check says which repository setting it overrode.
 */
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { API, OWNER, mockCheckRun, mockPolicy, mockPr, mockToken, pullRequestPayload, receive, setupApp, teardown, type TestApp, checkRunBody, WAITING_SUMMARY, waitingOutputs } from "../helpers/app.js";
import { WAITING_LEDGER } from "../helpers/ledger.js";

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
    waitingOutputs();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload());
    expect(check.body()).toEqual(checkRunBody("action_required", {
      title: "Waiting for 1 human approval",
      summary: [
        WAITING_SUMMARY,
        "",
        "**Notes:**",
        "- Org floor (Codertocat/.github:.github/agent-governance.yml): `reviewers.required`: 0 → 1 (org floor)",
      ].join("\n"),
      text: WAITING_LEDGER,
    }));
    expect(nock.isDone()).toBe(true);
  });
});
