/**
 * The pure agent detector: PR facts in, a verdict with its evidence out.
 *
 * Signals, strongest first (the registry in `agents.ts` says which agent each points at):
 * - verified (high): the PR author is the agent's GitHub App bot, matched by login, numeric
 *   id and `type: Bot`. A User named like a bot never matches.
 * - declared (medium): what the tool writes about itself: an exact e-mail address in a
 *   commit identity or a `Co-authored-by:` trailer, commits (or the PR) authored by an agent
 *   account, a session link or footer in the body, the agent's label.
 * - hint (low): the head branch's prefix, or a merged branch's in a merge commit.
 *
 * A PR is an agent PR when its strongest signal reaches `min_strength` (default declared).
 * Agents win over automation when both reach it, so an agent's commits on a bot's PR are
 * still governed. Absent signals never prove a human wrote the PR: a PR without any is
 * simply "none detected".
 */
import { redactSecrets } from "../policy/secrets.js";
import type { AgentVerdict, Actor, CommitFacts, Confidence, DetectedAgent, Evidence, PullFacts, SignalStrength } from "../types.js";
import { matcher } from "../policy/globs.js";
import { AGENTS, MACHINE_USER, UNLISTED_BOT, type AgentEntry } from "./agents.js";

/** The `agents` section of the policy, as far as detection reads it. */
export interface DetectConfig {
  also?: {
    logins?: readonly string[];
    branches?: readonly string[];
    labels?: readonly string[];
    trailers?: readonly string[];
  };
  ignore?: readonly string[];
  min_strength?: SignalStrength;
}

const RANK: Record<SignalStrength, number> = { hint: 0, declared: 1, verified: 2 };
const CONFIDENCE: Record<SignalStrength, Confidence> = { verified: "high", declared: "medium", hint: "low" };
/** The pseudo-agent that `agents.also` signals point at. */
const CONFIGURED: AgentEntry = { id: "configured", name: "Agent named in agents.also", kind: "agent" };
/** Evidence entries kept in a verdict; the rest are counted in the last one's `where`. */
const MAX_EVIDENCE = 20;
const MAX_VALUE = 200;

const lower = (s: string) => s.toLowerCase();
const sameLogin = (a: string, b: string) => lower(a) === lower(b);
/** A value for evidence: secrets masked before it is cut (a cut token no longer looks like one). */
const clip = (raw: string) => {
  const s = redactSecrets(raw.length > 4 * MAX_VALUE ? raw.slice(0, 4 * MAX_VALUE) : raw);
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s;
};

/** A signal found, before grouping: the evidence, its agent entry and the login it matched (for `ignore`). */
interface Found {
  entry: AgentEntry;
  evidence: Evidence;
  login?: string;
}

// ---------------------------------------------------------------------------
// Text helpers, exported for other modules (compliance's AI disclosure reads trailers too).

export interface CoAuthor {
  name: string;
  /** Lower-cased address. */
  email: string;
  line: string;
}

// One greedy run up to `<` (the name is trimmed afterwards): no nested quantifiers to backtrack through.
const TRAILER = /^[ \t>]*co-authored-by:([^<\r\n]*)<([^<>\s]+)>[ \t]*\r?$/gim;

/** The `Co-authored-by:` trailers in a commit message or PR body. */
export function coAuthorTrailers(text: string | null | undefined): CoAuthor[] {
  if (!text) return [];
  return [...text.matchAll(TRAILER)].map((m) => ({
    name: (m[1] ?? "").trim(),
    email: lower(m[2] ?? ""),
    line: m[0].trim(),
  }));
}

const EMAIL_INDEX = new Map<string, AgentEntry>(AGENTS.flatMap((a) => (a.emails ?? []).map((e) => [lower(e), a] as const)));

/** The registry entry whose exact address this is, if any. */
export function agentOfEmail(email: string): AgentEntry | undefined {
  return EMAIL_INDEX.get(lower(email.trim()));
}

const NOREPLY = /^(?:\d+\+)?([a-z0-9](?:[a-z0-9-]{0,37}[a-z0-9])?)@users\.noreply\.github\.com$/i;

/** Every login the registry knows as an agent's or a bot's (lower case), so an invoker is never one of them. */
const AGENT_LOGINS = new Set(
  AGENTS.flatMap((a) => [...(a.bots ?? []), ...(a.accounts ?? [])].map((x) => lower(x.login.replace(/\[bot\]$/, "")))),
);

/**
 * Registry accounts that a login alone identifies (`openhands-agent`, `cursoragent`,
 * `renovate-bot`): those not pinned to `type: Bot`. A Bot account is told by its type
 * (`isBot`), so a User who happens to be named `copilot` is not one of these.
 */
const LOGIN_ACCOUNTS = new Map<string, AgentEntry>(
  AGENTS.flatMap((a) => (a.accounts ?? []).filter((x) => x.type !== "Bot").map((x) => [lower(x.login), a] as const)),
);

/**
 * Why `login` is an agent's (or an automation's) own account as detection knows it, or
 * null: a registry account (`an agent account (OpenHands)`), or a login in
 * `agents.also.logins`. Whichever PR it is on, and whatever `agents.ignore` says, such an
 * account is never a human approver and none of its commands is obeyed.
 */
export function agentAccount(login: string, config?: Pick<DetectConfig, "also">): string | null {
  const l = lower(login);
  const entry = LOGIN_ACCOUNTS.get(l);
  if (entry) return `an ${entry.kind === "agent" ? "agent" : "automation"} account (${entry.name})`;
  if ((config?.also?.logins ?? []).some((x) => lower(x) === l)) return "an agent account (in `agents.also.logins`)";
  return null;
}

/** The head branch comes from another repository. */
function fromFork(facts: PullFacts): boolean {
  const head = facts.pull.head.repo;
  const base = facts.pull.base.repo;
  if (head?.fork) return true;
  return Boolean(head?.full_name && base?.full_name && !sameLogin(head.full_name, base.full_name));
}

/** A registry branch prefix: `codex/`, or `*-codex/` for any `<word>-codex/`. */
function branchMatches(ref: string, prefix: string): boolean {
  if (prefix.startsWith("*-")) {
    const dash = ref.indexOf("-");
    return dash > 0 && /^[A-Za-z0-9]+$/.test(ref.slice(0, dash)) && ref.slice(dash + 1).startsWith(prefix.slice(2));
  }
  return ref.startsWith(prefix);
}

/** The whole token (URL) around a match in `text`. */
function tokenAt(text: string, index: number, length: number): string {
  const stop = /[\s()<>[\]"'`]/;
  let start = index;
  let end = index + length;
  while (start > 0 && !stop.test(text[start - 1] ?? " ")) start--;
  while (end < text.length && !stop.test(text[end] ?? " ")) end++;
  return text.slice(start, end);
}

const MERGED_BRANCH = /^Merge (?:pull request #\d+ from [^\s/]+\/|branch ')([^\s']+)/;

// ---------------------------------------------------------------------------
// Collecting signals

function collect(facts: PullFacts, cfg: DetectConfig): Found[] {
  const found: Found[] = [];
  const add = (entry: AgentEntry, strength: SignalStrength, signal: string, value: string, where: string, login?: string) =>
    found.push({ entry, evidence: { signal, strength, value: clip(value), where, agent: entry.id }, login });

  const also = cfg.also ?? {};
  const alsoLogins = (also.logins ?? []).map(lower);
  const alsoTrailers = new Set((also.trailers ?? []).map(lower));
  const alsoLabels = new Set((also.labels ?? []).map(lower));

  /** An account (PR author, commit author or committer) that is an agent's own. */
  const accountSignals = (actor: Actor, signal: string, where: string) => {
    for (const entry of AGENTS) {
      for (const acct of entry.accounts ?? []) {
        if (!sameLogin(acct.login, actor.login)) continue;
        if (acct.type && actor.type !== acct.type) continue;
        const pinned = entry.bots?.find((b) => sameLogin(b.login, actor.login))?.id;
        if (pinned !== undefined && typeof actor.id === "number" && actor.id !== pinned) continue;
        add(entry, "declared", signal, `${actor.login}${actor.type ? ` (${actor.type})` : ""}`, where, actor.login);
      }
    }
    if (alsoLogins.includes(lower(actor.login))) add(CONFIGURED, "declared", signal, actor.login, where, actor.login);
  };

  const emailSignal = (email: string, signal: string, value: string, where: string) => {
    const entry = agentOfEmail(email);
    if (entry) add(entry, "declared", signal, value, where);
    if (alsoTrailers.has(lower(email.trim()))) add(CONFIGURED, "declared", signal, value, where);
  };

  /** Trailers, session links and footers in a body or commit message. */
  const textSignals = (text: string | null | undefined, where: string) => {
    if (!text) return;
    for (const t of coAuthorTrailers(text)) emailSignal(t.email, "co-author", t.line, where);
    const low = lower(text);
    for (const entry of AGENTS) {
      for (const link of entry.links ?? []) {
        const at = low.indexOf(lower(link));
        if (at >= 0) add(entry, "declared", "session-link", tokenAt(text, at, link.length), where);
      }
      for (const footer of entry.footers ?? []) {
        if (low.includes(lower(footer))) add(entry, "declared", "footer", footer, where);
      }
    }
  };

  // The PR author.
  const user = facts.pull.user;
  if (user?.login) {
    if (user.type === "Bot") {
      let known = false;
      for (const entry of AGENTS) {
        for (const bot of entry.bots ?? []) {
          if (!sameLogin(bot.login, user.login)) continue;
          const hasId = typeof user.id === "number";
          if (bot.id !== undefined && hasId && bot.id !== user.id) continue;
          known = true;
          if (bot.id !== undefined && hasId) add(entry, "verified", "author", `${user.login} (id ${user.id}, Bot)`, "pull.user", user.login);
          else {
            const why = hasId ? `id ${user.id}, not pinned in the registry` : "no id to confirm";
            add(entry, "declared", "author", `${user.login} (Bot, ${why})`, "pull.user", user.login);
          }
        }
      }
      if (alsoLogins.includes(lower(user.login))) {
        known = true;
        add(CONFIGURED, "verified", "author", `${user.login} (Bot, in agents.also.logins)`, "pull.user", user.login);
      }
      if (!known) add(UNLISTED_BOT, "declared", "author", `${user.login} (Bot, a GitHub App not in the registry)`, "pull.user", user.login);
    } else {
      const before = found.length;
      accountSignals(user, "author", "pull.user");
      if (found.length === before && /[-_]bot$/i.test(user.login)) {
        add(MACHINE_USER, "hint", "author", `${user.login} (a User named like a bot)`, "pull.user", user.login);
      }
    }
  }

  // Commits: their GitHub accounts, git identities and messages.
  (facts.commits ?? []).forEach((c: CommitFacts, i) => {
    for (const role of ["author", "committer"] as const) {
      const actor = c[role];
      if (actor?.login) accountSignals(actor, `commit-${role}`, `commits[${i}].${role}`);
      const email = c.commit?.[role]?.email;
      if (email) emailSignal(email, `commit-${role}`, `${c.commit?.[role]?.name ?? ""} <${email}>`.trim(), `commits[${i}].commit.${role}`);
    }
    const message = c.commit?.message ?? "";
    textSignals(message, `commits[${i}].commit.message`);
    const merged = MERGED_BRANCH.exec(message)?.[1];
    if (merged) {
      for (const entry of AGENTS) {
        if ((entry.branches ?? []).some((p) => branchMatches(merged, p))) {
          add(entry, "hint", "merged-branch", merged, `commits[${i}].commit.message`);
        }
      }
    }
  });

  // The PR body and labels.
  textSignals(facts.pull.body, "pull.body");
  for (const label of facts.pull.labels ?? []) {
    const name = label?.name;
    if (!name) continue;
    for (const entry of AGENTS) {
      if ((entry.labels ?? []).some((l) => sameLogin(l, name))) add(entry, "declared", "label", name, "pull.labels");
    }
    if (alsoLabels.has(lower(name))) add(CONFIGURED, "declared", "label", name, "pull.labels");
  }

  // The head branch: a hint, since anyone can name a branch.
  const ref = facts.pull.head.ref ?? "";
  const fork = fromFork(facts);
  const refWhere = fork ? "pull.head.ref (from a fork)" : "pull.head.ref";
  for (const entry of AGENTS) {
    if ((entry.branches ?? []).some((p) => branchMatches(ref, p))) add(entry, "hint", "branch", ref, refWhere);
  }
  // A repository's own agent branches are declared, except on a fork, where anyone picks the name.
  if (ref && (also.branches ?? []).length && matcher(also.branches ?? [])(ref)) {
    add(CONFIGURED, fork ? "hint" : "declared", "branch", ref, refWhere);
  }
  return found;
}

// ---------------------------------------------------------------------------
// The invoker

/** A login for an e-mail address: GitHub's noreply form, or a commit by that address on a known account. */
function loginForEmail(email: string, facts: PullFacts): string | null {
  const addr = lower(email.trim());
  const noreply = NOREPLY.exec(addr)?.[1];
  if (noreply) return noreply;
  for (const c of facts.commits ?? []) {
    for (const role of ["author", "committer"] as const) {
      const actor = c[role];
      if (actor?.login && actor.type !== "Bot" && lower(c.commit?.[role]?.email ?? "") === addr) return actor.login;
    }
  }
  return null;
}

const isHuman = (login: string | null): login is string => !!login && !AGENT_LOGINS.has(lower(login)) && lower(login) !== "web-flow";

/** The value of the body's `Requested by:` line (Devin writes it as a line, bold text or a heading). */
export function requestedBy(body: string | null | undefined): string | null {
  if (!body) return null;
  const at = body.search(/requested by/i);
  if (at < 0) return null;
  const rest = body.slice(at + "requested by".length, at + 2000).replace(/^[\s*_:#]+/, "");
  let line = (rest.split(/\r?\n/)[0] ?? "").trim();
  while (line.endsWith("*") || line.endsWith("_")) line = line.slice(0, -1).trimEnd();
  return line ? clip(line) : null;
}

/** Resolves a `Requested by:` value (`@login`, `Name (email)`, an e-mail, a login) to a login. */
function requesterLogin(value: string, facts: PullFacts): string | null {
  const email = /[^\s()<>]+@[^\s()<>]+\.[^\s()<>]+/.exec(value)?.[0];
  if (email) return loginForEmail(email, facts);
  const mention = /(?:^|\s)@([A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?)\b/.exec(value)?.[1];
  if (mention) return mention;
  // A bare name counts only when it is the login of someone in this PR: those are the only
  // people whose approval it could refuse, and it never guesses at a stranger's account.
  return loginsInPull(facts).find((l) => sameLogin(l, value)) ?? null;
}

/** Every login the facts mention: author, commit accounts, reviewers, commenters, permissions. */
function loginsInPull(facts: PullFacts): string[] {
  const actors: (Actor | null | undefined)[] = [
    facts.pull.user,
    ...(facts.pull.requested_reviewers ?? []),
    ...(facts.commits ?? []).flatMap((c) => [c.author, c.committer]),
    ...(facts.reviews ?? []).map((r) => r.user),
    ...(facts.comments ?? []).map((c) => c.user),
  ];
  return [...actors.flatMap((a) => (a?.login ? [a.login] : [])), ...Object.keys(facts.permissions ?? {})];
}

/** Every human `Co-authored-by:` on the commits that resolves to a login, in commit order. */
function coAuthorLogins(facts: PullFacts): string[] {
  const out: string[] = [];
  for (const c of facts.commits ?? []) {
    for (const t of coAuthorTrailers(c.commit?.message)) {
      if (agentOfEmail(t.email) || t.email.includes("[bot]") || t.name.includes("[bot]")) continue;
      const login = loginForEmail(t.email, facts);
      if (isHuman(login)) out.push(login);
    }
  }
  return out;
}

/**
 * Every human the facts name as the one who set the agent going, the primary one first:
 * the PR author for agents that open PRs under the human's own account, the `Requested by:`
 * line for agents that write one, every human co-author of the commits, and whoever assigned
 * an agent account to the PR (`assigned` timeline events); and, on a PR the agent's own account
 * opened, when no trailer names anyone, every human the PR is assigned to (the body line is the
 * agent's to write and anyone's to edit, so it never frees an assignee). The body line is editable, so it never hides a co-author: each
 * of them is refused as the invoker. And everyone the app ever recorded (`facts.ledger`) stays
 * an invoker, however the body, the assignees or a force-push change what the PR says now.
 */
function invokersOf(facts: PullFacts, entry: AgentEntry, cfg: DetectConfig, extra: Evidence[]): string[] {
  const found: string[] = [];
  const user = facts.pull.user;
  // Agents that open PRs under the human's own account: the author set them going.
  const authorIsAgent =
    !user?.login ||
    user.type === "Bot" ||
    !isHuman(user.login) ||
    (cfg.also?.logins ?? []).some((l) => sameLogin(l, user.login));
  if (user?.login && !authorIsAgent) found.push(user.login);
  if (entry.invoker === "requested-by") {
    const value = requestedBy(facts.pull.body);
    if (value) {
      extra.push({ signal: "requested-by", strength: "declared", value, where: "pull.body", agent: entry.id });
      const login = requesterLogin(value, facts);
      if (isHuman(login)) found.push(login);
    }
  }
  const trailers = coAuthorLogins(facts);
  found.push(...trailers);
  found.push(...assignedBy(facts, cfg, extra, entry));
  // No trailer names the invoker of a PR the agent's own account opened: a human it is assigned to is taken as
  // one who asked, whatever the (editable) body says; GitHub assigns Copilot's PRs to whoever assigned Copilot.
  if (trailers.length === 0 && authorIsAgent) {
    for (const a of facts.pull.assignees ?? []) {
      if (a?.login && a.type !== "Bot" && isHuman(a.login) && !isConfiguredAgent(a.login, cfg)) {
        extra.push({ signal: "assignee", strength: "hint", value: clip(a.login), where: "pull.assignees", agent: entry.id });
        found.push(a.login);
      }
    }
  }
  // Everyone the app has ever seen named stays an invoker, however the PR reads now (`facts.ledger`).
  const recorded = facts.ledger?.invokers;
  for (const login of Array.isArray(recorded) ? recorded : []) {
    if (typeof login !== "string" || !isHuman(login) || found.some((l) => sameLogin(l, login))) continue;
    extra.push({ signal: "recorded-invoker", strength: "declared", value: clip(login), where: "ledger", agent: entry.id });
    found.push(login);
  }
  return found.filter((login, i) => found.findIndex((l) => sameLogin(l, login)) === i);
}

const isConfiguredAgent = (login: string, cfg: DetectConfig) => (cfg.also?.logins ?? []).some((l) => sameLogin(l, login));

/** An account the PR is assigned to that is an agent's (Copilot is assigned to issues and PRs): a Bot, a registry agent's, or one in `agents.also.logins`. */
export function isAssignedAgent(actor: Actor | null | undefined, cfg: DetectConfig = {}): boolean {
  return !!actor?.login && (actor.type === "Bot" || !isHuman(actor.login) || isConfiguredAgent(actor.login, cfg));
}

/** The humans who assigned an agent account to the PR (`assigned` timeline events, when the facts carry them). */
function assignedBy(facts: PullFacts, cfg: DetectConfig, extra: Evidence[], entry: AgentEntry): string[] {
  const out: string[] = [];
  for (const e of facts.timeline ?? []) {
    if (e?.event !== "assigned" || !isAssignedAgent(e.assignee, cfg)) continue;
    const by = e.assigner ?? e.actor;
    if (!by?.login || by.type === "Bot" || !isHuman(by.login) || isConfiguredAgent(by.login, cfg)) continue;
    extra.push({ signal: "assigner", strength: "declared", value: clip(`${by.login} assigned ${e.assignee!.login}`), where: "timeline", agent: entry.id });
    out.push(by.login);
  }
  return out;
}

// ---------------------------------------------------------------------------
// The verdict

interface Candidate {
  entry: AgentEntry;
  found: Found[];
  best: SignalStrength;
  order: number;
}

/** Merges repeated signals (the same trailer on 30 commits) into one piece of evidence. */
function condense(found: readonly Found[]): Evidence[] {
  const byKey = new Map<string, { ev: Evidence; more: number }>();
  for (const f of found) {
    const e = f.evidence;
    const key = `${e.agent}\u0000${e.signal}\u0000${lower(e.value)}`;
    const seen = byKey.get(key);
    if (seen) seen.more++;
    else byKey.set(key, { ev: { ...e }, more: 0 });
  }
  const out = [...byKey.values()]
    .sort((a, b) => RANK[b.ev.strength] - RANK[a.ev.strength])
    .map(({ ev, more }) => (more ? { ...ev, where: `${ev.where} and ${more} more` } : ev));
  if (out.length <= MAX_EVIDENCE) return out;
  const kept = out.slice(0, MAX_EVIDENCE);
  const last = kept[MAX_EVIDENCE - 1] as Evidence;
  kept[MAX_EVIDENCE - 1] = { ...last, where: `${last.where} (${out.length - MAX_EVIDENCE} more signals not shown)` };
  return kept;
}

const NONE: AgentVerdict = { detected: false, id: null, name: null, kind: "none", confidence: null, evidence: [], invoker: null, invokers: [], agents: [] };

const COMMIT_AT = /^commits\[(\d+)\]/;
/** How many of the PR's commits carry a signal of the candidate. */
const commitCount = (c: Candidate) => new Set(c.found.map((f) => COMMIT_AT.exec(f.evidence.where)?.[1]).filter((i) => i !== undefined)).size;

/**
 * The agent verdict for a PR. Pure: reads only `facts` and the policy's `agents` section.
 *
 * Every agent whose signals reach `min_strength` is listed in `agents`; the primary one (the
 * verdict's own fields) is an agent before an automation bot, then the one with the strongest
 * signal, then the one on most commits. `agents.ignore` drops an agent's signals (by id, by
 * `automation`, or by a login that identifies it, such as the PR author's): the other agents'
 * signals still count, so an ignored agent's PR that another agent worked on is governed.
 */
export function detectAgent(facts: PullFacts, config?: DetectConfig): AgentVerdict {
  const cfg = config ?? {};
  const min = cfg.min_strength ?? "declared";
  const ignore = new Set((cfg.ignore ?? []).map(lower));
  const author = facts.pull.user?.login;

  const all = collect(facts, cfg);
  // An ignored login (the PR author's, say) ignores the whole agent it identifies, not only the signals it carries.
  const byLogin = new Set(all.filter((f) => f.login !== undefined && ignore.has(lower(f.login))).map((f) => f.entry));
  const ignored = (f: Found) =>
    ignore.has(f.entry.id) ||
    (f.entry.kind === "automation" && ignore.has("automation")) ||
    (f.login !== undefined && ignore.has(lower(f.login))) ||
    byLogin.has(f.entry);
  const kept = all.filter((f) => !ignored(f));
  const dropped = all.filter(ignored);
  const notes: Evidence[] = [];
  if (author && ignore.has(lower(author))) notes.push(ignoredNote(`the PR author ${author} is in agents.ignore`));
  if (dropped.length) notes.push(ignoredNote(`signals of ${[...new Set(dropped.map((f) => f.entry.id))].join(", ")} are ignored by agents.ignore`));

  const candidates = new Map<AgentEntry, Candidate>();
  for (const f of kept) {
    const c = candidates.get(f.entry) ?? { entry: f.entry, found: [], best: "hint", order: AGENTS.indexOf(f.entry) };
    c.found.push(f);
    if (RANK[f.evidence.strength] > RANK[c.best]) c.best = f.evidence.strength;
    candidates.set(f.entry, c);
  }
  const signals = (c: Candidate) => new Set(c.found.map((f) => f.evidence.signal)).size;
  const ranked = [...candidates.values()]
    .filter((c) => RANK[c.best] >= RANK[min])
    .sort(
      (a, b) =>
        Number(b.entry.kind === "agent") - Number(a.entry.kind === "agent") ||
        RANK[b.best] - RANK[a.best] ||
        commitCount(b) - commitCount(a) ||
        signals(b) - signals(a) ||
        (a.order < 0 ? Infinity : a.order) - (b.order < 0 ? Infinity : b.order),
    );
  const pick = ranked[0];
  if (!pick) return { ...NONE, evidence: [...condense(kept), ...notes] };

  // Every agent's invokers are refused: the primary's first.
  const extras = ranked.map((c) => {
    const extra: Evidence[] = [];
    const invokers = c.entry.kind === "agent" ? invokersOf(facts, c.entry, cfg, extra) : [];
    return { extra, invokers };
  });
  const invokers = extras.flatMap((x) => x.invokers).filter((login, i, list) => list.findIndex((l) => sameLogin(l, login)) === i);
  const agents: DetectedAgent[] = ranked.map((c, i) => ({
    id: c.entry === CONFIGURED ? null : c.entry.id,
    name: c.entry.name,
    kind: c.entry.kind,
    confidence: CONFIDENCE[c.best],
    evidence: [...condense(c.found), ...(extras[i]?.extra ?? [])],
  }));
  const primary = agents[0]!;
  return {
    detected: true,
    id: primary.id,
    name: primary.name,
    kind: primary.kind,
    confidence: primary.confidence,
    evidence: [...primary.evidence, ...notes],
    invoker: invokers[0] ?? null,
    invokers,
    agents,
  };
}

function ignoredNote(value: string): Evidence {
  return { signal: "ignored", strength: "hint", value, where: "agents.ignore" };
}
