/** The Probot app: maps events to handlers, nothing else. */
import type { ApplicationFunctionOptions, Probot } from "probot";
import { evaluatePull, type Deps } from "./handlers/pull.js";
import { handleComment, type CommentEvent } from "./handlers/comment.js";
import { sweep } from "./handlers/sweep.js";
import { withSweepLock } from "./github/lock.js";
import { loadPolicy, pullsForCommit } from "./github/facts.js";
import type { Policy } from "./config/schema.js";
import { RECHECK_ACTION } from "./output/check.js";
import { KeyedQueue, RetryQueue, type Scheduler } from "./github/retry.js";
import { recordFirstReview, recordPullOpened } from "./metrics.js";
import type { PullRequestFacts } from "./types.js";

/** Labels the app itself writes by default; their events would only echo our own writes. */
const OWN_LABELS = new Set(["agent-pr", "needs-human-review", "agent-policy-violation", "escalated"]);

export interface AppOptions {
  /** The clock; tests pass a fixed one. */
  now?: () => Date;
  /**
   * Minutes between escalation sweeps; 0 turns the sweep off. Default: the
   * `ESCALATION_SWEEP_MINUTES` environment variable, else 10 (off under tests).
   */
  sweepMinutes?: number;
  /** Timers for evaluation retries; tests pass a fake. */
  scheduler?: Scheduler;
}

/** Does the policy (or any of its overrides) wait on other checks? */
function requiresChecks(policy: Policy): boolean {
  return policy.compliance.required_checks.length > 0 || policy.overrides.some((o) => (o.compliance?.required_checks ?? []).length > 0);
}

function sweepMinutesFromEnv(env: NodeJS.ProcessEnv): number {
  if (env.VITEST || env.NODE_ENV === "test") return 0;
  const n = Number(env.ESCALATION_SWEEP_MINUTES ?? 10);
  return Number.isFinite(n) && n >= 0 ? n : 10;
}

export function createApp(appOptions: AppOptions = {}) {
  const now = appOptions.now ?? (() => new Date());
  const sweepMinutes = appOptions.sweepMinutes ?? sweepMinutesFromEnv(process.env);
  const queue = new KeyedQueue();
  const retries = new RetryQueue(appOptions.scheduler);
  return (app: Probot, _options?: ApplicationFunctionOptions): void => {
    if (sweepMinutes > 0) {
      const timer = setInterval(() => {
        withSweepLock(() => sweep(app, now), app.log).catch((err: Error) => app.log.error({ decision: "sweep_error", err: { message: err.message } }, "sweep failed"));
      }, sweepMinutes * 60_000);
      timer.unref();
    }
    app.on(
      [
        "pull_request.opened",
        "pull_request.reopened",
        "pull_request.synchronize",
        "pull_request.ready_for_review",
        "pull_request.edited",
        "pull_request.labeled",
        "pull_request.unlabeled",
      ],
      async (context) => {
        const payload = context.payload as { action: string; label?: { name: string } };
        if ((payload.action === "labeled" || payload.action === "unlabeled") && OWN_LABELS.has(payload.label?.name ?? "")) return;
        const deps: Deps = { gh: context.octokit, log: context.log, now, queue, retries };
        const { owner, repo } = context.repo();
        const pull = context.payload.pull_request as unknown as PullRequestFacts;
        const result = await evaluatePull(deps, { owner, repo, number: pull.number, pull });
        if (result && payload.action === "opened") recordPullOpened(result.evaluation);
      },
    );
    app.on(["pull_request_review.submitted", "pull_request_review.dismissed", "pull_request_review.edited"], async (context) => {
      const deps: Deps = { gh: context.octokit, log: context.log, now, queue, retries };
      const { owner, repo } = context.repo();
      const pull = context.payload.pull_request as unknown as PullRequestFacts;
      const result = await evaluatePull(deps, { owner, repo, number: pull.number, pull });
      if (result?.facts && context.payload.action === "submitted") recordFirstReview(result.facts, context.payload.review.id, result.evaluation);
    });
    // The check run's "Re-check" button, and "Re-run" in the Checks tab.
    app.on(["check_run.rerequested", "check_run.requested_action"], async (context) => {
      const payload = context.payload as { action: string; requested_action?: { identifier: string }; check_run: { head_sha: string; pull_requests: { number: number }[] } };
      if (payload.action === "requested_action" && payload.requested_action?.identifier !== RECHECK_ACTION.identifier) return;
      const deps: Deps = { gh: context.octokit, log: context.log, now, queue, retries };
      const { owner, repo } = context.repo();
      // Fork PRs are missing from `pull_requests`: look them up by commit.
      const numbers = payload.check_run.pull_requests.length
        ? payload.check_run.pull_requests.map((p) => p.number)
        : await pullsForCommit(context.octokit, { owner, repo }, payload.check_run.head_sha);
      for (const number of numbers) await evaluatePull(deps, { owner, repo, number });
    });
    // Another check finished or a commit status changed: PRs whose policy requires checks are
    // re-evaluated (our own check's events are skipped, they would only echo our writes).
    app.on(["check_run.completed", "status"], async (context) => {
      const payload = context.payload as {
        check_run?: { name: string; head_sha: string; pull_requests: { number: number }[] };
        sha?: string;
        context?: string;
      };
      const { owner, repo } = context.repo();
      const ref = { owner, repo };
      const loaded = await loadPolicy(context.octokit, ref);
      if (loaded.kind !== "ok" || !requiresChecks(loaded.policy)) return;
      const name = payload.check_run?.name ?? payload.context ?? "";
      if (name === loaded.policy.escalation.check_name) return;
      const sha = payload.check_run?.head_sha ?? payload.sha ?? "";
      const numbers = payload.check_run?.pull_requests.length
        ? payload.check_run.pull_requests.map((p) => p.number)
        : await pullsForCommit(context.octokit, ref, sha);
      const deps: Deps = { gh: context.octokit, log: context.log, now, queue, retries };
      for (const number of numbers) await evaluatePull(deps, { owner, repo, number });
    });
    app.on(["issue_comment.created", "issue_comment.edited", "issue_comment.deleted"], async (context) => {
      // Comments on plain issues are not ours to answer.
      if (!context.payload.issue.pull_request) return;
      const deps: Deps = { gh: context.octokit, log: context.log, now, queue, retries };
      const { owner, repo } = context.repo();
      await handleComment(deps, { owner, repo, number: context.payload.issue.number }, context.payload as unknown as CommentEvent);
    });
  };
}

export default createApp();
