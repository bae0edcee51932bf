/**
 * The reads of the policy-change preview: the proposed policy at the PR's head, and the facts of the
 * repository's most recently updated open PRs (at most `PREVIEW_PULLS`, `PREVIEW_CONCURRENCY` at a time,
 * each cached while it is not updated), completed with what the proposed policy looks up besides the
 * policy in force. Nothing here decides anything: `buildPreview` (src/output/preview.ts) evaluates.
 */
import { defaultPolicy, type Policy } from "../config/schema.js";
import { neededLookups } from "../policy/lookups.js";
import { PREVIEW_PULLS, type PreviewInput } from "../output/preview.js";
import type { PullFacts, PullRequestFacts } from "../types.js";
import { LruCache } from "./cache.js";
import {
  gatherFacts,
  httpStatus,
  listChecks,
  loadPolicyAt,
  lookupPermissions,
  lookupTeams,
  policyFilesIn,
  pullsForCommit,
  readRuleInputs,
  type GitHub,
  type PolicySource,
  type RepoRef,
} from "./facts.js";

/** Open PRs read at once. */
export const PREVIEW_CONCURRENCY = 4;
/** How long an open PR's facts are reused while GitHub shows it not updated (its `updated_at`). */
export const PREVIEW_FACTS_MS = 10 * 60_000;


/** Open PRs' facts by `owner/repo#n@updated_at@head`, with when they were read. */
const factsCache = new LruCache<string, { at: number; facts: PullFacts }>(500);

export function clearPreviewCache(): void {
  factsCache.clear();
}

/** `fn` over `items`, at most `limit` at a time, results in order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
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

/** Adds to `facts` what `policy` looks up that they lack (permissions, teams, checks, files, the linked issue): a new object. */
async function completeFacts(gh: GitHub, ref: RepoRef, facts: PullFacts, policy: Policy): Promise<PullFacts> {
  const need = neededLookups(policy, facts);
  const sha = facts.pull.head.sha;
  const logins = need.logins.filter((l) => !(l in (facts.permissions ?? {})));
  const teams = need.teams.filter((t) => !(t in (facts.teams ?? {})));
  const contents = (need.contents ?? []).filter((p) => !(p in (facts.head_contents ?? {})));
  const issue = need.issue !== undefined && !(String(need.issue) in (facts.linked_issues ?? {})) ? need.issue : undefined;
  const unreadable: Record<string, number> = {};
  const [permissions, members, checks, shared, inputs] = await Promise.all([
    logins.length ? lookupPermissions(gh, ref, logins) : {},
    teams.length ? lookupTeams(gh, teams, unreadable) : {},
    need.checks && !facts.checks ? listChecks(gh, ref, sha) : undefined,
    need.sharedHead && !facts.shared_head ? pullsForCommit(gh, ref, sha) : undefined,
    readRuleInputs(gh, ref, sha, { ...(contents.length ? { contents } : {}), ...(issue !== undefined ? { issue } : {}) }),
  ]);
  return {
    ...facts,
    permissions: { ...facts.permissions, ...permissions },
    teams: { ...facts.teams, ...members },
    ...(Object.keys(unreadable).length ? { unreadable_teams: { ...facts.unreadable_teams, ...unreadable } } : {}),
    ...(checks ? { checks } : {}),
    ...(shared ? { shared_head: shared.filter((n) => n !== facts.pull.number).sort((a, b) => a - b) } : {}),
    ...(inputs.head_contents ? { head_contents: { ...facts.head_contents, ...inputs.head_contents } } : {}),
    ...(inputs.linked_issues ? { linked_issues: { ...facts.linked_issues, ...inputs.linked_issues } } : {}),
  };
}

/** One open PR's facts, as the policy in force and the proposed one need them; cached while it is not updated. */
async function factsFor(gh: GitHub, ref: RepoRef, pull: PullRequestFacts, policies: { before: Policy; after: Policy }, appId?: number): Promise<PullFacts> {
  const key = `${ref.owner}/${ref.repo}#${pull.number}@${pull.updated_at ?? ""}@${pull.head.sha}`.toLowerCase();
  const hit = factsCache.get(key);
  let facts = hit && Date.now() - hit.at < PREVIEW_FACTS_MS ? hit.facts : (await gatherFacts(gh, ref, pull.number, { hint: pull, policy: policies.before, ...(appId ? { appId } : {}) })).facts;
  facts = await completeFacts(gh, ref, facts, policies.after);
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
  const read = await mapLimit(open, PREVIEW_CONCURRENCY, async (pull) => {
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
