/**
 * Reading the app's ledger (src/output/ledger.ts) while gathering facts: from our check run on the
 * head, else from the head it replaced, verified with the app's key; and, only when it can matter,
 * the timeline's `assigned` events (who assigned an agent such as Copilot).
 */
import type { Probot } from "probot";
import type { Policy } from "../config/schema.js";
import { detectAgent, isAssignedAgent } from "../detect/detect.js";
import { effectivePolicy } from "../policy/evaluate.js";
import { LEDGER_KEY_LABEL, ledgerSubject, mergeLedgers, nextLedger, openLedger, sealLedger } from "../output/ledger.js";
import type { EscalationPlan } from "../output/escalation.js";
import type { Evaluation, Ledger, PullFacts, TimelineEventFacts } from "../types.js";
import { findCheckRun, type CheckRun, type GitHub, type OwnRuns, type RepoRef } from "./facts.js";

/**
 * The app's ledger key: the HMAC of a fixed label under its webhook secret (Probot signs with it),
 * so it is known to every replica and to nobody without the secret, and is never logged.
 */
export async function ledgerKeyOf(app: Probot): Promise<Uint8Array | undefined> {
  try {
    await app.ready();
    const signature = await app.webhooks.sign(LEDGER_KEY_LABEL);
    const hex = /^sha256=([0-9a-f]{64})$/.exec(signature)?.[1];
    return hex ? Buffer.from(hex, "hex") : undefined;
  } catch {
    return undefined;
  }
}

export interface LedgerSources {
  /** The app's key; without it (the CLI) no ledger is read. */
  key?: Uint8Array;
  appId?: number;
  /** The check's name. */
  name: string;
  /** A PR just opened and never evaluated: nothing is recorded yet, nothing is read. */
  fresh: boolean;
  /** Our check run on the head the event named, as already read (null: none): an earlier head when the PR has moved on. */
  known?: { sha: string; check: CheckRun | null } | undefined;
  /** For a push (`synchronize`) to that head: the head it replaced, and our check run there when already read (null: none). */
  before?: string | undefined;
  previous?: CheckRun | null | undefined;
  /** The PR was closed and reopened: its wait starts again. */
  reopened?: boolean;
  /** The app's memo of its own check runs (never trusted for an absence here). */
  own?: OwnRuns | undefined;
}

/** How many of the PR's latest commits are looked at for the last head the app saw, when no push names it. */
export const PREVIOUS_HEADS = 3;

/**
 * The ledger and `assigned` timeline events for PullFacts. The head's check run is awaited from
 * `headCheck` (read in the same wave as the look-ups); anything else is read only when needed.
 */
export async function recordedFacts(
  gh: GitHub,
  ref: RepoRef,
  number: number,
  facts: PullFacts,
  policy: Policy,
  headCheck: Promise<CheckRun | null>,
  src: LedgerSources,
): Promise<Pick<PullFacts, "ledger" | "timeline">> {
  const out: Pick<PullFacts, "ledger" | "timeline"> = {};
  if (src.key) out.ledger = await readLedger(gh, ref, number, facts, headCheck, { ...src, key: src.key });
  const timeline = await assignedEvents(gh, ref, number, { ...facts, ...out }, policy);
  if (timeline) out.timeline = timeline;
  return out;
}

const isLedger = (l: Ledger | null | undefined): l is Ledger => !!l;

/**
 * The PR's ledger: our check run's on the head, merged with the one on the head a push replaced when
 * that was read anyway. A head without a valid one (a new head, or a run written before ledgers or while
 * GitHub failed) takes the last head the app saw: the one the push replaced, else the newest of the PR's
 * latest commits with our check run. A ledger that fails verification is discarded: when nothing valid is
 * left, null (the safe side). Nothing recorded anywhere: a PR the app never saw, an empty ledger.
 */
async function readLedger(
  gh: GitHub,
  ref: RepoRef,
  number: number,
  facts: PullFacts,
  headCheck: Promise<CheckRun | null>,
  src: LedgerSources & { key: Uint8Array },
): Promise<Ledger | null> {
  if (src.fresh) return { invokers: [] };
  const subject = ledgerSubject(ref.owner, ref.repo, number);
  const open = (run: CheckRun | null | undefined) => (run ? openLedger(run.output?.text, src.key, subject) : undefined);
  // The event's push is the head: the head it replaced is the one before. Else the event named a head the PR has
  // since left (a late event), so that one came before, and our run on it was read already.
  const pushed = src.known?.sha === facts.pull.head.sha;
  const before = pushed ? src.before : undefined;
  let previous: CheckRun | null | undefined = pushed ? src.previous : src.known?.check;
  // A push's replaced head is read at once, beside the head's: a new head has no ledger yet.
  const replaced = before && previous === undefined ? findCheckRun(gh, ref, before, src.name, src.appId, src.own) : undefined;
  replaced?.catch(() => undefined); // awaited below when needed; never an unhandled rejection
  const atHead = open(await headCheck);
  if (!isLedger(atHead) && previous === undefined) previous = replaced ? await replaced : await lastSeenHead(gh, ref, facts, src);
  const earlier = open(previous);
  const valid = [atHead, earlier].filter(isLedger);
  let ledger: Ledger | null = valid.length ? valid.reduce(mergeLedgers) : atHead === null || earlier === null ? null : { invokers: [] };
  if (ledger?.escalation && src.reopened && (ledger.escalation.started || ledger.escalation.since)) {
    ledger = { ...ledger, escalation: { ...ledger.escalation, paused: true } };
  }
  return ledger;
}

/** Our check run on the newest of the PR's latest commits (before the head) that has one, or null. */
async function lastSeenHead(gh: GitHub, ref: RepoRef, facts: PullFacts, src: LedgerSources): Promise<CheckRun | null> {
  const head = facts.pull.head.sha;
  const shas = facts.commits.map((c) => c.sha).filter((s) => s && s !== head).slice(-PREVIOUS_HEADS).reverse();
  const runs = await Promise.all(shas.map((sha) => findCheckRun(gh, ref, sha, src.name, src.appId, src.own)));
  return runs.find((r) => r !== null) ?? null;
}

/**
 * The PR's `assigned` timeline events, read only when they can name the invoker: an agent account is
 * among the assignees, and nothing else (trailers, the body, a human assignee, the ledger) names one.
 */
async function assignedEvents(gh: GitHub, ref: RepoRef, number: number, facts: PullFacts, policy: Policy): Promise<TimelineEventFacts[] | undefined> {
  if (!(facts.pull.assignees ?? []).some((a) => isAssignedAgent(a, policy.agents))) return undefined;
  const verdict = detectAgent(facts, policy.agents);
  if (verdict.kind !== "agent" || verdict.invokers.length > 0) return undefined;
  if (effectivePolicy(policy, verdict, facts.pull.base?.ref).reviewers.invoker_can_approve) return undefined;
  const events = await gh.paginate(gh.rest.issues.listEventsForTimeline, { ...ref, issue_number: number, per_page: 100 });
  return (events as (TimelineEventFacts & Record<string, unknown>)[])
    .filter((e) => e.event === "assigned")
    .map((e) => ({ event: e.event, actor: e.actor ?? null, assignee: e.assignee ?? null, ...(e.assigner ? { assigner: e.assigner } : {}), created_at: e.created_at ?? null }));
}

/**
 * The hidden text for our check run: the ledger this evaluation leaves, sealed. When the PR could
 * not be evaluated, or its outputs not all written (`escalation` undefined), the text the run already
 * had: the record stays as it was, so a tier whose notification failed is notified on the retry.
 * Without a key, none.
 */
export function ledgerText(
  key: Uint8Array | undefined,
  target: RepoRef & { number: number },
  result: { evaluation: Evaluation; facts: PullFacts | null; check?: CheckRun | null },
  escalation: EscalationPlan | undefined,
): string | undefined {
  if (!key) return undefined;
  if (!result.facts || !escalation) return result.check?.output?.text ?? undefined;
  return sealLedger(nextLedger(result.facts.ledger, result.evaluation, escalation.state), key, ledgerSubject(target.owner, target.repo, target.number));
}
