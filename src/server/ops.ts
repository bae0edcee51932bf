/**
 * The operations routes, shared by the server (`npm start`) and the serverless
 * handler: `GET /healthz` (liveness: the process serves requests) and
 * `GET /metrics` (Prometheus text). With `METRICS_PORT`, `/metrics` moves to a
 * listener of its own, so the public webhook port need not expose it. (No
 * token: Probot's request log writes every request header, so a bearer token
 * sent to the webhook port would land in the logs.) Also the Octokit class
 * that meters GitHub requests.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { ProbotOctokit, type ApplicationFunction } from "probot";
import { githubRequestMetrics, metricsText } from "../metrics.js";
import { withRateLimitPolicy } from "../github/retry.js";
import { withRequestTimeout } from "../github/timeout.js";

/**
 * ProbotOctokit with the request-metrics plugin, the app's rate-limit policy
 * (bounded retries honouring retry-after, writes throttled per installation)
 * and a time limit on each request (`GITHUB_REQUEST_TIMEOUT_MS`, retried as a 5xx):
 * pass as `Octokit` to `run()` or `createProbot()`.
 */
export const MeteredOctokit: typeof ProbotOctokit = withRequestTimeout(withRateLimitPolicy(ProbotOctokit.plugin(githubRequestMetrics)));

export const HEALTH_PATH = "/healthz";
export const METRICS_PATH = "/metrics";

export interface OpsRoutes {
  /** Serve `/metrics` here (false when it has a port of its own). */
  metrics?: boolean;
}

/**
 * Answers `/healthz` and `/metrics`; returns false for any other request so the
 * next handler gets it.
 */
export async function opsHandler(req: IncomingMessage, res: ServerResponse, routes: OpsRoutes = {}): Promise<boolean> {
  const path = (req.url ?? "").split("?")[0];
  const metrics = routes.metrics ?? true;
  if (path !== HEALTH_PATH && !(metrics && path === METRICS_PATH)) return false;
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" }).end("method not allowed\n");
    return true;
  }
  if (path === HEALTH_PATH) {
    res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" }).end('{"status":"ok"}\n');
    return true;
  }
  const { contentType, body } = await metricsText();
  res.writeHead(200, { "content-type": contentType, "cache-control": "no-store" }).end(body);
  return true;
}

/** Wraps an app function so the server (or middleware) it is loaded into also serves the ops routes. */
export function withOpsRoutes(appFn: ApplicationFunction, routes: OpsRoutes = {}): ApplicationFunction {
  return (app, options) => {
    options.addHandler((req, res) => opsHandler(req, res, routes));
    return appFn(app, options);
  };
}

/** A listener of its own for `/metrics` and `/healthz` (`METRICS_PORT`), e.g. reachable only inside the cluster. */
export function startOpsServer(port: number, host: string): Promise<Server> {
  const server = createServer((req, res) => {
    opsHandler(req, res).then(
      (handled) => {
        if (!handled) res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      },
      () => res.writeHead(500).end(),
    );
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}
