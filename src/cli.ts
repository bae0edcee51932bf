/**
 * `agent-governance validate | explain | snapshot | backtest | schema | mcp`: the maintainer's
 * front door to the pure core. Only `snapshot` and `backtest` talk to GitHub, and only
 * through the facts module the app uses (src/github/facts.ts, src/github/backtest.ts).
 *
 * Exit codes: 0 done (for `explain`, whatever the PRs' outcomes), 1 problems found
 * (an invalid policy, an unreadable facts file, a GitHub error), 2 usage errors.
 */
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { formatProblem, isPlainObject as isObject, parsePolicy, type ConfigProblem } from "./config/load.js";
import { checkPolicy, lintPolicy, type PolicyCheck } from "./config/lint.js";
import { POLICY_PATH, defaultPolicy, policyJsonSchema, type Floor, type Policy } from "./config/schema.js";
import { applyFloor, floorLine } from "./config/floor.js";
import { effectivePolicy, evaluate } from "./policy/evaluate.js";
import { planCheckRun } from "./output/check.js";
import { peekLedger } from "./output/ledger.js";
import type { Evaluation, PullFacts } from "./types.js";
import type { PolicySource } from "./github/facts.js";
import { buildPreview, changeLine, previewJson, previewTable, type PreviewInput, type PreviewSource } from "./output/preview.js";

export interface Io {
  stdout: { write(s: string): unknown };
  /** `isTTY`: `backtest` draws a progress bar there, else writes progress lines. */
  stderr: { write(s: string): unknown; isTTY?: boolean };
  /** Environment for `snapshot` and `backtest` (`GITHUB_TOKEN`, `GHE_HOST`, `GHE_PROTOCOL`, …); defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** How `backtest` waits out a rate limit (tests pass one that does not wait); default: a timer. */
  sleep?: (ms: number) => Promise<void>;
}

const USAGE = `Usage:
  agent-governance validate [FILE...] [--format text|github] [--floor ORG_FILE]
      check policy files (default ${POLICY_PATH}); exit 1 with FILE:LINE:COL: message per problem
  agent-governance explain --config FILE --facts FILE|FOLDER... [--format json|jsonl|markdown] [--now ISO]
      evaluate PullFacts files; a folder or several files is a backtest, with a tally on stderr
  agent-governance explain --config NEW --compare OLD FILE|FOLDER... [--floor ORG_FILE] [--format json|markdown|text]
      preview a policy change: how each PR's result would change from OLD to NEW
  agent-governance snapshot OWNER/REPO#N [--out FILE] [--config FILE]
      save a live PR as a PullFacts file (needs GITHUB_TOKEN or GH_TOKEN; GHE_HOST for GitHub Enterprise Server)
  agent-governance backtest OWNER/REPO --since 30d|--last N [--config FILE] [--compare FILE] [--out DIR]
      evaluate a repository's recent PRs, read from GitHub (needs GITHUB_TOKEN or GH_TOKEN), and tally them
  agent-governance schema
      print the policy's JSON Schema
  agent-governance mcp [--root DIR] [--config FILE]
      serve the policy to agents over MCP (stdio): DIR/${POLICY_PATH} (DIR: the working
      directory by default), or FILE (relative to DIR); without a policy file, the default policy

Run \`agent-governance COMMAND --help\` for a command's options and output, \`agent-governance --version\` for the version.
`;

/** PRs `backtest` reads from GitHub at once. */
export const BACKTEST_CONCURRENCY = 4;

/** Each command's `--help`. */
const HELP: Record<string, string> = {
  validate: `Usage: agent-governance validate [FILE...] [--format text|github] [--floor ORG_FILE]

Checks policy files as the app would read them (default: ${POLICY_PATH}).

Options:
  --format text     one line per problem, FILE:LINE:COL: message (default)
  --format github   GitHub Actions annotations (::error file=…,line=…,col=…::message)
  --floor ORG_FILE  the organization's policy file (its \`floor:\`): after "FILE: valid", one line
                    per setting of FILE the floor overrides, FILE: \`key\`: old → new (org floor)
  -h, --help        this help

Exit status: 0 every file is valid; 1 a file has problems (or cannot be read); 2 a usage mistake.
`,
  explain: `Usage: agent-governance explain --config FILE --facts FILE|FOLDER... [--format json|jsonl|markdown] [--now ISO]

Evaluates saved pull requests (PullFacts JSON files, e.g. from \`snapshot\`) against a policy,
without GitHub. Several files, or a folder (its *.json files), make a backtest: a tally goes to stderr.

Options:
  --config FILE     the policy file (default: the default policy)
  --facts PATH      a PullFacts file or a folder of them; repeat it, or list more paths after the options
  --format json     (default) one file: the evaluation as indented JSON.
                    A folder or several files: JSON Lines, one evaluation per line with its "file",
                    not one JSON document (read it with \`jq -s\` to get an array)
  --format jsonl    JSON Lines always, even for one file
  --format markdown the check run's summary, as the app would post it (a "## FILE" heading per file)
  --now ISO         the evaluation time, e.g. 2025-06-01T12:00:00Z (default: now)
  --compare OLD     preview a policy change: each PR's result under OLD (the policy in force) and under
                    --config (the proposed one), as the app's "/ policy" check shows it. --format json
                    (default: { proposed, changed, unchanged, pulls[], unread }), markdown (the table)
                    or text (one line per PR: #12 copilot: waiting → violation (paths.forbidden))
  --floor ORG_FILE  with --compare: raise both policies to the organization file's \`floor:\`
  -h, --help        this help

Exit status: 0 evaluated, whatever the outcomes; 1 a file could not be read or evaluated (with --compare:
or the proposed policy is invalid); 2 a usage mistake.
`,
  snapshot: `Usage: agent-governance snapshot OWNER/REPO#N [--out FILE] [--config FILE]

Saves a live pull request as a PullFacts file, for \`explain\` and for tests.
Reads GITHUB_TOKEN or GH_TOKEN (read access to the repository); GITHUB_API_URL (or GHE_HOST /
GHE_PROTOCOL) for GitHub Enterprise Server; each request has GITHUB_REQUEST_TIMEOUT_MS (10000) to answer.

Options:
  --out FILE        write the JSON here (default: stdout)
  --config FILE     look up what this local policy needs (teams, permissions) instead of the repository's
  -h, --help        this help

Exit status: 0 saved; 1 GitHub could not be read; 2 a usage mistake (no GITHUB_TOKEN or GH_TOKEN, a malformed OWNER/REPO#N).
`,
  backtest: `Usage: agent-governance backtest OWNER/REPO --since 30d|--last N [--config FILE] [--compare FILE] [--out DIR]
                                   [--format text|markdown|json] [--now ISO] [--offline]

Reads a repository's pull requests (open and closed, newest first) from GitHub as PullFacts,
evaluates each against a policy, and prints the tally: PRs per outcome, per rule, and the
governed agent PRs per agent and outcome. With --compare, every PR whose verdict differs.
Reads GITHUB_TOKEN or GH_TOKEN (read access to the repository); GITHUB_API_URL (or GHE_HOST /
GHE_PROTOCOL) for GitHub Enterprise Server. At most ${BACKTEST_CONCURRENCY} PRs are read at once; a rate limit
is waited out (until its reset, or its retry-after), saying so on stderr, with the progress.

Options:
  --since AGE       the PRs created in the last AGE: 30d, 12h, 2w, or since an ISO date
  --last N          the last N PRs created
  --config FILE     the policy to evaluate (default: the repository's, read from its default branch)
  --compare FILE    the policy to compare with: prints \`#12 copilot: success → failure (rule)\`
                    for each PR whose conclusion (as if enforced) differs, FILE's first
  --out DIR         keep each PR's snapshot there (pr-N-HEAD.json, for \`explain\` too): the next run
                    reads from GitHub only the PRs that changed since (a push, a review, a comment)
  --offline         read nothing from GitHub: the PRs the last run listed, from DIR's snapshots
                    (needs --out DIR and --config)
  --format text     (default) the tally, then the differences
  --format markdown a table naming each PR's verdict, the tally, the differences
  --format json     one JSON document: { repository, policy, compare, pulls[], tally, changes[] }
  --now ISO         the evaluation time, and where --since counts from (default: now)
  -h, --help        this help

Under \`mode: report\` a failing PR is counted as "would fail": the check would not block it.

Exit status: 0 evaluated, whatever the outcomes; 1 GitHub could not be read (or a PR, or the policy
is invalid); 2 a usage mistake (no token, a malformed OWNER/REPO, neither --since nor --last).
`,
  schema: `Usage: agent-governance schema

Prints the policy's JSON Schema (draft 2020-12) on stdout, for editors:
  # yaml-language-server: $schema=<URL of schema/agent-governance.schema.json>

Options:
  -h, --help        this help
`,
  mcp: `Usage: agent-governance mcp [--root DIR] [--config FILE]

Serves the policy to coding agents over the Model Context Protocol (stdio), so an agent can
check a change before it opens a PR.

Options:
  --root DIR        the repository (default: the working directory); the policy is DIR/${POLICY_PATH}
  --config FILE     another policy file, relative to DIR; without a policy file, the default policy
  -h, --help        this help
`,
};

/** The package's version (package.json next to dist/ and src/). */
export function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version?: unknown };
    return typeof pkg.version === "string" ? pkg.version : "unknown";
  } catch {
    return "unknown";
  }
}

/** Whether `args` ask for help (`-h` / `--help` before a `--`). */
function wantsHelp(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === "--") return false;
    if (a === "--help" || a === "-h") return true;
  }
  return false;
}

/** A usage mistake: exit code 2. */
class UsageError extends Error {}

export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "--version" || command === "-V" || command === "version") {
    io.stdout.write(`agent-governance ${version()}\n`);
    return 0;
  }
  // `agent-governance COMMAND --help` and `agent-governance help COMMAND`.
  const helpFor = command === "help" && rest[0] ? rest[0] : command !== undefined && command in HELP && wantsHelp(rest) ? command : null;
  if (helpFor !== null) {
    if (!(helpFor in HELP)) {
      io.stderr.write(`agent-governance: unknown command \`${helpFor}\`\n${USAGE}`);
      return 2;
    }
    io.stdout.write(HELP[helpFor]!);
    return 0;
  }
  try {
    switch (command) {
      case "validate":
        return validate(rest, io);
      case "explain":
        return explain(rest, io);
      case "snapshot":
        return await snapshot(rest, io);
      case "backtest":
        return await backtest(rest, io);
      case "mcp":
        return (await import("./mcp/server.js")).runMcp(rest, io);
      case "schema":
        io.stdout.write(`${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
        return 0;
      case "help":
      case "--help":
      case "-h":
        io.stdout.write(USAGE);
        return 0;
      case undefined:
        io.stderr.write(USAGE);
        return 2;
      default:
        io.stderr.write(`agent-governance: unknown command \`${command}\`\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    const usage = err instanceof UsageError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
    io.stderr.write(`agent-governance: ${(err as Error).message}\n${usage ? "Run `agent-governance help` for usage.\n" : ""}`);
    return usage ? 2 : 1;
  }
}

// ---------------------------------------------------------------------------
// validate

/** Reads a policy file's text, or the problem (at 1:1) that it cannot be read. */
function readPolicyText(file: string): { text: string } | { problem: ConfigProblem } {
  try {
    return { text: readFileSync(file, "utf8") };
  } catch (err) {
    const code = (err as { code?: string }).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "a folder, not a policy file" : `cannot read the file (${code ?? "error"})`;
    return { problem: { file, line: 1, col: 1, path: "", message: why } };
  }
}

/** One problem per line, whatever the message holds. */
const problemLine = (p: ConfigProblem) => (p.severity === "warning" ? `${p.file}:${p.line}:${p.col}: warning: ${p.message}` : formatProblem(p)).replace(/\r?\n/g, " ");

/** A GitHub Actions workflow command that annotates the file. */
function githubAnnotation(p: ConfigProblem, level: "error" | "warning" = "error"): string {
  const prop = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A").replace(/:/g, "%3A").replace(/,/g, "%2C");
  const data = p.message.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  return `::${level} file=${prop(p.file)},line=${p.line},col=${p.col},title=agent-governance::${data}`;
}

/** The name the app never reads (it reads only `.yml`), though it protects it like the policy. */
const IGNORED_NAME = "agent-governance.yaml";
const IGNORED_WARNING = `the app reads only ${POLICY_PATH}; a file named ${IGNORED_NAME} is ignored (checked here all the same): rename it to agent-governance.yml`;

/**
 * The `floor:` of an organization's policy file (`--floor ORG_FILE`). Throws with FILE:LINE:COL lines when
 * the app would refuse the file (it would fail every repository's check), or when it has no `floor:`.
 */
export function readFloor(file: string): Floor {
  const read = readPolicyText(file);
  if (!("text" in read)) throw new Error(problemLine(read.problem));
  const parsed = parsePolicy(read.text, file);
  if (!parsed.ok) throw new Error(`invalid org policy (every repository's check would fail):\n${parsed.problems.map(problemLine).join("\n")}`);
  if (!parsed.policy.floor) throw new Error(`${file} has no \`floor:\` section`);
  return parsed.policy.floor;
}

function validate(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { format: { type: "string", default: "text" }, floor: { type: "string" } },
  });
  const format = values.format;
  if (format !== "text" && format !== "github") throw new UsageError(`unknown --format \`${format}\` (text or github)`);
  const floor = values.floor !== undefined ? readFloor(values.floor) : undefined;
  let failed = false;
  for (const file of positionals.length ? positionals : [POLICY_PATH]) {
    if (basename(file) === IGNORED_NAME) {
      if (format === "github") io.stdout.write(`${githubAnnotation({ file, line: 1, col: 1, path: "", message: IGNORED_WARNING }, "warning")}\n`);
      else io.stderr.write(`${file}: warning: ${IGNORED_WARNING}\n`);
    }
    const read = readPolicyText(file);
    if ("problem" in read && read.problem.message === "no such file" && basename(file) === basename(POLICY_PATH)) {
      const yaml = join(dirname(file), IGNORED_NAME);
      if (existsSync(yaml)) read.problem.message = `no such file; there is a ${yaml}, but the app reads only ${POLICY_PATH}: rename it to agent-governance.yml`;
    }
    const result: PolicyCheck = "text" in read ? checkPolicy(read.text, file) : { ok: false, problems: [read.problem] };
    if (!result.ok) {
      failed = true;
      for (const p of result.problems) io.stdout.write(`${format === "github" ? githubAnnotation(p, p.severity ?? "error") : problemLine(p)}\n`);
      continue;
    }
    // Warnings alone leave the file valid (exit 0).
    for (const p of result.warnings ?? []) io.stdout.write(`${format === "github" ? githubAnnotation(p, "warning") : problemLine(p)}\n`);
    io.stdout.write(`${file}: valid\n`);
    // One line for each setting of this file the org floor overrides.
    for (const c of applyFloor(floor, result.policy).changes) io.stdout.write(`${file}: ${floorLine(c)}\n`);
    if (result.extends) {
      io.stderr.write(`${file}: note: \`_extends: ${result.extends}\` is read by the app from GitHub; only this file was checked\n`);
    }
  }
  return failed ? 1 : 0;
}

// ---------------------------------------------------------------------------
// explain

/**
 * Loads a policy file as the app would use it, or the default policy when `file`
 * is undefined. Throws with FILE:LINE:COL lines when the app would refuse it;
 * what only `validate` reports (lint) is written to stderr, and the policy is used.
 */
export function readPolicy(file: string | undefined, io?: Io): Policy {
  if (!file) return defaultPolicy();
  const read = readPolicyText(file);
  if (!("text" in read)) throw new Error(problemLine(read.problem));
  const parsed = parsePolicy(read.text, file);
  if (!parsed.ok) throw new Error(`invalid policy:\n${parsed.problems.map(problemLine).join("\n")}`);
  const lint = lintPolicy(parsed.policy, read.text, file, { whole: parsed.extends === null });
  if (lint.length) io?.stderr.write(`note: \`validate\` reports ${lint.length} problem${lint.length === 1 ? "" : "s"} in ${file}; the app would still use it:\n${lint.map((p) => `${problemLine(p)}\n`).join("")}`);
  if (parsed.extends) io?.stderr.write(`${file}: note: \`_extends: ${parsed.extends}\` is not followed here; this file alone is used\n`);
  return parsed.policy;
}

/** Expands files and folders into the JSON files to read, in a stable order. */
export function factFiles(paths: readonly string[]): { file: string; inFolder: boolean }[] {
  const out: { file: string; inFolder: boolean }[] = [];
  for (const p of paths) {
    let dir = false;
    try {
      dir = statSync(p).isDirectory();
    } catch {
      // Not there: readFacts reports it.
    }
    if (!dir) out.push({ file: p, inFolder: false });
    else for (const f of readdirSync(p).sort()) if (f.endsWith(".json")) out.push({ file: join(p, f), inFolder: true });
  }
  return out;
}


/** Why `raw` is not a usable PullFacts object, or null. */
export function factsProblem(raw: unknown): string | null {
  if (!isObject(raw) || !isObject(raw.pull)) return "not a PullFacts file (no `pull` object)";
  const pull = raw.pull;
  if (!isObject(pull.head) || typeof pull.head.sha !== "string") return "`pull.head.sha` is missing";
  for (const k of ["files", "commits", "reviews", "comments", "checks"]) {
    if (raw[k] !== undefined && raw[k] !== null && !Array.isArray(raw[k])) return `\`${k}\` must be a list`;
  }
  for (const k of ["permissions", "teams"]) {
    if (raw[k] !== undefined && raw[k] !== null && !isObject(raw[k])) return `\`${k}\` must be a mapping`;
  }
  if (raw.timeline !== undefined && raw.timeline !== null && !Array.isArray(raw.timeline)) return "`timeline` must be a list";
  if (raw.codeowners !== undefined && raw.codeowners !== null && typeof raw.codeowners !== "string") return "`codeowners` must be the CODEOWNERS file's text (or null: none)";
  const ledger = raw.ledger;
  if (
    ledger !== undefined &&
    ledger !== null &&
    !(isObject(ledger) && Array.isArray(ledger.invokers) && ledger.invokers.every((l) => typeof l === "string") && (ledger.escalation === undefined || isObject(ledger.escalation)))
  ) {
    return "`ledger` must be null or a mapping with `invokers` (a list of logins) and optionally `escalation` ({ notified, started, since, paused })";
  }
  const texts = raw.head_contents;
  if (texts !== undefined && texts !== null && !(isObject(texts) && Object.values(texts).every((t) => t === null || typeof t === "string"))) {
    return "`head_contents` must map paths to the file's text (or null), such as {\"package.json\": \"{…}\"}";
  }
  const issues = raw.linked_issues;
  if (issues !== undefined && issues !== null && !(isObject(issues) && Object.values(issues).every((i) => i === null || (isObject(i) && typeof i.state === "string")))) {
    return "`linked_issues` must map issue numbers to issues as GitHub returns them (with `state`), or null";
  }
  const policyFiles = raw.policy_files;
  if (policyFiles !== undefined && policyFiles !== null && !(Array.isArray(policyFiles) && policyFiles.every((p) => typeof p === "string"))) {
    return "`policy_files` must be a list of paths, such as [\".github/base.yml\"]";
  }
  return null;
}

/** Reads a PullFacts file. Throws with the file name and what is wrong. */
export function readFacts(file: string): PullFacts {
  let raw: unknown;
  let text = "";
  try {
    text = readFileSync(file, "utf8");
    raw = JSON.parse(text);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code) throw new Error(`${file}: ${code === "ENOENT" ? "no such file" : `cannot read (${code})`}`);
    const at = jsonErrorAt(text, (err as Error).message);
    throw new Error(`${file}${at ? `:${at.line}:${at.col}` : ""}: not JSON: ${(err as Error).message.replace(/ \(line \d+ column \d+\)$/, "")}`);
  }
  const why = factsProblem(raw);
  if (why) throw new Error(`${file}: ${why}`);
  const r = raw as Partial<PullFacts>;
  return { ...r, files: r.files ?? [], commits: r.commits ?? [], reviews: r.reviews ?? [], comments: r.comments ?? [] } as PullFacts;
}

/**
 * Where a JSON.parse error is, as FILE:LINE:COL wants it (1-based): from the "(line L column C)" Node 22
 * writes, else from the "position N" offset Node 20 writes; null for an error that names neither.
 */
export function jsonErrorAt(text: string, message: string): { line: number; col: number } | null {
  const lc = /\(line (\d+) column (\d+)\)/.exec(message);
  if (lc) return { line: Number(lc[1]), col: Number(lc[2]) };
  const pos = /at position (\d+)/.exec(message);
  let offset = pos ? Number(pos[1]) : /Unexpected end of JSON input/.test(message) ? text.length : -1;
  if (offset < 0) return null;
  offset = Math.min(offset, text.length);
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, col: before.at(-1)!.length + 1 };
}

/** The closing count of a backtest. */
export interface Tally {
  prs: number;
  pass: number;
  not_governed: number;
  wait: number;
  fail: number;
  overridden: number;
  error: number;
  /** Rule id → how many PRs it failed or left pending. */
  rules: Record<string, { fail: number; pending: number }>;
  /** Detected agent id (`none` for none) → PRs. */
  agents: Record<string, number>;
  /** Governed PRs by agent id, then by outcome (`formatTally`'s `byAgent` table). */
  governed: Record<string, Record<Verdict, number>>;
  /** PRs evaluated under `mode: report`: their failures would fail, and block nothing. */
  report: number;
  /** Files in a folder without a `pull` (such as a labels file), not counted. */
  skipped: string[];
  /** Files that could not be read or evaluated. */
  unreadable: number;
}

export function emptyTally(): Tally {
  return { prs: 0, pass: 0, not_governed: 0, wait: 0, fail: 0, overridden: 0, error: 0, rules: {}, agents: {}, governed: {}, report: 0, skipped: [], unreadable: 0 };
}

/** A PR's line in the tally. */
export type Verdict = "pass" | "wait" | "fail" | "overridden" | "error";

/** The conclusion the check would have under `mode: enforce` (under `report` it is always `neutral`). */
export function enforcedConclusion(e: Evaluation): Evaluation["conclusion"] {
  if (e.mode !== "report") return e.conclusion;
  if (e.outcome === "violation" || e.outcome === "error") return "failure";
  if (e.outcome === "waiting") return "action_required";
  // A human PR is not governed, but fails on its description with `compliance.body.humans`.
  return e.outcome === "not_governed" && e.rules.some((r) => r.status === "fail") ? "failure" : "success";
}

/** The tally's line for an evaluation. */
export function verdictOf(e: Evaluation): Verdict {
  if (e.outcome === "waiting") return "wait";
  if (e.outcome === "overridden") return "overridden";
  if (e.outcome === "error") return "error";
  return enforcedConclusion(e) === "failure" ? "fail" : "pass";
}

/** The evaluation's agent as the tally names it: its registry id, `none` when none was detected. */
export const agentKey = (e: Evaluation) => (e.agent.detected ? (e.agent.id ?? "unknown") : "none");

export function addToTally(t: Tally, e: Evaluation): void {
  t.prs++;
  const verdict = verdictOf(e);
  t[verdict]++;
  if (e.outcome === "not_governed" && verdict === "pass") t.not_governed++;
  if (e.mode === "report") t.report++;
  const agent = agentKey(e);
  t.agents[agent] = (t.agents[agent] ?? 0) + 1;
  if (e.outcome !== "not_governed") {
    const row = (t.governed[agent] ??= { pass: 0, wait: 0, fail: 0, overridden: 0, error: 0 });
    row[verdict]++;
  }
  for (const r of e.rules) {
    if (r.status !== "fail" && r.status !== "pending") continue;
    const row = (t.rules[r.id] ??= { fail: 0, pending: 0 });
    row[r.status]++;
  }
}

/** `fail`, or `would fail` when every PR was evaluated under `mode: report` (nothing was blocked). */
export const failWord = (t: Pick<Tally, "prs" | "report">) => (t.prs > 0 && t.report === t.prs ? "would fail" : "fail");

/**
 * The tally as the text `explain` writes to stderr after a backtest. `byAgent` adds a table of the
 * governed PRs per agent and outcome (`backtest`).
 */
export function formatTally(t: Tally, opts: { byAgent?: boolean } = {}): string {
  const n = (x: number) => String(x).padStart(6);
  const lines = [
    `backtest: ${t.prs} PR${t.prs === 1 ? "" : "s"}`,
    `  pass            ${n(t.pass)}${t.not_governed ? `  (${t.not_governed} not governed)` : ""}`,
    `  wait for humans ${n(t.wait)}`,
    `  ${failWord(t).padEnd(16)}${n(t.fail)}`,
  ];
  if (t.overridden) lines.push(`  overridden      ${n(t.overridden)}`);
  if (t.error) lines.push(`  error           ${n(t.error)}`);
  const rules = Object.entries(t.rules).sort(([a], [b]) => a.localeCompare(b));
  if (rules.length) {
    const w = Math.max(16, ...rules.map(([id]) => id.length + 2));
    lines.push(`${"by rule:".padEnd(w)}  fail pending`);
    for (const [id, r] of rules) lines.push(`  ${id.padEnd(w - 2)}${n(r.fail)}${String(r.pending).padStart(8)}`);
  }
  const agents = Object.entries(t.agents).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  if (agents.length) lines.push(`by agent: ${agents.map(([id, c]) => `${id} ${c}`).join(", ")}`);
  const governed = Object.entries(t.governed).sort(([a], [b]) => a.localeCompare(b));
  if (opts.byAgent && governed.length) {
    const cols: [Verdict, string][] = [["pass", "pass"], ["wait", "wait"], ["fail", failWord(t)]];
    if (t.overridden) cols.push(["overridden", "overridden"]);
    if (t.error) cols.push(["error", "error"]);
    const w = Math.max(20, ...governed.map(([id]) => id.length + 2));
    const cell = (s: string | number, label: string) => String(s).padStart(Math.max(6, label.length) + 2);
    lines.push(`${"governed agent PRs:".padEnd(w)}${cols.map(([, label]) => cell(label, label)).join("")}`);
    for (const [id, row] of governed) lines.push(`  ${id.padEnd(w - 2)}${cols.map(([k, label]) => cell(row[k], label)).join("")}`);
  }
  if (t.skipped.length) lines.push(`skipped ${t.skipped.length} file${t.skipped.length === 1 ? "" : "s"} without \`pull\`: ${t.skipped.join(", ")}`);
  if (t.unreadable) lines.push(`unreadable: ${t.unreadable} file${t.unreadable === 1 ? "" : "s"} (named above)`);
  return `${lines.join("\n")}\n`;
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
      compare: { type: "string" },
      floor: { type: "string" },
    },
  });
  const paths = [...(values.facts ?? []), ...positionals];
  if (paths.length === 0) throw new UsageError("explain needs --facts FILE|FOLDER");
  if (values.compare !== undefined) return compare(values, paths, io);
  if (values.floor !== undefined) throw new UsageError("--floor goes with --compare (or with `validate`)");
  const format = values.format ?? "json";
  if (format !== "json" && format !== "jsonl" && format !== "markdown") {
    throw new UsageError(`unknown --format \`${format}\` (json, jsonl or markdown)`);
  }
  const now = values.now ?? new Date().toISOString();
  if (Number.isNaN(Date.parse(now))) throw new UsageError(`--now \`${now}\` is not an ISO date, e.g. 2025-06-01T12:00:00Z`);
  const policy = readPolicy(values.config, io);
  const files = factFiles(paths);
  const backtest = files.length > 1 || files.some((f) => f.inFolder);
  const lines = backtest || format === "jsonl";
  const tally = emptyTally();
  for (const { file, inFolder } of files) {
    let evaluation: Evaluation;
    let base: string | undefined;
    try {
      const facts = readFacts(file);
      base = facts.pull.base?.ref;
      evaluation = evaluate({ policy, facts, now });
    } catch (err) {
      const message = (err as Error).message;
      if (inFolder && message.endsWith("(no `pull` object)")) {
        tally.skipped.push(basename(file));
        continue;
      }
      tally.unreadable++;
      io.stderr.write(`${message.startsWith(file) ? message : `${file}: could not evaluate: ${message}`}\n`);
      continue;
    }
    addToTally(tally, evaluation);
    if (format === "markdown") {
      // Exactly the summary the app posts on the check run.
      const { commands } = effectivePolicy(policy, evaluation.agent, base);
      const summary = planCheckRun(evaluation, { name: policy.escalation.check_name, commands }).output.summary;
      io.stdout.write(`${backtest ? `## ${basename(file)}\n\n` : ""}${summary}\n${backtest ? "\n" : ""}`);
    } else if (lines) io.stdout.write(`${JSON.stringify({ file: basename(file), ...evaluation })}\n`);
    else io.stdout.write(`${JSON.stringify(evaluation, null, 2)}\n`);
  }
  if (backtest) io.stderr.write(formatTally(tally));
  return tally.unreadable > 0 ? 1 : 0;
}

// ---------------------------------------------------------------------------
// explain --compare: the policy-change preview, offline

/** A policy file as the preview reads it: parsed, linted, raised to the floor; a file the app would refuse is `invalid`. */
function previewSource(file: string | undefined, floor: Floor | undefined, io: Io): PreviewSource {
  if (!file) {
    const { policy, changes } = applyFloor(floor, defaultPolicy());
    return { kind: "ok", policy, source: "the default policy", floored: changes };
  }
  const read = readPolicyText(file);
  if (!("text" in read)) return { kind: "invalid", problems: [read.problem], source: file };
  const parsed = parsePolicy(read.text, file);
  if (!parsed.ok) return { kind: "invalid", problems: parsed.problems, source: file };
  if (parsed.extends) io.stderr.write(`${file}: note: \`_extends: ${parsed.extends}\` is not followed here; this file alone is used\n`);
  const { policy, changes } = applyFloor(floor, parsed.policy);
  return { kind: "ok", policy, source: file, warnings: lintPolicy(parsed.policy, read.text, file, { whole: parsed.extends === null }), floored: changes };
}

/**
 * `explain --config NEW --compare OLD FACTS…`: how each saved PR's result would change from OLD to NEW
 * (both raised to `--floor ORG_FILE`'s floor when given), the preview the app posts on a PR that changes
 * the policy. Exit 1 when NEW would be refused or a facts file cannot be read.
 */
function compare(values: { config?: string | undefined; compare?: string | undefined; floor?: string | undefined; now?: string | undefined; format?: string | undefined }, paths: string[], io: Io): number {
  const format = values.format ?? "json";
  if (format !== "json" && format !== "markdown" && format !== "text") throw new UsageError(`unknown --format \`${format}\` with --compare (json, markdown or text)`);
  const now = values.now ?? new Date().toISOString();
  if (Number.isNaN(Date.parse(now))) throw new UsageError(`--now \`${now}\` is not an ISO date, e.g. 2025-06-01T12:00:00Z`);
  const floor = values.floor !== undefined ? readFloor(values.floor) : undefined;
  const before = previewSource(values.compare, floor, io);
  const proposed = previewSource(values.config, floor, io);
  if (before.kind === "invalid") io.stderr.write(`note: ${values.compare} would be refused by the app (every PR fails under it):\n${before.problems.map((p) => `${problemLine(p)}\n`).join("")}`);
  const pulls: PreviewInput["pulls"] = [];
  let unreadable = 0;
  for (const { file, inFolder } of factFiles(paths)) {
    try {
      const facts = readFacts(file);
      pulls.push({ number: facts.pull.number, facts, file: basename(file) });
    } catch (err) {
      const message = (err as Error).message;
      if (inFolder && message.endsWith("(no `pull` object)")) continue;
      unreadable++;
      io.stderr.write(`${message}\n`);
    }
  }
  const preview = buildPreview({ before, proposed, pulls }, now);
  if (format === "json") io.stdout.write(`${JSON.stringify(previewJson(preview), null, 2)}\n`);
  else {
    const { problems, warnings, floored } = preview.proposed;
    const lines = [...problems.map(problemLine), ...warnings.map((w) => `${problemLine(w)} (warning)`)];
    if (format === "markdown") {
      lines.push(...floored.map((c) => `- ${floorLine(c)}`));
      if (lines.length) lines.push("");
      lines.push(preview.proposed.valid ? previewTable(preview.pulls) : `${preview.proposed.source}: invalid; no PR compared`);
    } else {
      lines.push(...floored.map((c) => `${preview.proposed.source}: ${floorLine(c)}`));
      lines.push(...preview.pulls.map(changeLine));
      const changed = preview.pulls.filter((r) => r.changed).length;
      lines.push(preview.proposed.valid ? `${changed} of ${preview.pulls.length} PR${preview.pulls.length === 1 ? "" : "s"} would change` : `${preview.proposed.source}: invalid; no PR compared`);
    }
    io.stdout.write(`${lines.join("\n")}\n`);
  }
  return !preview.proposed.valid || unreadable > 0 ? 1 : 0;
}

// ---------------------------------------------------------------------------
// snapshot

/** Parses `OWNER/REPO#N` or a pull request URL. */
export function parsePullRef(s: string): { owner: string; repo: string; number: number } | null {
  const m =
    /^([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+)#(\d+)$/.exec(s) ??
    /^https?:\/\/[^/]+\/([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+)\/pull\/(\d+)\/?$/.exec(s);
  return m ? { owner: m[1]!, repo: m[2]!, number: Number(m[3]) } : null;
}

/**
 * The REST base URL: GitHub Enterprise Server's from `GHE_HOST` / `GHE_PROTOCOL`, else `GITHUB_API_URL`
 * (which GitHub Actions sets), else api.github.com.
 */
/** The token `snapshot` and `backtest` read GitHub with: GITHUB_TOKEN, else GH_TOKEN (as the `gh` CLI names it). */
export function githubToken(env: NodeJS.ProcessEnv): string | undefined {
  return env.GITHUB_TOKEN || env.GH_TOKEN || undefined;
}

export function apiBaseUrl(env: NodeJS.ProcessEnv): string {
  if (env.GHE_HOST) return `${env.GHE_PROTOCOL || "https"}://${env.GHE_HOST}/api/v3`;
  return env.GITHUB_API_URL?.trim().replace(/\/+$/, "") || "https://api.github.com";
}

/**
 * A request that got no answer (DNS, refused connection, TLS, timeout). Octokit
 * reports it as status 500 without a response; a real 500 from GitHub has one.
 */
export function isNetworkError(err: unknown): boolean {
  const e = err as { status?: number; response?: unknown; request?: unknown; name?: string } | null;
  if (!e || typeof e !== "object") return false;
  if (e.name === "AbortError") return true;
  return e.status === 500 && e.response === undefined && e.request !== undefined;
}

async function snapshot(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: "string" }, config: { type: "string" } },
  });
  const target = positionals.length === 1 ? parsePullRef(positionals[0]!) : null;
  if (!target) throw new UsageError("snapshot needs one pull request, written OWNER/REPO#N (e.g. octo-org/app#42)");
  const env = io.env ?? process.env;
  const token = githubToken(env);
  if (!token) throw new UsageError("snapshot needs GITHUB_TOKEN or GH_TOKEN with read access to the repository");
  const localPolicy = values.config ? readPolicy(values.config, io) : null;

  const { ProbotOctokit } = await import("probot");
  const { gatherFacts, loadPolicy } = await import("./github/facts.js");
  const { requestTimeoutMs, withRequestTimeout } = await import("./github/timeout.js");
  // Each request within GITHUB_REQUEST_TIMEOUT_MS (retried as a 5xx), so a GitHub that never answers is reported, not waited on.
  const gh = new (withRequestTimeout(ProbotOctokit, requestTimeoutMs(env)))({ auth: { token }, baseUrl: apiBaseUrl(env) });
  const ref = { owner: target.owner, repo: target.repo };
  const where = `${target.owner}/${target.repo}#${target.number}`;
  let facts: PullFacts;
  try {
    let policy = localPolicy;
    let loaded: PolicySource | null = null;
    if (!policy) {
      loaded = await loadPolicy(gh, ref);
      if (loaded.kind === "invalid") {
        io.stderr.write(`note: the repository's policy (${loaded.source}) is invalid; looking up what the default policy needs\n`);
      }
      policy = loaded.kind === "ok" ? loaded.policy : defaultPolicy();
    }
    // With the repository's policy, the files it is built from here (an `_extends` base) are recorded too.
    const gathered = await gatherFacts(gh, ref, target.number, { policy, ...(loaded ? { loaded } : {}) });
    facts = gathered.facts;
    // The app's ledger on the head's check run, as recorded: without the app's key it cannot be verified, and a snapshot is a simulation.
    const ledger = peekLedger(gathered.check?.output?.text);
    if (ledger !== undefined) facts.ledger = ledger;
  } catch (err) {
    const message = (err as Error).message;
    if (isNetworkError(err)) {
      io.stderr.write(
        `agent-governance snapshot: could not reach GitHub at ${apiBaseUrl(env)} to read ${where}: ${message} (check the network connection, and GHE_HOST / GHE_PROTOCOL for GitHub Enterprise Server)\n`,
      );
      return 1;
    }
    const status = (err as { status?: number }).status;
    const hint =
      status === 401 ? " (is the token valid?)" : status === 404 ? " (does the PR exist, and can the token read the repository?)" : "";
    io.stderr.write(`agent-governance snapshot: could not read ${where}: ${status ? `${status} ` : ""}${message}${hint}\n`);
    return 1;
  }
  const json = `${JSON.stringify(facts, null, 2)}\n`;
  if (values.out) {
    writeFileSync(values.out, json);
    io.stderr.write(
      `saved ${where} (${facts.files.length} files, ${facts.commits.length} commits, ${facts.reviews.length} reviews, ${facts.comments.length} comments) to ${values.out}\n`,
    );
  } else io.stdout.write(json);
  return 0;
}

// ---------------------------------------------------------------------------
// backtest

/** A PR's verdict in words: the tally's line, `not governed`, and `would fail` under `mode: report`. */
export function verdictWord(e: Evaluation): string {
  const v = verdictOf(e);
  if (v === "pass") return e.outcome === "not_governed" ? "not governed" : "pass";
  if (v === "wait") return "wait for humans";
  if (v === "fail") return e.mode === "report" ? "would fail" : "fail";
  return v;
}

/** The rules a PR fails or waits on. */
const openRules = (e: Evaluation) => e.rules.filter((r) => r.status === "fail" || r.status === "pending").map((r) => r.id);

/** A PR whose conclusion (as if enforced) differs under the compared policy (`before`) and the evaluated one (`after`). */
export interface Change {
  number: number;
  agent: string;
  from: Evaluation["conclusion"];
  to: Evaluation["conclusion"];
  /** The rules failing or pending under either whose status differs. */
  rules: string[];
}

export function changeOf(number: number, before: Evaluation, after: Evaluation): Change | null {
  const from = enforcedConclusion(before);
  const to = enforcedConclusion(after);
  if (from === to) return null;
  const was = new Map(before.rules.map((r) => [r.id, r.status]));
  const now = new Map(after.rules.map((r) => [r.id, r.status]));
  const rules = [...new Set([...openRules(before), ...openRules(after)])].filter((id) => was.get(id) !== now.get(id)).sort();
  return { number, agent: agentKey(after), from, to, rules };
}

export const formatChange = (c: Change) => `#${c.number} ${c.agent}: ${c.from} → ${c.to}${c.rules.length ? ` (${c.rules.join(", ")})` : ""}`;

/** Progress on stderr: a bar redrawn in place on a terminal, else a line per step. */
function progressOn(io: Io) {
  const tty = io.stderr.isTTY === true;
  let bar = "";
  return {
    say(line: string) {
      io.stderr.write(`${tty && bar ? "\r\x1b[K" : ""}${line}\n${tty ? bar : ""}`);
    },
    step(done: number, total: number, note: string) {
      if (!tty) {
        io.stderr.write(`backtest: [${done}/${total}] ${note}\n`);
        return;
      }
      const filled = total ? Math.round((24 * done) / total) : 24;
      bar = `[${"#".repeat(filled)}${"-".repeat(24 - filled)}] ${done}/${total} ${note}`;
      io.stderr.write(`\r\x1b[K${bar}`);
    },
    end() {
      if (tty && bar) io.stderr.write("\r\x1b[K");
      bar = "";
    },
  };
}

async function backtest(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      since: { type: "string" },
      last: { type: "string" },
      config: { type: "string" },
      compare: { type: "string" },
      out: { type: "string" },
      format: { type: "string", default: "text" },
      now: { type: "string" },
      offline: { type: "boolean", default: false },
    },
  });
  const m = positionals.length === 1 ? /^([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+)$/.exec(positionals[0]!) : null;
  if (!m) throw new UsageError("backtest needs one repository, written OWNER/REPO (e.g. octo-org/app)");
  const ref = { owner: m[1]!, repo: m[2]! };
  const repo = `${ref.owner}/${ref.repo}`;
  const format = values.format ?? "text";
  if (format !== "text" && format !== "markdown" && format !== "json") throw new UsageError(`unknown --format \`${format}\` (text, markdown or json)`);
  const now = values.now ?? new Date().toISOString();
  if (Number.isNaN(Date.parse(now))) throw new UsageError(`--now \`${now}\` is not an ISO date, e.g. 2025-06-01T12:00:00Z`);
  const { collectFacts, listPulls, missingLookups, lacksNothing, parseSince, readList, saveList, selectPulls, waitOnRateLimits } = await import("./github/backtest.js");
  let selection: { since: number } | { last: number };
  if ((values.since === undefined) === (values.last === undefined)) throw new UsageError("backtest needs either --since AGE (30d, 12h, 2w or an ISO date) or --last N");
  if (values.since !== undefined) {
    const since = parseSince(values.since, Date.parse(now));
    if (since === null) throw new UsageError(`--since \`${values.since}\` is not an age (30d, 12h, 2w) nor an ISO date`);
    selection = { since };
  } else {
    const last = Number(values.last);
    if (!Number.isSafeInteger(last) || last < 1) throw new UsageError(`--last \`${values.last}\` is not a number of PRs (1 or more)`);
    selection = { last };
  }
  const dir = values.out;
  const env = io.env ?? process.env;
  const token = githubToken(env);
  if (values.offline && (!dir || !values.config)) throw new UsageError("--offline needs --out DIR (the snapshots of an earlier run) and --config FILE");
  if (!values.offline && !token) throw new UsageError("backtest needs GITHUB_TOKEN or GH_TOKEN with read access to the repository (or --offline to use the snapshots --out DIR holds)");
  const policy = values.config ? readPolicy(values.config, io) : null;
  const old = values.compare ? readPolicy(values.compare, io) : null;
  const progress = progressOn(io);

  let gh: import("./github/facts.js").GitHub | null = null;
  let loaded: PolicySource | undefined;
  let source = values.config ?? "";
  let pulls: import("./github/backtest.js").ListedPull[];
  try {
    if (values.offline) pulls = selectPulls(readList(dir!), selection);
    else {
      const { ProbotOctokit } = await import("probot");
      const { requestTimeoutMs, withRequestTimeout } = await import("./github/timeout.js");
      // Rate limits are waited out below, saying so, rather than by the throttling plugin, silently; 429 is not retried blindly.
      gh = new (withRequestTimeout(ProbotOctokit, requestTimeoutMs(env)))({
        auth: { token },
        baseUrl: apiBaseUrl(env),
        throttle: { enabled: false },
        retry: { doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451] },
      });
      const sleep = io.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
      waitOnRateLimits(gh, { say: progress.say, sleep, now: Date.now });
      if (!policy) {
        const { loadPolicy } = await import("./github/facts.js");
        loaded = await loadPolicy(gh, ref);
        if (loaded.kind === "invalid") {
          io.stderr.write(`agent-governance backtest: the repository's policy (${loaded.source}) is invalid:\n${loaded.problems.map((p) => `${problemLine(p)}\n`).join("")}`);
          return 1;
        }
        source = loaded.kind === "ok" ? loaded.source : "the default policy";
        if (loaded.kind === "missing") progress.say(`note: ${repo} has no ${POLICY_PATH} (nor ${ref.owner}/.github): the default policy`);
      }
      progress.say(`backtest: listing the PRs of ${repo}`);
      pulls = await listPulls(gh, ref, selection);
      if (dir) saveList(dir, pulls);
    }
  } catch (err) {
    progress.end();
    const status = (err as { status?: number }).status;
    const hint = isNetworkError(err)
      ? ` (could not reach ${apiBaseUrl(env)}: check the network, and GITHUB_API_URL or GHE_HOST for GitHub Enterprise Server)`
      : status === 401
        ? " (is the token valid?)"
        : status === 404
          ? " (does the repository exist, and can the token read it?)"
          : "";
    io.stderr.write(`agent-governance backtest: could not read ${repo}: ${status && !isNetworkError(err) ? `${status} ` : ""}${(err as Error).message}${hint}\n`);
    return 1;
  }
  const newPolicy = policy ?? (loaded?.kind === "ok" ? loaded.policy : defaultPolicy());
  const collected = await collectFacts(gh, ref, pulls, {
    ...(dir ? { dir } : {}),
    policies: old ? [newPolicy, old] : [newPolicy],
    ...(loaded ? { loaded } : {}),
    concurrency: BACKTEST_CONCURRENCY,
    readSaved: readFacts,
    onPull: (c, done, total) => progress.step(done, total, `#${c.pull.number} ${c.error ? "could not be read" : c.from === "saved" ? "from its snapshot" : "read from GitHub"}`),
  });
  progress.end();

  const tally = emptyTally();
  const rows: { number: number; facts: PullFacts; file?: string; after: Evaluation; before?: Evaluation; change: Change | null }[] = [];
  let failed = 0;
  let incomplete = 0;
  for (const c of collected) {
    if (!c.facts) {
      failed++;
      io.stderr.write(`#${c.pull.number}: could not read: ${c.error}\n`);
      continue;
    }
    try {
      const after = evaluate({ policy: newPolicy, facts: c.facts, now });
      const before = old ? evaluate({ policy: old, facts: c.facts, now }) : undefined;
      if (values.offline && [newPolicy, ...(old ? [old] : [])].some((p) => !lacksNothing(missingLookups(c.facts!, p)))) incomplete++;
      addToTally(tally, after);
      rows.push({ number: c.pull.number, facts: c.facts, ...(c.file ? { file: c.file } : {}), after, ...(before ? { before } : {}), change: before ? changeOf(c.pull.number, before, after) : null });
    } catch (err) {
      failed++;
      io.stderr.write(`#${c.pull.number}: could not evaluate: ${(err as Error).message}\n`);
    }
  }
  if (incomplete) {
    io.stderr.write(`note: ${incomplete} snapshot${incomplete === 1 ? " lacks" : "s lack"} look-ups (permissions, teams, checks) these policies need; run without --offline to read them\n`);
  }
  if (failed) io.stderr.write(`could not read or evaluate ${failed} PR${failed === 1 ? "" : "s"} (named above)\n`);
  const changes = rows.flatMap((r) => (r.change ? [r.change] : []));
  const compared = values.compare ?? "";
  const changeHead = `compared with ${compared}: ${changes.length === 0 ? "no PR differs" : `${changes.length} PR${changes.length === 1 ? " differs" : "s differ"}`}`;

  if (format === "json") {
    const out = {
      repository: repo,
      policy: source,
      compare: values.compare ?? null,
      pulls: rows.map((r) => ({
        number: r.number,
        title: r.facts.pull.title,
        agent: agentKey(r.after),
        outcome: r.after.outcome,
        conclusion: r.after.conclusion,
        verdict: verdictWord(r.after),
        rules: openRules(r.after),
        snapshot: r.file ?? null,
        ...(r.before ? { compared: { outcome: r.before.outcome, conclusion: r.before.conclusion, verdict: verdictWord(r.before), rules: openRules(r.before) } } : {}),
      })),
      tally,
      changes,
    };
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else if (format === "markdown") {
    const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
    const lines = [
      `## Backtest of ${repo}: ${rows.length} PR${rows.length === 1 ? "" : "s"}`,
      "",
      `Policy: \`${source}\`${values.compare ? `, compared with \`${values.compare}\`` : ""}`,
      "",
      `| PR | agent | verdict | rules |${old ? " compared |" : ""}`,
      `| --- | --- | --- | --- |${old ? " --- |" : ""}`,
      ...rows.map((r) => {
        const pr = r.facts.pull.html_url ? `[#${r.number}](${r.facts.pull.html_url})` : `#${r.number}`;
        const rules = openRules(r.after).map((id) => `\`${id}\``).join(", ");
        return `| ${pr} ${cell(r.facts.pull.title ?? "")} | ${agentKey(r.after)} | ${verdictWord(r.after)} | ${rules} |${r.before ? ` ${verdictWord(r.before)} |` : ""}`;
      }),
      "",
      "```text",
      formatTally(tally, { byAgent: true }).trimEnd(),
      "```",
    ];
    if (old) lines.push("", `### ${changeHead}`, "", ...changes.map((c) => `- ${formatChange(c)}`));
    io.stdout.write(`${lines.join("\n")}\n`);
  } else {
    io.stdout.write(formatTally(tally, { byAgent: true }));
    if (old) io.stdout.write(`${changeHead}\n${changes.map((c) => `${formatChange(c)}\n`).join("")}`);
  }
  return failed ? 1 : 0;
}
