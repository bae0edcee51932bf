/**
 * A webhook server in its own process, so its RSS is the app's alone: Probot 14's
 * `Server` (as `npm start` runs it, with the ops routes), loading either the real
 * app or an app that does nothing, pointed at the fake GitHub.
 *
 *   node bench/server.js <app|noop> <fake GitHub base URL> <port> [throttle]
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
const appFn = mode === "noop" ? () => {} : createApp({ sweepMinutes: 0 });
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
