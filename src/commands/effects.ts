/**
 * What reviewers' `/governance` commands in the comment list mean for an
 * evaluation: approvals and overrides, re-derived on every evaluation from the
 * comments as GitHub returns them, so a restart, a second replica or a
 * redelivered webhook gives the same answer.
 *
 * - Only a comment as it was created counts: an edited comment (updated more
 *   than a second after it was created) is skipped; a deleted one is simply
 *   not in the list.
 * - Comments by bots never count. Each command is authorized as it would be
 *   when answered (`authorize`), against today's permissions. An approval
 *   refused because of who wrote it (an agent's account, the author, the
 *   invoker, a contributor) is kept apart in `refused`, so the check can say why.
 * - A command applies to the head commit it was given on. Comments carry no
 *   commit, so it is derived strictly from the commits' committer dates: the
 *   comment is on the current head only when no commit of the PR is dated after
 *   it (a commit without a date counts as after). See `commitAt`.
 */
import { redactSecrets } from "../policy/secrets.js";
import type { Policy } from "../config/schema.js";
import type { ApprovalCandidate } from "../policy/reviewers.js";
import { isBot, refusedApprover, requirementContext } from "../policy/reviewers.js";
import type { AgentVerdict, CommentFacts, Override, PullFacts, RefusedApproval } from "../types.js";
import { authorize } from "./authorize.js";
import { overrideArgs, overrideExpiry } from "./override-time.js";
import { parseCommand } from "./parse.js";

export interface CommandEffects {
  approvals: ApprovalCandidate[];
  /** `/governance approve` commands that never count because of who wrote them (`refusedApprover`), oldest first. */
  refused: ApprovalCandidate[];
  overrides: Override[];
  /** Approve and override commands of humans that do not count, with why: an edited comment, approval by command turned off. */
  ignored?: RefusedApproval[];
  /** Other `/governance approve` commands `authorize` refused (not for who wrote them): the evaluation says why. */
  unauthorized?: ApprovalCandidate[];
}

/** Longest override reason kept; the rest is cut with an ellipsis. */
export const MAX_REASON = 300;

/**
 * A comment whose `updated_at` is later than its `created_at` was edited (GitHub
 * gives both to the second, and sets them equal on creation): it no longer counts.
 */
export function isEdited(c: Pick<CommentFacts, "created_at" | "updated_at">): boolean {
  if (!c.updated_at) return false;
  const created = Date.parse(c.created_at);
  const updated = Date.parse(c.updated_at);
  if (Number.isNaN(created) || Number.isNaN(updated)) return c.updated_at !== c.created_at;
  return updated > created;
}

const dateOf = (c: PullFacts["commits"][number]) => c.commit.committer?.date ?? c.commit.author?.date ?? null;

/**
 * The head commit a comment made at `at` was given on, as far as the commit
 * list tells: the PR's head when no commit is dated after `at`; otherwise the
 * last commit before the first one dated after it, or null when there is none.
 * Committer dates are set by whoever made the commit, so a commit made before
 * the comment but pushed after it is taken as already there. A commit without
 * a date (only in hand-written facts: GitHub always gives one) is not counted.
 */
export function commitAt(facts: PullFacts, at: string): string | null {
  const when = Date.parse(at);
  if (Number.isNaN(when)) return null;
  let before: string | null = null;
  for (const c of facts.commits) {
    const d = dateOf(c);
    const t = d ? Date.parse(d) : NaN;
    if (!Number.isNaN(t) && t > when) return before;
    before = c.sha;
  }
  return facts.pull.head.sha;
}

/**
 * Did the app see `sha` as the head before `at` (strictly: GitHub's times are whole
 * seconds, and within one second nobody can have looked at the commit)? Without
 * `seen_at` (hand-written facts), commit dates are trusted.
 */
export function seenBefore(facts: PullFacts, sha: string, at: string): boolean {
  if (!facts.seen_at) return true;
  const seen = Date.parse(facts.seen_at[sha] ?? "");
  return !Number.isNaN(seen) && Math.floor(seen / 1000) < Math.floor(Date.parse(at) / 1000);
}

/**
 * The commit a command given at `at` applies to. With `seen_at` (as the app reads
 * it): the head, when the app saw it before the command (it was the head then, and
 * still is, whatever its dates say, so a skewed clock in an agent's sandbox does
 * not matter); otherwise an earlier commit, never the head (a commit pushed after a
 * command cannot inherit it by being back-dated): as the dates place it, or, when
 * they place it on the head, the commit before the head. Null when there is none.
 * An override carried over from that commit is checked again (`seenBefore`).
 * Without `seen_at` (hand-written facts): the commit dates alone.
 */
export function boundCommit(facts: PullFacts, at: string): string | null {
  const head = facts.pull.head.sha;
  const commit = commitAt(facts, at);
  if (!facts.seen_at) return commit;
  if (seenBefore(facts, head, at)) return head;
  if (commit !== head) return commit;
  const i = facts.commits.findIndex((c) => c.sha === head);
  return i > 0 ? facts.commits[i - 1]!.sha : null;
}

const byCreation = (a: CommentFacts, b: CommentFacts) => a.created_at.localeCompare(b.created_at) || a.id - b.id;

/** An override reason: secrets masked before it is cut (a cut token no longer looks like one). */
const clip = (raw: string) => {
  const s = redactSecrets(raw.length > 4 * MAX_REASON ? raw.slice(0, 4 * MAX_REASON) : raw);
  return s.length > MAX_REASON ? `${s.slice(0, MAX_REASON - 1)}…` : s;
};

export function commandEffects(facts: PullFacts, policy: Policy, verdict: AgentVerdict): CommandEffects {
  const approvals: ApprovalCandidate[] = [];
  const refused: ApprovalCandidate[] = [];
  const overrides: Override[] = [];
  const ignored: RefusedApproval[] = [];
  const unauthorized: ApprovalCandidate[] = [];
  const ctx = requirementContext(policy, facts, verdict);
  for (const c of [...facts.comments].sort(byCreation)) {
    if (!c.user || isBot(c.user)) continue;
    const cmd = parseCommand(c.body);
    if (!cmd || (cmd.name !== "approve" && cmd.name !== "override")) continue;
    const command = { login: c.user.login, via: "command" as const, commit: boundCommit(facts, c.created_at), at: c.created_at };
    const action = cmd.name === "override" ? { action: "override" as const } : {};
    if (isEdited(c)) {
      ignored.push({ ...command, ...action, kind: "edited", reason: `its comment was edited at ${c.updated_at}: write a new one` });
      continue;
    }
    if (cmd.name === "approve" && refusedApprover(c.user.login, facts, verdict, ctx.invokerCanApprove, ctx.contributorsCanApprove, ctx.alsoLogins)) {
      refused.push(command);
      continue;
    }
    if (!authorize(cmd, c.user, facts, policy, verdict, c.performed_via_github_app).ok) {
      if (cmd.name !== "approve") continue;
      if (policy.commands.approve.enabled) unauthorized.push(command);
      else ignored.push({ ...command, kind: "disabled", reason: "approval by command is off here (`commands.approve.enabled: false`)" });
      continue;
    }
    const commit = command.commit;
    if (cmd.name === "approve") {
      approvals.push(command);
    } else if (commit) {
      const { duration, reason } = overrideArgs(cmd.args);
      const expires = overrideExpiry(c.created_at, duration, policy.commands.override.max_duration);
      overrides.push({ login: c.user.login, commit, at: c.created_at, reason: clip(reason), comment_id: c.id, ...(expires ? { expires_at: expires } : {}) });
    }
  }
  // Latest first, so `find` in the evaluator picks the most recent override of the head.
  overrides.reverse();
  return { approvals, refused, overrides, ignored, unauthorized };
}
