/**
 * GitHub's "Update branch" merges do not make approvals stale (pure).
 *
 * An approval of commit A still counts for the head H when every commit of the
 * PR after A is a merge GitHub made ("Update branch"): committed by `web-flow`,
 * with a verified signature, two parents, the first the commit before it in the
 * PR (A, or the previous such merge) and the second a commit outside the PR (the
 * base branch). And, so that the merges brought nothing but the base branch's
 * changes (a conflict resolved in GitHub's editor is committed by `web-flow`
 * too, and may hold anything), no file that changed from A to H (the compare API,
 * `PullFacts.changed_since[A]`) is one of the PR's files: a file changed since
 * the approval but not in the PR's diff is now exactly as on the base branch,
 * and every file of the PR's diff is as the approver saw it. When anything is
 * unknown (the commit or file list capped, the compare not read or too large),
 * the approval stays stale.
 */
import type { CommitFacts, PullFacts } from "../types.js";

const isWebFlow = (c: CommitFacts) => (c.committer?.login ?? "").toLowerCase() === "web-flow";

/** Is `c` a merge GitHub made onto `previous` from outside the PR (`inPr`)? */
function isUpdateMerge(c: CommitFacts, previous: string, inPr: ReadonlySet<string>): boolean {
  const parents = c.parents ?? [];
  return (
    isWebFlow(c) &&
    c.commit.verification?.verified === true &&
    parents.length === 2 &&
    parents[0]!.sha === previous &&
    !inPr.has(parents[1]!.sha)
  );
}

/** Are all the PR's commits after `sha` (at least one, the last the head) "Update branch" merges? Needs the full commit list. */
export function onlyUpdateMergesSince(facts: PullFacts, sha: string): boolean {
  const { commits, pull } = facts;
  if (typeof pull.commits === "number" && pull.commits > commits.length) return false;
  const i = commits.findIndex((c) => c.sha === sha);
  if (i < 0 || i === commits.length - 1 || commits.at(-1)!.sha !== pull.head.sha) return false;
  const inPr = new Set(commits.map((c) => c.sha));
  return commits.slice(i + 1).every((c, k) => isUpdateMerge(c, commits[i + k]!.sha, inPr));
}

/**
 * The earlier commits whose approvals `carriedOver` would let count if the compare from them to the head
 * were known: stale approvals' commits followed only by "Update branch" merges. The gather step reads
 * `changed_since` for these (only when approvals go stale on push).
 */
export function updateMergeCandidates(facts: PullFacts, approvalCommits: readonly (string | null)[]): string[] {
  const head = facts.pull.head.sha;
  const stale = new Set(approvalCommits.filter((c): c is string => c !== null && c !== head));
  return [...stale].filter((sha) => onlyUpdateMergesSince(facts, sha));
}

/** Is an approval of `sha` (not the head) still current: only "Update branch" merges since, bringing only the base's changes? */
export function carriedOver(facts: PullFacts, sha: string): boolean {
  const changed = facts.changed_since?.[sha];
  if (!changed || !onlyUpdateMergesSince(facts, sha)) return false;
  // The PR's own file list must be whole to say a file is not in it.
  if (typeof facts.pull.changed_files === "number" && facts.pull.changed_files > facts.files.length) return false;
  const prFiles = new Set(facts.files.flatMap((f) => [f.filename, f.previous_filename ?? f.filename]));
  return changed.every((f) => !prFiles.has(f.filename) && !prFiles.has(f.previous_filename ?? f.filename));
}
