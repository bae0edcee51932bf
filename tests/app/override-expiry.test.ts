/**
 * Time-bound overrides end to end (issue 18, point 4c): an override expires without any event, so the
 * sweep evaluates a PR whose check run says its override has expired, in a repository without tiers too.
 */
import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { newSweepMemo, sweep } from "../../src/handlers/sweep.js";
import {
  API,
  COMMANDS_LINE,
  COPILOT_HEADER,
  HOW_TO_ACT,
  INSTALLATION_ID,
  REPO_PATH,
  SEEN_CHECK,
  mockCheckRun,
  mockCheckRunRead,
  mockEscalation,
  mockLabels,
  mockPolicy,
  mockPolicyNotModified,
  mockPr,
  mockToken,
  pullObject,
  setupApp,
  teardown,
  checkRunUpdateBody,
  WAITING_ROW,
  ONE_MORE_APPROVAL,
  forbiddenAnnotation,
} from "../helpers/app.js";
import { sealed } from "../helpers/ledger.js";

afterEach(() => teardown());

type Json = Record<string, unknown>;

/** No escalation tiers: before time-bound overrides the sweep never looked at this repository. */
const POLICY = 'paths:\n  forbidden: ["infra/**"]\ncommands:\n  override: { max_duration: 1d }\n';
const FILES = [{ filename: "infra/main.tf", status: "modified", additions: 1, deletions: 0, changes: 1 }];
const GIVEN = "2026-11-20T11:30:00Z";
const EXPIRES = "2026-11-21T11:30:00.000Z";
const OVERRIDE = {
  id: 4242,
  user: { login: "bob", id: 5002, type: "User" },
  body: "/governance override INC-42 hotfix",
  created_at: GIVEN,
  updated_at: GIVEN,
};
/** Our check run on the head as the override left it. */
const OVERRIDDEN_RUN: Json = {
  ...SEEN_CHECK,
  conclusion: "success",
  output: { title: `Overridden by @bob until ${EXPIRES}`, summary: "" },
};
const openPull = () => ({ ...pullObject(), labels: [{ name: "agent-pr" }] });

/** The sweep's listing: one installation, one repository, PR #2 open. */
function listing(openIssues = 1) {
  const repository = { name: "Hello-World", owner: { login: "Codertocat" }, open_issues_count: openIssues };
  const scope = nock(API)
    .get("/app/installations").query(true).reply(200, [{ id: INSTALLATION_ID, account: { login: "Codertocat" } }])
    .get("/installation/repositories").query(true).reply(200, { total_count: 1, repositories: [repository] });
  return openIssues > 0 ? scope.get(`${REPO_PATH}/pulls`).query({ state: "open", per_page: 100 }).reply(200, [openPull()]) : scope;
}

describe("the sweep ends an expired override", () => {
  it("in a repository without tiers, a PR whose override has expired is evaluated again: the forbidden path fails the check", async () => {
    const LATER = "2026-11-21T12:00:00.000Z";
    const app = setupApp({ now: LATER });
    listing();
    mockToken();
    mockPolicy(POLICY);
    mockPolicyNotModified();
    // Read once by the sweep (its title gives the expiry), once by the evaluation, which updates it.
    mockCheckRunRead(OVERRIDDEN_RUN);
    mockPr({ pull: openPull(), files: FILES, comments: [OVERRIDE], permissions: { bob: "admin" } });
    const labels = mockLabels({ add: ["agent-policy-violation"] });
    const comment = mockEscalation();
    const check = mockCheckRun(OVERRIDDEN_RUN);
    const stats = await sweep(app.probot, () => new Date(LATER));
    expect(stats).toEqual({ installations: 1, repositories: 1, pulls: 1, evaluated: 1, errors: 0 });
    expect(labels.bodies.at(-1)).toEqual({ labels: ["agent-policy-violation"] });
    expect(comment.body()).toBe(
      [
        "<!-- agent-governance:escalation -->",
        "### ❌ This agent PR breaks the repository's policy",
        "",
        "Opened by **Copilot coding agent**. It cannot merge until:",
        "",
        "- ❌ `paths.forbidden`: Changes forbidden paths: `infra/main.tf`. _Fix:_ Remove these changes from the PR, or ask an admin for `/governance override <reason>`.",
        "- ⏳ **reviewers**: 1 more approval from anyone with write permission or above",
        "",
        HOW_TO_ACT + '\n<!-- agent-governance:state {"notified":{}} -->',
      ].join("\n"),
    );
    expect(check.body()).toEqual(checkRunUpdateBody("failure", {
      title: "Policy violation: paths.forbidden",
      summary: [
        COPILOT_HEADER,
        "",
        "| | Rule | Result |",
        "| --- | --- | --- |",
        WAITING_ROW,
        "| ❌ | `paths.forbidden` | Changes forbidden paths: `infra/main.tf`.<br>_Fix:_ Remove these changes from the PR, or ask an admin for `/governance override <reason>`. |",
        "",
        "**Still required:**",
        ONE_MORE_APPROVAL,
        "",
        "**Not counted:**",
        `- @bob overrode \`ec26c3e\` by command at ${GIVEN}: expired at ${EXPIRES}`,
        "",
        COMMANDS_LINE,
      ].join("\n"),
      // The wait for humans starts now: the override held it off until it expired.
      text: sealed({ invokers: [], escalation: { notified: {}, started: LATER } }),
      annotations: [forbiddenAnnotation("infra/main.tf")],
    }));
    expect(nock.isDone()).toBe(true);
  });

  it("before it expires, the PR is not evaluated, and its check run is not read again until the expiry", async () => {
    const BEFORE = "2026-11-21T11:00:00.000Z";
    const app = setupApp({ now: BEFORE });
    const memo = newSweepMemo();
    listing();
    mockToken();
    mockPolicy(POLICY);
    mockCheckRunRead(OVERRIDDEN_RUN);
    expect(await sweep(app.probot, () => new Date(BEFORE), { swept: memo })).toEqual({ installations: 1, repositories: 1, pulls: 1, evaluated: 0, errors: 0 });
    expect(nock.isDone()).toBe(true);
    // Twenty minutes on, still before the expiry: the listing again, and no read of the check run (none is mocked).
    listing();
    mockPolicyNotModified();
    expect(await sweep(app.probot, () => new Date("2026-11-21T11:20:00.000Z"), { swept: memo })).toEqual({ installations: 1, repositories: 1, pulls: 1, evaluated: 0, errors: 0 });
    expect(nock.isDone()).toBe(true);
  });

  it("a repository without tiers and with nothing open is not asked for its PRs", async () => {
    const app = setupApp({ now: GIVEN });
    listing(0);
    mockToken();
    mockPolicy(POLICY);
    // No PR list is mocked: asking for one would fail the sweep of this repository (errors: 1).
    expect(await sweep(app.probot, () => new Date(GIVEN))).toEqual({ installations: 1, repositories: 1, pulls: 0, evaluated: 0, errors: 0 });
    expect(nock.isDone()).toBe(true);
  });
});
