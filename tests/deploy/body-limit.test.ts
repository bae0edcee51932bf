/**
 * Unbounded webhook bodies (issue 15, item 8): an unsigned body larger than
 * GitHub's 25 MB cap is refused with 413 before it is buffered, by
 * `Content-Length` when declared and by counting bytes while it streams
 * otherwise, on `npm start` (the built server, as a child process; `npm test`
 * builds first) and on the serverless handlers. No test allocates a body near
 * the cap: the streamed case runs with a small `WEBHOOK_MAX_BODY_BYTES`, the
 * `Content-Length` case declares 25 MB + 1 byte and sends one.
 */
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { Probot, type ApplicationFunction } from "probot";
import { afterAll, describe, expect, it } from "vitest";
import { GITHUB_MAX_PAYLOAD_BYTES, webhookBodyLimit } from "../../src/server/body-limit.js";
import { createLambdaHandler, createServerlessHandler } from "../../src/server/serverless.js";
import { PRIVATE_KEY } from "../helpers/app.js";
import { freePort } from "./redis.js";

const MAIN = fileURLToPath(new URL("../../dist/main.js", import.meta.url));
const KEY = fileURLToPath(new URL("../fixtures/private-key.pem", import.meta.url));
const SECRET = "body-limit-secret";
const CAP = 25 * 1024 * 1024;
const SMALL = 64 * 1024;

const children: { kill: () => void }[] = [];
afterAll(() => children.forEach((c) => c.kill()));

/** The built server in production mode, with `env`; resolves once it listens. */
async function start(env: Record<string, string>): Promise<{ port: number; output: () => string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    cwd: mkdtempSync(join(tmpdir(), "ag-body-")),
    env: { PATH: process.env.PATH, NODE_ENV: "production", APP_ID: "123", PRIVATE_KEY_PATH: KEY, WEBHOOK_SECRET: SECRET, HOST: "127.0.0.1", PORT: String(port), ...env },
  });
  children.push(child);
  let output = "";
  const listening = await new Promise<boolean>((resolve) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      if (/Listening on/.test(output)) resolve(true);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", () => resolve(false));
  });
  if (!listening) throw new Error(output);
  return { port, output: () => output };
}

const headers = (extra: Record<string, string> = {}) => ({
  "content-type": "application/json",
  "x-github-event": "ping",
  "x-github-delivery": "oversized-1",
  "x-hub-signature-256": "sha256=00",
  ...extra,
});

interface Answer {
  status: number;
  body: string;
  /** Bytes the client had written when the answer came. */
  sent: number;
}

/**
 * POSTs to the webhook route. `stream`: that many bytes in 16 KiB chunks,
 * chunked (no `Content-Length`), then the end; or `declare`: a `Content-Length`
 * and a single byte, then waits for the answer (the rest never comes).
 */
function post(port: number, o: { stream?: number; declare?: number; body?: string; headers?: Record<string, string> }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const h = o.headers ?? headers();
    const req = request({ host: "127.0.0.1", port, path: "/api/github/webhooks", method: "POST", headers: o.declare ? { ...h, "content-length": String(o.declare) } : h });
    let sent = 0;
    let answered = false;
    req.on("response", (res) => {
      answered = true;
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body, sent });
      });
    });
    // Once answered, the server closes the connection while the client may still be writing.
    req.on("error", (err) => (answered ? undefined : reject(err)));
    if (o.body !== undefined) return void req.end(o.body);
    if (o.declare) return void req.write("{");
    const chunk = Buffer.alloc(16 * 1024, "a");
    const pump = () => {
      while (!answered && sent < o.stream!) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

const sign = (body: string) => `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;

const refusedLines = (output: string) =>
  output
    .split("\n")
    .filter((l) => l.includes('"webhook_refused"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const TOO_LARGE = (limit: number) => ({
  error: `Payload too large: the body is over ${limit} bytes, more than a GitHub webhook delivery can be (GitHub caps payloads at 25 MB).`,
});

describe("the limit", () => {
  it("is GitHub's 25 MB cap unless WEBHOOK_MAX_BODY_BYTES says otherwise", () => {
    expect(GITHUB_MAX_PAYLOAD_BYTES).toBe(CAP);
    expect(webhookBodyLimit({})).toBe(CAP);
    expect(webhookBodyLimit({ WEBHOOK_MAX_BODY_BYTES: "65536" })).toBe(SMALL);
    for (const bad of ["", "0", "-1", "1.5", "lots"]) expect(webhookBodyLimit({ WEBHOOK_MAX_BODY_BYTES: bad })).toBe(CAP);
  });
});

describe("npm start: an oversized webhook body", () => {
  it("declared by Content-Length over the real 25 MB cap: 413 at once, before the body is sent, and one log line", async () => {
    const server = await start({});
    const res = await post(server.port, { declare: CAP + 1 });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual(TOO_LARGE(CAP));
    await expect.poll(() => refusedLines(server.output())).toHaveLength(1);
    expect(refusedLines(server.output())[0]).toMatchObject({
      level: 40,
      decision: "webhook_refused",
      reason: "body_too_large",
      limit: CAP,
      content_length: CAP + 1,
      received: 0,
      method: "POST",
      path: "/api/github/webhooks",
      event: "ping",
      delivery: "oversized-1",
      msg: "webhook body over the limit refused before buffering",
    });
  });

  it("streamed without Content-Length: counted while it arrives, refused with 413 once over the limit", async () => {
    const server = await start({ WEBHOOK_MAX_BODY_BYTES: String(SMALL) });
    const res = await post(server.port, { stream: 4 * 1024 * 1024 });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual(TOO_LARGE(SMALL));
    await expect.poll(() => refusedLines(server.output())).toHaveLength(1);
    const line = refusedLines(server.output())[0]!;
    expect(line).toMatchObject({ decision: "webhook_refused", reason: "body_too_large", limit: SMALL, content_length: null, event: "ping" });
    // Reading stopped just past the limit (one socket read more at most), not at the end of the upload.
    expect(line.received as number).toBeGreaterThan(SMALL);
    expect(line.received as number).toBeLessThanOrEqual(SMALL + 64 * 1024);

    // A delivery within the limit still reaches Probot: a signed ping is answered, chunked or not.
    const body = JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1 });
    const signed = headers({ "x-hub-signature-256": sign(body), "x-github-delivery": "fine-1" });
    expect(await post(server.port, { body, headers: signed })).toMatchObject({ status: 200, body: "ok\n" });
    expect(await post(server.port, { body, headers: { ...signed, "transfer-encoding": "chunked" } })).toMatchObject({ status: 200, body: "ok\n" });
    // …and an unsigned one within the limit is refused by the signature check, as before.
    expect((await post(server.port, { body })).status).toBe(400);
    expect(refusedLines(server.output())).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------
// Serverless

let logLines: string[] = [];
function testProbot(): Probot {
  logLines = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  return new Probot({ appId: 123, privateKey: PRIVATE_KEY, secret: SECRET, log: pino({ level: "info" }, stream) });
}
const logged = () =>
  logLines
    .flatMap((l) => l.split("\n").filter(Boolean))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.decision === "webhook_refused");

describe("serverless handlers: an oversized webhook body", () => {
  let ran = false;
  const app: ApplicationFunction = (a) => {
    a.onAny(() => {
      ran = true;
    });
  };

  it("the Node (req, res) handler counts a streamed body and refuses it with 413, the app never runs", async () => {
    ran = false;
    const handler = createServerlessHandler({ probot: testProbot(), appFn: app, maxBodyBytes: SMALL });
    const server: Server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await post(port, { stream: 4 * 1024 * 1024 });
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body)).toEqual(TOO_LARGE(SMALL));
      expect(logged()).toHaveLength(1);
      expect(logged()[0]).toMatchObject({ reason: "body_too_large", limit: SMALL, content_length: null, delivery: "oversized-1" });
      expect(logged()[0]!.received as number).toBeLessThanOrEqual(SMALL + 64 * 1024);
      // Content-Length over the real cap: refused before any of it is read.
      const big = createServerlessHandler({ probot: testProbot(), appFn: app });
      server.removeAllListeners("request").on("request", (req, res) => void big(req, res));
      const declared = await post(port, { declare: CAP + 1 });
      expect(declared.status).toBe(413);
      expect(logged()[0]).toMatchObject({ limit: CAP, content_length: CAP + 1, received: 0 });
      expect(ran).toBe(false);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("the Lambda handler refuses a body over the limit without decoding it", async () => {
    ran = false;
    const handler = createLambdaHandler({ probot: testProbot(), appFn: app, maxBodyBytes: SMALL });
    const res = await handler({
      rawPath: "/api/github/webhooks",
      headers: headers(),
      body: Buffer.alloc(SMALL + 1, "a").toString("base64"),
      isBase64Encoded: true,
      requestContext: { http: { method: "POST" } },
    });
    expect(res).toEqual({ statusCode: 413, headers: { "content-type": "application/json", connection: "close" }, body: JSON.stringify(TOO_LARGE(SMALL)) });
    expect(logged()).toHaveLength(1);
    expect(logged()[0]).toMatchObject({ reason: "body_too_large", limit: SMALL, received: SMALL + 1, path: "/api/github/webhooks" });
    expect(ran).toBe(false);
  });
});
