/**
 * `npm run bench`: builds, then prints ONE JSON document (progress goes to stderr).
 *
 *   1. evaluation: the pure core on a 3,000-file PR, 100 globs, every compliance rule
 *      (fresh facts per run; the same facts reused, beside)
 *   2. requests_per_event: the real app against a fake GitHub over loopback HTTP answering
 *      each request after BENCH_LATENCY_MS: per event kind, requests, waves (sequential round
 *      trips), time to the verdict, throttle off and on (as `npm start`); the typical lifecycle
 *   3. throughput: signed webhooks into Probot's Server, the real app vs a no-op app,
 *      and vs the floor app (one check run write per event, no reads)
 *   4. memory: RSS (and heap after a full GC) sampled while the app takes the events
 *   5. throttled: the server process as `npm start` runs it (throttle on), fake GitHub at
 *      BENCH_LATENCY_MS: single opened PRs one after another, then BENCH_BURST PRs opened at once
 *      in one installation
 *
 * Sizes (environment): BENCH_FILES (3000), BENCH_EVAL_RUNS (100), BENCH_EVENTS
 * (10000, the app run; also the memory run), BENCH_NOOP_EVENTS (same as BENCH_EVENTS),
 * BENCH_CONCURRENCY (8), BENCH_REPOS (2500), BENCH_INSTALLATIONS (50),
 * BENCH_SAMPLE_EVERY (500), BENCH_LATENCY_MS (50), BENCH_THROTTLED_EVENTS (3; 0 skips part 5),
 * BENCH_BURST (4), BENCH_SKIP (comma list of: evaluation, requests, requests_throttled,
 * throughput, throttled).
 * Quick run: BENCH_EVENTS=1000 BENCH_REPOS=100 BENCH_EVAL_RUNS=50 npm run bench
 */
import { cpus, loadavg } from "node:os";
import { benchEvaluation } from "./eval.js";
import { benchRequests, TEAMS } from "./requests.js";
import { createFakeGitHub } from "./fake-github.js";
import { drive, startServer } from "./load.js";

const num = (name, fallback) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && process.env[name] !== "" && process.env[name] !== undefined ? v : fallback;
};
const config = {
  files: num("BENCH_FILES", 3000),
  eval_runs: num("BENCH_EVAL_RUNS", 100),
  events: num("BENCH_EVENTS", 10_000),
  noop_events: num("BENCH_NOOP_EVENTS", num("BENCH_EVENTS", 10_000)),
  concurrency: num("BENCH_CONCURRENCY", 8),
  repos: num("BENCH_REPOS", 2500),
  installations: num("BENCH_INSTALLATIONS", 50),
  sample_every: num("BENCH_SAMPLE_EVERY", 500),
  latency_ms: num("BENCH_LATENCY_MS", 50),
  throttled_events: num("BENCH_THROTTLED_EVENTS", 3),
  burst: num("BENCH_BURST", 4),
};
const skip = new Set((process.env.BENCH_SKIP ?? "").split(",").filter(Boolean));
const progress = (msg) => process.stderr.write(`bench: ${msg}\n`);
const mb = (bytes) => Math.round((bytes / 1048576) * 10) / 10;
const started = performance.now();

const out = {
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? null, node: process.version, platform: `${process.platform}-${process.arch}`, load_average_at_start: loadavg().map((x) => Math.round(x * 100) / 100) },
  config,
};

if (!skip.has("evaluation")) {
  progress(`evaluation: ${config.files} files, ${config.eval_runs} runs`);
  out.evaluation = benchEvaluation({ files: config.files, runs: config.eval_runs });
}

if (!skip.has("requests")) {
  progress(`requests per event, ${config.latency_ms} ms per request, throttle off`);
  const off = await benchRequests({ latencyMs: config.latency_ms, throttle: false });
  let on = null;
  if (!skip.has("requests_throttled")) {
    progress(`requests per event, ${config.latency_ms} ms per request, throttle on (as npm start)`);
    on = await benchRequests({ latencyMs: config.latency_ms, throttle: true, big: false });
  }
  progress(`requests per event, the memo of the app's own writes off (REDIS_URL, several replicas)`);
  const replicas = await benchRequests({ latencyMs: config.latency_ms, throttle: false, big: false, memo: false });
  out.requests_per_event = requestsReport(off, on, config.latency_ms, replicas);
}

const fake = createFakeGitHub({ teams: TEAMS, record: false });
const github = await fake.listen();
const baseUrl = `http://127.0.0.1:${github.address().port}`;
const warmup = (n) => Math.min(200, Math.floor(n / 10));

if (!skip.has("throughput")) {
  progress(`no-op app: ${config.noop_events} webhooks`);
  const noopServer = await startServer("noop", baseUrl);
  const noopCpuStart = (await noopServer.memory()).cpuMs;
  const noop = await drive({ fake, server: noopServer, mode: "noop", events: config.noop_events, concurrency: config.concurrency, repos: Math.min(config.repos, 50), warmup: warmup(config.noop_events) });
  const noopMemory = await noopServer.memory();
  noop.server_cpu_ms_per_event = Math.round(((noopMemory.cpuMs - noopCpuStart) / config.noop_events) * 100) / 100;
  await noopServer.stop();

  // The floor: an app that answers each event with one check run and nothing else. No app
  // that writes its verdict as a check run can beat it, so it bounds the ratio any such app can reach.
  progress(`floor app (one check run write per event): ${config.noop_events} webhooks`);
  const floorServer = await startServer("floor", baseUrl);
  const floorCpuStart = (await floorServer.memory()).cpuMs;
  const floor = await drive({ fake, server: floorServer, mode: "floor", events: config.noop_events, concurrency: config.concurrency, repos: Math.min(config.repos, 50), warmup: warmup(config.noop_events) });
  floor.server_cpu_ms_per_event = Math.round((((await floorServer.memory()).cpuMs - floorCpuStart) / config.noop_events) * 100) / 100;
  await floorServer.stop();

  progress(`app: ${config.events} webhooks over ${config.repos} repositories, ${config.installations} installations`);
  const requestsBefore = fake.total();
  const appServer = await startServer("app", baseUrl);
  const samples = [];
  const cpu = [];
  const sample = async (events) => {
    const m = await appServer.memory();
    cpu.push(m.cpuMs);
    samples.push({ events, rss_mb: mb(m.rss), heap_after_gc_mb: mb(m.heapUsed) });
    progress(`  ${events} events, RSS ${mb(m.rss)} MB`);
  };
  await sample(0);
  const app = await drive({
    fake,
    server: appServer,
    mode: "app",
    events: config.events,
    concurrency: config.concurrency,
    repos: config.repos,
    installations: config.installations,
    warmup: warmup(config.events),
    sampleEvery: config.sample_every,
    sample,
  });
  await appServer.stop();
  app.server_cpu_ms_per_event = Math.round(((cpu.at(-1) - cpu[0]) / config.events) * 100) / 100;
  const ratioTo = (x) => Math.round((x.events_per_second / noop.events_per_second) * 1000) / 1000;
  const ratio = ratioTo(app);
  out.throughput = {
    what: "signed pull_request.opened webhooks (a new Copilot PR each) over HTTP into Probot's Server; app: until its check run is written at the fake GitHub; no-op: until the webhook is answered",
    noop,
    floor,
    app,
    ratio_events_per_second: ratio,
    target_ratio: 0.9,
    meets_target: ratio >= 0.9,
    floor_ratio_events_per_second: ratioTo(floor),
    app_to_floor_events_per_second: Math.round((app.events_per_second / floor.events_per_second) * 1000) / 1000,
    github_requests_per_app_event: (() => {
      const t = fake.total();
      const n = (x) => x.reads + x.writes + x.notModified;
      return Math.round(((n(t) - n(requestsBefore)) / config.events) * 10) / 10;
    })(),
  };
  const half = samples.find((s) => s.events >= config.events / 2) ?? samples[0];
  const last = samples.at(-1);
  const per1000 = (a, b, key) => (last.events > half.events ? Math.round(((b[key] - a[key]) / ((b.events - a.events) / 1000)) * 100) / 100 : null);
  out.memory = {
    events: config.events,
    repos: config.repos,
    noop_rss_mb: mb(noopMemory.rss),
    rss_start_mb: samples[0].rss_mb,
    rss_end_mb: last.rss_mb,
    rss_max_mb: Math.max(...samples.map((s) => s.rss_mb)),
    second_half_rss_growth_mb_per_1000_events: per1000(half, last, "rss_mb"),
    second_half_heap_growth_mb_per_1000_events: per1000(half, last, "heap_after_gc_mb"),
    samples,
  };
}

if (!skip.has("throttled") && config.throttled_events > 0) {
  progress(`server as npm start runs it (throttle on), ${config.latency_ms} ms per request: ${config.throttled_events} opened PR(s) one after another, then ${config.burst} at once`);
  fake.setLatency(config.latency_ms);
  const server = await startServer("app", baseUrl, { throttle: true });
  const opts = { fake, server, mode: "app", repos: 1, prefix: "throttled" };
  // A PR before, so the installation's token, the policy and the labels exist, as in a repository in use.
  await drive({ ...opts, events: 1, concurrency: 1, offset: 20_000 });
  const single = await drive({ ...opts, events: config.throttled_events, concurrency: 1, offset: 20_001 });
  const burst = await drive({ ...opts, events: config.burst, concurrency: config.burst, offset: 20_100 });
  await server.stop();
  fake.setLatency(0);
  out.throttled = {
    what: `bench/server.js (Probot's Server, Octokit's throttle and retries on, as npm start) against the fake GitHub answering each request after ${config.latency_ms} ms; signed pull_request.opened webhooks for new Copilot PRs in one repository whose policy and labels the app has seen; latency_ms: from sending the webhook until the fake answered the check run write; webhook_answered_ms: until the webhook was answered (200: the handler finished, every write made; 202: answered at 9 s while the handler goes on); last_write_ms: from the first webhook until the app's last write`,
    latency_ms_per_request: config.latency_ms,
    one_at_a_time: { events: single.events, latency_ms: single.latency_ms, webhook_answered_ms: single.webhook_answered_ms, http_status: single.http_status, check_run_missing: single.check_run_missing },
    at_once: {
      prs: config.burst,
      latency_ms: burst.latency_ms,
      webhook_answered_ms: burst.webhook_answered_ms,
      http_status: burst.http_status,
      last_write_ms: burst.last_write_ms,
      check_run_missing: burst.check_run_missing,
    },
  };
}

github.close();
github.closeAllConnections?.();
out.seconds_total = Math.round((performance.now() - started) / 100) / 10;
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);

/** The two runs of part 2 side by side: per event kind, the figures that do not depend on the throttle once, the times of both. */
function requestsReport(off, on, latencyMs, replicas) {
  const kinds = Object.keys(off.events);
  const summary = {};
  for (const k of kinds) {
    const a = off.events[k];
    const b = on?.events[k];
    summary[k] = {
      requests: a.total,
      reads: a.reads,
      not_modified_304: a.not_modified_304,
      writes: a.writes,
      waves: a.waves,
      verdict_wave: a.verdict_wave,
      ms_to_verdict: a.ms_to_verdict,
      ms_until_done: a.ms_until_done,
      ...(b
        ? {
            throttled: {
              ...(b.total !== a.total ? { requests: b.total } : {}),
              waves: b.waves,
              verdict_wave: b.verdict_wave,
              ms_to_verdict: b.ms_to_verdict,
              ms_until_done: b.ms_until_done,
            },
          }
        : {}),
    };
  }
  const shipped = on ?? off;
  const opened = shipped.events.opened;
  const redeliveries = [off, on].filter(Boolean).flatMap((r) => [r.events.redelivery_review, r.events.redelivery_opened]);
  return {
    what: `the real app in-process (probot.receive) against the fake GitHub over loopback HTTP, each request answered ${latencyMs} ms after it arrived; waves: sequential round trips (a request that starts after another was answered is in a later wave); verdict: the first check run write (wave, and ms from the webhook until it was answered); throttled: Octokit's throttle on, as npm start ships it`,
    scenario: off.scenario,
    latency_ms_per_request: latencyMs,
    summary,
    lifecycle: {
      ...off.lifecycle,
      ...(on && on.lifecycle.total !== off.lifecycle.total ? { throttled_total: on.lifecycle.total } : {}),
      ...(replicas ? { with_redis_url: { what: "the same life with REDIS_URL (several replicas): the app's own writes read back", total: replicas.lifecycle.total, per_event: replicas.lifecycle.per_event } } : {}),
    },
    targets: {
      opened_max_8_requests: opened.total <= 8,
      opened_max_3_waves_to_verdict: opened.verdict_wave !== null && opened.verdict_wave <= 3,
      opened_verdict_max_400_ms_throttled: on ? opened.ms_to_verdict !== null && opened.ms_to_verdict <= 400 : null,
      lifecycle_max_32_requests: off.lifecycle.total <= 32,
      redelivery_0_writes: redeliveries.every((r) => r.writes === 0),
    },
    throttle_off: off.events,
    ...(on ? { throttle_on: on.events } : {}),
  };
}
