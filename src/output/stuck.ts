/**
 * `escalation.stuck`: an agent PR whose required checks failed on N heads in a row, or
 * with no push and no human activity for a while, is escalated to its invoker (and the
 * policy's `notify`), then, with `repeat`, up the tiers. Pure: the run of failing heads
 * is carried in the app's ledger (`LedgerEscalation.failed`), time is passed in.
 */
import type { Policy } from "../config/schema.js";
import { agentAccount } from "../detect/detect.js";
import { clockDurationMs, elapsedMs, type BusinessHours } from "../policy/business-time.js";
import { isBot } from "../policy/reviewers.js";
import { MAX_COUNT } from "./ledger.js";
import type { Actor, Evaluation, LedgerEscalation, PullFacts } from "../types.js";

export const STUCK_MARKER = "<!-- agent-governance:stuck -->";

const REQUIRED_CHECKS = "compliance.required_checks";

/**
 * The run of heads whose required checks failed, after this evaluation: one more for a head that failed
 * them and was not counted yet, 0 for a head that passed them, unchanged while they run (or when the
 * policy requires none). Undefined when the policy does not count failing heads.
 */
export function failedHeads(policy: Policy, e: Evaluation, recorded: LedgerEscalation["failed"]): LedgerEscalation["failed"] {
  if (!policy.escalation.stuck?.failed_heads) return undefined;
  const status = e.rules.find((r) => r.id === REQUIRED_CHECKS)?.status;
  if (status === "fail") return recorded?.head === e.head_sha ? recorded : { count: (recorded?.count ?? 0) + 1, head: e.head_sha };
  if (status === "pass") return { count: 0, head: e.head_sha };
  return recorded;
}

const human = (policy: Policy) => (u: Actor | null | undefined) => !!u && !isBot(u) && !agentAccount(u.login, policy.agents);

/**
 * When the PR last moved: the app first saw its head (`seen_at`; a head it has not seen yet was pushed
 * now), else the head commit's committer date; a human's latest review or comment; its creation.
 */
export function lastActivity(policy: Policy, facts: PullFacts, now: Date): number {
  const head = facts.pull.head.sha;
  const times: (string | null | undefined)[] = [facts.pull.created_at];
  if (facts.seen_at && head in facts.seen_at) times.push(facts.seen_at[head] ?? now.toISOString());
  else times.push(facts.commits.find((c) => c.sha === head)?.commit.committer?.date);
  const person = human(policy);
  for (const r of facts.reviews) if (person(r.user)) times.push(r.submitted_at);
  for (const c of facts.comments) if (person(c.user)) times.push(c.created_at);
  const ms = times.map((t) => (t ? Date.parse(t) : NaN)).filter((t) => Number.isFinite(t));
  return ms.length ? Math.max(...ms) : now.getTime();
}

/** Why the PR is stuck now, in words, or null. */
export function stuckReason(policy: Policy, facts: PullFacts, failed: LedgerEscalation["failed"], now: Date): string | null {
  const s = policy.escalation.stuck;
  if (!s) return null;
  if (s.failed_heads && failed && failed.count >= s.failed_heads) {
    return `its required checks failed on ${failed.count} pushes in a row (the last \`${failed.head.slice(0, 7)}\`)`;
  }
  if (s.idle) {
    const bh = policy.escalation.business_hours as BusinessHours | undefined;
    const last = lastActivity(policy, facts, now);
    if (elapsedMs(last, now.getTime(), bh) >= clockDurationMs(s.idle, bh)) {
      return `nothing was pushed and no human reviewed or commented for ${s.idle}${bh ? " of business hours" : ""} (since ${new Date(last).toISOString()})`;
    }
  }
  return null;
}

export interface StuckPlan {
  /** The stuck spell this evaluation leaves (undefined: not stuck). */
  stuck: LedgerEscalation["stuck"];
  /** The notice to post now (the spell began, and someone can be told), or null. */
  notice: string | null;
  /** Escalate the next tier now: a `repeat` fell due, or the spell began with nobody to tell. */
  nextTier: boolean;
  /** The reason, for the escalation comment, while stuck. */
  reason: string | null;
}

/**
 * What being stuck does now: a spell that begins tells the invoker and `notify` (a new comment,
 * so that they are notified); every `repeat` of it after that escalates the next tier.
 */
export function planStuck(policy: Policy, facts: PullFacts, e: Evaluation, recorded: LedgerEscalation["stuck"], failed: LedgerEscalation["failed"], now: Date): StuckPlan {
  const reason = stuckReason(policy, facts, failed, now);
  const s = policy.escalation.stuck;
  if (!reason || !s) return { stuck: undefined, notice: null, nextTier: false, reason: null };
  if (!recorded) {
    const invoker = e.agent.invoker;
    const who = [...new Set([...(invoker ? [invoker] : []), ...s.notify])];
    const notice = who.length ? stuckNotice(e, reason, invoker, s.notify) : null;
    return { stuck: { at: now.toISOString(), repeats: 0 }, notice, nextTier: notice === null, reason };
  }
  if (!s.repeat) return { stuck: recorded, notice: null, nextTier: false, reason };
  const bh = policy.escalation.business_hours as BusinessHours | undefined;
  // A `repeat` of 0 is due at every evaluation; the count stays one the ledger keeps (a count it drops would
  // restart the spell, and post its notice again, on every evaluation).
  const every = clockDurationMs(s.repeat, bh);
  const due = Math.min(MAX_COUNT, every > 0 ? Math.floor(elapsedMs(Date.parse(recorded.at), now.getTime(), bh) / every) : recorded.repeats + 1);
  return due > recorded.repeats ? { stuck: { at: recorded.at, repeats: due }, notice: null, nextTier: true, reason } : { stuck: recorded, notice: null, nextTier: false, reason };
}

function stuckNotice(e: Evaluation, reason: string, invoker: string | null, notify: readonly string[]): string {
  const agent = e.agent.name ?? e.agent.id ?? "The agent";
  const lines = [
    STUCK_MARKER,
    "### ⚠️ This agent PR looks stuck",
    "",
    `${invoker ? `@${invoker}: ` : ""}${reason}. ${agent} may need a hand: new instructions, a fix pushed, or the PR closed.`,
  ];
  const others = notify.filter((n) => n.toLowerCase() !== invoker?.toLowerCase());
  if (others.length) lines.push("", `cc ${others.map((n) => `@${n}`).join(" ")}`);
  return lines.join("\n");
}
