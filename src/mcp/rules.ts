/**
 * What each rule id of an `Evaluation` means, read from the policy's JSON Schema
 * (the zod schema's `.describe()` texts), so the MCP server's explanations follow
 * the schema instead of restating it. Pure.
 */
import { policyJsonSchema, type Policy } from "../config/schema.js";

interface JsonSchemaNode {
  description?: string;
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  anyOf?: JsonSchemaNode[];
}

let schemaRoot: JsonSchemaNode | null = null;
const root = (): JsonSchemaNode => (schemaRoot ??= policyJsonSchema() as JsonSchemaNode);

/**
 * Rule ids whose policy setting has another name. Every other rule id is its
 * setting's dotted path (`paths.forbidden`, `compliance.linked_issue`), with a
 * list index for one entry of a list (`paths.restricted[0]`).
 */
const SETTING_OF: Record<string, string> = { "paths.agent_files": "paths.protect_agent_files", "compliance.no_secrets.unscanned": "compliance.no_secrets" };

/** Rule ids that are not policy settings: problems with the policy file or the evaluation itself. */
const NOT_SETTINGS: Record<string, string> = {
  policy: "The policy file itself: it must be valid YAML that matches the schema, or every agent PR fails.",
  evaluation: "The app could not gather the PR's facts from GitHub (an API error), so it could not evaluate the policy.",
  "head.shared": "Another open PR has the same head commit: a check run belongs to the commit, so the PRs would share one verdict.",
};

/** How to satisfy each rule, for an agent about to open a PR. Rules not listed get a generic line. */
const SATISFY: Record<string, string> = {
  policy: "Fix the policy file (`agent-governance validate` prints each problem with file:line:col); an agent should not edit it.",
  evaluation: "Nothing to change in the PR: the app retries, and `/governance recheck` re-runs it.",
  "head.shared": "Open one PR per head commit: do not propose the same commit into two branches; push a distinct commit to one of them.",
  "reviewers.codeowners":
    "Request review from the code owners the CODEOWNERS line names (the row says which line and files); one of them approves the latest commit. Or leave the files that line owns out of the PR.",
  reviewers: "Open the PR and request review; an eligible human (not you, not the PR author) approves the latest commit. Every push makes earlier approvals stale unless `reviewers.stale_on_push` is false.",
  "paths.forbidden": "Do not change these paths: leave them out of the PR. Only an admin's `/governance override <reason>` lets such a PR pass.",
  "paths.restricted": "Leave files in this group out of the PR, or expect to wait for the group's own reviewers to approve.",
  "paths.agent_files": "Leave agent-steering files (the policy, workflows, AGENTS.md, CLAUDE.md, …) out of the PR, or expect to wait for a maintainer's approval.",
  "paths.limits": "Split the work into smaller PRs, each within the file and line limits.",
  "compliance.linked_issue": "Write `Fixes #123` (or an issue URL) in the PR body.",
  "compliance.tests_with_code": "Change or add a test file (matching the `tests` globs) in the same PR as the code change.",
  "compliance.signed_commits": "Sign every commit (GPG, SSH or S/MIME key known to GitHub) so GitHub marks it verified.",
  "compliance.dco": "End every commit message with `Signed-off-by: Name <email>` (`git commit -s`).",
  "compliance.required_checks": "Make the named checks pass on the head commit: run them locally first, then push.",
  "compliance.title_pattern": "Write a PR title that matches the regular expression.",
  "compliance.body": "Write a PR description with the required length and headings, tick the required checkboxes (`- [x] …`) only when they are true, and answer the required fields (`Tool and extent: …`).",
  "compliance.no_secrets": "Remove the token or key from the added lines (and rotate it); read secrets from the environment.",
  "compliance.no_secrets.unscanned": "Keep binary files and very large diffs out of the PR (GitHub shows no patch to scan), or expect to wait for a reviewer to look at them and approve.",
  "compliance.dependencies": "Leave manifests and lockfiles unchanged, or expect to wait for the dependency reviewers' approval.",
  "compliance.install_scripts":
    "Do not add or change install-time code: npm `preinstall`/`install`/`postinstall`/`prepare` scripts (anywhere on a line), Composer install scripts, setup.py commands, pyproject build hooks, build.rs, binding.gyp, Gradle/Maven plugins or wrappers. Pass `content` with package.json, composer.json or pyproject.toml for an exact check.",
  "compliance.workflow_risk":
    "In workflows and actions: pin every third-party action to a full commit SHA, keep `permissions` read-only, never check out the PR's code under `pull_request_target`/`workflow_run`, add no `secrets.*` references or `secrets: inherit`, and use GitHub-hosted runners. Pass each changed workflow's `content` for an exact check.",
  "compliance.linked_issue_verified":
    "Write `Fixes #123` (or `Refs #123`, `Part of #123`, or the issue's URL), naming an open issue of this repository; a bare `#123` does not count.",
  "compliance.ai_disclosure": "Add (when required) or leave out (when forbidden) an AI co-author / `Assisted-by:` trailer in every commit message.",
  "compliance.test_weakening":
    "Make the failing test pass by fixing the code: do not skip, focus (`.only`) or delete tests, remove or loosen assertions, lower coverage or lint thresholds, or remove CI steps or let them fail (`continue-on-error`, `|| true`). If one is truly needed, say why in the PR description and expect to wait for the approval it needs.",
  "limits.open_prs": "Finish, merge or close your older open PRs in this repository before opening more: a PR over the open-PR limit waits until an older one closes.",
  "limits.one_per_issue": "Do not open a second PR for an issue another agent PR already links: continue on that PR, or expect to wait for a maintainer's approval.",
  "compliance.hidden_instructions":
    "Write no invisible or bidi-control characters, no HTML comments addressed to AI agents and no instructions aimed at other agents (\"ignore previous instructions\") in docs, prompts, the PR description or commit messages; put notes for people where reviewers can see them.",
};

const GENERIC_SATISFY = "Make the PR meet the rule above; `check_change` reports the exact problem and fix.";

/**
 * `paths.restricted[0]` → { base: "paths.restricted", index: 0 }; a code owners' row
 * `reviewers.codeowners:12` (CODEOWNERS line 12) → { base: "reviewers.codeowners", index: null }.
 */
export function splitRuleId(id: string): { base: string; index: number | null } {
  const m = /^(.*)\[(\d+)\]$/.exec(id.trim());
  if (m) return { base: m[1]!, index: Number(m[2]) };
  const owners = /^(reviewers\.codeowners):\d+$/.exec(id.trim());
  return { base: owners?.[1] ?? id.trim(), index: null };
}

/** The setting's dotted path a rule id stands for. */
export function settingPath(ruleId: string): string {
  const { base } = splitRuleId(ruleId);
  return SETTING_OF[base] ?? base;
}

function nodeAt(path: string): JsonSchemaNode | null {
  let node: JsonSchemaNode | undefined = root();
  for (const key of path.split(".")) {
    node = node?.properties?.[key] ?? node?.anyOf?.find((n) => n.properties?.[key])?.properties?.[key];
    if (!node) return null;
  }
  return node;
}

/** The schema's description of a rule id's setting, or null for an id the policy does not know. */
/** Is the rule one the policy sets (a key of the file), rather than one about the file or the PR itself? */
export const isSettingRule = (ruleId: string): boolean => !(splitRuleId(ruleId).base in NOT_SETTINGS);

export function ruleMeaning(ruleId: string): string | null {
  const { base } = splitRuleId(ruleId);
  if (NOT_SETTINGS[base]) return NOT_SETTINGS[base]!;
  const node = nodeAt(settingPath(ruleId));
  if (!node) return null;
  return node.description ?? node.items?.description ?? null;
}

export function howToSatisfy(ruleId: string, policy?: Policy): string {
  const base = splitRuleId(ruleId).base;
  if (base === "compliance.linked_issue" && policy?.compliance.linked_issue === "verified") return SATISFY["compliance.linked_issue_verified"]!;
  return SATISFY[base] ?? GENERIC_SATISFY;
}

/** Descriptions of a setting's sub-keys (`compliance.body` → min_length, sections), for settings that are mappings. */
export function subSettings(ruleId: string): { key: string; description: string }[] {
  const node = nodeAt(settingPath(ruleId));
  // A setting written `true` or as a mapping (`workflow_risk`) lists the mapping's keys.
  const props = node?.properties ?? node?.items?.properties ?? node?.anyOf?.find((n) => n.properties)?.properties ?? {};
  return Object.entries(props)
    .filter(([, n]) => n.description)
    .map(([key, n]) => ({ key, description: n.description! }));
}

/** Every rule id the policy can produce, for "known rules" lists and did-you-mean hints. */
export function knownRuleIds(): string[] {
  const props = root().properties ?? {};
  const ids = ["reviewers", "reviewers.codeowners", "paths.forbidden", "paths.restricted", "paths.agent_files", "paths.limits"];
  for (const key of Object.keys(props.compliance?.properties ?? {})) ids.push(`compliance.${key}`);
  return [...ids, ...Object.keys(NOT_SETTINGS)];
}

/** The value a policy sets for a rule id (`paths.restricted[1]` → that group), or undefined. */
export function settingValue(policy: Policy, ruleId: string): unknown {
  const { index } = splitRuleId(ruleId);
  let value: unknown = policy;
  for (const key of settingPath(ruleId).split(".")) {
    value = value && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
  }
  return index !== null && Array.isArray(value) ? value[index] : value;
}

/** Is a setting switched on? `false`, empty lists and empty mappings count as off. */
export function isOn(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.values(value).some(isOn);
  return true;
}

/** A setting's value in one short line: `true` reads as on, lists and mappings as compact JSON. */
export function formatSetting(value: unknown): string {
  if (value === true) return "on";
  if (value === false || value === undefined) return "off";
  if (typeof value === "string") return `\`${value}\``;
  // A required check without an `app` is shown as written, a bare name (the parsed policy reads it `{ name }`).
  const asWritten = (_key: string, v: unknown) => (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).join() === "name" ? (v as { name: unknown }).name : v);
  return `\`${JSON.stringify(value, asWritten)}\``;
}
