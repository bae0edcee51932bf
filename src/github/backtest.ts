/**
 * `agent-governance backtest`: a repository's recent PRs, each read from GitHub once through
 * the app's facts module (`gatherFacts`, and the same look-up functions) and saved as a PullFacts
 * file named by number and head, so a later run reads again only the PRs that changed.
 * GitHub's rate limits are waited out, saying so; at most `concurrency` PRs are read at once.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Policy } from "../config/schema.js";
import { peekLedger } from "../output/ledger.js";
import { neededLookups, type Lookups } from "../policy/lookups.js";
import type { PullFacts } from "../types.js";
import { gatherFacts, listChecks, lookupPermissions, lookupTeams, readRuleInputs, twinPulls, type GitHub, type PolicySource, type RepoRef } from "./facts.js";

/** A PR as the list gives it: enough to know whether a saved snapshot is still current. */
export interface ListedPull {
  number: number;
  head: string;
  created_at: string;
  /** Changes with a review, a comment or a push: a snapshot of an older `updated_at` is read again. */
  updated_at: string | null;
}

/** Which PRs: those created since a time (ms), or the last N created. */
export type Selection = { since: number } | { last: number };

/** The list of the last online run, kept in the snapshot folder for `--offline`. */
export const LIST_FILE = "pulls.json";

/** `30d`, `12h`, `2w`, or an ISO date, as the cutoff in ms; null when it is none of these. */
export function parseSince(s: string, nowMs: number): number | null {
  const m = /^(\d+)([hdw])$/.exec(s.trim());
  if (m) return nowMs - Number(m[1]) * { h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as "h" | "d" | "w"];
  if (!/^\d{4}-\d{2}-\d{2}/.test(s)) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : t;
}

/** Keeps the PRs `sel` picks from a list sorted newest first. */
export function selectPulls(pulls: readonly ListedPull[], sel: Selection): ListedPull[] {
  return "last" in sel ? pulls.slice(0, sel.last) : pulls.filter((p) => Date.parse(p.created_at) >= sel.since);
}

/**
 * The repository's PRs, open and closed, newest first, as far as `sel` reaches: page after page
 * (`link: rel="next"`), stopping at the first page that reaches past it.
 */
export async function listPulls(gh: GitHub, ref: RepoRef, sel: Selection): Promise<ListedPull[]> {
  const out: ListedPull[] = [];
  const per_page = "last" in sel ? Math.max(1, Math.min(sel.last, 100)) : 100;
  await gh.paginate(gh.rest.pulls.list, { ...ref, state: "all", sort: "created", direction: "desc", per_page }, (res, done) => {
    for (const p of res.data) out.push({ number: p.number, head: p.head.sha, created_at: p.created_at, updated_at: p.updated_at ?? null });
    const kept = selectPulls(out, sel);
    if (kept.length < out.length || ("last" in sel && kept.length >= sel.last)) done();
    out.splice(0, out.length, ...kept);
    return [];
  });
  return out;
}

/** How long GitHub asks to wait before a request is tried again (`retry-after`, or until `x-ratelimit-reset`), or null: not a rate limit. */
export function rateLimitWait(err: unknown, nowMs: number): { ms: number; why: string } | null {
  const e = err as { status?: number; message?: unknown; response?: { headers?: Record<string, unknown> } };
  if (e?.status !== 403 && e?.status !== 429) return null;
  const headers = e.response?.headers ?? {};
  const after = Number(headers["retry-after"]);
  if (headers["retry-after"] !== undefined && Number.isFinite(after) && after >= 0) return { ms: after * 1000, why: "as GitHub's retry-after asks" };
  const reset = Number(headers["x-ratelimit-reset"]);
  if (String(headers["x-ratelimit-remaining"]) === "0" && Number.isFinite(reset)) {
    // A second more than the reset: GitHub's clock and ours differ by up to a second.
    return { ms: Math.max(0, reset * 1000 - nowMs) + 1000, why: `until the rate limit resets at ${new Date(reset * 1000).toISOString()}` };
  }
  // A secondary rate limit without retry-after: GitHub asks to wait at least a minute.
  if (typeof e.message === "string" && /secondary rate limit/i.test(e.message)) return { ms: 60_000, why: "after a secondary rate limit" };
  return null;
}

export interface Waiting {
  /** Tells the user (one line, no newline). */
  say(line: string): void;
  sleep(ms: number): Promise<void>;
  now(): number;
  /** Waits for one request before its error is given up on (default 5). */
  maxWaits?: number;
}

/** Makes every request of `gh` wait out a rate limit and try again (at most `maxWaits` times), saying so. */
export function waitOnRateLimits(gh: GitHub, w: Waiting): void {
  gh.hook.wrap("request", async (request, options) => {
    for (let waits = 0; ; waits++) {
      try {
        return await request(options);
      } catch (err) {
        const wait = waits < (w.maxWaits ?? 5) ? rateLimitWait(err, w.now()) : null;
        if (!wait) throw err;
        const path = pathOf((err as { request?: { url?: string } }).request?.url ?? String(options.url));
        w.say(`rate limited by GitHub (${(err as { status: number }).status}) on ${options.method} ${path}: waiting ${Math.ceil(wait.ms / 1000)}s ${wait.why}`);
        await w.sleep(wait.ms);
      }
    }
  });
}

/** A request's path, without the host and query. */
const pathOf = (url: string) => {
  try {
    return new URL(url).pathname;
  } catch {
    return url.replace(/\?.*$/, "");
  }
};

/** Runs `fn` on every item, at most `limit` at once; results in the items' order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** Where a PR's snapshot at a head is kept. */
export const snapshotFile = (dir: string, number: number, head: string) => join(dir, `pr-${number}-${head}.json`);

/** What `policy` needs for these facts that they do not hold (as `neededLookups` says, minus what is there). */
export function missingLookups(facts: PullFacts, policy: Policy): Lookups {
  const need = neededLookups(policy, facts);
  const contents = (need.contents ?? []).filter((p) => !(p in (facts.head_contents ?? {})));
  const issue = need.issue !== undefined && !(String(need.issue) in (facts.linked_issues ?? {})) ? need.issue : undefined;
  return {
    logins: need.logins.filter((l) => !(l in (facts.permissions ?? {}))),
    teams: need.teams.filter((t) => !(t in (facts.teams ?? {})) && !(t in (facts.unreadable_teams ?? {}))),
    checks: need.checks && !facts.checks,
    // The PRs sharing the head's check run matter only while the PR is open.
    sharedHead: need.sharedHead && facts.shared_head === undefined && (facts.pull.state ?? "open") === "open",
    ...(contents.length ? { contents } : {}),
    ...(issue !== undefined ? { issue } : {}),
  };
}

export const lacksNothing = (m: Lookups) => !m.logins.length && !m.teams.length && !m.checks && !m.sharedHead && !m.contents && m.issue === undefined;

/**
 * Reads what `policy` needs that `facts` lack, with the app's look-up functions: for a closed PR
 * (which `gatherFacts` does not look up: the app never evaluates one), and for a second policy
 * (`--compare`) or a snapshot saved under another. Returns whether anything was added.
 */
export async function completeLookups(gh: GitHub, ref: RepoRef, facts: PullFacts, policy: Policy): Promise<boolean> {
  const m = missingLookups(facts, policy);
  if (lacksNothing(m)) return false;
  const sha = facts.pull.head.sha;
  const unreadable: Record<string, number> = {};
  const [permissions, teams, checks, shared, inputs] = await Promise.all([
    lookupPermissions(gh, ref, m.logins),
    lookupTeams(gh, m.teams, unreadable),
    m.checks ? listChecks(gh, ref, sha) : undefined,
    m.sharedHead ? twinPulls(gh, ref, sha, facts.pull.number) : undefined,
    readRuleInputs(gh, ref, sha, m),
  ]);
  facts.permissions = { ...facts.permissions, ...permissions };
  facts.teams = { ...facts.teams, ...teams };
  if (Object.keys(unreadable).length) facts.unreadable_teams = { ...facts.unreadable_teams, ...unreadable };
  if (checks) facts.checks = checks;
  if (shared) facts.shared_head = shared;
  if (inputs.head_contents) facts.head_contents = { ...facts.head_contents, ...inputs.head_contents };
  if (inputs.linked_issues) facts.linked_issues = { ...facts.linked_issues, ...inputs.linked_issues };
  return true;
}

export interface Collected {
  pull: ListedPull;
  facts?: PullFacts;
  /** Read from GitHub (`read`) or from the snapshot folder (`saved`). */
  from?: "read" | "saved";
  file?: string;
  /** Why the PR could not be read. */
  error?: string;
}

export interface CollectOptions {
  /** The snapshot folder (`--out`); without it nothing is saved nor reused. */
  dir?: string;
  /** Every policy the PRs will be evaluated under: the first is the one the facts are gathered for; each one's look-ups are read. */
  policies: readonly Policy[];
  /** The repository's policy as loaded, when it is the first policy (its `_extends` base goes into `policy_files`). */
  loaded?: PolicySource;
  concurrency?: number;
  /** Reads a saved snapshot (the CLI's `readFacts`); throws when it is not one. */
  readSaved(file: string): PullFacts;
  /** Told as each PR is done. */
  onPull?(c: Collected, done: number, total: number): void;
}

/** A saved snapshot of `p`'s current head, if one is there and no review, comment or push came since. */
function saved(dir: string | undefined, p: ListedPull, read: (file: string) => PullFacts): { facts: PullFacts; file: string } | null {
  if (!dir) return null;
  const file = snapshotFile(dir, p.number, p.head);
  if (!existsSync(file)) return null;
  try {
    const facts = read(file);
    if (p.updated_at && facts.pull.updated_at && facts.pull.updated_at !== p.updated_at) return null;
    return { facts, file };
  } catch {
    return null; // Not a snapshot after all: read again, and overwritten.
  }
}

/** Each PR's facts: from the snapshot folder when current there, else read from GitHub (and saved). */
export async function collectFacts(gh: GitHub | null, ref: RepoRef, pulls: readonly ListedPull[], o: CollectOptions): Promise<Collected[]> {
  if (o.dir) mkdirSync(o.dir, { recursive: true });
  let done = 0;
  return mapBounded(pulls, o.concurrency ?? 4, async (pull) => {
    let c: Collected;
    try {
      c = await collectOne(gh, ref, pull, o);
    } catch (err) {
      const status = (err as { status?: number }).status;
      c = { pull, error: `${status ? `${status} ` : ""}${(err as Error).message}` };
    }
    o.onPull?.(c, ++done, pulls.length);
    return c;
  });
}

async function collectOne(gh: GitHub | null, ref: RepoRef, pull: ListedPull, o: CollectOptions): Promise<Collected> {
  const kept = saved(o.dir, pull, o.readSaved);
  if (!gh) return kept ? { pull, facts: kept.facts, from: "saved", file: kept.file } : { pull, error: `no snapshot of its head ${pull.head.slice(0, 7)} in ${o.dir}` };
  let facts = kept?.facts;
  let changed = false;
  if (!facts) {
    const gathered = await gatherFacts(gh, ref, pull.number, { ...(o.policies[0] ? { policy: o.policies[0] } : {}), ...(o.loaded ? { loaded: o.loaded } : {}) });
    facts = gathered.facts;
    // The app's ledger on the head's check run, as recorded (unverified: the CLI has no key), as `snapshot` does.
    const ledger = peekLedger(gathered.check?.output?.text);
    if (ledger !== undefined) facts.ledger = ledger;
    changed = true;
  }
  for (const policy of o.policies) changed = (await completeLookups(gh, ref, facts, policy)) || changed;
  const file = o.dir ? snapshotFile(o.dir, pull.number, facts.pull.head.sha) : undefined;
  if (file && changed) writeFileSync(file, `${JSON.stringify(facts, null, 2)}\n`);
  return { pull, facts, from: kept ? "saved" : "read", ...(file ? { file } : {}) };
}

/** Saves the list the PRs were picked from, for `--offline`. */
export function saveList(dir: string, pulls: readonly ListedPull[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, LIST_FILE), `${JSON.stringify(pulls, null, 2)}\n`);
}

/** The list the last online run saved in `dir`; throws saying what is wrong. */
export function readList(dir: string): ListedPull[] {
  const file = join(dir, LIST_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new Error(code === "ENOENT" ? `${file}: no such file; run backtest once online with --out ${dir}` : `${file}: ${(err as Error).message}`);
  }
  const ok = (p: unknown) => {
    const x = p as Partial<ListedPull> | null;
    // The number and head go into a snapshot's file name: a PR number and a commit id only, never a path.
    return !!x && Number.isSafeInteger(x.number) && x.number! > 0 && typeof x.head === "string" && /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/i.test(x.head) && typeof x.created_at === "string";
  };
  if (!Array.isArray(raw) || !raw.every(ok)) throw new Error(`${file}: not a list of PRs ({ number, head, created_at })`);
  return raw as ListedPull[];
}
