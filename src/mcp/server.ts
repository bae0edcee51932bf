/**
 * `agent-governance mcp`: an MCP server over stdio that lets agents ask the
 * policy before they open a PR. Reads `.github/agent-governance.yml` under the
 * working directory or `--root DIR` (or `--config FILE`) on every call; needs no
 * GitHub access.
 * The tools' logic is pure, in `tools.ts`; this file is the shell.
 */
import { readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Io } from "../cli.js";
import { formatProblem, parsePolicy } from "../config/load.js";
import { POLICY_PATH, defaultPolicy } from "../config/schema.js";
import {
  CheckChangeInput,
  ExplainRuleInput,
  GetPolicyInput,
  checkChange,
  explainRule,
  getPolicy,
  type PolicyState,
} from "./tools.js";

const USAGE = `Usage: agent-governance mcp [--root DIR] [--config FILE]
  Serves the policy to coding agents over MCP (stdio). Reads ${POLICY_PATH}
  under DIR (default: the working directory), or FILE (relative to DIR);
  without a policy file, the default policy. A FILE or DIR that does not
  exist stops the server at start.
`;

const INSTRUCTIONS =
  "This repository governs PRs written by AI agents. Call get_policy before planning a change, " +
  "and check_change with your files, title and body before opening the PR; fix what it reports.";

/** Reads and validates the policy under `root`; never throws. A missing default file means the default policy. */
export function readPolicyState(config: string | undefined, root: string): PolicyState {
  const file = config ?? POLICY_PATH;
  let text: string;
  try {
    text = readFileSync(resolve(root, file), "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
    if (config === undefined && code === "ENOENT") {
      return { ok: true, policy: defaultPolicy(), source: join(root, POLICY_PATH), found: false, extends: null };
    }
    return { ok: false, source: file, problems: [`${file}:1:1: cannot read the file (${code})`] };
  }
  const parsed = parsePolicy(text, file);
  if (!parsed.ok) return { ok: false, source: file, problems: parsed.problems.map(formatProblem) };
  return { ok: true, policy: parsed.policy, source: file, found: true, extends: parsed.extends };
}

/**
 * Why the server cannot start, or null: a `--root` that is not a folder, or a
 * `--config` file given by name that cannot be read (serving the defaults, or
 * an "invalid policy" answer, would both mislead the agent).
 */
export function startProblem(config: string | undefined, root: string): string | null {
  let rootIsFolder = false;
  try {
    rootIsFolder = statSync(root).isDirectory();
  } catch {
    // Reported below.
  }
  if (!rootIsFolder) return `--root ${root}: no such folder; give the repository's folder, or leave --root out to use the working directory`;
  if (config === undefined) return null;
  const file = resolve(root, config);
  try {
    readFileSync(file, "utf8");
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "a folder, not a policy file" : `cannot read the file (${code ?? "error"})`;
    return `--config ${config}: ${why} (${file}); give the policy file's path relative to ${root}, or leave --config out to read ${POLICY_PATH} there (without one, the default policy applies)`;
  }
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

/** Runs a tool; an exception (a bug, or a policy the engine cannot apply) becomes a tool error that says so. */
export function guarded<A>(tool: string, run: (args: A) => CallToolResult): (args: A) => CallToolResult {
  return (args) => {
    try {
      return run(args);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return {
        content: [{ type: "text", text: `${tool} could not answer: ${message.split("\n")[0]}. Run \`agent-governance validate\` on the policy; if it is valid, this is a bug in agent-governance.` }],
        isError: true,
      };
    }
  };
}

/** The MCP server with its three tools; `load` reads the policy, `now` gives the evaluation time. */
export function createMcpServer(load: () => PolicyState, now: () => Date): McpServer {
  const server = new McpServer({ name: "agent-governance", version: packageVersion() }, { instructions: INSTRUCTIONS });
  const annotations = { readOnlyHint: true, idempotentHint: true, openWorldHint: false };
  server.registerTool(
    "get_policy",
    {
      title: "Agent policy",
      description:
        "The repository's policy for agent PRs: paths you must not change, size limits, who must approve what, " +
        "compliance rules. Call before planning a change; pass `agent` (your id) to apply per-agent overrides " +
        "(and `also_agents` for other agents whose work is in the PR: the stricter rule of each applies), " +
        "and `base_branch` when your PR will not merge into `main`.",
      inputSchema: GetPolicyInput,
      annotations,
    },
    guarded("get_policy", (args) => getPolicy(load(), args)),
  );
  server.registerTool(
    "check_change",
    {
      title: "Check a planned PR",
      description:
        "Check a planned PR with the same evaluator as the GitHub check. Pass every file you will change " +
        "(with line counts and patch if you have them), the PR title and body, your agent id, and the base branch if not `main`. " +
        "Returns what would fail with the fix for each, and which humans must approve.",
      inputSchema: CheckChangeInput,
      annotations,
    },
    guarded("check_change", (args) => checkChange(load(), args, now())),
  );
  server.registerTool(
    "explain_rule",
    {
      title: "Explain a policy rule",
      description:
        "Explain one rule by the id check_change reports (`paths.forbidden`, `reviewers`, `compliance.linked_issue`, …): " +
        "what it requires, this repository's setting (for `agent` and `also_agents` when given), and how to satisfy it.",
      inputSchema: ExplainRuleInput,
      annotations,
    },
    guarded("explain_rule", (args) => explainRule(load(), args)),
  );
  return server;
}

export async function runMcp(args: string[], io: Io): Promise<number> {
  let config: string | undefined;
  let root: string;
  try {
    const { values } = parseArgs({
      args,
      options: { config: { type: "string" }, root: { type: "string" }, help: { type: "boolean", short: "h" } },
    });
    if (values.help) {
      io.stdout.write(USAGE);
      return 0;
    }
    config = values.config;
    root = resolve(values.root ?? ".");
  } catch (err) {
    io.stderr.write(`agent-governance mcp: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const missing = startProblem(config, root);
  if (missing) {
    io.stderr.write(`agent-governance mcp: ${missing}\n`);
    return 1;
  }
  const first = readPolicyState(config, root);
  io.stderr.write(
    `agent-governance mcp: serving ${first.ok ? (first.found ? first.source : `the default policy (no ${POLICY_PATH} under ${root})`) : `${first.source} (invalid: ${first.problems.length} problem(s))`} over stdio\n`,
  );

  const server = createMcpServer(() => readPolicyState(config, root), () => new Date());
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((done) => {
    server.server.onclose = done;
  });
  const close = () => void server.close().catch(() => undefined);
  process.stdin.once("end", close);
  process.stdout.once("error", close);
  await server.connect(transport);
  await closed;
  return 0;
}
