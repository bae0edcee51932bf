/**
 * Missing or wrong production configuration: every variable is checked at
 * start, and `npm start` writes one JSON log line listing each problem with its
 * fix, then exits 1, instead of a stack trace per run, one variable at a time.
 * No value is ever echoed.
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkEnvironment, problemsLine } from "../../src/server/config-check.js";
import { KEY, killAll, startServer } from "./server-process.js";

afterAll(killAll);

const PEM = readFileSync(KEY, "utf8");
const emptyDir = () => mkdtempSync(join(tmpdir(), "ag-config-"));
const variables = (env: NodeJS.ProcessEnv, cwd = emptyDir()) => checkEnvironment(env, cwd).problems.map((p) => p.variable);

describe("checkEnvironment", () => {
  it("in production, names every missing variable at once", () => {
    expect(variables({ NODE_ENV: "production" })).toEqual(["APP_ID", "PRIVATE_KEY", "WEBHOOK_SECRET"]);
  });

  it("accepts a complete production configuration, the key as PEM text, \\n-escaped, base64 or a path", () => {
    const base = { NODE_ENV: "production", APP_ID: "123", WEBHOOK_SECRET: "s" };
    for (const key of [{ PRIVATE_KEY: PEM }, { PRIVATE_KEY: PEM.replace(/\n/g, "\\n") }, { PRIVATE_KEY: Buffer.from(PEM).toString("base64") }, { PRIVATE_KEY_PATH: KEY }]) {
      expect(checkEnvironment({ ...base, ...key }, emptyDir())).toMatchObject({ mode: "configured", problems: [] });
    }
  });

  it("takes a single .pem file in the working directory, as Probot does, and refuses two", () => {
    const dir = emptyDir();
    writeFileSync(join(dir, "app.pem"), PEM);
    expect(checkEnvironment({ APP_ID: "1" }, dir)).toMatchObject({ mode: "configured", problems: [], keySource: expect.stringContaining("app.pem") });
    writeFileSync(join(dir, "other.pem"), PEM);
    expect(variables({ APP_ID: "1" }, dir)).toEqual(["PRIVATE_KEY_PATH"]);
  });

  it("outside production, no credentials is setup mode; half of them is a problem", () => {
    expect(checkEnvironment({}, emptyDir())).toMatchObject({ mode: "setup", problems: [] });
    expect(variables({ APP_ID: "1" })).toEqual(["PRIVATE_KEY"]);
    expect(variables({ PRIVATE_KEY: PEM })).toEqual(["APP_ID"]);
  });

  it("reports values that cannot work, without echoing them", () => {
    const secret = "-----BEGIN RSA PRIVATE KEY-----\nnot really a key, but secret\n-----END RSA PRIVATE KEY-----";
    const env: Record<string, string> = {
      NODE_ENV: "production",
      APP_ID: "Iv1.abc",
      PRIVATE_KEY: secret,
      WEBHOOK_SECRET: "s",
      PORT: "http",
      METRICS_PORT: "70000",
      LOG_LEVEL: "verbose",
      LOG_FORMAT: "xml",
      GHE_HOST: "https://ghe.acme-internal.test/",
      GHE_PROTOCOL: "ftp",
      ORG_FLOOR: "yes",
      REMEMBER_OWN_WRITES: "off",
      REDIS_URL: "localhost:6379",
      WEBHOOK_PATH: "api/github/webhooks",
    };
    const check = checkEnvironment(env as NodeJS.ProcessEnv, emptyDir());
    expect(check.problems.map((p) => p.variable)).toEqual([
      "PRIVATE_KEY",
      "APP_ID",
      "PORT",
      "METRICS_PORT",
      "WEBHOOK_PATH",
      "LOG_LEVEL",
      "LOG_FORMAT",
      "GHE_HOST",
      "ORG_FLOOR",
      "REMEMBER_OWN_WRITES",
      "GHE_PROTOCOL",
      "REDIS_URL",
    ]);
    for (const p of check.problems) expect(p.fix.length).toBeGreaterThan(10);
    const line = problemsLine(check, {});
    expect(line).not.toContain("secret");
    expect(line).not.toContain("Iv1.abc");
    expect(line).not.toContain("acme-internal");
  });

  it("a missing or unreadable PRIVATE_KEY_PATH is a problem naming the path", () => {
    const [p] = checkEnvironment({ APP_ID: "1", PRIVATE_KEY_PATH: "/nowhere/app.pem" }, emptyDir()).problems;
    expect(p).toMatchObject({ variable: "PRIVATE_KEY_PATH", problem: "PRIVATE_KEY_PATH names a file that does not exist: /nowhere/app.pem" });
  });

  it("warns, without refusing, about a tunable that falls back to its default, and a .env others can read", () => {
    const dir = emptyDir();
    writeFileSync(join(dir, ".env"), `APP_ID=1\nPRIVATE_KEY="${PEM.replace(/\n/g, "\\n")}"\n`);
    chmodSync(join(dir, ".env"), 0o644);
    const check = checkEnvironment({ APP_ID: "1", PRIVATE_KEY: PEM, SHUTDOWN_TIMEOUT_MS: "soon", GITHUB_REQUEST_TIMEOUT_MS: "0" }, dir);
    expect(check.problems).toEqual([]);
    expect(check.warnings.map((w) => w.variable)).toEqual(["GITHUB_REQUEST_TIMEOUT_MS", "SHUTDOWN_TIMEOUT_MS", ".env"]);
  });
});

describe("npm start with a bad configuration", () => {
  it("writes one JSON line listing every problem and its fix, and exits 1", async () => {
    const server = await startServer({ NODE_ENV: "production", PORT: "3000", METRICS_PORT: "3000", LOG_LEVEL_IN_STRING: "true" });
    expect(await server.exited).toBe(1);
    const lines = server.output().trim().split("\n");
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as { level: string; decision: string; msg: string; problems: { variable: string; problem: string; fix: string }[] };
    expect(line).toMatchObject({ level: "fatal", decision: "config_invalid" });
    expect(line.problems.map((p) => p.variable)).toEqual(["APP_ID", "PRIVATE_KEY", "WEBHOOK_SECRET", "METRICS_PORT"]);
    expect(line.msg).toBe("cannot start: 4 configuration problems (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, METRICS_PORT); each has its fix");
    expect(server.output()).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("reads .env first, as Probot does: a complete .env starts the server", async () => {
    const cwd = emptyDir();
    writeFileSync(join(cwd, ".env"), `APP_ID=123\nPRIVATE_KEY_PATH=${KEY}\nWEBHOOK_SECRET=from-dotenv\nGHE_HOST=127.0.0.1:9\nGHE_PROTOCOL=http\n`, { mode: 0o600 });
    const server = await startServer({ NODE_ENV: "production", LOG_FORMAT: "json" }, { cwd, until: /Listening on|config_invalid/ });
    expect(server.output()).toContain("Listening on");
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
  });
});
