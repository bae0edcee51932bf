/**
 * The operations routes, shared by the server (`npm start`) and the serverless
 * handler: `GET /healthz` (liveness: the process serves requests) and
 * `GET /metrics` (Prometheus text; behind `Authorization: Bearer $METRICS_TOKEN`
 * when that variable is set). Also the Octokit class that meters GitHub requests.
 */
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ProbotOctokit, type ApplicationFunction } from "probot";
import { githubRequestMetrics, metricsText } from "../metrics.js";

/** ProbotOctokit with the request-metrics plugin: pass as `Octokit` to `run()` or `createProbot()`. */
export const MeteredOctokit: typeof ProbotOctokit = ProbotOctokit.plugin(githubRequestMetrics);

export const HEALTH_PATH = "/healthz";
export const METRICS_PATH = "/metrics";

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith("Bearer ") ? header.slice(7).trim() : "");
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

/**
 * Answers `/healthz` and `/metrics`; returns false for any other request so the
 * next handler gets it. `env` is read per request so tests can pass their own.
 */
export async function opsHandler(req: IncomingMessage, res: ServerResponse, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const path = (req.url ?? "").split("?")[0];
  if (path !== HEALTH_PATH && path !== METRICS_PATH) return false;
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" }).end("method not allowed\n");
    return true;
  }
  if (path === HEALTH_PATH) {
    res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" }).end('{"status":"ok"}\n');
    return true;
  }
  const token = env.METRICS_TOKEN;
  if (token && !bearerMatches(req.headers.authorization, token)) {
    res.writeHead(401, { "content-type": "text/plain", "www-authenticate": "Bearer" }).end("metrics need the METRICS_TOKEN bearer token\n");
    return true;
  }
  const { contentType, body } = await metricsText();
  res.writeHead(200, { "content-type": contentType, "cache-control": "no-store" }).end(body);
  return true;
}

/** Wraps an app function so the server (or middleware) it is loaded into also serves the ops routes. */
export function withOpsRoutes(appFn: ApplicationFunction): ApplicationFunction {
  return (app, options) => {
    options.addHandler((req, res) => opsHandler(req, res));
    return appFn(app, options);
  };
}
