/**
 * `npm start` without credentials (a fresh clone): Probot's setup pages, fetched
 * over HTTP from the built server, with `/healthz`, `/readyz` and `/metrics`
 * beside them.
 */
import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../cli/run.js";
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
