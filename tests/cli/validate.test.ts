/** `agent-governance validate`, run as a child process: exit codes and FILE:LINE:COL positions. */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, ROOT, tempDir } from "./run.js";

describe("validate", () => {
  it("exits 0 and says so for a valid file", () => {
    const dir = tempDir({ "p.yml": "mode: report\nreviewers:\n  required: 2\n  from: { teams: [acme/maintainers] }\n" });
    const r = cli(["validate", "p.yml"], { cwd: dir });
    expect(r).toEqual({ code: 0, stdout: "p.yml: valid\n", stderr: "" });
  });

  it("reads .github/agent-governance.yml by default", () => {
    const dir = tempDir({ ".github/agent-governance.yml": "reviewers:\n  required: 1\n" });
    expect(cli(["validate"], { cwd: dir })).toEqual({ code: 0, stdout: ".github/agent-governance.yml: valid\n", stderr: "" });
  });

  it("exits 1 naming the default file when there is none", () => {
    const r = cli(["validate"], { cwd: tempDir() });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(".github/agent-governance.yml:1:1: no such file\n");
  });

  it("warns that a file named agent-governance.yaml is ignored by the app, and still checks it", () => {
    const dir = tempDir({ ".github/agent-governance.yaml": "reviewers:\n  required: 1\n" });
    const warning =
      "the app reads only .github/agent-governance.yml; a file named agent-governance.yaml is ignored (checked here all the same): rename it to agent-governance.yml";
    expect(cli(["validate", ".github/agent-governance.yaml"], { cwd: dir })).toEqual({
      code: 0,
      stdout: ".github/agent-governance.yaml: valid\n",
      stderr: `.github/agent-governance.yaml: warning: ${warning}\n`,
    });
    expect(cli(["validate", "--format", "github", ".github/agent-governance.yaml"], { cwd: dir })).toEqual({
      code: 0,
      stdout: `::warning file=.github/agent-governance.yaml,line=1,col=1,title=agent-governance::${warning}\n.github/agent-governance.yaml: valid\n`,
      stderr: "",
    });
  });

  it("names the ignored .yaml file when the default .yml is missing", () => {
    const dir = tempDir({ ".github/agent-governance.yaml": "reviewers:\n  required: 1\n" });
    expect(cli(["validate"], { cwd: dir })).toEqual({
      code: 1,
      stdout:
        ".github/agent-governance.yml:1:1: no such file; there is a .github/agent-governance.yaml, but the app reads only .github/agent-governance.yml: rename it to agent-governance.yml\n",
      stderr: "",
    });
  });

  it("points at a misspelt key with a did-you-mean", () => {
    const dir = tempDir({ "p.yml": "mode: enforce\nreviewers:\n  requird: 2\npath:\n  forbidden: []\n" });
    const r = cli(["validate", "p.yml"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      "p.yml:3:3: unknown key `requird` under `reviewers`; did you mean `required`?\n" +
        "p.yml:4:1: unknown key `path` at the top level; did you mean `paths`?\n",
    );
  });

  it("points at the offending value of a wrong type", () => {
    const dir = tempDir({ "p.yml": "reviewers:\n  required: many\n" });
    const r = cli(["validate", "p.yml"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^p\.yml:2:13: `reviewers\.required`: .+\n$/);
  });

  it("points at a title_pattern the linear-time matcher cannot run, and accepts one that backtracks in V8", () => {
    const dir = tempDir({ "p.yml": "compliance:\n  title_pattern: '^(?<=x)feat'\n", "ok.yml": "compliance:\n  title_pattern: '^\\w+\\s?\\w+\\s?\\w+:'\n" });
    expect(cli(["validate", "p.yml"], { cwd: dir })).toEqual({
      code: 1,
      stdout:
        "p.yml:2:18: `compliance.title_pattern`: the linear-time matcher does not accept it (invalid named capture: `(?<=x)feat`); it has no lookahead, lookbehind or backreferences\n",
      stderr: "",
    });
    expect(cli(["validate", "ok.yml"], { cwd: dir })).toEqual({ code: 0, stdout: "ok.yml: valid\n", stderr: "" });
  });

  it("reports broken YAML with its position", () => {
    const dir = tempDir({ "p.yml": "reviewers:\n  required: 1\n  from: [unclosed\n" });
    const r = cli(["validate", "p.yml"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^p\.yml:\d+:\d+: invalid YAML: /);
    expect(r.stdout.split("\n")[0]).not.toMatch(/^p\.yml:1:1:/);
  });

  it("reports what the schema cannot see, one line per problem, in file order", () => {
    const text = [
      "reviewers:", //                                  1
      "  required: 3", //                               2
      "  from: { users: [alice, bob] }", //             3
      "paths:", //                                      4
      '  forbidden: ["infra/prod/", "src/**.sql"]', //  5
      "escalation:", //                                 6
      "  tiers:", //                                    7
      "    - { after: 24h, notify: [acme/leads] }", //  8
      "    - { after: 4h, notify: [leads] }", //        9
      "compliance:", //                                 10
      "  required_checks: [ci, Agent Governance]", //   11
    ].join("\n");
    const r = cli(["validate", "p.yml"], { cwd: tempDir({ "p.yml": text }) });
    expect(r.code).toBe(1);
    expect(r.stdout.trimEnd().split("\n")).toEqual([
      "p.yml:2:13: `reviewers.required`: needs 3 approvals but lists only 2 users (and no teams), so it can never be satisfied; lower `required` or list more reviewers",
      "p.yml:5:15: `paths.forbidden[0]`: `infra/prod/` matches no file (paths never end with `/`): write `infra/prod/**` for everything under it",
      "p.yml:5:30: `paths.forbidden[1]`: `src/**.sql`: `**` inside a name (`**.sql`) matches within one folder only, like `*`; write `src/**/*.sql` to match at any depth",
      "p.yml:9:16: `escalation.tiers[1].after`: tier 2 (`after: 4h`) comes before tier 1 (`after: 24h`) in time; tiers are reached in order, so list them from the shortest wait to the longest",
      "p.yml:9:29: `escalation.tiers[1].notify[0]`: `leads` is read as a user login; the team is written with its org: `acme/leads`",
      "p.yml:11:25: `compliance.required_checks[1]`: `Agent Governance` is this app's own check, which cannot pass before it has finished; remove it from `required_checks`",
    ]);
  });

  it("prints a warning as FILE:LINE:COL: warning: and exits 0 when there is nothing else (issue 18, point 5)", () => {
    const text = 'paths:\n  forbidden: ["infra/**"]\noverrides:\n  - agents: [claude-code]\n    paths: { forbidden: ["src/auth/**"] }\n';
    const warning =
      "`overrides[0].paths.forbidden`: this list replaces the base policy's `paths.forbidden`, so for these agents `infra/**` no longer applies; write `forbidden: { add: [...] }` to keep the base's entries and add these, or list them here too";
    const dir = tempDir({ "p.yml": text, "q.yml": `${text}mode: loud\n`, "r.yml": text.replace('["src/auth/**"]', '{ add: ["src/auth/**"] }') });
    expect(cli(["validate", "p.yml"], { cwd: dir })).toEqual({ code: 0, stdout: `p.yml:5:14: warning: ${warning}\np.yml: valid\n`, stderr: "" });
    expect(cli(["validate", "--format", "github", "p.yml"], { cwd: dir })).toEqual({
      code: 0,
      stdout: `::warning file=p.yml,line=5,col=14,title=agent-governance::${warning}\np.yml: valid\n`,
      stderr: "",
    });
    expect(cli(["validate", "r.yml"], { cwd: dir })).toEqual({ code: 0, stdout: "r.yml: valid\n", stderr: "" });
    // With an error, the file fails.
    expect(cli(["validate", "q.yml"], { cwd: dir }).code).toBe(1);
  });

  it("writes GitHub Actions annotations with --format github", () => {
    const dir = tempDir({ "p.yml": "reviewers:\n  requird: 2\n" });
    const r = cli(["validate", "--format", "github", "p.yml"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      "::error file=p.yml,line=2,col=3,title=agent-governance::unknown key `requird` under `reviewers`; did you mean `required`?\n",
    );
  });

  it("checks several files and fails if any fails", () => {
    const dir = tempDir({ "a.yml": "mode: report\n", "b.yml": "mode: loud\n" });
    const r = cli(["validate", "a.yml", "b.yml"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^a\.yml: valid\nb\.yml:1:7: `mode`: .+\n$/);
  });

  it("notes that `_extends` is not followed", () => {
    const r = cli(["validate", "p.yml"], { cwd: tempDir({ "p.yml": "_extends: .github\nmode: report\n" }) });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("`_extends: .github` is read by the app from GitHub");
  });

  // The examples are written in the policy issue; until they exist there is nothing to check.
  const examples = readdirSync(join(ROOT, "examples")).filter((f) => /\.ya?ml$/.test(f));
  it.skipIf(examples.length === 0)("accepts every policy in examples/", () => {
    const files = examples;
    const r = cli(["validate", ...files.map((f) => join("examples", f))]);
    expect(r.stdout).toBe(files.map((f) => `examples/${f}: valid\n`).join(""));
    expect(r.code).toBe(0);
  });
});

describe("usage", () => {
  it("exits 2 on an unknown command, with the usage", () => {
    const r = cli(["valdate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^agent-governance: unknown command `valdate`\nUsage:/);
  });

  it("exits 2 without a command, and 0 for help", () => {
    expect(cli([]).code).toBe(2);
    const help = cli(["help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("agent-governance explain --config FILE --facts FILE|FOLDER...");
  });

  it("help shows every command with its options, `mcp --root --config` included", () => {
    const lines = cli(["--help"]).stdout.split("\n").filter((l) => l.startsWith("  agent-governance "));
    expect(lines).toEqual([
      "  agent-governance validate [FILE...] [--format text|github] [--floor ORG_FILE]",
      "  agent-governance explain --config FILE --facts FILE|FOLDER... [--format json|jsonl|markdown] [--now ISO]",
      "  agent-governance explain --config NEW --compare OLD FILE|FOLDER... [--floor ORG_FILE] [--format json|markdown|text]",
      "  agent-governance snapshot OWNER/REPO#N [--out FILE] [--config FILE]",
      "  agent-governance backtest OWNER/REPO --since 30d|--last N [--config FILE] [--compare FILE] [--out DIR]",
      "  agent-governance schema",
      "  agent-governance mcp [--root DIR] [--config FILE]",
    ]);
  });

  it("exits 2 on an unknown option", () => {
    const r = cli(["validate", "--fromat", "github"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--fromat");
  });
});
