/**
 * The escalation sweep's lock, against a real redis-server: two replicas, one
 * sweep at a time; a replica never releases a lock it no longer holds; Probot
 * itself shares its rate-limit state through the same Redis.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { createSweepLock, type SweepLockLog } from "../../src/github/lock.js";
import { startRedis } from "./redis.js";

const PRIVATE_KEY_PATH = fileURLToPath(new URL("../fixtures/private-key.pem", import.meta.url));
const execFileAsync = promisify(execFile);
const REPLICA = fileURLToPath(new URL("./probot-replica.mjs", import.meta.url));

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function captureLog(): SweepLockLog & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (obj, msg) => lines.push(JSON.stringify({ ...obj, msg })),
    warn: (obj, msg) => lines.push(JSON.stringify({ ...obj, msg })),
  };
}

let keyCount = 0;
const freshKey = () => `agent-governance:test-lock:${process.pid}:${++keyCount}`;

describe("without REDIS_URL", () => {
  it("runs the sweep directly, unlocked", async () => {
    const lock = createSweepLock({ redisUrl: "" });
    expect(await lock.run(async () => 42)).toEqual({ ran: true, value: 42, locked: false });
  });

  it("never starts a second sweep in the process while one runs", async () => {
    const lock = createSweepLock({ redisUrl: "" });
    const gate = deferred();
    const first = lock.run(() => gate.promise.then(() => "first"));
    expect(await lock.run(async () => "second")).toEqual({ ran: false, reason: "busy" });
    gate.resolve();
    expect(await first).toEqual({ ran: true, value: "first", locked: false });
    expect(await lock.run(async () => "third")).toEqual({ ran: true, value: "third", locked: false });
  });
});

describe("when Redis cannot be reached", () => {
  it("skips the sweep with a logged reason, never throws, never logs the URL's password", async () => {
    const log = captureLog();
    const lock = createSweepLock({ redisUrl: "redis://:hunter2-redis-pass@127.0.0.1:1", key: freshKey(), log });
    let called = false;
    const result = await lock.run(async () => {
      called = true;
    });
    await lock.close();
    expect(result).toMatchObject({ ran: false, reason: "error" });
    expect(called).toBe(false);
    expect(log.lines.join("\n")).toMatch(/Redis unavailable; skipping this sweep/);
    expect(log.lines.join("\n")).not.toContain("hunter2-redis-pass");
  });
});

const redis = await startRedis();
const skip = "skip" in redis ? redis.skip : false;
if (skip) console.warn(`tests/deploy/lock.test.ts: Redis tests skipped: ${skip}`);
const url = "url" in redis ? redis.url : "";
afterAll(async () => {
  if ("stop" in redis) await redis.stop();
});

describe.skipIf(skip)("with Redis: two replicas", () => {
  it("lets one replica sweep at a time; the other skips, then sweeps once the lock is free", async () => {
    const key = freshKey();
    const replicaA = createSweepLock({ redisUrl: url, key });
    const replicaB = createSweepLock({ redisUrl: url, key });
    const started = deferred();
    const gate = deferred();
    const a = replicaA.run(async () => {
      started.resolve();
      await gate.promise;
      return "swept by A";
    });
    await started.promise;
    expect(await replicaB.run(async () => "swept by B")).toEqual({ ran: false, reason: "held" });
    gate.resolve();
    expect(await a).toEqual({ ran: true, value: "swept by A", locked: true });
    expect(await replicaB.run(async () => "swept by B")).toEqual({ ran: true, value: "swept by B", locked: true });
    await Promise.all([replicaA.close(), replicaB.close()]);
  });

  it("holds the lock with a TTL while sweeping and removes it afterwards", async () => {
    const key = freshKey();
    const client = new Redis(url);
    const lock = createSweepLock({ redisUrl: url, key, ttlMs: 60_000 });
    const seen = await lock.run(async () => ({ ttl: await client.pttl(key), value: await client.get(key) }));
    expect(seen.ran).toBe(true);
    if (!seen.ran) return;
    expect(seen.value.ttl).toBeGreaterThan(0);
    expect(seen.value.ttl).toBeLessThanOrEqual(60_000);
    expect(seen.value.value).toMatch(/^[0-9a-f-]{36}$/);
    expect(await client.exists(key)).toBe(0);
    await lock.close();
    client.disconnect();
  });

  it("a replica whose lock expired mid-sweep does not release the new holder's lock", async () => {
    const key = freshKey();
    const client = new Redis(url);
    const [a, b, c] = [createSweepLock({ redisUrl: url, key }), createSweepLock({ redisUrl: url, key }), createSweepLock({ redisUrl: url, key })];
    const aStarted = deferred();
    const aGate = deferred();
    const aRun = a.run(async () => {
      aStarted.resolve();
      await aGate.promise;
    });
    await aStarted.promise;
    await client.del(key); // A's lock expires (A stalled past the TTL)
    const bStarted = deferred();
    const bGate = deferred();
    const bRun = b.run(async () => {
      bStarted.resolve();
      await bGate.promise;
    });
    await bStarted.promise;
    aGate.resolve();
    expect(await aRun).toMatchObject({ ran: true, locked: true });
    // A finished, but B still holds the lock: a third replica must wait.
    expect(await c.run(async () => "c")).toEqual({ ran: false, reason: "held" });
    bGate.resolve();
    await bRun;
    expect(await c.run(async () => "c")).toEqual({ ran: true, value: "c", locked: true });
    await Promise.all([a.close(), b.close(), c.close()]);
    client.disconnect();
  });

  it("Probot replicas (separate processes) share one rate limiter in Redis, through the installed ioredis", async () => {
    const api = createServer((req, res) => {
      res.writeHead(req.url === "/app" ? 200 : 404, { "content-type": "application/json" }).end('{"id":123}');
    });
    await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
    const baseUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    const client = new Redis(url);
    const CLIENTS = "b_octokit-global-no-id_client_last_registered"; // Bottleneck's registry of limiter clients
    const before = await client.zcard(CLIENTS);
    try {
      for (const _replica of [1, 2]) {
        // Async, so this process's API server answers while the replica runs.
        const r = await execFileAsync(process.execPath, [REPLICA, url, baseUrl, PRIVATE_KEY_PATH], { encoding: "utf8" });
        expect(r.stderr).toBe("");
        expect(r.stdout).toBe("ok 123\n");
      }
      // Both replicas registered with the one limiter kept in Redis.
      expect((await client.zcard(CLIENTS)) - before).toBe(2);
    } finally {
      client.disconnect();
      api.close();
    }
  });
});
