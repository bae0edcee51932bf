/**
 * Webhook payloads for the benchmark: real ones from @octokit/webhooks-examples
 * (Codertocat/Hello-World#2), rewritten to another repository, PR number and head,
 * and authored by Copilot coding agent. Also the PR's REST data the fake GitHub
 * serves (files with patches, commits).
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const examples = require("@octokit/webhooks-examples");

export const COPILOT = { login: "Copilot", id: 198982749, type: "Bot" };
export const INVOKER = { login: "octo-dev", id: 5001, type: "User" };
export const REVIEWER = { login: "octo-lead", id: 5002, type: "User" };
export const INSTALLATION_ID = 2;

function example(event, action) {
  const found = examples.find((e) => e.name === event)?.examples.find((x) => x.action === action);
  if (!found) throw new Error(`no webhook example for ${event}.${action}`);
  return structuredClone(found);
}

const clone = structuredClone;

/**
 * Repository, installation and PR fields rewritten for `owner/repo`. `pushedAt` is the repository's
 * last push (ISO): the examples' (2019) would tell the app nothing was pushed since, and it would
 * trust a policy read long ago; the benchmark passes the fake GitHub's `pushedAt(owner, repo)`.
 */
function retarget(payload, { owner, repo, installation = INSTALLATION_ID, pushedAt }) {
  payload.installation = { id: installation, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMg==" };
  const r = payload.repository;
  if (pushedAt !== undefined) r.pushed_at = pushedAt;
  r.name = repo;
  r.full_name = `${owner}/${repo}`;
  r.owner = { ...r.owner, login: owner };
  const pr = payload.pull_request;
  if (pr) {
    pr.base.repo = { ...pr.base.repo, name: repo, full_name: `${owner}/${repo}`, owner: { ...pr.base.repo.owner, login: owner } };
    pr.head.repo = { ...pr.head.repo, name: repo, full_name: `${owner}/${repo}`, owner: { ...pr.head.repo.owner, login: owner } };
  }
  return payload;
}

const OPENED = example("pull_request", "opened");
const SYNCHRONIZE = example("pull_request", "synchronize");
const REVIEW = example("pull_request_review", "submitted");
const COMMENT = example("issue_comment", "created");
const MERGE_GROUP = example("merge_group", "checks_requested");
const CLOSED = example("pull_request", "closed");
const CHECK_RUN_COMPLETED = example("check_run", "completed");
const LABELED = example("pull_request", "labeled");

/** The REST pull request object the fake GitHub serves: the example's, by Copilot, with Copilot's branch. */
export function pullObject({ owner, repo, number, sha, labels = [] }) {
  const pr = retarget(clone({ repository: OPENED.repository, pull_request: OPENED.pull_request }), { owner, repo }).pull_request;
  return {
    ...pr,
    number,
    user: { ...pr.user, ...COPILOT },
    title: "Add rate limiting to the API client",
    body: `Fixes #${number + 1}\n\nAdds a token bucket to the client.\n\n<!-- Copilot coding agent: started by @${INVOKER.login} -->`,
    head: { ...pr.head, ref: `copilot/fix-${number}`, sha },
    labels,
    requested_reviewers: [],
    requested_teams: [],
    html_url: `https://github.com/${owner}/${repo}/pull/${number}`,
    created_at: "2026-11-20T10:00:00Z",
  };
}

/**
 * A `pull_request` event (opened, synchronize, closed, …) for the PR: `pull` is the PR as GitHub
 * has it (the fake's, with its labels and state), else a new one at `sha`. `before`: the head a push replaced.
 */
export function pullEvent({ owner, repo, number, sha, action = "opened", installation, pushedAt, pull, before }) {
  const source = action === "synchronize" ? SYNCHRONIZE : action === "closed" ? CLOSED : OPENED;
  const payload = retarget(clone(source), { owner, repo, installation, pushedAt });
  payload.action = action;
  payload.number = number;
  payload.pull_request = pull ? clone(pull) : pullObject({ owner, repo, number, sha });
  if (action === "synchronize") {
    payload.before = before ?? "0".repeat(40);
    payload.after = payload.pull_request.head.sha;
  }
  return payload;
}

/** A `pull_request.labeled` event: `label` added to the PR by `sender` (the app's own write coming back: its bot). */
export function labeledEvent({ owner, repo, pull, label, sender = { login: "agent-governance[bot]", id: 1, type: "Bot" }, installation, pushedAt }) {
  const payload = retarget(clone(LABELED), { owner, repo, installation, pushedAt });
  payload.number = pull.number;
  payload.pull_request = clone(pull);
  payload.label = { ...payload.label, name: label };
  payload.sender = { ...payload.sender, ...sender };
  return payload;
}

/** A `check_run.completed` event: another app's check `name` finished on `sha`, the head of PR `number`. */
export function checkRunEvent({ owner, repo, number, sha, name = "ci", conclusion = "success", app = { id: 999, slug: "ci" }, installation, pushedAt }) {
  const payload = retarget(clone(CHECK_RUN_COMPLETED), { owner, repo, installation, pushedAt });
  const repoId = payload.repository.id;
  payload.check_run = {
    ...payload.check_run,
    name,
    head_sha: sha,
    status: "completed",
    conclusion,
    app: { ...payload.check_run.app, ...app },
    pull_requests: [{ number, head: { sha }, base: { ref: "main", repo: { id: repoId } } }],
  };
  return payload;
}

/** A `pull_request_review.submitted` event by `reviewer` on the PR's head (`pull`: the PR as GitHub has it). */
export function reviewEvent({ owner, repo, number, sha, reviewer = REVIEWER, state = "approved", id = 80, installation, pushedAt, pull, submittedAt = "2026-11-20T11:00:00Z" }) {
  const payload = retarget(clone(REVIEW), { owner, repo, installation, pushedAt });
  payload.pull_request = pull ? clone(pull) : pullObject({ owner, repo, number, sha });
  payload.review = { ...payload.review, id, user: { ...payload.review.user, ...reviewer }, state, commit_id: sha, submitted_at: submittedAt };
  return payload;
}

/** An `issue_comment.created` event on the PR (the example is on an issue; `issue.pull_request` makes it a PR comment). */
export function commentEvent({ owner, repo, number, body, user = REVIEWER, id, installation, pushedAt, createdAt = "2026-11-20T11:30:00Z" }) {
  const payload = retarget(clone(COMMENT), { owner, repo, installation, pushedAt });
  payload.issue = { ...payload.issue, number, state: "open", pull_request: { url: `https://api.github.com/repos/${owner}/${repo}/pulls/${number}` } };
  payload.comment = { ...payload.comment, id, body, user: { ...payload.comment.user, ...user }, created_at: createdAt, updated_at: createdAt };
  return payload;
}

/** A `merge_group.checks_requested` event: the merge queue made a group for the PR, on commit `sha`. */
export function mergeGroupEvent({ owner, repo, number, sha, installation, pushedAt }) {
  const payload = retarget(clone(MERGE_GROUP), { owner, repo, installation, pushedAt });
  payload.merge_group = { ...payload.merge_group, head_sha: sha, head_ref: `refs/heads/gh-readonly-queue/main/pr-${number}-${"b".repeat(40)}` };
  return payload;
}

/** A review as `GET /pulls/N/reviews` lists it. */
export function listedReview({ id = 80, reviewer = REVIEWER, sha, state = "APPROVED", submittedAt = "2026-11-20T11:00:00Z" }) {
  return { id, user: reviewer, state, commit_id: sha, submitted_at: submittedAt };
}

/** The base branch's commit agent PRs start from (the parent of their first commit). */
export const BASE_SHA = "1".repeat(40);

/** A commit written by Copilot for the invoker, as `GET /pulls/N/commits` lists it (its parent: the base, unless given). */
export function agentCommit(sha, message = "Add a token bucket to the API client", parent = BASE_SHA) {
  return {
    sha,
    commit: {
      message: `${message}\n\nCo-authored-by: ${INVOKER.login} <${INVOKER.id}+${INVOKER.login}@users.noreply.github.com>`,
      author: { name: "Copilot", email: "198982749+Copilot@users.noreply.github.com", date: "2026-11-20T10:00:00Z" },
      committer: { name: "GitHub", email: "noreply@github.com", date: "2026-11-20T10:00:00Z" },
      verification: { verified: true, reason: "valid" },
    },
    author: COPILOT,
    committer: { login: "web-flow", id: 19864447, type: "User" },
    parents: [{ sha: parent }],
  };
}

/** A unified-diff patch adding `lines` lines. */
export function patch(lines, text = (i) => `  const value${i} = compute(${i});`) {
  const body = Array.from({ length: lines }, (_, i) => `+${text(i)}`).join("\n");
  return `@@ -1,2 +1,${lines + 2} @@\n context line\n${body}\n context line`;
}

/** The changed files of an ordinary agent PR: code, its test, docs. */
export function smallPrFiles() {
  return [
    { filename: "src/client/rate-limit.ts", status: "added", additions: 40, deletions: 0, changes: 40, patch: patch(40) },
    { filename: "tests/client/rate-limit.test.ts", status: "added", additions: 25, deletions: 0, changes: 25, patch: patch(25) },
    { filename: "README.md", status: "modified", additions: 3, deletions: 1, changes: 4, patch: "@@ -10,3 +10,5 @@\n text\n-old\n+new\n+more\n+lines" },
  ];
}
