/**
 * The real app (dist/) as the benchmark runs it: a Probot instance pointed at the
 * fake GitHub, Octokit's retries and write throttle off (as in the app tests; the
 * report says what the throttle would add), and a pino logger at `info` writing to
 * a sink, so logging is paid for as in production but not printed.
 */
import { readFileSync } from "node:fs";
import { Writable } from "node:stream";
import { pino } from "pino";
import { Probot } from "probot";
import { MeteredOctokit } from "../dist/server/ops.js";

export const SECRET = "bench-webhook-secret";
export const APP_ID = 123;
export const PRIVATE_KEY = readFileSync(new URL("../tests/fixtures/private-key.pem", import.meta.url), "utf8");

/** A pino logger that formats every line and throws it away. */
export function sinkLogger(level = "info") {
  const sink = new Writable({
    write(_chunk, _enc, done) {
      done();
    },
  });
  return pino({ level }, sink);
}

/** Octokit as in production (with the request metrics), retries and throttle off unless `throttle` is true. */
export function benchOctokit({ throttle = false } = {}) {
  return MeteredOctokit.defaults((options) => (throttle ? options : { ...options, retry: { enabled: false }, throttle: { enabled: false } }));
}

/** Options for `new Probot(...)` against the fake GitHub at `baseUrl`. */
export function probotOptions(baseUrl, { throttle = false, log = sinkLogger() } = {}) {
  return { appId: APP_ID, privateKey: PRIVATE_KEY, secret: SECRET, baseUrl, log, Octokit: benchOctokit({ throttle }) };
}

export function newProbot(baseUrl, opts) {
  return new Probot(probotOptions(baseUrl, opts));
}
