/**
 * Which extra facts an evaluation needs (permissions, team members, checks),
 * computed purely from the policy and the PR, so the facts module fetches only
 * those, once.
 */
import type { Policy } from "../config/schema.js";
import { agentAccount, detectAgent } from "../detect/detect.js";
import type { AgentVerdict, PullFacts } from "../types.js";
import { effectivePolicy, isGoverned } from "./evaluate.js";
import { isBot } from "./reviewers.js";
import { restrictedGroups } from "./paths.js";
import { codeownersGroups } from "./codeowners.js";
import { filesMatching } from "./globs.js";
import { issueToVerify } from "./linked-issue.js";
import { dependencyGroup, INSTALL_TIME_FILES, manifestsToRead } from "./supply-chain.js";
import { workflowsToRead } from "./workflow-risk.js";
import { scanGroups } from "./scans.js";
import { limitsSet } from "./swarm.js";

export interface Lookups {
  logins: string[];
  teams: string[];
  checks: boolean;
  /** The other open PRs whose head is this PR's head commit (they share its check run): for a governed PR. */
  sharedHead: boolean;
  /** Changed files to read whole at the head commit (`PullFacts.head_contents`): workflows, manifests; at most `MAX_CONTENTS`. */
  contents?: string[];
  /** The issue `compliance.linked_issue: verified` checks (`PullFacts.linked_issues`). */
  issue?: number;
  /** The repository's open PRs (`PullFacts.open_pulls`), for `limits`. */
  openPulls?: true;
}

/** The most changed files read whole for one evaluation; the rules read the others' patches alone. */
export const MAX_CONTENTS = 20;

const COMMAND = /^\s*\/governance\b/im;

/**
 * What to look up for this PR: permissions of everyone who reviewed or wrote a
 * command; members of the teams the policy that applies to this PR names (its
 * `overrides` entry included; for path, dependency and finding groups, only the
 * groups this PR triggers), only when someone's eligibility is in question;
 * check results only when that policy requires checks and governs the PR; the
 * changed workflows and manifests the finding rules parse, and the issue a
 * verified `linked_issue` checks, only for a governed PR whose policy has them on.
 */
export function neededLookups(base: Policy, facts: PullFacts, verdict?: AgentVerdict): Lookups {
  const v = verdict ?? detectAgent(facts, base.agents);
  const policy = effectivePolicy(base, v, facts.pull.base?.ref);
  const governed = isGoverned(policy, v);
  const logins = new Set<string>();
  // Agents' accounts never approve nor command: their permission is never asked.
  const person = (u: { login: string; type?: string | null } | null | undefined): u is { login: string } => !!u && !isBot(u) && !agentAccount(u.login, policy.agents);
  for (const r of facts.reviews) if (person(r.user)) logins.add(r.user.login);
  for (const c of facts.comments) if (person(c.user) && COMMAND.test(c.body ?? "")) logins.add(c.user.login);
  const author = facts.pull.user?.login;
  if (author) logins.delete(author);

  const teams = new Set<string>(policy.commands.override.teams);
  if (governed && logins.size > 0) {
    for (const t of policy.reviewers.from.teams) teams.add(t);
    // The owning teams of the changed files (CODEOWNERS), under `reviewers.codeowners`.
    for (const g of codeownersGroups(policy, facts)) for (const t of g.set.teams) teams.add(t);
    // Only the groups this PR's files touch need their teams: a PR without migrations never asks for the DBAs.
    for (const g of restrictedGroups(policy, facts)) for (const t of g.set.teams) teams.add(t);
    for (const t of dependencyGroup(policy, facts)?.set.teams ?? []) teams.add(t);
    // A finding rule's group, whenever the files it reads change (its findings are known only once they are read).
    for (const t of findingTeams(policy, facts)) teams.add(t);
    // A text scan's group (test weakening, hidden instructions), when its findings need approval.
    for (const g of scanGroups(policy, facts)) for (const t of g.set.teams) teams.add(t);
  }
  const checks = governed && policy.compliance.required_checks.some((c) => c.name !== policy.escalation.check_name);
  const contents = governed ? [...new Set([...workflowsToRead(policy, facts), ...manifestsToRead(policy, facts)])].slice(0, MAX_CONTENTS) : [];
  const issue = governed ? issueToVerify(policy, facts) : null;
  return {
    logins: [...logins].sort(),
    teams: logins.size > 0 ? [...teams].sort() : [],
    checks,
    sharedHead: governed,
    ...(contents.length ? { contents } : {}),
    ...(issue !== null ? { issue } : {}),
    ...(governed && limitsSet(policy) ? { openPulls: true as const } : {}),
  };
}

/** Teams of the finding rules' groups (`{ reviewers }`) whose files this PR changes. */
function findingTeams(policy: Policy, facts: PullFacts): string[] {
  const { workflow_risk, install_scripts } = policy.compliance;
  const teams: string[] = [];
  if (typeof workflow_risk === "object" && workflow_risk.reviewers && workflowsToRead(policy, facts).length) teams.push(...workflow_risk.reviewers.teams);
  if (typeof install_scripts === "object" && filesMatching(facts.files, INSTALL_TIME_FILES).length) teams.push(...install_scripts.reviewers.teams);
  return teams;
}

/** The checks the policy (or any of its overrides) waits on, by exact name. */
export function requiredCheckNames(policy: Policy): Set<string> {
  return new Set([...policy.compliance.required_checks, ...policy.overrides.flatMap((o) => o.compliance?.required_checks ?? [])].map((c) => c.name));
}
