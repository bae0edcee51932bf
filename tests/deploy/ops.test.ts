/** `/healthz` and `/metrics` as the server mounts them. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { opsHandler } from "../../src/server/ops.js";

let server: Server;
let base: string;
const env: NodeJS.ProcessEnv = {};

beforeAll(async () => {
  server = createServer(async (req, res) => {
    if (!(await opsHandler(req, res, env))) res.writeHead(418).end("next handler\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("ops routes", () => {
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

  it("serves /metrics openly, or only with the bearer token when METRICS_TOKEN is set", async () => {
    const open = await fetch(`${base}/metrics`);
    expect(open.status).toBe(200);
    expect(await open.text()).toContain("agent_governance_github_requests_total");

    env.METRICS_TOKEN = "scrape-token-123";
    try {
      expect((await fetch(`${base}/metrics`)).status).toBe(401);
      expect((await fetch(`${base}/metrics`, { headers: { authorization: "Bearer wrong-token-123" } })).status).toBe(401);
      const ok = await fetch(`${base}/metrics`, { headers: { authorization: "Bearer scrape-token-123" } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain("# TYPE agent_governance_evaluations_total counter");
      expect((await fetch(`${base}/healthz`)).status).toBe(200); // health stays open for the orchestrator
    } finally {
      delete env.METRICS_TOKEN;
    }
  });
});
