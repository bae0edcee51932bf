/**
 * Readiness (`GET /readyz`): can this process do its job now? It is ready when
 * it has credentials (not the setup page), is not shutting down, GitHub
 * answered its last request, and GitHub has not refused the app's credentials.
 *
 * Every GitHub request the app makes is observed at the `fetch` underneath
 * Octokit, one observation per attempt (retries included), so the first request
 * that gets no answer (DNS, refused or reset connection, TLS, time limit) is
 * logged at once as `"decision":"github_unreachable"`, and the first answer
 * after that as `"decision":"github_reachable"`; the failures in between are
 * counted, not logged. The gauge `agent_governance_github_reachable` follows
 * the same state. When the app has not talked to GitHub for a while (no
 * traffic), `/readyz` asks `GET /app` with the app's JWT in the background,
 * which also tells whether GitHub accepts the credentials.
 */
import { Gauge } from "prom-client";
import type { ApplicationFunction, ProbotOctokit } from "probot";
import { metricsRegistry } from "../metrics.js";

/** GitHub counts as reachable this long after its last answer; past it, `/readyz` asks again. */
export const CONTACT_FRESH_MS = 60_000;
/** How long `/readyz` waits for a probe's answer (under Kubernetes' default 1 s probe timeout). */
export const READY_WAIT_MS = 800;
/** At most one background probe this often (a readiness probe every few seconds costs one request a minute at most). */
export const PROBE_INTERVAL_MS = 15_000;

const reachableGauge = new Gauge({
  name: "agent_governance_github_reachable",
  help: "1 while GitHub answered the app's last request (any HTTP status), 0 after a request that got no answer (network error or time limit).",
  registers: [metricsRegistry],
});

interface LogLike {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export type ReadyStatus = "ok" | "setup" | "starting" | "draining" | "github_unreachable" | "credentials_rejected";

export interface ReadyState {
  ready: boolean;
  status: ReadyStatus;
  /** What is wrong and what to do, when not ready. */
  reason?: string;
  github: {
    reachable: boolean | null;
    last_answer_at: string | null;
    last_failure_at: string | null;
    last_failure: string | null;
    failures_since_answer: number;
  };
}

/** What a request that got no answer failed with, in a few words (never a URL's query or a header). */
export function failureReason(err: unknown): string {
  const e = err as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string; name?: string } } | null;
  if (!e || typeof e !== "object") return String(err);
  if (e.name === "TimeoutError") return e.message ?? "time limit";
  const code = e.cause?.code ?? e.code;
  const message = e.cause?.message ?? e.message ?? "error";
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

/** The JWT-authenticated endpoints: a 401 there means GitHub refuses the app's credentials. */
const APP_AUTH_PATH = /\/app(\/installations\/\d+\/access_tokens)?\/?$/;

export class Readiness {
  private log: LogLike | null = null;
  setup = false;
  draining = false;
  private lastAnswerAt: number | null = null;
  private lastFailureAt: number | null = null;
  private lastFailure: string | null = null;
  private failures = 0;
  private down = false;
  private downSince: number | null = null;
  private credentialsRejected = false;
  private probeAt = 0;
  private probing: Promise<void> | null = null;
  private probeFn: (() => Promise<unknown>) | null = null;

  constructor(private readonly clock: () => number = Date.now) {}

  /** The logger for the reachability lines (the app's). */
  useLog(log: LogLike): void {
    this.log = log;
  }

  /** How to ask GitHub when there has been no contact lately: an app-authenticated `GET /app`. */
  useProbe(probe: () => Promise<unknown>): void {
    this.probeFn = probe;
  }

  /** GitHub answered (any status). */
  answered(method: string, path: string, status: number): void {
    const now = this.clock();
    if (APP_AUTH_PATH.test(path)) {
      const rejected = status === 401;
      if (rejected && !this.credentialsRejected) {
        this.log?.error(
          { decision: "github_credentials_rejected", request: `${method} ${path}`, status },
          "GitHub refuses the app's credentials: check that APP_ID and the private key belong to the same GitHub App, and that the key has not been revoked",
        );
      }
      if (status < 400 || rejected) this.credentialsRejected = rejected;
    }
    if (this.down) {
      this.log?.info(
        { decision: "github_reachable", request: `${method} ${path}`, status, failed_requests: this.failures, down_for_s: Math.round((now - (this.downSince ?? now)) / 1000) },
        "GitHub answers again",
      );
    }
    this.down = false;
    this.downSince = null;
    this.failures = 0;
    this.lastAnswerAt = now;
    reachableGauge.set(1);
  }

  /** A request got no answer. The first one after an answer is logged at once. */
  failed(method: string, path: string, err: unknown): void {
    const now = this.clock();
    const reason = failureReason(err);
    this.failures++;
    this.lastFailureAt = now;
    this.lastFailure = reason;
    reachableGauge.set(0);
    if (this.down) return;
    this.down = true;
    this.downSince = now;
    this.log?.error(
      { decision: "github_unreachable", request: `${method} ${path}`, error: reason },
      `GitHub did not answer: ${reason}. Evaluations fail ("Could not evaluate") and are retried until it answers; /readyz reports 503 meanwhile`,
    );
  }

  /** Starts a probe when GitHub's state is unknown or stale (never more than one at a time); returns it, or null. */
  private maybeProbe(now: number): Promise<void> | null {
    if (!this.probeFn || this.setup || this.draining) return null;
    if (this.probing) return this.probing;
    const lastContact = Math.max(this.lastAnswerAt ?? 0, this.lastFailureAt ?? 0);
    const stale = now - lastContact > (this.down || this.credentialsRejected ? PROBE_INTERVAL_MS : CONTACT_FRESH_MS);
    if (!stale || now - this.probeAt < PROBE_INTERVAL_MS) return null;
    return this.probe();
  }

  /**
   * The state `/readyz` reports. When GitHub's state is unknown or stale it is
   * asked first, waiting at most `waitMs` for the answer (a probe that takes
   * longer carries on, and the next call sees its result).
   */
  async check(waitMs = READY_WAIT_MS): Promise<ReadyState> {
    const probing = this.maybeProbe(this.clock());
    if (probing) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([probing, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      clearTimeout(timer);
    }
    return this.state();
  }

  /** Asks GitHub now (in the background); resolves when the answer, or its absence, is recorded. */
  probe(): Promise<void> {
    if (!this.probeFn) return Promise.resolve();
    if (this.probing) return this.probing;
    this.probeAt = this.clock();
    this.probing = this.probeFn()
      .then(
        () => undefined,
        () => undefined, // recorded by the observer: an answer (401, 5xx, …) or none
      )
      .finally(() => {
        this.probing = null;
      });
    return this.probing;
  }

  /** The state as known now (no request). */
  state(): ReadyState {
    const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
    const github = {
      reachable: this.lastAnswerAt === null && this.lastFailureAt === null ? null : !this.down,
      last_answer_at: iso(this.lastAnswerAt),
      last_failure_at: iso(this.lastFailureAt),
      last_failure: this.lastFailure,
      failures_since_answer: this.failures,
    };
    const not = (status: ReadyStatus, reason: string): ReadyState => ({ ready: false, status, reason, github });
    if (this.setup) return not("setup", "no credentials yet: the setup page is served; register the app and restart");
    if (this.draining) return not("draining", "shutting down: finishing the deliveries in flight");
    if (this.credentialsRejected) {
      return not("credentials_rejected", "GitHub refuses the app's credentials (401): check APP_ID and the private key");
    }
    if (this.down) return not("github_unreachable", `GitHub did not answer: ${this.lastFailure ?? "no answer"}`);
    if (this.lastAnswerAt === null) return not("starting", "GitHub has not been reached yet");
    return { ready: true, status: "ok", github };
  }
}

/** The process's readiness, shared by the ops routes, the Octokit class and the server. */
export const readiness = new Readiness();

const pathOf = (input: unknown): string => {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : String((input as { url?: string }).url ?? input);
  try {
    return new URL(url).pathname;
  } catch {
    return url.split("?")[0] ?? url;
  }
};

/**
 * `fetch` reporting each attempt to `state`. Own symbol-keyed properties of the
 * wrapped fetch are copied onto the wrapper, so a wrapper that marks its fetch
 * that way (the request time limit, src/github/timeout.ts) still recognises it
 * and does not wrap it twice in clients made from another client's options.
 */
export function observedFetch(inner: typeof fetch | undefined, state: Readiness = readiness): typeof fetch {
  const observed = (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const method = (init?.method ?? "GET").toUpperCase();
    try {
      const res = await (inner ?? globalThis.fetch)(input, init);
      state.answered(method, pathOf(input), res.status);
      return res;
    } catch (err) {
      // A request cancelled by its caller is not GitHub's silence.
      if (!(init?.signal?.aborted && (err as { name?: string }).name === "AbortError")) state.failed(method, pathOf(input), err);
      throw err;
    }
  }) as typeof fetch;
  if (inner) for (const key of Object.getOwnPropertySymbols(inner)) (observed as unknown as Record<symbol, unknown>)[key] = (inner as unknown as Record<symbol, unknown>)[key];
  OBSERVED.add(observed);
  return observed;
}

const OBSERVED = new WeakSet<typeof fetch>();

/**
 * Adds the observation to an Octokit class. Apply it inside `withRequestTimeout`
 * (`withRequestTimeout(withGitHubContact(X))`): its transform then runs after
 * the time limit's, so it wraps the timed fetch and sees a time-out as one.
 */
export function withGitHubContact(Octokit: typeof ProbotOctokit, state: Readiness = readiness): typeof ProbotOctokit {
  return Octokit.defaults((options: Record<string, unknown>) => {
    const request = (options.request ?? {}) as { fetch?: typeof fetch };
    if (request.fetch && OBSERVED.has(request.fetch)) return options;
    return { ...options, request: { ...request, fetch: observedFetch(request.fetch, state) } };
  }) as typeof ProbotOctokit;
}

/**
 * Wraps an app function so the readiness state logs through the app's logger
 * and asks GitHub with the app's own credentials (`GET /app`, JWT-authenticated:
 * it also tells whether GitHub accepts them).
 */
export function withReadinessProbe(appFn: ApplicationFunction, state: Readiness = readiness): ApplicationFunction {
  return (app, options) => {
    state.useLog(app.log);
    // One attempt per probe (no retries): the next probe is the retry.
    state.useProbe(async () => (await app.auth()).request("GET /app", { request: { retries: 0 } }));
    return appFn(app, options);
  };
}
