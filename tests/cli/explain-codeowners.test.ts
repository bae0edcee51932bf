/**
 * `explain --facts` with CODEOWNERS in the facts (`codeowners`, the file's text): owners are
 * required offline, exactly as the app requires them; a `codeowners` that is not text is refused.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BACKTEST, cli, tempDir } from "./run.js";

const AT = "2025-06-02T00:00:00Z";
const facts = JSON.parse(readFileSync(join(BACKTEST, "forbidden-path.json"), "utf8")) as Record<string, unknown>;

describe("explain with CODEOWNERS in the facts", () => {
  it("requires the owners of the changed files", () => {
    const dir = tempDir({
      "policy.yml": "reviewers:\n  required: 0\n  codeowners: true\n",
      "pr.json": JSON.stringify({ ...facts, codeowners: "* @acme/platform\n/src/ @alice\n" }),
    });
    const r = cli(["explain", "--config", join(dir, "policy.yml"), "--facts", join(dir, "pr.json"), "--now", AT]);
    expect(r.stderr).toBe("");
    const e = JSON.parse(r.stdout) as { outcome: string; required: { rule: string; label: string; users: string[]; teams: string[] }[] };
    expect(e.outcome).toBe("waiting");
    expect(e.required.map((x) => [x.rule, x.label, x.users, x.teams])).toEqual([
      ["reviewers.codeowners:1", "code owners of `infra/prod/db.tf` (CODEOWNERS line 1)", [], ["acme/platform"]],
      ["reviewers.codeowners:2", "code owners of `src/db.ts` (CODEOWNERS line 2)", ["alice"], []],
    ]);
  });

  it("refuses a `codeowners` that is not the file's text", () => {
    const dir = tempDir({ "pr.json": JSON.stringify({ ...facts, codeowners: ["* @a"] }) });
    const r = cli(["explain", "--facts", join(dir, "pr.json"), "--now", AT]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("`codeowners` must be the CODEOWNERS file's text (or null: none)");
  });
});
