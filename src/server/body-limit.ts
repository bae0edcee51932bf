/**
 * The webhook body limit. GitHub caps a delivery's payload at 25 MB, so a
 * larger body is not from GitHub; its signature can only be checked once the
 * whole body is in memory, so it is refused before that: by `Content-Length`
 * when the request declares one, else by counting bytes as they stream in.
 * Refused with `413` and one structured log line (`decision: "webhook_refused"`).
 *
 * Probot's server puts its webhook middleware before every handler an app adds,
 * so the guard wraps that middleware itself: `withWebhookBodyLimit` replaces
 * `getNodeMiddleware` on the Probot instance the app is loaded into (the one
 * `Server.start()` and `createNodeMiddleware` ask for the webhook route).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApplicationFunction, Probot } from "probot";

/** GitHub's cap on a webhook payload: "Payloads are capped at 25 MB". */
export const GITHUB_MAX_PAYLOAD_BYTES = 25 * 1024 * 1024;

interface LogLike {
  warn(obj: object, msg: string): void;
}

/** The limit in bytes: `WEBHOOK_MAX_BODY_BYTES` when it is a whole number of 1 or more, else GitHub's 25 MB. */
export function webhookBodyLimit(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.WEBHOOK_MAX_BODY_BYTES?.trim();
  const n = raw ? Number(raw) : NaN;
  return Number.isSafeInteger(n) && n >= 1 ? n : GITHUB_MAX_PAYLOAD_BYTES;
}

/** A body over the limit: what was declared (`Content-Length`) or counted so far. */
export class BodyTooLarge extends Error {
  constructor(
    readonly limit: number,
    readonly declared: number | null,
    readonly received: number,
  ) {
    super(`request body over ${limit} bytes`);
    this.name = "BodyTooLarge";
  }
}

/** The declared length, when the request has a well-formed `Content-Length`. */
export function declaredLength(headers: IncomingMessage["headers"]): number | null {
  const raw = headers["content-length"];
  if (typeof raw !== "string" || !/^\s*\d+\s*$/.test(raw)) return null;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : Number.MAX_SAFE_INTEGER;
}

/**
 * Reads a request body, keeping at most `limit` bytes: throws `BodyTooLarge`
 * at once when `Content-Length` says more, or as soon as the bytes received do,
 * without reading further (the stream is paused and its listeners removed).
 */
export function readBodyWithin(req: NodeJS.ReadableStream & { headers?: IncomingMessage["headers"] }, limit: number): Promise<Buffer> {
  const declared = req.headers ? declaredLength(req.headers) : null;
  if (declared !== null && declared > limit) return Promise.reject(new BodyTooLarge(limit, declared, 0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const cleanup = () => {
      req.removeListener("data", onData);
      req.removeListener("end", onEnd);
      req.removeListener("error", onError);
    };
    const onData = (chunk: Buffer | string) => {
      const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      received += buf.length;
      if (received > limit) {
        cleanup();
        req.pause();
        chunks.length = 0;
        reject(new BodyTooLarge(limit, declared, received));
        return;
      }
      chunks.push(buf);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, received));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

/** The 413 answer's body, and what the log line records. */
export function tooLargeMessage(e: BodyTooLarge): string {
  return JSON.stringify({
    error: `Payload too large: the body is over ${e.limit} bytes, more than a GitHub webhook delivery can be (GitHub caps payloads at 25 MB).`,
  });
}

/** The structured log line for a refused body (no header values but the event name and delivery id). */
export function logRefused(log: LogLike, req: Pick<IncomingMessage, "headers" | "method" | "url">, e: BodyTooLarge): void {
  const header = (name: string) => {
    const v = req.headers[name];
    return typeof v === "string" ? v.slice(0, 100) : null;
  };
  log.warn(
    {
      decision: "webhook_refused",
      reason: "body_too_large",
      limit: e.limit,
      content_length: e.declared,
      received: e.received,
      method: req.method,
      path: (req.url ?? "").split("?")[0]!.slice(0, 200),
      event: header("x-github-event"),
      delivery: header("x-github-delivery"),
    },
    "webhook body over the limit refused before buffering",
  );
}

/** How long a refused upload is still read (and discarded) after the answer, before the connection is dropped. */
export const LINGER_MS = 2_000;

/**
 * Makes the connection close gently once the answer to `req` is sent (RFC 9112
 * §9.6): Node would close it outright, and closing a socket with unread bytes
 * resets it, which can destroy the answer before the client reads it. Instead
 * the sending side is closed, what still arrives is discarded (never kept),
 * and the socket is dropped after `LINGER_MS`.
 */
export function closeGently(req: IncomingMessage): void {
  const socket = req.socket as (IncomingMessage["socket"] & { destroySoon?: () => void }) | null;
  if (!socket) return;
  socket.destroySoon = () => {
    socket.end();
    req.removeAllListeners("data");
    req.resume();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
  };
}

/** Answers 413 and closes the connection without reading the rest of the upload. */
export function refuseTooLarge(req: IncomingMessage, res: ServerResponse, e: BodyTooLarge): void {
  closeGently(req);
  res.writeHead(413, { "content-type": "application/json", connection: "close" }).end(tooLargeMessage(e));
}

type NodeMiddleware = (req: IncomingMessage, res: ServerResponse, next?: () => void) => Promise<boolean>;

/** The UTF-8 decoding `@octokit/webhooks` applies to a streamed body, so a pre-read body verifies the same. */
const decoder = new TextDecoder("utf-8", { fatal: false });

/**
 * Puts the limit in front of a webhook middleware: a body over `limit` is
 * refused with 413 before it is buffered; a body within it is read here (the
 * same bytes, decoded as the middleware would) and handed on as `req.body`,
 * which `@octokit/webhooks` uses instead of reading the stream. Requests
 * without a body (GET, HEAD) pass straight through.
 */
export function limitWebhookBodies(middleware: NodeMiddleware, opts: { limit: number; log: LogLike }): NodeMiddleware {
  return async (req, res, next) => {
    const declared = declaredLength(req.headers);
    const hasBody = (declared !== null && declared > 0) || req.headers["transfer-encoding"] !== undefined;
    if (hasBody && req.method === "POST" && (req as { body?: unknown }).body === undefined) {
      try {
        const body = await readBodyWithin(req, opts.limit);
        (req as { body?: unknown }).body = decoder.decode(body);
      } catch (err) {
        if (!(err instanceof BodyTooLarge)) throw err;
        logRefused(opts.log, req, err);
        refuseTooLarge(req, res, err);
        return true;
      }
    } else if (declared !== null && declared > opts.limit) {
      // A body nobody here would read, but declared over the limit all the same.
      const err = new BodyTooLarge(opts.limit, declared, 0);
      logRefused(opts.log, req, err);
      refuseTooLarge(req, res, err);
      return true;
    }
    return middleware(req, res, next);
  };
}

/**
 * Wraps an app function so that the Probot instance it is loaded into serves
 * its webhook route behind `limitWebhookBodies` (for `run()`'s server and for
 * `createNodeMiddleware`, which both ask that instance for the middleware
 * after loading the app). `limit` defaults to `webhookBodyLimit()`.
 */
export function withWebhookBodyLimit(appFn: ApplicationFunction, opts: { limit?: number } = {}): ApplicationFunction {
  return (app, options) => {
    const limit = opts.limit ?? webhookBodyLimit();
    const probot = app as Probot & { getNodeMiddleware: Probot["getNodeMiddleware"] };
    const original = probot.getNodeMiddleware.bind(probot);
    probot.getNodeMiddleware = async (...args: Parameters<Probot["getNodeMiddleware"]>) =>
      limitWebhookBodies((await original(...args)) as NodeMiddleware, { limit, log: probot.log }) as Awaited<ReturnType<Probot["getNodeMiddleware"]>>;
    return appFn(app, options);
  };
}
