/**
 * Readiness and GitHub reachability (issue 20): with GitHub unreachable the
 * first request that gets no answer is logged at once, `/readyz` answers 503
 * saying why while `/healthz` stays 200 (the process is alive), the gauge
 * `agent_governance_github_reachable` drops to 0, and such requests are
 * counted with `status="network"` or `"timeout"`, not as GitHub's 500s.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Probot, ProbotOctokit } from "probot";
import { afterAll, describe, expect, it } from "vitest";
import { metricsText } from "../../src/metrics.js";
import { withRequestTimeout } from "../../src/github/timeout.js";
import { MeteredOctokit } from "../../src/server/ops.js";
import { failureReason, Readiness, readiness, withGitHubContact } from "../../src/server/readiness.js";
import { PRIVATE_KEY } from "../helpers/app.js";
import { sample } from "./metrics-text.js";
import { freePort } from "./redis.js";
import { killAll, productionEnv, startGitHub, startServer } from "./server-process.js";

const servers: Server[] = [];
afterAll(async () => {
  killAll();
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A local HTTP server answering every request with `status` (or never, when `status` is null). */
async function answering(status: number | null, body: unknown = {}): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    if (status === null) return; // holds the request
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface Logged {
  level: string;
  obj: Record<string, unknown>;
  msg: string;
}
function recorder(state: Readiness): Logged[] {
  const lines: Logged[] = [];
  const at = (level: string) => (obj: object, msg: string) => lines.push({ level, obj: obj as Record<string, unknown>, msg });
  state.useLog({ info: at("info"), warn: at("warn"), error: at("error") });
  return lines;
}

const noRetry = { retry: { enabled: false }, throttle: { enabled: false } };

describe("GitHub reachability", () => {
  it("logs the first request without an answer at once, counts the rest quietly, and logs the recovery", async () => {
    const state = new Readiness();
    const lines = recorder(state);
    const Octokit = withRequestTimeout(withGitHubContact(ProbotOctokit, state));
    const down = new Octokit({ auth: "t", baseUrl: `http://127.0.0.1:${await freePort()}`, ...noRetry });
    for (let i = 0; i < 3; i++) await expect(down.request("GET /repos/o/r")).rejects.toThrow();
    expect(lines.map((l) => [l.level, l.obj.decision])).toEqual([["error", "github_unreachable"]]);
    expect(lines[0]!.obj).toMatchObject({ request: "GET /repos/o/r", error: expect.stringMatching(/ECONNREFUSED/) });
    expect(state.state()).toMatchObject({ ready: false, status: "github_unreachable", github: { reachable: false, failures_since_answer: 3 } });

    const up = new Octokit({ auth: "t", baseUrl: await answering(200, { ok: true }), ...noRetry });
    await up.request("GET /repos/o/r");
    expect(lines.map((l) => [l.level, l.obj.decision])).toEqual([
      ["error", "github_unreachable"],
      ["info", "github_reachable"],
    ]);
    expect(lines[1]!.obj).toMatchObject({ failed_requests: 3 });
    expect(state.state()).toMatchObject({ ready: true, status: "ok", github: { reachable: true, failures_since_answer: 0 } });
  });

  it("an answer, whatever its status, is contact; a 401 to the app's own token is refused credentials", async () => {
    const state = new Readiness();
    const lines = recorder(state);
    const Octokit = withRequestTimeout(withGitHubContact(ProbotOctokit, state));
    const five = new Octokit({ auth: "t", baseUrl: await answering(502, { message: "Bad gateway" }), ...noRetry });
    await expect(five.request("GET /repos/o/r")).rejects.toMatchObject({ status: 502 });
    expect(state.state()).toMatchObject({ ready: true, status: "ok" });
    const refused = new Octokit({ auth: "t", baseUrl: await answering(401, { message: "A JSON web token could not be decoded" }), ...noRetry });
    await expect(refused.request("GET /app")).rejects.toMatchObject({ status: 401 });
    expect(state.state()).toMatchObject({ ready: false, status: "credentials_rejected" });
    expect(lines.map((l) => l.obj.decision)).toEqual(["github_credentials_rejected"]);
  });

  it("a request out of time is a failure too, with its reason", async () => {
    const state = new Readiness();
    recorder(state);
    const Octokit = withRequestTimeout(withGitHubContact(ProbotOctokit, state), 50);
    const stalled = new Octokit({ auth: "t", baseUrl: await answering(null), ...noRetry });
    await expect(stalled.request("GET /repos/o/r")).rejects.toThrow();
    expect(state.state().github.last_failure).toMatch(/did not answer GET \/repos\/o\/r within 50 ms/);
  });

  it("observes each attempt once in Probot's installation clients (made from the app client's options)", async () => {
    const state = new Readiness();
    recorder(state);
    let answers = 0;
    const answered = state.answered.bind(state);
    state.answered = (...args) => {
      answers++;
      answered(...args);
    };
    const baseUrl = await answering(200, { token: "ghs_x", expires_at: "2999-01-01T00:00:00Z", id: 1 });
    const probot = new Probot({ appId: 1, privateKey: PRIVATE_KEY, baseUrl, Octokit: withRequestTimeout(withGitHubContact(ProbotOctokit, state)).defaults(noRetry) });
    const gh = await probot.auth(2);
    await gh.request("GET /repos/o/r");
    expect(answers).toBe(2); // the installation token, then the request: one observation each
  });

  it("failureReason names the network error without a URL's query", () => {
    const err = Object.assign(new Error("fetch failed"), { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }) });
    expect(failureReason(err)).toBe("connect ECONNREFUSED 127.0.0.1:9");
  });
});

describe("GitHub request metrics", () => {
  it("count requests without an answer as status network or timeout, not 500", async () => {
    const count = async (status: string) => sample((await metricsText()).body, "agent_governance_github_requests_total", { method: "GET", status });
    const [network, timeout] = [await count("network"), await count("timeout")];
    const down = new MeteredOctokit({ auth: "t", baseUrl: `http://127.0.0.1:${await freePort()}`, ...noRetry });
    await expect(down.request("GET /repos/o/r")).rejects.toThrow();
    process.env.GITHUB_REQUEST_TIMEOUT_MS = "50";
    try {
      const stalled = new MeteredOctokit({ auth: "t", baseUrl: await answering(null), ...noRetry });
      await expect(stalled.request("GET /repos/o/r")).rejects.toThrow();
    } finally {
      delete process.env.GITHUB_REQUEST_TIMEOUT_MS;
    }
    expect(await count("network")).toBe(network + 1);
    expect(await count("timeout")).toBe(timeout + 1);
    expect(sample((await metricsText()).body, "agent_governance_github_reachable")).toBe(0);
    expect(readiness.state().github.reachable).toBe(false);
  });
});

describe("npm start: /readyz, /healthz, / (the built server)", () => {
  it("with GitHub unreachable: the failure logged at start, /readyz 503 saying why, /healthz 200, the gauge at 0", { timeout: 30_000 }, async () => {
    const server = await startServer(productionEnv({ host: `127.0.0.1:${await freePort()}` }), { until: /"decision":"github_unreachable"/ });
    const line = server.lines().find((l) => l.decision === "github_unreachable");
    expect(line, server.output()).toMatchObject({ level: 50, request: "GET /api/v3/app", error: expect.stringMatching(/ECONNREFUSED/) });
    const base = `http://127.0.0.1:${server.port}`;
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ ready: false, status: "github_unreachable", reason: expect.stringMatching(/ECONNREFUSED/) });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(sample(await (await fetch(`${base}/metrics`)).text(), "agent_governance_github_reachable")).toBe(0);
  });

  it("with GitHub answering: ready, and a page at / saying what the app is", { timeout: 30_000 }, async () => {
    const github = await startGitHub();
    try {
      const server = await startServer(productionEnv(github), { until: /"decision":"github_reachable"|github_unreachable/ });
      const base = `http://127.0.0.1:${server.port}`;
      const ready = await fetch(`${base}/readyz`);
      expect(await ready.json()).toMatchObject({ ready: true, status: "ok", github: { reachable: true } });
      expect(ready.status).toBe(200);
      const home = await fetch(`${base}/`);
      expect(home.status).toBe(200);
      expect(home.headers.get("content-type")).toMatch(/^text\/html/);
      const html = await home.text();
      expect(html).toContain("<strong>Running.</strong>");
      expect(html).toContain("governs pull requests written by AI coding agents");
      expect(html).toContain('href="https://github.com/agent-governance/agent-governance#readme"');
      expect(html).not.toContain("123"); // not the app id
      expect(github.requests).toContain("GET /app");
    } finally {
      await github.close();
    }
  });
});
