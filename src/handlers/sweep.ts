/**
 * The escalation sweep: periodically re-evaluates open governed PRs so that an
 * escalation tier (or an idle PR's `escalation.stuck`) falls due even when no webhook arrives. Stateless (tier state
 * lives in the app's ledger, in its own check run), idempotent, and run by one
 * replica at a time (with REDIS_URL, under the sweep lock).
 *
 * Governed PRs are found without trusting labels alone (anyone, a bot included,
 * can remove one): a PR is swept when the PR object alone shows a governed agent
 * (or `govern_humans`), when it carries a label the app manages, or when our
 * check run on its head says it is not passing (read for at most
 * `MAX_CHECK_READS` PRs per repository and sweep; a head seen passing is not
 * read again for `PASSING_MS`).
 *
 * It also ends time-bound overrides (`/governance override 7d <reason>`): an
 * override that expires changes the check without any event, so a PR whose
 * check run title gives an expiry that has passed (`titleExpiry`) is evaluated
 * again. Repositories without tiers are swept for that alone: there only a
 * governed PR (by its object or a label the app manages) has its check run read,
 * within the same budget, and a head is not read again before its override
 * expires or for `PASSING_MS`.
 */
import type { Probot } from "probot";
import type { Logger } from "pino";
import type { Policy } from "../config/schema.js";
import { findCheckRun, loadPolicy, type GitHub, type RepoRef } from "../github/facts.js";
import { appIdOf } from "../github/app-id.js";
import { LruCache } from "../github/cache.js";
import { ledgerKeyOf } from "../github/ledger.js";
import { judgePullObject } from "../policy/evaluate.js";
import { managedLabels } from "../output/plan.js";
import type { PullRequestFacts } from "../types.js";
import { titleExpiry } from "../commands/override-time.js";
import { evaluatePull, type Deps } from "./pull.js";

/** Heads whose check run of ours is not read again before a time (ms), by `owner/repo#N@sha`: seen passing, or overridden until then. */
export type SweepMemo = LruCache<string, number>;

export const newSweepMemo = (): SweepMemo => new LruCache<string, number>(20_000);

/** What the sweep shares with the webhook handlers: the per-PR queue, the retries, the app's id and ledger key, and what it learnt. */
export type SweepShared = Pick<Deps, "queue" | "retries" | "appId" | "ledgerKey" | "pullLock" | "own"> & { swept?: SweepMemo };

/** Check runs read per repository and sweep, for PRs that neither their object nor a label shows governed. */
export const MAX_CHECK_READS = 30;
/** A head seen passing is not read again for this long (its own events re-evaluate it meanwhile). */
export const PASSING_MS = 60 * 60_000;

type ListedPull = PullRequestFacts & { draft?: boolean | null };

/**
 * Why the sweep evaluates this open PR, or null: its object shows a governed agent whose policy has
 * tiers, it carries a label the app manages, or our check run on its head is not passing (these three
 * only when the repository's policy has tiers: `tiers`), or that check run's override has expired.
 */
async function sweepReason(
  gh: GitHub,
  ref: RepoRef,
  policy: Policy,
  p: ListedPull,
  budget: { reads: number },
  memo: SweepMemo,
  now: () => Date,
  appId?: number,
  tiers = true,
): Promise<string | null> {
  const { applying, governed } = judgePullObject(policy, p);
  if (tiers && governed && (applying.escalation.tiers.length > 0 || applying.escalation.stuck)) return "detected";
  const labels = new Set((p.labels ?? []).map((l) => l.name.toLowerCase()));
  const labelled = [...managedLabels(policy), ...managedLabels(applying)].some((l) => labels.has(l.toLowerCase()));
  if (tiers && labelled) return "labelled";
  // Without tiers only an override can fall due, and only a governed PR has one.
  if (!tiers && !governed && !labelled) return null;
  const key = `${ref.owner}/${ref.repo}#${p.number}@${p.head.sha}`.toLowerCase();
  const at = now().getTime();
  const notBefore = memo.get(key);
  if (notBefore !== undefined && at < notBefore) return null;
  if (budget.reads >= MAX_CHECK_READS) return null;
  budget.reads++;
  const run = await findCheckRun(gh, ref, p.head.sha, policy.escalation.check_name, appId);
  // No run of ours: never evaluated, so never governed as far as the app knows (its events will evaluate it).
  if (!run) return null;
  const expires = titleExpiry(run.output?.title);
  if (expires !== null && expires <= at) return "override_expired";
  if (!tiers || (run.status === "completed" && run.conclusion === "success")) {
    memo.set(key, Math.min(expires ?? Number.POSITIVE_INFINITY, at + PASSING_MS));
    return null;
  }
  return "check";
}

export interface SweepStats {
  installations: number;
  repositories: number;
  pulls: number;
  evaluated: number;
  errors: number;
}

/** Tiers or a stuck escalation (`escalation.stuck.idle` falls due without an event) in the base policy or an `overrides` entry. */
const hasTiers = (policy: Policy) =>
  policy.escalation.tiers.length > 0 || !!policy.escalation.stuck || policy.overrides.some((o) => (o.escalation?.tiers?.length ?? 0) > 0 || !!o.escalation?.stuck);

/**
 * Sweeps one installation: the open governed PRs of repositories whose policy has tiers or `escalation.stuck`,
 * and in the others the PRs whose override has expired (see `sweepReason`).
 */
export async function sweepInstallation(gh: GitHub, log: Logger, now: () => Date, stats: SweepStats, shared: SweepShared = {}): Promise<void> {
  const { swept = newSweepMemo(), ...deps } = shared;
  const repos = await gh.paginate(gh.rest.apps.listReposAccessibleToInstallation, { per_page: 100 });
  for (const r of repos) {
    stats.repositories++;
    const ref = { owner: r.owner.login, repo: r.name };
    try {
      const loaded = await loadPolicy(gh, ref);
      if (loaded.kind !== "ok") continue;
      // Tiers in the base policy or in any `overrides` entry: either can fall due without an event. Without tiers,
      // only a time-bound override can (any override may be given a duration).
      const tiers = hasTiers(loaded.policy);
      // Without tiers only an open PR's override can fall due: a repository with nothing open (the list of
      // repositories says so, for free) is not asked for its PRs.
      if (!tiers && r.open_issues_count === 0) continue;
      const pulls = await gh.paginate(gh.rest.pulls.list, { ...ref, state: "open", per_page: 100 });
      const budget = { reads: 0 };
      for (const p of pulls) {
        stats.pulls++;
        if (p.draft) continue;
        if (!(await sweepReason(gh, ref, loaded.policy, p as ListedPull, budget, swept, now, shared.appId, tiers))) continue;
        await evaluatePull({ gh, log, now, ...deps, event: "sweep" }, { ...ref, number: p.number });
        stats.evaluated++;
      }
    } catch (err) {
      stats.errors++;
      log.error({ repo: `${ref.owner}/${ref.repo}`, decision: "sweep_error", err: { message: (err as Error).message } }, "sweep failed for a repository");
    }
  }
}

/** Sweeps every installation of the app. */
export async function sweep(app: Probot, now: () => Date, shared: SweepShared = {}): Promise<SweepStats> {
  const stats: SweepStats = { installations: 0, repositories: 0, pulls: 0, evaluated: 0, errors: 0 };
  const withId: SweepShared = {
    ...shared,
    appId: shared.appId ?? (await appIdOf(app)),
    ledgerKey: shared.ledgerKey ?? (await ledgerKeyOf(app)),
    swept: shared.swept ?? newSweepMemo(),
  };
  const appGh = await app.auth();
  const installations = await appGh.paginate(appGh.rest.apps.listInstallations, { per_page: 100 });
  for (const inst of installations) {
    stats.installations++;
    try {
      const gh = await app.auth(inst.id);
      await sweepInstallation(gh, app.log as unknown as Logger, now, stats, withId);
    } catch (err) {
      stats.errors++;
      app.log.error({ installation: inst.id, decision: "sweep_error", err: { message: (err as Error).message } }, "sweep failed for an installation");
    }
  }
  app.log.info({ decision: "sweep", ...stats }, "escalation sweep done");
  return stats;
}
