/** Path rules: forbidden globs, restricted groups, agent-steering files, size limits. */
import type { Policy } from "../config/schema.js";
import { POLICY_PATH } from "../config/schema.js";
import type { FileFacts, Location, PullFacts, RuleResult } from "../types.js";
import { displayName, fileNames, filesMatching, filesMatchingEach, listNames } from "./globs.js";
import type { ReviewerSet } from "./reviewers.js";

/** The policy file (both spellings): a PR that changes it always needs a maintainer. */
export const POLICY_FILES = [POLICY_PATH, ".github/agent-governance.yaml"];

/**
 * Changed files (by old or new name) matching `globs`, or named exactly in
 * `PullFacts.policy_files` (the paths the policy is built from: paths, not globs),
 * in the PR's order. The globs follow the rule of every path list (`pathForms`):
 * case is ignored, since on a case-insensitive file system (macOS, Windows) an
 * agent reads `claude.md` as `CLAUDE.md`, and `.claude/**` matches `.claude` itself.
 * The named paths are exact: the app reads exactly those.
 */
export function policyFileHits(facts: Pick<PullFacts, "policy_files">, files: readonly FileFacts[], globs: readonly string[]): FileFacts[] {
  const named = new Set(facts.policy_files ?? []);
  const globbed = new Set(filesMatching(files, globs));
  return files.filter((f) => globbed.has(f) || fileNames(f).some((n) => named.has(n)));
}

/** Files that steer agents or CI; changing them needs a maintainer (`paths.protect_agent_files`). */
export const AGENT_FILES = [
  ...POLICY_FILES,
  ".github/workflows/**",
  "AGENTS.md",
  "**/AGENTS.md",
  "CLAUDE.md",
  "**/CLAUDE.md",
  ".claude/**",
  "GEMINI.md",
  ".github/copilot-instructions.md",
  ".github/instructions/**",
  ".cursor/**",
  ".cursorrules",
  ".mcp.json",
  // CI beyond workflows: composite actions run in workflows; owners and update bots decide who reviews and what lands.
  ".github/actions/**",
  ".github/CODEOWNERS",
  "CODEOWNERS",
  "docs/CODEOWNERS",
  ".github/dependabot.yml",
  ".github/dependabot.yaml",
  // Codex, Gemini CLI, Qwen Code, VS Code / Copilot agents and prompts, Windsurf, Cline, Kiro, Junie, Claude Desktop.
  "AGENTS.override.md",
  "**/AGENTS.override.md",
  ".codex/**",
  "**/GEMINI.md",
  ".gemini/**",
  "QWEN.md",
  "**/QWEN.md",
  ".vscode/mcp.json",
  ".github/agents/**",
  ".github/prompts/**",
  ".windsurfrules",
  ".windsurf/**",
  ".clinerules",
  ".clinerules/**",
  ".kiro/**",
  ".junie/**",
  "**/claude_desktop_config.json",
];

export function forbiddenRule(policy: Policy, facts: PullFacts): RuleResult | null {
  const globs = policy.paths.forbidden;
  if (globs.length === 0) return null;
  const hits = filesMatching(facts.files, globs);
  if (hits.length === 0) {
    return { id: "paths.forbidden", status: "pass", message: "No forbidden paths changed." };
  }
  return {
    id: "paths.forbidden",
    status: "fail",
    message: `Changes forbidden paths: ${listNames(hits.map(displayName), 20)}.`,
    fix: "Remove these changes from the PR, or ask an admin for `/governance override <reason>`.",
    locations: hits.map((f) => ({ path: f.filename, message: "An agent PR may not change this path (paths.forbidden)." })),
  };
}

/** A path group that needs its own approvals, with the files that triggered it. */
export interface PathGroup {
  rule: string;
  label: string;
  required: number;
  set: ReviewerSet;
  /** The matching files' current names, for annotations. */
  files: string[];
  /** The same files as shown in messages (`old → new` for a rename). */
  names: string[];
  /** What the rule row says needs approval, when it is more than the files (a finding rule's findings); default: the changes to `label` and `names`. */
  what?: string;
  /** Where to annotate, when it is more than the files (a finding rule's lines); default: each file, saying it needs approval. */
  locations?: Location[];
}

/**
 * Memo of `restrictedGroups` by the identity of a file list and a `paths`
 * section, and the policy files named in the facts: one evaluation asks for
 * them once per rule and once per command comment, and none of these changes within it.
 */
const groupsMemo = new WeakMap<readonly FileFacts[], WeakMap<Policy["paths"], { policyFiles: string; groups: PathGroup[] }>>();

/** The restricted path groups (and the agent-steering files group) this PR's files touch. */
export function restrictedGroups(policy: Policy, facts: PullFacts): PathGroup[] {
  let byPaths = groupsMemo.get(facts.files);
  if (!byPaths) groupsMemo.set(facts.files, (byPaths = new WeakMap()));
  const policyFiles = (facts.policy_files ?? []).join("\n");
  let hit = byPaths.get(policy.paths);
  if (!hit || hit.policyFiles !== policyFiles) byPaths.set(policy.paths, (hit = { policyFiles, groups: computeGroups(policy, facts) }));
  return hit.groups;
}

function computeGroups(policy: Policy, facts: PullFacts): PathGroup[] {
  const groups: PathGroup[] = [];
  const matched = filesMatchingEach(facts.files, policy.paths.restricted.map((g) => g.paths));
  policy.paths.restricted.forEach((g, i) => {
    const hits = matched[i]!;
    if (hits.length === 0) return;
    groups.push({
      rule: `paths.restricted[${i}]`,
      label: g.name ?? g.paths.join(", "),
      required: g.reviewers.required,
      set: g.reviewers,
      files: hits.map((f) => f.filename),
      names: hits.map(displayName),
    });
  });
  {
    // The policy file and the files it is built from are always protected (they govern this very check);
    // the other steering files by default.
    const hits = policyFileHits(facts, facts.files, policy.paths.protect_agent_files ? AGENT_FILES : POLICY_FILES);
    if (hits.length > 0) {
      groups.push({
        rule: "paths.agent_files",
        label: "agent-steering files",
        required: 1,
        set: { users: [], teams: [], min_permission: "maintain" },
        files: hits.map((f) => f.filename),
        names: hits.map(displayName),
      });
    }
  }
  return groups;
}

export function limitsRule(policy: Policy, facts: PullFacts): RuleResult | null {
  const { max_files, max_changed_lines } = policy.paths.limits;
  if (max_files === undefined && max_changed_lines === undefined) return null;
  const fileCount = Math.max(facts.pull.changed_files ?? 0, facts.files.length);
  const lines =
    facts.pull.additions !== undefined && facts.pull.deletions !== undefined
      ? facts.pull.additions + facts.pull.deletions
      : facts.files.reduce((n, f) => n + (f.additions ?? 0) + (f.deletions ?? 0), 0);
  const over: string[] = [];
  if (max_files !== undefined && fileCount > max_files) over.push(`${fileCount} files changed (limit ${max_files})`);
  if (max_changed_lines !== undefined && lines > max_changed_lines) over.push(`${lines} lines changed (limit ${max_changed_lines})`);
  if (over.length === 0) return { id: "paths.limits", status: "pass", message: `${fileCount} files, ${lines} lines: within limits.` };
  return {
    id: "paths.limits",
    status: "fail",
    message: `Too large: ${over.join("; ")}.`,
    fix: "Split the change into smaller PRs.",
  };
}

/**
 * GitHub lists at most 3,000 files of a PR. When it reports more changed files
 * than it listed, path rules cannot see them all, so the PR cannot pass on paths.
 */
export function incompleteFilesRule(facts: PullFacts): RuleResult | null {
  const total = facts.pull.changed_files ?? 0;
  if (total <= facts.files.length) return null;
  return {
    id: "paths.incomplete",
    status: "fail",
    message: `GitHub reports ${total} changed files but listed only ${facts.files.length}; path rules cannot check the other ${total - facts.files.length}.`,
    fix: "Split the change into smaller PRs, or ask an admin for `/governance override <reason>`.",
  };
}
