/**
 * The server entry point (`npm start`, the container):
 *
 * 1. reads `.env` as Probot does (its values win over the environment), then
 *    checks every variable at once: any problem is one JSON log line listing
 *    each with its fix, and exit 1 (src/server/config-check.ts);
 * 2. without credentials (outside production), serves Probot's setup page, with
 *    a smee.io channel created first (src/server/smee.ts), `.env` written 0600
 *    (src/server/env-file.ts), and `/healthz`, `/readyz`, `/metrics` beside it;
 * 3. with credentials, serves the app: webhooks, `/`, `/healthz`, `/readyz`,
 *    `/metrics` (or `/metrics` on METRICS_PORT), and asks GitHub once at start
 *    whether it answers and accepts the credentials;
 * 4. on SIGTERM or SIGINT, stops accepting connections and lets the deliveries
 *    in flight finish within SHUTDOWN_TIMEOUT_MS (src/server/shutdown.ts).
 */
import type { Server as HttpServer } from "node:http";
import { run, Server } from "probot";
import app from "./index.js";
import { enableProcessMetrics } from "./metrics.js";
import { MeteredOctokit, opsHandler, startOpsServer, withOpsRoutes } from "./server/ops.js";
import { withWebhookBodyLimit } from "./server/body-limit.js";
import { checkEnvironment, logLine, problemsLine } from "./server/config-check.js";
import { readEnvFile, writeEnvFile } from "./server/env-file.js";
import { readiness, withReadinessProbe } from "./server/readiness.js";
import { handleShutdownSignals, InFlight, shutdownTimeoutMs, withInFlightTracking } from "./server/shutdown.js";
import { createSmeeChannel, loadSmeeClient, wantsSmeeChannel } from "./server/smee.js";

interface LogLike {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Lines written before (or without) Probot's logger: its JSON shape. */
const earlyLog: LogLike = {
  info: (obj, msg) => process.stdout.write(logLine("info", obj, msg)),
  warn: (obj, msg) => process.stdout.write(logLine("warn", obj, msg)),
  error: (obj, msg) => process.stdout.write(logLine("error", obj, msg)),
};

// Probot's run() applies `.env` over the environment; apply it first, the same way, so the check sees what Probot will use.
try {
  Object.assign(process.env, readEnvFile());
} catch (err) {
  process.stdout.write(logLine("fatal", { decision: "config_invalid", problems: [{ variable: ".env", problem: `.env cannot be read (${(err as { code?: string }).code ?? (err as Error).message})`, fix: "Make .env readable by the user the server runs as, or remove it" }] }, "cannot start: .env cannot be read"));
  process.exit(1);
}
const check = checkEnvironment(process.env);
if (check.problems.length) {
  process.stdout.write(problemsLine(check));
  process.exit(1);
}
if (check.warnings.length) {
  earlyLog.warn({ decision: "config_warning", warnings: check.warnings }, `configuration: ${check.warnings.map((w) => w.problem).join("; ")}`);
}

// In a container the app is reached through the container's interface, not localhost:
// listen on all interfaces unless HOST says otherwise (Probot 14 defaults to localhost).
process.env.HOST ||= "0.0.0.0";
enableProcessMetrics();
const setup = check.mode === "setup";
readiness.setup = setup;
const metricsPort = Number(process.env.METRICS_PORT) || 0;
const inflight = new InFlight();
let log: LogLike = earlyLog;

if (setup && wantsSmeeChannel(process.env)) {
  await createSmeeChannel({ SmeeClient: await loadSmeeClient(), save: writeEnvFile, log });
  // Tried once: Probot's setup is not to try again (a second wait on the network, a second warning).
  process.env.NO_SMEE_SETUP = "true";
}

// The app, with: /, /healthz, /readyz and /metrics (unless on METRICS_PORT); webhook bodies over GitHub's
// 25 MB cap refused before they are buffered; its deliveries counted while in flight; readiness logging
// through its logger and asking GitHub with its credentials.
const appFn = withInFlightTracking(
  withWebhookBodyLimit(
    withOpsRoutes(
      withReadinessProbe((probot, options) => {
        log = probot.log;
        return app(probot, options);
      }),
      { metrics: !metricsPort, home: true },
    ),
  ),
  inflight,
);

/**
 * Runs Probot's server. In setup mode `run()` builds its server without loading
 * the app, so the ops routes are added to that server just before it starts
 * (after Probot's setup page, which keeps `/`).
 */
async function runServer(): Promise<Server> {
  const options = { Octokit: MeteredOctokit, updateEnv: (values: NodeJS.ProcessEnv) => writeEnvFile(values) };
  if (!setup) return run(appFn, options);
  const start = Server.prototype.start;
  Server.prototype.start = function (this: Server): Promise<HttpServer> {
    Server.prototype.start = start;
    this.addHandler((req, res) => opsHandler(req, res, { metrics: !metricsPort }));
    return start.call(this);
  };
  try {
    return await run(appFn, options);
  } finally {
    Server.prototype.start = start;
  }
}

let server: Server;
try {
  server = await runServer();
} catch (err) {
  const message = (err as Error).message;
  const proxy = process.env.WEBHOOK_PROXY_URL;
  log.error(
    { decision: "start_failed", error: message, ...(proxy ? { webhook_proxy_url: proxy } : {}) },
    proxy && !/already in use/.test(message)
      ? `cannot start: ${message}. The smee.io channel WEBHOOK_PROXY_URL could not be reached: check the network, or remove WEBHOOK_PROXY_URL (from .env too) and set the app's Webhook URL to this server`
      : `cannot start: ${message}`,
  );
  process.exit(1);
}
const metricsServer = metricsPort ? await startOpsServer(metricsPort, process.env.HOST) : null;
if (metricsServer) log.info({ decision: "metrics_listener", port: metricsPort }, `agent-governance: metrics on http://${process.env.HOST}:${metricsPort}/metrics`);

handleShutdownSignals({
  inflight,
  log,
  timeoutMs: shutdownTimeoutMs(),
  stop: () => {
    readiness.draining = true;
    return Promise.all([server.stop(), metricsServer && new Promise((resolve) => metricsServer.close(resolve))]);
  },
  exit: (code) => process.exit(code),
});

if (!setup) {
  // Once at start: does GitHub answer, and accept the credentials? (A failure is logged by the observer.)
  void readiness.probe().then(() => {
    const state = readiness.state();
    if (state.ready) log.info({ decision: "github_reachable", key: check.keySource }, "GitHub answers and accepts the app's credentials: ready");
  });
}
