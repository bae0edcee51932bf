/**
 * What the app itself wrote, remembered per PR so that it is not read back from GitHub (issue 16's budget):
 * its check runs (only this app can write them, so what it wrote is what a read would return) and its
 * escalation comments. Only the app's own writes are kept, never GitHub's state that others change
 * (reviews, comments, the PR): a lost webhook cannot make this memo wrong.
 *
 * It holds for one process that sees every event: `npm start` with one replica. With `REDIS_URL`
 * (several replicas, each writing) and in the serverless handlers (instances side by side) it is off,
 * and everything is read as before (src/index.ts).
 *
 * Absence is trusted for one question only: has the app a check run on a PR's new head? For a PR this
 * memo followed from its first evaluation (no check run of ours on its head, an `opened` event), a head
 * it holds nothing for has none written for this PR; one written for another PR with the same head
 * (a twin) is then replaced by a new run started now, which is how a head seen anew is treated anyway
 * (fail closed: commands given before count for it no more). A record it is unsure of (a write that
 * failed midway) is read again.
 */
import type { CommentFacts } from "../types.js";
import { LruCache } from "./cache.js";
import type { CheckRun, RepoRef } from "./facts.js";

/** Heads remembered per PR as written for it. */
const HEADS_PER_PULL = 50;

interface PullRecord {
  /** Followed from the PR's first evaluation: every check run written for it since is in `written`. */
  followed: boolean;
  /** The `sha:name` of each check run written for this PR (the runs themselves are in `runs`, shared by twins). */
  written: Set<string>;
  /** The app's escalation comments as last read or written (undefined: not known). */
  comments?: CommentFacts[];
}

export class OwnWrites {
  /** Our check runs by `owner/repo@sha:name`, as last written or read; null: a write whose outcome is unknown (read it). */
  readonly #runs = new LruCache<string, CheckRun | null>(5000);
  readonly #pulls = new LruCache<string, PullRecord>(5000);
  /** The PRs each check run was written for (by the same key): more than one means twins share it. */
  readonly #writers = new LruCache<string, Set<number>>(5000);

  #record(ref: RepoRef, pull: number, create: boolean): PullRecord | undefined {
    const key = `${ref.owner}/${ref.repo}#${pull}`.toLowerCase();
    let record = this.#pulls.get(key);
    if (!record && create) {
      record = { followed: false, written: new Set() };
      this.#pulls.set(key, record);
    }
    return record;
  }

  /**
   * Our check run on `sha` as the app last wrote or read it (for any PR: twins share it); null when
   * `absentIsNone` and the PR was followed from its first evaluation and nothing was ever written on `sha`
   * for it; undefined: not known, read it.
   */
  run(ref: RepoRef, pull: number | undefined, sha: string, name: string, absentIsNone = false): CheckRun | null | undefined {
    const key = runKey(ref, sha, name);
    const known = this.#runs.get(key);
    if (known !== undefined) return known ?? undefined;
    if (pull === undefined) return undefined;
    const record = this.#record(ref, pull, false);
    return absentIsNone && record?.followed && !record.written.has(key) ? null : undefined;
  }

  /** The PR was found never evaluated (no check run of ours on the head it opened with): from now on every run written for it is recorded. */
  follow(ref: RepoRef, pull: number): void {
    this.#record(ref, pull, true)!.followed = true;
  }

  /**
   * Our check run on `sha` as just written (for PR `pull`; none for a merge group's commit); null: a write is under
   * way or failed, its outcome unknown. A run of a lower id than the one held is older (two PRs with one head
   * created one each at once): GitHub shows the newer, so the memo keeps it.
   */
  remember(ref: RepoRef, pull: number | undefined, sha: string, name: string, run: CheckRun | null): void {
    const key = runKey(ref, sha, name);
    const held = this.#runs.get(key);
    if (!(run && held && held.id > run.id)) this.#runs.set(key, run);
    if (pull === undefined) return;
    const writers = this.#writers.get(key) ?? new Set<number>();
    writers.add(pull);
    this.#writers.set(key, writers);
    const written = this.#record(ref, pull, true)!.written;
    written.delete(key);
    written.add(key);
    while (written.size > HEADS_PER_PULL) written.delete(written.values().next().value!);
  }

  /**
   * Our check run on `sha` as a read found it, kept only when nothing is held for it: a read that set out before
   * a write (or while one was under way) must not put back what the write replaced.
   */
  learn(ref: RepoRef, sha: string, name: string, run: CheckRun): void {
    const key = runKey(ref, sha, name);
    if (this.#runs.get(key) === undefined) this.#runs.set(key, run);
  }

  /** Was our check run on `sha` written for another PR than `pull` too (a twin with the same head)? */
  sharedWith(ref: RepoRef, pull: number, sha: string, name: string): boolean {
    return [...(this.#writers.get(runKey(ref, sha, name)) ?? [])].some((n) => n !== pull);
  }

  /** The app's escalation comments on the PR as last read or written; undefined: not known. */
  comments(ref: RepoRef, pull: number): CommentFacts[] | undefined {
    return this.#record(ref, pull, false)?.comments;
  }

  /** Sets (or, with undefined, forgets) the app's escalation comments on the PR. */
  rememberComments(ref: RepoRef, pull: number, comments: CommentFacts[] | undefined): void {
    const record = this.#record(ref, pull, comments !== undefined);
    if (!record) return;
    if (comments === undefined) delete record.comments;
    else record.comments = comments;
  }
}

const runKey = (ref: RepoRef, sha: string, name: string) => `${`${ref.owner}/${ref.repo}`.toLowerCase()}@${sha.toLowerCase()}:${name}`;
