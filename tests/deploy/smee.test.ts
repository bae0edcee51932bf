/**
 * The README's smee.io trial path under `npm start` (issue 20): setup creates a
 * channel first, so the app is registered with it as its webhook URL and the
 * import page shows it; then, with credentials, the server forwards the
 * channel's deliveries to the webhook route, and an agent PR gets its check
 * run. smee.io is played by a local server (`SMEE_NEW_CHANNEL_URL`): a channel
 * is a server-sent events stream, each event a delivery's headers and body.
 */
import { createHmac } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../cli/run.js";
import { pullRequestPayload } from "../helpers/app.js";
import { freePort } from "./redis.js";
import { killAll, productionEnv, SECRET, startGitHub, startServer } from "./server-process.js";
import { createSmeeChannel, wantsSmeeChannel } from "../../src/server/smee.js";

/** A local smee.io: HEAD /new redirects to a new channel; GET /<channel> is its event stream. */
async function startSmee() {
  const streams = new Map<string, ServerResponse[]>();
  let n = 0;
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    if (path === "/new") {
      res.writeHead(307, { location: `http://${req.headers.host}/channel-${++n}` }).end();
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    res.write(": ready\n\n");
    (streams.get(path) ?? streams.set(path, []).get(path)!).push(res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    /** Channels with a listener connected. */
    listeners: (channel: string) => streams.get(new URL(channel).pathname)?.length ?? 0,
    /** Sends a delivery down the channel, as smee.io does. */
    send(channel: string, name: string, payload: unknown) {
      const body = JSON.stringify(payload);
      const event = {
        "x-github-event": name,
        "x-github-delivery": `smee-${Date.now()}`,
        "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`,
        "content-type": "application/json",
        body: payload,
        query: {},
      };
      for (const res of streams.get(new URL(channel).pathname) ?? []) res.write(`data: ${JSON.stringify(event)}\n\n`);
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const smee = await startSmee();
afterAll(async () => {
  killAll();
  await smee.close();
});

function clone(): string {
  const dir = mkdtempSync(join(tmpdir(), "ag-smee-"));
  for (const f of ["app.yml", "package.json"]) copyFileSync(join(ROOT, f), join(dir, f));
  return dir;
}

/** Waits until `check` is true, polling (no timing is asserted). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 50));
}

describe("the smee.io trial path", () => {
  it("setup creates a channel first: .env (0600) holds it, the manifest and the import page show it", { timeout: 30_000 }, async () => {
    const cwd = clone();
    const server = await startServer({ SMEE_NEW_CHANNEL_URL: `${smee.base}/new` }, { cwd, until: /Listening on/ });
    const env = parseEnv(readFileSync(join(cwd, ".env"), "utf8"));
    expect(env.WEBHOOK_PROXY_URL).toBe(`${smee.base}/channel-1`);
    expect(statSync(join(cwd, ".env")).mode & 0o777).toBe(0o600);
    expect(server.output()).toContain(`created the smee.io channel ${smee.base}/channel-1`);

    const page = await (await fetch(`http://127.0.0.1:${server.port}/probot`)).text();
    // The "Register GitHub App" button posts the manifest: its webhook URL is the channel, not http://127.0.0.1:PORT/.
    const manifest = JSON.parse(/name="manifest" id="manifest" value='([^']*)'/.exec(page)![1]!) as { hook_attributes: { url: string } };
    expect(manifest.hook_attributes.url).toBe(`${smee.base}/channel-1`);
    const imported = await (await fetch(`http://127.0.0.1:${server.port}/probot/import`)).text();
    expect(imported).toMatch(new RegExp(`Replace your app's Webhook URL with <br>\\s*<b>${smee.base}/channel-1</b>`));
    // The setup server already listens on the channel.
    await until(() => smee.listeners(`${smee.base}/channel-1`) > 0);
  });

  it("when no channel can be made, says so once and serves the setup page all the same", { timeout: 30_000 }, async () => {
    const cwd = clone();
    const server = await startServer({ SMEE_NEW_CHANNEL_URL: `http://127.0.0.1:${await freePort()}/new` }, { cwd, until: /Listening on/ });
    expect(server.output().split("\n").filter((l) => /smee/i.test(l)), server.output()).toEqual([expect.stringContaining('"decision":"smee_unavailable"')]);
    expect(server.output()).toContain("could not create a smee.io channel");
    expect(server.output()).not.toContain("Unable to connect to smee.io"); // Probot does not try again
    expect((await fetch(`http://127.0.0.1:${server.port}/probot`)).status).toBe(200);
  });

  it("once registered, deliveries through the channel reach the app: an agent PR gets its check run", { timeout: 60_000 }, async () => {
    const github = await startGitHub();
    try {
      const channel = `${smee.base}/channel-trial`;
      const { NODE_ENV: _production, ...env } = productionEnv(github, { WEBHOOK_PROXY_URL: channel });
      const server = await startServer(env, { until: /Listening on|start_failed/ });
      expect(server.output()).toContain("Listening on");
      await until(() => smee.listeners(channel) > 0);
      smee.send(channel, "pull_request", pullRequestPayload());
      await until(() => github.requests.some((r) => r === "POST /repos/Codertocat/Hello-World/check-runs"));
      expect(await server.waitFor(/POST http:\/\/[^ ]+\/api\/github\/webhooks - 200/)).toBe(true);
    } finally {
      await github.close();
    }
  });
});

describe("createSmeeChannel", () => {
  const log = () => {
    const lines: string[] = [];
    return { lines, info: (_: object, m: string) => lines.push(m), warn: (_: object, m: string) => lines.push(m) };
  };

  it("says what to do when smee-client is missing or smee.io cannot be reached, and goes on", async () => {
    const l = log();
    expect(await createSmeeChannel({ SmeeClient: null, save: () => {}, log: l, env: {} })).toBeNull();
    const failing = { createChannel: async () => Promise.reject(new Error("getaddrinfo ENOTFOUND smee.io")) };
    expect(await createSmeeChannel({ SmeeClient: failing, save: () => {}, log: l, env: {} })).toBeNull();
    expect(l.lines[0]).toMatch(/smee-client is not installed .*set its Webhook URL by hand/);
    expect(l.lines[1]).toMatch(/could not create a smee.io channel at https:\/\/smee.io\/new \(getaddrinfo ENOTFOUND smee.io\)/);
  });

  it("is wanted only in development, without a channel, unless NO_SMEE_SETUP=true", () => {
    expect(wantsSmeeChannel({})).toBe(true);
    expect(wantsSmeeChannel({ NODE_ENV: "production" })).toBe(false);
    expect(wantsSmeeChannel({ WEBHOOK_PROXY_URL: "https://smee.io/x" })).toBe(false);
    expect(wantsSmeeChannel({ NO_SMEE_SETUP: "true" })).toBe(false);
  });
});
