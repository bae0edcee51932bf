/** The MCP tools report the finding rules and a verified link, so an agent can avoid them before opening a PR. */
import { describe, expect, it } from "vitest";
import { PolicySchema, type PolicyInput } from "../../src/config/schema.js";
import { CheckChangeInput, checkChange, explainRule, getPolicy, type CheckChangeReport, type PolicyState } from "../../src/mcp/tools.js";

const NOW = "2026-01-01T00:00:00Z";
const state = (input: PolicyInput): PolicyState => ({ ok: true, policy: PolicySchema.parse(input), source: "p.yml", found: true, extends: null });
const textOf = (r: { content: unknown[] }) => (r.content[0] as { text: string }).text;
const report = (r: { structuredContent?: unknown }) => r.structuredContent as CheckChangeReport;

const WORKFLOW = "on: push\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: reviewdog/action-eslint@v1\n";
const WORKFLOW_PATCH = "@@ -5,2 +5,3 @@\n     steps:\n       - uses: actions/checkout@v4\n+      - uses: reviewdog/action-eslint@v1";

describe("check_change", () => {
  it("reports a risky workflow line as a fix, from the patch, and from the content given", () => {
    const s = state({ compliance: { workflow_risk: true } });
    for (const extra of [{}, { content: WORKFLOW }]) {
      const r = checkChange(s, CheckChangeInput.parse({ agent: "copilot", title: "Lint in CI", files: [{ path: ".github/workflows/lint.yml", patch: WORKFLOW_PATCH, ...extra }] }), NOW);
      expect(report(r).fix).toEqual([
        {
          id: "compliance.workflow_risk",
          message: "Risky workflow changes: `reviewdog/action-eslint@v1` at `.github/workflows/lint.yml:7`.",
          fix: expect.stringContaining("Pin actions to a full commit SHA"),
          files: [".github/workflows/lint.yml"],
        },
      ]);
      expect(textOf(r)).toContain("- `compliance.workflow_risk`: Risky workflow changes: `reviewdog/action-eslint@v1` at `.github/workflows/lint.yml:7`.");
    }
  });

  it("reports the one-line postinstall, and a content-only escape the patch hides", () => {
    const s = state({ compliance: { install_scripts: true } });
    const patch = '@@ -4 +4 @@\n-  "scripts": {"test": "x"}\n+  "scripts": {"test": "x", "post\\u0069nstall": "sh i.sh"}';
    const content = '{\n  "name": "a",\n  "version": "1.0.0",\n  "scripts": {"test": "x", "post\\u0069nstall": "sh i.sh"}\n}\n';
    expect(report(checkChange(s, CheckChangeInput.parse({ files: [{ path: "package.json", patch }] }), NOW)).fix).toEqual([]);
    expect(report(checkChange(s, CheckChangeInput.parse({ files: [{ path: "package.json", patch, content }] }), NOW)).fix.map((f) => f.message)).toEqual([
      "Install-time scripts added or changed: `postinstall` at `package.json:4`.",
    ]);
    const plain = patch.replace("post\\u0069nstall", "postinstall");
    expect(report(checkChange(s, CheckChangeInput.parse({ files: [{ path: "package.json", patch: plain }] }), NOW)).outcome).toBe("violation");
  });

  it("with `reviewers`, lists the group among the approvals it will need", () => {
    const s = state({ reviewers: { required: 0 }, paths: { protect_agent_files: false }, compliance: { workflow_risk: { reviewers: { teams: ["acme/platform"] } } } });
    const r = checkChange(s, CheckChangeInput.parse({ files: [{ path: ".github/workflows/lint.yml", patch: WORKFLOW_PATCH }] }), NOW);
    expect(report(r).approvals).toEqual([
      { rule: "compliance.workflow_risk", label: "risky workflow changes", needed: 1, who: "1 more approval from @acme/platform", files: [".github/workflows/lint.yml"] },
    ]);
    expect(textOf(r)).toContain("- `compliance.workflow_risk` (risky workflow changes): 1 more approval from @acme/platform. Files: `.github/workflows/lint.yml`.");
  });

  it("a verified link: `Fixes #3` waits for the PR to exist; `#3` in prose is a fix to make now", () => {
    const s = state({ compliance: { linked_issue: "verified" } });
    const files = [{ path: "src/a.ts" }];
    const closing = checkChange(s, CheckChangeInput.parse({ files, body: "Fixes #3" }), NOW);
    expect(report(closing).pending.map((p) => p.id)).toEqual(["compliance.linked_issue"]);
    const prose = checkChange(s, CheckChangeInput.parse({ files, body: "Second try, see #3." }), NOW);
    expect(report(prose).fix.map((f) => f.id)).toEqual(["compliance.linked_issue"]);
  });
});

describe("explain_rule and get_policy", () => {
  it("explain_rule lists workflow_risk's keys and says how to satisfy it", () => {
    const text = textOf(explainRule(state({ compliance: { workflow_risk: { trusted_actions: ["actions/*", "acme/*"] } } }), { rule: "compliance.workflow_risk" }));
    expect(text).toContain("- `reviewers`: Who must approve a PR with findings");
    expect(text).toContain("- `trusted_actions`: Actions (`owner/repo` globs) that need no commit-SHA pin");
    expect(text).toContain('In p.yml: `{"trusted_actions":["actions/*","acme/*"]}`.');
    expect(text).toContain("To satisfy: In workflows and actions: pin every third-party action to a full commit SHA");
  });

  it("explain_rule tells how to satisfy a verified link", () => {
    expect(textOf(explainRule(state({ compliance: { linked_issue: "verified" } }), { rule: "compliance.linked_issue" }))).toContain(
      "To satisfy: Write `Fixes #123` (or `Refs #123`, `Part of #123`, or the issue's URL), naming an open issue of this repository; a bare `#123` does not count.",
    );
  });

  it("get_policy lists the rules that are on", () => {
    const text = textOf(getPolicy(state({ compliance: { workflow_risk: true, install_scripts: true, linked_issue: "verified" } }), {}));
    expect(text).toContain("- `compliance.workflow_risk`: Risky changes to `.github/workflows/**`");
    expect(text).toContain("- `compliance.install_scripts`: New or changed install-time code fails");
    expect(text).toContain("- `compliance.linked_issue`: The PR links an issue (closing keyword, `#123` or an issue URL). `verified`:");
  });
});
