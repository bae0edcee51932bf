/**
 * Defensive reading of webhook payloads: a malformed payload (a field missing
 * or of the wrong type) yields null, never an exception.
 */
import { isPlainObject as isObject } from "../config/load.js";
import type { PullRequestFacts } from "../types.js";

export interface RepoTarget {
  owner: string;
  repo: string;
}


/** The repository an event is about, or null. */
export function repoOf(payload: unknown): RepoTarget | null {
  if (!isObject(payload) || !isObject(payload.repository)) return null;
  const { name, owner } = payload.repository;
  const login = isObject(owner) ? owner.login : undefined;
  return typeof name === "string" && name && typeof login === "string" && login ? { owner: login, repo: name } : null;
}

export const isPrNumber = (n: unknown): n is number => typeof n === "number" && Number.isSafeInteger(n) && n > 0;

/** The PR of a `pull_request` or `pull_request_review` event, when it has the fields the app reads. */
export function pullOf(payload: unknown): PullRequestFacts | null {
  if (!isObject(payload) || !isObject(payload.pull_request)) return null;
  const pr = payload.pull_request;
  const head = pr.head;
  if (!isPrNumber(pr.number) || !isObject(head) || typeof head.sha !== "string") return null;
  return pr as unknown as PullRequestFacts;
}

/** The PR number of an `issue_comment` event on a pull request, or null (plain issues included). */
export function commentPullNumber(payload: unknown): number | null {
  if (!isObject(payload) || !isObject(payload.issue) || !payload.issue.pull_request) return null;
  return isPrNumber(payload.issue.number) ? payload.issue.number : null;
}

/** A merge group as `merge_group.checks_requested` describes it: the commit to check, and its ref. */
export interface MergeGroupTarget {
  /** The merge group's commit: the check run goes on it. */
  sha: string;
  /** `refs/heads/gh-readonly-queue/<base>/pr-<number>-<sha>`. */
  ref: string;
}

/** The merge group of a `merge_group` event, or null. */
export function mergeGroupOf(payload: unknown): MergeGroupTarget | null {
  if (!isObject(payload) || !isObject(payload.merge_group)) return null;
  const { head_sha, head_ref } = payload.merge_group;
  return typeof head_sha === "string" && /^[0-9a-f]{40}$/.test(head_sha) && typeof head_ref === "string" ? { sha: head_sha, ref: head_ref } : null;
}

/**
 * The PR a merge group was made for, from its branch: GitHub names it
 * `gh-readonly-queue/<base branch>/pr-<number>-<sha>`. Null for any other ref.
 */
export function queuedPullNumber(ref: string): number | null {
  const m = /^refs\/heads\/gh-readonly-queue\/.+\/pr-(\d{1,15})-[0-9a-f]{40}$/.exec(ref);
  const n = m ? Number(m[1]) : null;
  return isPrNumber(n) ? n : null;
}
