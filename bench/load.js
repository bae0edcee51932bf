/**
 * Parts 3 and 4: signed webhooks over HTTP into a webhook server process
 * (bench/server.js), the real app or an app that does nothing, with the fake
 * GitHub and this load generator in the parent process.
 *
 * Each event is a `pull_request.opened` for a new Copilot PR. For the real app (and
 * the floor app, which only writes a check run) an event is done when its check run
 * is written (observed at the fake GitHub) and the webhook answered; for the no-op
 * app, when the webhook is answered.
 */
import { fork } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { Agent, createServer, request } from "node:http";
import { once } from "node:events";
import { SECRET } from "./app.js";
import { agentCommit, INSTALLATION_ID, pullEvent, pullObject, smallPrFiles } from "./payloads.js";
import { OWNER, REALISTIC_POLICY } from "./requests.js";
import { summarize } from "./stats.js";

const NUMBER_MARK = 987654321;
const SHA_MARK = "feedface".repeat(5);
const PUSHED_MARK = "2001-02-03T04:05:06Z";

async function freePort() {
  const s = createServer();
  s.listen(0, "127.0.0.1");
  await once(s, "listening");
  const { port } = s.address();
  s.close();
  return port;
}

/** Starts bench/server.js in `mode` (app | noop | floor); resolves when it listens. */
export async function startServer(mode, baseUrl, { throttle = false } = {}) {
  const port = await freePort();
  const child = fork(new URL("./server.js", import.meta.url), [mode, baseUrl, String(port), throttle ? "throttle" : ""], {
    stdio: ["ignore", "ignore", "inherit", "ipc"],
    // BENCH_SERVER_PROFILE=DIR writes a CPU profile of each server process there.
    execArgv: ["--expose-gc", ...(process.env.BENCH_SERVER_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_SERVER_PROFILE}`] : [])],
  });
  await new Promise((resolve, reject) => {
    child.once("message", (m) => (m?.ready ? resolve() : reject(new Error(`server: ${JSON.stringify(m)}`))));
    child.once("exit", (code) => reject(new Error(`bench server (${mode}) exited with ${code}`)));
  });
  const memory = () =>
    new Promise((resolve) => {
      const on = (m) => {
        if (m?.memory) {
          child.off("message", on);
          resolve(m.memory);
        }
      };
      child.on("message", on);
      child.send("memory");
    });
  const stop = async () => {
    child.send("exit");
    await Promise.race([once(child, "exit"), new Promise((r) => setTimeout(r, 3000))]);
    if (child.exitCode === null) child.kill();
  };
  return { url: `http://127.0.0.1:${port}/api/github/webhooks`, memory, stop };
}

/** One repository's `opened` payload as text, with marks for the PR number, head and `pushed_at` to fill in per event. */
function repoTemplate(owner, repo, installation) {
  const text = JSON.stringify(pullEvent({ owner, repo, number: NUMBER_MARK, sha: SHA_MARK, installation, pushedAt: PUSHED_MARK }));
  const pull = pullObject({ owner, repo, number: NUMBER_MARK, sha: SHA_MARK });
  return { owner, repo, text, pull };
}

function post(agent, url, body, headers) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", agent, headers: { ...headers, "content-length": Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * Sends `events` signed `pull_request.opened` webhooks to the server, `concurrency`
 * at a time, over `repos` repositories and `installations` installations.
 * `sample(done)` is called every `sampleEvery` events (memory samples). Repositories are named
 * `${prefix}-N`; PR numbers and heads start at event `offset` (another run on the same fake must not reuse them).
 */
export async function drive({ fake, server, mode, events, concurrency, repos, installations = 1, warmup = 0, sampleEvery = 0, sample, prefix = "repo", offset = 0 }) {
  const templates = Array.from({ length: repos }, (_, r) => repoTemplate(OWNER, `${prefix}-${r}`, INSTALLATION_ID + (r % installations)));
  for (const t of templates) fake.setPolicy(t.owner, t.repo, REALISTIC_POLICY);
  const files = smallPrFiles();
  const waiting = new Map();
  let lastWrite = 0;
  const unsubscribe = fake.onWrite(({ method, path, body }) => {
    lastWrite = performance.now();
    if (method !== "POST" || !path.endsWith("/check-runs")) return;
    const key = `${path.split("/")[2]}/${path.split("/")[3]}@${body?.head_sha}`.toLowerCase();
    waiting.get(key)?.();
  });
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies = [];
  const answered = [];
  const statuses = {};
  let next = 0;
  let done = 0;
  let measuredStart = 0;
  let missingCheck = 0;
  // PRs whose webhook was answered 202 (accepted, the handler still running): dropped once the app is quiet.
  const late = [];

  async function one(i) {
    const t = templates[i % repos];
    const number = 100 + offset + i;
    const sha = (offset + i + 1).toString(16).padStart(40, "a");
    // The agent's branch is pushed (the repository's `pushed_at` moves), then the PR opened.
    if (mode === "app") fake.addPull(t.owner, t.repo, { pull: { ...t.pull, number, head: { ...t.pull.head, sha }, html_url: `https://github.com/${t.owner}/${t.repo}/pull/${number}` }, files, commits: [agentCommit(sha)] });
    const body = t.text.replaceAll(String(NUMBER_MARK), String(number)).replaceAll(SHA_MARK, sha).replaceAll(PUSHED_MARK, fake.pushedAt(t.owner, t.repo));
    const signature = `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
    const key = `${t.owner}/${t.repo}@${sha}`.toLowerCase();
    const checkWritten = mode !== "noop" ? new Promise((resolve) => waiting.set(key, () => resolve(performance.now()))) : null;
    const start = performance.now();
    const status = await post(agent, server.url, body, {
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/bench",
      "x-github-event": "pull_request",
      "x-github-delivery": randomUUID(),
      "x-github-hook-id": "1",
      "x-hub-signature-256": signature,
    });
    const end = performance.now();
    statuses[status] = (statuses[status] ?? 0) + 1;
    let writtenAt = end;
    if (checkWritten) {
      // The handler has finished when the webhook is answered 200: a check run not written by then never will be.
      // A 202 (answered after 9 s, the work goes on: SECURITY.md) means it may still come: waited for up to 2 minutes.
      const stillRunning = status === 202;
      writtenAt = await Promise.race([checkWritten, new Promise((r) => (stillRunning ? setTimeout(() => r(null), 120_000).unref() : setImmediate(() => r(null))))]);
      if (writtenAt === null) {
        missingCheck++;
        writtenAt = end;
      }
      waiting.delete(key);
      if (stillRunning) late.push([t.owner, t.repo, number]);
      else fake.dropPull(t.owner, t.repo, number);
    }
    if (i >= warmup) {
      latencies.push(writtenAt - start);
      answered.push(end - start);
    }
  }

  async function worker() {
    while (next < events) {
      const i = next++;
      if (i === warmup) measuredStart = performance.now();
      await one(i);
      done++;
      if (sampleEvery && done % sampleEvery === 0) await sample(done);
    }
  }
  const start = performance.now();
  if (warmup === 0) measuredStart = start;
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - measuredStart) / 1000;
  // Handlers answered 202 write on: until no write for 4 s (the throttle spaces notifications 3 s apart).
  if (late.length) {
    while (performance.now() - lastWrite < 4000) await new Promise((r) => setTimeout(r, 250));
    for (const [owner, repo, number] of late) fake.dropPull(owner, repo, number);
  }
  agent.destroy();
  unsubscribe();
  const measured = events - warmup;
  return {
    events: measured,
    warmup,
    concurrency,
    repos,
    seconds: Math.round(elapsed * 100) / 100,
    events_per_second: Math.round((measured / elapsed) * 10) / 10,
    latency_ms: summarize(latencies),
    webhook_answered_ms: summarize(answered),
    http_status: statuses,
    ...(mode !== "noop" ? { check_run_missing: missingCheck, last_write_ms: lastWrite ? Math.round(lastWrite - measuredStart) : null } : {}),
  };
}
