/**
 * The escalation comment and tiers, planned purely from the Evaluation, the
 * PR's facts (its comment list holds the previous comment and its state) and
 * the time. One comment per PR, found by a hidden marker, edited in place.
 */
import type { Policy } from "../config/schema.js";
import { clockDurationMs, elapsedMs, type BusinessHours } from "../policy/business-time.js";
import { describeRequirement } from "../policy/reviewers.js";
import { redactSecrets } from "../policy/secrets.js";
import type { CommentFacts, Evaluation, LedgerEscalation, PullFacts } from "../types.js";
import { COMMANDS, overrideWho } from "../commands/answer.js";
import { cleanLedger } from "./ledger.js";
import { failedHeads, planStuck } from "./stuck.js";
import { OPEN_PRS_RULE } from "../policy/swarm.js";

export const ESCALATION_MARKER = "<!-- agent-governance:escalation -->";
const STATE_RE = /<!-- agent-governance:state (\{.*?\}) -->/;

/**
 * Tier index → when it was notified; when the PR first needed humans (`started`, recorded in the
 * app's ledger; without a ledger, the comment's time); when it last started waiting again after a
 * draft, a close or a pass (`since`); and whether it is `paused` now.
 */
export type EscalationState = LedgerEscalation;

export interface ExistingEscalation {
  comment: CommentFacts;
  state: EscalationState;
}

/**
 * The escalation state the facts record: the app's ledger when the facts carry one (a ledger that
 * failed verification, `null`, counts from the PR's creation with no tier notified: the safe side),
 * else the escalation comment's state (hand-written facts).
 */
export function recordedEscalation(facts: PullFacts, existing: ExistingEscalation | null = findEscalation(facts)): EscalationState {
  if (facts.ledger === undefined) return existing?.state ?? { notified: {} };
  if (facts.ledger === null) return { notified: {}, ...(facts.pull.created_at ? { started: facts.pull.created_at } : {}) };
  return cleanLedger(facts.ledger)?.escalation ?? { notified: {} };
}

/** The app's escalation comments on this PR, oldest first (with the marker, written by a bot). More than one only when two replicas raced to create it. */
export function escalationComments(facts: Pick<PullFacts, "comments">): CommentFacts[] {
  return facts.comments
    .filter((c) => (c.body ?? "").startsWith(ESCALATION_MARKER) && (c.user?.type === "Bot" || /\[bot\]$/.test(c.user?.login ?? "")))
    .sort((a, b) => a.id - b.id);
}

/** The app's escalation comment on this PR, if any (the oldest). */
export function findEscalation(facts: PullFacts): ExistingEscalation | null {
  const comment = escalationComments(facts)[0];
  if (!comment) return null;
  return { comment, state: parseState(comment.body ?? "") };
}

export function parseState(body: string): EscalationState {
  const m = STATE_RE.exec(body);
  if (!m) return { notified: {} };
  try {
    const parsed = JSON.parse(m[1]!) as Partial<EscalationState>;
    const notified: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed.notified ?? {})) {
      if (/^\d+$/.test(k) && typeof v === "string" && !Number.isNaN(Date.parse(v))) notified[k] = v;
    }
    const state: EscalationState = { notified };
    if (typeof parsed.since === "string" && !Number.isNaN(Date.parse(parsed.since))) state.since = parsed.since;
    if (parsed.paused === true) state.paused = true;
    // The stuck records, as the ledger reads them (the same checks).
    const kept = cleanLedger({ invokers: [], escalation: { notified: {}, failed: parsed.failed, stuck: parsed.stuck } })?.escalation;
    if (kept?.failed) state.failed = kept.failed;
    if (kept?.stuck) state.stuck = kept.stuck;
    return state;
  } catch {
    return { notified: {} };
  }
}

export type Tier = Policy["escalation"]["tiers"][number];

/**
 * The tiers due now: every tier whose `after` has passed since the PR was opened (on the policy's
 * clock: business time with `business_hours`), and with `escalateNow` the next tier after the highest notified one.
 */
export function dueTiers(tiers: readonly Tier[], openedAt: string | undefined, now: Date, state: EscalationState, escalateNow: boolean, bh?: BusinessHours): number[] {
  const waited = openedAt ? elapsedMs(Date.parse(openedAt), now.getTime(), bh) : 0;
  const due = new Set<number>();
  tiers.forEach((t, i) => {
    if (waited >= clockDurationMs(t.after, bh)) due.add(i);
  });
  if (escalateNow) {
    const notified = [...Object.keys(state.notified).map(Number), ...due];
    const next = notified.length ? Math.max(...notified) + 1 : 0;
    if (next < tiers.length) due.add(next);
  }
  return [...due].sort((a, b) => a - b);
}

export interface EscalationPlan {
  /** The comment to write: create, update (by id), or nothing. */
  comment: { action: "create"; body: string } | { action: "update"; id: number; body: string } | null;
  /** Tiers notified by this evaluation, for review requests, labels and metrics. */
  newTiers: number[];
  /** Every tier notified so far, including now. */
  notifiedTiers: number[];
  /** The escalation state this evaluation leaves, for the ledger. */
  state: EscalationState;
  /** A new comment telling the invoker (and `escalation.stuck.notify`) the PR is stuck, when one is due now. */
  notice?: string;
}

/** A wait that had started is paused: it starts again when the PR needs humans again. */
const pause = (state: EscalationState): EscalationState => (state.started || state.since ? { ...state, paused: true } : state);

const NEEDS_HUMANS = new Set(["waiting", "violation"]);

export function planEscalation(
  e: Evaluation,
  facts: PullFacts,
  policy: Policy,
  now: Date,
  opts: { escalateNow?: boolean } = {},
): EscalationPlan {
  const existing = findEscalation(facts);
  const recorded = recordedEscalation(facts, existing);
  const state: EscalationState = { ...recorded, notified: { ...recorded.notified } };
  const none = (s: EscalationState): EscalationPlan => ({ comment: null, newTiers: [], notifiedTiers: Object.keys(s.notified).map(Number).sort((a, b) => a - b), state: s });

  if (e.outcome === "not_governed" || e.outcome === "error") return none(state);
  // The run of heads failing their required checks, counted whatever the outcome (only when the policy counts it).
  const failed = failedHeads(policy, e, recorded.failed);
  if (failed) state.failed = failed;
  else delete state.failed;
  if (!policy.escalation.comment) return none(state);

  if (!NEEDS_HUMANS.has(e.outcome)) {
    // Nothing is needed from anyone: not stuck (a later spell starts afresh).
    delete state.stuck;
    if (!existing) return none(pause(state));
    const body = resolvedBody(e, { ...state, paused: true });
    return {
      comment: body === existing.comment.body ? null : { action: "update", id: existing.comment.id, body },
      newTiers: [],
      notifiedTiers: Object.keys(state.notified).map(Number),
      state: { ...state, paused: true },
    };
  }

  // A draft is still being written: no comment, no escalation, until it is marked ready for review.
  if (facts.pull.draft && !existing) return none(pause(state));
  const tiers = policy.escalation.tiers;
  // The PR has waited since it (last) started needing humans: since it first did (`started` in the app's
  // ledger; without one, when the escalation comment was posted; now, for a PR that never waited), or
  // since it came back from a draft, a close or a pass (`since`).
  if (facts.pull.draft) {
    state.paused = true;
  } else if (state.paused) {
    delete state.paused;
    // A wait that started at this very instant is not restarted (nothing would change but the record).
    if (Date.parse(state.since ?? state.started ?? "") !== now.getTime()) state.since = now.toISOString();
  }
  const waitingSince = state.since ?? state.started ?? (facts.ledger === undefined ? existing?.comment.created_at : undefined) ?? now.toISOString();
  if (!facts.pull.draft) state.started ??= waitingSince;
  // A draft is not stuck: its spell, if any, is kept as it was until it is ready again.
  const stuck = facts.pull.draft ? null : planStuck(policy, facts, e, recorded.stuck, state.failed, now);
  if (stuck?.stuck) state.stuck = stuck.stuck;
  else if (stuck) delete state.stuck;
  const bh = policy.escalation.business_hours as BusinessHours | undefined;
  const due = facts.pull.draft ? [] : dueTiers(tiers, waitingSince, now, state, (opts.escalateNow ?? false) || (stuck?.nextTier ?? false), bh);
  const newTiers = due.filter((i) => state.notified[String(i)] === undefined);
  for (const i of newTiers) state.notified[String(i)] = now.toISOString();
  const notifiedTiers = Object.keys(state.notified).map(Number).filter((i) => i < tiers.length).sort((a, b) => a - b);
  const body = waitingBody(e, policy, notifiedTiers, state, stuck?.reason ?? null);
  const notice = stuck?.notice ? { notice: stuck.notice } : {};
  if (existing) {
    return {
      comment: body === existing.comment.body ? null : { action: "update", id: existing.comment.id, body },
      newTiers,
      notifiedTiers,
      state,
      ...notice,
    };
  }
  return { comment: { action: "create", body }, newTiers, notifiedTiers, state, ...notice };
}


/** User text (an override reason) shown as code: no mentions, links or formatting. */
export const inlineCode = (text: string) => `\`${text.replace(/`/g, "'").replace(/\s+/g, " ").trim()}\``;

const stateLine = (state: EscalationState) =>
  `<!-- agent-governance:state ${JSON.stringify({ notified: state.notified, ...(state.since ? { since: state.since } : {}), ...(state.paused ? { paused: true } : {}), ...(state.failed ? { failed: state.failed } : {}), ...(state.stuck ? { stuck: state.stuck } : {}) })} -->`;

/**
 * A body of the escalation comment: the marker, `text` with secrets redacted (it
 * quotes commit subjects, the title, paths), then the state. The marker and the
 * state are added after redacting, so it can never touch them.
 */
const commentBody = (text: string, state: EscalationState) => [ESCALATION_MARKER, redactSecrets(text), "", stateLine(state)].join("\n");

const mention = (who: string) => `@${who}`;

function waitingBody(e: Evaluation, policy: Policy, notifiedTiers: number[], state: EscalationState, stuck: string | null): string {
  const agent = e.agent.name ?? e.agent.id ?? "an agent";
  const lines: string[] = [];
  if (e.outcome === "violation") {
    lines.push(`### ❌ This agent PR breaks the repository's policy`, "", `Opened by **${agent}**${e.agent.invoker ? ` for @${e.agent.invoker}` : ""}. It cannot merge until:`);
  } else {
    lines.push(`### 👀 This agent PR needs human review`, "", `Opened by **${agent}**${e.agent.invoker ? ` for @${e.agent.invoker}` : ""}. Before it can merge:`);
  }
  lines.push("");
  for (const r of e.rules.filter((r) => r.status === "fail")) {
    lines.push(`- ❌ \`${r.id}\`: ${r.message.split("\n")[0]}${r.fix ? ` _Fix:_ ${r.fix}` : ""}`);
  }
  // A PR held over the open-PR limit: no approval releases it, so the reason is said here.
  for (const r of e.rules.filter((r) => r.status === "pending" && r.id === OPEN_PRS_RULE)) lines.push(`- ⏸️ \`${r.id}\`: ${r.message}`);
  for (const r of e.required) {
    lines.push(`- ⏳ **${r.label}**: ${describeRequirement(r)}${r.blocked_by.length ? `; changes requested by ${r.blocked_by.map(mention).join(", ")}` : ""}`);
  }
  if (stuck) lines.push("", `⚠️ **Stuck:** ${stuck}.`);
  const tiers = policy.escalation.tiers;
  if (notifiedTiers.length) {
    lines.push("");
    for (const i of notifiedTiers) {
      const t = tiers[i]!;
      lines.push(`cc ${t.notify.map(mention).join(" ")} (escalation tier ${i + 1}, after ${t.after})`);
    }
  }
  lines.push(
    "",
    "<details><summary>How to act</summary>",
    "",
    "Approve with a GitHub review of the latest commit, or comment one of:",
    "",
    // As the check summary's commands line: `/governance approve` only while the policy lets it count.
    ...COMMANDS.filter((c) => policy.commands.approve.enabled || !c.usage.includes("approve")).map(
      (c) => `- \`${c.usage}\`: ${c.what}${c.usage.includes("override") ? ` (${overrideWho(policy.commands.override)})` : ""}`,
    ),
    "",
    "</details>",
  );
  return commentBody(lines.join("\n"), state);
}

/**
 * A closed PR's escalation comment no longer asks anyone for anything: the
 * edit it needs (null when there is no comment or it already says so).
 */
export function planClosedEscalation(comments: readonly CommentFacts[], merged: boolean): { id: number; body: string } | null {
  const existing = findEscalation({ comments } as PullFacts);
  if (!existing) return null;
  const body = commentBody([merged ? "### Merged" : "### Closed", "", `This PR was ${merged ? "merged" : "closed"}; nothing more is needed from reviewers.`].join("\n"), { ...existing.state, paused: true });
  return body === existing.comment.body ? null : { id: existing.comment.id, body };
}

function resolvedBody(e: Evaluation, state: EscalationState): string {
  const sha = `\`${e.head_sha.slice(0, 7)}\``;
  const why =
    e.outcome === "overridden"
      ? `overridden by @${e.overrides[0]?.login}${e.overrides[0]?.expires_at ? ` until ${e.overrides[0].expires_at}` : ""}: ${inlineCode(e.overrides[0]?.reason ?? "")}`
      : e.approvals.length
        ? `approved by ${[...new Set(e.approvals.map((a) => mention(a.login)))].join(", ")}`
        : "nothing is missing";
  return commentBody(["### ✅ Resolved", "", `The policy is satisfied on ${sha}: ${why}.`].join("\n"), state);
}
