/**
 * The server's configuration, checked before anything starts: every variable
 * at once, so an operator fixes them in one round instead of one per restart.
 * `npm start` writes the problems as one JSON log line (`"decision":"config_invalid"`),
 * each with the variable, what is wrong and how to fix it, and exits 1. Values
 * are never echoed: a misplaced secret must not reach the logs.
 *
 * Without credentials outside production the server serves the setup page
 * (`mode: "setup"`); that is not a problem.
 */
import { createPrivateKey } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";

export interface EnvProblem {
  /** The variable (or file) at fault. */
  variable: string;
  problem: string;
  fix: string;
}

export interface EnvCheck {
  /** `setup`: no credentials, outside production: Probot's setup page is served. */
  mode: "setup" | "configured";
  /** Refuse to start. */
  problems: EnvProblem[];
  /** Start, but say so: a value ignored in favour of its default. */
  warnings: EnvProblem[];
  /** Where the private key comes from, for the start-up log (never the key). */
  keySource: string | null;
}

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];

/** The PEM text Probot would use (its rules: base64, `\n` escapes), or null when it is not a PEM. */
function pemOf(value: string): string | null {
  let key = value.trim();
  if (!key.includes("-----BEGIN")) {
    const decoded = Buffer.from(key, "base64").toString("utf8");
    if (decoded.includes("-----BEGIN")) key = decoded;
  }
  key = key.replace(/\\n/g, "\n");
  return /-----BEGIN (RSA )?PRIVATE KEY-----/.test(key) && /-----END (RSA )?PRIVATE KEY-----/.test(key) ? key : null;
}

/** Why `pem` is not a usable private key, or null. */
function keyProblem(pem: string | null): string | null {
  if (pem === null) return "is not a PEM private key (no -----BEGIN RSA PRIVATE KEY----- / -----BEGIN PRIVATE KEY----- block)";
  try {
    createPrivateKey(pem);
    return null;
  } catch (err) {
    return `cannot be read as a private key (${(err as { code?: string }).code ?? "invalid"})`;
  }
}

const wholeNumber = (raw: string, min: number, max = Number.MAX_SAFE_INTEGER) => {
  const n = Number(raw);
  return /^\s*\d+\s*$/.test(raw) && Number.isSafeInteger(n) && n >= min && n <= max;
};

/** Checks the server's environment (after `.env` is read). `cwd`: where Probot looks for a `.pem` file. */
export function checkEnvironment(env: NodeJS.ProcessEnv, cwd = process.cwd()): EnvCheck {
  const problems: EnvProblem[] = [];
  const warnings: EnvProblem[] = [];
  const production = env.NODE_ENV === "production";
  const set = (name: string) => env[name] !== undefined && env[name] !== "";

  // --- credentials -----------------------------------------------------------
  let keySource: string | null = null;
  let keyReported = false; // a key problem already named (no "missing key" on top)
  if (set("PRIVATE_KEY")) {
    keySource = "PRIVATE_KEY";
    const why = keyProblem(pemOf(env.PRIVATE_KEY!));
    if (why) {
      problems.push({
        variable: "PRIVATE_KEY",
        problem: `PRIVATE_KEY ${why}`,
        fix: "Set PRIVATE_KEY to the whole .pem file the app's settings page generated (newlines may be written \\n), or its base64 on one line; or use PRIVATE_KEY_PATH",
      });
    }
  } else if (set("PRIVATE_KEY_PATH")) {
    const path = resolve(cwd, env.PRIVATE_KEY_PATH!);
    keySource = `PRIVATE_KEY_PATH (${env.PRIVATE_KEY_PATH})`;
    let text: string | null = null;
    let why: string | null = null;
    try {
      if (statSync(path).isDirectory()) why = "is a folder, not a .pem file";
      else text = readFileSync(path, "utf8");
    } catch (err) {
      const code = (err as { code?: string }).code;
      why = code === "ENOENT" ? "names a file that does not exist" : `names a file that cannot be read (${code ?? "error"})`;
    }
    if (text !== null) why = keyProblem(pemOf(text));
    if (why) {
      problems.push({
        variable: "PRIVATE_KEY_PATH",
        problem: `PRIVATE_KEY_PATH ${why}: ${path}`,
        fix: "Point PRIVATE_KEY_PATH at the app's .pem file (readable by the user the server runs as), or set PRIVATE_KEY instead",
      });
    }
  } else {
    let pems: string[] = [];
    try {
      pems = readdirSync(cwd).filter((f) => f.endsWith(".pem"));
    } catch {
      // An unreadable working directory holds no key.
    }
    if (pems.length > 1) {
      keyReported = true;
      problems.push({
        variable: "PRIVATE_KEY_PATH",
        problem: `neither PRIVATE_KEY nor PRIVATE_KEY_PATH is set, and the working directory holds ${pems.length} .pem files (${pems.join(", ")})`,
        fix: "Set PRIVATE_KEY_PATH to the app's .pem file, or leave only that one in the working directory",
      });
    } else if (pems.length === 1) {
      keySource = `${pems[0]} (the .pem file in the working directory)`;
      const why = keyProblem(pemOf(readFileSync(resolve(cwd, pems[0]!), "utf8")));
      if (why) {
        problems.push({ variable: "PRIVATE_KEY_PATH", problem: `${pems[0]} in the working directory ${why}`, fix: "Replace it with the app's .pem file, or set PRIVATE_KEY_PATH to that file" });
      }
    }
  }
  const hasKey = keySource !== null;
  const hasAppId = set("APP_ID");
  if (hasAppId && !wholeNumber(env.APP_ID!, 1)) {
    problems.push({ variable: "APP_ID", problem: "APP_ID is not a number", fix: "Set APP_ID to the App ID on the GitHub App's settings page (a number such as 123456; not the client id)" });
  }
  const setup = !production && !hasAppId && !hasKey;
  if (!setup) {
    if (!hasAppId) {
      problems.push({
        variable: "APP_ID",
        problem: production ? "APP_ID is not set; it is required in production" : "a private key is set but APP_ID is not",
        fix: "Set APP_ID to the App ID on the GitHub App's settings page (a number such as 123456)",
      });
    }
    if (!hasKey && !keyReported) {
      problems.push({
        variable: "PRIVATE_KEY",
        problem: production ? "no private key: neither PRIVATE_KEY nor PRIVATE_KEY_PATH is set" : "APP_ID is set but no private key is (PRIVATE_KEY or PRIVATE_KEY_PATH)",
        fix: "Set PRIVATE_KEY_PATH to the app's .pem file (e.g. a mounted secret), or PRIVATE_KEY to its contents; generate one under the app's settings, Private keys",
      });
    }
  }
  if (production && !set("WEBHOOK_SECRET")) {
    problems.push({
      variable: "WEBHOOK_SECRET",
      problem: 'WEBHOOK_SECRET is not set. In production the app refuses to start without it: Probot would otherwise accept webhooks signed with the public secret "development"',
      fix: "Set WEBHOOK_SECRET to the secret configured on the GitHub App (its settings page, Webhook secret)",
    });
  }

  // --- the server -------------------------------------------------------------
  for (const name of ["PORT", "METRICS_PORT"]) {
    if (set(name) && !wholeNumber(env[name]!, 1, 65535)) {
      problems.push({ variable: name, problem: `${name} is not a port number (1 to 65535)`, fix: `Set ${name} to a free TCP port such as ${name === "PORT" ? 3000 : 9090}, or unset it` });
    }
  }
  if (set("METRICS_PORT") && env.METRICS_PORT!.trim() === (env.PORT?.trim() || "3000")) {
    problems.push({ variable: "METRICS_PORT", problem: "METRICS_PORT is the webhook port (PORT)", fix: "Give METRICS_PORT a port of its own (e.g. 9090), or unset it to serve /metrics on the webhook port" });
  }
  if (set("WEBHOOK_PATH") && !env.WEBHOOK_PATH!.startsWith("/")) {
    problems.push({ variable: "WEBHOOK_PATH", problem: "WEBHOOK_PATH does not start with /", fix: "Set WEBHOOK_PATH to a path such as /api/github/webhooks (the default), matching the app's Webhook URL" });
  }
  if (set("LOG_LEVEL") && !LOG_LEVELS.includes(env.LOG_LEVEL!)) {
    problems.push({ variable: "LOG_LEVEL", problem: "LOG_LEVEL is not a log level", fix: `Set LOG_LEVEL to one of ${LOG_LEVELS.join(", ")} (default info)` });
  }
  if (set("LOG_FORMAT") && env.LOG_FORMAT !== "json" && env.LOG_FORMAT !== "pretty") {
    problems.push({ variable: "LOG_FORMAT", problem: "LOG_FORMAT is neither json nor pretty", fix: "Set LOG_FORMAT to json (one JSON object per line, for log shipping) or pretty (a terminal)" });
  }
  if (set("GHE_HOST") && !/^[A-Za-z0-9.-]+(:\d+)?$/.test(env.GHE_HOST!)) {
    problems.push({
      variable: "GHE_HOST",
      problem: "GHE_HOST is not a host name (a scheme, path or space in it?)",
      fix: "Set GHE_HOST to the server's host name only, e.g. github.example.com; the protocol goes in GHE_PROTOCOL",
    });
  }
  if (set("ORG_FLOOR") && env.ORG_FLOOR !== "true" && env.ORG_FLOOR !== "false") {
    // Only `true` turns the floor on: a `1` or `yes` meant as on would leave every repository without it.
    problems.push({ variable: "ORG_FLOOR", problem: "ORG_FLOOR is neither true nor false", fix: "Set ORG_FLOOR=true to apply the `floor:` of each organization's .github repository, or unset it" });
  }
  if (set("REMEMBER_OWN_WRITES") && env.REMEMBER_OWN_WRITES !== "true" && env.REMEMBER_OWN_WRITES !== "false") {
    // A `0` or `off` meant to turn the memo off during a rolling deploy would leave it on.
    problems.push({ variable: "REMEMBER_OWN_WRITES", problem: "REMEMBER_OWN_WRITES is neither true nor false", fix: "Set REMEMBER_OWN_WRITES=false to read the app's own check runs back on every event (two processes at once), or unset it" });
  }
  if (set("GHE_PROTOCOL") && env.GHE_PROTOCOL !== "https" && env.GHE_PROTOCOL !== "http") {
    problems.push({ variable: "GHE_PROTOCOL", problem: "GHE_PROTOCOL is neither https nor http", fix: "Set GHE_PROTOCOL to https (the default) or http" });
  }
  if (set("REDIS_URL")) {
    let ok = false;
    try {
      ok = ["redis:", "rediss:"].includes(new URL(env.REDIS_URL!).protocol);
    } catch {
      ok = false;
    }
    if (!ok) problems.push({ variable: "REDIS_URL", problem: "REDIS_URL is not a redis:// or rediss:// URL", fix: "Set REDIS_URL to e.g. redis://:password@redis:6379/0 (rediss:// for TLS), or unset it for a single replica" });
  }
  if (set("WEBHOOK_PROXY_URL")) {
    let ok = false;
    try {
      ok = ["http:", "https:"].includes(new URL(env.WEBHOOK_PROXY_URL!).protocol);
    } catch {
      ok = false;
    }
    if (!ok) problems.push({ variable: "WEBHOOK_PROXY_URL", problem: "WEBHOOK_PROXY_URL is not an http(s) URL", fix: "Set it to a smee.io channel such as https://smee.io/AbC123, or unset it" });
    else if (production) warnings.push({ variable: "WEBHOOK_PROXY_URL", problem: "WEBHOOK_PROXY_URL is set in production: deliveries come through smee.io", fix: "Unset WEBHOOK_PROXY_URL and set the app's Webhook URL to this server" });
  }

  // --- tunables with a documented default: a bad value is reported, the default used
  const tunables: [string, number, string][] = [
    ["GITHUB_REQUEST_TIMEOUT_MS", 1, "10000"],
    ["WEBHOOK_MAX_BODY_BYTES", 1, "26214400"],
    ["SHUTDOWN_TIMEOUT_MS", 0, "8000"],
    ["ESCALATION_SWEEP_MINUTES", 0, "10"],
  ];
  for (const [name, min, fallback] of tunables) {
    if (set(name) && !(Number.isFinite(Number(env[name])) && Number(env[name]) >= min && (name === "ESCALATION_SWEEP_MINUTES" || wholeNumber(env[name]!, min)))) {
      warnings.push({ variable: name, problem: `${name} is not a number of ${min} or more; ${fallback} is used`, fix: `Set ${name} to a whole number of ${min} or more, or unset it` });
    }
  }
  if (existsSync(resolve(cwd, ".env"))) {
    try {
      if ((statSync(resolve(cwd, ".env")).mode & 0o077) !== 0 && /^\s*PRIVATE_KEY\s*=/m.test(readFileSync(resolve(cwd, ".env"), "utf8"))) {
        warnings.push({ variable: ".env", problem: ".env holds the private key and other users on this machine can read it", fix: "chmod 600 .env (the setup flow now writes it so)" });
      }
    } catch {
      // Unreadable: nothing to say about it here.
    }
  }
  return { mode: setup ? "setup" : "configured", problems, warnings, keySource };
}

/** Why the environment is unsafe to start with, or null (the webhook secret check, kept for callers of the first version). */
export function unsafeEnvironment(env: NodeJS.ProcessEnv): string | null {
  if (env.NODE_ENV === "production" && !env.WEBHOOK_SECRET) {
    return (
      "WEBHOOK_SECRET is not set. In production the app refuses to start without it: " +
      'Probot would otherwise accept webhooks signed with the public secret "development". ' +
      "Set WEBHOOK_SECRET to the secret configured on the GitHub App."
    );
  }
  return null;
}

/** pino's numeric levels, for a log line written before Probot's logger exists. */
const LEVELS = { info: 30, warn: 40, error: 50, fatal: 60 } as const;

/**
 * One log line in the shape Probot's JSON logs have (`level`, `time`, `msg`,
 * fields), written before Probot's logger exists.
 */
export function logLine(level: keyof typeof LEVELS, fields: object, msg: string, env: NodeJS.ProcessEnv = process.env): string {
  const lvl = env.LOG_LEVEL_IN_STRING === "true" ? level : LEVELS[level];
  const key = env.LOG_MESSAGE_KEY || "msg";
  return `${JSON.stringify({ level: lvl, time: Date.now(), name: "agent-governance", ...fields, [key]: msg })}\n`;
}

/** The start-up refusal: one JSON line listing every problem and its fix. */
export function problemsLine(check: EnvCheck, env: NodeJS.ProcessEnv = process.env): string {
  const n = check.problems.length;
  return logLine(
    "fatal",
    { decision: "config_invalid", problems: check.problems, ...(check.warnings.length ? { warnings: check.warnings } : {}) },
    `cannot start: ${n} configuration problem${n === 1 ? "" : "s"} (${check.problems.map((p) => p.variable).join(", ")}); each has its fix`,
    env,
  );
}
