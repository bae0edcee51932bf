/**
 * The built server (`dist/main.js`, what `npm start` and the container run) as
 * a child process, and a GitHub for it to talk to: the benchmark's stateful fake
 * (bench/fake-github.js) served over HTTP as GitHub Enterprise Server's
 * `/api/v3`, with a gate that holds requests until released. `npm test` builds
 * first; run `npm run build` before running these files alone.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createFakeGitHub, type FakeGitHub } from "../../bench/fake-github.js";
import { commit, COPILOT, pullObject } from "../helpers/app.js";
import { freePort } from "./redis.js";

export const MAIN = fileURLToPath(new URL("../../dist/main.js", import.meta.url));
export const KEY = fileURLToPath(new URL("../fixtures/private-key.pem", import.meta.url));
export const SECRET = "server-process-secret";

export interface ServerProcess {
  child: ChildProcessWithoutNullStreams;
  port: number;
  cwd: string;
  output(): string;
  /** Resolves once the output matches `re` (true), or the process has exited first (false). */
  waitFor(re: RegExp): Promise<boolean>;
  /** The exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** JSON log lines written so far. */
  lines(): Record<string, unknown>[];
}

const running = new Set<ChildProcessWithoutNullStreams>();
/** Kills every server still running (for `afterAll`). */
export function killAll(): void {
  for (const c of running) c.kill("SIGKILL");
}

/**
 * Starts the built server in `cwd` (a fresh temporary folder by default: no
 * `.env`, no stray `.pem`), with only `env` (and PATH) in its environment.
 */
export async function startServer(env: Record<string, string>, opts: { cwd?: string; until?: RegExp } = {}): Promise<ServerProcess> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const cwd = opts.cwd ?? mkdtempSync(join(tmpdir(), "ag-server-"));
  const child = spawn(process.execPath, [MAIN], { cwd, env: { PATH: process.env.PATH, HOST: "127.0.0.1", PORT: String(port), ...env } });
  running.add(child);
  let output = "";
  const watchers = new Set<() => void>();
  const onData = (d: Buffer) => {
    output += d.toString();
    for (const w of [...watchers]) w();
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      running.delete(child);
      for (const w of [...watchers]) w();
      resolve(code);
    }),
  );
  const waitFor = (re: RegExp) =>
    new Promise<boolean>((resolve) => {
      const check = () => {
        if (re.test(output)) {
          watchers.delete(check);
          resolve(true);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          watchers.delete(check);
          resolve(re.test(output));
        }
      };
      watchers.add(check);
      check();
    });
  const lines = () =>
    output
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const server: ServerProcess = { child, port, cwd, output: () => output, waitFor, exited, lines };
  if (opts.until) await waitFor(opts.until);
  return server;
}

/** The environment of a configured production server talking to `github` (a `GitHubServer`). */
export function productionEnv(github: { host: string }, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: "production",
    LOG_FORMAT: "json",
    APP_ID: "123",
    PRIVATE_KEY_PATH: KEY,
    WEBHOOK_SECRET: SECRET,
    GHE_HOST: github.host,
    GHE_PROTOCOL: "http",
    ...extra,
  };
}

export interface GitHubServer {
  fake: FakeGitHub;
  server: Server;
  /** `127.0.0.1:PORT`, for `GHE_HOST`. */
  host: string;
  /** Every request, as "METHOD /path" (without `/api/v3`). */
  requests: string[];
  /** While true, requests (but `GET /app`, the readiness probe) wait, after being recorded, until `release()`. */
  gated: boolean;
  /** Requests waiting at the gate. */
  held(): number;
  /** Opens the gate: the waiting requests go on, and later ones pass. */
  release(): void;
  /** Resolves once `n` requests are waiting at the gate. */
  waitHeld(n?: number): Promise<void>;
  close(): Promise<void>;
}

/** The fake GitHub over HTTP at `/api/v3`; any PR it is asked about exists, was opened by Copilot, and has no reviews. */
export async function startGitHub(): Promise<GitHubServer> {
  const fake = createFakeGitHub({
    autoPull: (_owner, _repo, number) => ({
      pull: { ...pullObject({ author: COPILOT }), number },
      files: [{ filename: "src/app.ts", status: "modified", additions: 2, deletions: 0, changes: 2, patch: "@@ -1,1 +1,3 @@\n line\n+a\n+b" }],
      commits: [commit({ by: COPILOT })],
    }),
  });
  const requests: string[] = [];
  let waiting: (() => void)[] = [];
  const heldWatchers = new Set<() => void>();
  const state = {
    gated: false,
  };
  const serve = (req: IncomingMessage, text: string, res: import("node:http").ServerResponse) => {
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    const url = (req.url ?? "/").replace(/^\/api\/v3/, "");
    const out = fake.handle({ method: req.method ?? "GET", url, headers: req.headers, body, origin: `http://${req.headers.host}/api/v3` });
    const payload = out.body === null || out.body === undefined ? "" : JSON.stringify(out.body);
    res.writeHead(out.status, payload ? { ...out.headers, "content-length": Buffer.byteLength(payload) } : out.headers).end(payload);
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests.push(`${req.method} ${(req.url ?? "/").replace(/^\/api\/v3/, "").split("?")[0]}`);
      const go = () => serve(req, Buffer.concat(chunks).toString("utf8"), res);
      // The readiness probe (`GET /app`) is never held: the gate is for a delivery's work.
      if (!state.gated || (req.method === "GET" && /^(\/api\/v3)?\/app$/.test(req.url ?? ""))) return go();
      waiting.push(go);
      for (const w of [...heldWatchers]) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    fake,
    server,
    host,
    requests,
    get gated() {
      return state.gated;
    },
    set gated(v: boolean) {
      state.gated = v;
    },
    held: () => waiting.length,
    release() {
      state.gated = false;
      const go = waiting;
      waiting = [];
      for (const g of go) g();
    },
    waitHeld: (n = 1) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (waiting.length >= n) {
            heldWatchers.delete(check);
            resolve();
          }
        };
        heldWatchers.add(check);
        check();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Delivers a signed webhook to the server; resolves with the answer's status. */
export async function deliver(port: number, name: string, payload: unknown, id = `delivery-${Math.random().toString(36).slice(2)}`): Promise<number> {
  const body = JSON.stringify(payload);
  const signature = `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
  const res = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-github-event": name, "x-github-delivery": id, "x-hub-signature-256": signature },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}
