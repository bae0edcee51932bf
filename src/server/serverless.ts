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
import { withReadinessProbe } from "./readiness.js";
import { BodyTooLarge, closeGently, logRefused, readBodyWithin, tooLargeMessage, webhookBodyLimit, withWebhookBodyLimit } from "./body-limit.js";

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
  /** Largest request body accepted, in bytes; defaults to `WEBHOOK_MAX_BODY_BYTES` from `env`, else GitHub's 25 MB cap. */
  maxBodyBytes?: number;
}

interface LogLike {
  warn(obj: object, msg: string): void;
}

/** Before a Probot logger exists (the handler is not configured): the same line, as JSON on stderr. */
const consoleLog: LogLike = { warn: (obj, msg) => console.error(JSON.stringify({ level: 40, ...obj, msg })) };

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
  return (await buildResponder(options)).respond;
}

/** The responder, and the logger its refusals are written to. */
async function buildResponder(options: ServerlessOptions): Promise<{ respond: (req: PlainRequest) => Promise<PlainResponse>; log: LogLike }> {
  const env = options.env ?? process.env;
  const limit = options.maxBodyBytes ?? webhookBodyLimit(env);
  // No in-process escalation sweep: a function is frozen between events (README "Serverless"). No memo of the
  // app's own writes either: instances run side by side, each writing, so what one remembers another may have changed.
  const appFn = options.appFn ?? createApp({ sweepMinutes: 0, memo: false });
  let probot = options.probot;
  if (!probot) {
    const problem = serverlessConfigProblem(env);
    if (problem) {
      console.error(problem);
      return { respond: async () => text(500, problem), log: consoleLog };
    }
    probot = createProbot({
      env: { LOG_LEVEL: "info", LOG_FORMAT: "json", ...env },
      overrides: { Octokit: MeteredOctokit },
    });
  }
  const middleware = await createNodeMiddleware(
    withWebhookBodyLimit(
      withOpsRoutes(withReadinessProbe((app, opts) => appFn(trackingProbot(app), opts))),
      { limit },
    ),
    { probot },
  );
  const log: LogLike = probot.log;
  const respond = async (req: PlainRequest): Promise<PlainResponse> => {
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
  return { respond, log };
}

/** The 413 answer for a body over the limit, after its log line. */
function refused(log: LogLike, req: Pick<IncomingMessage, "headers" | "method" | "url">, err: BodyTooLarge): PlainResponse {
  logRefused(log, req, err);
  return { statusCode: 413, headers: { "content-type": "application/json", connection: "close" }, body: tooLargeMessage(err) };
}

/**
 * Reads the raw body of a Node request, from a platform's `rawBody`, a string `body`, or the stream;
 * throws `BodyTooLarge` past `limit` bytes, without reading the stream further.
 */
async function rawBody(req: IncomingMessage & { rawBody?: unknown; body?: unknown }, limit: number): Promise<string | null> {
  const within = (bytes: number) => {
    if (bytes > limit) throw new BodyTooLarge(limit, null, bytes);
  };
  if (req.rawBody instanceof Uint8Array) return within(req.rawBody.byteLength), Buffer.from(req.rawBody).toString("utf8");
  if (typeof req.body === "string") return within(Buffer.byteLength(req.body)), req.body;
  if (req.body !== undefined && req.body !== null && typeof req.body === "object" && !(req.body instanceof Uint8Array)) return null;
  if (req.body instanceof Uint8Array) return within(req.body.byteLength), Buffer.from(req.body).toString("utf8");
  return (await readBodyWithin(req, limit)).toString("utf8");
}

function plainHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}

/** A Node `(req, res)` handler serving webhooks, `/healthz` and `/metrics`. */
export function createServerlessHandler(options: ServerlessOptions = {}): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  let responder: ReturnType<typeof buildResponder> | null = null;
  const limit = options.maxBodyBytes ?? webhookBodyLimit(options.env ?? process.env);
  return async (req, res) => {
    responder ??= buildResponder(options);
    let out: PlainResponse;
    try {
      const body = await rawBody(req, limit);
      out =
        body === null
          ? text(400, "the request body was parsed before the handler saw it; the webhook signature needs the raw body")
          : await (await responder).respond({ method: req.method ?? "GET", url: req.url ?? "/", headers: plainHeaders(req.headers), body });
    } catch (err) {
      if (!(err instanceof BodyTooLarge)) throw err;
      out = refused((await responder).log, req, err);
      // The rest of the upload is not read: the connection closes once the answer is out.
      closeGently(req);
    }
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
  let responder: ReturnType<typeof buildResponder> | null = null;
  const limit = options.maxBodyBytes ?? webhookBodyLimit(options.env ?? process.env);
  return async (event) => {
    responder ??= buildResponder(options);
    const path = event.rawPath ?? event.path ?? "/";
    const query = event.rawQueryString ? `?${event.rawQueryString}` : "";
    const method = event.requestContext?.http?.method ?? event.httpMethod ?? "GET";
    const headers = plainHeaders(event.headers ?? {});
    // Lambda has the body in memory already (its own cap is 6 MB); one over the limit is still not decoded or verified.
    const size = event.body ? Buffer.byteLength(event.body, event.isBase64Encoded ? "base64" : "utf8") : 0;
    if (size > limit) return refused((await responder).log, { method, url: `${path}${query}`, headers }, new BodyTooLarge(limit, null, size));
    const body = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body) : "";
    return (await responder).respond({ method, url: `${path}${query}`, headers, body });
  };
}
