/**
 * A time limit on every GitHub request. Without one a request that never
 * answers waits for undici's 300 s socket timeouts, holding the PR's queue
 * all that while. Each attempt (Octokit's retries included: the limit sits in
 * the `fetch` Octokit calls, below its retry and throttle plugins) must have
 * its answer, body included, within `GITHUB_REQUEST_TIMEOUT_MS` (default 10 s).
 * A request that runs out of time fails as a request that got no answer does
 * (status 500, no response), so Octokit retries it as it retries a 5xx, and
 * an evaluation that still cannot read GitHub writes "Could not evaluate" and
 * is scheduled again (src/github/retry.ts).
 */
import type { ProbotOctokit } from "probot";

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** The limit in ms: `GITHUB_REQUEST_TIMEOUT_MS` when it is a whole number of 1 or more, else 10 s. */
export function requestTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.GITHUB_REQUEST_TIMEOUT_MS?.trim();
  const n = raw ? Number(raw) : NaN;
  return Number.isSafeInteger(n) && n >= 1 ? n : DEFAULT_REQUEST_TIMEOUT_MS;
}

/**
 * A request that had no complete answer in time. Its name is not `AbortError`:
 * Octokit turns any other fetch failure into a `RequestError` with status 500
 * and the request attached, which its retry plugin retries.
 */
export class GitHubTimeoutError extends Error {
  constructor(
    readonly ms: number,
    readonly method: string,
    readonly url: string,
  ) {
    super(`GitHub did not answer ${method} ${url} within ${ms} ms (GITHUB_REQUEST_TIMEOUT_MS)`);
    this.name = "TimeoutError";
  }
}

/** The fetch a `fetchWithTimeout` wraps (undefined: the global one), so it is never wrapped twice. */
const INNER = Symbol("fetchWithTimeout.inner");
type TimedFetch = typeof fetch & { [INNER]?: typeof fetch | undefined };

/** Statuses whose response has no body (the Response constructor refuses one). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

const pathOf = (input: unknown) => {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : String((input as { url?: string }).url ?? input);
  try {
    return new URL(url).pathname;
  } catch {
    return url.split("?")[0] ?? url;
  }
};

/**
 * `fetch` with a time limit of `ms` on the whole exchange: the response and its
 * body (read here, as Octokit would read it anyway, so a body that stalls
 * counts too). `inner` is looked up at call time (`globalThis.fetch` by default),
 * so a fetch replaced later (nock in tests) is the one used.
 */
export function fetchWithTimeout(ms: number, inner?: typeof fetch): typeof fetch {
  // A client made from another's options (Probot's installation clients) gets the options' fetch: not wrapped twice.
  if (inner && INNER in inner) inner = (inner as TimedFetch)[INNER];
  const timed: TimedFetch = async (input, init) => {
    const fetchImpl = inner ?? globalThis.fetch;
    const controller = new AbortController();
    const method = (init?.method ?? "GET").toUpperCase();
    const timeout = new GitHubTimeoutError(ms, method, pathOf(input));
    const timer = setTimeout(() => controller.abort(timeout), ms);
    const signal = init?.signal ? AbortSignal.any([init.signal, controller.signal]) : controller.signal;
    try {
      const res = await fetchImpl(input, { ...init, signal });
      const body = NULL_BODY.has(res.status) || method === "HEAD" ? null : await res.arrayBuffer();
      const out = new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
      Object.defineProperty(out, "url", { value: res.url });
      return out;
    } catch (err) {
      if (controller.signal.aborted) throw timeout;
      throw err;
    } finally {
      clearTimeout(timer);
    }
  };
  timed[INNER] = inner;
  return timed;
}

/**
 * Adds the time limit to an Octokit class: every instance made from it (Probot's
 * per-installation clients for webhooks and the sweep, the app client, the CLI's)
 * fetches through `fetchWithTimeout`, wrapping a `request.fetch` it is given.
 * The limit is read from the environment when the instance is made.
 */
export function withRequestTimeout(Octokit: typeof ProbotOctokit, ms?: number): typeof ProbotOctokit {
  return Octokit.defaults((options: Record<string, unknown>) => {
    const request = (options.request ?? {}) as { fetch?: typeof fetch };
    return { ...options, request: { ...request, fetch: fetchWithTimeout(ms ?? requestTimeoutMs(), request.fetch) } };
  }) as typeof ProbotOctokit;
}
