/**
 * `npm start` with credentials, as the container runs it (the built server as a
 * child process; `npm test` builds first): it listens on every interface by
 * default and serves /healthz and /metrics next to the webhook route.
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

const port = await freePort();
const child = spawn(process.execPath, [MAIN], {
  cwd: mkdtempSync(join(tmpdir(), "ag-deploy-")), // no .env, no stray .pem
  env: { PATH: process.env.PATH, NODE_ENV: "production", APP_ID: "123", PRIVATE_KEY_PATH: KEY, WEBHOOK_SECRET: "start-test-secret", PORT: String(port) },
});
let output = "";
const listening = await new Promise<boolean>((resolve) => {
  const onData = (d: Buffer) => {
    output += d.toString();
    if (/Listening on/.test(output)) resolve(true);
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  child.on("exit", () => resolve(false));
});
afterAll(() => {
  child.kill();
});

describe("npm start (production, with credentials)", () => {
  it("starts, listening on 0.0.0.0 when HOST is unset", () => {
    expect(listening, output).toBe(true);
    expect(output).toContain(`Listening on http://0.0.0.0:${port}`);
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
