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
import { dependencyGroup } from "./compliance.js";
import { scanGroups } from "./scans.js";

export interface Lookups {
  logins: string[];
  teams: string[];
  checks: boolean;
  /** The other open PRs whose head is this PR's head commit (they share its check run): for a governed PR. */
  sharedHead: boolean;
}

const COMMAND = /^\s*\/governance\b/im;

/**
 * What to look up for this PR: permissions of everyone who reviewed or wrote a
 * command; members of the teams the policy that applies to this PR names (its
 * `overrides` entry included; for path, dependency and finding groups, only the
 * groups this PR triggers), only when someone's eligibility is in question;
 * check results only when that policy requires checks and governs the PR.
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
    // Only the groups this PR's files touch need their teams: a PR without migrations never asks for the DBAs.
    for (const g of restrictedGroups(policy, facts)) for (const t of g.set.teams) teams.add(t);
    for (const t of dependencyGroup(policy, facts)?.set.teams ?? []) teams.add(t);
    for (const g of scanGroups(policy, facts)) for (const t of g.set.teams) teams.add(t);
  }
  const checks = governed && policy.compliance.required_checks.some((c) => c.name !== policy.escalation.check_name);
  return { logins: [...logins].sort(), teams: logins.size > 0 ? [...teams].sort() : [], checks, sharedHead: governed };
}
