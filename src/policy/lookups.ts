/**
 * Which extra facts an evaluation needs (permissions, team members, checks),
 * computed purely from the policy and the PR, so the facts module fetches only
 * those, once.
 */
import type { Policy } from "../config/schema.js";
import type { PullFacts } from "../types.js";
import { isBot } from "./reviewers.js";

export interface Lookups {
  logins: string[];
  teams: string[];
  checks: boolean;
}

const COMMAND = /^\s*\/governance\b/im;

export function neededLookups(policy: Policy, facts: PullFacts): Lookups {
  const logins = new Set<string>();
  for (const r of facts.reviews) if (r.user && !isBot(r.user)) logins.add(r.user.login);
  for (const c of facts.comments) if (c.user && !isBot(c.user) && COMMAND.test(c.body ?? "")) logins.add(c.user.login);
  const author = facts.pull.user?.login;
  if (author) logins.delete(author);

  const teams = new Set<string>(policy.reviewers.from.teams);
  for (const g of policy.paths.restricted) for (const t of g.reviewers.teams) teams.add(t);
  for (const t of policy.compliance.dependencies?.reviewers.teams ?? []) teams.add(t);
  for (const t of policy.commands.override.teams) teams.add(t);
  for (const o of policy.overrides) {
    for (const t of o.reviewers?.from?.teams ?? []) teams.add(t);
    for (const g of o.paths?.restricted ?? []) for (const t of g.reviewers.teams ?? []) teams.add(t);
  }
  const checks = policy.compliance.required_checks.length > 0 || policy.overrides.some((o) => (o.compliance?.required_checks ?? []).length > 0);
  return { logins: [...logins].sort(), teams: logins.size > 0 ? [...teams].sort() : [], checks };
}
