/**
 * Every write to GitHub happens here. Each function makes GitHub match a plan,
 * idempotently: it reads what is there first and writes only the difference.
 */
import type { CheckRunPlan } from "../output/check.js";
import type { GitHub, RepoRef } from "./facts.js";
import { findCheckRun } from "./facts.js";

export type WriteResult = "created" | "updated" | "unchanged";

/** One check run per head commit and name, updated in place; nothing written when nothing changed. */
export async function applyCheckRun(gh: GitHub, ref: RepoRef, plan: CheckRunPlan): Promise<WriteResult> {
  const existing = await findCheckRun(gh, ref, plan.head_sha, plan.name);
  if (
    existing &&
    existing.status === "completed" &&
    existing.conclusion === plan.conclusion &&
    existing.output.title === plan.output.title &&
    existing.output.summary === plan.output.summary
  ) {
    return "unchanged";
  }
  if (existing) {
    const { head_sha: _sha, ...update } = plan;
    await gh.rest.checks.update({ ...ref, check_run_id: existing.id, ...update });
    return "updated";
  }
  await gh.rest.checks.create({ ...ref, ...plan });
  return "created";
}
