/**
 * `reviewers.request`: which of a pool to ask for a review. Pure and stable: the pool's order is
 * drawn once per PR (a hash of the repository, the PR number and each member), so a push, a
 * review or another replica never asks different people; members already asked, or who already
 * reviewed, count towards `count`.
 */
import { createHash } from "node:crypto";
import type { Policy } from "../config/schema.js";
import { agentAccount } from "../detect/detect.js";
import { isBot, lower } from "../policy/reviewers.js";
import type { PullFacts } from "../types.js";

/** The pool in this PR's order: by a hash of `owner/repo#number` and the member (lower case). */
export function poolOrder(pool: readonly string[], repo: string, number: number): string[] {
  const seed = `${lower(repo)}#${number}`;
  const rank = (who: string) => createHash("sha256").update(`${seed}\n${lower(who)}`).digest("hex");
  const unique = [...new Map(pool.map((w) => [lower(w), w])).values()];
  return unique.map((w) => ({ w, r: rank(w) })).sort((a, b) => (a.r < b.r ? -1 : a.r > b.r ? 1 : 0)).map((x) => x.w);
}

/**
 * The pool members to ask now (users, and teams as `org/slug`): `count` less those already asked
 * or who reviewed, in the PR's order, never one of `excluded` (the author, invokers, contributors,
 * lower case), a bot, an agent's account, or a team of another organization.
 */
export function poolPicks(policy: Policy, facts: PullFacts, excluded: ReadonlySet<string>): string[] {
  const request = policy.reviewers.request;
  if (!request) return [];
  const repo = facts.pull.base.repo?.full_name ?? "";
  const org = lower(repo.split("/")[0] ?? "");
  const asked = new Set((facts.pull.requested_reviewers ?? []).map((u) => lower(u.login)));
  for (const r of facts.reviews) if (r.user && !isBot(r.user)) asked.add(lower(r.user.login));
  const askedTeams = new Set((facts.pull.requested_teams ?? []).map((t) => lower(t.slug)));
  const eligible = (who: string) => {
    if (who.includes("/")) return !org || lower(who.split("/", 2)[0]!) === org;
    return !excluded.has(lower(who)) && !isBot({ login: who, type: "User" }) && !agentAccount(who, policy.agents);
  };
  const done = (who: string) => (who.includes("/") ? askedTeams.has(lower(who.split("/", 2)[1]!)) : asked.has(lower(who)));
  const ordered = poolOrder(request.from, repo, facts.pull.number).filter(eligible);
  const need = request.count - ordered.filter(done).length;
  return need > 0 ? ordered.filter((w) => !done(w)).slice(0, need) : [];
}
