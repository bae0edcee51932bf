/**
 * Part 2: GitHub requests, round trips and time to the verdict, per event. The
 * real app (dist/index.js) in a Probot instance, against the fake GitHub served
 * over HTTP on loopback, each request answered `latencyMs` after it arrives (a
 * round trip to GitHub); events delivered with `probot.receive`.
 *
 * Per event: requests (reads, writes, 304s: conditional reads answered "not
 * modified", auth), waves (sequential round trips, from the fake's log of when
 * each request arrived and was answered: bench/waves.js), the verdict (the first
 * check run write: its wave, and ms from the webhook until the fake answered it)
 * and ms until the handler was done. Run with Octokit's throttle off, or on as
 * `npm start` ships it (writes spaced 1 s apart per installation, comments and
 * review requests 3 s; the verdict has a lane of its own).
 *
 * GitHub's clock is simulated (the fake's `date` headers, the payloads'
 * `repository.pushed_at` and the app's `now`): the events of a PR's life are
 * minutes apart, as they are on GitHub, while the benchmark runs them back to
 * back. Each event comes from an installation of its own (its token fetched
 * before the event), so the throttle's write spacing is idle at its start, as it
 * is for events minutes apart; the 4-PRs-at-once run (run.js) shares one.
 */
import { createApp } from "../dist/index.js";
import { clearCaches } from "../dist/github/facts.js";
import { clearLabelCache } from "../dist/github/apply.js";
import { newProbot } from "./app.js";
import { bigPullFacts } from "./eval.js";
import { createFakeGitHub } from "./fake-github.js";
import {
  agentCommit,
  checkRunEvent,
  commentEvent,
  labeledEvent,
  listedReview,
  mergeGroupEvent,
  pullEvent,
  pullObject,
  REVIEWER,
  reviewEvent,
  smallPrFiles,
} from "./payloads.js";
import { timeline } from "./waves.js";

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

/** The same, also waiting for CI's `ci` check. */
export const REQUIRED_CHECKS_POLICY = REALISTIC_POLICY.replace("  no_secrets: true\n", "  no_secrets: true\n  required_checks: [ci]\n");

/** The same, with code owners, a reviewer asked from a pool, and swarm limits (open PRs per agent, one per issue). */
export const FEATURES_POLICY = REALISTIC_POLICY.replace(
  `  from: { teams: [${OWNER}/maintainers] }\n`,
  `  from: { teams: [${OWNER}/maintainers] }
  codeowners: true
  request: { count: 1, from: [${OWNER}/maintainers] }
`,
).concat(`limits:
  open_prs: { per_agent: 5 }
  one_per_issue: true
`);

/** The CODEOWNERS of the repository with FEATURES_POLICY, at `.github/CODEOWNERS`. */
export const FEATURES_CODEOWNERS = `# Maintainers own the code.\nsrc/** @${OWNER}/maintainers\n`;

export const TEAMS = { [`${OWNER}/maintainers`]: [REVIEWER.login], [`${OWNER}/dba`]: ["dba-person"] };

/** The events whose requests make a typical life: opened, 2 pushes, 1 approving review, merged. */
export const LIFECYCLE = ["opened", "synchronize", "synchronize_2", "review_approved", "closed_merged"];

const sha = (n) => n.toString(16).padStart(40, "0");

/** Registers PR `number` in the fake (its branch pushed now), opened by Copilot with an ordinary change. */
export function registerPull(fake, { owner, repo, number, head, at }) {
  const pull = pullObject({ owner, repo, number, sha: head });
  if (at) pull.created_at = pull.updated_at = new Date(at).toISOString().replace(/\.\d+Z$/, "Z");
  return fake.addPull(owner, repo, { pull, files: smallPrFiles(), commits: [agentCommit(head)] });
}

/** Where the last run's simulated clock stopped: a clock never goes back (the throttle's limiters keep times). */
let simulatedUntil = 0;

/**
 * GitHub's clock for a run, which the app's clock (`Date.now`, for its own caches' ages) follows while the
 * run lasts: set to an event's time, then running with the real clock. Starts at the first whole hour an
 * hour after now (or after the last run's end), never goes back.
 */
function simClock() {
  const HOUR = 3_600_000;
  const start = Math.ceil((Math.max(Date.now(), simulatedUntil) + HOUR) / HOUR) * HOUR;
  let base = start;
  let at = performance.now();
  const now = () => base + (performance.now() - at);
  return {
    now,
    /** The ISO time `minutes` after the start (whole seconds). */
    at: (minutes) => new Date(start + Math.round(minutes * 60_000)).toISOString().replace(/\.\d+Z$/, "Z"),
    set(iso) {
      base = Math.max(Date.parse(iso), now());
      at = performance.now();
      simulatedUntil = Math.max(simulatedUntil, base);
    },
  };
}

const isCheckRunWrite = (r) => r.kind === "writes" && /\/check-runs(\/\d+)?$/.test(r.path);
const ms = (x) => Math.round(x);

/** One event's figures from the fake's log. */
function summarize(t, t0, doneMs, extra) {
  const { waves, verdict, rows } = timeline(t.log, t0, isCheckRunWrite);
  return {
    total: t.reads + t.writes + t.notModified,
    reads: t.reads,
    writes: t.writes,
    not_modified_304: t.notModified,
    auth: t.auth,
    errors: t.errors,
    waves,
    verdict_wave: verdict?.wave ?? null,
    ms_to_verdict: verdict?.ms ?? null,
    ms_until_done: ms(doneMs),
    ...extra,
    // "w<wave> <arrived>→<answered> ms METHOD path status", times from the webhook.
    requests: rows.map((r) => `w${r.wave} ${ms(r.at)}→${ms(r.answered)} ${r.method} ${r.path} ${r.status}`),
  };
}

/**
 * Runs the events below in order on one app and one fake GitHub; returns each event's figures and the
 * lifecycle total. `big`: also a 3,000-file PR (slow under the throttle: 7 annotation batches).
 */
export async function benchRequests(options = {}) {
  const sim = simClock();
  // The app's own caches age by `Date.now`: it follows GitHub's (simulated) clock, so an answer trusted
  // for a minute is not trusted across events minutes apart just because the benchmark runs them at once.
  const realNow = Date.now;
  Date.now = () => Math.floor(sim.now());
  try {
    return await runEvents(sim, options);
  } finally {
    Date.now = realNow;
  }
}

async function runEvents(sim, { latencyMs = 50, throttle = false, big = true, memo }) {
  const fake = createFakeGitHub({ teams: TEAMS, permission: (login) => (login === REVIEWER.login ? "write" : "read"), now: sim.now, latencyMs });
  const server = await fake.listen();
  const baseUrl = `http://127.0.0.1:${server.address().port}`;
  // The app's caches are per process: each run starts cold.
  clearCaches();
  clearLabelCache();
  const probot = newProbot(baseUrl, { throttle });
  // `memo: false`: the app reads its own check runs and comments back, as with REDIS_URL (several replicas).
  await probot.load(createApp({ now: () => new Date(sim.now()), sweepMinutes: 0, ...(memo === undefined ? {} : { memo }) }));

  const owner = OWNER;
  const results = {};
  let installation = throttle ? 2000 : 1000;
  const pushedAt = (repo) => fake.pushedAt(owner, repo);
  const isoNow = () => new Date(sim.now()).toISOString().replace(/\.\d+Z$/, "Z");

  const deliver = async (label, at, name, payload, extra = {}) => {
    sim.set(at);
    const event = structuredClone(payload);
    // An installation of its own: its token now (not measured), and an idle write throttle.
    event.installation.id = ++installation;
    // (Any request through it fetches the token; `octokit.auth()` itself would ask api.github.com.)
    await (await probot.auth(installation)).request("GET /bench/warm-up").catch(() => undefined);
    fake.takeTally();
    let error = null;
    const t0 = performance.now();
    try {
      await probot.receive({ id: `bench-${label}`, name, payload: event });
    } catch (err) {
      error = String(err?.message ?? err).slice(0, 300);
    }
    const done = performance.now() - t0;
    results[label] = summarize(fake.takeTally(), t0, done, { ...extra, ...(error ? { handler_error: error } : {}) });
    return payload;
  };
  /** The PR's branch pushed 5 s before `at`, then opened at `at`. */
  const open = (repo, number, head, at) => {
    sim.set(new Date(Date.parse(at) - 5000).toISOString());
    const pr = registerPull(fake, { owner, repo, number, head, at: Date.parse(at) });
    sim.set(at);
    return { pr, payload: pullEvent({ owner, repo, number, pull: pr.pull, pushedAt: pushedAt(repo) }) };
  };
  /** A commit pushed to the PR 5 s before `at`; the `synchronize` payload. */
  const push = (repo, number, head, at, message) => {
    sim.set(new Date(Date.parse(at) - 5000).toISOString());
    const before = fake.pull(owner, repo, number).pull.head.sha;
    const pr = fake.push(owner, repo, number, agentCommit(head, message));
    sim.set(at);
    return pullEvent({ owner, repo, number, action: "synchronize", pull: pr.pull, before, pushedAt: pushedAt(repo) });
  };

  // The default branch's policy files (the organization's `.github` repository has none).
  sim.set(sim.at(0));
  fake.setPolicy(owner, "service-a", REALISTIC_POLICY);
  fake.setPolicy(owner, "service-ci", REQUIRED_CHECKS_POLICY);
  fake.setPolicy(owner, "service-features", FEATURES_POLICY);
  fake.setFile(owner, "service-features", ".github/CODEOWNERS", FEATURES_CODEOWNERS);

  // service-a: a repository's first agent PR (the policy read in full, the labels created).
  let o = open("service-a", 9, sha(9), sim.at(60));
  await deliver("opened_first_in_repo", sim.at(60), "pull_request", o.payload, { note: "the policy read (200), the app's labels created in the repository" });

  // The typical life of PR 10, with the other events in between.
  o = open("service-a", 10, sha(10), sim.at(70));
  const opened = await deliver("opened", sim.at(70), "pull_request", o.payload, { note: "the policy conditional (304): the agent's branch was pushed since it was last read" });
  // GitHub sends the app's own writes back as events: a label it added, its check run completed.
  await deliver("echo_labeled", sim.at(70 + 2 / 60), "pull_request", labeledEvent({ owner, repo: "service-a", pull: fake.pull(owner, "service-a", 10).pull, label: "agent-pr", pushedAt: pushedAt("service-a") }), {
    note: "the app's own label write coming back (sent by its bot)",
  });
  const own = fake.checkRuns(owner, "service-a").find((c) => c.head_sha === sha(10));
  const ownCheck = checkRunEvent({ owner, repo: "service-a", number: 10, sha: sha(10), name: own?.name ?? "agent-governance", app: { id: 123, slug: "agent-governance" }, pushedAt: pushedAt("service-a") });
  await deliver("echo_check_run_completed", sim.at(70 + 2 / 60), "check_run", ownCheck, { note: "the app's own check run coming back" });
  // CI's checks finish on the head; this policy requires none of them.
  sim.set(sim.at(75));
  fake.addCheckRun(owner, "service-a", { name: "lint", head_sha: sha(10) });
  await deliver("check_run_completed_not_required", sim.at(75), "check_run", checkRunEvent({ owner, repo: "service-a", number: 10, sha: sha(10), name: "lint", pushedAt: pushedAt("service-a") }), {
    note: "another app's check, not required by the policy: the policy read to find out",
  });
  await deliver("synchronize", sim.at(90), "pull_request", push("service-a", 10, sha(11), sim.at(90), "Address review feedback"));
  await deliver("synchronize_2", sim.at(110), "pull_request", push("service-a", 10, sha(12), sim.at(110), "Fix the flaky test"));
  const head = sha(12);
  const pr = fake.pull(owner, "service-a", 10);
  sim.set(sim.at(120));
  pr.reviews.push(listedReview({ id: 80, sha: head, submittedAt: isoNow() }));
  const review = await deliver(
    "review_approved",
    sim.at(120),
    "pull_request_review",
    reviewEvent({ owner, repo: "service-a", number: 10, sha: head, id: 80, pull: pr.pull, pushedAt: pushedAt("service-a"), submittedAt: isoNow() }),
    { note: "nothing pushed since the policy was last confirmed: not read" },
  );
  const command = async (label, at, body, extra) => {
    sim.set(at);
    const c = fake.addComment(owner, "service-a", 10, { body, user: REVIEWER, created_at: isoNow(), author_association: "MEMBER" });
    await deliver(label, at, "issue_comment", commentEvent({ owner, repo: "service-a", number: 10, body, id: c.id, createdAt: c.created_at, pushedAt: pushedAt("service-a") }), extra);
  };
  await command("command_recheck", sim.at(130), "/governance recheck", { note: "nothing changed: the +1 reaction is the only write expected" });
  await command("command_help", sim.at(135), "/governance help", { note: "the policy and the comment list, then the reply" });
  // GitHub's "Redeliver": the same payloads again; the PR has not changed since the review.
  await deliver("redelivery_review", sim.at(140), "pull_request_review", review, { target_writes: 0 });
  await deliver("redelivery_opened", sim.at(141), "pull_request", opened, { target_writes: 0, note: "the opened event of an older head, redelivered after 2 pushes and the approval" });
  // The approved PR joins a merge queue: GitHub pushes the group's branch, and waits for the check on its commit.
  sim.set(sim.at(149 + 58 / 60));
  fake.pushBranch(owner, "service-a");
  await deliver("merge_group", sim.at(150), "merge_group", mergeGroupEvent({ owner, repo: "service-a", number: 10, sha: sha(30), pushedAt: pushedAt("service-a") }), {
    note: "the queued PR evaluated again (unchanged: no write on it), then one check run on the group's commit",
  });
  sim.set(sim.at(160));
  fake.merge(owner, "service-a", 10);
  await deliver("closed_merged", sim.at(160), "pull_request", pullEvent({ owner, repo: "service-a", number: 10, action: "closed", pull: fake.pull(owner, "service-a", 10).pull, pushedAt: pushedAt("service-a") }), {
    note: "the escalation comment closed, the waiting label removed; the merge commit was pushed",
  });

  // service-ci: the policy requires CI's `ci` check; CI finishes after the PR was evaluated.
  o = open("service-ci", 1, sha(40), sim.at(180));
  await deliver("opened_required_checks_first_in_repo", sim.at(180), "pull_request", o.payload, { note: "required_checks: [ci]: all of the head's check runs listed once (ci not finished yet)" });
  sim.set(sim.at(185));
  fake.addCheckRun(owner, "service-ci", { name: "ci", head_sha: sha(40) });
  await deliver("check_run_completed_required", sim.at(185), "check_run", checkRunEvent({ owner, repo: "service-ci", number: 1, sha: sha(40), pushedAt: pushedAt("service-ci") }), {
    note: "CI's ci check finished on the head: the PR evaluated again",
  });

  // service-none: no policy file, nor one in the organization's .github repository.
  o = open("service-none", 1, sha(50), sim.at(200));
  await deliver("no_policy_opened", sim.at(200), "pull_request", o.payload, { note: "404 for the repository's policy file and the organization's" });
  await deliver("no_policy_synchronize", sim.at(210), "pull_request", push("service-none", 1, sha(51), sim.at(210), "Address review feedback"));
  sim.set(sim.at(215));
  const none = fake.pull(owner, "service-none", 1);
  none.reviews.push(listedReview({ id: 81, sha: sha(51), submittedAt: isoNow() }));
  await deliver("no_policy_review_approved", sim.at(215), "pull_request_review", reviewEvent({ owner, repo: "service-none", number: 1, sha: sha(51), id: 81, pull: none.pull, pushedAt: pushedAt("service-none"), submittedAt: isoNow() }), {
    note: "nothing pushed since the repository's 404: the organization's .github asked again (trusted for a minute)",
  });
  sim.set(sim.at(216));
  fake.addCheckRun(owner, "service-none", { name: "ci", head_sha: sha(51) });
  await deliver("no_policy_check_run_completed", sim.at(216), "check_run", checkRunEvent({ owner, repo: "service-none", number: 1, sha: sha(51), pushedAt: pushedAt("service-none") }), {
    note: "CI's check in a repository without a policy: nothing to evaluate",
  });

  // service-features: code owners, a reviewer asked from a pool, swarm limits (each PR links its own issue).
  o = open("service-features", 1, sha(60), sim.at(230));
  await deliver("features_opened_first_in_repo", sim.at(230), "pull_request", o.payload, {
    note: "no policy read here before: CODEOWNERS is asked once the policy read shows codeowners (its 3 places at once: .github/CODEOWNERS 200, the other two 404; wave 2), then the open PRs listed for limits (wave 3): 4 extra reads, 2 extra waves before the verdict; the code owners and the pool's reviewer in the one review request",
  });
  o = open("service-features", 2, sha(70), sim.at(240));
  await deliver("features_opened", sim.at(240), "pull_request", o.payload, {
    note: "CODEOWNERS asked in the first wave with the policy (the last policy read uses it), conditionally since the agent's branch was pushed: one 304, two 404s; the open PRs listed again (the list is forgotten when a PR opens): one extra wave before the verdict",
  });
  await deliver("features_synchronize", sim.at(260), "pull_request", push("service-features", 2, sha(71), sim.at(260), "Address review feedback"), {
    note: "CODEOWNERS asked again after the push (one 304, two 404s, in the first wave); the open PRs listed again beside the other look-ups (the list is kept one minute; the push is 20 minutes later): no extra wave",
  });

  if (big) {
    // The largest PR GitHub lists: 3,000 files with patches, read 100 per page.
    o = open("service-a", 20, sha(20), sim.at(220));
    o.pr.files = bigPullFacts(3000).files;
    o.pr.pull.changed_files = o.pr.files.length;
    o.payload.pull_request.changed_files = o.pr.files.length;
    await deliver("opened_3000_files", sim.at(220), "pull_request", o.payload, { note: "pages 2-30 of files read 10 at a time after the first; annotations in batches of 50" });
  }

  server.close();
  server.closeAllConnections?.();
  const lifecycle = LIFECYCLE.map((k) => results[k]);
  const sum = (key) => lifecycle.reduce((n, r) => n + r[key], 0);
  return {
    scenario:
      "Copilot PR (3 files) in a repository with a policy: 1 approval from a team, a restricted DBA group, linked issue, tests with code, no secrets, one escalation tier at 0h",
    latency_ms_per_request: latencyMs,
    throttle: throttle ? "on, as npm start ships it (writes 1 s apart per installation, comments and review requests 3 s; the check run on its own lane)" : "off",
    events: results,
    lifecycle: {
      what: "one PR's typical life: opened, 2 pushes, 1 approving review, merged (the events' requests summed)",
      total: sum("total"),
      reads: sum("reads"),
      writes: sum("writes"),
      not_modified_304: sum("not_modified_304"),
      per_event: Object.fromEntries(LIFECYCLE.map((k) => [k, results[k].total])),
    },
  };
}
