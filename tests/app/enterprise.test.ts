/**
 * GitHub Enterprise Server: Probot's GHE_HOST / GHE_PROTOCOL point every API
 * call the app makes (token, policy, facts, check run) at the server's /api/v3.
 */
import nock from "nock";
import { createProbot, ProbotOctokit } from "probot";
import { afterEach, expect, it } from "vitest";
import { createApp } from "../../src/index.js";
import { clearCaches } from "../../src/github/facts.js";
import { HEAD_SHA, PRIVATE_KEY, pullRequestPayload } from "../helpers/app.js";

afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

it("talks to the Enterprise server named by GHE_HOST and GHE_PROTOCOL", async () => {
  nock.disableNetConnect();
  clearCaches();
  const GHE = "http://ghe.example.internal";
  const repo = "/api/v3/repos/Codertocat/Hello-World";
  let check: Record<string, unknown> | undefined;
  nock(GHE)
    .post("/api/v3/app/installations/2/access_tokens")
    .reply(200, { token: "ghs_x", permissions: {} })
    .get(`${repo}/contents/.github%2Fagent-governance.yml`)
    .reply(200, { type: "file", encoding: "base64", content: Buffer.from("reviewers:\n  required: 0\n").toString("base64") })
    .get(`${repo}/pulls/2/files`).query(true).reply(200, [])
    .get(`${repo}/pulls/2/commits`).query(true).reply(200, [])
    .get(`${repo}/commits/${HEAD_SHA}/check-runs`).query(true).reply(200, { total_count: 0, check_runs: [] })
    .post(`${repo}/check-runs`, (b) => ((check = b), true))
    .reply(201, { id: 1 });
  const probot = createProbot({
    env: { APP_ID: "123", PRIVATE_KEY, WEBHOOK_SECRET: "s", GHE_HOST: "ghe.example.internal", GHE_PROTOCOL: "http", LOG_LEVEL: "fatal" },
    overrides: { Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, retry: { enabled: false }, throttle: { enabled: false } })) },
  });
  await probot.load(createApp({ now: () => new Date("2026-11-20T12:00:00Z") }));
  await probot.receive({ id: "ghe-1", name: "pull_request", payload: pullRequestPayload({ author: { login: "Codertocat", id: 21031067, type: "User" } }) } as never);
  expect(check).toMatchObject({ head_sha: HEAD_SHA, conclusion: "success" });
  expect(nock.isDone()).toBe(true);
});
