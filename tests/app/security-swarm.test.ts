/**
 * Escaping the swarm limits by reopening (or editing) an older agent PR: the older PR comes back
 * into the budget, and the newer PR that passed while it was closed must be held again.
 */
import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { API, COMMANDS_LINE, COPILOT, COPILOT_HEADER, commit, NOW, REPO_PATH, RECHECK, mockCheckRun, mockPolicy, mockPr, mockToken, pullObject, pullRequestPayload, receive, setupApp, teardown } from "../helpers/app.js";
import { withoutLedger } from "../helpers/ledger.js";

afterEach(() => teardown());

type Json = Record<string, unknown>;
const POLICY = "reviewers: { required: 0 }\nlimits:\n  open_prs: { per_agent: 1 }\n";
const URL2 = "https://github.com/Codertocat/Hello-World/pull/2";
const SHA9 = "9".repeat(40);
/** #9: Copilot's newer open PR, which passed while #2 was closed. */
const PR9: Json = {
  ...pullObject({ author: COPILOT as never }),
  number: 9,
  html_url: "https://github.com/Codertocat/Hello-World/pull/9",
  created_at: "2019-05-20T10:00:00Z",
  labels: [{ name: "agent-pr" }],
  head: { ...(pullObject().head as Json), ref: "copilot/fix-9", sha: SHA9 },
};

/** Every read of #9's evaluation, and its check run's write (captured). */
function mockPr9(pull: Json = PR9): () => Json | undefined {
  let captured: Json | undefined;
  const pr = `${REPO_PATH}/pulls/9`;
  nock(API)
    .get(pr).reply(200, pull)
    .get(`${pr}/reviews`).query(true).reply(200, [])
    .get(`${REPO_PATH}/issues/9/comments`).query(true).reply(200, [])
    .get(`${pr}/files`).query(true).reply(200, [{ filename: "README.md", status: "modified", additions: 1, deletions: 0, changes: 1 }])
    .get(`${pr}/commits`).query(true).reply(200, [commit({ sha: SHA9 })])
    .get(`${REPO_PATH}/commits/${SHA9}/pulls`).query(true).optionally().reply(200, [{ number: 9, state: "open", head: { sha: SHA9 } }])
    .get(`${REPO_PATH}/commits/${SHA9}/check-runs`).query(true).reply(200, { total_count: 0, check_runs: [] })
    .post(`${REPO_PATH}/check-runs`, (b: Json) => b.head_sha === SHA9 && ((captured = b), true)).reply(201, { id: 909 })
    .post(`${REPO_PATH}/issues/9/labels`).optionally().reply(200, [])
    .post(`${REPO_PATH}/issues/9/comments`).optionally().reply(201, { id: 9009 });
  return () => captured;
}

/** #9's check run once #2 is back in the budget. */
const HELD9 = {
  name: "Agent Governance",
  head_sha: SHA9,
  status: "completed",
  conclusion: "action_required",
  output: {
    title: "Held: over the open-PR limit",
    summary: [
      COPILOT_HEADER.replace("\n\n</details>", "\n- hint: branch `copilot/fix-9` (pull.head.ref)\n\n</details>"),
      "",
      "| | Rule | Result |",
      "| --- | --- | --- |",
      `| ⏳ | \`limits.open_prs\` | Held: over the open-PR limit. Copilot coding agent has 2 open PRs here (at most 1); older ones in the budget: [#2](${URL2}).<br>_Fix:_ Merge or close an older agent PR: this one is evaluated again when one closes (\`/governance recheck\` does it now). An override lets it pass meanwhile. |`,
      "",
      COMMANDS_LINE,
    ].join("\n"),
  },
  actions: RECHECK,
  details_url: "https://github.com/Codertocat/Hello-World/pull/9",
  started_at: NOW,
};

describe("limits: an older PR back in the budget holds the newer ones again", () => {
  it("reopening Copilot's older #2 re-evaluates #9, which passed meanwhile, and holds it", async () => {
    const app = setupApp();
    mockToken();
    mockPolicy(POLICY);
    const two = { ...pullObject(), created_at: "2019-05-14T10:00:00Z", labels: [{ name: "agent-pr" }] };
    mockPr({ pull: two });
    nock(API).get(`${REPO_PATH}/pulls`).query({ state: "open", per_page: 100 }).reply(200, [two, PR9]);
    mockCheckRun();
    nock(API).post(`${REPO_PATH}/issues/2/comments`).optionally().reply(201, { id: 9001 });
    nock(API).post(`${REPO_PATH}/issues/2/labels`).optionally().reply(200, []);
    mockPolicy(POLICY).persist();
    const nine = mockPr9();
    const payload = pullRequestPayload({ action: "reopened" }) as { pull_request: Json };
    Object.assign(payload.pull_request, { created_at: "2019-05-14T10:00:00Z", labels: [{ name: "agent-pr" }] });
    await receive(app, "pull_request", payload);
    expect(withoutLedger(nine())).toEqual(HELD9);
    expect(nock.pendingMocks().filter((m) => /pulls\/9|issues\/9|check-runs/.test(m) && !/labels|comments$/.test(m))).toEqual([]);
  });

  it("an older PR edited back into the limits (its Devin link restored) holds #9 again; an edit that changes nothing there evaluates only itself", async () => {
    const ALSO = "";
    // #2 under a human's account, Devin's PR only by the link in its body; #9 likewise, newer.
    const human = { login: "octocat", id: 583231, type: "User" };
    const body = "Fix\n\nLink to Devin run: https://app.devin.ai/sessions/abc";
    const two = { ...pullObject({ author: human, body }), created_at: "2019-05-14T10:00:00Z", labels: [{ name: "agent-pr" }] };
    const nineAcme = { ...PR9, user: { ...(PR9.user as Json), ...human, login: "hubot", id: 480938 }, body };
    for (const [from, expectNine] of [["Fix", true], ["Fix it\n\nLink to Devin run: https://app.devin.ai/sessions/abc", false]] as const) {
      teardown();
      const app = setupApp();
      mockToken();
      mockPolicy(ALSO + POLICY);
      mockPr({ pull: two });
      nock(API).get(`${REPO_PATH}/pulls`).query({ state: "open", per_page: 100 }).reply(200, [two, nineAcme]);
      mockCheckRun();
      nock(API).post(`${REPO_PATH}/issues/2/comments`).optionally().reply(201, { id: 9001 });
      nock(API).post(`${REPO_PATH}/issues/2/labels`).optionally().reply(200, []);
      mockPolicy(ALSO + POLICY).persist();
      const nine = mockPr9(nineAcme);
      // The examples hold no `edited` delivery: the reopened one, as GitHub sends an edit (its `changes`).
      const payload = pullRequestPayload({ action: "reopened", author: human, body }) as { action: string; pull_request: Json; changes?: Json };
      payload.action = "edited";
      Object.assign(payload.pull_request, { created_at: "2019-05-14T10:00:00Z", labels: [{ name: "agent-pr" }] });
      payload.changes = { body: { from } };
      await receive(app, "pull_request", payload);
      const held = "Held: over the open-PR limit. Devin has 2 open PRs here (at most 1); older ones in the budget: [#2](" + URL2 + ").";
      expect((withoutLedger(nine()) as { output?: Json } | undefined)?.output).toEqual(expectNine ? { title: "Held: over the open-PR limit", summary: expect.stringContaining(held) } : undefined);
    }
  });
});
