/**
 * Graceful shutdown, with a real SIGTERM to the built server (a child process):
 * it stops accepting connections at once, lets the delivery in flight finish
 * (its check run is written), answers it, and exits 0; past SHUTDOWN_TIMEOUT_MS
 * it exits 1, saying how many deliveries were cut off. No timing is asserted:
 * the test holds GitHub's answers at a gate and releases them when it chooses.
 */
import { afterAll, describe, expect, it } from "vitest";
import { pullRequestPayload } from "../helpers/app.js";
import { deliver, killAll, productionEnv, startGitHub, startServer, type GitHubServer } from "./server-process.js";
import { InFlight, gracefulShutdown } from "../../src/server/shutdown.js";

const github: GitHubServer = await startGitHub();
afterAll(async () => {
  killAll();
  await github.close();
});

describe("SIGTERM", () => {
  it("stops accepting, finishes the delivery in flight (its check run written), answers it, then exits 0", { timeout: 60_000 }, async () => {
    const server = await startServer(productionEnv(github, { SHUTDOWN_TIMEOUT_MS: "60000" }), { until: /Listening on/ });
    expect(server.child.exitCode, server.output()).toBeNull();
    github.gated = true;
    const answered = deliver(server.port, "pull_request", pullRequestPayload());
    await github.waitHeld(1); // the evaluation is waiting for GitHub
    const before = github.requests.length;

    server.child.kill("SIGTERM");
    expect(await server.waitFor(/"decision":"shutdown".*"in_flight":[1-9]/)).toBe(true);
    // No new connections...
    await expect(fetch(`http://127.0.0.1:${server.port}/healthz`)).rejects.toThrow();
    // ...but the process waits for the evaluation.
    expect(server.child.exitCode).toBeNull();

    github.release();
    expect(await answered).toBe(200);
    expect(await server.exited).toBe(0);
    const after = github.requests.slice(before);
    expect(after.some((r) => /^POST \/repos\/Codertocat\/Hello-World\/check-runs$/.test(r))).toBe(true);
    const done = server.lines().find((l) => l.decision === "shutdown" && l.drained === true);
    expect(done, server.output()).toBeDefined();
  });

  it("exits 1 after SHUTDOWN_TIMEOUT_MS when a delivery is still in flight, naming how many were cut off", { timeout: 60_000 }, async () => {
    const server = await startServer(productionEnv(github, { SHUTDOWN_TIMEOUT_MS: "300" }), { until: /Listening on/ });
    github.gated = true;
    const answered = deliver(server.port, "pull_request", pullRequestPayload()).catch(() => "no answer");
    await github.waitHeld(1);
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(1);
    const line = server.lines().find((l) => l.decision === "shutdown" && l.drained === false);
    expect(line, server.output()).toMatchObject({ timeout_ms: 300 });
    expect(line!.abandoned).toBeGreaterThan(0); // the delivery's handlers, and its unanswered request
    expect(await answered).toBe("no answer");
    github.release();
  });

  it("in setup mode (no credentials), exits 0 at once", { timeout: 30_000 }, async () => {
    const server = await startServer({ NO_SMEE_SETUP: "true", LOG_FORMAT: "json" }, { until: /Listening on/ });
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('"drained":true');
  });
});

describe("gracefulShutdown", () => {
  const quiet = { info: () => {}, warn: () => {} };

  it("a second signal exits at once with 1", async () => {
    const inflight = new InFlight();
    let release!: () => void;
    inflight.track(new Promise<void>((r) => (release = r)));
    const codes: number[] = [];
    const shutdown = gracefulShutdown({ inflight, stop: async () => {}, log: quiet, timeoutMs: 60_000, exit: (c) => codes.push(c) });
    const first = shutdown("SIGTERM");
    await shutdown("SIGINT");
    expect(codes).toEqual([1]);
    release();
    await first;
    expect(codes).toEqual([1, 0]);
  });

  it("marks answers Connection: close once draining, and counts work until it settles", async () => {
    const inflight = new InFlight();
    expect(await inflight.settled(0)).toBe(true);
    const failing = inflight.track(Promise.reject(new Error("boom")));
    await failing.catch(() => {});
    expect(inflight.size).toBe(0);
    let release!: () => void;
    inflight.track(new Promise<void>((r) => (release = r)));
    expect(await inflight.settled(1)).toBe(false);
    const settled = inflight.settled(60_000);
    release();
    expect(await settled).toBe(true);
  });
});
