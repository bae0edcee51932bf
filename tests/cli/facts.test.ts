/** Bad facts files get a clear answer per file, never a crash of the whole run (in process, for speed). */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { factsProblem, jsonErrorAt, main } from "../../src/cli.js";
import { BACKTEST, tempDir } from "./run.js";

function run(args: string[]) {
  const out = { stdout: "", stderr: "" };
  const io = { stdout: { write: (s: string) => (out.stdout += s) }, stderr: { write: (s: string) => (out.stderr += s) } };
  return main(args, io).then((code) => ({ code, ...out }));
}

const sha = "a".repeat(40);

describe("where a JSON mistake is", () => {
  it("turns JSON.parse's offset into the line and column of the character it stopped at", () => {
    fc.assert(
      fc.property(fc.array(fc.json(), { minLength: 1, maxLength: 4 }), fc.constantFrom("}", ",", ":", "x"), (parts, junk) => {
        // Valid JSON on several lines, then one character that cannot follow it.
        const text = `[\n${parts.join(",\n")}\n${junk}`;
        let message = "";
        try {
          JSON.parse(text);
        } catch (err) {
          message = (err as Error).message;
        }
        const at = jsonErrorAt(text, message);
        if (!at) return /Unexpected token/.test(message); // Node 20 names no place for some tokens
        const lines = text.split("\n");
        expect(at.line).toBe(lines.length);
        expect(at.col).toBeGreaterThanOrEqual(1);
        expect(at.col).toBeLessThanOrEqual(lines.at(-1)!.length + 1);
        return true;
      }),
    );
  });

  it("names no place when the message has none", () => {
    expect(jsonErrorAt("{}", "something else")).toBeNull();
    expect(jsonErrorAt('{\n"a":', "Unexpected end of JSON input")).toEqual({ line: 2, col: 5 });
    expect(jsonErrorAt("x", "Unexpected token (line 7 column 3)")).toEqual({ line: 7, col: 3 });
  });
});

describe("facts files", () => {
  it("names what is wrong with a facts object", () => {
    expect(factsProblem([])).toBe("not a PullFacts file (no `pull` object)");
    expect(factsProblem({ pull: { number: 1 } })).toBe("`pull.head.sha` is missing");
    expect(factsProblem({ pull: { head: { sha } }, files: {} })).toBe("`files` must be a list");
    expect(factsProblem({ pull: { head: { sha } }, teams: [] })).toBe("`teams` must be a mapping");
    expect(factsProblem({ pull: { head: { sha } }, policy_files: ".github/base.yml" })).toBe('`policy_files` must be a list of paths, such as [".github/base.yml"]');
    expect(factsProblem({ pull: { head: { sha } }, policy_files: [3] })).toBe('`policy_files` must be a list of paths, such as [".github/base.yml"]');
    expect(factsProblem({ pull: { head: { sha } }, policy_files: [".github/base.yml"] })).toBeNull();
    expect(factsProblem({ pull: { head: { sha } } })).toBeNull();
    const ledgerShape = "`ledger` must be null or a mapping with `invokers` (a list of logins) and optionally `escalation` ({ notified, started, since, paused })";
    expect(factsProblem({ pull: { head: { sha } }, ledger: { invokers: "alice" } })).toBe(ledgerShape);
    expect(factsProblem({ pull: { head: { sha } }, ledger: { invokers: [], escalation: [] } })).toBe(ledgerShape);
    expect(factsProblem({ pull: { head: { sha } }, ledger: null })).toBeNull();
    expect(factsProblem({ pull: { head: { sha } }, ledger: { invokers: ["alice"], escalation: { notified: {} } } })).toBeNull();
    expect(factsProblem({ pull: { head: { sha } }, timeline: {} })).toBe("`timeline` must be a list");
  });

  it("explain takes the snapshot's `ledger` as given: an invoker it recorded is refused, whatever the body says now", async () => {
    const approved = JSON.parse(readFileSync(join(BACKTEST, "approved.json"), "utf8")) as Record<string, unknown>;
    const file = join(tempDir(), "pr.json");
    const explain = async (extra: Record<string, unknown>) => {
      writeFileSync(file, JSON.stringify({ ...approved, ...extra }));
      const r = await run(["explain", "--facts", file, "--now", "2025-06-02T00:00:00Z"]);
      expect(r).toMatchObject({ code: 0, stderr: "" });
      return JSON.parse(r.stdout) as { outcome: string; agent: { invokers: string[] } };
    };
    expect((await explain({})).outcome).toBe("passed");
    const e = await explain({ ledger: { invokers: ["alice"] } });
    expect(e.outcome).toBe("waiting");
    expect(e.agent.invokers).toEqual(["octo-dev", "alice"]);
  });

  it("explain protects the files named in `policy_files` like the policy file", async () => {
    const approved = JSON.parse(readFileSync(join(BACKTEST, "approved.json"), "utf8")) as Record<string, unknown>;
    const dir = tempDir();
    const file = join(dir, "pr.json");
    const base = { filename: ".github/base.yml", status: "modified", additions: 1, deletions: 1, changes: 2 };
    const explain = async (extra: Record<string, unknown>) => {
      writeFileSync(file, JSON.stringify({ ...approved, files: [base], ...extra }));
      const r = await run(["explain", "--facts", file, "--now", "2025-06-02T00:00:00Z"]);
      expect(r).toMatchObject({ code: 0, stderr: "" });
      return JSON.parse(r.stdout) as { outcome: string; rules: { id: string; message: string }[] };
    };
    expect((await explain({})).outcome).toBe("passed");
    const e = await explain({ policy_files: [".github/base.yml"] });
    expect(e.outcome).toBe("waiting");
    expect(e.rules.find((r) => r.id === "paths.agent_files")?.message).toBe(
      "Changes to agent-steering files (`.github/base.yml`): 0/1 approvals; needs 1 more approval from anyone with maintain permission or above.",
    );
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
