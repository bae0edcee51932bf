/**
 * `npm start` without credentials (a fresh clone): Probot's setup pages, fetched
 * over HTTP from the built server, with `/healthz`, `/readyz` and `/metrics`
 * beside them.
 */
import { copyFileSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseEnv } from "node:util";
import { ROOT } from "../cli/run.js";
import { PRIVATE_KEY } from "../helpers/app.js";
import { freePort } from "./redis.js";
import { killAll, startServer } from "./server-process.js";

afterAll(killAll);

/** A working folder like a fresh clone's, for what setup reads (app.yml, package.json) and writes (.env). */
function clone(): string {
  const dir = mkdtempSync(join(tmpdir(), "ag-setup-"));
  for (const f of ["app.yml", "package.json"]) copyFileSync(join(ROOT, f), join(dir, f));
  return dir;
}

describe("setup mode", () => {
  it("serves the setup page, and the ops routes beside it", { timeout: 30_000 }, async () => {
    const server = await startServer({ NO_SMEE_SETUP: "true" }, { cwd: clone(), until: /Listening on/ });
    const base = `http://127.0.0.1:${server.port}`;

    const root = await fetch(`${base}/`, { redirect: "manual" });
    expect(root.status).toBe(302);
    expect(root.headers.get("location")).toBe("/probot");
    const page = await fetch(`${base}/probot`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Register GitHub App");
    expect(html).toContain("Agent Governance"); // the manifest from app.yml

    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ ready: false, status: "setup", reason: expect.stringContaining("register the app and restart") });
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain("# TYPE agent_governance_evaluations_total counter");
    expect((await fetch(`${base}/nothing-here`)).status).toBe(404);
  });
});

describe("the setup flow's .env", () => {
  it("is written 0600 by the import page, and the server then starts from it", { timeout: 60_000 }, async () => {
    const cwd = clone();
    const setup = await startServer({ NO_SMEE_SETUP: "true" }, { cwd, until: /Listening on/ });
    // What the import page's form posts (Probot's "use an existing app" path); the manifest flow writes the same keys.
    const res = await fetch(`http://127.0.0.1:${setup.port}/probot/import`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ appId: "4242", pem: PRIVATE_KEY, webhook_secret: "setup-secret" }),
    });
    expect(res.status).toBe(200);
    expect(statSync(join(cwd, ".env")).mode & 0o777).toBe(0o600);
    const env = parseEnv(readFileSync(join(cwd, ".env"), "utf8"));
    expect(env).toMatchObject({ APP_ID: "4242", WEBHOOK_SECRET: "setup-secret", PRIVATE_KEY });
    setup.child.kill("SIGTERM");
    expect(await setup.exited).toBe(0);

    // "Probot has been set up, please restart the server!": the restart serves the app.
    const app = await startServer({ GHE_HOST: `127.0.0.1:${await freePort()}`, GHE_PROTOCOL: "http", LOG_FORMAT: "json" }, { cwd, until: /Listening on|config_invalid/ });
    expect(app.output()).toContain("Listening on");
    expect(app.output()).not.toContain("config_warning"); // no ".env others can read"
    const home = await fetch(`http://127.0.0.1:${app.port}/`);
    expect(await home.text()).toContain("<strong>Running.</strong>");
  });
});
