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
