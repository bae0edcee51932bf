/**
 * `npm start` with credentials, as the container runs it (the built server as a
 * child process; `npm test` builds first): it listens on every interface by
 * default and serves /healthz and /metrics next to the webhook route, or
 * /metrics on METRICS_PORT.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { sample } from "./metrics-text.js";
import { freePort } from "./redis.js";

const MAIN = fileURLToPath(new URL("../../dist/main.js", import.meta.url));
const KEY = fileURLToPath(new URL("../fixtures/private-key.pem", import.meta.url));
const children: { kill: () => void }[] = [];
afterAll(() => children.forEach((c) => c.kill()));

/** Starts the built server in production mode; resolves once it listens (or has exited). */
async function start(env: Record<string, string>): Promise<{ listening: boolean; output: () => string }> {
  const child = spawn(process.execPath, [MAIN], {
    cwd: mkdtempSync(join(tmpdir(), "ag-deploy-")), // no .env, no stray .pem
    env: { PATH: process.env.PATH, NODE_ENV: "production", APP_ID: "123", PRIVATE_KEY_PATH: KEY, WEBHOOK_SECRET: "start-test-secret", ...env },
  });
  children.push(child);
  let output = "";
  const listening = await new Promise<boolean>((resolve) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      if (/Listening on/.test(output) && (!env.METRICS_PORT || /metrics on/.test(output))) resolve(true);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", () => resolve(false));
  });
  return { listening, output: () => output };
}

const port = await freePort();
const server = await start({ PORT: String(port) });

describe("npm start (production, with credentials)", () => {
  it("starts, listening on 0.0.0.0 when HOST is unset", () => {
    expect(server.listening, server.output()).toBe(true);
    expect(server.output()).toContain(`Listening on http://0.0.0.0:${port}`);
  });

  it("serves /healthz and /metrics (with Node's process metrics)", async () => {
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain("# TYPE agent_governance_evaluations_total counter");
    expect(sample(metrics, "process_start_time_seconds")).toBeGreaterThan(0);
  });

  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === "IPv4" && !i.internal)?.address;
  it.skipIf(!external)("is reachable on a non-loopback interface, as a container port mapping needs", async () => {
    const res = await fetch(`http://${external}:${port}/healthz`);
    expect(res.status).toBe(200);
  });

  it("still answers the webhook route, refusing an unsigned delivery", async () => {
    const res = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "ping", "x-github-delivery": "1", "x-hub-signature-256": "sha256=00" },
      body: "{}",
    });
    expect(res.status).toBe(400);
  });
});

describe("npm start with METRICS_PORT", () => {
  it("moves /metrics off the webhook port onto its own", async () => {
    const [web, metricsPort] = [await freePort(), await freePort()];
    const s = await start({ PORT: String(web), METRICS_PORT: String(metricsPort), HOST: "127.0.0.1" });
    expect(s.listening, s.output()).toBe(true);
    expect((await fetch(`http://127.0.0.1:${web}/metrics`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${web}/healthz`)).status).toBe(200);
    const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain("agent_governance_github_rate_limit_remaining");
  });
});
