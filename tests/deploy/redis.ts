/**
 * A throwaway redis-server for tests: on a free loopback port, no persistence.
 * `REDIS_TEST_URL` points the tests at an existing server instead. Where neither
 * can be had, `startRedis` returns the reason, and the tests skip printing it.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

export interface TestRedis {
  url: string;
  stop: () => Promise<void>;
}

/** A TCP port free on the loopback interface right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
      .on("error", reject)
      .listen(0, "127.0.0.1", () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
  });
}

export async function startRedis(): Promise<TestRedis | { skip: string }> {
  if (process.env.REDIS_TEST_URL) return { url: process.env.REDIS_TEST_URL, stop: async () => {} };
  if (spawnSync("redis-server", ["--version"]).error) {
    return { skip: "redis-server is not installed (`.ci/run` installs it from Debian's package) and REDIS_TEST_URL is unset" };
  }
  const port = await freePort();
  const child: ChildProcess = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const ready = await new Promise<boolean>((resolve) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      if (/Ready to accept connections/i.test(output)) resolve(true);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", () => resolve(false));
    child.on("error", () => resolve(false));
  });
  if (!ready) return { skip: `redis-server did not start: ${output.trim().split("\n").pop() ?? "no output"}` };
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
