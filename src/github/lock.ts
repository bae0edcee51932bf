/**
 * The escalation sweep's lock: with several replicas and `REDIS_URL`, one
 * replica sweeps at a time. The lock is a Redis key set with NX and a TTL,
 * holding a random token; it is renewed while the sweep runs and released only
 * by its holder (compare-and-delete), so a replica that dies mid-sweep frees it
 * after the TTL. Without `REDIS_URL` there is one process and no lock: the sweep
 * runs, and a sweep still running in this process is never started twice.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";

export type SweepLockResult<T> =
  | { ran: true; value: T; locked: boolean }
  | { ran: false; reason: "held" | "busy" | "error"; message?: string };

export interface SweepLockLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface SweepLockOptions {
  /** Defaults to `process.env.REDIS_URL`; unset or empty means no lock. */
  redisUrl?: string;
  /** The Redis key; one per sweep kind. */
  key?: string;
  /** How long the lock outlives a replica that died holding it. Renewed every third of it. */
  ttlMs?: number;
  log?: SweepLockLog;
}

export interface SweepLock {
  /** Runs `fn` when this process gets the lock; otherwise says why not. Never throws for lock trouble. */
  run<T>(fn: () => Promise<T>): Promise<SweepLockResult<T>>;
  close(): Promise<void>;
}

export const DEFAULT_SWEEP_LOCK_KEY = "agent-governance:escalation-sweep";
const DEFAULT_TTL_MS = 5 * 60_000;

const RENEW = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function createSweepLock(options: SweepLockOptions = {}): SweepLock {
  const url = options.redisUrl ?? process.env.REDIS_URL ?? "";
  const key = options.key ?? DEFAULT_SWEEP_LOCK_KEY;
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  const log = options.log;
  let running = false;
  let client: Redis | null = null;

  const redis = (): Redis => {
    if (!client) {
      // lazyConnect: no connection until the first sweep; errors surface on the command.
      client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5_000 });
      // Without a listener ioredis prints every reconnect failure; the command's own error is logged instead.
      client.on("error", () => {});
    }
    return client;
  };

  async function runLocked<T>(fn: () => Promise<T>): Promise<SweepLockResult<T>> {
    const token = randomUUID();
    let acquired: string | null;
    try {
      acquired = await redis().set(key, token, "PX", ttlMs, "NX");
    } catch (err) {
      log?.warn({ lock: key, err: { message: messageOf(err) } }, "sweep lock: Redis unavailable; skipping this sweep");
      return { ran: false, reason: "error", message: messageOf(err) };
    }
    if (acquired !== "OK") {
      log?.info({ lock: key }, "sweep lock held by another replica; skipping this sweep");
      return { ran: false, reason: "held" };
    }
    const renew = setInterval(() => {
      redis()
        .eval(RENEW, 1, key, token, String(ttlMs))
        .then((kept) => {
          if (kept !== 1) log?.warn({ lock: key }, "sweep lock lost while sweeping (expired or taken over)");
        })
        .catch((err: unknown) => log?.warn({ lock: key, err: { message: messageOf(err) } }, "sweep lock: renewal failed"));
    }, Math.max(1, Math.floor(ttlMs / 3)));
    renew.unref();
    try {
      return { ran: true, value: await fn(), locked: true };
    } finally {
      clearInterval(renew);
      await redis()
        .eval(RELEASE, 1, key, token)
        .catch((err: unknown) => log?.warn({ lock: key, err: { message: messageOf(err) } }, "sweep lock: release failed; it expires after its TTL"));
    }
  }

  return {
    async run<T>(fn: () => Promise<T>): Promise<SweepLockResult<T>> {
      if (running) return { ran: false, reason: "busy" };
      running = true;
      try {
        if (!url) return { ran: true, value: await fn(), locked: false };
        return await runLocked(fn);
      } finally {
        running = false;
      }
    },
    async close(): Promise<void> {
      const c = client;
      client = null;
      if (!c) return;
      if (c.status === "ready") await c.quit().catch(() => c.disconnect());
      else c.disconnect();
    },
  };
}

let shared: SweepLock | null = null;

/**
 * Runs the escalation sweep under the process's shared lock (REDIS_URL from the
 * environment): `fn` runs when no other replica is sweeping, and immediately
 * when REDIS_URL is unset.
 */
export function withSweepLock<T>(fn: () => Promise<T>, log?: SweepLockLog): Promise<SweepLockResult<T>> {
  shared ??= createSweepLock({ log });
  return shared.run(fn);
}

/**
 * Evaluations of one PR, one at a time across replicas. Within a process the PR's queue
 * (KeyedQueue) orders them; with several replicas two evaluations of one PR could each read,
 * and the one that read first could write last, replacing a verdict computed from newer facts.
 * With `REDIS_URL` each evaluation of a PR holds that PR's key in Redis from its first read to its
 * last write, so the evaluation that reads later also writes later. A holder that dies frees the
 * key after the TTL; a wait longer than `waitMs`, or Redis being unreachable, runs the evaluation
 * unlocked (logged): a late verdict is better than none, and the next event re-evaluates.
 */
export interface PullLock {
  run<T>(key: string, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface PullLockOptions {
  /** Defaults to `process.env.REDIS_URL`; unset or empty means no lock (one process). */
  redisUrl?: string;
  /** How long a key outlives a replica that died holding it. Renewed every third of it. */
  ttlMs?: number;
  /** The longest an evaluation waits for another replica's evaluation of the same PR. */
  waitMs?: number;
  /** How often a waiting replica asks again. */
  pollMs?: number;
  log?: SweepLockLog;
}

export const PULL_LOCK_PREFIX = "agent-governance:pull:";

export function createPullLock(options: PullLockOptions = {}): PullLock {
  const url = options.redisUrl ?? process.env.REDIS_URL ?? "";
  const ttlMs = options.ttlMs ?? 60_000;
  const waitMs = options.waitMs ?? 30_000;
  const pollMs = options.pollMs ?? 50;
  const log = options.log;
  let client: Redis | null = null;
  const redis = (): Redis => {
    if (!client) {
      client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5_000 });
      client.on("error", () => {});
    }
    return client;
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** Takes the key, waiting for another holder up to `waitMs`; null when it runs unlocked. */
  async function acquire(key: string): Promise<string | null> {
    const token = randomUUID();
    const until = Date.now() + waitMs;
    for (;;) {
      try {
        if ((await redis().set(key, token, "PX", ttlMs, "NX")) === "OK") return token;
      } catch (err) {
        log?.warn({ lock: key, decision: "pull_lock_unavailable", err: { message: messageOf(err) } }, "pull lock: Redis unavailable; evaluating unlocked");
        return null;
      }
      if (Date.now() >= until) {
        log?.warn({ lock: key, decision: "pull_lock_timeout", wait_ms: waitMs }, "pull lock: another replica held it too long; evaluating unlocked");
        return null;
      }
      await sleep(pollMs);
    }
  }

  return {
    async run<T>(name: string, fn: () => Promise<T>): Promise<T> {
      if (!url) return fn();
      const key = `${PULL_LOCK_PREFIX}${name}`;
      const token = await acquire(key);
      if (token === null) return fn();
      const renew = setInterval(() => {
        redis()
          .eval(RENEW, 1, key, token, String(ttlMs))
          .catch(() => undefined);
      }, Math.max(1, Math.floor(ttlMs / 3)));
      renew.unref();
      try {
        return await fn();
      } finally {
        clearInterval(renew);
        await redis()
          .eval(RELEASE, 1, key, token)
          .catch(() => undefined);
      }
    },
    async close(): Promise<void> {
      const c = client;
      client = null;
      if (!c) return;
      if (c.status === "ready") await c.quit().catch(() => c.disconnect());
      else c.disconnect();
    },
  };
}
