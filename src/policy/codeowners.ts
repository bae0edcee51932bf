/**
 * `reviewers.codeowners`: each changed file that CODEOWNERS (read from the default branch into
 * `PullFacts.codeowners`) assigns owners needs one approval from them. The files whose owners one
 * line decides form one requirement; a team owner is satisfied by a member's counted approval. As on
 * GitHub, an owner needs write access for their approval to count, and the last matching line
 * decides a file's owners (one with no owners leaves it unowned). Pure.
 */
import type { Policy } from "../config/schema.js";
import { ownerRule, parseCodeowners, type Codeowners, type CodeownersRule } from "../config/codeowners.js";
import type { PullFacts, RuleResult } from "../types.js";
import { displayName, fileNames, listNames } from "./globs.js";
import type { PathGroup } from "./paths.js";

/** Where GitHub looks for CODEOWNERS, in its order: the first found is used. */
export const CODEOWNERS_PATHS = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"] as const;

export const CODEOWNERS_RULE = "reviewers.codeowners";

/** Does this policy, or any of its `overrides` entries, ask for code owners? Then CODEOWNERS is read. */
export function usesCodeowners(policy: Policy): boolean {
  return policy.reviewers.codeowners || policy.overrides.some((o) => o.reviewers?.codeowners === true);
}

let memo: { text: string; parsed: Codeowners; owners: Map<string, CodeownersRule | null> } | undefined;

/** The parsed CODEOWNERS of the facts (null: no file; undefined: not read), parsed once per text. */
export function codeownersOf(facts: Pick<PullFacts, "codeowners">): Codeowners | null | undefined {
  const text = facts.codeowners;
  if (typeof text !== "string") return text === null ? null : undefined;
  if (memo?.text !== text) memo = { text, parsed: parseCodeowners(text), owners: new Map() };
  return memo.parsed;
}

/** `ownerRule`, remembered per path for the text last parsed: one evaluation asks for each file several times. */
function ownerOf(co: Codeowners, path: string): CodeownersRule | null {
  if (memo?.parsed !== co) return ownerRule(co, path);
  let hit = memo.owners.get(path);
  if (hit === undefined) {
    if (memo.owners.size >= 10_000) memo.owners.clear();
    hit = ownerRule(co, path);
    memo.owners.set(path, hit);
  }
  return hit;
}

/**
 * The changed files' owners: one group per CODEOWNERS line that decides some changed file's owners
 * (files in the PR's order, by old and new name), its rule id `reviewers.codeowners:<line>`.
 */
export function codeownersGroups(policy: Policy, facts: PullFacts): PathGroup[] {
  const co = policy.reviewers.codeowners ? codeownersOf(facts) : null;
  if (!co) return [];
  const groups = new Map<number, PathGroup & { pattern: string }>();
  for (const file of facts.files) {
    for (const name of fileNames(file)) {
      const rule = ownerOf(co, name);
      if (!rule || rule.users.length + rule.teams.length === 0) continue;
      let g = groups.get(rule.line);
      if (!g) {
        g = { rule: `${CODEOWNERS_RULE}:${rule.line}`, label: "", required: 1, set: { users: rule.users, teams: rule.teams, min_permission: "write" }, files: [], names: [], pattern: rule.pattern };
        groups.set(rule.line, g);
      }
      if (!g.files.includes(file.filename)) {
        g.files.push(file.filename);
        g.names.push(displayName(file));
      }
    }
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a - b)
    .map(([line, { pattern, ...g }]) => ({
      ...g,
      label: `code owners of ${listNames(g.names, 5)} (CODEOWNERS line ${line})`,
      what: `Code owners of ${listNames(g.names)} (CODEOWNERS line ${line}, \`${pattern.replace(/`/g, "'")}\`)`,
    }));
}

/** How many CODEOWNERS problems the row lists. */
const MAX_PROBLEMS = 10;

/**
 * What the check says about CODEOWNERS besides the owners' requirements: no file, no changed file
 * owned, lines GitHub skips, owners given by e-mail (not counted: only GitHub can tell whose
 * address it is). Null when the policy does not ask for code owners.
 */
export function codeownersRule(policy: Policy, facts: PullFacts): RuleResult | null {
  if (!policy.reviewers.codeowners) return null;
  const co = codeownersOf(facts);
  if (co === undefined) return { id: CODEOWNERS_RULE, status: "skipped", message: "CODEOWNERS was not read (the facts have no `codeowners`)." };
  if (co === null) {
    return {
      id: CODEOWNERS_RULE,
      status: "skipped",
      message: "No CODEOWNERS file on the default branch (`.github/CODEOWNERS`, `CODEOWNERS` or `docs/CODEOWNERS`): no code owner's approval is needed.",
    };
  }
  const problems = co.errors.map((e) => `line ${e.line}: ${e.message}`);
  const emailLines = new Map<number, string[]>();
  for (const file of facts.files) {
    for (const name of fileNames(file)) {
      const rule = ownerOf(co, name);
      if (rule?.emails.length) emailLines.set(rule.line, rule.emails);
    }
  }
  for (const [line, emails] of [...emailLines].sort(([a], [b]) => a - b)) {
    problems.push(`line ${line}: ${emails.map((e) => `\`${e}\``).join(", ")}: owners given by e-mail are not counted (the app cannot tell whose account an address is); write \`@login\``);
  }
  if (problems.length === 0) {
    return codeownersGroups(policy, facts).length === 0 ? { id: CODEOWNERS_RULE, status: "pass", message: "No changed file has a code owner in CODEOWNERS." } : null;
  }
  const shown = problems.slice(0, MAX_PROBLEMS);
  if (problems.length > MAX_PROBLEMS) shown.push(`… and ${problems.length - MAX_PROBLEMS} more`);
  return {
    id: CODEOWNERS_RULE,
    status: "skipped",
    message: `CODEOWNERS lines not applied: ${shown.join("; ")}.`,
    fix: "Fix these lines of CODEOWNERS on the default branch (GitHub also lists its errors on the file's page).",
  };
}
