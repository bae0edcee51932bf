/**
 * Re-evaluates one pull request end to end: load the policy (default branch),
 * gather facts, evaluate (pure), plan outputs (pure), apply.
 */
import type { Logger } from "pino";
import { DEFAULT_CHECK_NAME, defaultPolicy, type Policy } from "../config/schema.js";
import { addDeferredTwins, findCheckRun, gatherFacts, HeadMovedError, headOf, httpStatus, lastPolicy, lastRead, listMarkedComments, loadPolicy, policyNotes, teamNotes, type CheckRun, type Gathered, type GitHub, type PolicySource, type RepoRef } from "../github/facts.js";
import { applyCheckRun, applyEscalationComment, applyLabels, deleteComments, editComment, postComment, requestReviews, startCheckRun, verdictLane } from "../github/apply.js";
import { ESCALATION_MARKER, escalationComments, planClosedEscalation } from "../output/escalation.js";
import { effectivePolicy, errorEvaluation, evaluate, policyErrorEvaluation } from "../policy/evaluate.js";
import { planCheckRun } from "../output/check.js";
import { DEFAULT_LABELS, planOutputs } from "../output/plan.js";
import type { KeyedQueue, RetryQueue } from "../github/retry.js";
import type { PullLock } from "../github/lock.js";
import { LruCache } from "../github/cache.js";
import { auditRecord } from "../audit.js";
import { ledgerText } from "../github/ledger.js";
import type { OwnWrites } from "../github/memo.js";
import { recordEscalations, recordEvaluation } from "../metrics.js";
import type { CommentFacts, Evaluation, PullFacts, PullRequestFacts } from "../types.js";
import { gatherPreview } from "../github/preview.js";
import { buildPreview, changedPolicyFiles, planPreviewCheck } from "../output/preview.js";

export interface PullTarget extends RepoRef {
  number: number;
  /** The PR object from the webhook payload, when the event carries one. */
  pull?: PullRequestFacts;
  /** The event is `pull_request.opened`: a PR never evaluated may skip reads (see `GatherOptions.newPull`). */
  opened?: boolean;
  /** For `synchronize`: the head the push replaced. */
  before?: string;
  /** The event is `pull_request.reopened`: the escalation's wait starts again. */
  reopened?: boolean;
}

export interface Deps {
  gh: GitHub;
  log: Logger;
  /** The clock, injected so tests use a fixed time. */
  now: () => Date;
  /** Serialises evaluations of one PR within this process. */
  queue?: KeyedQueue;
  /** Serialises evaluations of one PR across replicas (with REDIS_URL). */
  pullLock?: PullLock;
  /** Re-runs evaluations that could not complete, with backoff. */
  retries?: RetryQueue;
  /** This app's id, so that only its own check runs are read and updated. */
  appId?: number;
  /** The key the app seals its ledger with (src/output/ledger.ts); never logged. */
  ledgerKey?: Uint8Array;
  /** What caused this work (`pull_request.opened`, `sweep`), for the audit line. */
  event?: string;
  /** The event's repository `pushed_at` (ms): the policy GitHub confirmed after it is not read again. */
  pushedAt?: number;
  /** The app's memo of its own writes (one process, no `REDIS_URL`): not read back from GitHub (src/github/memo.ts). */
  own?: OwnWrites;
}

export interface EvaluateOptions {
  /** Notify the next escalation tier now (`/governance escalate`). */
  escalateNow?: boolean;
  /** Write the check run even when its content is unchanged (a "Re-run" request). */
  rerun?: boolean;
  /** The policy and facts the caller has just read (a command handler, inside the PR's queue), so they are not read twice. */
  known?: Gathered;
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
  /** Our check run on the head as read while gathering (null: none). */
  check?: CheckRun | null;
  /** The policy that applied: `policy` with the `overrides` entries for the PR's agent and base branch (set once outputs are planned). */
  applying?: Policy;
  /** The policy as loaded from the default branch (absent when the evaluation failed). */
  loaded?: PolicySource;
}

/**
 * Report mode whatever the agent: the loaded policy says `report` and no `overrides` entry says
 * `enforce`. (Without facts the agent, and so the entry that applies, is not known: blocking is the safe side.)
 */
export const reportOnly = (policy: Policy) => policy.mode === "report" && !policy.overrides.some((o) => o.mode === "enforce");

/** The verdict lets the PR merge (in report mode: would let it): passed, or overridden. */
const mayMerge = (e: Evaluation) => e.outcome === "passed" || e.outcome === "overridden";

/** A PR that is closed or merged is not evaluated: nothing about it can block anything any more. */
const notOpen = (pull: PullRequestFacts | undefined) => Boolean(pull?.state && pull.state !== "open");

/**
 * Loads, gathers and evaluates; `facts` is null when they could not be gathered.
 * Null when the PR is not open: a successful skip, not a failure.
 */
async function evaluateOnly(deps: Deps, target: PullTarget, known?: EvaluateOptions["known"]): Promise<PullResult | null> {
  const { gh, log } = deps;
  const ref = { owner: target.owner, repo: target.repo };
  const skipClosed = () => {
    log.info({ repo: `${ref.owner}/${ref.repo}`, pr: target.number, decision: "skip", reason: "closed" }, "PR is not open; nothing to evaluate");
    return null;
  };
  // The payload already says so (a review or label after the merge): not a single read.
  if (notOpen(target.pull)) return skipClosed();
  let policy = lastPolicy(ref);
  // Read with the facts (in their first wave); on a failure, it still says whether report mode applies.
  const loading = known ? Promise.resolve(known.loaded ?? ({ kind: "missing" } as const)) : loadPolicy(gh, ref, deps.pushedAt !== undefined ? { pushedAt: deps.pushedAt } : {});
  loading.catch(() => undefined);
  // Our check run on the payload's head, when read before a failure, is not read again to write the failure.
  let seen: { sha: string; check: CheckRun | null } | undefined;
  try {
    // The policy, our check run, the files, commits, reviews and comments are read in one wave (see gatherFacts).
    const before = target.before && target.pull && target.before !== target.pull.head.sha ? target.before : undefined;
    const gathered: Gathered =
      known ??
      (await gatherFacts(gh, ref, target.number, {
        appId: deps.appId,
        loaded: loading,
        ...(deps.pushedAt !== undefined ? { pushedAt: deps.pushedAt } : {}),
        ...(target.pull ? { hint: target.pull } : {}),
        opened: target.opened === true,
        ...(deps.ledgerKey ? { ledgerKey: deps.ledgerKey } : {}),
        ...(target.reopened ? { reopened: true } : {}),
        deferTwins: true,
        ...(deps.own ? { own: deps.own } : {}),
        ...(before && target.pull ? { push: { head: target.pull.head.sha, before } } : {}),
        // After a push, until a return to an earlier head is ruled out, a failure is written as a new run (fail closed).
        onCheck: (sha, check) => (seen = { sha, check: before ? null : check }),
        ...(before
          ? {
              onPush: async (sha, check, p) => {
                // The head moved on from the push's head while it was read: the newer head is a push of its own.
                if (sha !== target.pull!.head.sha) return { check };
                const kept = await headAfterPush(deps, ref, target.pull!, before, p, check);
                seen = { sha, check: kept.check };
                return kept;
              },
            }
          : {}),
      }));
    const loaded = gathered.loaded ?? { kind: "missing" as const };
    policy = loaded.kind === "ok" ? loaded.policy : defaultPolicy();
    const { facts, check } = gathered;
    if (notOpen(facts.pull)) return skipClosed();
    if (loaded.kind === "invalid") {
      log.warn({ repo: `${ref.owner}/${ref.repo}`, pr: target.number, decision: "invalid_policy", source: loaded.source, problems: loaded.problems.length }, "policy file is invalid");
      return { evaluation: policyErrorEvaluation(facts, loaded.problems, deps.now()), facts, policy, newTiers: [], check, loaded };
    }
    const notes = [...policyNotes(loaded), ...teamNotes(facts)];
    let evaluation = evaluate({ policy, facts, now: deps.now() });
    // Other open PRs with this head can only fail it (`head.shared`): asked for only when the PR would merge without them.
    if (mayMerge(evaluation) && (await addDeferredTwins(gh, ref, gathered))) evaluation = evaluate({ policy, facts, now: deps.now() });
    return { evaluation, facts, policy, newTiers: [], notes, check, loaded };
  } catch (err) {
    log.error(
      { repo: `${ref.owner}/${ref.repo}`, pr: target.number, decision: "error", err: { message: (err as Error).message, status: (err as { status?: number }).status } },
      "could not evaluate",
    );
    if (!target.pull) throw err;
    policy = await loading.then((l) => (l.kind === "ok" ? l.policy : defaultPolicy()), () => policy);
    const mode = reportOnly(policy) ? "report" : "enforce";
    const status = (err as { status?: number }).status ?? (err instanceof HeadMovedError ? "the head kept moving" : "network error");
    const reason = `GitHub could not be read (${status}): the app retries${mode === "report" ? "." : "; until then this PR is blocked."}`;
    const check = seen?.sha === target.pull.head.sha ? { check: seen.check } : {};
    return { evaluation: errorEvaluation({ pull: target.pull }, reason, deps.now(), mode), facts: null, policy, newTiers: [], failed: true, ...check };
  }
}

/**
 * Our check run on the head a push (`synchronize`) brought, as found in the first wave. A head the
 * app saw before the head it replaces (a force-push back to an earlier commit, or a commit checked
 * first on another PR) is seen anew: a new check run records now as when the app saw it, written at
 * once so the record survives an evaluation that fails, and an approval of the replaced head cannot
 * pass to it. A replaced head the app never saw counts as later: fail closed.
 */
async function headAfterPush(
  deps: Deps,
  ref: RepoRef,
  pull: PullRequestFacts,
  before: string,
  policy: Policy,
  check: CheckRun | null,
): Promise<{ check: CheckRun | null; previous?: CheckRun | null }> {
  const sha = pull.head.sha;
  const name = policy.escalation.check_name;
  // The usual push: a new commit, no check run of ours on it yet.
  if (!check?.started_at) return { check };
  const own = ownRuns(deps, pull.number);
  const replaced = await findCheckRun(deps.gh, ref, before, name, deps.appId, own);
  if (replaced?.started_at && Date.parse(replaced.started_at) <= Date.parse(check.started_at)) return { check, previous: replaced };
  // A late or redelivered push event: its head is no longer the PR's, so there is nothing to record.
  if ((await headOf(deps.gh, ref, pull.number)) !== sha) return { check, previous: replaced };
  deps.log.info({ repo: `${ref.owner}/${ref.repo}`, pr: pull.number, decision: "head_returned", head: sha, replaced: before }, "head returned to an earlier commit; seen anew");
  const started = await startCheckRun(deps.gh, ref, { name, head_sha: sha, started_at: deps.now(), ...(pull.html_url ? { details_url: pull.html_url } : {}) }, own);
  return { check: started, previous: replaced };
}

/**
 * A PR was closed or merged: its escalation comment says so, and the waiting
 * and violation labels go, as the policy names them (the check run stays as the
 * record of the last head). Says whether it carried the violation label (as a
 * `head.shared` twin does).
 */
export async function closePull(deps: Deps, target: PullTarget & { merged: boolean; labels: readonly string[] }): Promise<{ violating: boolean }> {
  const ref = { owner: target.owner, repo: target.repo };
  // The label names and the comment list at once: neither waits for the other.
  // The app's escalation comments as it last read or wrote them, when it remembers them (else listed).
  const remembered = deps.own?.comments(ref, target.number);
  const [comments, { needs_review, violation }] = await Promise.all([remembered ?? listMarkedComments(deps.gh, ref, target.number, ESCALATION_MARKER, deps.appId), closingLabels(deps, ref)]);
  const edit = planClosedEscalation(comments as CommentFacts[], target.merged);
  const transient = new Set([needs_review, violation].map((l) => l.toLowerCase()));
  deps.own?.rememberComments(ref, target.number, undefined);
  await Promise.all([
    // A remembered comment deleted since (by a maintainer) has nothing left to close.
    edit ? editComment(deps.gh, ref, edit.id, edit.body).catch((err) => { if (!(remembered && httpStatus(err) === 404)) throw err; }) : undefined,
    applyLabels(deps.gh, ref, target.number, { add: [], remove: target.labels.filter((l) => transient.has(l.toLowerCase())) }),
  ]);
  deps.log.info({ repo: `${ref.owner}/${ref.repo}`, pr: target.number, decision: "closed", merged: target.merged, comment: edit ? "updated" : "unchanged" }, "PR closed");
  return { violating: target.labels.some((l) => l.toLowerCase() === violation.toLowerCase()) };
}

/**
 * The waiting and violation labels' names. The policy this process last read for the repository names
 * the labels it put on the PR (a merge that renames them must not keep the PR's old ones), so it is not
 * asked again; else the policy (ETag-cached), else the defaults.
 */
async function closingLabels(deps: Deps, ref: RepoRef): Promise<{ needs_review: string; violation: string }> {
  const known = lastRead(ref);
  if (known) return known.escalation.labels;
  try {
    const loaded = await loadPolicy(deps.gh, ref, deps.pushedAt !== undefined ? { pushedAt: deps.pushedAt } : {});
    if (loaded.kind === "ok") return loaded.policy.escalation.labels;
  } catch (err) {
    deps.log.warn({ repo: `${ref.owner}/${ref.repo}`, decision: "policy_unreadable", err: { message: (err as Error).message } }, "policy could not be read; default label names used");
  }
  return DEFAULT_LABELS;
}

/** The memo of the app's own check runs for PR `pull` (none: a merge group's commit), when the app keeps one. */
export const ownRuns = (deps: Deps, pull?: number) => (deps.own ? { memo: deps.own, ...(pull !== undefined ? { pull } : {}) } : undefined);

const pullKey = (t: RepoRef & { number: number }) => `${t.owner}/${t.repo}#${t.number}`.toLowerCase();

/** Runs `fn` in the PR's queue: after every evaluation of that PR already started in this process. */
export function inPullQueue<T>(deps: Deps, target: RepoRef & { number: number }, fn: () => Promise<T>): Promise<T> {
  const key = pullKey(target);
  const locked = deps.pullLock ? () => deps.pullLock!.run(key, fn) : fn;
  return deps.queue ? deps.queue.run(key, locked) : locked();
}

/**
 * Evaluates a PR and makes GitHub show the result. Never throws for GitHub
 * trouble: the failure is logged, the PR stays blocked ("Could not evaluate"
 * where a check could be written) and a retry with backoff is scheduled.
 * Null when the PR is not open: skipped, with no retry.
 */
export function evaluatePull(deps: Deps, target: PullTarget, options: EvaluateOptions = {}): Promise<PullResult | null> {
  return inPullQueue(deps, target, () => evaluatePullNow(deps, target, options));
}

/** `evaluatePull` for a caller already in the PR's queue (a command handler). */
export async function evaluatePullNow(deps: Deps, target: PullTarget, options: EvaluateOptions = {}): Promise<PullResult | null> {
  const key = pullKey(target);
  let result: PullResult | null = null;
  let threw = false;
  try {
    // Null: the PR is not open, which is a successful skip (nothing to retry).
    result = await evaluateAndApply(deps, target, options);
  } catch (err) {
    threw = true;
    deps.log.error(
      { repo: `${target.owner}/${target.repo}`, pr: target.number, decision: "error", err: { message: (err as Error).message, status: (err as { status?: number }).status } },
      "evaluation failed",
    );
  }
  if (!threw && !result?.failed) {
    deps.retries?.succeeded(key);
  } else {
    // Retry with the PR number only: the payload may be stale by then. So is its `pushed_at`: a policy pushed
    // since the event (minutes before the retry) would be taken as unchanged, and the cached one applied.
    const { pushedAt: _stale, ...fresh } = deps;
    const delay = deps.retries?.schedule(key, () =>
      evaluatePull(fresh, { owner: target.owner, repo: target.repo, number: target.number }, { escalateNow: options.escalateNow }),
    );
    deps.log.warn({ repo: `${target.owner}/${target.repo}`, pr: target.number, decision: "retry_scheduled", delay_ms: delay ?? null }, delay ? "evaluation will be retried" : "no retries left");
  }
  return result;
}

/** Review requests GitHub refused, by PR and request, with the notes they gave. */
const refusedRequests = new LruCache<string, { at: number; notes: string[] }>(2000);
/** How long a refused review request is not made again (the team may be given access meanwhile). */
const REFUSAL_MEMORY_MS = 60 * 60_000;

async function evaluateAndApply(deps: Deps, target: PullTarget, options: EvaluateOptions): Promise<PullResult | null> {
  const { gh, log } = deps;
  const ref = { owner: target.owner, repo: target.repo };
  const started = performance.now();
  const result = await evaluateOnly(deps, target, options.known);
  if (!result) return null;
  const { evaluation, facts, policy } = result;
  const notes: string[] = [...(result.notes ?? [])];
  const writes: Record<string, string> = {};
  // What reviewers are told and asked (the comment, tiers, labels, review requests, the commands line) follows the
  // policy that applied to this PR, as the evaluation did; the check's name stays the loaded policy's.
  const applying = effectivePolicy(policy, evaluation.agent, facts?.pull.base?.ref ?? target.pull?.base?.ref);
  result.applying = applying;
  const outputs = facts ? planOutputs(evaluation, facts, applying, deps.now(), options) : null;
  const detailsUrl = facts?.pull.html_url ?? target.pull?.html_url;
  const checkPlan = (extra: string[], ledger: string | undefined) =>
    planCheckRun(evaluation, { name: policy.escalation.check_name ?? DEFAULT_CHECK_NAME, notes: [...notes, ...extra], commands: applying.commands, ledger, ...(detailsUrl ? { detailsUrl } : {}) });
  // The ledger this evaluation leaves, written with the verdict. A tier is recorded as notified only if its writes
  // go through: when one fails, an update puts back the record as it was, so the retry notifies the tier again.
  const tiersFire = (outputs?.escalation.newTiers.length ?? 0) > 0 || !!outputs?.escalation.notice;
  const ledgerNow = ledgerText(deps.ledgerKey, target, result, outputs?.escalation);
  const ledgerBefore = tiersFire ? ledgerText(deps.ledgerKey, target, result, undefined) : ledgerNow;
  // A review request GitHub refused lately is not made again; its note goes into the verdict itself.
  const requestKey = outputs ? `${pullKey(target)}|${JSON.stringify(outputs.reviewRequests)}` : "";
  const refusedBefore = outputs ? refusedRequests.get(requestKey) : undefined;
  const stillRefused = refusedBefore && Date.now() - refusedBefore.at < REFUSAL_MEMORY_MS ? refusedBefore.notes : [];
  // The verdict first, on its own lane (never queued behind the notification writes' spacing): branch
  // protection and the PR page see it at once. Then the notifications, together.
  const own = ownRuns(deps, target.number);
  const written = await applyCheckRun(await verdictLane(gh), ref, checkPlan(stillRefused, ledgerNow), { known: result.check, appId: deps.appId, startedAt: deps.now(), force: options.rerun === true, ...(own ? { own } : {}) });
  writes.check = written.result;
  // A PR that changes the policy gets a second check run, the preview, once the verdict is out: it never delays it,
  // and its failure is only logged (the PR's own check stands; the next push previews again).
  const policyFiles = facts && result.loaded && previewDue(deps, options) ? changedPolicyFiles(facts) : [];
  const previewing =
    facts && result.loaded && policyFiles.length ? previewPolicyChange(deps, ref, facts, result.loaded, policyFiles, policy.escalation.check_name, options.rerun === true) : undefined;
  if (facts && outputs) {
    result.newTiers = outputs.escalation.newTiers;
    const settled = await Promise.allSettled([
      applyLabels(gh, ref, target.number, outputs.labels),
      stillRefused.length ? Promise.resolve([]) : requestReviews(gh, ref, target.number, outputs.reviewRequests),
      outputs.escalation.comment ? applyEscalationComment(gh, ref, target.number, outputs.escalation.comment) : Promise.resolve(undefined),
      deleteComments(gh, ref, outputs.duplicateComments),
      // A stuck PR's notice is a comment of its own: an edited comment notifies nobody it mentions.
      outputs.escalation.notice ? postComment(gh, ref, target.number, outputs.escalation.notice) : Promise.resolve(undefined),
    ]);
    const [labels, reviews, comment, deleted, notice] = settled;
    if (notice.status === "fulfilled" && notice.value !== undefined) writes.stuck = "notified";
    if (labels.status === "fulfilled" && (outputs.labels.add.length || outputs.labels.remove.length)) writes.labels = `+${outputs.labels.add.join(",")} -${outputs.labels.remove.join(",")}`;
    if (comment.status === "fulfilled" && comment.value) writes.comment = comment.value.result;
    // The escalation comments as they now stand, for closing the PR without listing them; forgotten when a write failed.
    deps.own?.rememberComments(
      ref,
      target.number,
      comment.status === "fulfilled" && deleted.status === "fulfilled" ? escalationAfter(facts, outputs.escalation.comment, comment.value?.id, outputs.duplicateComments, deps.now()) : undefined,
    );
    // A review request GitHub refused is a note on the verdict: the check run is updated with it.
    const refused = reviews.status === "fulfilled" ? reviews.value : [];
    for (const note of refused) log.warn({ repo: `${ref.owner}/${ref.repo}`, pr: target.number, decision: "review_request_refused", note }, "review request refused");
    if (refused.length) refusedRequests.set(requestKey, { at: Date.now(), notes: refused });
    const failed = settled.find((r) => r.status === "rejected");
    // One update, when the verdict needs one: a refusal's note, or the record put back after a failed notification.
    const unrecord = tiersFire && failed !== undefined && ledgerNow !== ledgerBefore;
    if (refused.length || unrecord) {
      const update = await applyCheckRun(gh, ref, checkPlan(refused.length ? refused : stillRefused, unrecord ? ledgerBefore : ledgerNow), { known: written.run, appId: deps.appId, ...(own ? { own } : {}) });
      writes.check = update.result;
    }
    // The check run stands; a failed notification write is thrown for the retry.
    if (failed) {
      await previewing;
      throw (failed as PromiseRejectedResult).reason;
    }
  }
  if (previewing) writes.preview = (await previewing) ?? "failed";
  // The audit line (README "Audit log"): one per decision, no free text.
  log.info({ ...auditRecord(evaluation, { repo: `${ref.owner}/${ref.repo}`, pr: target.number, event: deps.event }), tiers: result.newTiers, writes }, "evaluated");
  recordEvaluation(evaluation, { seconds: (performance.now() - started) / 1000 });
  recordEscalations(result.newTiers);
  return result;
}


/** The app's escalation comments once an evaluation's writes went through: those read, with its create, edit and deletions applied. */
function escalationAfter(
  facts: PullFacts,
  plan: { action: "create"; body: string } | { action: "update"; id: number; body: string } | null | undefined,
  id: number | undefined,
  deleted: readonly number[],
  now: Date,
): CommentFacts[] {
  const gone = new Set(deleted);
  const kept = escalationComments(facts)
    .filter((c) => !gone.has(c.id))
    .map((c) => (plan?.action === "update" && c.id === plan.id ? { ...c, body: plan.body } : c));
  if (plan?.action === "create" && id !== undefined) kept.push({ id, body: plan.body, user: { login: "agent-governance[bot]", type: "Bot" }, created_at: now.toISOString() } as CommentFacts);
  return kept;
}

/** The events that preview a policy change: the PR's head is new (opened, pushed, reopened) or a re-run was asked for. */
const PREVIEW_EVENTS = new Set(["pull_request.opened", "pull_request.reopened", "pull_request.synchronize", "pull_request.ready_for_review"]);

const previewDue = (deps: Deps, options: EvaluateOptions) => options.rerun === true || PREVIEW_EVENTS.has(deps.event ?? "");

/**
 * The policy-change preview (README "Policy-change preview"): on a PR that changes the policy file (or an
 * `_extends` base kept in this repository), a second check run, `<check name> / policy`, validates the
 * proposed file and shows how the open PRs' results would change. The PR itself stays governed by the
 * default branch's policy. Returns what was written, or undefined when it failed: a failure is logged, never thrown.
 */
async function previewPolicyChange(deps: Deps, ref: RepoRef, facts: PullFacts, loaded: PolicySource, files: string[], checkName: string, rerun: boolean): Promise<string | undefined> {
  const where = { repo: `${ref.owner}/${ref.repo}`, pr: facts.pull.number };
  try {
    const read = await gatherPreview(deps.gh, ref, facts, loaded, deps.appId !== undefined ? { appId: deps.appId } : {});
    const preview = buildPreview(read, deps.now());
    const plan = planPreviewCheck(preview, {
      name: `${checkName} / policy`,
      head_sha: facts.pull.head.sha,
      repo: `${ref.owner}/${ref.repo}`,
      files,
      ...(facts.pull.html_url ? { detailsUrl: facts.pull.html_url } : {}),
    });
    const written = await applyCheckRun(deps.gh, ref, plan, { appId: deps.appId, force: rerun });
    deps.log.info(
      { ...where, decision: "policy_preview", valid: preview.proposed.valid, compared: preview.pulls.length, changed: preview.pulls.filter((r) => r.changed).length, unread: preview.unread.length, write: written.result },
      "policy change previewed",
    );
    return written.result;
  } catch (err) {
    deps.log.warn({ ...where, decision: "policy_preview_failed", err: { message: (err as Error).message, status: (err as { status?: number }).status } }, "policy change could not be previewed");
    return undefined;
  }
}
