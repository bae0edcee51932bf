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

export type Reaction = "+1" | "-1" | "laugh" | "confused" | "heart" | "hooray" | "rocket" | "eyes";

/** Adds a reaction to an issue comment (GitHub answers 200 when it already exists: idempotent). */
export async function addReaction(gh: GitHub, ref: RepoRef, commentId: number, content: Reaction): Promise<void> {
  await gh.rest.reactions.createForIssueComment({ ...ref, comment_id: commentId, content });
}

/** Posts a comment on a PR (an issue comment). */
export async function postComment(gh: GitHub, ref: RepoRef, issueNumber: number, body: string): Promise<number> {
  const { data } = await gh.rest.issues.createComment({ ...ref, issue_number: issueNumber, body });
  return data.id;
}

/** Edits a comment in place. */
export async function editComment(gh: GitHub, ref: RepoRef, commentId: number, body: string): Promise<void> {
  await gh.rest.issues.updateComment({ ...ref, comment_id: commentId, body });
}
