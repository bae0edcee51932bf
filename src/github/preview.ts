/**
 * The reads of the policy-change preview: the proposed policy at the PR's head, and the facts of the
 * repository's most recently updated open PRs (at most `PREVIEW_PULLS`, `PREVIEW_CONCURRENCY` at a time,
 * each cached while it is not updated), completed with what the proposed policy looks up besides the
 * policy in force. Nothing here decides anything: `buildPreview` (src/output/preview.ts) evaluates.
 */
import { defaultPolicy, type Policy } from "../config/schema.js";
import { PREVIEW_PULLS, type PreviewInput } from "../output/preview.js";
import type { PullFacts, PullRequestFacts } from "../types.js";
import { LruCache } from "./cache.js";
import { gatherFacts, httpStatus, loadPolicyAt, policyFilesIn, type GitHub, type PolicySource, type RepoRef } from "./facts.js";
import { completeLookups, mapBounded } from "./backtest.js";

/** Open PRs read at once. */
export const PREVIEW_CONCURRENCY = 4;
/** How long an open PR's facts are reused while GitHub shows it not updated (its `updated_at`). */
export const PREVIEW_FACTS_MS = 10 * 60_000;


/** Open PRs' facts by `owner/repo#n@updated_at@head`, with when they were read. */
const factsCache = new LruCache<string, { at: number; facts: PullFacts }>(500);

export function clearPreviewCache(): void {
  factsCache.clear();
}

/** The `PREVIEW_PULLS` most recently updated open PRs but `self`, following GitHub's pages only as far as needed. */
async function openPulls(gh: GitHub, ref: RepoRef, self: number): Promise<PullRequestFacts[]> {
  const out: PullRequestFacts[] = [];
  // One more than needed per page: the PR being previewed is usually among them.
  const pages = gh.paginate.iterator(gh.rest.pulls.list, { ...ref, state: "open", sort: "updated", direction: "desc", per_page: PREVIEW_PULLS + 1 });
  for await (const { data } of pages) {
    for (const p of data as PullRequestFacts[]) if (p.number !== self && out.length < PREVIEW_PULLS) out.push(p);
    if (out.length >= PREVIEW_PULLS) break;
  }
  return out;
}

/** One open PR's facts, as the policy in force and the proposed one need them; cached while it is not updated. */
async function factsFor(gh: GitHub, ref: RepoRef, pull: PullRequestFacts, policies: { before: Policy; after: Policy }, appId?: number): Promise<PullFacts> {
  const key = `${ref.owner}/${ref.repo}#${pull.number}@${pull.updated_at ?? ""}@${pull.head.sha}`.toLowerCase();
  const hit = factsCache.get(key);
  let facts = hit && Date.now() - hit.at < PREVIEW_FACTS_MS ? hit.facts : (await gatherFacts(gh, ref, pull.number, { hint: pull, policy: policies.before, ...(appId ? { appId } : {}) })).facts;
  // Completed with what the proposed policy looks up besides (a copy: the cached facts stay as they were read).
  const completed = { ...facts };
  if (await completeLookups(gh, ref, completed, policies.after)) facts = completed;
  if (!hit || hit.facts !== facts) factsCache.set(key, { at: hit?.at ?? Date.now(), facts });
  return facts;
}

/**
 * Reads what the preview of `pr`'s policy change compares: the proposed policy at its head and, when the
 * app would accept it, the open PRs' facts. `loaded` is the policy in force (the default branch's).
 * A PR that cannot be read is listed in `unread`; the others are compared all the same.
 */
export async function gatherPreview(gh: GitHub, ref: RepoRef, pr: PullFacts, loaded: PolicySource, opts: { appId?: number } = {}): Promise<PreviewInput> {
  const [proposed, open] = await Promise.all([loadPolicyAt(gh, ref, pr.pull.head.sha, loaded), openPulls(gh, ref, pr.pull.number)]);
  const policyFiles = { before: policyFilesIn(loaded, ref), after: policyFilesIn(proposed, ref) };
  if (proposed.kind === "invalid") return { before: loaded, proposed, policyFiles, pulls: [], unread: [] };
  const policies = {
    before: loaded.kind === "ok" ? loaded.policy : defaultPolicy(),
    after: proposed.kind === "ok" ? proposed.policy : defaultPolicy(),
  };
  const read = await mapBounded(open, PREVIEW_CONCURRENCY, async (pull) => {
    try {
      return { number: pull.number, facts: await factsFor(gh, ref, pull, policies, opts.appId) };
    } catch (err) {
      return { number: pull.number, reason: String(httpStatus(err) ?? (err as Error).message) };
    }
  });
  return {
    before: loaded,
    proposed,
    policyFiles,
    pulls: read.filter((r): r is { number: number; facts: PullFacts } => "facts" in r),
    unread: read.filter((r): r is { number: number; reason: string } => "reason" in r),
  };
}
