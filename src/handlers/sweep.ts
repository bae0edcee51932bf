/**
 * The escalation sweep: periodically re-evaluates open agent PRs so that an
 * escalation tier falls due even when no webhook arrives. Stateless (tier state
 * lives in the app's ledger, in its own check run), idempotent, and run by one
 * replica at a time (with REDIS_URL, under the sweep lock).
 */
import type { Probot } from "probot";
import type { Logger } from "pino";
import type { Policy } from "../config/schema.js";
import { loadPolicy, type GitHub } from "../github/facts.js";
import { appIdOf } from "../github/app-id.js";
import { ledgerKeyOf } from "../github/ledger.js";
import { evaluatePull, type Deps } from "./pull.js";

/** What the sweep shares with the webhook handlers: the per-PR queue, the retries, the app's id and ledger key. */
export type SweepShared = Pick<Deps, "queue" | "retries" | "appId" | "ledgerKey">;

export interface SweepStats {
  installations: number;
  repositories: number;
  pulls: number;
  evaluated: number;
  errors: number;
}

const hasTiers = (policy: Policy) => policy.escalation.tiers.length > 0 || policy.overrides.some((o) => (o.escalation?.tiers?.length ?? 0) > 0);

/** Sweeps one installation: repositories whose policy has tiers, open PRs carrying the agent label. */
export async function sweepInstallation(gh: GitHub, log: Logger, now: () => Date, stats: SweepStats, shared: SweepShared = {}): Promise<void> {
  const repos = await gh.paginate(gh.rest.apps.listReposAccessibleToInstallation, { per_page: 100 });
  for (const r of repos) {
    stats.repositories++;
    const ref = { owner: r.owner.login, repo: r.name };
    try {
      const loaded = await loadPolicy(gh, ref);
      // Tiers in the base policy or in any `overrides` entry: either can fall due without an event.
      if (loaded.kind !== "ok" || !hasTiers(loaded.policy)) continue;
      const agentLabel = loaded.policy.escalation.labels.agent.toLowerCase();
      const pulls = await gh.paginate(gh.rest.pulls.list, { ...ref, state: "open", per_page: 100 });
      for (const p of pulls) {
        stats.pulls++;
        if (p.draft || !p.labels.some((l) => l.name.toLowerCase() === agentLabel)) continue;
        await evaluatePull({ gh, log, now, ...shared, event: "sweep" }, { ...ref, number: p.number });
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
  const withId: SweepShared = { ...shared, appId: shared.appId ?? (await appIdOf(app)), ledgerKey: shared.ledgerKey ?? (await ledgerKeyOf(app)) };
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
