/**
 * ReDoS through the policy's regular expressions (issue 15, item 7): a
 * `title_pattern` that passed `validate` blocked the event loop ~30 s on a
 * 200-character title. Policy patterns now run in linear time (RE2JS); a pattern
 * that engine cannot run is an invalid policy, shown with its file and line.
 * No timings here: on the old code the first test runs past vitest's timeout.
 */
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  COMMANDS_LINE,
  COPILOT_HEADER,
  mockCheckRun,
  mockEscalation,
  mockLabels,
  mockPolicy,
  mockPr,
  mockToken,
  pullRequestPayload,
  receive,
  setupApp,
  teardown,
  type TestApp,
  checkRunBody,
} from "../helpers/app.js";
import { withoutLedger } from "../helpers/ledger.js";

let app: TestApp;
beforeEach(() => {
  app = setupApp();
  mockToken();
});
afterEach(() => teardown());

/** The pattern from the report, as a maintainer writes it in YAML. */
const ATTACK = String.raw`^\w+\s?\w+\s?\w+\s?\w+\s?\w+:`;

describe("a policy regex against a title built to make it backtrack", () => {
  it("answers with the exact failing check at once, instead of blocking the event loop", async () => {
    const title = "a".repeat(200);
    mockPolicy(`reviewers:\n  required: 0\ncompliance:\n  title_pattern: '${ATTACK}'\n`);
    mockPr({ opened: true });
    mockLabels({ add: ["agent-pr", "agent-policy-violation"] });
    const comment = mockEscalation();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ title }));
    const rule = `The title \`${title}\` does not match \`${ATTACK}\`.`;
    expect(withoutLedger(check.body())).toEqual(checkRunBody("failure", {
      title: "Policy violation: compliance.title_pattern",
      summary: [
        COPILOT_HEADER,
        "",
        "| | Rule | Result |",
        "| --- | --- | --- |",
        `| ❌ | \`compliance.title_pattern\` | ${rule}<br>_Fix:_ Edit the PR title to match the pattern. |`,
        "",
        COMMANDS_LINE,
      ].join("\n"),
    }));
    expect(comment.body()).toContain(`- ❌ \`compliance.title_pattern\`: ${rule} _Fix:_ Edit the PR title to match the pattern.`);
    expect(nock.isDone()).toBe(true);
  });

  it("passes a long title the same pattern matches", async () => {
    mockPolicy(`reviewers:\n  required: 0\ncompliance:\n  title_pattern: '${ATTACK}'\n`);
    mockPr({ opened: true });
    mockLabels({ add: ["agent-pr"] });
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ title: `${"a".repeat(190)} fix: tabs` }));
    expect(check.body()).toMatchObject({ conclusion: "success", output: { title: "Policy satisfied" } });
    expect(nock.isDone()).toBe(true);
  });
});

describe("a policy regex the linear-time matcher cannot run", () => {
  it("fails the check as an invalid policy, naming the file, line, column and why", async () => {
    mockPolicy("compliance:\n  title_pattern: '^(?!wip)'\n");
    mockPr({ opened: true });
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ title: "wip: try" }));
    expect(withoutLedger(check.body())).toEqual(checkRunBody("failure", {
      title: "Invalid policy file: 1 problem",
      summary: [
        COPILOT_HEADER,
        "",
        "| | Rule | Result |",
        "| --- | --- | --- |",
        "| ❌ | `policy` | The policy file is invalid:<br>Codertocat/Hello-World:.github/agent-governance.yml:2:18: `compliance.title_pattern`: the linear-time matcher does not accept it (invalid or unsupported Perl syntax: `(?!`); it has no lookahead, lookbehind or backreferences<br>Until it is fixed every pull request fails this check: the app cannot tell which ones the file was meant to govern.<br>_Fix:_ Fix the policy file on the default branch (run `agent-governance validate` locally), then re-run this check. |",
        "",
        COMMANDS_LINE,
      ].join("\n"),
    }));
    expect(app.logs.some((l) => l.decision === "invalid_policy")).toBe(true);
    expect(nock.isDone()).toBe(true);
  });
});
