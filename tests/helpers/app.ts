/**
 * The app-test harness: a real Probot instance with the app loaded, real webhook
 * payloads from @octokit/webhooks-examples (rewritten where a test needs it),
 * nock with the network disabled, and a captured log.
 */
import { readFileSync } from "node:fs";
import { Writable } from "node:stream";
import examples from "@octokit/webhooks-examples";
import nock from "nock";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { createApp } from "../../src/index.js";
import { clearCaches } from "../../src/github/facts.js";
import { clearLabelCache } from "../../src/github/apply.js";
import { clearPreviewCache } from "../../src/github/preview.js";

export const API = "https://api.github.com";
export const OWNER = "Codertocat";
export const REPO = "Hello-World";
export const REPO_PATH = `/repos/${OWNER}/${REPO}`;
export const INSTALLATION_ID = 2;
export const NOW = "2026-11-20T12:00:00.000Z";
export const PRIVATE_KEY = readFileSync(new URL("../fixtures/private-key.pem", import.meta.url), "utf8");

/** Copilot coding agent's REST account. */
export const COPILOT = { login: "Copilot", id: 198982749, type: "Bot" };
/** The human who owns the example repository. */
export const HUMAN = { login: "Codertocat", id: 21031067, type: "User" };
/** Devin's GitHub App account. */
export const DEVIN = { login: "devin-ai-integration[bot]", id: 158243242, type: "Bot" };

export interface TestApp {
  probot: Probot;
  /** Every log line the app wrote, as parsed JSON objects. */
  logs: Record<string, unknown>[];
  /** The raw log text, for "never logged" assertions. */
  logText: () => string;
}

/** Timers captured instead of run: a test fires them when it wants. */
export class FakeScheduler {
  /** `fn` returns the retry's promise: await it instead of sleeping. */
  readonly timers: { fn: () => unknown; ms: number }[] = [];
  setTimeout(fn: () => unknown, ms: number) {
    this.timers.push({ fn, ms });
    return {};
  }
}

/** `Octokit`: the class Probot makes its clients from (default: ProbotOctokit without retries or throttling). */
/** `memo: false`: the app reads its own check runs and comments back on every event, as with `REDIS_URL` (several replicas). */
export function setupApp(opts: { now?: string; scheduler?: FakeScheduler; Octokit?: typeof ProbotOctokit; memo?: boolean } = {}): TestApp {
  nock.disableNetConnect();
  clearCaches();
  clearLabelCache();
  clearPreviewCache();
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const log = pino({ level: "debug" }, stream);
  const probot = new Probot({
    appId: 123,
    privateKey: PRIVATE_KEY,
    secret: "test-secret",
    log,
    // A function default runs last, after Probot's own throttle options: no retries, no throttling in tests.
    Octokit:
      opts.Octokit ??
      ProbotOctokit.defaults((options: Record<string, unknown>) => ({
        ...options,
        retry: { enabled: false },
        throttle: { enabled: false },
      })),
  });
  const now = new Date(opts.now ?? NOW);
  probot.load(createApp({ now: () => now, scheduler: opts.scheduler ?? new FakeScheduler(), ...(opts.memo !== undefined ? { memo: opts.memo } : {}) }));
  return {
    probot,
    get logs() {
      return lines.flatMap((l) => l.split("\n").filter(Boolean)).map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    logText: () => lines.join(""),
  };
}

export function teardown(): void {
  if (process.env.DEBUG_NOCK && !nock.isDone()) console.log("pending mocks:", nock.pendingMocks());
  nock.cleanAll();
  nock.enableNetConnect();
}

type Json = Record<string, unknown>;
const clone = <T>(v: T): T => structuredClone(v);

function example(event: string, action: string, pick = 0): Json {
  const group = (examples as unknown as { name: string; examples: Json[] }[]).find((e) => e.name === event);
  const found = group?.examples.filter((x) => x.action === action) ?? [];
  const ex = found[pick] ?? found[0];
  if (!ex) throw new Error(`no webhook example for ${event}.${action}`);
  return clone(ex);
}

export interface PullEventOptions {
  action?: string;
  author?: { login: string; id: number; type: string };
  headSha?: string;
  headRef?: string;
  body?: string;
  title?: string;
}

export const HEAD_SHA = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
/** The head the `synchronize` example's push replaced (`before`). */
export const BEFORE_SHA = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e";

/** A real `pull_request` payload (Codertocat/Hello-World#2), by default opened by Copilot. */
export function pullRequestPayload(o: PullEventOptions = {}): Json {
  const payload = example("pull_request", o.action ?? "opened");
  payload.installation = { id: INSTALLATION_ID, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMg==" };
  const pr = payload.pull_request as Json;
  pr.user = { ...(pr.user as Json), ...(o.author ?? COPILOT) };
  if (o.headSha) (pr.head as Json).sha = o.headSha;
  if (o.headRef) (pr.head as Json).ref = o.headRef;
  if (o.body !== undefined) pr.body = o.body;
  if (o.title !== undefined) pr.title = o.title;
  return payload;
}

/** A real `pull_request_review` payload on the same PR, rewritten to `reviewer` and `state`. */
export function reviewPayload(o: {
  action?: string;
  reviewer: { login: string; id: number; type: string };
  state?: string;
  commitId?: string;
  author?: { login: string; id: number; type: string };
}): Json {
  const payload = example("pull_request_review", o.action ?? "submitted");
  payload.installation = { id: INSTALLATION_ID };
  const review = payload.review as Json;
  review.user = { ...(review.user as Json), ...o.reviewer };
  review.state = o.state ?? "approved";
  review.commit_id = o.commitId ?? HEAD_SHA;
  const pr = payload.pull_request as Json;
  pr.user = { ...(pr.user as Json), ...(o.author ?? COPILOT) };
  (pr.head as Json).sha = HEAD_SHA;
  return payload;
}

/** The `pull_request` object of the PR as `GET /pulls/2` would return it. */
export function pullObject(o: PullEventOptions = {}): Json {
  return pullRequestPayload(o).pull_request as Json;
}

export async function receive(app: TestApp, name: string, payload: Json): Promise<void> {
  await app.probot.receive({ id: `test-${Math.random()}`, name, payload } as never);
}

// ---------------------------------------------------------------------------
// GitHub API mocks

export function mockToken(): nock.Scope {
  return nock(API)
    .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
    .reply(200, { token: "ghs_test_installation_token", permissions: {} });
}

const POLICY_URL = `${REPO_PATH}/contents/.github%2Fagent-governance.yml`;

/** The policy file on the default branch (no `ref`), or a 404 in the repository and the org's `.github`. */
export function mockPolicy(yaml: string | null, etag = '"policy-v1"'): nock.Scope {
  const scope = nock(API);
  if (yaml === null) {
    scope.get(POLICY_URL).reply(404, { message: "Not Found" });
    // The org fallback's 404 is trusted for a minute (MISSING_ELSEWHERE_MS): a later event in the same test may not ask.
    scope.get(`/repos/${OWNER}/.github/contents/.github%2Fagent-governance.yml`).optionally().reply(404, { message: "Not Found" });
  } else {
    scope
      .get(POLICY_URL)
      .reply(
        200,
        { type: "file", encoding: "base64", path: ".github/agent-governance.yml", content: Buffer.from(yaml).toString("base64") },
        { etag },
      );
  }
  return scope;
}

export interface PrMocks {
  /**
   * A first `opened` delivery: no check run of ours on the head yet, so the app
   * uses the payload's PR and reads neither it, nor reviews, nor comments.
   */
  opened?: boolean;
  pull?: Json;
  files?: Json[];
  commits?: Json[];
  reviews?: Json[];
  comments?: Json[];
  permissions?: Record<string, string>;
  teams?: Record<string, string[]>;
  /** The PR's timeline events (`head_ref_force_pushed` matters); read only when a command would count for the head. */
  timeline?: Json[];
  /** The PRs GitHub lists for the head commit (other open PRs with this head share its check run); read for a governed PR. */
  headPulls?: Json[];
}

export function mockPr(m: PrMocks = {}): nock.Scope {
  const scope = nock(API);
  const pr = `${REPO_PATH}/pulls/2`;
  if (!m.opened) {
    scope.get(pr).reply(200, m.pull ?? pullObject());
    scope.get(`${pr}/reviews`).query(true).reply(200, m.reviews ?? []);
    scope.get(`${REPO_PATH}/issues/2/comments`).query(true).reply(200, m.comments ?? []);
  }
  // A head's files and commits are read once per process (a later event on the same head reuses them): optional.
  scope.get(`${pr}/files`).query(true).optionally().reply(200, m.files ?? [{ filename: "README.md", status: "modified", additions: 1, deletions: 0, changes: 1 }]);
  // Read only when a command would count for the head (force-pushes since the app saw it): no force-push by default.
  scope.get(`${REPO_PATH}/issues/2/timeline`).query(true).optionally().reply(200, m.timeline ?? []);
  scope.get(`${pr}/commits`).query(true).optionally().reply(200, m.commits ?? [commit()]);
  // Read for a governed PR: by default GitHub lists only this PR for its head.
  scope
    .get((path) => new RegExp(`^${REPO_PATH}/commits/[0-9a-f]{40}/pulls`).test(path))
    .optionally()
    .reply(200, m.headPulls ?? [{ number: 2, state: "open", head: { sha: HEAD_SHA } }]);
  for (const [login, permission] of Object.entries(m.permissions ?? {})) {
    scope
      .get(`${REPO_PATH}/collaborators/${encodeURIComponent(login)}/permission`)
      .reply(200, { permission: permission === "maintain" ? "write" : permission === "triage" ? "read" : permission, role_name: permission, user: { login } });
  }
  for (const [team, members] of Object.entries(m.teams ?? {})) {
    const [org, slug] = team.split("/");
    scope.get(`/orgs/${org}/teams/${slug}/members`).query(true).reply(200, members.map((login) => ({ login })));
  }
  return scope;
}

/** A commit as `GET /pulls/2/commits` returns it; by default written by a human, Codertocat. */
export function commit(o: { sha?: string; message?: string; by?: { login: string; id: number; type: string; email?: string } } = {}): Json {
  const by: { login: string; id: number; type: string; email?: string } = o.by ?? HUMAN;
  return {
    sha: o.sha ?? HEAD_SHA,
    commit: {
      message: o.message ?? "Update README",
      author: { name: by.login, email: by.email ?? `${by.id}+${by.login}@users.noreply.github.com`, date: "2026-11-20T10:00:00Z" },
      committer: { name: "GitHub", email: "noreply@github.com", date: "2026-11-20T10:00:00Z" },
      verification: { verified: true, reason: "valid" },
    },
    author: { login: by.login, id: by.id, type: by.type },
    committer: { login: "web-flow", id: 19864447, type: "User" },
  };
}

export function review(o: { id?: number; login: string; state?: string; commitId?: string; at?: string; type?: string }): Json {
  return {
    id: o.id ?? 80,
    user: { login: o.login, id: 1000 + (o.id ?? 80), type: o.type ?? "User" },
    state: o.state ?? "APPROVED",
    commit_id: o.commitId ?? HEAD_SHA,
    submitted_at: o.at ?? "2026-11-20T11:00:00Z",
  };
}

/**
 * Our check run on the head commit: none yet (`existing` undefined), or one to update.
 * Captures the body of the create (POST) or update (PATCH) request.
 */
export function mockCheckRun(existing?: Json): { scope: nock.Scope; body: () => Json | undefined } {
  let captured: Json | undefined;
  const scope = nock(API)
    .get(`${REPO_PATH}/commits/${HEAD_SHA}/check-runs`)
    .query(true)
    .reply(200, { total_count: existing ? 1 : 0, check_runs: existing ? [existing] : [] });
  if (existing) {
    scope.patch(`${REPO_PATH}/check-runs/${existing.id as number}`, (b: Json) => ((captured = b), true)).reply(200, { id: existing.id });
  } else {
    scope.post(`${REPO_PATH}/check-runs`, (b: Json) => ((captured = b), true)).reply(201, { id: 555 });
    // A push to a head without our check run reads the replaced head's (the synchronize example's `before`) for the ledger.
    scope.get(`${REPO_PATH}/commits/${BEFORE_SHA}/check-runs`).query(true).optionally().reply(200, { total_count: 0, check_runs: [] });
  }
  return { scope, body: () => captured };
}

/** The policy-change preview's check run, beside ours. */
export const PREVIEW_NAME = "Agent Governance / policy";
/** The first paragraph of every preview's summary. */
export const PREVIEW_INTRO =
  "This pull request changes the policy (`.github/agent-governance.yml`). It stays governed by the policy on the default branch, as every pull request does until the change is merged; this check shows what the proposed policy would do.";

/** The policy file as the PR's head has it (`ref` = the head commit): what the preview reads. */
export function mockPolicyAtHead(yaml: string): nock.Scope {
  return nock(API)
    .get(POLICY_URL)
    .query({ ref: HEAD_SHA })
    .reply(200, { type: "file", encoding: "base64", path: ".github/agent-governance.yml", content: Buffer.from(yaml).toString("base64") });
}

/** The preview's check run: none on the head yet; captures the body of the one created. */
export function mockPreviewCheck(): { scope: nock.Scope; body: () => Json | undefined } {
  let captured: Json | undefined;
  const scope = nock(API)
    .get(`${REPO_PATH}/commits/${HEAD_SHA}/check-runs`)
    .query((q) => q.check_name === PREVIEW_NAME)
    .reply(200, { total_count: 0, check_runs: [] })
    .post(`${REPO_PATH}/check-runs`, (b: Json) => b.name === PREVIEW_NAME && ((captured = b), true))
    .reply(201, { id: 556 });
  return { scope, body: () => captured };
}

/**
 * The reads and write of the policy-change preview, for a PR that changes the policy file and is the only open PR:
 * the file at the PR's head (`yaml`), the open PRs (this one only, so none is compared), and the second check run,
 * "Agent Governance / policy" (none on the head yet), whose body it captures.
 */
export function mockPolicyPreview(yaml: string): { scope: nock.Scope; body: () => Json | undefined } {
  mockPolicyAtHead(yaml);
  nock(API).get(`${REPO_PATH}/pulls`).query({ state: "open", sort: "updated", direction: "desc", per_page: "31" }).reply(200, [pullObject()]);
  return mockPreviewCheck();
}

/** Only the update of our check run `id` (the app knows it: it wrote it in this test, and does not read it back): captures its body. */
export function mockCheckRunUpdate(id: number): { scope: nock.Scope; body: () => Json | undefined } {
  let captured: Json | undefined;
  const scope = nock(API).patch(`${REPO_PATH}/check-runs/${id}`, (b: Json) => ((captured = b), true)).reply(200, { id });
  return { scope, body: () => captured };
}

/** Only the write of a new check run (our check run was found missing in a listing mocked elsewhere): captures its body. */
export function mockCheckRunCreate(id = 555): { scope: nock.Scope; body: () => Json | undefined } {
  let captured: Json | undefined;
  const scope = nock(API).post(`${REPO_PATH}/check-runs`, (b: Json) => ((captured = b), true)).reply(201, { id });
  return { scope, body: () => captured };
}

/** What GitHub puts on a comment this app (id 123) wrote: the app's own comments are told apart by it. */
export const VIA_APP = { id: 123, slug: "agent-governance" };

/** Only the read of our check run on the head (for an event that writes no check run): none, or `existing`. */
export function mockCheckRunRead(existing?: Json): nock.Scope {
  return nock(API)
    .get(`${REPO_PATH}/commits/${HEAD_SHA}/check-runs`)
    .query(true)
    .reply(200, { total_count: existing ? 1 : 0, check_runs: existing ? [existing] : [] });
}

/** Our check run on the head as an earlier evaluation left it: the app first saw the head at 10:00 (`started_at`). */
export const SEEN_CHECK: Json = {
  id: 777,
  name: "Agent Governance",
  head_sha: HEAD_SHA,
  status: "completed",
  conclusion: "action_required",
  started_at: "2026-11-20T10:00:00Z",
  output: { title: "Waiting for 1 human approval", summary: "" },
  app: { id: 123, slug: "agent-governance" },
};

/** Label writes: each added label is created first (422 when it exists), then added; removals are DELETEs. */
export function mockLabels(o: { add?: string[]; remove?: string[]; exists?: boolean } = {}): { scope: nock.Scope; bodies: Json[] } {
  const bodies: Json[] = [];
  const scope = nock(API);
  for (const name of o.add ?? []) {
    scope
      .post(`${REPO_PATH}/labels`, (b: Json) => b.name === name && (bodies.push(b), true))
      .reply(o.exists ? 422 : 201, o.exists ? { message: "Validation Failed", errors: [{ code: "already_exists" }] } : { name });
  }
  if (o.add?.length) scope.post(`${REPO_PATH}/issues/2/labels`, (b: Json) => (bodies.push(b), true)).reply(200, []);
  for (const name of o.remove ?? []) scope.delete(`${REPO_PATH}/issues/2/labels/${encodeURIComponent(name)}`).reply(200, []);
  return { scope, bodies };
}

/** The escalation comment: created (no read after: duplicates converge on a later event), or edited in place. */
export function mockEscalation(o: { update?: number } = {}): { scope: nock.Scope; body: () => string | undefined } {
  let captured: string | undefined;
  const scope = nock(API);
  if (o.update) {
    scope.patch(`${REPO_PATH}/issues/comments/${o.update}`, (b: Json) => ((captured = b.body as string), true)).reply(200, { id: o.update });
  } else {
    scope.post(`${REPO_PATH}/issues/2/comments`, (b: Json) => ((captured = b.body as string), true)).reply(201, { id: 9001 });
  }
  return { scope, body: () => captured };
}

/** A review request; `refuse` answers 422 as GitHub does for a team without access. */
export function mockReviewRequest(refuse = false): { scope: nock.Scope; body: () => Json | undefined } {
  let captured: Json | undefined;
  const scope = nock(API)
    .post(`${REPO_PATH}/pulls/2/requested_reviewers`, (b: Json) => ((captured = b), true))
    .reply(refuse ? 422 : 201, refuse ? { message: "Reviews may only be requested from collaborators. One or more of the teams you specified is not a collaborator of the Codertocat/Hello-World repository." } : {});
  return { scope, body: () => captured };
}

/** The conditional re-read of a cached policy file: 304 Not Modified when the ETag matches. */
export function mockPolicyNotModified(etag = '"policy-v1"'): nock.Scope {
  return nock(API, { reqheaders: { "if-none-match": etag } }).get(POLICY_URL).reply(304);
}

/** The "How to act" block that closes the escalation comment, before its state line. */
export const HOW_TO_ACT = [
  "<details><summary>How to act</summary>",
  "",
  "Approve with a GitHub review of the latest commit, or comment one of:",
  "",
  "- `/governance approve`: counts as your approval of the current head commit",
  "- `/governance override [7d] <reason>`: lets the current head commit pass despite failing rules; recorded with who, when, commit and reason; a duration first (`4h`, `7d`) makes it expire (admin permission)",
  "- `/governance recheck`: re-evaluates the PR now",
  "- `/governance explain`: replies with the full evaluation",
  "- `/governance escalate`: notifies the next escalation tier now",
  "- `/governance help`: shows this list",
  "",
  "</details>",
  "",
].join("\n");

/** What every check run for the example PR carries, as the app sends it. */
export const PR_URL = "https://github.com/Codertocat/Hello-World/pull/2";
export const RECHECK = [{ label: "Re-check", description: "Evaluate this PR again now", identifier: "recheck" }];
export const COMMANDS_LINE =
  "Reviewers: approve with a review or `/governance approve`; `/governance override [7d] <reason>` (admin permission), `/governance recheck`, `/governance explain`, `/governance help`.";
export const COPILOT_HEADER =
  "**Agent:** Copilot coding agent (high confidence)\n\n<details><summary>Evidence</summary>\n\n- verified: author `Copilot (id 198982749, Bot)` (pull.user)\n\n</details>";

/** The fix a waiting approval row ends with. */
export const REVIEW_FIX = "_Fix:_ An eligible reviewer approves the latest commit (a review, or `/governance approve`).";
/** The reviewers row once @alice's review (11:00, on the head) counts, and its line under **Counted:**. */
export const ALICE_APPROVED_ROW = "| ✅ | `reviewers` | Human review: approved by @alice. |";
export const ALICE_COUNTED = "- @alice approved `ec26c3e` by review at 2026-11-20T11:00:00Z (reviewers)";

/** The summary of the PR once @alice's review (11:00, on the head) satisfies the default policy. */
export const ALICE_APPROVED_SUMMARY = [
  COPILOT_HEADER,
  "",
  "| | Rule | Result |",
  "| --- | --- | --- |",
  ALICE_APPROVED_ROW,
  "",
  "**Counted:**",
  ALICE_COUNTED,
  "",
  COMMANDS_LINE,
].join("\n");

/** The reviewers row of a PR still waiting for the default policy's one approval. */
export const WAITING_ROW = `| ⏳ | \`reviewers\` | Human review: 0/1 approvals; needs 1 more approval from anyone with write permission or above.<br>${REVIEW_FIX} |`;
/** The line under **Still required:** while the reviewers rule needs one more approval from a writer. */
export const ONE_MORE_APPROVAL = "- reviewers: 1 more approval from anyone with write permission or above";

/** The summary of a Copilot PR waiting for the default policy's one approval, nothing else asked. */
export const WAITING_SUMMARY = [
  COPILOT_HEADER,
  "",
  "| | Rule | Result |",
  "| --- | --- | --- |",
  WAITING_ROW,
  "",
  "**Still required:**",
  ONE_MORE_APPROVAL,
  "",
  COMMANDS_LINE,
].join("\n");

/** WAITING_SUMMARY with a **Not counted:** section of these lines before the commands line (issue 18, point 2). */
export function notCountedSummary(...lines: string[]): string {
  return WAITING_SUMMARY.replace(`\n\n${COMMANDS_LINE}`, ["", "", "**Not counted:**", ...lines, "", COMMANDS_LINE].join("\n"));
}

/** Our check run as the app creates it on the example PR's head at NOW, completed with `conclusion` and `output`. */
export function checkRunBody(conclusion: string, output: Json): Json {
  return { name: "Agent Governance", head_sha: HEAD_SHA, started_at: NOW, status: "completed", conclusion, details_url: PR_URL, actions: RECHECK, output };
}

/** Our check run as the app sends it to update one already on the head (no `head_sha`, no `started_at`): `conclusion` and `output`. */
export function checkRunUpdateBody(conclusion: string, output: Json): Json {
  return { name: "Agent Governance", status: "completed", conclusion, details_url: PR_URL, actions: RECHECK, output };
}

/** The preview's check run as the app creates it on the example PR's head, completed with `conclusion` and `output`. */
export function previewCheckBody(conclusion: string, output: Json): Json {
  return { name: PREVIEW_NAME, head_sha: HEAD_SHA, status: "completed", conclusion, details_url: PR_URL, actions: [], output };
}

/** The preview of a valid proposed file on the only open PR (as mockPolicyPreview sets it up): nothing to compare. */
export const PREVIEW_VALID_ALONE: Json = previewCheckBody("success", {
  title: "Proposed policy: no open PR would change",
  summary: [
    PREVIEW_INTRO,
    "",
    "**Proposed policy** (Codertocat/Hello-World:.github/agent-governance.yml): valid.",
    "",
    "**Open pull requests** (the 30 most recently updated, this one aside), under the proposed policy:",
    "",
    "No other open pull request to compare.",
  ].join("\n"),
});

/** The annotation a `paths.forbidden` failure puts on each file. */
export function forbiddenAnnotation(path: string): Json {
  return { path, start_line: 1, end_line: 1, annotation_level: "failure", title: "paths.forbidden", message: "An agent PR may not change this path (paths.forbidden)." };
}

/** The writes for an agent PR waiting for humans: two labels and the escalation comment. */
export function waitingOutputs() {
  return { labels: mockLabels({ add: ["agent-pr", "needs-human-review"] }), comment: mockEscalation() };
}

/** The writes for an agent PR that breaks the policy: two labels and the escalation comment. */
export function violationOutputs() {
  return { labels: mockLabels({ add: ["agent-pr", "agent-policy-violation"] }), comment: mockEscalation() };
}

/** The merge group's commit, as in GitHub's example payload. */
export const GROUP_SHA = "2ffea6db159f6b6c47a24e778fb9ef40cf6b1c7d";

/** A real `merge_group.checks_requested` payload, in the test repository, for `ref` (default: a group for PR #2). */
export function mergeGroupPayload(ref = `refs/heads/gh-readonly-queue/master/pr-2-${"9".repeat(40)}`): Json {
  const payload = example("merge_group", "checks_requested");
  payload.installation = { id: INSTALLATION_ID };
  payload.repository = clone(pullRequestPayload().repository);
  Object.assign(payload.merge_group as Json, { head_sha: GROUP_SHA, head_ref: ref });
  return payload;
}
