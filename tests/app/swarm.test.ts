/**
 * Issue 18, point 6, end to end: swarm limits. The repository's open PRs are listed once (only
 * when the policy sets `limits`), an agent's PR past its budget is held with the older ones
 * linked, a second PR for an issue waits for a maintainer, and a close releases what it held.
 */
import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import {
  API,
  COMMANDS_LINE,
  COPILOT,
  COPILOT_HEADER,
  DEVIN,
  HOW_TO_ACT,
  REPO_PATH,
  mockCheckRun,
  mockEscalation,
  mockLabels,
  mockPolicy,
  mockPr,
  mockToken,
  pullObject,
  review,
  reviewPayload,
  pullRequestPayload,
  receive,
  setupApp,
  teardown,
  checkRunBody,
  WAITING_ROW,
  ONE_MORE_APPROVAL,
  waitingOutputs,
} from "../helpers/app.js";
import { withoutLedger } from "../helpers/ledger.js";

afterEach(() => teardown());

type Json = Record<string, unknown>;
const URL1 = "https://github.com/Codertocat/Hello-World/pull/1";

/** An older open PR as the PR list gives it. */
const listed = (number: number, o: { user?: Json; body?: string; created?: string } = {}) => ({
  ...pullObject({ author: (o.user ?? COPILOT) as never, body: o.body ?? "" }),
  number,
  html_url: `https://github.com/Codertocat/Hello-World/pull/${number}`,
  created_at: o.created ?? "2019-05-14T10:00:00Z",
  head: { ref: `copilot/fix-${number}`, sha: String(number).repeat(40).slice(0, 40) },
});

/** The repository's open PRs, listed once. */
const mockOpenPulls = (pulls: Json[]) => nock(API).get(`${REPO_PATH}/pulls`).query({ state: "open", per_page: 100 }).reply(200, pulls);

describe("limits.open_prs", () => {
  it("Copilot's second open PR, over `per_agent: 1`, is held with the first linked; the list is read once", async () => {
    const app = setupApp();
    mockToken();
    mockPolicy("limits:\n  open_prs: { per_agent: 1 }\n");
    mockPr({ opened: true });
    const list = mockOpenPulls([pullObject(), listed(1)]);
    mockLabels({ add: ["agent-pr", "needs-human-review"] });
    const comment = mockEscalation();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "opened" }));
    const HELD =
      `Held: over the open-PR limit. Copilot coding agent has 2 open PRs here (at most 1); older ones in the budget: [#1](${URL1}).`;
    expect(withoutLedger(check.body())).toEqual(checkRunBody("action_required", {
      title: "Held: over the open-PR limit",
      summary: [
        COPILOT_HEADER,
        "",
        "| | Rule | Result |",
        "| --- | --- | --- |",
        WAITING_ROW,
        `| ⏳ | \`limits.open_prs\` | ${HELD}<br>_Fix:_ Merge or close an older agent PR: this one is evaluated again when one closes (\`/governance recheck\` does it now). An override lets it pass meanwhile. |`,
        "",
        "**Still required:**",
        ONE_MORE_APPROVAL,
        "",
        COMMANDS_LINE,
      ].join("\n"),
    }));
    expect(comment.body()).toBe(
      [
        "<!-- agent-governance:escalation -->",
        "### 👀 This agent PR needs human review",
        "",
        "Opened by **Copilot coding agent**. Before it can merge:",
        "",
        `- ⏸️ \`limits.open_prs\`: ${HELD}`,
        "- ⏳ **reviewers**: 1 more approval from anyone with write permission or above",
        "",
        HOW_TO_ACT + `\n<!-- agent-governance:state {"notified":{}} -->`,
      ].join("\n"),
    );
    expect(list.isDone()).toBe(true);
    expect(nock.isDone()).toBe(true);
  });

  it("a policy without `limits` never lists the open PRs", async () => {
    const app = setupApp();
    mockToken();
    mockPolicy("reviewers: { required: 1 }\n");
    mockPr({ opened: true });
    const list = mockOpenPulls([]);
    waitingOutputs();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "opened" }));
    expect(check.body()).toMatchObject({ output: { title: "Waiting for 1 human approval" } });
    expect(list.isDone()).toBe(false);
  });

  it("closing the PR in the budget evaluates the one it held, which is then within the limit", async () => {
    const app = setupApp();
    mockToken();
    mockPolicy("reviewers: { required: 0 }\nlimits:\n  open_prs: { per_agent: 1 }\n");
    // #7, the older, closes: its comment list, then the open PRs (#2 only now), then #2 again.
    nock(API).get(`${REPO_PATH}/issues/7/comments`).query(true).reply(200, []);
    const list = mockOpenPulls([pullObject()]);
    mockPolicy("reviewers: { required: 0 }\nlimits:\n  open_prs: { per_agent: 1 }\n");
    mockPr({ pull: { ...pullObject(), labels: [{ name: "agent-pr" }, { name: "needs-human-review" }] } });
    mockLabels({ remove: ["needs-human-review"] });
    const check = mockCheckRun();
    const payload = pullRequestPayload({ action: "closed" }) as { pull_request: Json };
    Object.assign(payload.pull_request, { number: 7, created_at: "2019-05-14T10:00:00Z", labels: [{ name: "agent-pr" }] });
    await receive(app, "pull_request", payload);
    expect(withoutLedger(check.body())).toMatchObject({
      conclusion: "success",
      output: {
        title: "Policy satisfied",
        summary: expect.stringContaining("| ✅ | `limits.open_prs` | Within the open-PR limits: Copilot coding agent has 1 open PR here (at most 1). |"),
      },
    });
    expect(list.isDone()).toBe(true);
    expect(nock.isDone()).toBe(true);
  });
});

describe("limits.one_per_issue", () => {
  it("a second agent PR for #12 waits for a maintainer, naming the first", async () => {
    const app = setupApp();
    mockToken();
    mockPolicy("reviewers: { required: 0 }\nlimits:\n  one_per_issue: true\n");
    const body = "Fixes #12";
    mockPr({ opened: true });
    mockOpenPulls([listed(1, { user: DEVIN, body: "Closes #12\n\nLink to Devin run: https://app.devin.ai/sessions/abc" }), pullObject({ body })]);
    waitingOutputs();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "opened", body }));
    expect(withoutLedger(check.body())).toEqual(checkRunBody("action_required", {
      title: "Waiting for 1 human approval",
      summary: [
        COPILOT_HEADER,
        "",
        "| | Rule | Result |",
        "| --- | --- | --- |",
        `| ⏳ | \`limits.one_per_issue\` | A second agent PR for #12: [#1](${URL1}) (Devin) links it already: 0/1 approvals; needs 1 more approval from anyone with maintain permission or above.<br>_Fix:_ An eligible reviewer approves the latest commit (a review, or \`/governance approve\`). |`,
        "",
        "**Still required:**",
        "- a second PR for #12: 1 more approval from anyone with maintain permission or above",
        "",
        COMMANDS_LINE,
      ].join("\n"),
    }));
    expect(nock.isDone()).toBe(true);
  });

  it("a maintainer's approval releases it", async () => {
    const app = setupApp();
    mockToken();
    mockPolicy("reviewers: { required: 0 }\nlimits:\n  one_per_issue: true\n");
    mockPr({ pull: pullObject({ body: "Fixes #12" }), reviews: [review({ login: "alice" })], permissions: { alice: "maintain" } });
    mockOpenPulls([listed(1, { user: DEVIN, body: "Closes #12" }), pullObject({ body: "Fixes #12" })]);
    mockLabels({ add: ["agent-pr"] });
    const check = mockCheckRun();
    await receive(app, "pull_request_review", reviewPayload({ reviewer: { login: "alice", id: 5001, type: "User" } }));
    expect(withoutLedger(check.body())).toMatchObject({
      conclusion: "success",
      output: {
        title: "Policy satisfied",
        summary: expect.stringContaining(`| ✅ | \`limits.one_per_issue\` | A second agent PR for #12: [#1](${URL1}) (Devin) links it already: approved by @alice. |`),
      },
    });
    expect(nock.isDone()).toBe(true);
  });
});
