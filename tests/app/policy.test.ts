/**
 * The policy engine end to end: a webhook in, the policy from the default
 * branch, facts through the REST API, the exact check run out. Covers a
 * restricted path, a compliance failure, a per-agent override and report mode.
 */
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ALICE_APPROVED_SUMMARY,
  API,
  DEVIN,
  mockCheckRun,
  mockEscalation,
  mockLabels,
  mockPolicy,
  mockPr,
  mockReviewRequest,
  mockToken,
  pullObject,
  pullRequestPayload,
  receive,
  review,
  reviewPayload,
  setupApp,
  teardown,
  type TestApp,
  COMMANDS_LINE,
  COPILOT_HEADER,
  checkRunBody,
  ALICE_APPROVED_ROW,
  ALICE_COUNTED,
  WAITING_ROW,
  ONE_MORE_APPROVAL,
  REVIEW_FIX,
  forbiddenAnnotation,
  waitingOutputs,
  violationOutputs,
} from "../helpers/app.js";
import { EMPTY_LEDGER, WAITING_LEDGER } from "../helpers/ledger.js";


const DEVIN_HEADER =
  "**Agent:** Devin (high confidence)\n\n<details><summary>Evidence</summary>\n\n- verified: author `devin-ai-integration[bot] (id 158243242, Bot)` (pull.user)\n\n</details>";

const change = (filename: string, patch?: string) => ({ filename, status: "modified", additions: 1, deletions: 0, changes: 1, ...(patch ? { patch } : {}) });

let app: TestApp;
beforeEach(() => {
  app = setupApp();
  mockToken();
});
afterEach(() => {
  teardown();
});

describe("policy engine, end to end", () => {
  it("waits for the DBA team on a migration even after a maintainer approved", async () => {
    mockPolicy(
      [
        "paths:",
        "  restricted:",
        "    - name: migrations",
        '      paths: ["migrations/**", "**/*.sql"]',
        "      reviewers: { teams: [Codertocat/dba] }",
      ].join("\n"),
    );
    mockPr({
      files: [change("migrations/001_users.sql"), change("src/users.ts")],
      reviews: [review({ login: "alice" })],
      permissions: { alice: "write" },
      teams: { "Codertocat/dba": ["dba1"] },
    });
    waitingOutputs();
    const request = mockReviewRequest();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
    expect(request.body()).toEqual({ reviewers: [], team_reviewers: ["dba"] });
    expect(check.body()).toEqual(checkRunBody("action_required", {
      title: "Waiting for 1 human approval",
      summary: [
        COPILOT_HEADER,
        "",
        "| | Rule | Result |",
        "| --- | --- | --- |",
        ALICE_APPROVED_ROW,
        `| ⏳ | \`paths.restricted[0]\` | Changes to migrations (\`migrations/001_users.sql\`): 0/1 approvals; needs 1 more approval from @Codertocat/dba.<br>${REVIEW_FIX} |`,
        "",
        "**Still required:**",
        "- migrations: 1 more approval from @Codertocat/dba",
        "",
        "**Counted:**",
        ALICE_COUNTED,
        "",
        COMMANDS_LINE,
      ].join("\n"),
      text: WAITING_LEDGER,
      annotations: [
        {
          path: "migrations/001_users.sql",
          start_line: 1,
          end_line: 1,
          annotation_level: "warning",
          title: "paths.restricted[0]",
          message: "Needs approval: 1 more approval from @Codertocat/dba.",
        },
      ],
    }));
    expect(nock.isDone()).toBe(true);
  });

  it("fails on a secret and a missing issue link, pointing at file:line and never echoing the secret", async () => {
    const token = `ghp_${"Zq8".repeat(12)}`;
    mockPolicy("compliance:\n  no_secrets: true\n  linked_issue: true\n");
    mockPr({
      pull: pullObject({ body: "Adds the deploy script." }),
      files: [change("scripts/deploy.sh", `@@ -1,2 +1,3 @@\n #!/bin/sh\n+export GITHUB_TOKEN=${token}\n deploy`)],
      reviews: [review({ login: "alice" })],
      permissions: { alice: "write" },
    });
    mockLabels({ add: ["agent-pr", "agent-policy-violation"] });
    const comment = mockEscalation();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize", body: "Adds the deploy script." }));
    expect(check.body()).toEqual(checkRunBody("failure", {
      title: "Policy violation: compliance.linked_issue, compliance.no_secrets",
      summary: [
        COPILOT_HEADER,
        "",
        "| | Rule | Result |",
        "| --- | --- | --- |",
        ALICE_APPROVED_ROW,
        "| ❌ | `compliance.linked_issue` | The PR links no issue.<br>_Fix:_ Add `Fixes #123` (or `owner/repo#123`, or the issue's URL) to the description. |",
        "| ❌ | `compliance.no_secrets` | Possible secrets added: GitHub token at `scripts/deploy.sh:2`.<br>_Fix:_ Revoke and rotate each secret now (it is public to anyone who can read this PR), then remove it from every commit of the branch and force-push. |",
        "",
        "**Counted:**",
        ALICE_COUNTED,
        "",
        COMMANDS_LINE,
      ].join("\n"),
      text: WAITING_LEDGER,
      annotations: [
        {
          path: "scripts/deploy.sh",
          start_line: 2,
          end_line: 2,
          annotation_level: "failure",
          title: "compliance.no_secrets",
          message: "Possible GitHub token added here; the value is not shown.",
        },
      ],
    }));
    expect(JSON.stringify(check.body())).not.toContain(token);
    expect(comment.body() ?? "").not.toContain(token);
    expect(app.logText()).not.toContain(token);
    expect(nock.isDone()).toBe(true);
  });

  describe("a per-agent override: stricter for Devin, the base for Copilot", () => {
    const POLICY = [
      "reviewers:",
      "  required: 1",
      "overrides:",
      "  - agents: [devin]",
      "    reviewers: { required: 2 }",
      "    paths: { forbidden: [\"src/**\"] }",
    ].join("\n");

    it("applies the entry to Devin", async () => {
      mockPolicy(POLICY);
      mockPr({ pull: pullObject({ author: DEVIN }), files: [change("src/users.ts")], reviews: [review({ login: "alice" })], permissions: { alice: "write" } });
      violationOutputs();
      const check = mockCheckRun();
      await receive(app, "pull_request", pullRequestPayload({ action: "synchronize", author: DEVIN }));
      expect(check.body()).toEqual(checkRunBody("failure", {
        title: "Policy violation: paths.forbidden",
        summary: [
          DEVIN_HEADER,
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

    it("leaves Copilot on the base policy", async () => {
      mockPolicy(POLICY);
      mockPr({ files: [change("src/users.ts")], reviews: [review({ login: "alice" })], permissions: { alice: "write" } });
      mockLabels({ add: ["agent-pr"] });
      const check = mockCheckRun();
      await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
      expect(check.body()).toEqual(checkRunBody("success", {
        title: "Policy satisfied",
        summary: ALICE_APPROVED_SUMMARY,
        text: EMPTY_LEDGER,
      }));
      expect(nock.isDone()).toBe(true);
    });
  });

  it("report mode: the same evaluation and summary, a neutral check that never blocks", async () => {
    mockPolicy('mode: report\npaths:\n  forbidden: ["infra/**"]\n');
    mockPr({ files: [change("infra/main.tf")] });
    violationOutputs();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
    expect(check.body()).toEqual(checkRunBody("neutral", {
      title: "Report only: Policy violation: paths.forbidden",
      summary: [
        COPILOT_HEADER,
        "",
        "_Report mode: this check never blocks merging._",
        "",
        "| | Rule | Result |",
        "| --- | --- | --- |",
        WAITING_ROW,
        "| ❌ | `paths.forbidden` | Changes forbidden paths: `infra/main.tf`.<br>_Fix:_ Remove these changes from the PR, or ask an admin for `/governance override <reason>`. |",
        "",
        "**Still required:**",
        ONE_MORE_APPROVAL,
        "",
        COMMANDS_LINE,
      ].join("\n"),
      text: WAITING_LEDGER,
      annotations: [forbiddenAnnotation("infra/main.tf")],
    }));
    expect(nock.isDone()).toBe(true);
  });
});

describe("an `_extends` base kept in this repository is protected like the policy file", () => {
  const base = "reviewers:\n  required: 1\npaths:\n  forbidden: [\"infra/**\"]\n";
  const mockBase = () =>
    nock(API)
      .get("/repos/Codertocat/Hello-World/contents/.github%2Fbase.yml")
      .reply(200, { type: "file", encoding: "base64", path: ".github/base.yml", content: Buffer.from(base).toString("base64") });

  it.each([
    ["a path", "_extends: .github/base.yml\n"],
    ["repo:path naming this repository", "_extends: Hello-World:.github/base.yml\n"],
  ])("as %s: a PR rewriting it waits for a maintainer despite a writer's approval", async (_what, policy) => {
    mockPolicy(policy);
    mockBase();
    mockPr({
      files: [change(".github/base.yml", "@@ -1,4 +1,2 @@\n reviewers:\n-  required: 1\n-paths:\n-  forbidden: [\"infra/**\"]\n+  required: 0")],
      reviews: [review({ login: "alice" })],
      permissions: { alice: "write" },
    });
    waitingOutputs();
    const check = mockCheckRun();
    await receive(app, "pull_request_review", reviewPayload({ reviewer: { login: "alice", id: 5001, type: "User" } }));
    expect(check.body()).toEqual(checkRunBody("action_required", {
      title: "Waiting for 1 human approval",
      summary: [
        COPILOT_HEADER,
        "",
        "| | Rule | Result |",
        "| --- | --- | --- |",
        ALICE_APPROVED_ROW,
        `| ⏳ | \`paths.agent_files\` | Changes to agent-steering files (\`.github/base.yml\`): 0/1 approvals; needs 1 more approval from anyone with maintain permission or above.<br>${REVIEW_FIX} |`,
        // From the base: proof that it was read and merged.
        "| ✅ | `paths.forbidden` | No forbidden paths changed. |",
        "",
        "**Still required:**",
        "- agent-steering files: 1 more approval from anyone with maintain permission or above",
        "",
        "**Counted:**",
        ALICE_COUNTED,
        "",
        COMMANDS_LINE,
      ].join("\n"),
      text: WAITING_LEDGER,
      annotations: [
        {
          path: ".github/base.yml",
          start_line: 1,
          end_line: 1,
          annotation_level: "warning",
          title: "paths.agent_files",
          message: "Needs approval: 1 more approval from anyone with maintain permission or above.",
        },
      ],
    }));
    // A review is no new head: the base's change is not previewed again (no second check run, no read of it).
    expect(app.logs.some((l) => typeof l.decision === "string" && l.decision.startsWith("policy_preview"))).toBe(false);
    expect(nock.isDone()).toBe(true);
  });
});
