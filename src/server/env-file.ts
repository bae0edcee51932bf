/**
 * `.env`, as the setup flow writes it: the app's id, private key and webhook
 * secret (and a smee.io channel). Probot's own writer leaves the file with the
 * default mode (0644 under the usual umask: readable by every user on the
 * machine); this one writes it 0600, owner only, through a temporary file
 * renamed into place, so the key is never readable by others, even for a moment,
 * and a `.env` that was wider before is replaced by a private one.
 */
import { chmodSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";

export const ENV_FILE_MODE = 0o600;

/** Reads `.env` in `dir` (nothing when there is none). */
export function readEnvFile(dir = process.cwd()): Record<string, string> {
  try {
    return parseEnv(readFileSync(join(dir, ".env"), "utf8")) as Record<string, string>;
  } catch (err) {
    if ((err as { code?: string }).code === "ENOENT") return {};
    throw err;
  }
}

/** A value without the double quotes Probot wraps the PEM in. */
const unquote = (v: string) => (v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v);

/** One `KEY=value` line that `parseEnv` (Node, Probot) reads back as `value`. */
export function envLine(key: string, value: string): string {
  // A PEM: double quotes, where \n is read back as a newline.
  if (/[\r\n]/.test(value)) return `${key}="${value.replace(/\r?\n/g, "\\n")}"`;
  if (value !== "" && !/[\s"'`#\\]/.test(value)) return `${key}=${value}`;
  const quote = ["'", '"', "`"].find((q) => !value.includes(q)) ?? "'";
  return `${key}=${quote}${value}${quote}`;
}

/**
 * Merges `values` into `dir/.env` (mode 0600) and into `process.env`; returns
 * the merged values. The signature of Probot's `updateEnv`, for `run()`'s
 * `updateEnv` option.
 */
export function writeEnvFile(values: Record<string, string | undefined>, dir = process.cwd()): Record<string, string> {
  const merged: Record<string, string> = { ...readEnvFile(dir) };
  for (const [key, value] of Object.entries(values)) if (value !== undefined) merged[key] = unquote(value);
  const path = join(dir, ".env");
  const tmp = join(dir, `.env.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, `${Object.entries(merged).map(([k, v]) => envLine(k, v)).join("\n")}\n`, { mode: ENV_FILE_MODE, flag: "wx" });
    chmodSync(tmp, ENV_FILE_MODE); // whatever the umask
    renameSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
  Object.assign(process.env, merged);
  return merged;
}
