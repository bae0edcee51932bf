/**
 * Re-evaluates one pull request end to end: load the policy (default branch),
 * gather facts, evaluate (pure), plan outputs (pure), apply.
 */
import type { Logger } from "pino";
import { defaultPolicy } from "../config/schema.js";
import { gatherFacts, loadPolicy, type GitHub, type RepoRef } from "../github/facts.js";
import { applyCheckRun } from "../github/apply.js";
import { errorEvaluation, evaluate, policyErrorEvaluation } from "../policy/evaluate.js";
import { planCheckRun } from "../output/check.js";
import type { Evaluation, PullRequestFacts } from "../types.js";

export interface PullTarget extends RepoRef {
  number: number;
  /** The PR object from the webhook payload, when the event carries one. */
  pull?: PullRequestFacts;
  /** The payload's PR is known to be current and new (an `opened` event). */
  fresh?: boolean;
}

export interface Deps {
  gh: GitHub;
  log: Logger;
  /** The clock, injected so tests use a fixed time. */
  now: () => Date;
}

export interface EvaluateOptions {
  /** Notify the next escalation tier now (`/governance escalate`). */
  escalateNow?: boolean;
}

export async function evaluatePull(deps: Deps, target: PullTarget, _options: EvaluateOptions = {}): Promise<Evaluation | null> {
  const { gh, log } = deps;
  const ref = { owner: target.owner, repo: target.repo };
  const logBase = { repo: `${ref.owner}/${ref.repo}`, pr: target.number };
  let evaluation: Evaluation;
  let checkName = "Agent Governance";
  let detailsUrl = target.pull?.html_url;
  try {
    const loaded = await loadPolicy(gh, ref);
    const policy = loaded.kind === "ok" ? loaded.policy : defaultPolicy();
    checkName = policy.escalation.check_name;
    const facts = await gatherFacts(gh, ref, target.number, policy, { pull: target.pull, fresh: target.fresh });
    detailsUrl = facts.pull.html_url ?? detailsUrl;
    if (facts.pull.state && facts.pull.state !== "open") {
      log.info({ ...logBase, decision: "skip", reason: "closed" }, "PR is not open; nothing to evaluate");
      return null;
    }
    if (loaded.kind === "invalid") {
      evaluation = policyErrorEvaluation(facts, loaded.problems, deps.now());
      log.warn({ ...logBase, decision: "invalid_policy", source: loaded.source, problems: loaded.problems.length }, "policy file is invalid");
    } else {
      evaluation = evaluate({ policy, facts, now: deps.now() });
    }
  } catch (err) {
    log.error({ ...logBase, decision: "error", err: { message: (err as Error).message, status: (err as { status?: number }).status } }, "could not evaluate");
    if (!target.pull) throw err;
    evaluation = errorEvaluation({ pull: target.pull }, `GitHub could not be read: ${(err as Error).message}`, deps.now());
  }
  const plan = planCheckRun(evaluation, { name: checkName, ...(detailsUrl ? { detailsUrl } : {}) });
  const write = await applyCheckRun(gh, ref, plan);
  log.info(
    {
      ...logBase,
      head: evaluation.head_sha,
      agent: evaluation.agent.id,
      outcome: evaluation.outcome,
      conclusion: evaluation.conclusion,
      failed: evaluation.rules.filter((r) => r.status === "fail").map((r) => r.id),
      approvals: evaluation.approvals.map((a) => a.login),
      overrides: evaluation.overrides.map((o) => o.login),
      check: write,
    },
    "evaluated",
  );
  return evaluation;
}
