/**
 * Secrets the app could let through (issue 15, item 5). `no_secrets` fails
 * closed: a file GitHub lists without a patch (binary, or a diff too large to
 * show) cannot be scanned, so it waits for a human's approval instead of passing
 * with a note. And secrets without a known prefix that a message quotes (an AWS
 * secret key assigned in a commit subject, a password in a URL in the title) are
 * redacted from the check run and the comment, and never logged.
 */
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  COMMANDS_LINE,
  COPILOT_HEADER,
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
  reviewPayload,
  setupApp,
  teardown,
  type TestApp,
  checkRunBody,
  WAITING_ROW,
  ONE_MORE_APPROVAL,
} from "../helpers/app.js";
import { withoutLedger } from "../helpers/ledger.js";

let app: TestApp;
beforeEach(() => {
  app = setupApp();
  mockToken();
});
afterEach(() => teardown());

/** Files as GitHub lists them when it shows no patch: a keystore (binary) and a config too large to diff. */
const BLIND_FILES = [
  { sha: "7f3c1e0c5b0c4f2f9a1d8e6b2c4a9f0e1d2c3b4a", filename: "deploy/keystore.p12", status: "added", additions: 0, deletions: 0, changes: 0 },
  { sha: "0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b", filename: "config/production.json", status: "added", additions: 24000, deletions: 0, changes: 24000 },
  { sha: "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391", filename: "deploy/__init__.py", status: "added", additions: 0, deletions: 0, changes: 0 },
  { sha: "1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d", filename: "README.md", status: "modified", additions: 1, deletions: 0, changes: 1, patch: "@@ -1 +1,2 @@\n # Hello\n+Deploy with the keystore." },
];

/** The policy that let the PR pass: no review asked of an agent's PR, and the secret scan on. */
const POLICY = "reviewers:\n  required: 0\ncompliance:\n  no_secrets: true\n";

const NEED = "1 more approval from anyone with write permission or above";
const UNSCANNED_ROW =
  "| ⏳ | `compliance.no_secrets.unscanned` | Changes to files the secret scan could not read (`deploy/keystore.p12`, `config/production.json`): 0/1 approvals; needs " +
  `${NEED}.<br>_Fix:_ An eligible reviewer approves the latest commit (a review, or \`/governance approve\`). |`;
const NO_SECRETS_ROW =
  "| ✅ | `compliance.no_secrets` | No well-known secret formats in added lines. 2 files have no patch to scan (binary or too large): `deploy/keystore.p12`, `config/production.json`; a human must look at them and approve (`compliance.no_secrets.unscanned`). |";

describe("files the secret scan cannot read", () => {
  it("keep an agent PR waiting for a human's approval, named per file, where it passed with a note", async () => {
    mockPolicy(POLICY);
    mockPr({ opened: true, files: BLIND_FILES });
    mockLabels({ add: ["agent-pr", "needs-human-review"] });
    const comment = mockEscalation();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload());
    expect(withoutLedger(check.body())).toEqual(checkRunBody("action_required", {
      title: "Waiting for 1 human approval",
      summary: [
        COPILOT_HEADER,
        "",
        "| | Rule | Result |",
        "| --- | --- | --- |",
        UNSCANNED_ROW,
        NO_SECRETS_ROW,
        "",
        "**Still required:**",
        `- files the secret scan could not read: ${NEED}`,
        "",
        COMMANDS_LINE,
      ].join("\n"),
      annotations: ["deploy/keystore.p12", "config/production.json"].map((path) => ({
        path,
        start_line: 1,
        end_line: 1,
        annotation_level: "warning",
        title: "compliance.no_secrets.unscanned",
        message: `Needs approval: ${NEED}.`,
      })),
    }));
    expect(comment.body()).toContain(`- ⏳ **files the secret scan could not read**: ${NEED}`);
    expect(nock.isDone()).toBe(true);
  });

  it("pass once a human with write permission approves the head commit", async () => {
    mockPolicy(POLICY);
    mockPr({ files: BLIND_FILES, reviews: [review({ login: "alice" })], permissions: { alice: "write" } });
    mockLabels({ add: ["agent-pr"], exists: true });
    const check = mockCheckRun();
    await receive(app, "pull_request_review", reviewPayload({ reviewer: { login: "alice", id: 5001, type: "User" } }));
    expect(check.body()).toMatchObject({ conclusion: "success", output: { title: "Policy satisfied" } });
    expect((check.body() as { output: { summary: string } }).output.summary).toContain(
      "| ✅ | `compliance.no_secrets.unscanned` | Changes to files the secret scan could not read (`deploy/keystore.p12`, `config/production.json`): approved by @alice. |",
    );
    expect(nock.isDone()).toBe(true);
  });
});

// Assembled at run time, so the repository holds no secret-looking literal.
const AWS_SECRET = ["wJalrXUtnFEMI", "K7MDENG", "bPxRfiCY9q8ZKEY"].join("/");
const PASSWORD = ["hunter", "2", "-prod"].join("");

describe("secrets without a known prefix in what users wrote", () => {
  it("are redacted from the check run and the comment, and absent from the app's log lines", async () => {
    mockPolicy('compliance:\n  dco: true\n  title_pattern: "^feat: "\n');
    mockPr({ opened: true, commits: [commit({ message: `Set aws_secret_access_key=${AWS_SECRET} for deploy` })] });
    mockLabels({ add: ["agent-pr", "agent-policy-violation"] });
    const comment = mockEscalation();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ title: `Fix clone via https://deploy:${PASSWORD}@git.example.com/app.git` }));
    const title = "The title `Fix clone via https://[redacted credentials]@git.example.com/app.git` does not match `^feat: `.";
    const dco = "1 commit lacks a `Signed-off-by:` matching the author: `ec26c3e Set aws_secret_access_key=[redacted] for deploy`.";
    expect(withoutLedger(check.body())).toEqual(checkRunBody("failure", {
      title: "Policy violation: compliance.dco, compliance.title_pattern",
      summary: [
        COPILOT_HEADER,
        "",
        "| | Rule | Result |",
        "| --- | --- | --- |",
        WAITING_ROW,
        `| ❌ | \`compliance.dco\` | ${dco}<br>_Fix:_ Sign off every commit (\`git rebase --signoff HEAD~1\`, or \`git commit -s\`), then force-push. |`,
        `| ❌ | \`compliance.title_pattern\` | ${title}<br>_Fix:_ Edit the PR title to match the pattern. |`,
        "",
        "**Still required:**",
        ONE_MORE_APPROVAL,
        "",
        COMMANDS_LINE,
      ].join("\n"),
    }));
    expect(comment.body()).toContain(`- ❌ \`compliance.title_pattern\`: ${title}`);
    expect(comment.body()).toContain(`- ❌ \`compliance.dco\`: ${dco}`);
    // Every line the app logs at `info` and above (production's level). At `debug`, Probot itself logs each webhook
    // payload as GitHub sent it ("Webhook received"), the title among it: see SECURITY.md.
    const logged = app.logs.filter((l) => (l.level as number) >= 30).map((l) => JSON.stringify(l));
    expect(logged.length).toBeGreaterThan(0);
    const everything = [JSON.stringify(check.body()), comment.body(), ...logged].join("\n");
    for (const secret of [AWS_SECRET, PASSWORD]) expect(everything).not.toContain(secret);
    expect(nock.isDone()).toBe(true);
  });
});
