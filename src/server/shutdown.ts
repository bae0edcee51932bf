/**
 * Graceful shutdown for `npm start` (the container): on SIGTERM (what
 * `docker stop`, Kubernetes and systemd send) or SIGINT (Ctrl-C), the server
 * stops accepting connections, lets the work in flight finish within
 * `SHUTDOWN_TIMEOUT_MS` (default 8 s, inside Docker's default 10 s grace
 * period), then exits: 0 when everything finished, 1 when the bound cut work
 * off. A second signal exits at once.
 *
 * "In flight" is every webhook delivery from the moment it arrives until its
 * handlers have settled (an evaluation may outlive the HTTP answer: Probot
 * answers `202` after 9 s and carries on) and its answer has been sent. Not in
 * flight: evaluation retries scheduled for later (the PR's check says "Could not
 * evaluate" meanwhile, and the next event or the sweep evaluates it again) and
 * a sweep in progress (its Redis lock expires after 5 minutes).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApplicationFunction, Probot } from "probot";

export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 8_000;

/** The bound in ms: `SHUTDOWN_TIMEOUT_MS` when it is a whole number of 0 or more, else 8 s. */
export function shutdownTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SHUTDOWN_TIMEOUT_MS?.trim();
  const n = raw ? Number(raw) : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : DEFAULT_SHUTDOWN_TIMEOUT_MS;
}

/** Work in flight: promises tracked from start until they settle. */
export class InFlight {
  private readonly pending = new Set<Promise<unknown>>();
  private readonly waiters = new Set<() => void>();
  /** Set once shutdown begins: answers carry `Connection: close`. */
  draining = false;

  get size(): number {
    return this.pending.size;
  }

  /** Tracks `work` until it settles; returns it unchanged. */
  track<T>(work: Promise<T>): Promise<T> {
    this.pending.add(work);
    const done = () => {
      this.pending.delete(work);
      if (this.pending.size === 0) for (const wake of [...this.waiters]) wake();
    };
    work.then(done, done);
    return work;
  }

  /** Resolves true once nothing is in flight, or false when `ms` passes first. */
  settled(ms: number): Promise<boolean> {
    if (this.pending.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(ok);
      };
      const wake = () => finish(true);
      const timer = setTimeout(() => finish(false), ms);
      this.waiters.add(wake);
    });
  }
}

type NodeMiddleware = (req: IncomingMessage, res: ServerResponse, next?: () => void) => Promise<boolean>;

/** Tracks `res` until its answer is sent or its connection drops. */
function trackResponse(inflight: InFlight, res: ServerResponse): void {
  if (inflight.draining && !res.headersSent) res.setHeader("connection", "close");
  inflight.track(new Promise<void>((resolve) => res.once("close", resolve)));
}

/**
 * Wraps an app function so that the Probot instance it is loaded into counts
 * its work in `inflight`: every delivery's handlers (`webhooks.receive` and
 * `verifyAndReceive`, which the webhook route calls) and every request through
 * the webhook middleware until it is answered.
 */
export function withInFlightTracking(appFn: ApplicationFunction, inflight: InFlight): ApplicationFunction {
  return (app, options) => {
    const webhooks = app.webhooks;
    const receive = webhooks.receive.bind(webhooks);
    const verifyAndReceive = webhooks.verifyAndReceive.bind(webhooks);
    webhooks.receive = (event) => inflight.track(receive(event));
    webhooks.verifyAndReceive = (event) => inflight.track(verifyAndReceive(event));
    const probot = app as Probot & { getNodeMiddleware: Probot["getNodeMiddleware"] };
    const original = probot.getNodeMiddleware.bind(probot);
    probot.getNodeMiddleware = async (...args: Parameters<Probot["getNodeMiddleware"]>) => {
      const middleware = (await original(...args)) as NodeMiddleware;
      const tracked: NodeMiddleware = (req, res, next) => {
        trackResponse(inflight, res);
        return middleware(req, res, next);
      };
      return tracked as Awaited<ReturnType<Probot["getNodeMiddleware"]>>;
    };
    return appFn(app, options);
  };
}

interface LogLike {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface ShutdownOptions {
  inflight: InFlight;
  /** Stops accepting connections (Probot's `Server.stop()`, the metrics listener's `close()`); not awaited past the bound. */
  stop: () => Promise<unknown>;
  log: LogLike;
  timeoutMs: number;
  /** Called with the exit code; `process.exit` in the server. */
  exit: (code: number) => void;
}

/**
 * Installs the SIGTERM and SIGINT handlers (replacing Probot's SIGINT handler,
 * which exits without waiting). Returns the shutdown function, for tests.
 */
export function handleShutdownSignals(opts: ShutdownOptions, signals: readonly NodeJS.Signals[] = ["SIGTERM", "SIGINT"]): (signal: string) => Promise<void> {
  const shutdown = gracefulShutdown(opts);
  for (const signal of signals) {
    process.removeAllListeners(signal);
    process.on(signal, () => void shutdown(signal));
  }
  return shutdown;
}

/** The shutdown sequence: stop accepting, wait for the work in flight within the bound, exit. */
export function gracefulShutdown({ inflight, stop, log, timeoutMs, exit }: ShutdownOptions): (signal: string) => Promise<void> {
  let stopping = false;
  return async (signal) => {
    if (stopping) {
      log.warn({ decision: "shutdown", signal, in_flight: inflight.size }, `${signal} again: exiting now`);
      exit(1);
      return;
    }
    stopping = true;
    inflight.draining = true;
    log.info(
      { decision: "shutdown", signal, in_flight: inflight.size, timeout_ms: timeoutMs },
      `${signal}: no new connections; waiting up to ${timeoutMs} ms for the work in flight (${inflight.size}: deliveries being handled, requests being answered)`,
    );
    void stop().catch(() => undefined);
    const drained = await inflight.settled(timeoutMs);
    if (drained) {
      log.info({ decision: "shutdown", signal, drained: true }, "stopped: the work in flight finished");
      exit(0);
      return;
    }
    log.warn(
      { decision: "shutdown", signal, drained: false, abandoned: inflight.size, timeout_ms: timeoutMs },
      `stopped after SHUTDOWN_TIMEOUT_MS (${timeoutMs} ms) with work unfinished (${inflight.size}: deliveries being handled, requests being answered); their PRs are evaluated again on their next event or sweep`,
    );
    exit(1);
  };
}
