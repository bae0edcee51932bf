/** `.env` as the setup flow writes it: owner-only (0600), merged, and read back exactly (the PEM included). */
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { envLine, readEnvFile, writeEnvFile } from "../../src/server/env-file.js";
import { PRIVATE_KEY } from "../helpers/app.js";

const dir = () => mkdtempSync(join(tmpdir(), "ag-env-"));
const mode = (path: string) => statSync(path).mode & 0o777;
const saved = { ...process.env };
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
});

describe("writeEnvFile", () => {
  it("writes .env with mode 0600, whatever the umask", () => {
    const d = dir();
    const old = process.umask(0o000);
    try {
      writeEnvFile({ APP_ID: "123", PRIVATE_KEY: `"${PRIVATE_KEY}"`, WEBHOOK_SECRET: "s3cret" }, d);
    } finally {
      process.umask(old);
    }
    expect(mode(join(d, ".env"))).toBe(0o600);
  });

  it("replaces a .env others could read by a private one, keeping what it held", () => {
    const d = dir();
    writeFileSync(join(d, ".env"), "WEBHOOK_PROXY_URL=https://smee.io/abc\n");
    chmodSync(join(d, ".env"), 0o644);
    writeEnvFile({ APP_ID: "123" }, d);
    expect(mode(join(d, ".env"))).toBe(0o600);
    expect(readEnvFile(d)).toEqual({ WEBHOOK_PROXY_URL: "https://smee.io/abc", APP_ID: "123" });
  });

  it("reads back what it wrote: the PEM Probot passes in quotes, and values with spaces or quotes", () => {
    const d = dir();
    const values = { PRIVATE_KEY: PRIVATE_KEY, A: "two words", B: `it's "quoted"`, C: "" };
    writeEnvFile({ ...values, PRIVATE_KEY: `"${PRIVATE_KEY}"` }, d);
    expect(readEnvFile(d)).toEqual(values);
    expect(parseEnv(readFileSync(join(d, ".env"), "utf8")).PRIVATE_KEY).toBe(PRIVATE_KEY);
    expect(process.env.PRIVATE_KEY).toBe(PRIVATE_KEY);
    expect(envLine("K", "plain")).toBe("K=plain");
  });
});
