/**
 * Swarm limits (`limits`): how many agent PRs may be open at once, per agent and per invoker,
 * and one agent PR per issue. Counted from the repository's list of open PRs
 * (`PullFacts.open_pulls`), each detected from what the list shows (author, branch, labels,
 * title, body, assignees), so every PR's evaluation sees the same partition without a read per
 * PR. The oldest PRs (by creation, then number) stay in the budget; newer ones are held
 * (`pending`: `action_required`) until older ones close. A second agent PR linking an issue an
 * older one links is held until someone with maintain permission approves it. Pure.
 */
import type { Policy } from "../config/schema.js";
import type { PullFacts, PullRequestFacts, RuleResult } from "../types.js";
import { judgePullObject } from "./evaluate.js";
import { MAINTAINERS } from "./findings.js";
import { linkedIssueNumbers, linkText, pullRepo } from "./linked-issue.js";
import type { PathGroup } from "./paths.js";

export const OPEN_PRS_RULE = "limits.open_prs";
export const ONE_PER_ISSUE_RULE = "limits.one_per_issue";

/** Does the policy set any limit (and so need the list of open PRs)? */
export function limitsSet(policy: Policy): boolean {
  const l = policy.limits;
  return Boolean(l.open_prs?.per_agent || l.open_prs?.per_invoker || l.one_per_issue);
}

/** An open agent PR as the limits see it. */
export interface Sibling {
  number: number;
  created: string;
  url: string | null;
  /** The agent: its registry id, else the PR author's login; lower case. */
  agent: string;
  agentName: string;
  /** The first invoker the PR names, lower case; null when none. */
  invoker: string | null;
  issues: number[];
}

const memo = new WeakMap<readonly PullRequestFacts[], { agents: Policy["agents"]; siblings: Sibling[] }>();

/** The governed agent PRs among open PRs, oldest first (automation such as Dependabot is not counted: it has limits of its own). */
export function siblingsOf(policy: Policy, pulls: readonly PullRequestFacts[]): Sibling[] {
  const hit = memo.get(pulls);
  if (hit && hit.agents === policy.agents) return hit.siblings;
  const siblings: Sibling[] = [];
  for (const p of pulls) {
    const s = sibling(policy, p);
    if (s) siblings.push(s);
  }
  siblings.sort(older);
  memo.set(pulls, { agents: policy.agents, siblings });
  return siblings;
}

function sibling(policy: Policy, p: PullRequestFacts): Sibling | null {
  const { verdict: v, governed } = judgePullObject(policy, p);
  if (v.kind !== "agent" || !governed) return null;
  return {
    number: p.number,
    created: p.created_at ?? "",
    url: p.html_url ?? null,
    agent: (v.id ?? p.user?.login ?? "unknown").toLowerCase(),
    agentName: v.name ?? v.id ?? p.user?.login ?? "an agent",
    invoker: v.invoker?.toLowerCase() ?? null,
    issues: linkedIssueNumbers(linkText(p), pullRepo(p)),
  };
}

/** Oldest first: by creation, then by number. */
const older = (a: Sibling, b: Sibling) => a.created.localeCompare(b.created) || a.number - b.number;

/** The open PRs with this PR as the facts have it (fresher than the list, and present even when the list was read before it opened). */
function withThis(facts: PullFacts): PullRequestFacts[] | null {
  const list = facts.open_pulls;
  if (!list) return null;
  return list.some((p) => p.number === facts.pull.number) ? list.map((p) => (p.number === facts.pull.number ? facts.pull : p)) : [...list, facts.pull];
}

const link = (s: Sibling) => (s.url ? `[#${s.number}](${s.url})` : `#${s.number}`);

/** Where `s` stands in a budget of `max` among `group` (oldest first): held when `max` older PRs are before it. */
function budget(group: readonly Sibling[], s: Sibling, max: number): { held: boolean; ahead: Sibling[]; count: number } {
  const at = group.findIndex((g) => g.number === s.number);
  return { held: at >= max, ahead: group.slice(0, Math.min(at, max)), count: group.length };
}

/** `limits.open_prs`: this PR within its agent's and its invoker's budget of open PRs, or held. Null: no such limit, or nothing to count. */
export function openPrsRule(policy: Policy, facts: PullFacts): RuleResult | null {
  const limits = policy.limits.open_prs;
  const pulls = withThis(facts);
  const counting = !!limits && !!(limits.per_agent || limits.per_invoker);
  // Facts without the list (a hand-written or saved snapshot for `explain`): said, not taken as within the limits.
  if (!pulls && limitsSet(policy)) {
    return { id: counting ? OPEN_PRS_RULE : ONE_PER_ISSUE_RULE, status: "skipped", message: "The open PRs were not read (the facts have no `open_pulls`): the limits were not counted." };
  }
  if (!pulls || !limits || !counting) return null;
  const all = siblingsOf(policy, pulls);
  const self = all.find((s) => s.number === facts.pull.number);
  if (!self) return null;
  const held: string[] = [];
  const within: string[] = [];
  if (limits.per_agent) {
    const b = budget(all.filter((s) => s.agent === self.agent), self, limits.per_agent);
    const what = `${self.agentName} has ${b.count} open PR${b.count === 1 ? "" : "s"} here (at most ${limits.per_agent})`;
    (b.held ? held : within).push(b.held ? `${what}; older ones in the budget: ${b.ahead.map(link).join(", ")}` : what);
  }
  if (limits.per_invoker && self.invoker) {
    const b = budget(all.filter((s) => s.invoker === self.invoker), self, limits.per_invoker);
    const what = `@${self.invoker} has ${b.count} open agent PR${b.count === 1 ? "" : "s"} here (at most ${limits.per_invoker})`;
    (b.held ? held : within).push(b.held ? `${what}; older ones in the budget: ${b.ahead.map(link).join(", ")}` : what);
  }
  if (held.length) {
    return {
      id: OPEN_PRS_RULE,
      status: "pending",
      message: `Held: over the open-PR limit. ${held.join(". ")}.`,
      fix: "Merge or close an older agent PR: this one is evaluated again when one closes (`/governance recheck` does it now). An override lets it pass meanwhile.",
    };
  }
  return within.length ? { id: OPEN_PRS_RULE, status: "pass", message: `Within the open-PR limits: ${within.join("; ")}.` } : null;
}

/**
 * `limits.one_per_issue`: when an older open agent PR links an issue this one links, this one needs
 * the approval of someone with maintain permission (a review or `/governance approve`). Null: off, not
 * counted, or the first for its issues.
 */
export function oneIssueGroup(policy: Policy, facts: PullFacts): PathGroup | null {
  const pulls = policy.limits.one_per_issue ? withThis(facts) : null;
  if (!pulls) return null;
  const all = siblingsOf(policy, pulls);
  const self = all.find((s) => s.number === facts.pull.number);
  if (!self || self.issues.length === 0) return null;
  const first = firstFor(all, self);
  if (!first) return null;
  const issue = first.issues.find((n) => self.issues.includes(n))!;
  return {
    rule: ONE_PER_ISSUE_RULE,
    label: `a second PR for #${issue}`,
    required: MAINTAINERS.required,
    set: { users: MAINTAINERS.users, teams: MAINTAINERS.teams, min_permission: MAINTAINERS.min_permission },
    files: [],
    names: [],
    what: `A second agent PR for #${issue}: ${link(first)} (${first.agentName}) links it already`,
  };
}

/** The oldest open agent PR before `self` linking one of its issues, or null. */
function firstFor(all: readonly Sibling[], self: Sibling): Sibling | null {
  for (const s of all) {
    if (s.number === self.number) return null;
    if (s.issues.some((n) => self.issues.includes(n))) return s;
  }
  return null;
}

/**
 * Did `after` (a PR just reopened, or edited from `before`) come into the limits, or into other groups of
 * them (another agent or invoker, a new issue)? Then the newer PRs it now holds are evaluated again, so that
 * one that passed without it is held (a close-and-reopen, or a marker removed and put back, is no way out).
 */
export function joinsLimits(policy: Policy, before: PullRequestFacts | null, after: PullRequestFacts): boolean {
  if (!limitsSet(policy)) return false;
  const a = sibling(policy, after);
  if (!a) return false;
  const b = before ? sibling(policy, before) : null;
  return !b || b.agent !== a.agent || b.invoker !== a.invoker || a.issues.some((n) => !b.issues.includes(n));
}

/** The most held PRs one close re-evaluates. */
export const MAX_RELEASED = 5;

/**
 * The open PRs a closed PR may have been holding, to evaluate again (at most `MAX_RELEASED`, oldest
 * first): those of its agent, its invoker or its issues that were held with it still open.
 */
export function heldBy(policy: Policy, closed: PullRequestFacts, open: readonly PullRequestFacts[]): number[] {
  if (!limitsSet(policy)) return [];
  const list = [...open.filter((p) => p.number !== closed.number), closed];
  const all = siblingsOf(policy, list);
  const gone = all.find((s) => s.number === closed.number);
  if (!gone) return [];
  const { per_agent, per_invoker } = policy.limits.open_prs ?? {};
  const held = all.filter((s) => {
    if (s.number === gone.number || older(s, gone) < 0) return false;
    if (per_agent && s.agent === gone.agent && budget(all.filter((x) => x.agent === s.agent), s, per_agent).held) return true;
    if (per_invoker && s.invoker && s.invoker === gone.invoker && budget(all.filter((x) => x.invoker === s.invoker), s, per_invoker).held) return true;
    return Boolean(policy.limits.one_per_issue && s.issues.some((n) => gone.issues.includes(n)));
  });
  return held.slice(0, MAX_RELEASED).map((s) => s.number);
}
