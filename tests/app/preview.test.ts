/**
 * The policy-change preview end to end: a PR that changes `.github/agent-governance.yml` comes in; the
 * verdict is written first, under the default branch's policy (invariant 1), then a second check run,
 * "Agent Governance / policy", validates the file read at the PR's head (annotations at file:line) and
 * shows how the repository's open PRs (listed page by page) would change.
 */
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  API,
  COPILOT,
  HUMAN,
  REPO_PATH,
  commit,
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

type Json = Record<string, unknown>;

const OLD_POLICY = "reviewers:\n  required: 1\n";
const NEW_POLICY = 'reviewers:\n  required: 1\npaths:\n  forbidden: ["infra/**", "docs/"]\n';
const POLICY_CHANGE = {
  filename: ".github/agent-governance.yml",
  status: "modified",
  additions: 2,
  deletions: 0,
  changes: 2,
  patch: '@@ -1,2 +1,4 @@\n reviewers:\n   required: 1\n+paths:\n+  forbidden: ["infra/**", "docs/"]',
};

let app: TestApp;
beforeEach(() => {
  app = setupApp();
  mockToken();
});
afterEach(() => {
  teardown();
});

/** Another open PR: as the list shows it, and every read the preview makes of it. */
function openPull(number: number, o: { user: Json; files: Json[]; sha: string; updated: string }): Json {
  const pull = pullObject();
  Object.assign(pull, { number, user: { ...(pull.user as Json), ...o.user }, updated_at: o.updated, html_url: `https://github.com/Codertocat/Hello-World/pull/${number}` });
  pull.head = { ...(pull.head as Json), sha: o.sha, ref: `branch-${number}` };
  const pr = `${REPO_PATH}/pulls/${number}`;
  nock(API)
    .get(pr)
    .reply(200, pull)
    .get(`${pr}/files`)
    .query(true)
    .reply(200, o.files)
    .get(`${pr}/commits`)
    .query(true)
    .reply(200, [commit({ sha: o.sha, by: o.user as { login: string; id: number; type: string } })])
    .get(`${pr}/reviews`)
    .query(true)
    .reply(200, [])
    .get(`${REPO_PATH}/issues/${number}/comments`)
    .query(true)
    .reply(200, [])
    .get(`${REPO_PATH}/commits/${o.sha}/check-runs`)
    .query(true)
    .reply(200, { total_count: 0, check_runs: [] });
  return pull;
}

/** The open PRs, newest update first, over two pages (GitHub's `link` header names the next). */
function mockOpenPulls(pages: Json[][]): { asked: Json[] } {
  const asked: Json[] = [];
  pages.forEach((data, i) => {
    const next: Record<string, string> = i + 1 < pages.length ? { link: `<${API}${REPO_PATH}/pulls?state=open&sort=updated&direction=desc&per_page=31&page=${i + 2}>; rel="next"` } : {};
    nock(API)
      .get(`${REPO_PATH}/pulls`)
      .query((q) => (i === 0 ? !q.page : q.page === String(i + 1)) && (asked.push(q), true))
      .reply(200, data, next);
  });
  return { asked };
}

describe("policy-change preview", () => {
  it("writes the verdict under the default branch's policy, then a second check: the proposed file's warning at file:line and how open PRs change", async () => {
    // #12 is governed: the app asks which open PRs share its head (they would share its check run). Before
    // mockPr, whose answer for any head is #2's.
    nock(API).get(`${REPO_PATH}/commits/${"1".repeat(40)}/pulls`).reply(200, [{ number: 12, state: "open", head: { sha: "1".repeat(40) } }]);
    mockPolicy(OLD_POLICY);
    mockPr({ opened: true, files: [POLICY_CHANGE] });
    waitingOutputs();
    const verdict = mockCheckRun();
    mockPolicyAtHead(NEW_POLICY);
    const self = pullObject();
    const p12 = openPull(12, { user: COPILOT, files: [{ filename: "infra/main.tf", status: "modified", additions: 1, deletions: 0, changes: 1 }], sha: "1".repeat(40), updated: "2026-11-20T11:00:00Z" });
    const p14 = openPull(14, { user: HUMAN, files: [{ filename: "infra/main.tf", status: "modified", additions: 1, deletions: 0, changes: 1 }], sha: "4".repeat(40), updated: "2026-11-19T11:00:00Z" });
    const list = mockOpenPulls([[self, p12], [p14]]);
    const preview = mockPreviewCheck();

    await receive(app, "pull_request", pullRequestPayload());

    // Invariant 1: the PR itself is governed by the default branch's policy, which has no forbidden paths.
    const verdictBody = verdict.body() as { name: string; conclusion: string; output: { summary: string } };
    expect(verdictBody.name).toBe("Agent Governance");
    expect(verdictBody.conclusion).toBe("action_required");
    expect(verdictBody.output.summary).not.toContain("paths.forbidden");

    expect(list.asked).toEqual([
      { state: "open", sort: "updated", direction: "desc", per_page: "31" },
      { state: "open", sort: "updated", direction: "desc", per_page: "31", page: "2" },
    ]);
    expect(preview.body()).toEqual(previewCheckBody("neutral", {
      title: "Proposed policy: 1 of 2 open PRs would change, 1 warning",
      summary: [
        PREVIEW_INTRO,
        "",
        "**Proposed policy** (Codertocat/Hello-World:.github/agent-governance.yml): valid, 1 warning.",
        "- ⚠️ Codertocat/Hello-World:.github/agent-governance.yml:4:27: `paths.forbidden[1]`: `docs/` matches no file (paths never end with `/`): write `docs/**` for everything under it",
        "",
        "**Open pull requests** (the 30 most recently updated, this one aside), under the proposed policy:",
        "",
        "| PR | Agent | Now | With this change | Rules that change |",
        "| --- | --- | --- | --- | --- |",
        "| #12 | copilot | waiting | violation | `paths.forbidden` |",
        "",
        "Unchanged: #14.",
      ].join("\n"),
      annotations: [
        {
          path: ".github/agent-governance.yml",
          start_line: 4,
          end_line: 4,
          annotation_level: "warning",
          title: "agent-governance policy",
          message: "`paths.forbidden[1]`: `docs/` matches no file (paths never end with `/`): write `docs/**` for everything under it",
        },
      ],
    }));
    expect(app.logs.find((l) => l.decision === "policy_preview")).toMatchObject({ pr: 2, valid: true, compared: 2, changed: 1, unread: 0, write: "created" });
    expect(nock.isDone()).toBe(true);
  });

  it("fails the preview on an invalid proposed file, annotated at its line, and compares no PR", async () => {
    mockPolicy(OLD_POLICY);
    mockPr({ opened: true, files: [POLICY_CHANGE] });
    waitingOutputs();
    mockCheckRun();
    mockPolicyAtHead("reviewers:\n  requird: 2\n");
    // The list is read beside the file; no open PR is read when the file would be refused.
    mockOpenPulls([[pullObject()]]);
    const preview = mockPreviewCheck();

    await receive(app, "pull_request", pullRequestPayload());

    expect(preview.body()).toEqual(previewCheckBody("failure", {
      title: "Proposed policy is invalid: 1 problem",
      summary: [
        PREVIEW_INTRO,
        "",
        "**Proposed policy** (Codertocat/Hello-World:.github/agent-governance.yml): invalid.",
        "- ❌ Codertocat/Hello-World:.github/agent-governance.yml:2:3: unknown key `requird` under `reviewers`; did you mean `required`?",
        "",
        "**Open pull requests:** not compared: the app would refuse the proposed file, and every pull request's check would fail until it is fixed.",
      ].join("\n"),
      annotations: [
        {
          path: ".github/agent-governance.yml",
          start_line: 2,
          end_line: 2,
          annotation_level: "failure",
          title: "agent-governance policy",
          message: "unknown key `requird` under `reviewers`; did you mean `required`?",
        },
      ],
    }));
    expect(nock.isDone()).toBe(true);
  });

  it("previews nothing for a PR that does not change the policy", async () => {
    mockPolicy(OLD_POLICY);
    mockPr({ opened: true });
    waitingOutputs();
    mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload());
    expect(app.logs.some((l) => typeof l.decision === "string" && l.decision.startsWith("policy_preview"))).toBe(false);
    expect(nock.isDone()).toBe(true);
  });
});
