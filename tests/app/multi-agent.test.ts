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
  commit,
  mockCheckRun,
  mockPolicy,
  mockPr,
  mockToken,
  pullRequestPayload,
  receive,
  review,
  setupApp,
  teardown,
  type TestApp,
  checkRunBody,
  ALICE_APPROVED_ROW,
  ALICE_COUNTED,
  ONE_MORE_APPROVAL,
  REVIEW_FIX,
  forbiddenAnnotation,
  violationOutputs,
} from "../helpers/app.js";
import { WAITING_LEDGER } from "../helpers/ledger.js";

const TRAILER = "Co-authored-by: Claude <noreply@anthropic.com>";
/** Copilot's commit, co-authored by Claude. */
const COAUTHORED = commit({ message: `Add the users endpoint\n\n${TRAILER}`, by: COPILOT });
/** The check's first lines for the PR: Copilot, and Claude with its evidence. */
const BOTH_HEADER = [
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
];
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
    violationOutputs();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
    expect(check.body()).toEqual(checkRunBody("failure", {
      title: "Policy violation: paths.forbidden",
      summary: [
        ...BOTH_HEADER,
        "",
        "| | Rule | Result |",
        "| --- | --- | --- |",
        `| ⏳ | \`reviewers\` | Human review: 1/2 approvals; needs 1 more approval from anyone with write permission or above.<br>${REVIEW_FIX} |`,
        "| ❌ | `paths.forbidden` | Changes forbidden paths: `src/users.ts`.<br>_Fix:_ Remove these changes from the PR, or ask an admin for `/governance override <reason>`. |",
        "",
        "**Still required:**",
        ONE_MORE_APPROVAL,
        "",
        "**Counted:**",
        ALICE_COUNTED,
        "",
        COMMANDS_LINE,
      ].join("\n"),
      text: WAITING_LEDGER,
      annotations: [forbiddenAnnotation("src/users.ts")],
    }));
    expect(nock.isDone()).toBe(true);
  });

  it("ignoring Copilot does not let Claude's commit through ungoverned", async () => {
    mockPolicy(`agents:\n  ignore: [copilot]\n${POLICY}`);
    mockPr({ commits: [COAUTHORED], files: [change("src/users.ts")], reviews: [review({ login: "alice" })], permissions: { alice: "write" } });
    violationOutputs();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
    const body = check.body() as { conclusion: string; output: { title: string; summary: string } };
    expect(body.conclusion).toBe("failure");
    expect(body.output.title).toBe("Policy violation: paths.forbidden");
    expect(body.output.summary.split("\n")[0]).toBe("**Agent:** Claude Code (medium confidence)");
    expect(nock.isDone()).toBe(true);
  });
});

describe("an override that extends the base's forbidden paths (`{ add: [...] }`)", () => {
  // Copilot's entry replaces the base list (and drops `infra/**`: the check carries validate's warning);
  // Claude's adds to it. The PR carries both agents, so every one of those paths is forbidden.
  const POLICY = [
    "paths:",
    '  forbidden: ["infra/**"]',
    "overrides:",
    "  - agents: [copilot]",
    '    paths: { forbidden: ["docs/private/**"] }',
    "  - agents: [claude-code]",
    '    paths: { forbidden: { add: ["src/**"] } }',
  ].join("\n");

  it("keeps the base's path for Claude, and the stricter union for the PR", async () => {
    mockPolicy(POLICY);
    mockPr({ commits: [COAUTHORED], files: [change("infra/main.tf"), change("src/users.ts")], reviews: [review({ login: "alice" })], permissions: { alice: "write" } });
    violationOutputs();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
    expect(check.body()).toEqual(checkRunBody("failure", {
      title: "Policy violation: paths.forbidden",
      summary: [
        ...BOTH_HEADER,
        "",
        "| | Rule | Result |",
        "| --- | --- | --- |",
        ALICE_APPROVED_ROW,
        "| ❌ | `paths.forbidden` | Changes forbidden paths: `infra/main.tf`, `src/users.ts`.<br>_Fix:_ Remove these changes from the PR, or ask an admin for `/governance override <reason>`. |",
        "",
        "**Counted:**",
        ALICE_COUNTED,
        "",
        COMMANDS_LINE,
        "",
        "**Notes:**",
        "- Policy warning: Codertocat/Hello-World:.github/agent-governance.yml:5:14: `overrides[0].paths.forbidden`: this list replaces the base policy's `paths.forbidden`, so for these agents `infra/**` no longer applies; write `forbidden: { add: [...] }` to keep the base's entries and add these, or list them here too (see `agent-governance validate`)",
      ].join("\n"),
      text: WAITING_LEDGER,
      annotations: [forbiddenAnnotation("infra/main.tf"), forbiddenAnnotation("src/users.ts")],
    }));
    expect(nock.isDone()).toBe(true);
  });
});
