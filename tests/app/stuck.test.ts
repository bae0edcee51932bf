/**
 * Issue 18, point 7, end to end: an agent PR whose required checks failed on N pushes in a row
 * (the count carried in the app's ledger from head to head), or that sat idle, is escalated to
 * its invoker in a comment of its own; the idle case falls due in the scheduled sweep.
 */
import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { sweep } from "../../src/handlers/sweep.js";
import {
  API,
  BEFORE_SHA,
  DEVIN,
  HEAD_SHA,
  HOW_TO_ACT,
  INSTALLATION_ID,
  NOW,
  REPO_PATH,
  VIA_APP,
  mockLabels,
  mockPolicy,
  mockPolicyNotModified,
  mockPr,
  mockToken,
  pullObject,
  pullRequestPayload,
  receive,
  setupApp,
  teardown,
} from "../helpers/app.js";
import { sealed } from "../helpers/ledger.js";

afterEach(() => teardown());

type Json = Record<string, unknown>;
const BODY = "Link to Devin run: https://app.devin.ai/sessions/abc\nRequested by: @alice";
const BOT = { login: "agent-governance[bot]", id: 1, type: "Bot" };
const textOf = (body: Json | undefined) => (body?.output as { text?: string } | undefined)?.text;
const titleOf = (body: Json | undefined) => (body?.output as { title?: string } | undefined)?.title;

/** Comments the app posts on PR #2, told apart by their first line. */
function mockPosts(): { scope: nock.Scope; bodies: string[] } {
  const bodies: string[] = [];
  const scope = nock(API);
  return { scope, bodies };
}
const post = (posts: { scope: nock.Scope; bodies: string[] }, marker: string, id: number) =>
  posts.scope.post(`${REPO_PATH}/issues/2/comments`, (b: Json) => String(b.body).startsWith(marker) && (posts.bodies.push(String(b.body)), true)).reply(201, { id });

const ourRun = (sha: string, text: string, started = "2026-11-20T09:00:00Z") => ({
  id: sha === HEAD_SHA ? 777 : 776,
  name: "Agent Governance",
  head_sha: sha,
  status: "completed",
  conclusion: "failure",
  started_at: started,
  output: { title: "Policy violation: compliance.required_checks", summary: "", text },
  app: VIA_APP,
});

describe("escalation.stuck.failed_heads", () => {
  const POLICY = ["reviewers: { required: 0 }", "compliance:", "  required_checks: [ci]", "escalation:", "  stuck: { failed_heads: 2, notify: [Codertocat/wranglers] }"].join("\n");

  it("a second push in a row whose `ci` fails: the invoker and `notify` are told in a new comment, and the run of failing heads is recorded", async () => {
    const app = setupApp();
    mockToken();
    mockPolicy(POLICY);
    mockPr({ pull: pullObject({ author: DEVIN, body: BODY }) });
    // The head the push replaced carries the ledger: its `ci` had failed, the first of the run.
    const before = { invokers: ["alice"], escalation: { notified: {}, started: "2026-11-20T09:00:00.000Z", failed: { count: 1, head: BEFORE_SHA } } };
    let written: Json | undefined;
    nock(API)
      // The first wave: no check run of ours on the pushed head yet.
      .get(`${REPO_PATH}/commits/${HEAD_SHA}/check-runs`).query(true).reply(200, { total_count: 0, check_runs: [] })
      .get(`${REPO_PATH}/commits/${BEFORE_SHA}/check-runs`).query(true).reply(200, { total_count: 1, check_runs: [ourRun(BEFORE_SHA, sealed(before))] })
      // The checks the policy requires, on the head: `ci` failed.
      .get(`${REPO_PATH}/commits/${HEAD_SHA}/check-runs`).query(true).reply(200, { total_count: 1, check_runs: [{ name: "ci", status: "completed", conclusion: "failure", head_sha: HEAD_SHA, app: { slug: "github-actions" } }] })
      .get(`${REPO_PATH}/commits/${HEAD_SHA}/statuses`).query(true).reply(200, [])
      .post(`${REPO_PATH}/check-runs`, (b: Json) => ((written = b), true)).reply(201, { id: 555 });
    mockLabels({ add: ["agent-pr", "agent-policy-violation"] });
    const posts = mockPosts();
    post(posts, "<!-- agent-governance:escalation -->", 9001);
    post(posts, "<!-- agent-governance:stuck -->", 9002);

    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize", author: DEVIN, body: BODY }));

    const stuckSince = NOW;
    expect(posts.bodies).toEqual([
      [
        "<!-- agent-governance:escalation -->",
        "### ❌ This agent PR breaks the repository's policy",
        "",
        "Opened by **Devin** for @alice. It cannot merge until:",
        "",
        "- ❌ `compliance.required_checks`: Required checks failed on ec26c3e: `ci` (failure). _Fix:_ Fix the failures and push, or re-run the checks if they were flaky.",
        "",
        "⚠️ **Stuck:** its required checks failed on 2 pushes in a row (the last `ec26c3e`).",
        "",
        HOW_TO_ACT +
          `\n<!-- agent-governance:state {"notified":{},"failed":{"count":2,"head":"${HEAD_SHA}"},"stuck":{"at":"${stuckSince}","repeats":0}} -->`,
      ].join("\n"),
      [
        "<!-- agent-governance:stuck -->",
        "### ⚠️ This agent PR looks stuck",
        "",
        "@alice: its required checks failed on 2 pushes in a row (the last `ec26c3e`). Devin may need a hand: new instructions, a fix pushed, or the PR closed.",
        "",
        "cc @Codertocat/wranglers",
      ].join("\n"),
    ]);
    expect(titleOf(written)).toBe("Policy violation: compliance.required_checks");
    expect(textOf(written)).toBe(
      sealed({ invokers: ["alice"], escalation: { notified: {}, started: "2026-11-20T09:00:00.000Z", failed: { count: 2, head: HEAD_SHA }, stuck: { at: stuckSince, repeats: 0 } } }),
    );
    expect(app.logs.find((l) => l.msg === "evaluated")?.writes).toMatchObject({ stuck: "notified" });
    expect(nock.isDone()).toBe(true);
  });
});

describe("escalation.stuck.idle, through the sweep", () => {
  const POLICY = ["escalation:", "  stuck: { idle: 3d }"].join("\n");
  const THREE_DAYS_LATER = "2026-11-23T12:00:00.000Z";
  const LABELS = [{ name: "agent-pr" }, { name: "needs-human-review" }];
  const pull = { ...pullObject({ author: DEVIN, body: BODY }), created_at: "2026-11-20T09:00:00Z", labels: LABELS };
  const LEDGER = { invokers: ["alice"], escalation: { notified: {}, started: "2026-11-20T10:00:00.000Z" } };
  const comment = (extra: string[], state: string) =>
    [
      "<!-- agent-governance:escalation -->",
      "### 👀 This agent PR needs human review",
      "",
      "Opened by **Devin** for @alice. Before it can merge:",
      "",
      "- ⏳ **reviewers**: 1 more approval from anyone with write permission or above",
      ...extra,
      "",
      HOW_TO_ACT + `\n<!-- agent-governance:state ${state} -->`,
    ].join("\n");

  function listing() {
    return nock(API)
      .get("/app/installations").query(true).reply(200, [{ id: INSTALLATION_ID, account: { login: "Codertocat" } }])
      .get("/installation/repositories").query(true).reply(200, { total_count: 1, repositories: [{ name: "Hello-World", owner: { login: "Codertocat" } }] })
      .get(`${REPO_PATH}/pulls`).query({ state: "open", per_page: 100 }).reply(200, [pull]);
  }

  it("nothing pushed and nobody human for three days: the sweep tells the invoker, once", async () => {
    const app = setupApp({ now: THREE_DAYS_LATER });
    listing();
    mockToken();
    mockPolicy(POLICY);
    mockPolicyNotModified();
    const existing = { id: 9001, user: BOT, performed_via_github_app: VIA_APP, body: comment([], `{"notified":{}}`), created_at: "2026-11-20T10:00:00Z" };
    mockPr({ pull, comments: [existing] });
    let patched: Json | undefined;
    let edited: string | undefined;
    const run = { ...ourRun(HEAD_SHA, sealed(LEDGER), "2026-11-20T10:00:00Z"), conclusion: "action_required", output: { title: "Waiting for 1 human approval", summary: "", text: sealed(LEDGER) } };
    nock(API)
      .get(`${REPO_PATH}/commits/${HEAD_SHA}/check-runs`).query(true).reply(200, { total_count: 1, check_runs: [run] })
      .patch(`${REPO_PATH}/check-runs/777`, (b: Json) => ((patched = b), true)).reply(200, { id: 777 })
      .patch(`${REPO_PATH}/issues/comments/9001`, (b: Json) => ((edited = String(b.body)), true)).reply(200, { id: 9001 });
    const posts = mockPosts();
    post(posts, "<!-- agent-governance:stuck -->", 9002);

    const stats = await sweep(app.probot, () => new Date(THREE_DAYS_LATER));

    expect(stats).toEqual({ installations: 1, repositories: 1, pulls: 1, evaluated: 1, errors: 0 });
    const reason = "nothing was pushed and no human reviewed or commented for 3d (since 2026-11-20T10:00:00.000Z)";
    expect(posts.bodies).toEqual([
      [
        "<!-- agent-governance:stuck -->",
        "### ⚠️ This agent PR looks stuck",
        "",
        `@alice: ${reason}. Devin may need a hand: new instructions, a fix pushed, or the PR closed.`,
      ].join("\n"),
    ]);
    expect(edited).toBe(comment(["", `⚠️ **Stuck:** ${reason}.`], `{"notified":{},"stuck":{"at":"${THREE_DAYS_LATER}","repeats":0}}`));
    expect(textOf(patched)).toBe(sealed({ invokers: ["alice"], escalation: { notified: {}, started: "2026-11-20T10:00:00.000Z", stuck: { at: THREE_DAYS_LATER, repeats: 0 } } }));
    expect(nock.isDone()).toBe(true);

    // The next sweep, an hour later: the spell is recorded, nobody is told again.
    const HOUR_LATER = "2026-11-23T13:00:00.000Z";
    const recorded = sealed({ invokers: ["alice"], escalation: { notified: {}, started: "2026-11-20T10:00:00.000Z", stuck: { at: THREE_DAYS_LATER, repeats: 0 } } });
    listing();
    mockPolicyNotModified();
    mockPolicyNotModified();
    mockPr({ pull, comments: [{ ...existing, body: edited! }] });
    nock(API).get(`${REPO_PATH}/commits/${HEAD_SHA}/check-runs`).query(true).reply(200, { total_count: 1, check_runs: [{ ...run, output: { ...run.output, text: recorded } }] });
    await sweep(app.probot, () => new Date(HOUR_LATER));
    expect(posts.bodies).toHaveLength(1);
    expect(nock.isDone()).toBe(true);
  });
});

describe("escalation.business_hours, through the sweep", () => {
  // Opened on Friday 2026-11-20 at 10:00 UTC; three working days of 09:00-17:00 (24 working hours) run out on
  // Wednesday at 10:00, not on Monday as three calendar days would.
  const POLICY = ["escalation:", "  business_hours: { timezone: UTC, hours: \"09:00-17:00\" }", "  stuck: { idle: 3d }"].join("\n");
  const LABELS = [{ name: "agent-pr" }, { name: "needs-human-review" }];
  const pull = { ...pullObject({ author: DEVIN, body: BODY }), created_at: "2026-11-20T09:00:00Z", labels: LABELS };
  const LEDGER = { invokers: ["alice"], escalation: { notified: {}, started: "2026-11-20T10:00:00.000Z" } };
  const existing = { id: 9001, user: BOT, performed_via_github_app: VIA_APP, body: "<!-- agent-governance:escalation -->\n<!-- agent-governance:state {\"notified\":{}} -->", created_at: "2026-11-20T10:00:00Z" };
  const run = { ...ourRun(HEAD_SHA, sealed(LEDGER), "2026-11-20T10:00:00Z"), conclusion: "action_required", output: { title: "Waiting for 1 human approval", summary: "", text: sealed(LEDGER) } };

  /** One sweep at `at`: the listing, the policy, the PR, our check run (its update accepted); the stuck comments it posts. */
  async function sweepAt(at: string): Promise<{ posted: string[]; text: string | undefined }> {
    const app = setupApp({ now: at });
    nock(API)
      .get("/app/installations").query(true).reply(200, [{ id: INSTALLATION_ID, account: { login: "Codertocat" } }])
      .get("/installation/repositories").query(true).reply(200, { total_count: 1, repositories: [{ name: "Hello-World", owner: { login: "Codertocat" } }] })
      .get(`${REPO_PATH}/pulls`).query({ state: "open", per_page: 100 }).reply(200, [pull]);
    mockToken();
    mockPolicy(POLICY);
    mockPolicyNotModified();
    mockPr({ pull, comments: [existing] });
    let patched: Json | undefined;
    nock(API)
      .get(`${REPO_PATH}/commits/${HEAD_SHA}/check-runs`).query(true).reply(200, { total_count: 1, check_runs: [run] })
      .patch(`${REPO_PATH}/check-runs/777`, (b: Json) => ((patched = b), true)).optionally().reply(200, { id: 777 })
      .patch(`${REPO_PATH}/issues/comments/9001`).optionally().reply(200, { id: 9001 });
    const posts: string[] = [];
    nock(API)
      .post(`${REPO_PATH}/issues/2/comments`, (b: Json) => (posts.push(String(b.body)), true))
      .optionally()
      .reply(201, { id: 9002 });
    expect(await sweep(app.probot, () => new Date(at))).toMatchObject({ evaluated: 1, errors: 0 });
    teardown();
    return { posted: posts, text: textOf(patched) };
  }

  it("the weekend does not count: not stuck on Monday at noon, stuck on Wednesday once 24 working hours have passed", async () => {
    const monday = await sweepAt("2026-11-23T12:00:00.000Z");
    expect(monday.posted).toEqual([]);
    // Monday: the ledger is left as it was (no stuck spell recorded).
    expect(monday.text ?? sealed(LEDGER)).toBe(sealed(LEDGER));

    const wednesday = await sweepAt("2026-11-25T11:00:00.000Z");
    expect(wednesday.posted).toEqual([
      [
        "<!-- agent-governance:stuck -->",
        "### ⚠️ This agent PR looks stuck",
        "",
        "@alice: nothing was pushed and no human reviewed or commented for 3d of business hours (since 2026-11-20T10:00:00.000Z). Devin may need a hand: new instructions, a fix pushed, or the PR closed.",
      ].join("\n"),
    ]);
    expect(wednesday.text).toBe(sealed({ ...LEDGER, escalation: { ...LEDGER.escalation, stuck: { at: "2026-11-25T11:00:00.000Z", repeats: 0 } } }));
  });
});
