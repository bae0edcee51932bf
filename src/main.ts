/**
 * The server entry point (`npm start`): refuses an unsafe production setup,
 * then hands over to Probot (setup page without credentials, webhooks with them).
 */
import { run } from "probot";
import app from "./index.js";
import { enableProcessMetrics } from "./metrics.js";
import { MeteredOctokit, startOpsServer, withOpsRoutes } from "./server/ops.js";
import { withWebhookBodyLimit } from "./server/body-limit.js";

/** Returns why the environment is unsafe to start with, or null. */
export function unsafeEnvironment(env: NodeJS.ProcessEnv): string | null {
  if (env.NODE_ENV === "production" && !env.WEBHOOK_SECRET) {
    return (
      "WEBHOOK_SECRET is not set. In production the app refuses to start without it: " +
      'Probot would otherwise accept webhooks signed with the public secret "development". ' +
      "Set WEBHOOK_SECRET to the secret configured on the GitHub App."
    );
  }
  return null;
}

import { existsSync } from "node:fs";

// Probot reads `.env` inside run(); read it first so the check below sees it too.
if (existsSync(".env")) process.loadEnvFile(".env");
const problem = unsafeEnvironment(process.env);
if (problem) {
  console.error(`agent-governance: ${problem}`);
  process.exit(1);
}
// In a container the app is reached through the container's interface, not localhost:
// listen on all interfaces unless HOST says otherwise (Probot 14 defaults to localhost).
process.env.HOST ||= "0.0.0.0";
enableProcessMetrics();
// /healthz and /metrics next to the webhook route, or /metrics on METRICS_PORT; every GitHub request metered;
// webhook bodies over GitHub's 25 MB cap (WEBHOOK_MAX_BODY_BYTES) refused before they are buffered.
const metricsPort = Number(process.env.METRICS_PORT) || 0;
await run(withWebhookBodyLimit(withOpsRoutes(app, { metrics: !metricsPort })), { Octokit: MeteredOctokit });
if (metricsPort) {
  await startOpsServer(metricsPort, process.env.HOST);
  console.info(`agent-governance: metrics on http://${process.env.HOST}:${metricsPort}/metrics`);
}
