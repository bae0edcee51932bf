/** `/healthz` and `/metrics` as the server mounts them, and on a port of their own. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { opsHandler, startOpsServer } from "../../src/server/ops.js";
import { freePort } from "./redis.js";

let server: Server;
let base: string;
let metricsRoute = true;

beforeAll(async () => {
  server = createServer(async (req, res) => {
    if (!(await opsHandler(req, res, { metrics: metricsRoute }))) res.writeHead(418).end("next handler\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("ops routes next to the webhook route", () => {
  it("answers /healthz, and leaves other paths to the next handler", async () => {
    const res = await fetch(`${base}/healthz?probe=1`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.text()).toBe('{"status":"ok"}\n');
    expect((await fetch(`${base}/api/github/webhooks`)).status).toBe(418);
  });

  it("refuses other methods", async () => {
    const res = await fetch(`${base}/metrics`, { method: "POST" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD");
  });

  it("serves /metrics in Prometheus text, unless metrics have a port of their own", async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await res.text()).toContain("# TYPE agent_governance_evaluations_total counter");
    metricsRoute = false;
    try {
      expect((await fetch(`${base}/metrics`)).status).toBe(418);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    } finally {
      metricsRoute = true;
    }
  });
});

describe("/readyz and the page at /", () => {
  it("answers /readyz with the readiness state as JSON, 503 until GitHub has answered", async () => {
    const res = await fetch(`${base}/readyz`);
    expect([200, 503]).toContain(res.status);
    const body = (await res.json()) as { ready: boolean; status: string };
    expect(res.status === 200).toBe(body.ready);
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("serves / only when asked to (in setup mode Probot's setup page has it)", async () => {
    expect((await fetch(`${base}/`)).status).toBe(418);
    const home = createServer(async (req, res) => {
      if (!(await opsHandler(req, res, { home: true, metrics: false }))) res.writeHead(418).end();
    });
    await new Promise<void>((resolve) => home.listen(0, "127.0.0.1", resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(home.address() as AddressInfo).port}/`);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain("agent-governance");
      expect(html).not.toContain('href="/metrics"'); // metrics on a port of their own
    } finally {
      await new Promise<void>((resolve) => home.close(() => resolve()));
    }
  });
});

describe("METRICS_PORT listener", () => {
  it("serves /metrics and /healthz, and 404 for anything else", async () => {
    const port = await freePort();
    const ops = await startOpsServer(port, "127.0.0.1");
    try {
      const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain("agent_governance_github_requests_total");
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, { method: "POST" })).status).toBe(404);
    } finally {
      await new Promise<void>((resolve) => ops.close(() => resolve()));
    }
  });
});
