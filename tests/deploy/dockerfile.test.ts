/**
 * The container image. Docker is not on every machine: the Dockerfile's
 * essentials are asserted everywhere, and the image is built (and its health
 * check run) only where `docker info` succeeds.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
const dockerignore = readFileSync(join(ROOT, ".dockerignore"), "utf8").split("\n").map((l) => l.trim());
/** Instructions, with line continuations joined and comments dropped. */
const instructions = dockerfile
  .replace(/\\\n/g, " ")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith("#"));
const stages = instructions.filter((l) => /^FROM /i.test(l));
const runtime = instructions.slice(instructions.lastIndexOf(stages.at(-1)!));

describe("Dockerfile essentials", () => {
  it("is multi-stage, every stage on the same Node LTS line (even major, 26 'Lithium' or later)", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const majors = stages.map((l) => Number(/^FROM node:(\d+)[-.\w]*/i.exec(l)?.[1]));
    for (const major of majors) {
      expect(major % 2).toBe(0); // odd majors never become LTS
      expect(major).toBeGreaterThanOrEqual(26); // 26 has been the Active LTS since 2026-10-28
    }
    expect(new Set(majors).size).toBe(1);
  });

  it("installs production dependencies only in the runtime stage, and copies the build from the build stage", () => {
    expect(runtime.some((l) => /^RUN npm ci\b.*--omit=dev/.test(l))).toBe(true);
    expect(runtime.some((l) => /^COPY --from=build .*dist/.test(l))).toBe(true);
    expect(runtime.some((l) => /^COPY (\.|src)\b/.test(l))).toBe(false);
  });

  it("runs as a non-root user, listening on 0.0.0.0 in production mode", () => {
    const user = runtime.filter((l) => /^USER /.test(l)).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER (root|0)(:|$)/);
    const env = runtime.filter((l) => /^ENV /.test(l)).join(" ");
    expect(env).toMatch(/\bHOST=0\.0\.0\.0\b/);
    expect(env).toMatch(/\bNODE_ENV=production\b/);
    expect(env).toMatch(/\bLOG_FORMAT=json\b/);
  });

  it("checks health on /healthz and starts the compiled server", () => {
    expect(runtime.some((l) => /^HEALTHCHECK .*\/healthz/.test(l))).toBe(true);
    expect(runtime.at(-1)).toBe('CMD ["node", "dist/main.js"]');
  });

  it("pins every stage's base image by digest, the same one throughout", () => {
    const images = stages.map((l) => /^FROM (\S+)/i.exec(l)![1]!);
    for (const image of images) expect(image).toMatch(/^node:[\w.-]+@sha256:[0-9a-f]{64}$/);
    expect(new Set(images).size).toBe(1);
  });

  it("runs Node under an init (tini from the distribution) that forwards SIGTERM, and stops with SIGTERM", () => {
    expect(runtime.some((l) => /^RUN .*apt-get install .*\btini\b/.test(l))).toBe(true);
    const entrypoint = runtime.filter((l) => /^ENTRYPOINT /.test(l)).at(-1);
    expect(entrypoint).toBe('ENTRYPOINT ["/usr/bin/tini", "--"]');
    expect(runtime.filter((l) => /^STOPSIGNAL /.test(l))).toEqual(["STOPSIGNAL SIGTERM"]);
    // Exec form: Node is tini's child, not a shell's, so the signal reaches it.
    expect(runtime.at(-1)).toMatch(/^CMD \[/);
  });

  it("keeps credentials and local state out of the build context", () => {
    for (const entry of [".env", "*.pem", "node_modules", ".git"]) expect(dockerignore).toContain(entry);
  });
});

const docker = spawnSync("docker", ["info"], { stdio: "ignore" });
const noDocker = docker.error || docker.status !== 0 ? "the Docker engine is not available here (`docker info` failed)" : false;
if (noDocker) console.warn(`tests/deploy/dockerfile.test.ts: image build skipped: ${noDocker}`);

describe.skipIf(noDocker)("docker build", () => {
  it("builds the image, which runs as a non-root user", { timeout: 600_000 }, () => {
    const tag = `agent-governance-test:${process.pid}`;
    try {
      execFileSync("docker", ["build", "-t", tag, ROOT], { stdio: "inherit" });
      const user = execFileSync("docker", ["run", "--rm", "--entrypoint", "id", tag, "-u"], { encoding: "utf8" }).trim();
      expect(user).not.toBe("0");
      const node = execFileSync("docker", ["run", "--rm", "--entrypoint", "node", tag, "-p", "process.versions.node"], { encoding: "utf8" });
      expect(Number(node.split(".")[0]) % 2).toBe(0);
      // `docker stop`: SIGTERM through tini reaches Node, which stops with 0 (here serving the setup page: no credentials).
      const name = `agent-governance-test-${process.pid}`;
      execFileSync("docker", ["run", "-d", "--name", name, "-e", "NODE_ENV=development", "-e", "NO_SMEE_SETUP=true", tag]);
      try {
        execFileSync("docker", ["stop", "-t", "20", name]);
        const code = execFileSync("docker", ["inspect", "-f", "{{.State.ExitCode}}", name], { encoding: "utf8" }).trim();
        expect(code).toBe("0");
      } finally {
        spawnSync("docker", ["rm", "-f", name], { stdio: "ignore" });
      }
    } finally {
      spawnSync("docker", ["rmi", "-f", tag], { stdio: "ignore" });
    }
  });
});
