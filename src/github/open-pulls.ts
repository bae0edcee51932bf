/**
 * The open PRs of a repository, for the swarm limits (`limits`): one list per repository, read
 * at most once a minute (a list read in flight is shared by the evaluations that ask meanwhile),
 * and forgotten when a PR opens, closes or reopens here. Trimmed to what detection reads from
 * a PR object (author, branch, labels, title, body, assignees) and what the limits order by.
 */
import type { PullRequestFacts } from "../types.js";
import { LruCache } from "./cache.js";
import type { GitHub, RepoRef } from "./facts.js";

/** How long a repository's list of open PRs is used without reading it again. */
export const OPEN_PULLS_TTL_MS = 60_000;

const lists = new LruCache<string, { at: number; pulls: Promise<PullRequestFacts[]> }>(500);

const keyOf = (ref: RepoRef) => `${ref.owner}/${ref.repo}`.toLowerCase();

/** Forget a repository's list: a PR opened, closed or reopened there. */
export function forgetOpenPulls(ref: RepoRef): void {
  lists.delete(keyOf(ref));
}

export function clearOpenPulls(): void {
  lists.clear();
}

type Listed = PullRequestFacts & { draft?: boolean | null };

/** A listed PR as the limits read it. */
function trim(p: Listed): PullRequestFacts {
  return {
    number: p.number,
    title: p.title,
    body: p.body,
    state: p.state,
    ...(p.draft ? { draft: true } : {}),
    user: p.user ? { login: p.user.login, id: p.user.id ?? null, type: p.user.type ?? null } : null,
    head: { ref: p.head.ref, sha: p.head.sha },
    base: { ref: p.base.ref, repo: p.base.repo ? { full_name: p.base.repo.full_name } : null },
    labels: (p.labels ?? []).map((l) => ({ name: l.name })),
    ...(p.html_url ? { html_url: p.html_url } : {}),
    ...(p.created_at ? { created_at: p.created_at } : {}),
    assignees: (p.assignees ?? []).map((a) => ({ login: a.login, id: a.id ?? null, type: a.type ?? null })),
  };
}

/** The repository's open PRs, in the order GitHub lists them (the limits order them by creation themselves). */
export async function openPulls(gh: GitHub, ref: RepoRef, now = Date.now()): Promise<PullRequestFacts[]> {
  const key = keyOf(ref);
  const hit = lists.get(key);
  if (hit && now - hit.at < OPEN_PULLS_TTL_MS) return hit.pulls;
  const pulls = gh.paginate(gh.rest.pulls.list, { ...ref, state: "open", per_page: 100 }).then((list) => (list as unknown as Listed[]).map(trim));
  const entry = { at: now, pulls };
  lists.set(key, entry);
  // A failed read is not kept: the next evaluation asks again.
  pulls.catch(() => {
    if (lists.get(key) === entry) lists.delete(key);
  });
  return pulls;
}
