/**
 * `npm start` as a user runs it: the built server, started as a child process.
 * (The build is done by `npm test` before vitest runs.)
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { unsafeEnvironment } from "../../src/server/config-check.js";

const MAIN = join(import.meta.dirname, "../../dist/main.js");

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Runs the server until `until` matches its output or it exits; returns exit code and output. */
function start(env: NodeJS.ProcessEnv, until?: RegExp): Promise<{ code: number | null; output: string; kill: () => void }> {
  const cwd = mkdtempSync(join(tmpdir(), "ag-start-")); // no .env here
  const child = spawn(process.execPath, [MAIN], { cwd, env: { PATH: process.env.PATH, ...env } });
  let output = "";
  return new Promise((resolve) => {
    const done = (code: number | null) => resolve({ code, output, kill: () => child.kill() });
    const onData = (d: Buffer) => {
      output += d.toString();
      if (until && until.test(output)) done(null);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => done(code));
  });
}

describe("unsafeEnvironment", () => {
  it("refuses production without a webhook secret", () => {
    expect(unsafeEnvironment({ NODE_ENV: "production" })).toMatch(/WEBHOOK_SECRET is not set/);
  });
  it("accepts production with a secret, and development without one", () => {
    expect(unsafeEnvironment({ NODE_ENV: "production", WEBHOOK_SECRET: "s" })).toBeNull();
    expect(unsafeEnvironment({})).toBeNull();
  });
});

describe("npm start", () => {
  it("exits 1 with a clear message in production without WEBHOOK_SECRET", async () => {
    const r = await start({ NODE_ENV: "production", APP_ID: "1", PRIVATE_KEY: "x" });
    expect(r.code).toBe(1);
    // One JSON log line lists every problem (here the key, too) with its fix.
    const line = JSON.parse(r.output.trim()) as { problems: { variable: string; problem: string; fix: string }[] };
    const secret = line.problems.find((p) => p.variable === "WEBHOOK_SECRET");
    expect(secret?.problem).toContain("WEBHOOK_SECRET is not set");
    expect(secret?.problem).toContain('"development"');
  });

  it("serves Probot's setup page when there are no credentials", async () => {
    const port = await freePort();
    const r = await start({ PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "info" }, /Listening on|listening/i);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/probot`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain("Register GitHub App");
    } finally {
      r.kill();
    }
  });
});
