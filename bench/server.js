/**
 * A webhook server in its own process, so its RSS is the app's alone: Probot 14's
 * `Server` (as `npm start` runs it, with the ops routes), loading either the real
 * app, an app that does nothing, or the floor app (the least any app that answers
 * with a check run must do: one write, no reads), pointed at the fake GitHub.
 *
 *   node bench/server.js <app|noop|floor> <fake GitHub base URL> <port> [throttle]
 *
 * Started with an IPC channel by run.js: sends {ready} once listening, and
 * answers "memory" with process.memoryUsage() and the CPU time used so far.
 */
import { Probot, Server } from "probot";
import { createApp } from "../dist/index.js";
import { withOpsRoutes } from "../dist/server/ops.js";
import { probotOptions, sinkLogger } from "./app.js";

const [mode = "app", baseUrl, port, throttle] = process.argv.slice(2);
const log = sinkLogger();
const server = new Server({
  Probot: Probot.defaults(probotOptions(baseUrl, { throttle: throttle === "throttle", log })),
  port: Number(port),
  host: "127.0.0.1",
  log,
});
/** One check run per opened PR, written from the payload alone. */
const floorApp = (app) =>
  app.on("pull_request.opened", async (context) => {
    await context.octokit.rest.checks.create(
      context.repo({ name: "floor", head_sha: context.payload.pull_request.head.sha, status: "completed", conclusion: "neutral", output: { title: "floor", summary: "floor" } }),
    );
  });
const appFn = mode === "noop" ? () => {} : mode === "floor" ? floorApp : createApp({ sweepMinutes: 0 });
await server.load(withOpsRoutes(appFn));
await server.start();
process.on("message", (m) => {
  if (m === "memory") {
    const rss = process.memoryUsage().rss;
    // Started with --expose-gc: the heap after a full collection is what the app retains.
    globalThis.gc?.();
    const cpu = process.cpuUsage();
    process.send?.({ memory: { ...process.memoryUsage(), rss, cpuMs: (cpu.user + cpu.system) / 1000 } });
  }
  if (m === "exit") server.stop().finally(() => process.exit(0));
});
process.send?.({ ready: true });
