/**
 * The built MCP server (`node bin/agent-governance.js mcp`) driven over stdio by
 * the SDK's own client: handshake, tools/list, each tool with valid and invalid
 * input, and missing, invalid and changing policy files.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePolicy } from "../../src/config/load.js";
import { policyJsonSchema } from "../../src/config/schema.js";
import { evaluate } from "../../src/policy/evaluate.js";
import { CheckChangeInput, declaredVerdict, syntheticFacts, type CheckChangeReport } from "../../src/mcp/tools.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = join(ROOT, "bin/agent-governance.js");
const POLICY = "tests/mcp/fixtures/policy.yml";
const MINIMAL = "tests/mcp/fixtures/minimal.yml";
const INVALID = "tests/mcp/fixtures/invalid.yml";

const clients: Client[] = [];
const temps: string[] = [];

beforeAll(() => {
  try {
    execFileSync("npm", ["run", "build", "--silent"], { cwd: ROOT, stdio: "pipe" });
  } catch (err) {
    // tsc emits even when another module of the shared tree has a type error; the
    // MCP server's own types are checked by `tsc --noEmit`. Only a missing build fails here.
    if (!existsSync(join(ROOT, "dist/mcp/server.js"))) throw err;
  }
}, 180_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

async function connect(args: string[], cwd = ROOT): Promise<Client> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, "mcp", ...args], cwd, stderr: "pipe" });
  const client = new Client({ name: "agent-governance-test", version: "1.0.0" });
  await client.connect(transport);
  clients.push(client);
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult & { text: string }> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const first = result.content[0];
  return { ...result, text: first?.type === "text" ? first.text : "" };
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "ag-mcp-"));
  temps.push(dir);
  return dir;
}

const schemaDescription = (...path: string[]) => {
  let node = policyJsonSchema() as { properties?: Record<string, unknown>; description?: string };
  for (const key of path) node = node.properties![key] as typeof node;
  return node.description!;
};

describe("agent-governance mcp with a policy file", () => {
  let client: Client;
  beforeAll(async () => {
    client = await connect(["--config", POLICY]);
  });

  it("completes the handshake with the server's name, version and instructions", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    expect(client.getServerVersion()).toEqual({ name: "agent-governance", version: pkg.version });
    expect(client.getServerCapabilities()?.tools).toBeDefined();
    expect(client.getInstructions()).toMatch(/get_policy.*check_change/s);
  });

  it("lists the three read-only tools with input schemas", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["check_change", "explain_rule", "get_policy"]);
    for (const t of tools) {
      expect(t.description!.length).toBeGreaterThan(40);
      expect(t.description!.length).toBeLessThan(400);
      expect(t.annotations?.readOnlyHint).toBe(true);
      expect(t.inputSchema.type).toBe("object");
    }
    const check = tools.find((t) => t.name === "check_change")!;
    expect(check.inputSchema.required).toEqual(["files"]);
    expect(Object.keys(check.inputSchema.properties ?? {}).sort()).toEqual(["agent", "also_agents", "base_branch", "body", "commits", "files", "title"]);
    expect(tools.find((t) => t.name === "explain_rule")!.inputSchema.required).toEqual(["rule"]);
    for (const name of ["get_policy", "explain_rule"]) {
      expect(Object.keys(tools.find((t) => t.name === name)!.inputSchema.properties ?? {}), name).toEqual(expect.arrayContaining(["agent", "also_agents", "base_branch"]));
    }
  });

  it("get_policy summarises forbidden paths, approvals, compliance and the overrides", async () => {
    const r = await call(client, "get_policy", {});
    expect(r.isError).toBeFalsy();
    expect(r.text).toContain(`Policy: ${POLICY} in your working copy`);
    expect(r.text).toContain("- `.github/workflows/**`\n- `infra/prod/**`");
    expect(r.text).toContain("at most 5 files and 200 changed lines");
    expect(r.text).toContain("every PR (`reviewers`): 1 approval from @acme/maintainers");
    expect(r.text).toContain("database: `migrations/**`, `**/*.sql` (`paths.restricted[0]`): 1 approval from @acme/dba");
    expect(r.text).toContain(`\`compliance.linked_issue\`: ${schemaDescription("compliance", "linked_issue")}`);
    expect(r.text).toContain("`compliance.required_checks`");
    expect(r.text).toContain('Setting: `["ci"]`');
    expect(r.text).not.toContain("compliance.dco");
    expect(r.text).toContain("Per-agent overrides exist for `dependabot`, `devin`");
  });

  it("get_policy applies the caller's overrides", async () => {
    const devin = await call(client, "get_policy", { agent: "devin" });
    expect(devin.text).toContain("Applied for `devin`: overrides[1].");
    expect(devin.text).toContain("- `src/billing/**`");
    expect(devin.text).not.toContain("infra/prod/**");

    const bot = await call(client, "get_policy", { agent: "dependabot" });
    expect(bot.text).toContain("Applied for `dependabot`: overrides[0].");
    expect(bot.text).not.toContain("every PR (`reviewers`)");

    const other = await call(client, "get_policy", { agent: "my-agent" });
    expect(other.text).toContain("No override matches `my-agent`: the base policy applies.");
  });

  it("get_policy rejects invalid input with a tool error", async () => {
    const r = await call(client, "get_policy", { agent: 42 });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/Input validation error.*agent/s);
    const extra = await call(client, "get_policy", { agnet: "devin" });
    expect(extra.isError).toBe(true);
    expect(extra.text).toContain("agnet");
  });

  const violating = {
    agent: "copilot",
    title: "Tidy the deploy",
    body: "No issue.",
    files: [
      { path: "infra/prod/main.tf", additions: 3, deletions: 1 },
      { path: "./migrations/001.sql", additions: 40, deletions: 0 },
      { path: "src/app.ts", additions: 10, deletions: 2 },
    ],
  };

  it("check_change reports forbidden paths, the fix and the approvals needed", async () => {
    const r = await call(client, "check_change", violating);
    expect(r.isError).toBeFalsy();
    const report = r.structuredContent as unknown as CheckChangeReport;
    expect(report.outcome).toBe("violation");
    expect(report.conclusion).toBe("failure");
    expect(report.agent).toBe("copilot");
    expect(report.forbidden).toEqual(["infra/prod/main.tf"]);
    expect(report.fix.map((f) => f.id)).toContain("paths.forbidden");
    expect(report.fix.find((f) => f.id === "paths.forbidden")!.fix).toMatch(/Remove these changes/);
    expect(report.approvals).toEqual([
      { rule: "reviewers", label: "reviewers", needed: 1, who: "1 more approval from @acme/maintainers", files: [] },
      { rule: "paths.restricted[0]", label: "database", needed: 1, who: "1 more approval from @acme/dba", files: ["migrations/001.sql"] },
    ]);
    expect(r.text.split("\n")[0]).toMatch(/^Would FAIL: \d+ rules? to fix before opening the PR\.$/);
    expect(r.text).toContain("- `paths.forbidden`: Changes forbidden paths: `infra/prod/main.tf`.\n  Fix: Remove these changes");
    expect(r.text).toContain("- `paths.restricted[0]` (database): 1 more approval from @acme/dba. Files: `migrations/001.sql`.");
  });

  it("check_change answers exactly what the app's evaluate() answers for the same PR", async () => {
    const r = await call(client, "check_change", violating);
    const report = r.structuredContent as unknown as CheckChangeReport;
    const parsed = parsePolicy(readFileSync(join(ROOT, POLICY), "utf8"), POLICY);
    if (!parsed.ok) throw new Error("fixture policy is invalid");
    const args = CheckChangeInput.parse(violating);
    const verdict = declaredVerdict(args.agent, parsed.policy);
    const e = evaluate({ policy: parsed.policy, facts: syntheticFacts(args, verdict), now: "2026-01-01T00:00:00Z", verdict });
    expect(report.outcome).toBe(e.outcome);
    expect(report.fix.map((f) => f.id)).toEqual(e.rules.filter((x) => x.status === "fail").map((x) => x.id));
    expect(report.passing).toEqual(e.rules.filter((x) => x.status === "pass").map((x) => x.id));
    expect(report.approvals.map((a) => a.rule)).toEqual(e.required.map((x) => x.rule));
  });

  it("check_change applies the declared agent's overrides, not detection from the synthetic PR", async () => {
    const r = await call(client, "check_change", { ...violating, agent: "devin", files: [{ path: "src/billing/invoice.ts", additions: 1, deletions: 1 }] });
    const report = r.structuredContent as unknown as CheckChangeReport;
    expect(report.agent).toBe("devin");
    expect(report.forbidden).toEqual(["src/billing/invoice.ts"]);
    expect(r.text).toContain("Applied for `devin`: overrides[1].");
  });

  it("check_change reports the size limit with its fix", async () => {
    const r = await call(client, "check_change", {
      title: "feat: big",
      files: Array.from({ length: 6 }, (_, i) => ({ path: `src/f${i}.ts`, additions: 1, deletions: 0 })),
    });
    const report = r.structuredContent as unknown as CheckChangeReport;
    expect(report.fix.find((f) => f.id === "paths.limits")).toEqual({
      id: "paths.limits",
      message: "Too large: 6 files changed (limit 5).",
      fix: "Split the change into smaller PRs.",
      files: [],
    });
  });

  it("check_change rejects invalid input with a tool error that names the field", async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{}, /files/],
      [{ files: [] }, /files/],
      [{ files: [{ path: "/etc/passwd" }] }, /relative to the repository root/],
      [{ files: [{ path: "../other/x.ts" }] }, /relative to the repository root/],
      [{ files: [{ path: "a.ts", additions: -1 }] }, /additions/],
      [{ files: "src/a.ts" }, /files/],
      [{ files: [{ path: "a.ts" }], commits: [{ message: "" }] }, /commits/],
    ];
    for (const [args, pattern] of cases) {
      const r = await call(client, "check_change", args);
      expect(r.isError, JSON.stringify(args)).toBe(true);
      expect(r.text).toMatch(pattern);
    }
  });

  it("explain_rule explains a rule from the schema's description, with this policy's setting and the fix", async () => {
    const r = await call(client, "explain_rule", { rule: "paths.forbidden" });
    expect(r.isError).toBeFalsy();
    expect(r.text).toBe(
      [
        `\`paths.forbidden\`: ${schemaDescription("paths", "forbidden")}`,
        `In ${POLICY}: \`[".github/workflows/**","infra/prod/**"]\`.`,
        "To satisfy: Do not change these paths: leave them out of the PR. Only an admin's `/governance override <reason>` lets such a PR pass.",
      ].join("\n"),
    );
    const group = await call(client, "explain_rule", { rule: "paths.restricted[0]" });
    expect(group.text).toContain('"name":"database"');
    expect(group.text).toContain("- `paths`: Globs this group covers.");
    const missing = await call(client, "explain_rule", { rule: "paths.restricted[3]" });
    expect(missing.text).toContain(`In ${POLICY}: there is no entry 3.`);
    const off = await call(client, "explain_rule", { rule: "compliance.dco" });
    expect(off.text).toContain(`In ${POLICY}: off (this rule does not apply).`);
    const forDevin = await call(client, "explain_rule", { rule: "paths.forbidden", agent: "devin" });
    expect(forDevin.text).toContain(`In ${POLICY} for \`devin\`: \`["src/billing/**"]\`.`);
  });

  it("explain_rule explains every rule id check_change can report", async () => {
    const r = await call(client, "check_change", { ...violating, files: [...violating.files, { path: "AGENTS.md", additions: 1, deletions: 0 }] });
    const report = r.structuredContent as unknown as CheckChangeReport;
    const ids = [...report.fix.map((f) => f.id), ...report.approvals.map((a) => a.rule), ...report.pending.map((p) => p.id), ...report.passing];
    expect(ids).toContain("paths.agent_files");
    for (const id of ids) {
      const e = await call(client, "explain_rule", { rule: id });
      expect(e.isError, id).toBeFalsy();
      expect(e.text).toMatch(/\nTo satisfy: /);
    }
  });

  it("explain_rule answers an unknown rule with a tool error, a suggestion and the known rules", async () => {
    const r = await call(client, "explain_rule", { rule: "paths.forbiden" });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/^Unknown rule `paths.forbiden`\. Did you mean `paths.forbidden`\? Known rules: .*`compliance.linked_issue`/);
    const empty = await call(client, "explain_rule", { rule: "" });
    expect(empty.isError).toBe(true);
    const none = await call(client, "explain_rule", {});
    expect(none.isError).toBe(true);
    expect(none.text).toContain("rule");
  });
});

describe("agent-governance mcp without a policy file", () => {
  it("uses the default policy from a working directory with no policy, and says so", async () => {
    const dir = tempDir();
    const client = await connect([], dir);
    const r = await call(client, "get_policy", {});
    expect(r.isError).toBeFalsy();
    expect(r.text).toContain(`No policy file at ${join(dir, ".github/agent-governance.yml")}: the default policy applies`);
    expect(r.text).toContain("- nothing is forbidden");
    expect(r.text).toContain("every PR (`reviewers`): 1 approval from anyone with write permission or above");
    const check = await call(client, "check_change", { files: [{ path: "src/a.ts" }] });
    expect((check.structuredContent as unknown as CheckChangeReport).outcome).toBe("waiting");
  });

  it("reads the working directory's policy on every call", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, ".github"));
    const file = join(dir, ".github/agent-governance.yml");
    writeFileSync(file, "paths:\n  forbidden: [\"vendor/**\"]\n");
    const client = await connect([], dir);
    const before = await call(client, "get_policy", {});
    expect(before.text).toContain("Policy: .github/agent-governance.yml in your working copy");
    expect(before.text).toContain("- `vendor/**`");
    writeFileSync(file, "paths:\n  forbidden: [\"third_party/**\"]\n");
    const after = await call(client, "check_change", { files: [{ path: "third_party/x.c" }] });
    expect((after.structuredContent as unknown as CheckChangeReport).forbidden).toEqual(["third_party/x.c"]);
  });

  it("reads the policy under --root, whatever the working directory", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, ".github"));
    writeFileSync(join(dir, ".github/agent-governance.yml"), "paths:\n  forbidden: [\"generated/**\"]\n");
    const client = await connect(["--root", dir]);
    const r = await call(client, "check_change", { files: [{ path: "generated/api.ts" }] });
    expect((r.structuredContent as unknown as CheckChangeReport).forbidden).toEqual(["generated/api.ts"]);
  });

  it("says at start that it serves the default policy, and why", () => {
    const dir = tempDir();
    const run = spawnSync(process.execPath, [BIN, "mcp"], { cwd: dir, input: "", encoding: "utf8", timeout: 30_000 });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe(`agent-governance mcp: serving the default policy (no .github/agent-governance.yml under ${dir}) over stdio\n`);
  });

  it("does not start when the --config file given does not exist (exit 1, saying what to do)", () => {
    const dir = tempDir();
    const run = spawnSync(process.execPath, [BIN, "mcp", "--config", ".github/agent-governance.yml"], { cwd: dir, input: "", encoding: "utf8", timeout: 30_000 });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      `agent-governance mcp: --config .github/agent-governance.yml: no such file (${join(dir, ".github/agent-governance.yml")}); give the policy file's path relative to ${dir}, or leave --config out to read .github/agent-governance.yml there (without one, the default policy applies)\n`,
    );
  });

  it("does not start when the --config given is a folder, or --root does not exist", () => {
    const dir = tempDir();
    const folder = spawnSync(process.execPath, [BIN, "mcp", "--root", dir, "--config", "."], { cwd: ROOT, input: "", encoding: "utf8", timeout: 30_000 });
    expect(folder.status).toBe(1);
    expect(folder.stderr).toContain(`agent-governance mcp: --config .: a folder, not a policy file (${dir});`);
    const root = join(dir, "nope");
    const noRoot = spawnSync(process.execPath, [BIN, "mcp", "--root", root], { cwd: ROOT, input: "", encoding: "utf8", timeout: 30_000 });
    expect(noRoot.status).toBe(1);
    expect(noRoot.stderr).toBe(`agent-governance mcp: --root ${root}: no such folder; give the repository's folder, or leave --root out to use the working directory\n`);
  });

  it("answers with a tool error when the --config file goes away while it runs", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "policy.yml"), "reviewers: { required: 2 }\n");
    const client = await connect(["--config", "policy.yml"], dir);
    expect((await call(client, "get_policy", {})).isError).toBeFalsy();
    rmSync(join(dir, "policy.yml"));
    const r = await call(client, "get_policy", {});
    expect(r.isError).toBe(true);
    expect(r.text).toContain("- policy.yml:1:1: cannot read the file (ENOENT)");
  });
});

describe("agent-governance mcp with an invalid policy file", () => {
  let client: Client;
  beforeAll(async () => {
    client = await connect(["--config", INVALID]);
  });

  it("get_policy and check_change answer with the problems at file:line:col", async () => {
    for (const [tool, args] of [
      ["get_policy", {}],
      ["check_change", { files: [{ path: "src/a.ts" }] }],
    ] as const) {
      const r = await call(client, tool, args);
      expect(r.isError, tool).toBe(true);
      expect(r.text).toContain(`The policy file ${INVALID} is invalid`);
      expect(r.text).toContain(`- ${INVALID}:4:3: unknown key \`forbiden\` under \`paths\`; did you mean \`forbidden\`?`);
      expect(r.text).toContain("Fix: a maintainer corrects the file (`agent-governance validate` checks it). Do not edit it in your PR.");
    }
  });

  it("explain_rule still explains the rule and lists the problems", async () => {
    const r = await call(client, "explain_rule", { rule: "reviewers" });
    expect(r.isError).toBeFalsy();
    expect(r.text).toContain(`\`reviewers\`: ${schemaDescription("reviewers")}`);
    expect(r.text).toContain(`The policy file ${INVALID} is invalid, so its setting is unknown:`);
    expect(r.text).toContain(`${INVALID}:4:3`);
  });
});

describe("agent-governance mcp as a process", () => {
  it("passes with no approvals and no failures under a permissive policy", async () => {
    const client = await connect(["--config", MINIMAL]);
    const r = await call(client, "check_change", { files: [{ path: "src/a.ts", additions: 1, deletions: 0 }] });
    expect(r.text.split("\n")[0]).toBe("Would pass: no rule fails and no approval is needed.");
    expect((r.structuredContent as unknown as CheckChangeReport).outcome).toBe("passed");
  });

  it("exits 0 when its stdin closes", () => {
    const run = spawnSync(process.execPath, [BIN, "mcp", "--config", MINIMAL], { cwd: ROOT, input: "", encoding: "utf8", timeout: 30_000 });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(`agent-governance mcp: serving ${MINIMAL} over stdio`);
  });

  it("refuses an unknown option with exit code 2 and the usage", () => {
    const run = spawnSync(process.execPath, [BIN, "mcp", "--bogus"], { cwd: ROOT, input: "", encoding: "utf8", timeout: 30_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("Usage: agent-governance mcp [--root DIR] [--config FILE]");
  });
});
