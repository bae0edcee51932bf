/**
 * The `issue_comment` handler: reviewer commands on pull requests.
 *
 * `created`: parse the comment's command, authorize it against the policy and
 * GitHub's permissions, answer it (a reaction for success, a short reply saying
 * why for a refusal, help for an unknown command), then re-evaluate the PR when
 * the command changes or asks for it. A redelivered command is answered once:
 * written answers carry a hidden marker naming the comment, and reactions are
 * idempotent on GitHub.
 *
 * `edited` / `deleted`: the command is not obeyed; the PR is re-evaluated when
 * the comment held (or holds) a command, and the evaluator no longer counts an
 * approval or override from an edited or deleted comment.
 */
import { effectivePolicy, evaluate, isGoverned, policyErrorEvaluation } from "../policy/evaluate.js";
import { defaultPolicy } from "../config/schema.js";
import { allPages, defuseForeignMarkers, gatherFacts, loadPolicy, lookupPermissions } from "../github/facts.js";
import { addReaction, postComment } from "../github/apply.js";
import { authorize, type Decision } from "../commands/authorize.js";
import { alreadyAnswered, escalateReply, explainReply, helpReply, notCountedReply, refusalReply, unboundReply } from "../commands/answer.js";
import { boundCommit } from "../commands/effects.js";
import { parseCommand, type ParsedCommand } from "../commands/parse.js";
import { agentAccount, detectAgent } from "../detect/detect.js";
import { isBot } from "../policy/reviewers.js";
import { renderSummary } from "../output/summary.js";
import type { Actor, CommentFacts } from "../types.js";
import { evaluatePull, evaluatePullNow, inPullQueue, type Deps, type EvaluateOptions, type PullTarget } from "./pull.js";
import { recordCommand } from "../metrics.js";

export interface CommentEvent {
  action: "created" | "edited" | "deleted";
  comment: CommentFacts & { user: Actor | null };
  /** For `edited`: the body before the edit. */
  changes?: { body?: { from?: string | null } | null } | null;
  /** The PR (as an issue), when the payload carries it. */
  issue?: { state?: string } | null;
}

/** What the handler did, for logs and tests. */
export type CommentOutcome =
  | "ignored"
  | "reevaluated"
  | "accepted"
  | "refused"
  | "help"
  | "explained"
  | "already_answered"
  | "not_counted"
  | "closed";

/** Commands that change nothing unless the PR is governed. */
const NEEDS_GOVERNED = new Set(["approve", "override", "escalate"]);

/**
 * Never throws for GitHub trouble or a malformed payload: when a command cannot
 * be answered, the failure is logged and the PR is re-evaluated the usual way
 * (which retries), since a command's effect comes from the comment list anyway.
 */
export async function handleComment(deps: Deps, target: PullTarget, event: CommentEvent): Promise<CommentOutcome> {
  const comment = event.comment ?? ({} as CommentEvent["comment"]);
  const cmd = parseCommand(comment.body);
  const login = typeof comment.user?.login === "string" ? comment.user.login : null;
  const logBase = { repo: `${target.owner}/${target.repo}`, pr: target.number, comment: comment.id, actor: login };

  if (event.action !== "created") {
    const before = event.action === "edited" ? parseCommand(event.changes?.body?.from) : null;
    if (!cmd && !before) return "ignored";
    deps.log.info({ ...logBase, decision: "reevaluate", reason: `command comment ${event.action}` }, "command comment changed; not obeyed, re-evaluating");
    await evaluatePull(deps, target);
    return "reevaluated";
  }
  if (!cmd) return "ignored";
  if (typeof comment.id !== "number" || !Number.isSafeInteger(target.number)) {
    deps.log.warn({ ...logBase, command: cmd.name, decision: "malformed" }, "command in a malformed payload; ignored");
    return "ignored";
  }
  // In the PR's queue from the first read to the last write, so an event handled meanwhile in this
  // process cannot have its newer result overwritten by this command's older facts.
  return inPullQueue(deps, target, async () => {
    try {
      return await answerCommand(deps, target, { ...comment, user: login ? comment.user : null }, cmd, logBase, event);
    } catch (err) {
      deps.log.error(
        { ...logBase, command: cmd.name, decision: "error", err: { message: (err as Error).message, status: (err as { status?: number }).status } },
        "command could not be answered; re-evaluating",
      );
      await evaluatePullNow(deps, target);
      return "reevaluated" as const;
    }
  });
}

async function answerCommand(
  deps: Deps,
  target: PullTarget,
  comment: CommentEvent["comment"],
  cmd: ParsedCommand,
  logBase: Record<string, unknown>,
  event: CommentEvent,
): Promise<CommentOutcome> {
  const { gh, log } = deps;
  const ref = { owner: target.owner, repo: target.repo };

  // `help` (and a mistyped command) needs no facts when no `overrides` entry changes the commands: the
  // policy and the comment list (was it answered already?), read together.
  if ((cmd.name === "help" || cmd.name === "unknown") && comment.user && !isBot(comment.user) && event.issue?.state !== "closed") {
    const [loaded, comments] = await Promise.all([
      loadPolicy(gh, ref, deps.pushedAt !== undefined ? { pushedAt: deps.pushedAt } : {}),
      allPages(() => gh.paginate(gh.rest.issues.listComments, { ...ref, issue_number: target.number, per_page: 100 }) as Promise<CommentFacts[]>),
    ]);
    const policy = loaded.kind === "ok" ? loaded.policy : defaultPolicy();
    // An agent's User account (`openhands-agent`, `agents.also.logins`) is not a Bot, but none of its commands
    // is obeyed, help included: it takes the full path, which refuses it and says why.
    if (!policy.overrides.some((o) => o.commands !== undefined) && !agentAccount(comment.user.login, policy.agents)) {
      const answered = alreadyAnswered(defuseForeignMarkers(comments, deps.appId), comment.id);
      recordCommand(cmd.name, "help");
      log.info({ ...logBase, command: cmd.name, decision: "help", answered_before: answered }, "command");
      if (!answered) await postComment(gh, ref, target.number, helpReply(cmd, comment.id, policy.commands));
      return answered ? "already_answered" : "help";
    }
  }
  // The comment counts only as GitHub lists it: one deleted meanwhile is missing from the list, and must stay so.
  const gathered = await gatherFacts(gh, ref, target.number, {
    appId: deps.appId,
    deferTwins: true,
    ...(deps.own ? { own: deps.own } : {}),
    ...(deps.ledgerKey ? { ledgerKey: deps.ledgerKey } : {}),
    ...(deps.pushedAt !== undefined ? { pushedAt: deps.pushedAt } : {}),
  });
  const loaded = gathered.loaded ?? { kind: "missing" as const };
  const policy = loaded.kind === "ok" ? loaded.policy : defaultPolicy();
  const { facts } = gathered;
  if (facts.pull.state && facts.pull.state !== "open") {
    log.info({ ...logBase, command: cmd.name, decision: "closed" }, "command on a PR that is not open; ignored");
    return "closed";
  }
  const answered = alreadyAnswered(facts.comments, comment.id);
  const actor = comment.user;
  // The PR author is left out of the look-ups (it can never approve); look the commenter up if missing.
  // An agent's account is refused whatever its permission (`authorize`): it is not looked up.
  if (actor && !isBot(actor) && !agentAccount(actor.login, policy.agents) && !Object.keys(facts.permissions ?? {}).some((l) => l.toLowerCase() === actor.login.toLowerCase())) {
    facts.permissions = { ...facts.permissions, ...(await lookupPermissions(gh, ref, [actor.login])) };
  }
  const verdict = detectAgent(facts, policy.agents);
  const effective = effectivePolicy(policy, verdict, facts.pull.base?.ref);

  let decision: Decision = authorize(cmd, actor, facts, effective, verdict, comment.performed_via_github_app);
  if (decision.ok && NEEDS_GOVERNED.has(cmd.name)) {
    if (loaded.kind === "invalid") decision = { ok: false, reason: "the policy file is invalid, so nothing can be approved, overridden or escalated until it is fixed (the check run names the problems)" };
    else if (!isGoverned(effective, verdict)) decision = { ok: false, reason: "this PR is not governed by the policy (no agent detected), so there is nothing to do" };
  }
  const login = actor?.login ?? "ghost";
  const reply = async (body: string) => {
    if (!answered) await postComment(gh, ref, target.number, body);
  };
  const logDecision = (d: string, extra: Record<string, unknown> = {}) => {
    recordCommand(cmd.name, d);
    log.info({ ...logBase, command: cmd.name, decision: d, answered_before: answered, ...extra }, "command");
  };

  if (!decision.ok) {
    logDecision("refused", { reason: decision.reason });
    await reply(refusalReply(login, cmd, decision.reason, comment.id));
    return answered ? "already_answered" : "refused";
  }
  switch (cmd.name) {
    case "help":
    case "unknown":
      logDecision("help");
      await reply(helpReply(cmd, comment.id, effective.commands));
      return answered ? "already_answered" : "help";
    case "explain": {
      logDecision("explain");
      const evaluation =
        loaded.kind === "invalid" ? policyErrorEvaluation(facts, loaded.problems, deps.now()) : evaluate({ policy, facts, now: deps.now(), verdict });
      await reply(explainReply(renderSummary(evaluation, effective.commands), comment.id));
      return answered ? "already_answered" : "explained";
    }
    default: {
      const known = gathered;
      if (cmd.name !== "approve" && cmd.name !== "override") return accept(deps, target, cmd, comment.id, login, answered, logDecision, known);
      // An approval or override is answered by what the evaluation made of it: a 👍 when it counts,
      // otherwise a reply saying why (given before the app saw the head, say), never a 👍 for nothing.
      const result = await evaluatePullNow(deps, target, { known });
      // When the evaluation could not be written (a retry is due), the answer comes from the facts just read.
      const e = result && !result.failed ? result.evaluation : evaluate({ policy, facts, now: deps.now(), verdict });
      const counted =
        cmd.name === "approve"
          ? e.approvals.some((a) => a.via === "command" && a.login.toLowerCase() === login.toLowerCase())
          : e.overrides.some((o) => o.comment_id === comment.id);
      if (counted) {
        logDecision("accepted");
        await addReaction(gh, ref, comment.id, "+1");
        return "accepted";
      }
      const head = facts.pull.head.sha;
      const unbound = boundCommit(facts, comment.created_at) !== head;
      logDecision("not_counted", { reason: unbound ? "head not seen before the command" : "not counted for the head", head });
      await reply(unbound ? unboundReply(login, cmd, head, comment.id) : notCountedReply(login, cmd, head, comment.id));
      return answered ? "already_answered" : "not_counted";
    }
  }
}

/** recheck, escalate: a reaction, then the re-evaluation (escalating once). */
async function accept(
  deps: Deps,
  target: PullTarget,
  cmd: ParsedCommand,
  commentId: number,
  login: string,
  answered: boolean,
  logDecision: (d: string, extra?: Record<string, unknown>) => void,
  known: EvaluateOptions["known"],
): Promise<CommentOutcome> {
  const ref = { owner: target.owner, repo: target.repo };
  const escalate = cmd.name === "escalate";
  logDecision("accepted");
  await addReaction(deps.gh, ref, commentId, escalate ? "rocket" : "+1");
  const result = await evaluatePullNow(deps, target, { escalateNow: escalate && !answered, known });
  if (escalate && !answered) {
    const tiers = (result?.applying ?? result?.policy)?.escalation.tiers ?? [];
    const notified = (result?.newTiers ?? []).flatMap((i) => tiers[i]?.notify ?? []);
    await postComment(deps.gh, ref, target.number, escalateReply(login, notified, commentId));
  }
  return "accepted";
}
