/**
 * Vitest's global setup: every temporary folder the tests make goes under one
 * folder for the run, removed when the run ends. The tests call `os.tmpdir()`
 * (through `mkdtempSync(join(tmpdir(), …))` in many places); `os.tmpdir()`
 * reads `TMPDIR`, which the test workers inherit from here. Before, each run
 * left some sixty folders in the OS temp folder.
 *
 * A run that is killed leaves its folder behind: folders of earlier runs older
 * than a day are removed at the start (a run in progress elsewhere is younger).
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const PREFIX = "agent-governance-test-";
const DAY_MS = 24 * 60 * 60 * 1000;

export default function setup(): () => void {
  const base = tmpdir();
  for (const name of readdirSync(base)) {
    if (!name.startsWith(PREFIX)) continue;
    try {
      if (Date.now() - statSync(join(base, name)).mtimeMs > DAY_MS) rmSync(join(base, name), { recursive: true, force: true });
    } catch {
      // Another user's, or gone already.
    }
  }
  const dir = mkdtempSync(join(base, PREFIX));
  process.env.TMPDIR = dir;
  process.env.AGENT_GOVERNANCE_TEST_TMP = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
