/**
 * GitHub's merge queue: when the check is required, each merge group waits for
 * it on the group's commit. The queued PR is evaluated now (as on any event)
 * and its verdict is written on the group's commit.
 */
import { DEFAULT_CHECK_NAME } from "../config/schema.js";
import { applyCheckRun, startCheckRun, verdictLane } from "../github/apply.js";
import { loadPolicy, type RepoRef } from "../github/facts.js";
import { planMergeGroupCheck, type MergeGroupVerdict } from "../output/check.js";
import { queuedPullNumber, type MergeGroupTarget } from "./payload.js";
import { evaluatePull, ownRuns, reportOnly, type Deps } from "./pull.js";

export async function checkMergeGroup(deps: Deps, ref: RepoRef, group: MergeGroupTarget): Promise<void> {
  const { gh, log } = deps;
  const number = queuedPullNumber(group.ref);
  // The app's memo of its own check runs is told of the group's: a PR may have the group's commit as its head.
  const own = ownRuns(deps);
  let verdict: MergeGroupVerdict;
  let name: string | undefined;
  let unread = false; // GitHub could not be read for the PR: worth another try
  if (number === null) {
    verdict = { kind: "unknown_pull", ref: group.ref };
  } else {
    const result = await evaluatePull(deps, { ...ref, number });
    if (result) {
      name = result.policy.escalation.check_name;
      const detailsUrl = result.facts?.pull.html_url;
      const commands = result.applying?.commands;
      verdict = { kind: "evaluated", number, evaluation: result.evaluation, ...(commands ? { commands } : {}), ...(detailsUrl ? { detailsUrl } : {}) };
      unread = result.failed === true;
    } else {
      // Null: the PR is closed, or the evaluation failed (logged, and retried for the PR's own check).
      verdict = await gh.rest.pulls.get({ ...ref, pull_number: number }).then(
        ({ data }) => (data.state === "open" ? { kind: "error", number, message: "see the PR's own check" } : { kind: "closed", number }),
        (err: { status?: number }) => ({ kind: "error", number, message: `GitHub could not be read${err.status ? ` (${err.status})` : ""}` }),
      );
    }
  }
  // Without an evaluation, the policy (cached, read from the default branch) gives the name branch protection
  // requires, and whether it only reports; a policy that cannot be read counts as enforcing.
  let report = false;
  if (verdict.kind !== "evaluated") {
    const policy = await loadPolicy(gh, ref).then(
      (loaded) => (loaded.kind === "ok" ? loaded.policy : null),
      () => null,
    );
    name ??= policy?.escalation.check_name ?? DEFAULT_CHECK_NAME;
    report = policy !== null && reportOnly(policy);
  }
  const key = `${ref.owner}/${ref.repo}@${group.sha}`;
  // The queue waits for the check: a retry runs the whole check again, with a fresh evaluation.
  const retryLater = () => deps.retries?.schedule(key, () => checkMergeGroup(deps, ref, group)) ?? null;
  // GitHub could not be read: the queue waits for the check (up to its timeout), so the app waits with it, says so
  // with an in-progress check, and tries again; the group fails only when the retries run out.
  if (number !== null && (unread || verdict.kind === "error")) {
    const first = (deps.retries?.pending(key) ?? 0) === 0;
    const delay = retryLater();
    if (delay) {
      if (first) {
        const output = { title: `Evaluating #${number}`, summary: `GitHub could not be read for pull request #${number}; the app tries again (next in ${delay / 1000} s) while the merge queue waits.` };
        await startCheckRun(gh, ref, { name: name ?? DEFAULT_CHECK_NAME, head_sha: group.sha, started_at: deps.now(), output }, own).catch(() => undefined);
      }
      log.warn({ repo: `${ref.owner}/${ref.repo}`, pr: number, merge_group: group.sha, decision: "retry_scheduled", delay_ms: delay }, "merge group check waits for a retry");
      return;
    }
  }
  const plan = planMergeGroupCheck(group.sha, verdict, name ?? DEFAULT_CHECK_NAME, { report });
  let write;
  try {
    write = (await applyCheckRun(await verdictLane(gh), ref, plan, { appId: deps.appId, startedAt: deps.now(), ...(own ? { own } : {}) })).result;
  } catch (err) {
    const delay = retryLater();
    log.error(
      { repo: `${ref.owner}/${ref.repo}`, pr: number, merge_group: group.sha, decision: "error", err: { message: (err as Error).message, status: (err as { status?: number }).status }, delay_ms: delay ?? null },
      "merge group check could not be written",
    );
    return;
  }
  deps.retries?.succeeded(key);
  log.info(
    { repo: `${ref.owner}/${ref.repo}`, pr: number, merge_group: group.sha, decision: "merge_group", conclusion: plan.conclusion, writes: { check: write } },
    "merge group checked",
  );
}
