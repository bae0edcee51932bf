/**
 * What the app does when GitHub says "not now": Octokit retries rate-limited
 * requests (primary and secondary) a bounded number of times, honouring
 * `retry-after`; and an evaluation that could not complete is scheduled again
 * with backoff, in this process, while its "Could not evaluate" check blocks
 * the PR. Evaluations are also serialised per PR within a process.
 */
import type { ProbotOctokit } from "probot";

/** Longest `retry-after` (seconds) the app waits inside one webhook; beyond it the retry is left to the scheduler. */
export const MAX_INLINE_WAIT_S = 20;
export const MAX_RATE_LIMIT_RETRIES = 2;

interface LogLike {
  warn(obj: object, msg: string): void;
}

/** Pure: should a rate-limited request be retried by Octokit? */
export function shouldRetryRateLimit(retryAfterSeconds: number, retryCount: number): boolean {
  return retryCount < MAX_RATE_LIMIT_RETRIES && retryAfterSeconds <= MAX_INLINE_WAIT_S;
}

/**
 * Adds the rate-limit policy to an Octokit class. A function default runs after
 * Probot's own throttle options, which never retry a secondary rate limit.
 */
export function withRateLimitPolicy(Octokit: typeof ProbotOctokit): typeof ProbotOctokit {
  const handler = (kind: string) => (retryAfter: number, options: { method?: string; url?: string }, octokit: { log: LogLike }, retryCount: number) => {
    const retry = shouldRetryRateLimit(retryAfter, retryCount);
    octokit.log.warn({ decision: "rate_limited", kind, retryAfter, retryCount, retry, request: `${options.method} ${options.url}` }, `GitHub ${kind} rate limit`);
    return retry;
  };
  return Octokit.defaults(rateLimitOptions(handler)) as typeof ProbotOctokit;
}

/**
 * The options transform: our rate-limit handlers, and the throttle keyed by
 * installation, so one installation's writes (spaced a second apart, as GitHub
 * asks) do not queue behind another's.
 */
export function rateLimitOptions(handler: (kind: string) => unknown) {
  return (options: Record<string, unknown>): Record<string, unknown> => {
    const throttle = options.throttle as Record<string, unknown> | undefined;
    if (throttle && throttle.enabled === false) return options;
    const installationId = (options.auth as { installationId?: unknown } | undefined)?.installationId;
    return {
      ...options,
      throttle: {
        ...throttle,
        ...(installationId !== undefined && throttle?.id === undefined ? { id: `installation-${String(installationId)}` } : {}),
        onRateLimit: handler("primary"),
        onSecondaryRateLimit: handler("secondary"),
      },
    };
  };
}

/** Delays before the 1st, 2nd and 3rd retry of an evaluation that could not complete. */
export const RETRY_DELAYS_MS = [30_000, 120_000, 600_000] as const;

export interface Scheduler {
  setTimeout(fn: () => unknown, ms: number): { unref?: () => void } | unknown;
}

/**
 * Re-runs failed evaluations with backoff. Keyed by PR, bounded, and cleared
 * when an evaluation of that PR succeeds. State lives in this process only; the
 * "Could not evaluate" check keeps the PR blocked meanwhile, and the periodic
 * sweep or the PR's next event re-evaluates it after a restart.
 */
export class RetryQueue {
  private readonly attempts = new Map<string, number>();
  constructor(
    private readonly scheduler: Scheduler = globalThis,
    private readonly limit = 10_000,
  ) {}

  /** Schedules `fn` for `key`; returns the delay, or null when the retries are used up. */
  schedule(key: string, fn: () => Promise<unknown>): number | null {
    const attempt = this.attempts.get(key) ?? 0;
    const delay = RETRY_DELAYS_MS[attempt];
    if (delay === undefined || (this.attempts.size >= this.limit && !this.attempts.has(key))) return null;
    this.attempts.set(key, attempt + 1);
    // The callback returns the retry's promise (settled, never rejected), so a caller can await it.
    const timer = this.scheduler.setTimeout(() => fn().catch(() => undefined), delay) as { unref?: () => void };
    timer?.unref?.();
    return delay;
  }

  succeeded(key: string): void {
    this.attempts.delete(key);
  }

  pending(key: string): number {
    return this.attempts.get(key) ?? 0;
  }
}

/** Runs tasks one after another per key (events for one PR), concurrently across keys. */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(task, task);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  get size(): number {
    return this.tails.size;
  }
}
