/** Bad facts files get a clear answer per file, never a crash of the whole run (in process, for speed). */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { factsProblem, main } from "../../src/cli.js";
import { tempDir } from "./run.js";

function run(args: string[]) {
  const out = { stdout: "", stderr: "" };
  const io = { stdout: { write: (s: string) => (out.stdout += s) }, stderr: { write: (s: string) => (out.stderr += s) } };
  return main(args, io).then((code) => ({ code, ...out }));
}

const sha = "a".repeat(40);

describe("facts files", () => {
  it("names what is wrong with a facts object", () => {
    expect(factsProblem([])).toBe("not a PullFacts file (no `pull` object)");
    expect(factsProblem({ pull: { number: 1 } })).toBe("`pull.head.sha` is missing");
    expect(factsProblem({ pull: { head: { sha } }, files: {} })).toBe("`files` must be a list");
    expect(factsProblem({ pull: { head: { sha } }, teams: [] })).toBe("`teams` must be a mapping");
    expect(factsProblem({ pull: { head: { sha } } })).toBeNull();
  });

  it("any JSON in a facts file: exit 0 with one Evaluation, or exit 1 with one stderr line naming the file", async () => {
    const dir = tempDir();
    const file = join(dir, "pr.json");
    const json = fc.oneof(
      fc.jsonValue(),
      fc.record({ pull: fc.jsonValue() }),
      fc.record({
        pull: fc.record({ number: fc.jsonValue(), user: fc.jsonValue(), head: fc.record({ sha: fc.constant(sha), ref: fc.jsonValue() }), title: fc.jsonValue(), body: fc.jsonValue(), labels: fc.jsonValue() }, { requiredKeys: ["head"] }),
        files: fc.array(fc.jsonValue(), { maxLength: 3 }),
        commits: fc.array(fc.jsonValue(), { maxLength: 3 }),
        reviews: fc.array(fc.jsonValue(), { maxLength: 3 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(json, async (value) => {
        writeFileSync(file, JSON.stringify(value));
        const r = await run(["explain", "--facts", file, "--format", "jsonl", "--now", "2025-01-01T00:00:00Z"]);
        if (r.code === 0) {
          expect(r.stderr).toBe("");
          expect(JSON.parse(r.stdout)).toHaveProperty("conclusion");
        } else {
          expect(r.code).toBe(1);
          expect(r.stdout).toBe("");
          expect(r.stderr.startsWith(`${file}: `)).toBe(true);
          expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
        }
      }),
      { numRuns: 200 },
    );
  });
});
