/** The Probot app: maps events to handlers, nothing else. */
import type { ApplicationFunctionOptions, Context, Probot } from "probot";
import { commentPullNumber, isPrNumber, mergeGroupOf, pullOf, repoOf, type RepoTarget } from "./handlers/payload.js";
import { checkMergeGroup } from "./handlers/merge-group.js";
import { closePull, evaluatePull, inPullQueue, type Deps } from "./handlers/pull.js";
import { OwnWrites } from "./github/memo.js";
import { DEFAULT_CHECK_NAME } from "./config/schema.js";
import type { PullRequestFacts } from "./types.js";
import { handleComment, type CommentEvent } from "./handlers/comment.js";
import { newSweepMemo, sweep } from "./handlers/sweep.js";
import { createPullLock, withSweepLock, type PullLock } from "./github/lock.js";
import { appIdOf } from "./github/app-id.js";
import { ledgerKeyOf } from "./github/ledger.js";
import { lastRead, loadPolicy, pullsForCommit, twinPulls } from "./github/facts.js";
import { forgetOpenPulls, openPulls } from "./github/open-pulls.js";
import { heldBy, joinsLimits, limitsSet } from "./policy/swarm.js";
import type { Policy } from "./config/schema.js";
import { requiredCheckNames } from "./policy/lookups.js";
import { RECHECK_ACTION } from "./output/check.js";
import { DEFAULT_LABELS, managedLabels } from "./output/plan.js";
import { KeyedQueue, RetryQueue, type Scheduler } from "./github/retry.js";
import { recordFirstReview, recordPullOpened } from "./metrics.js";


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
  /** Orders evaluations of one PR across replicas; default: Redis at REDIS_URL when set, else none. */
  pullLock?: PullLock;
  /**
   * Remember the app's own writes (check runs, escalation comments) instead of reading them back
   * (src/github/memo.ts). Right only when this process sees every event: default on, off with `REDIS_URL`
   * (several replicas); the serverless handlers turn it off.
   */
  memo?: boolean;
}


function sweepMinutesFromEnv(env: NodeJS.ProcessEnv): number {
  if (env.VITEST || env.NODE_ENV === "test") return 0;
  const n = Number(env.ESCALATION_SWEEP_MINUTES ?? 10);
  return Number.isFinite(n) && n >= 0 ? n : 10;
}

/**
 * Is the memo of the app's own writes kept? As asked, else not with `REDIS_URL` (which means several replicas)
 * nor with `REMEMBER_OWN_WRITES=false` (two processes at once, as in a rolling deploy); else on.
 */
export const memoOn = (asked: boolean | undefined, env: NodeJS.ProcessEnv = process.env) => asked ?? (!env.REDIS_URL && env.REMEMBER_OWN_WRITES !== "false");

export function createApp(appOptions: AppOptions = {}) {
  const now = appOptions.now ?? (() => new Date());
  const sweepMinutes = appOptions.sweepMinutes ?? sweepMinutesFromEnv(process.env);
  const queue = new KeyedQueue();
  const retries = new RetryQueue(appOptions.scheduler);
  const pullLock = appOptions.pullLock ?? (process.env.REDIS_URL ? createPullLock() : undefined);
  const swept = newSweepMemo();
  const own = memoOn(appOptions.memo) ? new OwnWrites() : undefined;
  return (app: Probot, _options?: ApplicationFunctionOptions): void => {
    // This app's id (from its own credentials, no request), so it reads and updates only its own check runs.
    let appId: Promise<number | undefined> | undefined;
    const ownAppId = () => (appId ??= appIdOf(app));
    // The key the app seals its ledger with, derived from its webhook secret (no request, never logged).
    let ledgerKey: Promise<Uint8Array | undefined> | undefined;
    const ownLedgerKey = () =>
      (ledgerKey ??= ledgerKeyOf(app).then((key) => {
        if (!key) app.log.warn({ decision: "ledger_key_unavailable" }, "no ledger key: the app's record of invokers and escalations is neither read nor written");
        return key;
      }));
    /**
     * Every handler runs inside this guard: a malformed payload is logged and dropped,
     * and nothing a handler throws escapes to crash or fail the delivery.
     */
    const on = <E extends Parameters<Probot["on"]>[0]>(events: E, handler: (context: Context, deps: Deps, repo: RepoTarget) => Promise<void>) =>
      app.on(events, async (context) => {
        // Without an installation there is no token: every request would fail, and every retry.
        // (A repository or organization webhook pointed at the app sends such deliveries.)
        if (typeof (context.payload as { installation?: { id?: unknown } | null }).installation?.id !== "number") {
          context.log.warn({ decision: "skip", event: context.name, reason: "no_installation" }, "webhook without an installation; ignored");
          return;
        }
        const repo = repoOf(context.payload);
        if (!repo) {
          context.log.warn({ decision: "malformed_payload", event: context.name, reason: "no repository" }, "malformed webhook payload; ignored");
          return;
        }
        const action = (context.payload as { action?: unknown }).action;
        const event = typeof action === "string" ? `${context.name}.${action}` : context.name;
        const pushedAt = pushedAtOf(context.payload);
        const deps: Deps = {
          gh: context.octokit,
          log: context.log,
          now,
          queue,
          retries,
          appId: await ownAppId(),
          ledgerKey: await ownLedgerKey(),
          event,
          ...(pullLock ? { pullLock } : {}),
          ...(pushedAt !== undefined ? { pushedAt } : {}),
          ...(own ? { own } : {}),
        };
        try {
          await handler(context as unknown as Context, deps, repo);
        } catch (err) {
          context.log.error({ decision: "handler_error", event: context.name, repo: `${repo.owner}/${repo.repo}`, err: { message: (err as Error).message } }, "event handling failed");
        }
      });
    if (sweepMinutes > 0) {
      const timer = setInterval(() => {
        withSweepLock(async () => sweep(app, now, { queue, retries, appId: await ownAppId(), ledgerKey: await ownLedgerKey(), swept, ...(pullLock ? { pullLock } : {}), ...(own ? { own } : {}) }), app.log).catch((err: Error) => app.log.error({ decision: "sweep_error", err: { message: err.message } }, "sweep failed"));
      }, sweepMinutes * 60_000);
      timer.unref();
    }
    on(
      [
        "pull_request.opened",
        "pull_request.reopened",
        "pull_request.synchronize",
        "pull_request.ready_for_review",
        "pull_request.converted_to_draft",
        "pull_request.edited",
        "pull_request.labeled",
        "pull_request.unlabeled",
      ],
      async (context, deps, repo) => {
        const payload = context.payload as { action?: string; label?: { name?: string }; sender?: { type?: unknown } | null; before?: unknown };
        // Our own label writes come back as events, sent by a bot; re-evaluating them would only echo.
        // A person adding or removing one of these labels is re-evaluated (a removed `agent-pr` comes back).
        if ((payload.action === "labeled" || payload.action === "unlabeled") && payload.sender?.type === "Bot") {
          // The app's own label writes echo back moments after the evaluation that read the policy: that read is
          // trusted for a minute (no request), and otherwise one conditional read, never a whole evaluation.
          // A label the policy also detects agents by is evaluated whoever adds it (a labeler workflow, say).
          const name = (payload.label?.name ?? "").toLowerCase();
          const echo = (l: string) => l.toLowerCase() === name;
          const loaded = await loadPolicy(deps.gh, repo, { trustMissingMs: 5 * 60_000, trustCachedMs: 60_000 }).catch(() => null);
          const managed = loaded?.kind === "ok" ? managedLabels(loaded.policy) : [...DEFAULT_LABELS.own];
          const detects = loaded?.kind === "ok" ? loaded.policy.agents.also.labels : [];
          if (managed.some(echo) && !detects.some(echo)) return;
        }
        const pull = pullOf(context.payload);
        if (!pull) return malformed(context, "no pull_request");
        const opened = payload.action === "opened";
        // The repository's list of open PRs (for `limits`) no longer holds.
        if (opened || payload.action === "reopened") forgetOpenPulls(repo);
        const before = payload.action === "synchronize" && typeof payload.before === "string" ? payload.before : undefined;
        const reopened = payload.action === "reopened";
        const result = await evaluatePull(deps, { ...repo, number: pull.number, pull, opened, ...(before ? { before } : {}), ...(reopened ? { reopened } : {}) });
        if (result && opened) recordPullOpened(result.evaluation);
        // Under `limits`, a PR back among them (reopened, or edited or labelled into them) holds the newer PRs
        // that passed without it: they are evaluated again (the same ones a close of it would release).
        const policy = lastRead(repo);
        const was = reopened ? null : previousVersion(context.payload as PreviousPayload, pull);
        if (policy && (reopened || was) && joinsLimits(policy, was, pull)) await evaluateHeld(deps, repo, policy, pull);
      },
    );
    on("pull_request.closed", async (context, deps, repo) => {
      const pull = pullOf(context.payload) as (PullRequestFacts & { merged?: boolean }) | null;
      if (!pull) return malformed(context, "no pull_request");
      forgetOpenPulls(repo);
      // A governed PR carries at least the agent label; an unlabelled PR has no comment of ours to close.
      if (!pull.labels?.length) return;
      // In the PR's queue: an evaluation still running must not write "needs review" over the closing edit.
      const target = { ...repo, number: pull.number, merged: pull.merged === true, labels: (pull.labels ?? []).map((l) => l.name) };
      const { violating } = await inPullQueue(deps, target, () => closePull(deps, target));
      // Under `limits`, the open PRs this one held (its agent's, its invoker's, its issue's) are evaluated again.
      const policy = lastRead(repo);
      if (policy && limitsSet(policy)) await evaluateHeld(deps, repo, policy, pull);
      // A violating PR may have failed `head.shared`, and a twin that only waited wrote the check run it shared with one
      // that did (as the app remembers): the open PRs it shared its head with are evaluated again.
      const name = policy?.escalation.check_name ?? DEFAULT_CHECK_NAME;
      if (!violating && !deps.own?.sharedWith(repo, pull.number, pull.head.sha, name)) return;
      for (const number of await twinPulls(deps.gh, repo, pull.head.sha, pull.number)) await evaluatePull(deps, { ...repo, number });
    });
    on(["pull_request_review.submitted", "pull_request_review.dismissed", "pull_request_review.edited"], async (context, deps, repo) => {
      const pull = pullOf(context.payload);
      if (!pull) return malformed(context, "no pull_request");
      const result = await evaluatePull(deps, { ...repo, number: pull.number, pull });
      const { action, review } = context.payload as { action?: string; review?: { id?: unknown } | null };
      if (result?.facts && action === "submitted" && typeof review?.id === "number") recordFirstReview(result.facts, review.id, result.evaluation);
    });
    // The check run's "Re-check" button, "Re-run" in the Checks tab, and "Re-run all checks" (our check suite).
    on(["check_run.rerequested", "check_run.requested_action", "check_suite.rerequested"], async (context, deps, repo) => {
      const payload = context.payload as { action?: string; requested_action?: { identifier?: string }; check_run?: CheckRunPayload; check_suite?: CheckRunPayload };
      if (payload.action === "requested_action" && payload.requested_action?.identifier !== RECHECK_ACTION.identifier) return;
      const numbers = await checkRunPulls(deps, repo, payload.check_run ?? payload.check_suite, repositoryId(context.payload));
      if (!numbers) return malformed(context, "no check_run");
      // "Re-run" resets GitHub's check suite, which waits for a write: the check run is written even if unchanged.
      const rerun = payload.action === "rerequested";
      for (const number of numbers) await evaluatePull(deps, { ...repo, number }, { rerun });
    });
    // Another check finished or a commit status changed: when the policy requires that check (by name,
    // in `compliance.required_checks` or an `overrides` entry's), its PRs are re-evaluated. Other checks
    // cannot change the outcome, and our own check's events would only echo our writes.
    on(["check_run.completed", "status"], async (context, deps, repo) => {
      const payload = context.payload as { check_run?: CheckRunPayload & { app?: { id?: unknown } | null }; sha?: unknown; context?: unknown };
      // Our own check run coming back: nothing to read.
      if (deps.appId !== undefined && payload.check_run?.app?.id === deps.appId) return;
      // CI sends many of these: a repository known to have no policy file (in the last 5 minutes) is not asked again.
      const loaded = await loadPolicy(deps.gh, repo, { trustMissingMs: 5 * 60_000, ...(deps.pushedAt !== undefined ? { pushedAt: deps.pushedAt } : {}) });
      if (loaded.kind !== "ok") return;
      const name = payload.check_run?.name ?? (typeof payload.context === "string" ? payload.context : "");
      if (name === loaded.policy.escalation.check_name || !requiredCheckNames(loaded.policy).has(name)) return;
      const run = payload.check_run ?? (typeof payload.sha === "string" ? { head_sha: payload.sha, pull_requests: [] } : undefined);
      const numbers = await checkRunPulls(deps, repo, run, repositoryId(context.payload));
      if (!numbers) return malformed(context, "no commit");
      for (const number of numbers) await evaluatePull(deps, { ...repo, number });
    });
    // A merge queue made a merge group: it waits for our check on the group's commit.
    on("merge_group.checks_requested", async (context, deps, repo) => {
      const group = mergeGroupOf(context.payload);
      if (!group) return malformed(context, "no merge_group");
      await checkMergeGroup(deps, repo, group);
    });
    on(["issue_comment.created", "issue_comment.edited", "issue_comment.deleted"], async (context, deps, repo) => {
      // Comments on plain issues are not ours to answer.
      const number = commentPullNumber(context.payload);
      if (number === null) return;
      await handleComment(deps, { ...repo, number }, context.payload as unknown as CommentEvent);
    });
  };
}

interface CheckRunPayload {
  name?: string;
  head_sha?: unknown;
  pull_requests?: { number?: unknown; base?: { repo?: { id?: unknown } | null } | null }[];
}

/** The repository's last push (ms) as the payload has it: seconds in `pull_request` events, an ISO time in others. */
export function pushedAtOf(payload: unknown): number | undefined {
  const v = (payload as { repository?: { pushed_at?: unknown } | null }).repository?.pushed_at;
  const ms = typeof v === "number" ? v * 1000 : typeof v === "string" ? Date.parse(v) : NaN;
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

const repositoryId = (payload: unknown): unknown => (payload as { repository?: { id?: unknown } | null }).repository?.id;

/**
 * The PRs a check run (or a status's commit) belongs to. `pull_requests` may list PRs of other
 * repositories that share the commit (a fork's PR, palantir/policy-bot#807): only those whose base is
 * this repository count. Fork PRs are missing from it, so when none is left they are looked up by commit.
 */
async function checkRunPulls(deps: Deps, repo: RepoTarget, run: CheckRunPayload | undefined, repoId: unknown): Promise<number[] | null> {
  if (!run || typeof run.head_sha !== "string") return null;
  const listed = (Array.isArray(run.pull_requests) ? run.pull_requests : [])
    .filter((p) => typeof repoId === "number" && p?.base?.repo?.id === repoId)
    .map((p) => p.number)
    .filter(isPrNumber);
  return listed.length ? listed : pullsForCommit(deps.gh, repo, run.head_sha);
}

/** Under `limits`, the open PRs `pull` holds (its agent's, its invoker's, its issue's), evaluated again one after another. */
async function evaluateHeld(deps: Deps, repo: RepoTarget, policy: Policy, pull: PullRequestFacts): Promise<void> {
  for (const number of heldBy(policy, pull, await openPulls(deps.gh, repo))) await evaluatePull(deps, { ...repo, number });
}

function malformed(context: Context, reason: string): void {
  context.log.warn({ decision: "malformed_payload", event: context.name, reason }, "malformed webhook payload; ignored");
}

export default createApp();

type PreviousPayload = {
  action?: string;
  label?: { name?: string } | null;
  changes?: { title?: { from?: unknown }; body?: { from?: unknown }; base?: { ref?: { from?: unknown } } } | null;
};

/**
 * The PR as it was before an `edited` (title, body or base changed) or `labeled` event, from what the
 * payload says changed; null for other events (nothing about the PR's detection changed).
 */
function previousVersion(payload: PreviousPayload, pull: PullRequestFacts): PullRequestFacts | null {
  if (payload.action === "labeled") {
    const name = (payload.label?.name ?? "").toLowerCase();
    return { ...pull, labels: (pull.labels ?? []).filter((l) => l.name.toLowerCase() !== name) };
  }
  const c = payload.changes;
  if (payload.action !== "edited" || !c) return null;
  const text = (v: unknown, now: string | null | undefined) => (typeof v === "string" ? v : now);
  return {
    ...pull,
    title: text(c.title?.from, pull.title) ?? pull.title,
    body: text(c.body?.from, pull.body) ?? null,
    ...(typeof c.base?.ref?.from === "string" && pull.base ? { base: { ...pull.base, ref: c.base.ref.from } } : {}),
  };
}
