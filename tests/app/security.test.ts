/**
 * Security invariants: signatures are checked, and no token, key or detected
 * secret value ever reaches a log line, a check run or a comment.
 */
import { createServer, type Server } from "node:http";
import { createHmac } from "node:crypto";
import nock from "nock";
import { pino } from "pino";
import { Probot, ProbotOctokit, createNodeMiddleware } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/index.js";
import {
  API,
  PRIVATE_KEY,
  REPO_PATH,
  commit,
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
} from "../helpers/app.js";

afterEach(() => teardown());

// Built at run time so this file holds no secret-looking literal.
const GITHUB_TOKEN = ["ghp", "_", "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"].join("");
const AWS_KEY = ["AKIA", "Z7QW3RTY5UIO9PLK"].join("");

describe("secrets never leak", () => {
  it("a PR adding secrets fails, pointing at file:line, and no secret, token or key is logged or posted", async () => {
    const app = setupApp();
    mockToken();
    mockPolicy("compliance:\n  no_secrets: true\n");
    mockPr({
      opened: true,
      files: [
        {
          filename: "config/deploy.js",
          status: "added",
          additions: 3,
          deletions: 0,
          changes: 3,
          patch: `@@ -0,0 +1,3 @@\n+const a = 1;\n+const token = "${GITHUB_TOKEN}";\n+const aws = "${AWS_KEY}";`,
        },
      ],
    });
    mockLabels({ add: ["agent-pr", "agent-policy-violation"] });
    const posted: string[] = [];
    nock(API)
      .post(`${REPO_PATH}/issues/2/comments`, (b) => (posted.push(JSON.stringify(b)), true))
      .reply(201, { id: 9001 });
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload());
    const body = check.body() as { conclusion: string; output: { summary: string; annotations?: { path: string; start_line: number }[] } };
    expect(body.conclusion).toBe("failure");
    expect(body.output.annotations?.map((a) => `${a.path}:${a.start_line}`)).toEqual(expect.arrayContaining(["config/deploy.js:2", "config/deploy.js:3"]));
    const everything = [app.logText(), JSON.stringify(body), ...posted].join("\n");
    for (const secret of [GITHUB_TOKEN, AWS_KEY, "ghs_test_installation_token", PRIVATE_KEY.split("\n")[5]!]) {
      expect(everything).not.toContain(secret);
    }
    expect(nock.isDone()).toBe(true);
  });
});

describe("secrets users wrote are not echoed", () => {
  it("a token in a commit subject, the title and a path is redacted from the check run and the comment", async () => {
    const app = setupApp();
    mockToken();
    mockPolicy('paths:\n  forbidden: ["secrets/**"]\ncompliance:\n  dco: true\n  title_pattern: "^feat: "\n');
    mockPr({
      opened: true,
      files: [{ filename: `secrets/${GITHUB_TOKEN}.json`, status: "added", additions: 1, deletions: 0, changes: 1, patch: "@@ -0,0 +1 @@\n+{}" }],
      commits: [commit({ message: `Add ${GITHUB_TOKEN} to config` })],
    });
    mockLabels({ add: ["agent-pr", "agent-policy-violation"] });
    const comment = mockEscalation();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ title: `Rotate ${GITHUB_TOKEN}` }));
    const body = check.body() as { output: { title: string; summary: string; annotations?: { path: string }[] } };
    const redacted = "[redacted GitHub token]";
    expect(body.output.title).toBe("Policy violation: paths.forbidden, compliance.dco, compliance.title_pattern");
    expect(body.output.annotations?.map((a) => a.path)).toEqual([`secrets/${redacted}.json`]);
    expect(body.output.summary).toContain(`Changes forbidden paths: \`secrets/${redacted}.json\`.`);
    expect(body.output.summary).toContain(`1 commit lacks a \`Signed-off-by:\` matching the author: \`ec26c3e Add ${redacted} to config\`.`);
    expect(comment.body()).toContain(`- ❌ \`compliance.title_pattern\`: The title \`Rotate ${redacted}\` does not match \`^feat: \`.`);
    expect([JSON.stringify(body), comment.body()].join("\n")).not.toContain(GITHUB_TOKEN);
    expect(nock.isDone()).toBe(true);
  });
});

describe("webhook signatures", () => {
  async function serve(): Promise<{ server: Server; url: string }> {
    const probot = new Probot({
      appId: 123,
      privateKey: PRIVATE_KEY,
      secret: "the-real-secret",
      log: pino({ level: "silent" }),
      Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, retry: { enabled: false }, throttle: { enabled: false } })),
    });
    const middleware = await createNodeMiddleware(createApp(), { probot });
    const server = createServer((req, res) => {
      void middleware(req, res, () => res.writeHead(404).end());
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as { port: number };
    return { server, url: `http://127.0.0.1:${port}/api/github/webhooks` };
  }

  const sign = (secret: string, body: string) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

  it("rejects a webhook signed with the wrong secret, and makes no GitHub request", async () => {
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
    const { server, url } = await serve();
    try {
      const body = JSON.stringify(pullRequestPayload());
      const headers = { "content-type": "application/json", "x-github-event": "pull_request", "x-github-delivery": "d1" };
      const bad = await fetch(url, { method: "POST", body, headers: { ...headers, "x-hub-signature-256": sign("development", body) } });
      expect(bad.status).toBe(400);
      const none = await fetch(url, { method: "POST", body, headers });
      expect(none.status).toBe(400);
      expect(nock.pendingMocks()).toEqual([]);
    } finally {
      server.close();
    }
  });
});
