/**
 * Every read from GitHub happens here: the policy (default branch, org
 * fallback, `_extends`, ETag-cached) and a PR's facts (paginated), plus the
 * permission and team look-ups the policy needs, each done once.
 */
import { createHash } from "node:crypto";
import type { ProbotOctokit } from "probot";
import { formatProblem, parseExtended, parsePolicy, type ConfigProblem } from "../config/load.js";
import { lintPolicy } from "../config/lint.js";
import { POLICY_PATH, type Policy } from "../config/schema.js";
import { neededLookups } from "../policy/lookups.js";
import { POLICY_FILES } from "../policy/paths.js";
import { effectivePolicy } from "../policy/evaluate.js";
import { detectAgent } from "../detect/detect.js";
import { commandEffects } from "../commands/effects.js";
import type { AgentVerdict, CheckFacts, CommentFacts, FileFacts, Permission, PullFacts, PullRequestFacts } from "../types.js";
import { LruCache } from "./cache.js";
import { recordedFacts } from "./ledger.js";

export type GitHub = InstanceType<typeof ProbotOctokit>;

export interface RepoRef {
  owner: string;
  repo: string;
}

/** A file a policy was read from: `owner/repo` and the path on its default branch. */
export interface PolicyFile {
  repo: string;
  path: string;
}

export type PolicySource =
  | { kind: "ok"; policy: Policy; source: string; warnings?: ConfigProblem[]; files: PolicyFile[] }
  | { kind: "missing" }
  | { kind: "invalid"; problems: ConfigProblem[]; source: string };

interface CachedFile {
  etag: string;
  text: string | null;
  /** When GitHub last confirmed this text (a 200 or a 304), in ms. */
  checkedAt: number;
}

/** Policy file texts by `owner/repo:path`, with their ETags, for conditional requests. */
const fileCache = new LruCache<string, CachedFile>(2000);

/** When each file was last found missing (404), by the same key: GitHub gives no ETag for a 404. */
const missingSince = new LruCache<string, number>(5000);

export function clearCaches(): void {
  fileCache.clear();
  parseCache.clear();
  missingSince.clear();
}

export interface ReadOptions {
  /**
   * Trust a "not found" this recent (ms) without asking again. Only for decisions
   * that a late-noticed new policy file cannot make unsafe (which check events
   * matter); evaluations always ask.
   */
  trustMissingMs?: number;
  /** Likewise, trust a text GitHub confirmed this recently (ms) without asking again. */
  trustCachedMs?: number;
}

/** The HTTP status of an Octokit error, if it has one. */
export const httpStatus = (err: unknown) => (err as { status?: number }).status;

/**
 * Reads a file's text from a repository's default branch (no `ref`), or null when
 * it does not exist. Conditional on the last ETag: a 304 reuses the cached text.
 */
async function readFile(gh: GitHub, ref: RepoRef, path: string, opts: ReadOptions = {}): Promise<string | null> {
  const key = `${ref.owner}/${ref.repo}:${path}`.toLowerCase();
  const missing = missingSince.get(key);
  if (opts.trustMissingMs && missing !== undefined && Date.now() - missing < opts.trustMissingMs) return null;
  const cached = fileCache.get(key);
  if (opts.trustCachedMs && cached && Date.now() - cached.checkedAt < opts.trustCachedMs) return cached.text;
  try {
    const res = await gh.rest.repos.getContent({
      ...ref,
      path,
      headers: cached ? { "if-none-match": cached.etag } : {},
    });
    const data = res.data as { type?: string; content?: string; encoding?: string };
    if (Array.isArray(res.data) || data.type !== "file" || typeof data.content !== "string") return null;
    const text = Buffer.from(data.content, (data.encoding as BufferEncoding) ?? "base64").toString("utf8");
    if (res.headers.etag) fileCache.set(key, { etag: res.headers.etag, text, checkedAt: Date.now() });
    missingSince.delete(key);
    return text;
  } catch (err) {
    if (httpStatus(err) === 304 && cached) {
      cached.checkedAt = Date.now();
      return cached.text;
    }
    if (httpStatus(err) === 404) {
      fileCache.delete(key);
      missingSince.set(key, Date.now());
      return null;
    }
    throw err;
  }
}

/** Parsed (and linted) policy texts, so a 304 costs no YAML or zod work. Keyed by source and a hash of the text. */
const parseCache = new LruCache<string, { parsed: ReturnType<typeof parsePolicy>; warnings: ConfigProblem[] }>(500);

function parseCached(text: string, source: string) {
  const key = `${source}\n${createHash("sha256").update(text).digest("base64")}`;
  let hit = parseCache.get(key);
  if (!hit) {
    const parsed = parsePolicy(text, source);
    // What `validate` would warn about (a glob that can match nothing, an unreachable tier) is shown in the check.
    const warnings = parsed.ok ? lintPolicy(parsed.policy, text, source, { whole: !parsed.extends }) : [];
    hit = { parsed, warnings };
    parseCache.set(key, hit);
  }
  return hit;
}

/** A value ending so, without `:`, names a file in the policy file's own repository. */
const BARE_PATH = /\.ya?ml$/i;

/**
 * Parses `_extends: repo`, `owner/repo`, `[owner/]repo:path`, or a path in the repository
 * the policy file was read from (`.github/base.yml`: no `:`, ending in `.yml` or `.yaml`).
 */
function extendsTarget(value: string, from: RepoRef): { ref: RepoRef; path: string } {
  const clean = (path: string) => path.replace(/^(?:\.?\/)+/, "");
  if (!value.includes(":") && BARE_PATH.test(value)) return { ref: from, path: clean(value) };
  const [repoPart, path] = value.split(":", 2) as [string, string | undefined];
  const [a, b] = repoPart.split("/", 2);
  return { ref: b ? { owner: a!, repo: b } : { owner: from.owner, repo: a! }, path: clean(path ?? "") || POLICY_PATH };
}

/**
 * Loads the policy that governs `ref`: `.github/agent-governance.yml` on the
 * default branch, else the same file in the owner's `.github` repository.
 * Never reads from a PR's head. An `ok` result lists the files it was built from.
 */
export async function loadPolicy(gh: GitHub, ref: RepoRef, opts: ReadOptions = {}): Promise<PolicySource> {
  let from: RepoRef = ref;
  let text = await readFile(gh, ref, POLICY_PATH, opts);
  if (text === null && ref.repo !== ".github") {
    from = { owner: ref.owner, repo: ".github" };
    text = await readFile(gh, from, POLICY_PATH, opts);
  }
  const source = `${from.owner}/${from.repo}:${POLICY_PATH}`;
  if (text === null) return { kind: "missing" };
  const file: PolicyFile = { repo: `${from.owner}/${from.repo}`, path: POLICY_PATH };
  const { parsed, warnings } = parseCached(text, source);
  if (!parsed.ok) return { kind: "invalid", problems: parsed.problems, source };
  if (!parsed.extends) return { kind: "ok", policy: parsed.policy, source, warnings, files: [file] };

  const target = extendsTarget(parsed.extends, from);
  const baseSource = `${target.ref.owner}/${target.ref.repo}:${target.path}`;
  const baseText = await readFile(gh, target.ref, target.path);
  if (baseText === null) {
    return {
      kind: "invalid",
      source,
      problems: [{ file: source, line: 1, col: 1, path: "_extends", message: `\`_extends\`: ${baseSource} was not found or is not readable by the app` }],
    };
  }
  const base = parseCached(baseText, baseSource).parsed;
  if (!base.ok) return { kind: "invalid", problems: base.problems, source: baseSource };
  const merged = parseExtended(base.raw, parsed, source);
  const files = [file, { repo: `${target.ref.owner}/${target.ref.repo}`, path: target.path }];
  // One level only: a base's own `_extends` is not followed, and says so rather than being dropped silently.
  const notFollowed: ConfigProblem[] = base.extends
    ? [{ file: baseSource, line: 1, col: 1, path: "_extends", message: `\`_extends\` in a base file is not followed (one level only): ${baseSource} extends \`${base.extends}\`, whose settings do not apply; copy them into ${baseSource}` }]
    : [];
  return merged.ok
    ? { kind: "ok", policy: merged.policy, source: `${source} (extends ${baseSource})`, warnings: [...warnings, ...notFollowed], files }
    : { kind: "invalid", problems: merged.problems, source };
}

/**
 * The files of `ref`'s own repository the policy was built from, other than the
 * policy file itself (already protected): an `_extends` base kept here. They go into
 * `PullFacts.policy_files`, so a PR changing one needs a maintainer.
 */
export function policyFilesIn(loaded: PolicySource, ref: RepoRef): string[] {
  if (loaded.kind !== "ok") return [];
  const here = `${ref.owner}/${ref.repo}`.toLowerCase();
  return loaded.files.filter((f) => f.repo.toLowerCase() === here && !POLICY_FILES.includes(f.path)).map((f) => f.path);
}

export interface GatherOptions {
  /**
   * A PR just opened and never evaluated (no check run of ours on its head):
   * its `opened` payload is current, and it has no reviews and no comment of
   * ours yet, so those three reads are skipped. A redelivered `opened` finds
   * its check run and takes the full path.
   */
  newPull?: PullRequestFacts;
  /** Our check run on `sha` as already read (null: none), so it is not read again if `sha` is still the head. */
  known?: { sha: string; check: CheckRun | null };
  /** This app's id, so only its own check runs are taken for its own (another app may use the same name). */
  appId?: number;
  /** The policy as loaded: the files of this repository it was built from become `policy_files`. */
  loaded?: PolicySource;
  /** The app's ledger key: with it, the ledger is read from our check runs and verified (`PullFacts.ledger`). */
  ledgerKey?: Uint8Array;
  /** For a push: the head it replaced, and our check run there when already read (null: none). */
  before?: string;
  previous?: CheckRun | null;
  /** The PR was reopened: its escalation wait starts again. */
  reopened?: boolean;
}

export interface Gathered {
  facts: PullFacts;
  /** Our check run on the head (null: none yet), to update in place. */
  check: CheckRun | null;
}

/**
 * Gathers a PR's facts, then our check run on its head (when the app first saw
 * it: `seen_at`) and the permissions, teams and checks the policy needs. The PR
 * is always re-read: a webhook payload may be a redelivery, older than GitHub's
 * state (labels, reviewers, head commit).
 */
export async function gatherFacts(gh: GitHub, ref: RepoRef, number: number, policy: Policy, opts: GatherOptions = {}): Promise<Gathered> {
  const pr = { ...ref, pull_number: number, per_page: 100 };
  const fresh = opts.newPull;
  const [pull, files, commits, reviews, comments] = await Promise.all([
    fresh ? Promise.resolve(fresh) : gh.rest.pulls.get({ ...ref, pull_number: number }).then((r) => r.data as PullRequestFacts),
    pagesInParallel((page) => gh.rest.pulls.listFiles({ ...pr, page })),
    pagesInParallel((page) => gh.rest.pulls.listCommits({ ...pr, page })),
    fresh ? Promise.resolve([]) : gh.paginate(gh.rest.pulls.listReviews, pr),
    fresh ? Promise.resolve([]) : gh.paginate(gh.rest.issues.listComments, { ...ref, issue_number: number, per_page: 100 }),
  ]);
  const facts: PullFacts = {
    pull,
    files: files as PullFacts["files"],
    commits: commits as PullFacts["commits"],
    reviews: reviews as PullFacts["reviews"],
    comments: defuseForeignMarkers(comments as PullFacts["comments"], opts.appId),
  };
  // The files the policy is built from here (an `_extends` base) are protected like the policy file.
  const policyFiles = opts.loaded ? policyFilesIn(opts.loaded, ref) : [];
  if (policyFiles.length) facts.policy_files = policyFiles;
  // A PR closed meanwhile is not evaluated: no look-ups for it.
  if (pull.state && pull.state !== "open") return { facts, check: null };
  // Detected once here for both decisions below (the evaluator detects again from the final facts).
  const verdict = detectAgent(facts, policy.agents);
  const need = neededLookups(policy, facts, verdict);
  const name = policy.escalation.check_name;
  const unreadable: Record<string, number> = {};
  const headCheck = opts.known?.sha === pull.head.sha ? Promise.resolve(opts.known.check) : findCheckRun(gh, ref, pull.head.sha, name, opts.appId);
  let [check, permissions, teams, checks, sharedHead, recorded] = await Promise.all([
    headCheck,
    lookupPermissions(gh, ref, need.logins),
    lookupTeams(gh, need.teams, unreadable),
    need.checks ? listChecks(gh, ref, pull.head.sha) : Promise.resolve(undefined),
    // A new PR whose head has no check run of ours shares it with no PR evaluated yet; a twin's later
    // evaluation finds the check run there, reads in full and sees this PR.
    need.sharedHead && !fresh ? pullsForCommit(gh, ref, pull.head.sha) : Promise.resolve(undefined),
    // The app's ledger (invokers ever seen, the escalation's clock), and who assigned an agent when that can matter.
    recordedFacts(gh, ref, number, facts, policy, headCheck, { key: opts.ledgerKey, appId: opts.appId, name, fresh: !!fresh, known: opts.known, before: opts.before, previous: opts.previous, reopened: opts.reopened }),
  ]);
  Object.assign(facts, recorded);
  if (sharedHead) facts.shared_head = sharedHead.filter((n) => n !== number).sort((a, b) => a - b);
  facts.permissions = permissions;
  facts.teams = teams;
  facts.seen_at = { [pull.head.sha]: check?.started_at ?? null };
  if (Object.keys(unreadable).length) facts.unreadable_teams = unreadable;
  if (checks) facts.checks = checks;
  // A force-push after the app first saw the head means the head left and came back at a time GitHub does
  // not record (another event for it may be handled before its `synchronize`): when a command would count
  // for the head, such a head counts as not seen, and our check run on it is written anew (started now).
  if (facts.seen_at[pull.head.sha] && headCommands(policy, facts, verdict)) {
    const pushed = await lastForcePush(gh, ref, number);
    if (pushed && Date.parse(pushed) > Date.parse(facts.seen_at[pull.head.sha]!)) {
      facts.seen_at[pull.head.sha] = null;
      check = null;
    }
  }
  const since = overrideToCarry(policy, facts, verdict);
  if (since) {
    const [changed, sinceCheck] = await Promise.all([filesBetween(gh, ref, since, pull.head.sha), findCheckRun(gh, ref, since, name, opts.appId)]);
    facts.changed_since = { [since]: changed };
    facts.seen_at[since] = sinceCheck?.started_at ?? null;
  }
  return { facts, check };
}

/** Does an approve or override command count for the head as the facts stand? */
function headCommands(base: Policy, facts: PullFacts, verdict: AgentVerdict): boolean {
  const effects = commandEffects(facts, effectivePolicy(base, verdict, facts.pull.base?.ref), verdict);
  const head = facts.pull.head.sha;
  return effects.approvals.some((a) => a.commit === head) || effects.overrides.some((o) => o.commit === head);
}

/** When the PR's head branch was last force-pushed, as its timeline records it (null: never). */
export async function lastForcePush(gh: GitHub, ref: RepoRef, number: number): Promise<string | null> {
  const events = await gh.paginate(gh.rest.issues.listEventsForTimeline, { ...ref, issue_number: number, per_page: 100 });
  let latest: string | null = null;
  for (const e of events as { event?: string; created_at?: string }[]) {
    if (e.event === "head_ref_force_pushed" && e.created_at && (!latest || e.created_at > latest)) latest = e.created_at;
  }
  return latest;
}

/** The commit of the latest override given before the head, when the policy lets overrides carry over. */
function overrideToCarry(base: Policy, facts: PullFacts, verdict: AgentVerdict): string | null {
  const policy = effectivePolicy(base, verdict, facts.pull.base?.ref);
  if (policy.commands.override.scope !== "until_governed_push") return null;
  const latest = commandEffects(facts, policy, verdict).overrides[0];
  return latest && latest.commit !== facts.pull.head.sha ? latest.commit : null;
}

/** Files changed from `base` to `head` (compare API), or null when GitHub cannot list them all (300 at most). */
export async function filesBetween(gh: GitHub, ref: RepoRef, base: string, head: string): Promise<FileFacts[] | null> {
  try {
    const { data } = await gh.rest.repos.compareCommitsWithBasehead({ ...ref, basehead: `${base}...${head}`, per_page: 100 });
    const files = (data.files ?? []) as FileFacts[];
    return data.status === "ahead" && files.length < 300 ? files : null;
  } catch (err) {
    if (httpStatus(err) === 404) return null;
    throw err;
  }
}

/** The page number a `link` header gives for `rel`, or null. */
export function linkPage(link: string | undefined, rel: "next" | "last"): number | null {
  for (const part of (link ?? "").split(",")) {
    const m = /<([^>]*)>\s*;\s*rel="([^"]+)"/.exec(part);
    if (m && m[2] === rel) {
      const page = /[?&]page=(\d+)/.exec(m[1]!);
      return page ? Number(page[1]) : null;
    }
  }
  return null;
}

/** Pages fetched at once after the first; a 3,000-file PR is 30 pages. */
const PAGE_CONCURRENCY = 10;

/**
 * All pages of a list: the first page says how many there are (`link: rel="last"`),
 * then the rest are fetched in parallel, so a 3,000-file PR costs a few round
 * trips instead of thirty in a row.
 */
export async function pagesInParallel<T>(fetchPage: (page: number) => Promise<{ data: T[]; headers: { link?: string } }>): Promise<T[]> {
  const first = await fetchPage(1);
  const pages: T[][] = [first.data];
  const last = linkPage(first.headers.link, "last");
  if (last === null) {
    // No `rel="last"`: follow `rel="next"` one page at a time.
    let next = linkPage(first.headers.link, "next");
    for (let guard = 0; next !== null && guard < 1000; guard++) {
      const res = await fetchPage(next);
      pages.push(res.data);
      next = linkPage(res.headers.link, "next");
    }
    return pages.flat();
  }
  const end = Math.min(last, 1000);
  for (let start = 2; start <= end; start += PAGE_CONCURRENCY) {
    const batch = Array.from({ length: Math.min(PAGE_CONCURRENCY, end - start + 1) }, (_, i) => fetchPage(start + i));
    for (const res of await Promise.all(batch)) pages.push(res.data);
  }
  return pages.flat();
}

const ROLE_TO_PERMISSION: Record<string, Permission> = {
  admin: "admin",
  maintain: "maintain",
  write: "write",
  push: "write",
  triage: "triage",
  read: "read",
  pull: "read",
  none: "none",
};

/** Repository permission of each login; a user without access is `none`. */
export async function lookupPermissions(gh: GitHub, ref: RepoRef, logins: readonly string[]): Promise<Record<string, Permission>> {
  const out: Record<string, Permission> = {};
  await Promise.all(
    logins.map(async (username) => {
      try {
        const { data } = await gh.rest.repos.getCollaboratorPermissionLevel({ ...ref, username });
        const role = (data as { role_name?: string }).role_name;
        out[username] = ROLE_TO_PERMISSION[role ?? ""] ?? ROLE_TO_PERMISSION[data.permission] ?? "none";
      } catch (err) {
        if (httpStatus(err) === 404) out[username] = "none";
        else throw err;
      }
    }),
  );
  return out;
}

/** Is this error GitHub saying "not now" (a primary or secondary rate limit), rather than "not allowed"? */
export function isRateLimited(err: unknown): boolean {
  const e = err as { message?: unknown; response?: { headers?: Record<string, unknown>; data?: { message?: unknown } } };
  const headers = e.response?.headers ?? {};
  const message = `${typeof e.message === "string" ? e.message : ""} ${typeof e.response?.data?.message === "string" ? e.response.data.message : ""}`;
  return headers["retry-after"] !== undefined || String(headers["x-ratelimit-remaining"]) === "0" || /rate limit/i.test(message);
}

/**
 * Members of each `org/slug` team. A team the app may not list (403: no `members: read`, or a
 * secret team) or cannot find (404) has no members, and its status goes into `unreadable` for
 * the check's notes (`teamNotes`). A 403 that is a rate limit is an error: the evaluation retries.
 */
export async function lookupTeams(gh: GitHub, teams: readonly string[], unreadable: Record<string, number> = {}): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  await Promise.all(
    teams.map(async (t) => {
      const [org, team_slug] = t.split("/", 2) as [string, string];
      try {
        const members = await gh.paginate(gh.rest.teams.listMembersInOrg, { org, team_slug, per_page: 100 });
        out[t] = members.map((m) => m.login);
      } catch (err) {
        const status = httpStatus(err);
        if (status !== 404 && (status !== 403 || isRateLimited(err))) throw err;
        out[t] = [];
        unreadable[t] = status;
      }
    }),
  );
  return out;
}

/** Check runs and commit statuses on a commit. */
export async function listChecks(gh: GitHub, ref: RepoRef, sha: string): Promise<CheckFacts[]> {
  const [runs, statuses] = await Promise.all([
    gh.paginate(gh.rest.checks.listForRef, { ...ref, ref: sha, per_page: 100 }),
    gh.paginate(gh.rest.repos.listCommitStatusesForRef, { ...ref, ref: sha, per_page: 100 }),
  ]);
  return [
    ...runs.map((r) => ({ name: r.name, status: r.status, conclusion: r.conclusion, head_sha: r.head_sha, app: r.app?.slug ?? null })),
    // A status an app set names its bot, `slug[bot]`, as the creator.
    ...statuses.map((s) => ({ name: s.context, state: s.state, app: /^(.+)\[bot\]$/.exec(s.creator?.login ?? "")?.[1] ?? null })),
  ];
}

export type CheckRun = Awaited<ReturnType<GitHub["rest"]["checks"]["listForRef"]>>["data"]["check_runs"][number];

/** The PR's head commit as GitHub has it now. */
export async function headOf(gh: GitHub, ref: RepoRef, number: number): Promise<string> {
  return (await gh.rest.pulls.get({ ...ref, pull_number: number })).data.head.sha;
}

/** Our own check run on `sha`, if one exists, to update in place (only this app's, when its id is known). */
export async function findCheckRun(gh: GitHub, ref: RepoRef, sha: string, name: string, appId?: number): Promise<CheckRun | null> {
  const { data } = await gh.rest.checks.listForRef({ ...ref, ref: sha, check_name: name, filter: "latest", per_page: 10, ...(appId ? { app_id: appId } : {}) });
  return data.check_runs.find((c) => !appId || !c.app || c.app.id === appId) ?? null;
}

/** The PR's comments whose body starts with `marker` and that this app wrote (when its id is known). */
export async function listMarkedComments(gh: GitHub, ref: RepoRef, issueNumber: number, marker: string, appId?: number) {
  const comments = await gh.paginate(gh.rest.issues.listComments, { ...ref, issue_number: issueNumber, per_page: 100 });
  return comments.filter((c) => (c.body ?? "").startsWith(marker) && (!appId || c.performed_via_github_app?.id === appId));
}

/** The start of every hidden marker the app writes (escalation comment, its state, replies). */
const OUR_MARK = "<!-- agent-governance:";

/**
 * Comments as the pure core may read them: a marker in a comment this app did not write
 * (an agent's bot forging "all tiers notified", or "already answered") is defused, so only
 * the app's own comments carry state. Without the app's id (the CLI), unchanged.
 */
export function defuseForeignMarkers<T extends CommentFacts>(comments: T[], appId?: number): T[] {
  if (!appId) return comments;
  return comments.map((c) =>
    c.performed_via_github_app?.id !== appId && c.body?.includes(OUR_MARK) ? { ...c, body: c.body.replaceAll(OUR_MARK, "<!-- (not from the app) ") } : c,
  );
}

/** Open PRs whose head is `sha` (a check run's PR list is empty for forks). */
export async function pullsForCommit(gh: GitHub, ref: RepoRef, sha: string): Promise<number[]> {
  const { data } = await gh.rest.repos.listPullRequestsAssociatedWithCommit({ ...ref, commit_sha: sha });
  return data.filter((p) => p.state === "open" && p.head.sha === sha).map((p) => p.number);
}

/** A note for the check summary for each team the app could not list: whose approvals do not count, and what to do. */
export function teamNotes(facts: Pick<PullFacts, "unreadable_teams">): string[] {
  return Object.entries(facts.unreadable_teams ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([team, status]) =>
      status === 403
        ? `Team \`${team}\` could not be read (403): its members' approvals do not count. Grant the app the organization permission **Members: read** (then accept it on the installation), or, if the team is secret, make it visible or list its members as users.`
        : `Team \`${team}\` was not found (${status}): its members' approvals do not count. Check the team slug in the policy (\`org/team-slug\`, as in the team's URL) and that the app is installed on that organization.`,
    );
}

/** The policy's warnings as notes for the check summary (at most 10). */
export function policyNotes(loaded: PolicySource): string[] {
  if (loaded.kind !== "ok" || !loaded.warnings?.length) return [];
  const shown = loaded.warnings.slice(0, 10).map((w) => `Policy warning: ${formatProblem(w)} (see \`agent-governance validate\`)`);
  return loaded.warnings.length > 10 ? [...shown, `… and ${loaded.warnings.length - 10} more policy warnings`] : shown;
}
