/**
 * The serverless handlers, driven by signed requests: a Node (req, res) handler
 * behind a real HTTP server, and the AWS Lambda handler fed function-URL events.
 * GitHub is nock; `/metrics` is scraped after the events.
 */
import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import examples from "@octokit/webhooks-examples";
import nock from "nock";
import { pino } from "pino";
import { Probot, type ApplicationFunction } from "probot";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/index.js";
import { MeteredOctokit } from "../../src/server/ops.js";
import {
  createLambdaHandler,
  createRequestResponder,
  createServerlessHandler,
  serverlessConfigProblem,
  type LambdaHttpEvent,
} from "../../src/server/serverless.js";
import { clearCaches } from "../../src/github/facts.js";
import { HEAD_SHA, mockCheckRun, mockPolicy, mockPr, mockToken, NOW, PRIVATE_KEY, pullRequestPayload } from "../helpers/app.js";
import { sample } from "./metrics-text.js";

const SECRET = "serverless-test-secret";
const API = "https://api.github.com";
const HUMAN = { login: "Codertocat", id: 21031067, type: "User" };

type Json = Record<string, unknown>;

function issuesOpened(installation = true): Json {
  const group = (examples as unknown as { name: string; examples: Json[] }[]).find((e) => e.name === "issues");
  const payload = structuredClone(group!.examples.find((x) => x.action === "opened")!);
  if (installation) payload.installation = { id: 2 };
  return payload;
}

const sign = (body: string, secret = SECRET) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

function webhookHeaders(event: string, body: string, secret = SECRET): Record<string, string> {
  return {
    "content-type": "application/json",
    "x-github-event": event,
    "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
    "x-hub-signature-256": sign(body, secret),
  };
}

/** A function URL event (payload format 2.0), as Lambda passes it. */
function lambdaEvent(method: string, path: string, body = "", headers: Record<string, string> = {}): LambdaHttpEvent {
  return {
    rawPath: path,
    rawQueryString: "",
    headers,
    body: Buffer.from(body).toString("base64"),
    isBase64Encoded: true,
    requestContext: { http: { method } },
  };
}

let logLines: string[];
function testProbot(): Probot {
  logLines = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  return new Probot({
    appId: 123,
    privateKey: PRIVATE_KEY,
    secret: SECRET,
    log: pino({ level: "info" }, stream),
    Octokit: MeteredOctokit.defaults((o: Json) => ({ ...o, retry: { enabled: false }, throttle: { enabled: false } })),
  });
}

/** A small app: comments on an opened issue, after `gate` when given. */
function commentingApp(hooks: { gate?: Promise<void>; started?: () => void; finished?: () => void } = {}): ApplicationFunction {
  return (app) => {
    app.on("issues.opened", async (context) => {
      hooks.started?.();
      await hooks.gate;
      await context.octokit.rest.issues.createComment(context.issue({ body: "hello from the function" }));
      hooks.finished?.();
    });
  };
}

beforeEach(() => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
  clearCaches();
});
afterEach(() => {
  vi.useRealTimers();
  nock.cleanAll();
  nock.enableNetConnect();
});

describe("Node (req, res) handler", () => {
  let server: Server;
  let base: string;
  async function serve(handler: ReturnType<typeof createServerlessHandler>) {
    server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it("runs the app for a signed webhook, then /metrics shows its GitHub requests and rate limit", async () => {
    await serve(createServerlessHandler({ probot: testProbot(), appFn: commentingApp() }));
    const before = sample(await (await fetch(`${base}/metrics`)).text(), "agent_governance_github_requests_total", { method: "POST", status: "201" });

    let sent: Json | undefined;
    const github = nock(API)
      .post("/app/installations/2/access_tokens")
      .reply(201, { token: "ghs_installation_token_value", expires_at: "2099-01-01T00:00:00Z" })
      .post("/repos/Codertocat/Hello-World/issues/1/comments", (b: Json) => ((sent = b), true))
      .reply(201, { id: 1 }, { "x-ratelimit-remaining": "4321", "x-ratelimit-resource": "core" });
    const body = JSON.stringify(issuesOpened());
    const res = await fetch(`${base}/api/github/webhooks`, { method: "POST", headers: webhookHeaders("issues", body), body });

    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok\n");
    expect(sent).toEqual({ body: "hello from the function" });
    expect(github.isDone()).toBe(true);

    const scrape = await fetch(`${base}/metrics`);
    expect(scrape.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await scrape.text();
    // The installation token and the comment: every request is counted.
    expect(sample(text, "agent_governance_github_requests_total", { method: "POST", status: "201" })).toBe(before + 2);
    expect(sample(text, "agent_governance_github_rate_limit_remaining", { resource: "core" })).toBe(4321);
    expect(logLines.join("")).not.toContain("ghs_installation_token_value");
  });

  it("refuses a webhook signed with another secret: 400, and the app does nothing", async () => {
    let ran = false;
    await serve(createServerlessHandler({ probot: testProbot(), appFn: commentingApp({ started: () => (ran = true) }) }));
    const body = JSON.stringify(issuesOpened());
    const res = await fetch(`${base}/api/github/webhooks`, { method: "POST", headers: webhookHeaders("issues", body, "development"), body });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("signature does not match");
    expect(ran).toBe(false);
  });

  it("serves /healthz, and 404 for anything else", async () => {
    await serve(createServerlessHandler({ probot: testProbot(), appFn: commentingApp() }));
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const other = await fetch(`${base}/somewhere`);
    expect(other.status).toBe(404);
    expect(await other.text()).toBe("not found: GET /somewhere\n");
  });
});

describe("AWS Lambda handler (function URL events)", () => {
  it("evaluates a signed pull_request.opened with the real app: check run written before the 200", async () => {
    const handler = createLambdaHandler({ probot: testProbot(), appFn: createApp({ now: () => new Date(NOW) }) });
    const metricsBefore = (await handler(lambdaEvent("GET", "/metrics"))).body;
    mockToken();
    mockPolicy(null);
    mockPr();
    const check = mockCheckRun();
    // Exactly which other reads and writes the app makes is the app tests' concern (tests/app):
    // here any other list reads empty and any other write succeeds.
    const otherWrites = nock(API).persist();
    otherWrites.get(() => true).reply(200, []);
    for (const method of ["POST", "PATCH", "PUT", "DELETE"]) otherWrites.intercept(() => true, method).reply(200, {});
    const body = JSON.stringify(pullRequestPayload({ author: HUMAN }));
    const res = await handler(lambdaEvent("POST", "/api/github/webhooks", body, webhookHeaders("pull_request", body)));
    expect(res).toMatchObject({ statusCode: 200, body: "ok\n" });
    expect(check.body()).toMatchObject({ name: "Agent Governance", head_sha: HEAD_SHA, status: "completed" });
    otherWrites.persist(false);

    // One audit line for the decision, joined to the delivery, with no token in any log line.
    const lines = logLines.flatMap((l) => l.split("\n").filter(Boolean)).map((l) => JSON.parse(l) as Json);
    const audit = lines.filter((l) => l.audit === "decision");
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ msg: "evaluated", id: "72d3162e-cc78-11e3-81ab-4c9367dc0958", repo: "Codertocat/Hello-World", pr: 2, head: HEAD_SHA });
    expect(logLines.join("")).not.toContain("ghs_test_installation_token");
    // …and the evaluation counted, scraped through the same function.
    const metricsAfter = (await handler(lambdaEvent("GET", "/metrics"))).body;
    const labels = { agent: String(audit[0]!.agent ?? "none"), outcome: String(audit[0]!.outcome) };
    expect(sample(metricsAfter, "agent_governance_evaluations_total", labels) - sample(metricsBefore, "agent_governance_evaluations_total", labels)).toBe(1);
  });

  it("holds the answer until the work is done, even after Probot's 9 s '202 still processing'", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const startedP = new Promise<void>((r) => (started = r));
    let finished = false;
    const respond = await createRequestResponder({
      probot: testProbot(),
      appFn: commentingApp({ gate, started, finished: () => (finished = true) }),
    });
    let sent: Json | undefined;
    nock(API)
      .post("/repos/Codertocat/Hello-World/issues/1/comments", (b: Json) => ((sent = b), true))
      .reply(201, { id: 1 });
    const body = JSON.stringify(issuesOpened(false));
    let settled = false;
    const pending = respond({ method: "POST", url: "/api/github/webhooks", headers: webhookHeaders("issues", body), body }).then((r) => {
      settled = true;
      return r;
    });
    await startedP;
    vi.advanceTimersByTime(9_000); // Probot's middleware answers 202 here
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false); // the answer waits for the handler: the platform cannot freeze it half-way
    release();
    const res = await pending;
    expect(res.statusCode).toBe(202);
    expect(res.body).toBe("still processing\n");
    expect(finished).toBe(true);
    expect(sent).toEqual({ body: "hello from the function" });
  });

  it("answers /healthz and /metrics, and 404 elsewhere", async () => {
    const handler = createLambdaHandler({ probot: testProbot(), appFn: commentingApp() });
    expect(await handler(lambdaEvent("GET", "/healthz"))).toMatchObject({ statusCode: 200, body: '{"status":"ok"}\n' });
    const metrics = await handler(lambdaEvent("GET", "/metrics"));
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain("# TYPE agent_governance_evaluations_total counter");
    expect(await handler(lambdaEvent("GET", "/nope"))).toMatchObject({ statusCode: 404 });
  });
});

describe("configuration", () => {
  it("names what is missing, and never echoes a value", async () => {
    const env = { APP_ID: "123", PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----\nsecret-key-material" };
    expect(serverlessConfigProblem(env)).toBe("agent-governance is not configured: set WEBHOOK_SECRET in the function's environment.");
    expect(serverlessConfigProblem({})).toBe(
      "agent-governance is not configured: set APP_ID, WEBHOOK_SECRET, PRIVATE_KEY (or PRIVATE_KEY_PATH) in the function's environment.",
    );
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const handler = createLambdaHandler({ env });
    const res = await handler(lambdaEvent("POST", "/api/github/webhooks", "{}", webhookHeaders("issues", "{}")));
    expect(res.statusCode).toBe(500);
    expect(res.body).toContain("set WEBHOOK_SECRET");
    expect(res.body + errors.mock.calls.flat().join("")).not.toContain("secret-key-material");
  });
});
