/**
 * Part 2: GitHub requests per event. The real app (dist/index.js) in a Probot
 * instance, against the fake GitHub served over HTTP on loopback; events
 * delivered with `probot.receive`. Each event's requests are counted as reads,
 * writes, 304s (conditional reads answered "not modified") and auth.
 */
import { createApp } from "../dist/index.js";
import { clearCaches } from "../dist/github/facts.js";
import { newProbot } from "./app.js";
import { bigPullFacts } from "./eval.js";
import { createFakeGitHub } from "./fake-github.js";
import { agentCommit, commentEvent, listedReview, mergeGroupEvent, pullEvent, pullObject, REVIEWER, reviewEvent, smallPrFiles } from "./payloads.js";

export const OWNER = "bench-org";

/** A policy of the kind the README recommends: one approval from maintainers, a DBA group, compliance, one escalation tier. */
export const REALISTIC_POLICY = `reviewers:
  required: 1
  from: { teams: [${OWNER}/maintainers] }
paths:
  forbidden: [".github/workflows/**"]
  restricted:
    - name: database
      paths: ["migrations/**", "**/*.sql"]
      reviewers: { teams: [${OWNER}/dba] }
compliance:
  linked_issue: true
  tests_with_code: { code: ["src/**"], tests: ["tests/**", "**/*.test.*"] }
  no_secrets: true
escalation:
  tiers:
    - { after: 0h, notify: [${OWNER}/maintainers] }
`;

export const TEAMS = { [`${OWNER}/maintainers`]: [REVIEWER.login], [`${OWNER}/dba`]: ["dba-person"] };

const sha = (n) => n.toString(16).padStart(40, "0");

/** Registers PR `number` in the fake, opened by Copilot with an ordinary change. */
export function registerPull(fake, { owner, repo, number, head }) {
  return fake.addPull(owner, repo, { pull: pullObject({ owner, repo, number, sha: head }), files: smallPrFiles(), commits: [agentCommit(head)] });
}

/** "GET /x 200", "GET /x 200", "GET /x 200" → "GET /x 200 ×3". */
function compact(requests) {
  const out = [];
  for (const r of requests) {
    const last = out.at(-1);
    if (last && last.line === r) last.n++;
    else out.push({ line: r, n: 1 });
  }
  return out.map(({ line, n }) => (n > 1 ? `${line} ×${n}` : line));
}

function summarize(t, extra = {}) {
  return { total: t.reads + t.writes + t.notModified, reads: t.reads, writes: t.writes, not_modified_304: t.notModified, auth: t.auth, errors: t.errors, ...extra, requests: compact(t.requests) };
}

export async function benchRequests() {
  const fake = createFakeGitHub({ teams: TEAMS, permission: (login) => (login === REVIEWER.login ? "write" : "read") });
  const server = await fake.listen();
  const baseUrl = `http://127.0.0.1:${server.address().port}`;
  clearCaches();
  const probot = newProbot(baseUrl);
  const now = new Date("2026-11-20T12:00:00Z");
  await probot.load(createApp({ now: () => now, sweepMinutes: 0 }));

  const repo = "service-a";
  const owner = OWNER;
  fake.setPolicy(owner, repo, REALISTIC_POLICY);
  const results = {};
  let delivery = 0;
  const deliver = async (label, name, payload, extra = {}) => {
    fake.takeTally();
    let error = null;
    try {
      await probot.receive({ id: `bench-${++delivery}`, name, payload });
    } catch (err) {
      error = String(err?.message ?? err).slice(0, 300);
    }
    results[label] = summarize(fake.takeTally(), { ...extra, ...(error ? { handler_error: error } : {}) });
    return payload;
  };

  // A first PR in the repository: the policy is fetched (200) and the labels created.
  registerPull(fake, { owner, repo, number: 9, head: sha(9) });
  await deliver("opened_first_in_repo", "pull_request", pullEvent({ owner, repo, number: 9, sha: sha(9) }), { note: "policy not cached yet; labels created in the repository" });

  // The measured PR: opened with the policy cached.
  const number = 10;
  let head = sha(10);
  const pr = registerPull(fake, { owner, repo, number, head });
  const opened = await deliver("opened", "pull_request", pullEvent({ owner, repo, number, sha: head }), { target_total: 5 });

  // A push: new head commit.
  head = sha(11);
  pr.pull.head.sha = head;
  pr.commits.push(agentCommit(head, "Address review feedback"));
  await deliver("synchronize", "pull_request", pullEvent({ owner, repo, number, sha: head, action: "synchronize" }));

  // A maintainer approves the head.
  pr.reviews.push(listedReview({ id: 80, sha: head }));
  const review = await deliver("review_submitted", "pull_request_review", reviewEvent({ owner, repo, number, sha: head, id: 80 }));

  // `/governance recheck`: nothing changed since the review.
  const c = fake.addComment(owner, repo, number, { body: "/governance recheck", user: REVIEWER, created_at: "2026-11-20T11:30:00Z" });
  await deliver("command_recheck", "issue_comment", commentEvent({ owner, repo, number, body: c.body, id: c.id }), {
    target_writes: 0,
    note: "the +1 reaction answering the command is the only write expected",
  });

  // Redeliveries: GitHub's "Redeliver", the same payloads again; the PR has not changed.
  await deliver("redelivery_review", "pull_request_review", review, { target_writes: 0 });
  await deliver("redelivery_opened", "pull_request", opened, { target_writes: 0, note: "the opened event of an older head, redelivered after the push and the approval" });

  // The approved PR joins a merge queue: its group's commit waits for the check.
  await deliver("merge_group", "merge_group", mergeGroupEvent({ owner, repo, number, sha: sha(30) }), {
    note: "the queued PR evaluated again (unchanged: no write on it), then one check run on the group's commit",
  });

  // The largest PR GitHub lists: 3,000 files with patches, read 100 per page.
  const big = registerPull(fake, { owner, repo, number: 20, head: sha(20) });
  big.files = bigPullFacts(3000).files;
  big.pull.changed_files = big.files.length;
  const started = performance.now();
  await deliver("opened_3000_files", "pull_request", pullEvent({ owner, repo, number: 20, sha: sha(20) }), { note: "pages 2-30 of files are read 10 at a time after the first; on loopback, so GitHub's own latency comes on top" });
  results.opened_3000_files.ms_until_done = Math.round(performance.now() - started);

  server.close();
  server.closeAllConnections?.();
  const ok = (r, key, max) => r[key] <= max;
  return {
    scenario: "Copilot PR (3 files) in a repository with a policy: 1 approval from a team, a restricted DBA group, linked issue, tests with code, no secrets, one escalation tier at 0h",
    events: results,
    targets: {
      opened_cached_policy_max_5_requests: ok(results.opened, "total", 5),
      opened_cached_policy_max_5_reads_with_304: results.opened.reads + results.opened.not_modified_304 <= 5,
      redelivery_review_0_writes: ok(results.redelivery_review, "writes", 0),
      redelivery_opened_0_writes: ok(results.redelivery_opened, "writes", 0),
      recheck_unchanged_0_writes_besides_reaction: results.command_recheck.writes - results.command_recheck.requests.filter((r) => r.includes("/reactions")).length === 0,
    },
  };
}
