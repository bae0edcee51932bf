/**
 * `npm run bench`: builds, then prints ONE JSON document (progress goes to stderr).
 *
 *   1. evaluation: the pure core on a 3,000-file PR, 100 globs, every compliance rule
 *   2. requests_per_event: the real app against a fake GitHub over loopback HTTP
 *   3. throughput: signed webhooks into Probot's Server, the real app vs a no-op app,
 *      and vs the floor app (one check run write per event, no reads)
 *   4. memory: RSS (and heap after a full GC) sampled while the app takes the events
 *
 * Sizes (environment): BENCH_FILES (3000), BENCH_EVAL_RUNS (100), BENCH_EVENTS
 * (10000, the app run; also the memory run), BENCH_NOOP_EVENTS (same as BENCH_EVENTS),
 * BENCH_CONCURRENCY (8), BENCH_REPOS (2500), BENCH_INSTALLATIONS (50),
 * BENCH_SAMPLE_EVERY (500), BENCH_THROTTLED_EVENTS (1; 0 skips), BENCH_SKIP
 * (comma list of: evaluation, requests, throughput, throttled).
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
  throttled_events: num("BENCH_THROTTLED_EVENTS", 1),
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
  progress("requests per event");
  out.requests_per_event = await benchRequests();
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
  progress(`app with Probot's default throttle: ${config.throttled_events} webhook(s)`);
  const server = await startServer("app", baseUrl, { throttle: true });
  const throttled = await drive({ fake, server, mode: "app", events: config.throttled_events, concurrency: 1, repos: 1 });
  await server.stop();
  out.throttled = {
    what: "one opened agent PR with Octokit's throttling plugin on, as `npm start` runs (writes spaced 1 s apart, one queue per process)",
    latency_ms: throttled.latency_ms,
  };
}

github.close();
github.closeAllConnections?.();
out.seconds_total = Math.round((performance.now() - started) / 100) / 10;
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
