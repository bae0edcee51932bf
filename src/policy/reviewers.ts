/**
 * Required human reviewers: which approvals count, and what is still missing.
 * An approval counts only from a human (not a Bot, nor an account detection
 * knows as an agent's: a registry account or `agents.also.logins`), not the PR
 * author (nor, by default, the agent's invoker), with the required permission
 * or team membership, on the current head commit unless approvals are kept across pushes.
 */
import type { Policy } from "../config/schema.js";
import { agentAccount } from "../detect/detect.js";
import { carriedOver } from "./update-merges.js";
import {
  permissionAtLeast,
  type Actor,
  type AgentVerdict,
  type Approval,
  type NotCountedKind,
  type Permission,
  type PullFacts,
  type Requirement,
} from "../types.js";

export interface ReviewerSet {
  users: readonly string[];
  teams: readonly string[];
  min_permission?: Permission | undefined;
}

/** An approval candidate before eligibility is checked. */
export interface ApprovalCandidate {
  login: string;
  via: "review" | "command";
  commit: string | null;
  at: string | null;
}

/** The result of reading reviews (and approval commands) for one PR. */
export interface ReviewState {
  /** Latest approval per login, current or stale. */
  approvals: ApprovalCandidate[];
  /** Logins whose latest review requests changes. */
  changesRequested: string[];
}

export const lower = (s: string) => s.toLowerCase();

/** Oldest first, by `at` (approvals, commands, refusals; an unknown time first). */
export const byTime = (a: { at: string | null }, b: { at: string | null }) => (a.at ?? "").localeCompare(b.at ?? "");

/** The PR's reviews, oldest first (by submission, then id): the order in which a reviewer's later review decides. */
export const reviewsInOrder = (facts: PullFacts) => [...facts.reviews].sort((a, b) => (a.submitted_at ?? "").localeCompare(b.submitted_at ?? "") || a.id - b.id);

export function isBot(user: Actor | null | undefined): boolean {
  return !user || user.type === "Bot" || /\[bot\]$/i.test(user.login);
}

/**
 * The latest review per reviewer wins; COMMENTED reviews do not change a
 * reviewer's state, and DISMISSED ones are skipped entirely, as if never
 * submitted (as palantir/policy-bot does): GitHub turns the dismissed review
 * itself into DISMISSED, so dismissing a changes request gives back the
 * reviewer's earlier approval (counted if it is of the head), and a dismissed
 * approval is gone. A `/governance approve` (in `commandApprovals`, oldest
 * first) and a review by the same person: the later one decides.
 */
export function reviewState(facts: PullFacts, commandApprovals: readonly ApprovalCandidate[] = []): ReviewState {
  const latest = new Map<string, { state: string; commit: string | null; at: string | null; login: string }>();
  const ordered = reviewsInOrder(facts);
  for (const r of ordered) {
    if (!r.user || isBot(r.user)) continue;
    const state = r.state.toUpperCase();
    if (state !== "APPROVED" && state !== "CHANGES_REQUESTED") continue;
    latest.set(lower(r.user.login), { state, commit: r.commit_id ?? null, at: r.submitted_at ?? null, login: r.user.login });
  }
  const approvals: ApprovalCandidate[] = [];
  const changesRequested: string[] = [];
  for (const v of latest.values()) {
    if (v.state === "APPROVED") approvals.push({ login: v.login, via: "review", commit: v.commit, at: v.at });
    if (v.state === "CHANGES_REQUESTED") changesRequested.push(v.login);
  }
  for (const c of commandApprovals) {
    // A command bound to no commit (given before the app saw the head) approves nothing and replaces nothing.
    if (c.commit === null) continue;
    const review = latest.get(lower(c.login));
    // The same person's later review (an approval or a changes request; a dismissed one is skipped) decides instead.
    if (review && (review.at ?? "") > (c.at ?? "")) continue;
    const i = approvals.findIndex((a) => lower(a.login) === lower(c.login));
    if (i >= 0) approvals.splice(i, 1);
    approvals.push(c);
    const j = changesRequested.findIndex((l) => lower(l) === lower(c.login));
    if (j >= 0) changesRequested.splice(j, 1);
  }
  return { approvals, changesRequested };
}

/** Is `login` one of `set`'s users or a member of one of its teams (true when it lists nobody)? */
export function inSet(login: string, set: ReviewerSet, facts: PullFacts): boolean {
  const l = lower(login);
  if (set.users.length === 0 && set.teams.length === 0) return true;
  return (
    set.users.some((u) => lower(u) === l) ||
    set.teams.some((t) => (facts.teams?.[t] ?? facts.teams?.[lower(t)] ?? []).some((m) => lower(m) === l))
  );
}

/** Is `login` allowed to approve for `set`? Pure: reads `facts.permissions` and `facts.teams`. */
export function isEligible(login: string, set: ReviewerSet, facts: PullFacts): boolean {
  const listed = set.users.length > 0 || set.teams.length > 0;
  if (!inSet(login, set, facts)) return false;
  const need = set.min_permission ?? (listed ? undefined : "write");
  return need ? permissionAtLeast(permissionOf(login, facts), need) : true;
}

export function permissionOf(login: string, facts: PullFacts): Permission {
  const perms = facts.permissions ?? {};
  const hit = perms[login] ?? Object.entries(perms).find(([k]) => lower(k) === lower(login))?.[1];
  return hit ?? "none";
}

/**
 * Humans who authored or committed a commit of the PR, by their GitHub account.
 * Merge commits (such as "Update branch") do not make their author a contributor,
 * nor does GitHub's own `web-flow` committer. Co-author trailers are ignored:
 * anyone could write one to keep a reviewer from approving.
 */
export function contributors(facts: PullFacts): string[] {
  const out = new Set<string>();
  for (const c of facts.commits) {
    // GitHub's own merges ("Update branch": committed by web-flow) make nobody a contributor; a merge a person made
    // (its resolution may hold their changes) does.
    if ((c.parents?.length ?? 1) > 1 && lower(c.committer?.login ?? "") === "web-flow") continue;
    for (const who of [c.author, c.committer]) {
      if (who && !isBot(who) && lower(who.login) !== "web-flow") out.add(lower(who.login));
    }
  }
  return [...out];
}

/**
 * Every login the verdict names as the agent's invoker, lower case: all of `invokers`
 * (the `Requested by:` line, co-authors, the author), and `invoker` in case a verdict
 * built by hand names only that one.
 */
export function invokerLogins(verdict: AgentVerdict): string[] {
  const all = [verdict.invoker, ...(verdict.invokers ?? [])].flatMap((l) => (l ? [lower(l)] : []));
  return [...new Set(all)];
}

/** Why an approver is never counted, or null when only eligibility decides: `whyRefused`'s reason. */
export function refusedApprover(...args: Parameters<typeof whyRefused>): string | null {
  return whyRefused(...args)?.reason ?? null;
}

/**
 * Why an approver is never counted, with the kind of refusal (for `Evaluation.refused`), or null when only
 * eligibility decides. `alsoLogins`: the policy's `agents.also.logins`, accounts that are agents.
 */
export function whyRefused(
  login: string,
  facts: PullFacts,
  verdict: AgentVerdict,
  invokerCanApprove: boolean,
  contributorsCanApprove = false,
  alsoLogins: readonly string[] = [],
): { kind: NotCountedKind; reason: string } | null {
  const account = agentAccount(login, { also: { logins: alsoLogins } });
  if (account) return { kind: "bot", reason: account };
  const author = facts.pull.user?.login;
  if (author && lower(author) === lower(login)) return { kind: "author", reason: "the PR author" };
  if (!invokerCanApprove && invokerLogins(verdict).includes(lower(login))) return { kind: "invoker", reason: "the agent's invoker" };
  if (!contributorsCanApprove && contributors(facts).includes(lower(login))) return { kind: "contributor", reason: "a contributor of the PR's commits" };
  return null;
}

export interface RequirementContext {
  facts: PullFacts;
  verdict: AgentVerdict;
  invokerCanApprove: boolean;
  /** Default false: a human who pushed commits to the PR is not an independent reviewer. */
  contributorsCanApprove?: boolean;
  /** Approvals of an earlier commit count (`reviewers.stale_on_push: false`). */
  staleOk: boolean;
  /** The policy's `agents.also.logins`: agents' accounts, never approvers. */
  alsoLogins?: readonly string[];
  /** Earlier commits whose approvals are still current: only GitHub's "Update branch" merges since (`carriedOver`). */
  carried?: ReadonlySet<string>;
}

/** The requirement context a policy implies. */
export function requirementContext(policy: Policy, facts: PullFacts, verdict: AgentVerdict): RequirementContext {
  return {
    facts,
    verdict,
    invokerCanApprove: policy.reviewers.invoker_can_approve,
    contributorsCanApprove: policy.reviewers.contributors_can_approve,
    staleOk: !policy.reviewers.stale_on_push,
    alsoLogins: policy.agents.also.logins,
    carried: new Set(Object.keys(facts.changed_since ?? {}).filter((sha) => carriedOver(facts, sha))),
  };
}

/** Is an approval of `commit` one of the head: the head itself, or a commit only "Update branch" merges followed? */
export function ofHead(commit: string | null, ctx: Pick<RequirementContext, "facts" | "carried">): boolean {
  return commit !== null && (commit === ctx.facts.pull.head.sha || (ctx.carried?.has(commit) ?? false));
}

/**
 * Requirements an approval of an older commit never counts for, whatever `stale_on_push` says:
 * a maintainer must have seen the change to a workflow or the policy; a push may have changed
 * the files the secret scan could not read; and a later push can add test weakening or hidden
 * instructions the approver never saw.
 */
const FRESH_ONLY = new Set(["paths.agent_files", "compliance.no_secrets.unscanned", "compliance.test_weakening", "compliance.hidden_instructions"]);

/**
 * Builds one requirement: `needed` approvals from `set`, counting `state`'s approvals.
 * Stale approvals (of an older commit) count only when `staleOk`, and never for the
 * requirements in `FRESH_ONLY`. An approval of a commit that only GitHub's "Update
 * branch" merges followed (`ctx.carried`) is not stale.
 */
export function requirement(
  rule: string,
  label: string,
  needed: number,
  set: ReviewerSet,
  state: ReviewState,
  ctx: RequirementContext,
): Requirement {
  const eligible = (login: string) =>
    !refusedApprover(login, ctx.facts, ctx.verdict, ctx.invokerCanApprove, ctx.contributorsCanApprove, ctx.alsoLogins) &&
    isEligible(login, set, ctx.facts);
  const staleOk = ctx.staleOk && !FRESH_ONLY.has(rule);
  const approvedBy = state.approvals
    .filter((a) => (staleOk || ofHead(a.commit, ctx)) && eligible(a.login))
    .map((a) => a.login);
  const blockedBy = state.changesRequested.filter(eligible);
  return {
    rule,
    label,
    needed,
    have: approvedBy.length,
    users: [...set.users],
    teams: [...set.teams],
    min_permission: set.min_permission ?? (set.users.length || set.teams.length ? null : "write"),
    approved_by: approvedBy,
    blocked_by: blockedBy,
  };
}

export function requirementMet(r: Requirement): boolean {
  return r.have >= r.needed && r.blocked_by.length === 0;
}

/**
 * Approvals that counted towards at least one requirement, for the history; with `ctx`, one of an
 * earlier commit that only "Update branch" merges followed says the head it was carried to.
 */
export function countedApprovals(state: ReviewState, requirements: readonly Requirement[], ctx?: RequirementContext): Approval[] {
  const head = ctx?.facts.pull.head.sha;
  return state.approvals
    .map((a): Approval => ({
      ...a,
      counted_for: [...new Set(requirements.filter((r) => r.approved_by.some((l) => lower(l) === lower(a.login))).map((r) => r.rule))],
      ...(ctx && head && a.commit && a.commit !== head && ctx.carried?.has(a.commit) ? { carried_to: head } : {}),
    }))
    .filter((a) => a.counted_for.length > 0);
}

/** Who can approve, in words: "1 approval from @a, @org/team (write or above)". */
export function describeRequirement(r: Requirement): string {
  const who = [...r.users, ...r.teams].map((w) => `@${w}`).join(", ") || "anyone";
  const perm = r.min_permission ? ` with ${r.min_permission} permission or above` : "";
  const missing = Math.max(0, r.needed - r.have);
  return `${missing} more approval${missing === 1 ? "" : "s"} from ${who}${perm}`;
}

export function reviewersRequirement(policy: Policy, state: ReviewState, ctx: RequirementContext): Requirement | null {
  const r = policy.reviewers;
  if (r.required === 0) return null;
  return requirement("reviewers", "reviewers", r.required, r.from, state, ctx);
}
