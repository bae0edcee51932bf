/**
 * Who may give which reviewer command. Pure: reads the policy, the agent
 * verdict and the permissions and team members in the facts (looked up from
 * GitHub for the commenters of `/governance` comments).
 *
 * - Nobody's command is obeyed when it was written by a bot or an agent: a Bot,
 *   or an account detection knows as an agent's or automation's (a registry
 *   account such as `openhands-agent`, or `agents.also.logins`), on any PR.
 * - `approve`: whoever's review would count under `reviewers.from`, the code owners of
 *   changed files (`reviewers.codeowners`), a restricted
 *   path group touched by the PR, `compliance.dependencies`, or the group a
 *   finding of `test_weakening` or `hidden_instructions` needs; never the PR
 *   author, the agent's invoker (unless `reviewers.invoker_can_approve`) or a
 *   human who contributed commits (unless `reviewers.contributors_can_approve`).
 * - `override`: `commands.override.min_permission` or above, or listed in its
 *   `users` / `teams`; never the author or the invoker (whatever
 *   `reviewers.invoker_can_approve` says), nor a contributor unless
 *   `reviewers.contributors_can_approve`; a reason unless `reason_required: false`.
 * - `recheck`, `escalate`: write permission or above. `explain`, `help`: anyone.
 */
import type { Policy } from "../config/schema.js";
import { agentAccount } from "../detect/detect.js";
import { codeownersGroups } from "../policy/codeowners.js";
import { restrictedGroups } from "../policy/paths.js";
import { scanGroups } from "../policy/scans.js";
import { findingRules } from "../policy/evaluate.js";
import { unscannedGroup } from "../policy/compliance.js";
import { isBot, isEligible, lower, permissionOf, refusedApprover, requirementContext, type ReviewerSet } from "../policy/reviewers.js";
import { permissionAtLeast, type Actor, type AgentVerdict, type CommentFacts, type PullFacts } from "../types.js";
import { overrideArgs } from "./override-time.js";
import type { ParsedCommand } from "./parse.js";

export type Decision = { ok: true } | { ok: false; reason: string };

const OK: Decision = { ok: true };
const refuse = (reason: string): Decision => ({ ok: false, reason });

/** "@a, @org/team with write permission or above", "anyone with write permission or above". */
export function describeSet(set: ReviewerSet): string {
  const who = [...set.users, ...set.teams].map((w) => `@${w}`).join(", ") || "anyone";
  const perm = set.min_permission ?? (set.users.length || set.teams.length ? undefined : "write");
  return perm ? `${who} with ${perm} permission or above` : who;
}

/** The reviewer sets whose approval counts on this PR. */
export function approverSets(policy: Policy, facts: PullFacts): ReviewerSet[] {
  const sets: ReviewerSet[] = [];
  if (policy.reviewers.required > 0) sets.push(policy.reviewers.from);
  for (const g of codeownersGroups(policy, facts)) sets.push(g.set);
  for (const g of restrictedGroups(policy, facts)) sets.push(g.set);
  const deps = policy.compliance.dependencies;
  if (deps) sets.push(deps.reviewers);
  for (const g of scanGroups(policy, facts)) sets.push(g.set);
  // The groups whose approval findings need (workflow risk, install scripts) and unscanned files.
  for (const g of findingRules(policy, facts)) if (g.group) sets.push(g.group.set);
  const unscanned = unscannedGroup(policy, facts);
  if (unscanned) sets.push(unscanned.set);
  return sets;
}

export function authorize(
  cmd: ParsedCommand,
  actor: Actor | null | undefined,
  facts: PullFacts,
  policy: Policy,
  verdict: AgentVerdict,
  /** The app a comment was written through on the person's behalf (GitHub's `performed_via_github_app`), if any. */
  via?: CommentFacts["performed_via_github_app"],
): Decision {
  if (!actor || isBot(actor)) return refuse("commands written by bots or agents are not obeyed; a human must write them");
  const account = agentAccount(actor.login, policy.agents);
  if (account) return refuse(`this is ${account}, and commands written by bots or agents are not obeyed; a human must write them`);
  // An approval or override typed by a tool holding the person's token (a coding agent, say) is not theirs to give.
  if (via && (cmd.name === "approve" || cmd.name === "override")) {
    return refuse(`this comment was written through the app \`${(via.slug ?? via.name ?? "unknown").replace(/`/g, "'")}\` on your behalf, and an approval or override must be written by you on GitHub itself`);
  }
  const login = actor.login;
  const have = permissionOf(login, facts);
  const ctx = requirementContext(policy, facts, verdict);
  switch (cmd.name) {
    case "help":
    case "explain":
    case "unknown":
      return OK;
    case "recheck":
    case "escalate":
      return permissionAtLeast(have, "write")
        ? OK
        : refuse(`\`/governance ${cmd.name}\` needs write permission or above on this repository (you have ${have})`);
    case "approve": {
      if (!policy.commands.approve.enabled) return refuse("approval by command is turned off in this repository's policy (`commands.approve.enabled: false`); approve with a review");
      const who = refusedApprover(login, facts, verdict, ctx.invokerCanApprove, ctx.contributorsCanApprove, ctx.alsoLogins);
      if (who) return refuse(`you are ${who}, and ${who} cannot approve this PR`);
      const sets = approverSets(policy, facts);
      if (sets.length === 0) return refuse("this PR needs no human approval under the policy");
      if (sets.some((s) => isEligible(login, s, facts))) return OK;
      return refuse(`your approval would not count here: approvals come from ${sets.map(describeSet).join("; or ")} (you have ${have} permission)`);
    }
    case "override": {
      const o = policy.commands.override;
      const who = refusedApprover(login, facts, verdict, false, ctx.contributorsCanApprove, ctx.alsoLogins);
      if (who) return refuse(`you are ${who}, and ${who} cannot override this PR's policy`);
      const listed =
        o.users.some((u) => lower(u) === lower(login)) ||
        o.teams.some((t) => (facts.teams?.[t] ?? facts.teams?.[lower(t)] ?? []).some((m) => lower(m) === lower(login)));
      if (!listed && !permissionAtLeast(have, o.min_permission)) {
        const also = [...o.users, ...o.teams].map((w) => `@${w}`).join(", ");
        return refuse(`an override needs ${o.min_permission} permission or above${also ? ` or to be one of ${also}` : ""} (you have ${have} permission)`);
      }
      // A duration alone (`/governance override 3d`) is no reason.
      if (o.reason_required && overrideArgs(cmd.args).reason === "") return refuse("an override needs a reason: `/governance override <reason>`");
      return OK;
    }
  }
}
