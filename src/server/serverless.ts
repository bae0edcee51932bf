/**
 * Serverless entry points, built on Probot 14's `createNodeMiddleware`:
 *
 * - `createRequestResponder()`: plain request in, plain response out; the core
 *   the two adapters below share.
 * - `createServerlessHandler()`: a Node `(req, res)` handler (Google Cloud Run
 *   functions, Vercel, Netlify, any `http.createServer`).
 * - `createLambdaHandler()`: an AWS Lambda handler for a function URL or API
 *   Gateway HTTP API (`src/server/lambda.ts` exports one as `handler`).
 *
 * The 10 s budget: GitHub gives up on a delivery after 10 s, and Probot's
 * middleware answers `202 still processing` after 9 s while the work goes on.
 * A serverless platform may freeze the function once it has answered, so the
 * response is held until every event handler the request started has settled:
 * the work is never frozen half-way. A slow evaluation then shows as a timed-out
 * delivery in GitHub's log, but its check run is written; evaluations are
 * idempotent, so a redelivery changes nothing.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { createNodeMiddleware, createProbot, type ApplicationFunction, type Probot } from "probot";
import { createApp } from "../index.js";
import { MeteredOctokit, withOpsRoutes } from "./ops.js";

export interface PlainRequest {
  method: string;
  /** Path with query string, e.g. `/api/github/webhooks`. */
  url: string;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  /** The raw body, exactly as sent (the signature covers these bytes). */
  body: string;
}

export interface PlainResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface ServerlessOptions {
  /** The Probot app; defaults to agent-governance without the periodic sweep. */
  appFn?: ApplicationFunction;
  /** Environment to configure Probot from; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** A ready Probot instance (tests); defaults to one built from `env`. */
  probot?: Probot;
}

type Callback = (...args: never[]) => unknown;

/** The event-handler runs started by the request being served (async context). */
const requestWork = new AsyncLocalStorage<Set<Promise<unknown>>>();

/**
 * The app as seen by `appFn`: the same Probot, except that every event handler
 * it registers is tracked in the current request's work set until it settles.
 */
function trackingProbot(app: Probot): Probot {
  const track =
    (cb: Callback) =>
    (...args: never[]) => {
      const p = Promise.resolve().then(() => cb(...args));
      const work = requestWork.getStore();
      if (work) {
        work.add(p);
        const done = () => work.delete(p);
        p.then(done, done);
      }
      return p;
    };
  return new Proxy(app, {
    get(target, prop) {
      if (prop === "on") return (name: string | string[], cb: Callback) => (target.on as (n: unknown, c: unknown) => void)(name, track(cb));
      if (prop === "onAny") return (cb: Callback) => (target.onAny as (c: unknown) => void)(track(cb));
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? (value as Callback).bind(target) : value;
    },
  });
}

/** What the handler needs from the environment, or why it cannot run. */
export function serverlessConfigProblem(env: NodeJS.ProcessEnv): string | null {
  const missing = ["APP_ID", "WEBHOOK_SECRET"].filter((name) => !env[name]);
  if (!env.PRIVATE_KEY && !env.PRIVATE_KEY_PATH) missing.push("PRIVATE_KEY (or PRIVATE_KEY_PATH)");
  if (missing.length === 0) return null;
  return `agent-governance is not configured: set ${missing.join(", ")} in the function's environment.`;
}

/** A response the middleware writes into, held until the request's work is done. */
class HeldResponse {
  statusCode = 200;
  headersSent = false;
  private readonly headers: Record<string, string> = {};
  private readonly chunks: Buffer[] = [];

  setHeader(name: string, value: string | number | readonly string[]): this {
    this.headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
    return this;
  }
  getHeader(name: string): string | undefined {
    return this.headers[name.toLowerCase()];
  }
  writeHead(status: number, headers?: Record<string, string | number | readonly string[]>): this {
    this.statusCode = status;
    for (const [k, v] of Object.entries(headers ?? {})) this.setHeader(k, v);
    this.headersSent = true;
    return this;
  }
  write(chunk: string | Uint8Array): boolean {
    this.chunks.push(Buffer.from(chunk));
    return true;
  }
  end(chunk?: string | Uint8Array | (() => void)): this {
    if (chunk && typeof chunk !== "function") this.write(chunk);
    this.headersSent = true;
    return this;
  }
  result(): PlainResponse {
    return { statusCode: this.statusCode, headers: { ...this.headers }, body: Buffer.concat(this.chunks).toString("utf8") };
  }
}

const text = (statusCode: number, body: string): PlainResponse => ({
  statusCode,
  headers: { "content-type": "text/plain; charset=utf-8" },
  body: `${body}\n`,
});

/**
 * Builds the request → response function. Probot is configured from `env`
 * (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, GHE_HOST, REDIS_URL, LOG_LEVEL…); logs
 * default to JSON at level info so each decision's audit line is kept.
 */
export async function createRequestResponder(options: ServerlessOptions = {}): Promise<(req: PlainRequest) => Promise<PlainResponse>> {
  const env = options.env ?? process.env;
  // No in-process escalation sweep: a function is frozen between events (README "Serverless").
  const appFn = options.appFn ?? createApp({ sweepMinutes: 0 });
  let probot = options.probot;
  if (!probot) {
    const problem = serverlessConfigProblem(env);
    if (problem) {
      console.error(problem);
      return async () => text(500, problem);
    }
    probot = createProbot({
      env: { LOG_LEVEL: "info", LOG_FORMAT: "json", ...env },
      overrides: { Octokit: MeteredOctokit },
    });
  }
  const middleware = await createNodeMiddleware(
    withOpsRoutes((app, opts) => appFn(trackingProbot(app), opts)),
    { probot },
  );
  return async (req) => {
    const request = Object.assign(Readable.from([Buffer.from(req.body, "utf8")]), {
      method: req.method.toUpperCase(),
      url: req.url,
      headers: req.headers,
    });
    const response = new HeldResponse();
    let unhandled = false;
    const work = new Set<Promise<unknown>>();
    await requestWork.run(work, () =>
      middleware(request as unknown as IncomingMessage, response as unknown as ServerResponse, () => {
        unhandled = true;
      }),
    );
    // Hold the answer until the work this request started has finished (see the module comment).
    while (work.size > 0) await Promise.allSettled([...work]);
    if (unhandled && !response.headersSent) return text(404, `not found: ${req.method} ${req.url.split("?")[0]}`);
    return response.result();
  };
}

/** Reads the raw body of a Node request, from a platform's `rawBody`, a string `body`, or the stream. */
async function rawBody(req: IncomingMessage & { rawBody?: unknown; body?: unknown }): Promise<string | null> {
  if (req.rawBody instanceof Uint8Array) return Buffer.from(req.rawBody).toString("utf8");
  if (typeof req.body === "string") return req.body;
  if (req.body !== undefined && req.body !== null && typeof req.body === "object" && !(req.body instanceof Uint8Array)) return null;
  if (req.body instanceof Uint8Array) return Buffer.from(req.body).toString("utf8");
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString("utf8");
}

function plainHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}

/** A Node `(req, res)` handler serving webhooks, `/healthz` and `/metrics`. */
export function createServerlessHandler(options: ServerlessOptions = {}): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  let responder: ReturnType<typeof createRequestResponder> | null = null;
  return async (req, res) => {
    responder ??= createRequestResponder(options);
    const body = await rawBody(req);
    const out =
      body === null
        ? text(400, "the request body was parsed before the handler saw it; the webhook signature needs the raw body")
        : await (await responder)({ method: req.method ?? "GET", url: req.url ?? "/", headers: plainHeaders(req.headers), body });
    res.writeHead(out.statusCode, out.headers).end(out.body);
  };
}

/** An HTTP event from a Lambda function URL or API Gateway (payload 2.0; 1.0 fields accepted). */
export interface LambdaHttpEvent {
  rawPath?: string;
  rawQueryString?: string;
  path?: string;
  httpMethod?: string;
  headers?: Record<string, string | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
  requestContext?: { http?: { method?: string } };
}

export type LambdaHttpResult = PlainResponse;

/** An AWS Lambda handler for function URL / API Gateway events. */
export function createLambdaHandler(options: ServerlessOptions = {}): (event: LambdaHttpEvent) => Promise<LambdaHttpResult> {
  let responder: ReturnType<typeof createRequestResponder> | null = null;
  return async (event) => {
    responder ??= createRequestResponder(options);
    const path = event.rawPath ?? event.path ?? "/";
    const query = event.rawQueryString ? `?${event.rawQueryString}` : "";
    const body = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body) : "";
    return (await responder)({
      method: event.requestContext?.http?.method ?? event.httpMethod ?? "GET",
      url: `${path}${query}`,
      headers: plainHeaders(event.headers ?? {}),
      body,
    });
  };
}
