/** The tests' temporary folders live under one folder per run (tests/helpers/temp-root.ts), removed at its end. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { PREFIX } from "./temp-root.js";

describe("temporary folders", () => {
  it("are made under this run's folder", () => {
    const root = process.env.AGENT_GOVERNANCE_TEST_TMP;
    expect(root && basename(root).startsWith(PREFIX)).toBe(true);
    expect(tmpdir()).toBe(root);
    const dir = mkdtempSync(join(tmpdir(), "ag-example-"));
    expect(dirname(dir)).toBe(root);
  });
});
