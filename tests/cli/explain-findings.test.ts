/** `explain` on facts carrying what the finding rules and a verified link read (`head_contents`, `linked_issues`). */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, tempDir } from "./run.js";

const POLICY = "reviewers:\n  required: 0\ncompliance:\n  workflow_risk: true\n  install_scripts: true\n  linked_issue: verified\n";
const WORKFLOW = "on: pull_request_target\njobs:\n  build:\n    runs-on: ubuntu-latest\n    permissions: write-all\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - run: npm ci\n";
const facts = (extra: Record<string, unknown>) => ({
  pull: { number: 9, title: "Speed up CI", body: "Fixes #4", user: { login: "Copilot", id: 198982749, type: "Bot" }, head: { ref: "copilot/ci", sha: "a".repeat(40) }, base: { ref: "main", repo: { full_name: "acme/api" } } },
  files: [
    { filename: ".github/workflows/build.yml", status: "added", additions: 10, deletions: 0, changes: 10, patch: `@@ -0,0 +1,10 @@\n${WORKFLOW.trimEnd().split("\n").map((l) => `+${l}`).join("\n")}` },
    { filename: "package.json", status: "modified", additions: 1, deletions: 1, changes: 2, patch: '@@ -3,1 +3,1 @@\n-  "scripts": {"test": "jest"}\n+  "scripts": {"test": "jest", "preinstall": "node x.js"}' },
  ],
  commits: [],
  reviews: [],
  comments: [],
  ...extra,
});

function explain(f: unknown, format = "json") {
  const dir = tempDir({ "policy.yml": POLICY, "pr.json": JSON.stringify(f) });
  return cli(["explain", "--config", join(dir, "policy.yml"), "--facts", join(dir, "pr.json"), "--format", format, "--now", "2025-06-02T00:00:00Z"]);
}

describe("explain with the finding rules", () => {
  it("shows each finding at file:line, and the verified link from `linked_issues`", () => {
    const r = explain(facts({ head_contents: { ".github/workflows/build.yml": WORKFLOW, "package.json": '{\n  "name": "x",\n  "scripts": {"test": "jest", "preinstall": "node x.js"}\n}\n' }, linked_issues: { "4": { number: 4, state: "closed" } } }));
    expect(r.code).toBe(0);
    const e = JSON.parse(r.stdout) as { outcome: string; rules: { id: string; status: string; message: string; locations?: { path: string; line: number }[] }[] };
    expect(e.outcome).toBe("violation");
    const byId = Object.fromEntries(e.rules.map((x) => [x.id, x]));
    expect(byId["compliance.linked_issue"]).toMatchObject({ status: "fail", message: "The linked issue does not count: #4 is closed." });
    expect(byId["compliance.install_scripts"]).toMatchObject({ status: "fail", message: "Install-time scripts added or changed: `preinstall` at `package.json:3`." });
    expect(byId["compliance.workflow_risk"]).toMatchObject({
      status: "fail",
      message: "Risky workflow changes: `permissions: write-all` at `.github/workflows/build.yml:5`, `pull_request_target` with a checkout of the PR's code at `.github/workflows/build.yml:9`.",
    });
    expect(byId["compliance.workflow_risk"]!.locations!.map((l) => `${l.path}:${l.line}`)).toEqual([".github/workflows/build.yml:5", ".github/workflows/build.yml:9"]);
  });

  it("without the reads: the patches alone, and the link left pending", () => {
    const r = explain(facts({}), "markdown");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("| ⏳ | `compliance.linked_issue` | Links #4; that it is an open issue of this repository is checked when the app evaluates the PR (these facts carry no `linked_issues`).");
    expect(r.stdout).toContain("| ❌ | `compliance.install_scripts` | Install-time scripts added or changed: `preinstall` at `package.json:3`.");
    expect(r.stdout).toContain("`permissions: write-all` at `.github/workflows/build.yml:5`");
  });

  it("refuses malformed reads with the file and the key", () => {
    const r = explain(facts({ head_contents: { "package.json": 3 } }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("`head_contents` must map paths to the file's text (or null)");
    const s = explain(facts({ linked_issues: { "4": "open" } }));
    expect(s.code).toBe(1);
    expect(s.stderr).toContain("`linked_issues` must map issue numbers to issues");
  });
});
