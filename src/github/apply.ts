/**
 * Every write to GitHub happens here. Each function makes GitHub match a plan,
 * idempotently: it reads what is there first and writes only the difference.
 */
import type { Annotation, CheckRunPlan } from "../output/check.js";
import type { LabelPlan, ReviewRequestPlan } from "../output/plan.js";
import type { GitHub, RepoRef } from "./facts.js";
import { LruCache } from "./cache.js";
import { findCheckRun, httpStatus, type CheckRun, type OwnRuns } from "./facts.js";

export type WriteResult = "created" | "updated" | "unchanged";

/** What `applyCheckRun` compares with: our check run as read, or as just written. */
export interface KnownCheck {
  id: number;
  status: string;
  conclusion: string | null;
  output: { title: string | null; summary: string | null; text?: string | null };
  /** When the run started (the app first saw its head), when known. */
  started_at?: string | null;
}

/** One check run per head commit and name, updated in place; nothing written when nothing changed. */
export async function applyCheckRun(
  gh: GitHub,
  ref: RepoRef,
  { annotationBatches = [], ...planned }: CheckRunPlan & { annotationBatches?: Annotation[][] },
  opts: {
    /** Our check run on the head as just read (null: none), to save reading it again. */
    known?: KnownCheck | null;
    appId?: number;
    /**
     * When a new check run starts: when the app first saw this head. Set once at creation and never
     * changed, since commands count only when given after it (`PullFacts.seen_at`).
     */
    startedAt?: Date;
    /** Write even when nothing changed: GitHub's "Re-run" reset the check suite and waits for a write. */
    force?: boolean;
    /** The app's memo of its own check runs, told what is written here (for the PR `pull`). */
    own?: Omit<OwnRuns, "absentIsNone">;
  } = {},
): Promise<{ result: WriteResult; run: KnownCheck }> {
  let plan = planned;
  const existing = opts.known !== undefined ? opts.known : await findCheckRun(gh, ref, plan.head_sha, plan.name, opts.appId, opts.own);
  // The ledger (`output.text`) a run already holds is kept when the plan brings none (the PR could not be evaluated).
  const text = plan.output.text ?? existing?.output.text ?? undefined;
  if (text) plan = { ...plan, output: { ...plan.output, text } };
  const run = (id: number, started_at: string | null | undefined): KnownCheck => ({
    id,
    status: plan.status ?? "completed",
    conclusion: plan.conclusion ?? null,
    output: { title: plan.output.title, summary: plan.output.summary, ...(text ? { text } : {}) },
    ...(started_at !== undefined ? { started_at } : {}),
  });
  if (
    !opts.force &&
    existing &&
    existing.status === "completed" &&
    existing.conclusion === plan.conclusion &&
    existing.output.title === plan.output.title &&
    existing.output.summary === plan.output.summary &&
    (existing.output.text ?? undefined) === text
  ) {
    return { result: "unchanged", run: existing };
  }
  const { id, result, startedAt } = await writingRun(opts.own, ref, plan.head_sha, plan.name, async () => {
    let done: { id: number; result: WriteResult; startedAt: string | null | undefined };
    if (existing) {
      const { head_sha: _sha, ...update } = plan;
      await gh.rest.checks.update({ ...ref, check_run_id: existing.id, ...update });
      done = { id: existing.id, result: "updated", startedAt: existing.started_at };
    } else {
      const { data } = await gh.rest.checks.create({ ...ref, ...plan, ...(opts.startedAt ? { started_at: opts.startedAt.toISOString() } : {}) });
      done = { id: data.id, result: "created", startedAt: opts.startedAt?.toISOString() ?? data.started_at ?? undefined };
    }
    // The Checks API takes 50 annotations per request; further batches are appended by updates.
    for (const annotations of annotationBatches) {
      await gh.rest.checks.update({ ...ref, check_run_id: done.id, output: { title: plan.output.title, summary: plan.output.summary, ...(text ? { text } : {}), annotations } });
    }
    return done;
  });
  const written = run(id, startedAt);
  // Remembered only with the time the app first saw the head (`PullFacts.seen_at`): without it, read back.
  if (startedAt) opts.own?.memo.remember(ref, opts.own.pull, plan.head_sha, plan.name, { ...written, name: plan.name, head_sha: plan.head_sha, ...(opts.appId ? { app: { id: opts.appId } } : {}) } as unknown as CheckRun);
  return { result, run: written };
}

/**
 * Runs a write of our check run on `sha` with the memo unsure of it until the write is through, and again when
 * it failed (another write may have been remembered meanwhile): a run whose write failed midway is read back.
 */
async function writingRun<T>(own: Omit<OwnRuns, "absentIsNone"> | undefined, ref: RepoRef, sha: string, name: string, write: () => Promise<T>): Promise<T> {
  own?.memo.remember(ref, own.pull, sha, name, null);
  try {
    return await write();
  } catch (err) {
    own?.memo.remember(ref, own.pull, sha, name, null);
    throw err;
  }
}

/** The lanes made per Octokit instance (one per webhook event). */
const lanes = new WeakMap<GitHub, Promise<GitHub>>();

/** A throttle "write" group that lets every write through at once (the verdict lane's). */
const unspaced = { key: () => ({ schedule: <T>(_opts: unknown, fn: (...args: unknown[]) => Promise<T>, ...args: unknown[]) => fn(...args) }) };

/**
 * The same installation's Octokit for the verdict (the check run write), without the write spacing:
 * Octokit's throttle spaces an installation's writes 1 s apart (comments and review requests 3 s),
 * one queue per process, so with several PRs at once the verdict would wait behind other PRs'
 * notifications. The lane keeps everything else (auth by the same installation token, retries,
 * rate-limit handling, request metrics) and authenticates through `gh`'s own auth hook.
 */
export function verdictLane(gh: GitHub): Promise<GitHub> {
  let lane = lanes.get(gh);
  if (!lane) {
    lane = makeLane(gh).catch(() => gh);
    lanes.set(gh, lane);
  }
  return lane;
}

async function makeLane(gh: GitHub): Promise<GitHub> {
  const defaults = gh.request.endpoint.DEFAULTS as { baseUrl: string; request?: Record<string, unknown> };
  const auth = gh.auth as unknown as { hook?: unknown };
  if (typeof auth.hook !== "function") return gh;
  // Octokit's own hook chain must not come along: the lane has its own (with the unspaced write group).
  const { hook: _hook, ...request } = defaults.request ?? {};
  // Authenticated by `gh`'s own auth hook: the same installation token, fetched (when it must be) exactly as for `gh`'s requests.
  const sameAuth = () => Object.assign(async () => gh.auth(), { hook: auth.hook });
  const Octokit = gh.constructor as new (options: Record<string, unknown>) => GitHub;
  return new Octokit({ authStrategy: sameAuth, auth: {}, baseUrl: defaults.baseUrl, request, log: gh.log, throttle: { id: "verdict-lane", write: unspaced } });
}

/** A new check run, in progress, that records `started_at` as when the app saw the head (the evaluation then completes it). */
export async function startCheckRun(
  gh: GitHub,
  ref: RepoRef,
  run: { name: string; head_sha: string; started_at: Date; details_url?: string; output?: { title: string; summary: string } },
  own?: Omit<OwnRuns, "absentIsNone">,
): Promise<CheckRun> {
  const sent = {
    output: { title: "Evaluating", summary: "The head returned to an earlier commit: evaluating it again." },
    ...run,
    started_at: run.started_at.toISOString(),
    status: "in_progress" as const,
  };
  const { data } = await writingRun(own, ref, run.head_sha, run.name, () => gh.rest.checks.create({ ...ref, ...sent }));
  // Remembered as sent (GitHub's answer may say less), with the id it gave.
  own?.memo.remember(ref, own.pull, run.head_sha, run.name, { ...data, ...sent, conclusion: null } as CheckRun);
  return data as CheckRun;
}

/** Default colours and descriptions for the labels the app creates. */
const LABEL_STYLE = { color: "6f42c1", description: "Managed by agent-governance" };

/** Labels known to exist, by `owner/repo:name`, so each is created at most once per process. */
const knownLabels = new LruCache<string, true>(5000);

export function clearLabelCache(): void {
  knownLabels.clear();
}

/** Adds and removes labels; a label missing from the repository is created first (once). */
export async function applyLabels(gh: GitHub, ref: RepoRef, issueNumber: number, plan: LabelPlan): Promise<void> {
  if (plan.add.length) {
    for (const name of plan.add) {
      const key = `${ref.owner}/${ref.repo}:${name}`.toLowerCase();
      if (knownLabels.get(key)) continue;
      try {
        await gh.rest.issues.createLabel({ ...ref, name, ...LABEL_STYLE });
      } catch (err) {
        if (httpStatus(err) !== 422) throw err; // 422: it exists already
      }
      knownLabels.set(key, true);
    }
    await gh.rest.issues.addLabels({ ...ref, issue_number: issueNumber, labels: plan.add });
  }
  for (const name of plan.remove) {
    try {
      await gh.rest.issues.removeLabel({ ...ref, issue_number: issueNumber, name });
    } catch (err) {
      if (httpStatus(err) !== 404) throw err; // 404: already gone
    }
  }
}

/**
 * Requests reviews. GitHub refuses some (a team without access to the repository,
 * a user who is not a collaborator: 422); the refusal comes back as a note for the
 * check summary instead of an error.
 */
export async function requestReviews(gh: GitHub, ref: RepoRef, pullNumber: number, plan: ReviewRequestPlan): Promise<string[]> {
  if (plan.reviewers.length === 0 && plan.team_reviewers.length === 0) return [];
  try {
    await gh.rest.pulls.requestReviewers({ ...ref, pull_number: pullNumber, reviewers: plan.reviewers, team_reviewers: plan.team_reviewers });
    return [];
  } catch (err) {
    if (httpStatus(err) !== 422 && httpStatus(err) !== 403 && httpStatus(err) !== 404) throw err;
    const who = [...plan.reviewers.map((u) => `@${u}`), ...plan.team_reviewers.map((t) => `team \`${t}\``)].join(", ");
    const why = (err as { response?: { data?: { message?: string } } }).response?.data?.message ?? (err as Error).message;
    return [`GitHub refused the review request for ${who}: ${why}. Check that they have access to this repository.`];
  }
}

/**
 * Creates or edits the escalation comment. Two replicas racing on a new PR may each create one: the
 * next evaluation finds both in the comment list it reads anyway, keeps the oldest and deletes the
 * others (`OutputPlan.duplicateComments`), so the PR converges on one without a read here.
 */
export async function applyEscalationComment(
  gh: GitHub,
  ref: RepoRef,
  issueNumber: number,
  plan: { action: "create"; body: string } | { action: "update"; id: number; body: string },
): Promise<{ result: WriteResult; id: number }> {
  if (plan.action === "update") {
    await editComment(gh, ref, plan.id, plan.body);
    return { result: "updated", id: plan.id };
  }
  return { result: "created", id: await postComment(gh, ref, issueNumber, plan.body) };
}

/** Deletes comments (a 404 means another replica already did). */
export async function deleteComments(gh: GitHub, ref: RepoRef, ids: readonly number[]): Promise<void> {
  await Promise.all(
    ids.map(async (comment_id) => {
      try {
        await gh.rest.issues.deleteComment({ ...ref, comment_id });
      } catch (err) {
        if (httpStatus(err) !== 404) throw err;
      }
    }),
  );
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
