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
 */
import type { Probot } from "probot";
import type { Logger } from "pino";
import type { Policy } from "../config/schema.js";
import { findCheckRun, loadPolicy, type GitHub, type RepoRef } from "../github/facts.js";
import { appIdOf } from "../github/app-id.js";
import { LruCache } from "../github/cache.js";
import { ledgerKeyOf } from "../github/ledger.js";
import { detectAgent } from "../detect/detect.js";
import { effectivePolicy, isGoverned } from "../policy/evaluate.js";
import { managedLabels } from "../output/plan.js";
import type { PullRequestFacts } from "../types.js";
import { evaluatePull, type Deps } from "./pull.js";

/** Heads whose check run of ours was seen passing, by `owner/repo#N@sha`, with when (ms). */
export type SweepMemo = LruCache<string, number>;

export const newSweepMemo = (): SweepMemo => new LruCache<string, number>(20_000);

/** What the sweep shares with the webhook handlers: the per-PR queue, the retries, the app's id and ledger key, and what it learnt. */
export type SweepShared = Pick<Deps, "queue" | "retries" | "appId" | "ledgerKey" | "pullLock"> & { swept?: SweepMemo };

/** Check runs read per repository and sweep, for PRs that neither their object nor a label shows governed. */
export const MAX_CHECK_READS = 30;
/** A head seen passing is not read again for this long (its own events re-evaluate it meanwhile). */
export const PASSING_MS = 60 * 60_000;

type ListedPull = PullRequestFacts & { draft?: boolean | null };

/**
 * Why the sweep evaluates this open PR, or null: its object shows a governed agent whose policy has
 * tiers, it carries a label the app manages, or our check run on its head is not passing.
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
): Promise<string | null> {
  const verdict = detectAgent({ pull: p, files: [], commits: [], reviews: [], comments: [] }, policy.agents);
  const applying = effectivePolicy(policy, verdict, p.base?.ref);
  if (isGoverned(applying, verdict) && (applying.escalation.tiers.length > 0 || applying.escalation.stuck)) return "detected";
  const labels = new Set((p.labels ?? []).map((l) => l.name.toLowerCase()));
  if ([...managedLabels(policy), ...managedLabels(applying)].some((l) => labels.has(l.toLowerCase()))) return "labelled";
  const key = `${ref.owner}/${ref.repo}#${p.number}@${p.head.sha}`.toLowerCase();
  const passing = memo.get(key);
  if (passing !== undefined && now().getTime() - passing < PASSING_MS) return null;
  if (budget.reads >= MAX_CHECK_READS) return null;
  budget.reads++;
  const run = await findCheckRun(gh, ref, p.head.sha, policy.escalation.check_name, appId);
  // No run of ours: never evaluated, so never governed as far as the app knows (its events will evaluate it).
  if (!run) return null;
  if (run.status === "completed" && run.conclusion === "success") {
    memo.set(key, now().getTime());
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

/** Sweeps one installation: repositories whose policy has tiers or `escalation.stuck`, their open governed PRs (see `sweepReason`). */
export async function sweepInstallation(gh: GitHub, log: Logger, now: () => Date, stats: SweepStats, shared: SweepShared = {}): Promise<void> {
  const { swept = newSweepMemo(), ...deps } = shared;
  const repos = await gh.paginate(gh.rest.apps.listReposAccessibleToInstallation, { per_page: 100 });
  for (const r of repos) {
    stats.repositories++;
    const ref = { owner: r.owner.login, repo: r.name };
    try {
      const loaded = await loadPolicy(gh, ref);
      // Tiers in the base policy or in any `overrides` entry: either can fall due without an event.
      if (loaded.kind !== "ok" || !hasTiers(loaded.policy)) continue;
      const pulls = await gh.paginate(gh.rest.pulls.list, { ...ref, state: "open", per_page: 100 });
      const budget = { reads: 0 };
      for (const p of pulls) {
        stats.pulls++;
        if (p.draft) continue;
        if (!(await sweepReason(gh, ref, loaded.policy, p as ListedPull, budget, swept, now, shared.appId))) continue;
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
