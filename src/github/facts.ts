/**
 * Every read from GitHub happens here: the policy (default branch, org
 * fallback, `_extends`, ETag-cached) and a PR's facts (paginated), plus the
 * permission and team look-ups the policy needs, each done once.
 */
import { createHash } from "node:crypto";
import type { ProbotOctokit } from "probot";
import { formatProblem, parseExtended, parsePolicy, type ConfigProblem } from "../config/load.js";
import { lintPolicy } from "../config/lint.js";
import { applyFloor, floorLine, type FloorChange } from "../config/floor.js";
import { defaultPolicy, POLICY_PATH, type Policy } from "../config/schema.js";
import { neededLookups, requiredCheckNames, type Lookups } from "../policy/lookups.js";
import { POLICY_FILES } from "../policy/paths.js";
import { CODEOWNERS_PATHS, usesCodeowners } from "../policy/codeowners.js";
import { effectivePolicy, isGoverned, judgePullObject } from "../policy/evaluate.js";
import { reviewState } from "../policy/reviewers.js";
import { updateMergeCandidates } from "../policy/update-merges.js";
import { limitsSet } from "../policy/swarm.js";
import { detectAgent } from "../detect/detect.js";
import { commandEffects } from "../commands/effects.js";
import { parseCommand } from "../commands/parse.js";
import type { AgentVerdict, CheckFacts, CommentFacts, FileFacts, LinkedIssueFacts, Permission, PullFacts, PullRequestFacts } from "../types.js";
import { LruCache } from "./cache.js";
import { recordedFacts } from "./ledger.js";
import { clearOpenPulls, openPulls } from "./open-pulls.js";
import type { OwnWrites } from "./memo.js";

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
  | {
      kind: "ok";
      policy: Policy;
      source: string;
      warnings?: ConfigProblem[];
      files: PolicyFile[];
      /** The org floor's file, when a floor was applied (`ORG_FLOOR=true`). */
      floorSource?: string;
      /** The repository's settings the org floor raised, one each. */
      floored?: FloorChange[];
    }
  | { kind: "missing" }
  | { kind: "invalid"; problems: ConfigProblem[]; source: string };

interface CachedFile {
  etag: string;
  text: string | null;
  /** When GitHub last confirmed this text (a 200 or a 304), in ms. */
  checkedAt: number;
  /** The same moment by GitHub's clock (its `date` header), to compare with a repository's `pushed_at`; NaN without one. */
  githubAt: number;
}

/** Policy file texts by `owner/repo:path`, with their ETags, for conditional requests. */
const fileCache = new LruCache<string, CachedFile>(2000);

/** When each file was last found missing (404), by the same key (local ms, and GitHub's clock): GitHub gives no ETag for a 404. */
const missingSince = new LruCache<string, { at: number; githubAt: number }>(5000);

/** The last policy read for each repository, so the first wave can guess what it needs before the read returns. */
const lastPolicies = new LruCache<string, Policy>(2000);

export function clearCaches(): void {
  fileCache.clear();
  headFileCache.clear();
  issueCache.clear();
  parseCache.clear();
  missingSince.clear();
  lastPolicies.clear();
  policyAtCache.clear();
  headCache.clear();
  clearOpenPulls();
}

/** The policy last read for `ref` (no request), or the default policy. Only a guess: the evaluation uses what `loadPolicy` returns. */
export function lastPolicy(ref: RepoRef): Policy {
  return lastRead(ref) ?? defaultPolicy();
}

/** The policy this process last read for `ref`, if it read one (no request). */
export function lastRead(ref: RepoRef): Policy | undefined {
  return lastPolicies.get(`${ref.owner}/${ref.repo}`.toLowerCase());
}

/**
 * How long a policy file found missing in another repository (the organization's `.github`
 * fallback) is taken as still missing without asking again. Within the event's own repository a
 * push says when to ask again (`pushedAt`), not a clock.
 */
export const MISSING_ELSEWHERE_MS = 60_000;

export interface ReadOptions {
  /**
   * Trust a "not found" this recent (ms) without asking again. Only for decisions
   * that a late-noticed new policy file cannot make unsafe (which check events
   * matter); evaluations always ask.
   */
  trustMissingMs?: number;
  /** Likewise, trust a text GitHub confirmed this recently (ms) without asking again. */
  trustCachedMs?: number;
  /**
   * The event's repository `pushed_at` (ms, GitHub's clock): nothing was pushed to that repository
   * since, so a text (or a 404) GitHub confirmed after it is still current there, and is not asked
   * for again. A policy file changes only by a push.
   */
  pushedAt?: number;
}

/** The HTTP status of an Octokit error, if it has one. */
export const httpStatus = (err: unknown) => (err as { status?: number }).status;

/** GitHub's clock from a response's `date` header (whole seconds), or NaN. */
const githubTime = (headers: Record<string, unknown> | undefined) => Date.parse(String(headers?.date ?? ""));

/** Confirmed by GitHub at least a second after the repository's last push (`date` has whole seconds). */
const confirmedAfter = (githubAt: number, pushedAt: number | undefined) => pushedAt !== undefined && Number.isFinite(githubAt) && githubAt > pushedAt + 1000;

/**
 * Reads a file's text from a repository's default branch (no `ref`), or null when
 * it does not exist. Conditional on the last ETag: a 304 reuses the cached text.
 * `pushedAt` applies to `ref`, the event's repository; a 404 elsewhere is trusted for a minute.
 */
async function readFile(gh: GitHub, ref: RepoRef, path: string, opts: ReadOptions = {}, elsewhere = false): Promise<string | null> {
  const key = `${ref.owner}/${ref.repo}:${path}`.toLowerCase();
  const missing = missingSince.get(key);
  const pushedAt = elsewhere ? undefined : opts.pushedAt;
  if (missing !== undefined) {
    if (opts.trustMissingMs && Date.now() - missing.at < opts.trustMissingMs) return null;
    if (confirmedAfter(missing.githubAt, pushedAt) || (elsewhere && Date.now() - missing.at < MISSING_ELSEWHERE_MS)) return null;
  }
  const cached = fileCache.get(key);
  if (cached && opts.trustCachedMs && Date.now() - cached.checkedAt < opts.trustCachedMs) return cached.text;
  if (cached && confirmedAfter(cached.githubAt, pushedAt)) return cached.text;
  try {
    const res = await gh.rest.repos.getContent({
      ...ref,
      path,
      headers: cached ? { "if-none-match": cached.etag } : {},
    });
    const data = res.data as { type?: string; content?: string; encoding?: string };
    if (Array.isArray(res.data) || data.type !== "file" || typeof data.content !== "string") return null;
    const text = await fileText(gh, ref, path, data);
    if (res.headers.etag) fileCache.set(key, { etag: res.headers.etag, text, checkedAt: Date.now(), githubAt: githubTime(res.headers) });
    missingSince.delete(key);
    return text;
  } catch (err) {
    const headers = (err as { response?: { headers?: Record<string, unknown> } }).response?.headers;
    if (httpStatus(err) === 304 && cached) {
      cached.checkedAt = Date.now();
      cached.githubAt = githubTime(headers);
      return cached.text;
    }
    if (httpStatus(err) === 404) {
      fileCache.delete(key);
      missingSince.set(key, { at: Date.now(), githubAt: githubTime(headers) });
      return null;
    }
    throw err;
  }
}

/**
 * A file's text from the contents API's answer. Over 1 MB GitHub leaves it out (`encoding: "none"`, a CODEOWNERS
 * of a large monorepo: GitHub reads up to 3 MB): it is read again raw, never taken as empty nor failing every PR.
 */
async function fileText(gh: GitHub, ref: RepoRef, path: string, data: { content?: string; encoding?: string }, at?: string): Promise<string> {
  if (data.encoding !== "none") return Buffer.from(data.content ?? "", (data.encoding as BufferEncoding) ?? "base64").toString("utf8");
  const raw = await gh.rest.repos.getContent({ ...ref, path, ...(at ? { ref: at } : {}), mediaType: { format: "raw" } });
  return typeof raw.data === "string" ? raw.data : String(raw.data);
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

/** Is the org floor read (the operator's `ORG_FLOOR=true`)? Off, no floor is read: not a single request more. */
export const orgFloorOn = (env: NodeJS.ProcessEnv = process.env) => env.ORG_FLOOR === "true";

/**
 * Loads the policy that governs `ref`: `.github/agent-governance.yml` on the
 * default branch, else the same file in the owner's `.github` repository.
 * Never reads from a PR's head. An `ok` result lists the files it was built from.
 * With `ORG_FLOOR=true`, the owner's `.github` file is read at once beside it, and its
 * `floor:` raises the policy (src/config/floor.ts).
 */
export async function loadPolicy(gh: GitHub, ref: RepoRef, opts: ReadOptions = {}): Promise<PolicySource> {
  const loaded = await readPolicy(gh, ref, opts);
  if (loaded.kind === "ok") lastPolicies.set(`${ref.owner}/${ref.repo}`.toLowerCase(), loaded.policy);
  return loaded;
}

/**
 * The policy a PR proposes: the policy file (and an `_extends` base kept in the same repository) read at
 * commit `sha`, with what the default branch's read would add (the org's fallback, its floor). Only for
 * the policy-change preview: nothing is ever governed by it.
 */
export function loadPolicyAt(gh: GitHub, ref: RepoRef, sha: string, inForce?: PolicySource): Promise<PolicySource> {
  return readPolicy(gh, ref, {}, sha, inForce?.kind === "ok" ? inForce.files : []);
}

/** Policy texts at a commit, by `owner/repo@sha:path`: a commit's files never change. */
const policyAtCache = new LruCache<string, string | null>(200);

/** A file's text at a commit (null: not there, or not a file). */
async function readAt(gh: GitHub, ref: RepoRef, path: string, sha: string): Promise<string | null> {
  const key = `${ref.owner}/${ref.repo}@${sha}:${path}`.toLowerCase();
  const cached = policyAtCache.get(key);
  if (cached !== undefined) return cached;
  let text: string | null = null;
  try {
    const { data } = await gh.rest.repos.getContent({ ...ref, path, ref: sha });
    const file = data as { type?: string; content?: string; encoding?: string };
    if (!Array.isArray(data) && file.type === "file" && typeof file.content === "string") {
      text = await fileText(gh, ref, path, file, sha);
    }
  } catch (err) {
    if (httpStatus(err) !== 404) throw err;
  }
  policyAtCache.set(key, text);
  return text;
}

const sameRepo = (a: RepoRef, b: RepoRef) => a.owner.toLowerCase() === b.owner.toLowerCase() && a.repo.toLowerCase() === b.repo.toLowerCase();

/** `ref`'s policy (at commit `at`, for the preview; else its default branch's), raised to the org floor when it is read. */
async function readPolicy(gh: GitHub, ref: RepoRef, opts: ReadOptions, at?: string, trusted: readonly PolicyFile[] = []): Promise<PolicySource> {
  const org: RepoRef = { owner: ref.owner, repo: ".github" };
  const inOrg = ref.repo.toLowerCase() === ".github";
  // The org's file is read once: for the floor, beside the repository's file, and as the fallback policy.
  let orgText: Promise<string | null> | undefined;
  const readOrg = () => (orgText ??= readFile(gh, org, POLICY_PATH, opts, true));
  const floorOn = orgFloorOn();
  if (floorOn && !inOrg) readOrg().catch(() => undefined);
  const read = (target: RepoRef, path: string, o: ReadOptions) =>
    at && sameRepo(target, ref) ? readAt(gh, target, path, at) : readFile(gh, target, path, o, !sameRepo(target, ref));
  // The preview reads a file the PR's author names: of another repository (which the installation may read and the
  // author may not), only the org's policy or a base the policy in force extends already, so none is quoted back.
  const orgFile = `${org.owner}/${org.repo}:${POLICY_PATH}`;
  const mayExtend = at
    ? (target: RepoRef, path: string) =>
        sameRepo(target, ref) ||
        (sameRepo(target, org) && path === POLICY_PATH) ||
        trusted.some((f) => f.repo.toLowerCase() === `${target.owner}/${target.repo}`.toLowerCase() && f.path === path)
          ? null
          : `the preview does not read ${target.owner}/${target.repo}:${path}: a proposed policy may extend a file of another repository only when the policy in force extends it already, or the organization's \`.github\` policy (${orgFile}); the app reads it once the change is merged`
    : undefined;
  const [loaded, floorText] = await Promise.all([
    buildPolicy(ref, read, opts, inOrg ? undefined : readOrg, mayExtend),
    floorOn && !inOrg ? readOrg() : Promise.resolve(null),
  ]);
  if (!floorOn || loaded.kind !== "ok") return loaded;
  // In the `.github` repository the floor is its own file's; elsewhere the `.github` repository's.
  const floorSource = `${org.owner}/${org.repo}:${POLICY_PATH}`;
  let floor = inOrg ? loaded.policy.floor : undefined;
  if (floorText !== null) {
    const parsed = parseCached(floorText, floorSource).parsed;
    // An unreadable floor is never dropped silently: the check fails as for an invalid policy.
    if (!parsed.ok) return { kind: "invalid", problems: parsed.problems, source: floorSource };
    floor = parsed.policy.floor;
  }
  if (!floor) return loaded;
  const { policy, changes } = applyFloor(floor, loaded.policy);
  return { ...loaded, policy, ...(changes.length ? { floored: changes } : {}), floorSource };
}

type Read = (target: RepoRef, path: string, opts: ReadOptions) => Promise<string | null>;

/** The policy file of `ref`, else the org's (`readOrg`), with its `_extends` base, parsed and merged. */
async function buildPolicy(ref: RepoRef, read: Read, opts: ReadOptions, readOrg?: () => Promise<string | null>, mayExtend?: (target: RepoRef, path: string) => string | null): Promise<PolicySource> {
  let from: RepoRef = ref;
  let text = await read(ref, POLICY_PATH, opts);
  if (text === null && readOrg) {
    from = { owner: ref.owner, repo: ".github" };
    text = await readOrg();
  }
  const source = `${from.owner}/${from.repo}:${POLICY_PATH}`;
  if (text === null) return { kind: "missing" };
  const file: PolicyFile = { repo: `${from.owner}/${from.repo}`, path: POLICY_PATH };
  const { parsed, warnings } = parseCached(text, source);
  if (!parsed.ok) return { kind: "invalid", problems: parsed.problems, source };
  if (!parsed.extends) return { kind: "ok", policy: parsed.policy, source, warnings, files: [file] };

  const target = extendsTarget(parsed.extends, from);
  const baseSource = `${target.ref.owner}/${target.ref.repo}:${target.path}`;
  const here = sameRepo(target.ref, ref);
  const refused = mayExtend?.(target.ref, target.path);
  if (refused) return { kind: "invalid", source, problems: [{ file: source, line: 1, col: 1, path: "_extends", message: `\`_extends\`: ${refused}` }] };
  const baseText = await read(target.ref, target.path, here ? { pushedAt: opts.pushedAt } : {});
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
   * The PR as the event carried it (a `pull_request` or `pull_request_review` payload). Its head was
   * the head when GitHub sent the event, before any read here, so the files read below are never older
   * than it. Without it the PR is read first, and its files only after (one round trip more).
   */
  hint?: PullRequestFacts;
  /**
   * `pull_request.opened`: when no check run of ours is on the head, the PR was never evaluated, so the
   * payload is current and there are no reviews and no comment of ours: those three reads are skipped.
   * A redelivered `opened` finds its check run and reads them after all.
   */
  opened?: boolean;
  /** This app's id, so only its own check runs are taken for its own (another app may use the same name). */
  appId?: number;
  /** The policy as loaded, or its read in flight; default: read here, in the first wave. */
  loaded?: PolicySource | Promise<PolicySource>;
  /** The policy whose look-ups to make (the CLI's `--config`); default: the loaded one. */
  policy?: Policy;
  /** The repository's `pushed_at` from the webhook payload: a policy text confirmed after it is not asked for again. */
  pushedAt?: number;
  /**
   * Called with our check run on the head when the event was a push (`synchronize`), before any
   * look-up: returns the check run to keep (a new one when the head is seen anew).
   */
  onPush?: (sha: string, check: CheckRun | null, policy: Policy) => Promise<{ check: CheckRun | null; previous?: CheckRun | null }>;
  /** Told our check run on a head as soon as it is read, so that a failure later on need not read it again. */
  onCheck?: (sha: string, check: CheckRun | null) => void;
  /** The app's ledger key: with it, the ledger is read from our check runs and verified (`PullFacts.ledger`). */
  ledgerKey?: Uint8Array;
  /** The event was a push (`synchronize`) to `head`, replacing `before`. */
  push?: { head: string; before: string };
  /** The PR was reopened: its escalation wait starts again. */
  reopened?: boolean;
  /** The app's memo of its own writes: our check runs are taken from it when it knows them (src/github/memo.ts). */
  own?: OwnWrites;
  /**
   * Leave out the look-up of other open PRs with this head (`shared_head`): it can only fail a PR, so the
   * caller asks for it (`Gathered.twinsDeferred`) only when the verdict without it would let the PR merge.
   */
  deferTwins?: boolean;
}

export interface Gathered {
  facts: PullFacts;
  /** Our check run on the head (null: none yet), to update in place. */
  check: CheckRun | null;
  /** The policy as loaded (absent when the caller passed only `policy`). */
  loaded?: PolicySource;
  /** With `deferTwins`: the head whose other open PRs were not looked up, though the policy governs the PR. */
  twinsDeferred?: string;
}

/** The PR's head moved on while it was being read, three times in a row: nothing is written for a head whose files were not read. */
export class HeadMovedError extends Error {
  readonly status = undefined;
  constructor(readonly head: string) {
    super(`the PR's head kept moving while it was read (last seen ${head.slice(0, 7)}); evaluated again on its next event or retry`);
  }
}

/** A PR's files and commits at one head, by `owner/repo#N@sha:base`: a head's diff does not change, so a review or a command does not read it again. */
const headCache = new LruCache<string, { files: FileFacts[]; commits: PullFacts["commits"] }>(500);
/** Lists longer than this are not kept (memory); they are read again. */
const HEAD_CACHE_MAX_FILES = 300;

export function clearHeadCache(): void {
  headCache.clear();
}

/**
 * Gathers a PR's facts for one head, in as few round trips as the event allows:
 *
 * 1. Only without a head from the event: the PR (so that its files are read after its head is known).
 * 2. One wave: the policy (conditional), our check run on the head (all its check runs when the
 *    policy requires checks, so they are listed once), the files and commits (not read again for a
 *    head already read), the PR, its reviews and comments, and CODEOWNERS when the policy asks for
 *    code owners (conditional).
 * 3. The look-ups the policy needs for these facts (permissions, teams, checks, twin PRs).
 *
 * One head: every fact describes the head the evaluation writes to. The files are read after that
 * head was observed; if the PR read in the same wave shows another head, or the commits show the
 * head was replaced or built on, everything is read again for the newer head (three tries).
 */
export async function gatherFacts(gh: GitHub, ref: RepoRef, number: number, opts: GatherOptions = {}): Promise<Gathered> {
  const loading = Promise.resolve(opts.loaded ?? (opts.policy ? undefined : loadPolicy(gh, ref, { pushedAt: opts.pushedAt })));
  // A rejected policy read is awaited in the first wave; this keeps it from being reported as unhandled meanwhile.
  loading.catch(() => undefined);
  let hint = opts.hint;
  for (let attempt = 1; ; attempt++) {
    const got = await gatherHead(gh, ref, number, loading, { ...opts, hint });
    if ("facts" in got) return got;
    if (attempt >= 3) throw new HeadMovedError(got.moved?.head.sha ?? hint?.head.sha ?? "unknown");
    hint = got.moved;
  }
}

type Moved = { moved: PullRequestFacts | undefined };

async function gatherHead(gh: GitHub, ref: RepoRef, number: number, loading: Promise<PolicySource | undefined>, opts: GatherOptions): Promise<Gathered | Moved> {
  const pr = { ...ref, pull_number: number, per_page: 100 };
  const readPull = () => gh.rest.pulls.get({ ...ref, pull_number: number }).then((r) => r.data as PullRequestFacts);
  const readReviews = () => allPages(() => gh.paginate(gh.rest.pulls.listReviews, pr) as Promise<PullFacts["reviews"]>);
  const readComments = () => allPages(() => gh.paginate(gh.rest.issues.listComments, { ...ref, issue_number: number, per_page: 100 }) as Promise<PullFacts["comments"]>);
  const own = opts.own ? { memo: opts.own, pull: number } : undefined;
  // Our check run on the head: for a PR the memo followed from its first evaluation, one it holds nothing for is none.
  const ownHead = own && { ...own, absentIsNone: true };
  // Without a head from the event, the PR first: its files must not be older than the head they are judged for.
  const first = opts.hint ?? (await readPull());
  const sha = first.head.sha;
  // What the policy is likely to need, from the last policy read here (no request); checked once it is read.
  const guess = opts.policy ?? lastPolicy(ref);
  const listAll = requiresChecks(guess);
  // The base branch's name as written: git branch names are case-sensitive, and `MASTER` (a branch an agent can
  // push) is not `master`; a lowercased key gave a PR retargeted from one to the other the first base's files.
  const headKey = `${`${ref.owner}/${ref.repo}`.toLowerCase()}#${number}@${sha}:${first.base?.ref ?? ""}`;
  const cached = headCache.get(headKey);
  // An `opened` payload is current unless the PR was evaluated before (a check run of ours on its head).
  const speculative = opts.opened === true && opts.hint !== undefined;
  // CODEOWNERS, only for a policy that asks for code owners: at once when the policy given (or the last one read)
  // does, else as soon as the policy read shows it does; in this wave either way.
  const ownersNeeded = opts.policy ?? (usesCodeowners(guess) ? guess : undefined);
  const readOwners = () => readCodeowners(gh, ref, { pushedAt: opts.pushedAt });
  const owners: Promise<string | null | undefined> = ownersNeeded
    ? usesCodeowners(ownersNeeded)
      ? readOwners()
      : Promise.resolve(undefined)
    : loading.then((l) => (l?.kind === "ok" && usesCodeowners(l.policy) ? readOwners() : undefined));
  // The open PRs for `limits`, asked early when the PR's own object already shows an agent the policy governs:
  // at once when the last policy read here sets limits, else as soon as the policy read does (the look-ups'
  // later ask shares the read; an agent known only by its commits is listed then).
  const prefetchOpen = (p: Policy) => {
    if (!limitsSet(p)) return false;
    if (judgePullObject(p, first).governed) openPulls(gh, ref).catch(() => undefined);
    return true;
  };
  if (!prefetchOpen(guess) && !opts.policy) void loading.then((l) => l?.kind === "ok" && prefetchOpen(l.policy)).catch(() => undefined);
  // Every read of the wave settles before a failure is thrown: none is left running, and our check run, if read, is known.
  const [loadedOrNone, ours, files, commits, current, reviews, comments, codeowners] = await allSettled([
    loading,
    (listAll
      ? listChecksOnHead(gh, ref, sha, guess.escalation.check_name, opts.appId)
      : findCheckRun(gh, ref, sha, guess.escalation.check_name, opts.appId, ownHead).then((check) => ({ check, checks: undefined as CheckFacts[] | undefined }))
    ).then((found) => (opts.onCheck?.(sha, found.check), found)),
    cached ? cached.files : (pagesInParallel((page) => gh.rest.pulls.listFiles({ ...pr, page })) as Promise<FileFacts[]>),
    cached ? cached.commits : (pagesInParallel((page) => gh.rest.pulls.listCommits({ ...pr, page })) as Promise<PullFacts["commits"]>),
    opts.hint && !speculative ? readPull() : Promise.resolve(first),
    speculative ? Promise.resolve([]) : readReviews(),
    speculative ? Promise.resolve([]) : readComments(),
    owners,
  ]);
  let pull = current;
  // One head: the PR read in this wave, and the commits, must show the head the files were read for.
  // One base too: a PR retargeted after the event was sent (the event's base is `master`, the files were
  // listed against the new base) must not have those files judged, or cached, as `master`'s.
  if (pull.head.sha !== sha || (pull.base?.ref ?? "") !== (first.base?.ref ?? "")) return { moved: pull };
  if (!cached && headMoved(commits, sha, pull)) return { moved: undefined };
  const loaded = loadedOrNone ?? undefined;
  const policy = opts.policy ?? (loaded?.kind === "ok" ? loaded.policy : defaultPolicy());
  const name = policy.escalation.check_name;
  let check = ours.check;
  // The policy names another check than the one guessed: look ours up under its name (rare: a renamed check).
  if (name !== guess.escalation.check_name) check = await findCheckRun(gh, ref, sha, name, opts.appId, ownHead);
  // A new PR never evaluated: from here on, the memo records every check run written for it.
  if (speculative && check === null) opts.own?.follow(ref, number);
  let [reviewList, commentList] = [reviews, comments];
  if (speculative && check !== null) {
    // A redelivered `opened`: the PR was evaluated before, so it may have reviews, comments and a newer state.
    [pull, reviewList, commentList] = await Promise.all([readPull(), readReviews(), readComments()]);
    if (pull.head.sha !== sha || (pull.base?.ref ?? "") !== (first.base?.ref ?? "")) return { moved: pull };
  }
  // Kept only when a PR read in this wave confirmed the base: a new PR judged from its `opened` payload may have
  // been retargeted before its files were listed (they are then the new base's), and must not leave them as the
  // payload base's for a later event (the PR retargeted back) to find.
  const baseConfirmed = !(speculative && check === null);
  if (!cached && baseConfirmed && files.length <= HEAD_CACHE_MAX_FILES && !capped(pull, commits.length)) headCache.set(headKey, { files, commits });
  const facts: PullFacts = {
    pull,
    files,
    commits,
    reviews: reviewList,
    comments: defuseForeignMarkers(commentList, opts.appId),
  };
  if (codeowners !== undefined && usesCodeowners(policy)) facts.codeowners = codeowners;
  // The files the policy is built from here (an `_extends` base) are protected like the policy file.
  const policyFiles = loaded ? policyFilesIn(loaded, ref) : [];
  if (policyFiles.length) facts.policy_files = policyFiles;
  // A PR closed meanwhile is not evaluated: no look-ups for it.
  if (pull.state && pull.state !== "open") return { facts, check: null, ...(loaded ? { loaded } : {}) };
  // The check run on the head a push replaced, when read for the push (the ledger is carried from it).
  let previous: CheckRun | null | undefined;
  if (opts.onPush) ({ check, previous } = await opts.onPush(sha, check, policy));
  // Detected once here for both decisions below (the evaluator detects again from the final facts).
  const verdict = detectAgent(facts, policy.agents);
  const need = neededLookups(policy, facts, verdict);
  const twinsDue = need.sharedHead && !(speculative && check === null);
  // Deferred only while nothing on the PR can let it merge yet (no approval that may count, no command): else it is
  // asked in this wave, as the verdict will likely want it (a wave of its own after the evaluation otherwise).
  const deferTwins = opts.deferTwins === true && !approvalInSight(facts, effectivePolicy(policy, verdict, pull.base?.ref).reviewers.stale_on_push);
  const unreadable: Record<string, number> = {};
  const [permissions, teams, checks, sharedHead, recorded, ruleInputs, open] = await Promise.all([
    lookupPermissions(gh, ref, need.logins),
    lookupTeams(gh, need.teams, unreadable),
    need.checks ? (ours.checks ? Promise.resolve(ours.checks) : listChecks(gh, ref, sha)) : Promise.resolve(undefined),
    // A new PR whose head has no check run of ours shares it with no PR evaluated yet; a twin's later
    // evaluation finds the check run there, reads in full and sees this PR.
    twinsDue && !deferTwins ? twinPulls(gh, ref, sha, number) : Promise.resolve(undefined),
    // The app's ledger (invokers ever seen, the escalation's clock), and who assigned an agent when that can matter.
    recordedFacts(gh, ref, number, facts, policy, Promise.resolve(check), {
      key: opts.ledgerKey,
      appId: opts.appId,
      name,
      fresh: speculative && check === null,
      known: { sha, check },
      before: opts.push?.head === sha ? opts.push.before : undefined,
      previous,
      reopened: opts.reopened,
      own,
    }),
    readRuleInputs(gh, ref, sha, need),
    // The repository's open PRs, for `limits` only (one list per repository and minute).
    need.openPulls ? openPulls(gh, ref) : Promise.resolve(undefined),
  ]);
  Object.assign(facts, recorded, ruleInputs);
  if (open) facts.open_pulls = open;
  if (sharedHead) facts.shared_head = sharedHead;
  facts.permissions = permissions;
  facts.teams = teams;
  facts.seen_at = { [sha]: check?.started_at ?? null };
  if (Object.keys(unreadable).length) facts.unreadable_teams = unreadable;
  if (checks) facts.checks = checks;
  // A force-push after the app first saw the head means the head left and came back at a time GitHub does
  // not record (another event for it may be handled before its `synchronize`): when a command would count
  // for the head, such a head counts as not seen, and our check run on it is written anew (started now).
  if (facts.seen_at[sha] && headCommands(policy, facts, verdict)) {
    const pushed = await lastForcePush(gh, ref, number);
    if (pushed && Date.parse(pushed) > Date.parse(facts.seen_at[sha]!)) {
      facts.seen_at[sha] = null;
      check = null;
    }
  }
  const since = overrideToCarry(policy, facts, verdict);
  const merged = updateMergeBases(policy, facts, verdict).filter((b) => b !== since);
  if (since || merged.length) {
    const [carry, mergedChanges] = await Promise.all([
      since ? Promise.all([filesBetween(gh, ref, since, sha), findCheckRun(gh, ref, since, name, opts.appId, own)]) : Promise.resolve(null),
      Promise.all(merged.map((b) => filesBetween(gh, ref, b, sha))),
    ]);
    facts.changed_since = Object.fromEntries(merged.map((b, i) => [b, mergedChanges[i] ?? null]));
    if (since && carry) {
      facts.changed_since[since] = carry[0];
      facts.seen_at[since] = carry[1]?.started_at ?? null;
    }
  }
  return { facts, check, ...(loaded ? { loaded } : {}), ...(twinsDue && deferTwins ? { twinsDeferred: sha } : {}) };
}

/** An approval of the head (of any commit when approvals survive pushes) or a command: the PR may pass on this evaluation. */
function approvalInSight(facts: PullFacts, staleOnPush: boolean): boolean {
  const head = facts.pull.head.sha;
  return (
    facts.reviews.some((r) => r.state === "APPROVED" && (!staleOnPush || r.commit_id === head)) ||
    facts.comments.some((c) => parseCommand(c.body) !== null)
  );
}

/**
 * A paginated read (`() => gh.paginate(...)`) as a promise that rejects rather than throws: Octokit's paginate builds
 * the first page's URL before it returns, and throws there on a value it cannot encode (a lone surrogate in a name),
 * which would leave the reads started beside it in the same wave without a handler (an unhandled rejection).
 */
export async function allPages<T>(read: () => Promise<T>): Promise<T> {
  return read();
}

/** `Promise.all` that waits for every promise to settle, then throws the first failure (in the order given). */
async function allSettled<T extends readonly unknown[]>(promises: { [K in keyof T]: Promise<T[K]> | T[K] }): Promise<T> {
  const results = await Promise.allSettled(promises as readonly unknown[]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** GitHub lists at most 250 commits of a PR; past that the list says nothing about the head. */
const capped = (pull: PullRequestFacts, listed: number) => listed >= 250 || (typeof pull.commits === "number" && pull.commits > listed);

/**
 * Did the head move while the commits were listed? The head must be among them (else it was replaced)
 * and no listed commit may build on it (else a push landed on top). A capped list cannot tell.
 */
export function headMoved(commits: PullFacts["commits"], sha: string, pull: PullRequestFacts): boolean {
  if (commits.length === 0 || capped(pull, commits.length)) return false;
  if (!commits.some((c) => c.sha === sha)) return true;
  return commits.some((c) => (c as { parents?: { sha?: string }[] }).parents?.some((p) => p.sha === sha) ?? false);
}

/**
 * CODEOWNERS on the default branch (never a PR's head): the first of GitHub's places that has one
 * (`.github/CODEOWNERS`, `CODEOWNERS`, `docs/CODEOWNERS`), or null. The three are read at once, each
 * conditional and cached like the policy file (not asked again when confirmed after the last push).
 */
export async function readCodeowners(gh: GitHub, ref: RepoRef, opts: ReadOptions = {}): Promise<string | null> {
  const texts = await Promise.all(CODEOWNERS_PATHS.map((path) => readFile(gh, ref, path, opts)));
  return texts.find((t) => t !== null) ?? null;
}

/** Does this policy (or any of its overrides) wait on other checks? Then all check runs on the head are listed once. */
function requiresChecks(policy: Policy): boolean {
  return [...requiredCheckNames(policy)].some((name) => name !== policy.escalation.check_name);
}

/** A changed file's text at a commit, by `owner/repo@sha:path`: a commit's files never change, so no request is repeated. */
const headFileCache = new LruCache<string, string | null>(500);
/** The issues `linked_issue: verified` read, by `owner/repo#n`, with their ETags for conditional requests. */
const issueCache = new LruCache<string, { etag: string; issue: LinkedIssueFacts | null }>(2000);

/** The largest file read whole at the head (the contents API inlines up to 1 MB; real workflows and manifests are far smaller). */
export const MAX_HEAD_FILE_BYTES = 256 * 1024;

/**
 * What the finding rules and a verified `linked_issue` read besides the PR: the changed files they parse, whole,
 * at the head commit (`need.contents`, at most 20, one request each, cached by commit), and the linked issue
 * (`need.issue`, one conditional request). Each is read only when the policy needs it; nothing is read otherwise.
 */
export async function readRuleInputs(gh: GitHub, ref: RepoRef, sha: string, need: Pick<Lookups, "contents" | "issue">): Promise<Pick<PullFacts, "head_contents" | "linked_issues">> {
  const repo = `${ref.owner}/${ref.repo}`.toLowerCase();
  const readText = async (path: string): Promise<string | null> => {
    const key = `${repo}@${sha}:${path}`;
    const cached = headFileCache.get(key);
    if (cached !== undefined) return cached;
    let text: string | null = null;
    try {
      const { data } = await gh.rest.repos.getContent({ ...ref, path, ref: sha });
      const file = data as { type?: string; size?: number; content?: string; encoding?: string };
      if (!Array.isArray(data) && file.type === "file" && file.encoding === "base64" && typeof file.content === "string" && (file.size ?? 0) <= MAX_HEAD_FILE_BYTES) {
        text = Buffer.from(file.content, "base64").toString("utf8");
      }
    } catch (err) {
      if (httpStatus(err) !== 404) throw err;
    }
    headFileCache.set(key, text);
    return text;
  };
  const readIssue = async (number: number): Promise<LinkedIssueFacts | null> => {
    const key = `${repo}#${number}`;
    const cached = issueCache.get(key);
    try {
      const res = await gh.rest.issues.get({ ...ref, issue_number: number, headers: cached ? { "if-none-match": cached.etag } : {} });
      const { state, pull_request, html_url } = res.data as LinkedIssueFacts;
      const issue: LinkedIssueFacts = { number, state, ...(pull_request ? { pull_request: {} } : {}), ...(html_url ? { html_url } : {}) };
      if (res.headers.etag) issueCache.set(key, { etag: res.headers.etag, issue });
      return issue;
    } catch (err) {
      const status = httpStatus(err);
      if (status === 304 && cached) return cached.issue;
      if (status === 404 || status === 410) return null;
      throw err;
    }
  };
  const paths = need.contents ?? [];
  const [texts, issue] = await Promise.all([Promise.all(paths.map(readText)), need.issue !== undefined ? readIssue(need.issue) : Promise.resolve(undefined)]);
  return {
    ...(paths.length ? { head_contents: Object.fromEntries(paths.map((p, i) => [p, texts[i]!])) } : {}),
    ...(need.issue !== undefined ? { linked_issues: { [String(need.issue)]: issue ?? null } } : {}),
  };
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

/** How many stale approvals' compares one evaluation reads at most (each approver's latest approval has its own commit). */
const MAX_UPDATE_MERGE_READS = 3;

/**
 * The commits of stale approvals that only GitHub's "Update branch" merges followed (`updateMergeCandidates`),
 * whose compare to the head tells whether they still count. None unless approvals go stale on push and the
 * head itself is a merge `web-flow` committed: then no request is made.
 */
function updateMergeBases(base: Policy, facts: PullFacts, verdict: AgentVerdict): string[] {
  const policy = effectivePolicy(base, verdict, facts.pull.base?.ref);
  const last = facts.commits.at(-1);
  if (!policy.reviewers.stale_on_push || !isGoverned(policy, verdict)) return [];
  if (!last || last.sha !== facts.pull.head.sha || (last.parents?.length ?? 0) !== 2 || (last.committer?.login ?? "").toLowerCase() !== "web-flow") return [];
  const approvals = reviewState(facts, commandEffects(facts, policy, verdict).approvals).approvals;
  return updateMergeCandidates(facts, approvals.map((a) => a.commit)).slice(0, MAX_UPDATE_MERGE_READS);
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
  return (await listChecksOnHead(gh, ref, sha, null)).checks;
}

/** Every check run and status on a commit, listed once, and among them our own check run named `name`. */
async function listChecksOnHead(gh: GitHub, ref: RepoRef, sha: string, name: string | null, appId?: number): Promise<{ check: CheckRun | null; checks: CheckFacts[] }> {
  const [runs, statuses] = await Promise.all([
    gh.paginate(gh.rest.checks.listForRef, { ...ref, ref: sha, per_page: 100 }),
    gh.paginate(gh.rest.repos.listCommitStatusesForRef, { ...ref, ref: sha, per_page: 100 }),
  ]);
  const check = name === null ? null : ((runs as CheckRun[]).find((c) => c.name === name && (!appId || !c.app || c.app.id === appId)) ?? null);
  const checks = [
    ...runs.map((r) => ({ name: r.name, status: r.status, conclusion: r.conclusion, head_sha: r.head_sha, app: r.app?.slug ?? null })),
    // A status an app set names its bot, `slug[bot]`, as the creator.
    ...statuses.map((s) => ({ name: s.context, state: s.state, app: /^(.+)\[bot\]$/.exec(s.creator?.login ?? "")?.[1] ?? null })),
  ];
  return { check, checks };
}

export type CheckRun = Awaited<ReturnType<GitHub["rest"]["checks"]["listForRef"]>>["data"]["check_runs"][number];

/** The PR's head commit as GitHub has it now. */
export async function headOf(gh: GitHub, ref: RepoRef, number: number): Promise<string> {
  return (await gh.rest.pulls.get({ ...ref, pull_number: number })).data.head.sha;
}

/** Where `findCheckRun` may find our check run without a request: the app's memo of its own writes (src/github/memo.ts). */
export interface OwnRuns {
  memo: OwnWrites;
  /** The PR the run is looked up or written for (none: a merge group's commit). */
  pull?: number;
  /** The PR's new head: nothing remembered on it for a PR followed from its first evaluation means none (see `OwnWrites.run`). */
  absentIsNone?: boolean;
}

/** Our own check run on `sha`, if one exists, to update in place (only this app's, when its id is known); from `own` when it knows. */
export async function findCheckRun(gh: GitHub, ref: RepoRef, sha: string, name: string, appId?: number, own?: OwnRuns): Promise<CheckRun | null> {
  const known = own?.memo.run(ref, own.pull, sha, name, own.absentIsNone);
  if (known !== undefined) return known;
  const { data } = await gh.rest.checks.listForRef({ ...ref, ref: sha, check_name: name, filter: "latest", per_page: 10, ...(appId ? { app_id: appId } : {}) });
  const run = data.check_runs.find((c) => !appId || !c.app || c.app.id === appId) ?? null;
  if (run && own) own.memo.learn(ref, sha, name, run);
  return run;
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

/**
 * The look-up `deferTwins` left out, made now (the verdict without it would let the PR merge): the other
 * open PRs with this head, into `facts.shared_head`. Nothing when none was deferred.
 */
export async function addDeferredTwins(gh: GitHub, ref: RepoRef, gathered: Gathered): Promise<boolean> {
  const sha = gathered.twinsDeferred;
  if (!sha) return false;
  gathered.facts.shared_head = await twinPulls(gh, ref, sha, gathered.facts.pull.number);
  delete gathered.twinsDeferred;
  return true;
}

/** The other open PRs whose head is `sha`, besides PR `number`, in order: its twins, for `PullFacts.shared_head`. */
export async function twinPulls(gh: GitHub, ref: RepoRef, sha: string, number: number): Promise<number[]> {
  return (await pullsForCommit(gh, ref, sha)).filter((n) => n !== number).sort((a, b) => a - b);
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

/** The org floor's changes and the policy's warnings, as notes for the check summary. */
export function policyNotes(loaded: PolicySource): string[] {
  if (loaded.kind !== "ok") return [];
  // What the org floor overrides is said first: the check then shows the policy in force, not the file alone.
  const floored = (loaded.floored ?? []).map((c) => `Org floor (${loaded.floorSource}): ${floorLine(c)}`);
  if (!loaded.warnings?.length) return floored;
  return [...floored, ...policyWarningNotes(loaded.warnings)];
}

/** The policy's lint warnings as notes (at most 10). */
function policyWarningNotes(warnings: ConfigProblem[]): string[] {
  const shown = warnings.slice(0, 10).map((w) => `Policy warning: ${formatProblem(w)} (see \`agent-governance validate\`)`);
  return warnings.length > 10 ? [...shown, `… and ${warnings.length - 10} more policy warnings`] : shown;
}
