/**
 * Invalid policy gave `neutral` (issue 15, item 10): a PR that only the broken
 * file governed (an agent declared in `agents.also`, any PR under
 * `agents.govern_humans`) got a neutral check, which a required check accepts.
 * The rule now: with an invalid policy on the default branch every PR fails,
 * naming FILE:LINE and the fix, because the app cannot know which PRs the file
 * meant to govern; the PR that repairs the file fails too (the policy is never
 * read from a PR) and its check says how to merge it. Real webhook payloads in,
 * the exact check run out.
 */
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  COMMANDS_LINE,
  mockCheckRun,
  mockPolicy,
  mockPolicyPreview,
  mockPr,
  mockToken,
  pullRequestPayload,
  receive,
  setupApp,
  teardown,
  type TestApp,
  checkRunBody,
  PREVIEW_VALID_ALONE,
} from "../helpers/app.js";
import { withoutLedger } from "../helpers/ledger.js";

/** A person's account that an agent works under: only the policy says it is one. */
const ACME_CODER = { login: "acme-coder", id: 7001, type: "User" };

const NO_AGENT = "**Agent:** none detected. Agent signals were looked for in the author, commits, branch, labels and body.";
const UNTIL_FIXED = "<br>Until it is fixed every pull request fails this check: the app cannot tell which ones the file was meant to govern.";
const FIX = "<br>_Fix:_ Fix the policy file on the default branch (run `agent-governance validate` locally), then re-run this check.";

/** The check run the app writes for the example PR under a broken policy whose problem is `problem`. */
function failing(problem: string, fix = FIX): Record<string, unknown> {
  return checkRunBody("failure", {
    title: "Invalid policy file: 1 problem",
    summary: [
      NO_AGENT,
      "",
      "| | Rule | Result |",
      "| --- | --- | --- |",
      `| ❌ | \`policy\` | The policy file is invalid:<br>${problem}${UNTIL_FIXED}${fix} |`,
      "",
      COMMANDS_LINE,
    ].join("\n"),
  });
}

let app: TestApp;
beforeEach(() => {
  app = setupApp();
  mockToken();
});
afterEach(() => teardown());

describe("an invalid policy on the default branch", () => {
  it("an agent declared only in the broken file's `agents.also`: failure naming FILE:LINE, not neutral", async () => {
    mockPolicy("agents:\n  also:\n    logins: [acme-coder]\nreviewers:\n  required: 2\n  requird: 1\n");
    mockPr({ opened: true });
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ author: ACME_CODER }));
    expect(withoutLedger(check.body())).toEqual(
      failing("Codertocat/Hello-World:.github/agent-governance.yml:6:3: unknown key `requird` under `reviewers`; did you mean `required`?"),
    );
    expect(app.logs.find((l) => l.decision === "invalid_policy")).toMatchObject({ level: 40, pr: 2, problems: 1 });
  });

  it("a human PR under a broken `agents.govern_humans: true`: failure too", async () => {
    mockPolicy("agents:\n  govern_humans: true\nmode: enforced\n");
    mockPr({ opened: true });
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ author: { login: "Codertocat", id: 21031067, type: "User" } }));
    expect(withoutLedger(check.body())).toEqual(
      failing("Codertocat/Hello-World:.github/agent-governance.yml:3:7: `mode`: must be one of `enforce`, `report`; did you mean `enforce`?"),
    );
  });

  it("the PR that repairs the file fails as well (the policy is never read from a PR), and its check says how to merge the fix", async () => {
    mockPolicy("reviewers:\n  required: 1\n  requird: 2\n");
    mockPr({
      opened: true,
      files: [{ filename: ".github/agent-governance.yml", status: "modified", additions: 0, deletions: 1, changes: 1, patch: "@@ -3 +2,0 @@\n-  requird: 2" }],
    });
    const check = mockCheckRun();
    // The preview, a second check run, validates the repaired file at the PR's head.
    const preview = mockPolicyPreview("reviewers:\n  required: 1\n");
    await receive(app, "pull_request", pullRequestPayload({ author: { login: "Codertocat", id: 21031067, type: "User" } }));
    // The preview says the repaired file is valid (the verdict below still fails: the default branch's is not).
    expect(preview.body()).toEqual(PREVIEW_VALID_ALONE);
    expect(withoutLedger(check.body())).toEqual(
      failing(
        "Codertocat/Hello-World:.github/agent-governance.yml:3:3: unknown key `requird` under `reviewers`; did you mean `required`?",
        "<br>_Fix:_ This pull request changes `.github/agent-governance.yml`, but the policy is read from the default branch, so this check fails until a valid policy is there. " +
          "Check the new file with `agent-governance validate`; then a repository admin merges this pull request past the required check (an admin or ruleset bypass, or by removing the check from the required ones for the merge), or the fix is pushed to the default branch directly. " +
          "Other pull requests are evaluated again at their next event; `/governance recheck` (or Re-check) does it now.",
      ),
    );
    expect(app.logs.some((l) => l.decision === "policy_preview_failed")).toBe(false);
    expect(nock.isDone()).toBe(true);
  });
});
