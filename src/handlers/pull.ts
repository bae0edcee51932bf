/**
 * Re-evaluates one pull request end to end: load the policy (default branch),
 * gather facts, evaluate (pure), plan outputs (pure), apply.
 */
import type { Logger } from "pino";
import { DEFAULT_CHECK_NAME, defaultPolicy, type Policy } from "../config/schema.js";
import { findCheckRun, gatherFacts, listMarkedComments, loadPolicy, policyNotes, withPolicyFiles, type CheckRun, type GitHub, type PolicySource, type RepoRef } from "../github/facts.js";
import { applyCheckRun, applyEscalationComment, applyLabels, editComment, requestReviews } from "../github/apply.js";
import { ESCALATION_MARKER, planClosedEscalation } from "../output/escalation.js";
import { errorEvaluation, evaluate, policyErrorEvaluation } from "../policy/evaluate.js";
import { planCheckRun } from "../output/check.js";
import { DEFAULT_LABELS, planOutputs } from "../output/plan.js";
import type { KeyedQueue, RetryQueue } from "../github/retry.js";
import { auditRecord } from "../audit.js";
import { recordEscalations, recordEvaluation } from "../metrics.js";
import type { CommentFacts, Evaluation, PullFacts, PullRequestFacts } from "../types.js";

export interface PullTarget extends RepoRef {
  number: number;
  /** The PR object from the webhook payload, when the event carries one. */
  pull?: PullRequestFacts;
  /** The event is `pull_request.opened`: a PR never evaluated may skip reads (see `GatherOptions.newPull`). */
  opened?: boolean;
}

export interface Deps {
  gh: GitHub;
  log: Logger;
  /** The clock, injected so tests use a fixed time. */
  now: () => Date;
  /** Serialises evaluations of one PR within this process. */
  queue?: KeyedQueue;
  /** Re-runs evaluations that could not complete, with backoff. */
  retries?: RetryQueue;
}

export interface EvaluateOptions {
  /** Notify the next escalation tier now (`/governance escalate`). */
  escalateNow?: boolean;
  /** The policy and facts the caller has just read (a command handler), so they are not read twice. */
  known?: { loaded: PolicySource; facts: PullFacts };
}

export interface PullResult {
  evaluation: Evaluation;
  facts: PullFacts | null;
  policy: Policy;
  /** Escalation tiers notified by this evaluation. */
  newTiers: number[];
  /** The evaluation could not complete (GitHub errors): a retry is due. */
  failed?: boolean;
  /** Notes for the check summary (policy warnings). */
  notes?: string[];
  /** Our check run on the head, when it was read while gathering (null: none). */
  check?: CheckRun | null;
}

/** Loads, gathers and evaluates; `facts` is null when they could not be gathered. */
async function evaluateOnly(deps: Deps, target: PullTarget, known?: EvaluateOptions["known"]): Promise<PullResult | null> {
  const { gh, log } = deps;
  const ref = { owner: target.owner, repo: target.repo };
  let policy = defaultPolicy();
  try {
    const loaded = known?.loaded ?? (await loadPolicy(gh, ref));
    if (loaded.kind === "ok") policy = loaded.policy;
    // A PR just opened: if no check run of ours is on its head it was never evaluated, so its payload is
    // current and it has no reviews or comments of ours: three reads fewer. Otherwise (a redelivery), the full read.
    let check: CheckRun | null | undefined;
    let newPull: PullRequestFacts | undefined;
    if (!known && target.opened && target.pull) {
      check = await findCheckRun(gh, ref, target.pull.head.sha, policy.escalation.check_name);
      if (check === null) newPull = target.pull;
    }
    const facts = known?.facts ?? withPolicyFiles(await gatherFacts(gh, ref, target.number, policy, newPull ? { newPull } : {}), loaded, ref);
    if (facts.pull.state && facts.pull.state !== "open") {
      log.info({ repo: `${ref.owner}/${ref.repo}`, pr: target.number, decision: "skip", reason: "closed" }, "PR is not open; nothing to evaluate");
      return null;
    }
    // The check run read above is reused when it is for the head just evaluated.
    const reuse = check !== undefined && facts.pull.head.sha === target.pull?.head.sha ? { check } : {};
    if (loaded.kind === "invalid") {
      log.warn({ repo: `${ref.owner}/${ref.repo}`, pr: target.number, decision: "invalid_policy", source: loaded.source, problems: loaded.problems.length }, "policy file is invalid");
      return { evaluation: policyErrorEvaluation(facts, loaded.problems, deps.now()), facts, policy, newTiers: [], ...reuse };
    }
    return { evaluation: evaluate({ policy, facts, now: deps.now() }), facts, policy, newTiers: [], notes: policyNotes(loaded), ...reuse };
  } catch (err) {
    log.error(
      { repo: `${ref.owner}/${ref.repo}`, pr: target.number, decision: "error", err: { message: (err as Error).message, status: (err as { status?: number }).status } },
      "could not evaluate",
    );
    if (!target.pull) throw err;
    const reason = `GitHub could not be read (${(err as { status?: number }).status ?? "network error"}): the app retries; until then this PR is blocked.`;
    return { evaluation: errorEvaluation({ pull: target.pull }, reason, deps.now()), facts: null, policy, newTiers: [], failed: true };
  }
}

/**
 * A PR was closed or merged: its escalation comment says so, and the waiting
 * and violation labels go (the check run stays as the record of the last head).
 */
export async function closePull(deps: Deps, target: PullTarget & { merged: boolean; labels: readonly string[] }): Promise<void> {
  const ref = { owner: target.owner, repo: target.repo };
  const comments = await listMarkedComments(deps.gh, ref, target.number, ESCALATION_MARKER);
  const edit = planClosedEscalation(comments as CommentFacts[], target.merged);
  if (edit) await editComment(deps.gh, ref, edit.id, edit.body);
  await applyLabels(deps.gh, ref, target.number, { add: [], remove: target.labels.filter((l) => DEFAULT_LABELS.transient.has(l)) });
  deps.log.info({ repo: `${ref.owner}/${ref.repo}`, pr: target.number, decision: "closed", merged: target.merged, comment: edit ? "updated" : "unchanged" }, "PR closed");
}

/**
 * Evaluates a PR and makes GitHub show the result. Never throws for GitHub
 * trouble: the failure is logged, the PR stays blocked ("Could not evaluate"
 * where a check could be written) and a retry with backoff is scheduled.
 */
export async function evaluatePull(deps: Deps, target: PullTarget, options: EvaluateOptions = {}): Promise<PullResult | null> {
  const key = `${target.owner}/${target.repo}#${target.number}`.toLowerCase();
  const run = async () => {
    let result: PullResult | null = null;
    try {
      result = await evaluateAndApply(deps, target, options);
    } catch (err) {
      deps.log.error(
        { repo: `${target.owner}/${target.repo}`, pr: target.number, decision: "error", err: { message: (err as Error).message, status: (err as { status?: number }).status } },
        "evaluation failed",
      );
    }
    if (result && !result.failed) {
      deps.retries?.succeeded(key);
    } else {
      // Retry with the PR number only: the payload may be stale by then.
      const delay = deps.retries?.schedule(key, () =>
        evaluatePull(deps, { owner: target.owner, repo: target.repo, number: target.number }, { escalateNow: options.escalateNow }),
      );
      deps.log.warn({ repo: `${target.owner}/${target.repo}`, pr: target.number, decision: "retry_scheduled", delay_ms: delay ?? null }, delay ? "evaluation will be retried" : "no retries left");
    }
    return result;
  };
  return deps.queue ? deps.queue.run(key, run) : run();
}

async function evaluateAndApply(deps: Deps, target: PullTarget, options: EvaluateOptions): Promise<PullResult | null> {
  const { gh, log } = deps;
  const ref = { owner: target.owner, repo: target.repo };
  const started = performance.now();
  const result = await evaluateOnly(deps, target, options.known);
  if (!result) return null;
  const { evaluation, facts, policy } = result;
  const notes: string[] = [...(result.notes ?? [])];
  const writes: Record<string, string> = {};
  const outputs = facts ? planOutputs(evaluation, facts, policy, deps.now(), options) : null;
  if (facts && outputs) {
    result.newTiers = outputs.escalation.newTiers;
    await applyLabels(gh, ref, target.number, outputs.labels);
    if (outputs.labels.add.length || outputs.labels.remove.length) writes.labels = `+${outputs.labels.add.join(",")} -${outputs.labels.remove.join(",")}`;
    const refused = await requestReviews(gh, ref, target.number, outputs.reviewRequests);
    for (const note of refused) log.warn({ repo: `${ref.owner}/${ref.repo}`, pr: target.number, decision: "review_request_refused", note }, "review request refused");
    notes.push(...refused);
    if (outputs.escalation.comment) {
      writes.comment = await applyEscalationComment(gh, ref, target.number, outputs.escalation.comment);
    }
  }
  const detailsUrl = facts?.pull.html_url ?? target.pull?.html_url;
  const plan = planCheckRun(evaluation, { name: policy.escalation.check_name ?? DEFAULT_CHECK_NAME, notes, ...(detailsUrl ? { detailsUrl } : {}) });
  writes.check = await applyCheckRun(gh, ref, plan, result.check);
  // The audit line (README "Audit log"): one per decision, no free text.
  log.info({ ...auditRecord(evaluation, { repo: `${ref.owner}/${ref.repo}`, pr: target.number }), tiers: result.newTiers, writes }, "evaluated");
  recordEvaluation(evaluation, { seconds: (performance.now() - started) / 1000 });
  recordEscalations(result.newTiers);
  return result;
}

