/**
 * The foundation's end-to-end path: a webhook in, policy from the default
 * branch, facts through the REST API, the exact check run out.
 */
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ALICE_APPROVED_SUMMARY,
  API,
  REPO_PATH,
  mockCheckRunRead,
  COPILOT,
  DEVIN,
  HEAD_SHA,
  HUMAN,
  mockEscalation,
  mockLabels,
  mockCheckRun,
  mockPolicy,
  mockPolicyPreview,
  mockPr,
  mockToken,
  pullObject,
  pullRequestPayload,
  receive,
  review,
  reviewPayload,
  setupApp,
  teardown,
  HOW_TO_ACT,
  type TestApp,
  COMMANDS_LINE,
  COPILOT_HEADER,
  checkRunBody,
  ALICE_APPROVED_ROW,
  ALICE_COUNTED,
  WAITING_SUMMARY,
  notCountedSummary,
  forbiddenAnnotation,
  waitingOutputs,
  PREVIEW_VALID_ALONE,
  violationOutputs,
} from "../helpers/app.js";
import { EMPTY_LEDGER, WAITING_LEDGER } from "../helpers/ledger.js";

const REVIEWER = { login: "alice", id: 5001, type: "User" };

const waitingBody = checkRunBody("action_required", { title: "Waiting for 1 human approval", summary: WAITING_SUMMARY, text: WAITING_LEDGER });

/** The waiting check with a **Not counted** section of these lines (issue 18, point 2). */
const notCounted = (...lines: string[]) => checkRunBody("action_required", { title: "Waiting for 1 human approval", summary: notCountedSummary(...lines), text: WAITING_LEDGER });

let app: TestApp;
beforeEach(() => {
  app = setupApp();
  mockToken();
});
afterEach(() => {
  teardown();
});

describe("pull_request events", () => {
  it("passes a human PR and says no agent was detected", async () => {
    mockPolicy(null);
    mockPr({ opened: true, pull: pullObject({ author: HUMAN }) });
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ author: HUMAN }));
    expect(check.body()).toEqual(checkRunBody("success", {
      title: "No agent detected: not governed",
      summary: "**Agent:** none detected. Agent signals were looked for in the author, commits, branch, labels and body.",
      text: EMPTY_LEDGER,
    }));
    expect(nock.isDone()).toBe(true);
  });

  it("governs a Copilot PR with the safe default policy when the repository has none", async () => {
    const policy = mockPolicy(null);
    mockPr({ opened: true });
    const outputs = waitingOutputs();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ author: COPILOT }));
    expect(policy.isDone()).toBe(true); // looked in the repository, then in the org's .github
    expect(check.body()).toEqual(waitingBody);
    expect(outputs.labels.bodies).toEqual([
      { name: "agent-pr", color: "6f42c1", description: "Managed by agent-governance" },
      { name: "needs-human-review", color: "6f42c1", description: "Managed by agent-governance" },
      { labels: ["agent-pr", "needs-human-review"] },
    ]);
    expect(outputs.comment.body()).toBe(
      [
        "<!-- agent-governance:escalation -->",
        "### 👀 This agent PR needs human review",
        "",
        "Opened by **Copilot coding agent**. Before it can merge:",
        "",
        "- ⏳ **reviewers**: 1 more approval from anyone with write permission or above",
        "",
        HOW_TO_ACT + '\n<!-- agent-governance:state {"notified":{}} -->',
      ].join("\n"),
    );
    expect(nock.isDone()).toBe(true);
  });

  it("detects Devin by its GitHub App account", async () => {
    mockPolicy("reviewers:\n  required: 1\n");
    mockPr({ opened: true, pull: pullObject({ author: DEVIN }) });
    waitingOutputs();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ author: DEVIN }));
    expect(check.body()?.conclusion).toBe("action_required");
    expect((check.body()?.output as { summary: string }).summary).toContain("**Agent:** Devin (high confidence)");
    expect(nock.isDone()).toBe(true);
  });

  it("fails a PR that touches a forbidden path, naming each file, whatever the approvals", async () => {
    mockPolicy('paths:\n  forbidden: [".github/workflows/**", "infra/prod/**"]\n  protect_agent_files: false\n');
    mockPr({
      reviews: [review({ login: "alice" })],
      permissions: { alice: "admin" },
      files: [
        { filename: ".github/workflows/ci.yml", status: "modified", additions: 2, deletions: 1, changes: 3 },
        { filename: "src/app.ts", status: "modified", additions: 2, deletions: 1, changes: 3 },
        { filename: "infra/prod/main.tf", status: "renamed", previous_filename: "infra/staging/main.tf", additions: 0, deletions: 0, changes: 0 },
      ],
    });
    mockLabels({ add: ["agent-pr", "agent-policy-violation"] });
    const comment = mockEscalation();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
    expect(comment.body()).toBe(
      [
        "<!-- agent-governance:escalation -->",
        "### ❌ This agent PR breaks the repository's policy",
        "",
        "Opened by **Copilot coding agent**. It cannot merge until:",
        "",
        "- ❌ `paths.forbidden`: Changes forbidden paths: `.github/workflows/ci.yml`, `infra/staging/main.tf → infra/prod/main.tf`. _Fix:_ Remove these changes from the PR, or ask an admin for `/governance override <reason>`.",
        "",
        HOW_TO_ACT + '\n<!-- agent-governance:state {"notified":{}} -->',
      ].join("\n"),
    );
    expect(check.body()).toEqual(checkRunBody("failure", {
      title: "Policy violation: paths.forbidden",
      summary: [
        COPILOT_HEADER,
        "",
        "| | Rule | Result |",
        "| --- | --- | --- |",
        ALICE_APPROVED_ROW,
        "| ❌ | `paths.forbidden` | Changes forbidden paths: `.github/workflows/ci.yml`, `infra/staging/main.tf → infra/prod/main.tf`.<br>_Fix:_ Remove these changes from the PR, or ask an admin for `/governance override <reason>`. |",
        "",
        "**Counted:**",
        ALICE_COUNTED,
        "",
        COMMANDS_LINE,
      ].join("\n"),
      text: WAITING_LEDGER,
      annotations: [forbiddenAnnotation(".github/workflows/ci.yml"), forbiddenAnnotation("infra/prod/main.tf")],
    }));
    expect(nock.isDone()).toBe(true);
  });

  it("fails the check on an invalid policy file, naming the file, line and problem", async () => {
    mockPolicy("reviewers:\n  required: 1\n  requird: 2\n");
    mockPr({ opened: true });
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload());
    expect(check.body()).toEqual(checkRunBody("failure", {
      title: "Invalid policy file: 1 problem",
      summary: [
        COPILOT_HEADER,
        "",
        "| | Rule | Result |",
        "| --- | --- | --- |",
        "| ❌ | `policy` | The policy file is invalid:<br>Codertocat/Hello-World:.github/agent-governance.yml:3:3: unknown key `requird` under `reviewers`; did you mean `required`?<br>Until it is fixed every pull request fails this check: the app cannot tell which ones the file was meant to govern.<br>_Fix:_ Fix the policy file on the default branch (run `agent-governance validate` locally), then re-run this check. |",
        "",
        COMMANDS_LINE,
      ].join("\n"),
      text: EMPTY_LEDGER,
    }));
    expect(app.logs.some((l) => l.decision === "invalid_policy")).toBe(true);
  });

  it("reads the policy from the default branch even when the PR changes it, and asks a maintainer", async () => {
    // The PR rewrites the policy to require nothing; the app must read the default branch (no `ref`).
    let sawRef: string | undefined;
    nock(API)
      .get("/repos/Codertocat/Hello-World/contents/.github%2Fagent-governance.yml")
      .query((q) => ((sawRef = q.ref as string | undefined), true))
      .reply(200, { type: "file", encoding: "base64", content: Buffer.from("reviewers:\n  required: 1\n").toString("base64") });
    mockPr({
      opened: true,
      files: [
        {
          filename: ".github/agent-governance.yml",
          status: "modified",
          additions: 1,
          deletions: 1,
          changes: 2,
          patch: "@@ -1,2 +1,2 @@\n reviewers:\n-  required: 1\n+  required: 0",
        },
      ],
    });
    waitingOutputs();
    const check = mockCheckRun();
    // The preview (a second check run) reads the file at the head, and only shows what it would do.
    const preview = mockPolicyPreview("reviewers:\n  required: 0\n");
    await receive(app, "pull_request", pullRequestPayload());
    expect(sawRef).toBeUndefined();
    // The head's file was read by the preview only; the verdict below is the default branch's.
    expect(preview.body()).toEqual(PREVIEW_VALID_ALONE);
    expect(app.logs.find((l) => l.decision === "policy_preview")).toMatchObject({ valid: true, compared: 0, write: "created" });
    expect(app.logs.some((l) => l.decision === "policy_preview_failed")).toBe(false);
    const body = check.body() as { conclusion: string; output: { summary: string } };
    expect(body.conclusion).toBe("action_required");
    expect(body.output.summary).toContain(
      "| ⏳ | `paths.agent_files` | Changes to agent-steering files (`.github/agent-governance.yml`): 0/1 approvals; needs 1 more approval from anyone with maintain permission or above.",
    );
    expect(body.output.summary).toContain("| ⏳ | `reviewers` |");
    expect(nock.isDone()).toBe(true);
  });
});

describe("pull_request_review events", () => {
  it("passes the PR after an eligible human approves the head commit", async () => {
    mockPolicy(null);
    mockPr({ reviews: [review({ login: "alice" })], permissions: { alice: "write" } });
    const labels = mockLabels({ add: ["agent-pr"], exists: true });
    const check = mockCheckRun();
    await receive(app, "pull_request_review", reviewPayload({ reviewer: REVIEWER }));
    expect(labels.bodies.at(-1)).toEqual({ labels: ["agent-pr"] });
    // The audit line names the event that caused the decision.
    expect(app.logs.find((l) => l.msg === "evaluated")).toMatchObject({ audit: "decision", event: "pull_request_review.submitted", agent: "copilot", outcome: "passed" });
    expect(check.body()).toEqual(checkRunBody("success", { title: "Policy satisfied", summary: ALICE_APPROVED_SUMMARY, text: EMPTY_LEDGER }));
    expect(nock.isDone()).toBe(true);
  });

  it("updates the existing check run in place", async () => {
    mockPolicy(null);
    mockPr({ reviews: [review({ login: "alice" })], permissions: { alice: "write" } });
    mockLabels({ add: ["agent-pr"] });
    const check = mockCheckRun({ id: 777, status: "completed", conclusion: "action_required", output: { title: "Waiting for 1 human approval", summary: WAITING_SUMMARY } });
    await receive(app, "pull_request_review", reviewPayload({ reviewer: REVIEWER }));
    expect(check.body()).toMatchObject({ conclusion: "success", output: { title: "Policy satisfied" } });
    expect(check.body()).not.toHaveProperty("head_sha");
    expect(nock.isDone()).toBe(true);
  });

  it("applies an `overrides` entry with `base_branches` by the base branch GitHub reports for the PR", async () => {
    // The example PR merges into `master`: there this entry asks for two approvals.
    mockPolicy("overrides:\n  - agents: [copilot]\n    base_branches: [master, release/**]\n    reviewers: { required: 2 }\n    commands: { override: { min_permission: maintain } }\n");
    mockPr({ reviews: [review({ login: "alice" })], permissions: { alice: "write" } });
    waitingOutputs();
    const check = mockCheckRun();
    await receive(app, "pull_request_review", reviewPayload({ reviewer: REVIEWER }));
    expect(check.body()).toMatchObject({ conclusion: "action_required", output: { title: "Waiting for 1 human approval" } });
    const summary = (check.body()?.output as { summary: string }).summary;
    expect(summary).toContain("| ⏳ | `reviewers` | Human review: 1/2 approvals;");
    // The commands line says who may override under the entry that applied.
    expect(summary.split("\n").at(-1)).toBe(
      "Reviewers: approve with a review or `/governance approve`; `/governance override [7d] <reason>` (maintain permission or above), `/governance recheck`, `/governance explain`, `/governance help`.",
    );
    expect(nock.isDone()).toBe(true);
  });

  it("re-evaluates when the PR's base is changed (`pull_request.edited` with `changes.base`): an approval given into `master` is short of a release branch's two", async () => {
    const policy = "reviewers: { required: 1 }\noverrides:\n  - agents: [\"*\"]\n    base_branches: [release/**]\n    reviewers: { required: 2 }\n";
    const retarget = (pull: Record<string, unknown>) => ({ ...pull, base: { ...(pull.base as Record<string, unknown>), ref: "release/1.0" } });
    // GitHub's `edited` payload for a base change: the PR as it is now, and the base it had.
    const payload = pullRequestPayload();
    payload.action = "edited";
    payload.pull_request = retarget(payload.pull_request as Record<string, unknown>);
    payload.changes = { base: { ref: { from: "master" }, sha: { from: "f95f852bd8fca8fcc58a9a2d6c842781e32a215e" } } };
    mockPolicy(policy);
    mockPr({ pull: retarget(pullObject()), reviews: [review({ login: "alice" })], permissions: { alice: "write" } });
    waitingOutputs();
    const check = mockCheckRun();
    await receive(app, "pull_request", payload);
    expect(check.body()).toMatchObject({ conclusion: "action_required", output: { title: "Waiting for 1 human approval" } });
    expect((check.body()?.output as { summary: string }).summary).toContain("| ⏳ | `reviewers` | Human review: 1/2 approvals;");
    expect(nock.isDone()).toBe(true);
  });

  it("fails an approved PR whose head commit is also another open PR's head: the check run would speak for both", async () => {
    mockPolicy(null);
    mockPr({
      reviews: [review({ login: "alice" })],
      permissions: { alice: "write" },
      // A twin into another base: GitHub lists both PRs for the commit (and a merged one that once had it).
      headPulls: [
        { number: 2, state: "open", head: { sha: HEAD_SHA } },
        { number: 7, state: "open", head: { sha: HEAD_SHA } },
        { number: 1, state: "closed", head: { sha: HEAD_SHA } },
      ],
    });
    violationOutputs();
    const check = mockCheckRun();
    await receive(app, "pull_request_review", reviewPayload({ reviewer: REVIEWER }));
    expect(check.body()).toMatchObject({ conclusion: "failure", output: { title: "Policy violation: head.shared" } });
    expect((check.body()?.output as { summary: string }).summary).toContain("| ❌ | `head.shared` | The head commit `ec26c3e` is also the head of #7.");
    expect(nock.isDone()).toBe(true);
  });

  it("a PR that cannot merge yet (no approval that counts) is not asked which PRs share its head: that can only fail it", async () => {
    const lookup = nock(API).get(`${REPO_PATH}/commits/${HEAD_SHA}/pulls`).reply(200, [{ number: 7, state: "open", head: { sha: HEAD_SHA } }]);
    mockPolicy(null);
    mockPr({ pull: pullObject() });
    waitingOutputs();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
    expect(check.body()).toMatchObject({ conclusion: "action_required", output: { title: "Waiting for 1 human approval" } });
    expect(lookup.isDone()).toBe(false);
  });

  it("a PR whose approval would let it merge is asked about its head in the look-ups' wave, and fails as a twin", async () => {
    // The approval is in sight in the first wave's reviews, so the look-up goes out with the permissions (no wave of its own).
    mockPolicy(null);
    mockPr({ reviews: [review({ login: "alice" })], permissions: { alice: "write" }, headPulls: [{ number: 2, state: "open", head: { sha: HEAD_SHA } }, { number: 9, state: "open", head: { sha: HEAD_SHA } }] });
    violationOutputs();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
    expect(check.body()).toMatchObject({ conclusion: "failure", output: { title: "Policy violation: head.shared" } });
    expect(nock.isDone()).toBe(true);
  });

  it("a new PR's first evaluation (no check run of ours on its head) does not ask which PRs share the head", async () => {
    const lookup = nock(API).get(`${REPO_PATH}/commits/${HEAD_SHA}/pulls`).reply(200, []);
    mockPolicy(null);
    mockCheckRunRead();
    mockPr({ opened: true });
    waitingOutputs();
    mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload());
    expect(lookup.isDone()).toBe(false);
  });

  it("does not count an approval from a read-only user, and says why under Not counted", async () => {
    mockPolicy(null);
    mockPr({ reviews: [review({ login: "alice" })], permissions: { alice: "read" } });
    waitingOutputs();
    const check = mockCheckRun();
    await receive(app, "pull_request_review", reviewPayload({ reviewer: REVIEWER }));
    expect(check.body()).toEqual(notCounted("- @alice approved `ec26c3e` by review at 2026-11-20T11:00:00Z: read permission; needs write or above"));
  });

  it("does not count an approval of an older commit, and says it is stale under Not counted", async () => {
    mockPolicy(null);
    mockPr({ reviews: [review({ login: "alice", commitId: "0000000000000000000000000000000000000001" })], permissions: { alice: "write" } });
    waitingOutputs();
    const check = mockCheckRun();
    await receive(app, "pull_request_review", reviewPayload({ reviewer: REVIEWER, commitId: "0000000000000000000000000000000000000001" }));
    expect(check.body()).toEqual(notCounted("- @alice approved `0000000` by review at 2026-11-20T11:00:00Z: stale: the head is now `ec26c3e`"));
  });

  it("does not count a bot's approval, nor the author's", async () => {
    mockPolicy(null);
    mockPr({
      reviews: [review({ id: 1, login: "some-bot[bot]", type: "Bot" }), review({ id: 2, login: "Copilot", type: "Bot" })],
    });
    waitingOutputs();
    const check = mockCheckRun();
    await receive(app, "pull_request_review", reviewPayload({ reviewer: { login: "some-bot[bot]", id: 9, type: "Bot" } }));
    // Both are listed as not counted, with the reason, so a reviewer sees why the PR still waits.
    expect(check.body()).toEqual(
      notCounted(
        "- @some-bot[bot] approved `ec26c3e` by review at 2026-11-20T11:00:00Z: a bot or app account",
        "- @Copilot approved `ec26c3e` by review at 2026-11-20T11:00:00Z: a bot or app account",
      ),
    );
  });

  it("re-evaluates when a review is dismissed", async () => {
    mockPolicy(null);
    mockPr({ reviews: [review({ login: "alice", state: "DISMISSED" })], permissions: { alice: "write" } });
    waitingOutputs();
    const check = mockCheckRun();
    await receive(app, "pull_request_review", reviewPayload({ action: "dismissed", reviewer: REVIEWER, state: "dismissed" }));
    expect(check.body()).toEqual(waitingBody);
  });

  it("a dismissed changes request gives back the same reviewer's earlier approval of the head (policy-bot's rule)", async () => {
    mockPolicy(null);
    // alice approved the head at 11:00, then requested changes at 11:30; a maintainer dismissed that request (GitHub
    // turns the review itself into DISMISSED): it is skipped, and her approval counts again.
    mockPr({
      reviews: [review({ id: 1, login: "alice" }), review({ id: 2, login: "alice", state: "DISMISSED", at: "2026-11-20T11:30:00Z" })],
      permissions: { alice: "write" },
    });
    const labels = mockLabels({ add: ["agent-pr"], exists: true });
    const check = mockCheckRun();
    await receive(app, "pull_request_review", reviewPayload({ action: "dismissed", reviewer: REVIEWER, state: "dismissed" }));
    expect(labels.bodies.at(-1)).toEqual({ labels: ["agent-pr"] });
    expect(check.body()).toEqual(checkRunBody("success", { title: "Policy satisfied", summary: ALICE_APPROVED_SUMMARY, text: EMPTY_LEDGER }));
    expect(nock.isDone()).toBe(true);
  });
});
