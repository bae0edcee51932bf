/**
 * `agent-governance validate | explain | schema`: the pure core's front door.
 * Never touches GitHub.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { parseArgs } from "node:util";
import { formatProblem, parsePolicy } from "./config/load.js";
import { POLICY_PATH, defaultPolicy, policyJsonSchema, type Policy } from "./config/schema.js";
import { evaluate } from "./policy/evaluate.js";
import { renderSummary } from "./output/summary.js";
import type { PullFacts } from "./types.js";

export interface Io {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

const USAGE = `Usage:
  agent-governance validate [FILE]                 check a policy file (default ${POLICY_PATH})
  agent-governance explain --config FILE --facts FILE|FOLDER... [--now ISO] [--format json|jsonl|markdown]
  agent-governance schema                          print the policy's JSON Schema
`;

export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "validate":
        return validate(rest, io);
      case "explain":
        return explain(rest, io);
      case "mcp":
        return (await import("./mcp/server.js")).runMcp(rest, io);
      case "schema":
        io.stdout.write(`${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
        return 0;
      case "help":
      case "--help":
      case "-h":
      case undefined:
        io.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        io.stderr.write(`unknown command \`${command}\`\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    io.stderr.write(`agent-governance: ${(err as Error).message}\n`);
    return 2;
  }
}

function validate(args: string[], io: Io): number {
  const file = args[0] ?? POLICY_PATH;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    io.stderr.write(`${file}:1:1: cannot read the file\n`);
    return 1;
  }
  const result = parsePolicy(text, file);
  if (!result.ok) {
    for (const p of result.problems) io.stdout.write(`${formatProblem(p)}\n`);
    return 1;
  }
  io.stdout.write(`${file}: valid\n`);
  return 0;
}

/** Loads a policy file, or the default policy for `--config` omitted. Throws with file:line:col on problems. */
export function readPolicy(file: string | undefined): Policy {
  if (!file) return defaultPolicy();
  const result = parsePolicy(readFileSync(file, "utf8"), file);
  if (!result.ok) throw new Error(`invalid policy:\n${result.problems.map(formatProblem).join("\n")}`);
  return result.policy;
}

/** Expands files and folders into the JSON files to read, in a stable order. */
export function factFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (statSync(p).isDirectory()) {
      for (const f of readdirSync(p).sort()) {
        if (f.endsWith(".json") && f !== "labels.json") out.push(join(p, f));
      }
    } else out.push(p);
  }
  return out;
}

export function readFacts(file: string): PullFacts {
  const raw = JSON.parse(readFileSync(file, "utf8")) as Partial<PullFacts>;
  if (!raw || typeof raw !== "object" || !raw.pull) throw new Error(`${file}: not a PullFacts file (no \`pull\`)`);
  return { files: [], commits: [], reviews: [], comments: [], ...raw } as PullFacts;
}

function explain(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      config: { type: "string" },
      facts: { type: "string", multiple: true },
      now: { type: "string" },
      format: { type: "string", default: "json" },
    },
  });
  const paths = [...(values.facts ?? []), ...positionals];
  if (paths.length === 0) throw new Error("explain needs --facts FILE|FOLDER");
  const format = values.format ?? "json";
  if (!["json", "jsonl", "markdown"].includes(format)) throw new Error(`unknown --format \`${format}\` (json, jsonl or markdown)`);
  const now = values.now ?? new Date().toISOString();
  if (Number.isNaN(Date.parse(now))) throw new Error(`--now \`${now}\` is not an ISO date`);
  const policy = readPolicy(values.config);
  const files = factFiles(paths);
  const many = files.length > 1 || format === "jsonl";
  for (const file of files) {
    const evaluation = evaluate({ policy, facts: readFacts(file), now });
    if (format === "markdown") io.stdout.write(`${many ? `## ${basename(file)}\n\n` : ""}${renderSummary(evaluation)}\n`);
    else if (many) io.stdout.write(`${JSON.stringify({ file: basename(file), ...evaluation })}\n`);
    else io.stdout.write(`${JSON.stringify(evaluation, null, 2)}\n`);
  }
  return 0;
}
