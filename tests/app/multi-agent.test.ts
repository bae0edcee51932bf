/**
 * Several agents on one PR, end to end: a real `pull_request` webhook for a PR Copilot opened,
 * whose commit Claude co-authored. Both agents' `overrides` entries apply, the stricter wins,
 * and the check run names both agents.
 */
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  COMMANDS_LINE,
  COPILOT,
  HEAD_SHA,
  NOW,
  PR_URL,
  RECHECK,
  commit,
  mockCheckRun,
  mockEscalation,
  mockLabels,
  mockPolicy,
  mockPr,
  mockToken,
  pullRequestPayload,
  receive,
  review,
  setupApp,
  teardown,
  type TestApp,
} from "../helpers/app.js";
import { sealed } from "../helpers/ledger.js";

const WAITING_LEDGER = sealed({ invokers: [], escalation: { notified: {}, started: NOW } });
const REVIEW_FIX = "_Fix:_ An eligible reviewer approves the latest commit (a review, or `/governance approve`).";
const TRAILER = "Co-authored-by: Claude <noreply@anthropic.com>";
/** Copilot's commit, co-authored by Claude. */
const COAUTHORED = commit({ message: `Add the users endpoint\n\n${TRAILER}`, by: COPILOT });
const change = (filename: string) => ({ filename, status: "modified", additions: 1, deletions: 0, changes: 1 });

let app: TestApp;
beforeEach(() => {
  app = setupApp();
  mockToken();
});
afterEach(() => {
  teardown();
});

describe("a Copilot PR with a Claude-co-authored commit", () => {
  // Copilot's entry loosens the review; Claude's is stricter. Claude cannot be laundered through Copilot's PR.
  const POLICY = [
    "reviewers:",
    "  required: 1",
    "overrides:",
    "  - agents: [copilot]",
    "    reviewers: { required: 0 }",
    "  - agents: [claude-code]",
    "    reviewers: { required: 2 }",
    '    paths: { forbidden: ["src/**"] }',
  ].join("\n");

  it("is governed by the stricter of both agents' entries, and the check names both", async () => {
    mockPolicy(POLICY);
    mockPr({ commits: [COAUTHORED], files: [change("src/users.ts")], reviews: [review({ login: "alice" })], permissions: { alice: "write" } });
    mockLabels({ add: ["agent-pr", "agent-policy-violation"] });
    mockEscalation();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
    expect(check.body()).toEqual({
      name: "Agent Governance",
      head_sha: HEAD_SHA,
      started_at: NOW,
      status: "completed",
      conclusion: "failure",
      details_url: PR_URL,
      actions: RECHECK,
      output: {
        title: "Policy violation: paths.forbidden",
        summary: [
          "**Agent:** Copilot coding agent (high confidence)",
          "**Also on this PR:** Claude Code (medium confidence). The policy for each agent applies; where they differ, the stricter rule.",
          "",
          "<details><summary>Evidence</summary>",
          "",
          "- verified: author `Copilot (id 198982749, Bot)` (pull.user)",
          "- declared: commit-author `Copilot (Bot)` (commits[0].author)",
          "- declared: commit-author `Copilot <198982749+Copilot@users.noreply.github.com>` (commits[0].commit.author)",
          `- Claude Code, declared: co-author \`${TRAILER}\` (commits[0].commit.message)`,
          "",
          "</details>",
          "",
          "| | Rule | Result |",
          "| --- | --- | --- |",
          `| ⏳ | \`reviewers\` | Human review: 1/2 approvals; needs 1 more approval from anyone with write permission or above.<br>${REVIEW_FIX} |`,
          "| ❌ | `paths.forbidden` | Changes forbidden paths: `src/users.ts`.<br>_Fix:_ Remove these changes from the PR, or ask an admin for `/governance override <reason>`. |",
          "",
          "**Still required:**",
          "- reviewers: 1 more approval from anyone with write permission or above",
          "",
          "**Counted:**",
          "- @alice approved `ec26c3e` by review at 2026-11-20T11:00:00Z (reviewers)",
          "",
          COMMANDS_LINE,
        ].join("\n"),
        text: WAITING_LEDGER,
        annotations: [
          { path: "src/users.ts", start_line: 1, end_line: 1, annotation_level: "failure", title: "paths.forbidden", message: "An agent PR may not change this path (paths.forbidden)." },
        ],
      },
    });
    expect(nock.isDone()).toBe(true);
  });

  it("ignoring Copilot does not let Claude's commit through ungoverned", async () => {
    mockPolicy(`agents:\n  ignore: [copilot]\n${POLICY}`);
    mockPr({ commits: [COAUTHORED], files: [change("src/users.ts")], reviews: [review({ login: "alice" })], permissions: { alice: "write" } });
    mockLabels({ add: ["agent-pr", "agent-policy-violation"] });
    mockEscalation();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
    const body = check.body() as { conclusion: string; output: { title: string; summary: string } };
    expect(body.conclusion).toBe("failure");
    expect(body.output.title).toBe("Policy violation: paths.forbidden");
    expect(body.output.summary.split("\n")[0]).toBe("**Agent:** Claude Code (medium confidence)");
    expect(nock.isDone()).toBe(true);
  });
});
