/**
 * What did not count, and why (pure): each review approval, `/governance approve`
 * and override on the PR that counted for nothing, one line each, for the check
 * run's **Not counted** section and `explain`'s `refused`.
 *
 * One entry per person and way (review or command): their latest, as the review
 * state keeps it. Its reason, first that applies: who they are (a bot or an
 * agent's account, the author, the invoker, a contributor: `whyRefused`); not one
 * of the users or teams the requirements list (`not_in_group`), or too little
 * permission (`permission`); an approval of an older commit (`stale`). Besides:
 * an approval the same reviewer followed with a changes request
 * (`changes_requested`), commands whose comment was edited or that are turned off
 * (`commandEffects`' `ignored`), and an override past its expiry (`expired`).
 */
import { PERMISSION_ORDER, type Override, type Permission, type PullFacts, type RefusedApproval, type Requirement } from "../types.js";
import {
  byTime,
  inSet,
  isBot,
  isEligible,
  lower,
  ofHead,
  permissionOf,
  reviewsInOrder,
  whyRefused,
  type ApprovalCandidate,
  type RequirementContext,
  type ReviewerSet,
  type ReviewState,
} from "./reviewers.js";

const setOf = (r: Requirement): ReviewerSet => ({ users: r.users, teams: r.teams, min_permission: r.min_permission ?? undefined });

/** Why `login` can approve none of `requirements`, or null when they can approve one. */
export function ineligibility(login: string, requirements: readonly Requirement[], facts: PullFacts): Pick<RefusedApproval, "kind" | "reason"> | null {
  const sets = requirements.map(setOf);
  if (sets.length === 0 || sets.some((s) => isEligible(login, s, facts))) return null;
  const reachable = sets.filter((s) => inSet(login, s, facts));
  if (reachable.length === 0) {
    const who = [...new Set(sets.flatMap((s) => [...s.users, ...s.teams]))].map((w) => `@${w}`).join(", ");
    return { kind: "not_in_group", reason: `not one of ${who}` };
  }
  const needs = reachable.map((s) => s.min_permission ?? "write").sort((a, b) => PERMISSION_ORDER.indexOf(a) - PERMISSION_ORDER.indexOf(b))[0] as Permission;
  return { kind: "permission", reason: `${permissionOf(login, facts)} permission; needs ${needs} or above` };
}

export interface NotCountedInput {
  state: ReviewState;
  /** Every requirement of the evaluation, met or not. */
  requirements: readonly Requirement[];
  ctx: RequirementContext;
  /** `/governance approve` commands that counted (before a later review replaced them). */
  commandApprovals?: readonly ApprovalCandidate[];
  /** Approve commands the policy did not authorize (not for who wrote them): their reason is found here. */
  unauthorized?: readonly ApprovalCandidate[];
  /** Commands already known not to count, with why (edited, turned off). */
  ignored?: readonly RefusedApproval[];
  /** The override that would apply but has expired. */
  expired?: Override | null;
}

export function notCounted(input: NotCountedInput): RefusedApproval[] {
  const { state, requirements, ctx } = input;
  const { facts } = ctx;
  const head = facts.pull.head.sha;
  const who = (login: string) => whyRefused(login, facts, ctx.verdict, ctx.invokerCanApprove, ctx.contributorsCanApprove, ctx.alsoLogins ?? []);
  const counted = (login: string) => requirements.some((r) => r.approved_by.some((l) => lower(l) === lower(login)));
  const out: RefusedApproval[] = [];

  // A bot's approving review, unless it requested changes after it (bots are never in the review state).
  const bots = new Map<string, RefusedApproval | null>();
  for (const r of reviewsInOrder(facts)) {
    if (!r.user || !isBot(r.user)) continue;
    const said = r.state.toUpperCase();
    if (said === "APPROVED") {
      bots.set(lower(r.user.login), { login: r.user.login, via: "review", commit: r.commit_id ?? null, at: r.submitted_at ?? null, kind: "bot", reason: "a bot or app account" });
    } else if (said === "CHANGES_REQUESTED") bots.set(lower(r.user.login), null);
  }
  for (const b of bots.values()) if (b) out.push(b);

  const why = (a: ApprovalCandidate): Pick<RefusedApproval, "kind" | "reason"> | null => {
    const refused = who(a.login);
    if (refused) return refused;
    if (requirements.length === 0) return null;
    const ineligible = ineligibility(a.login, requirements, facts);
    if (ineligible) return ineligible;
    return ofHead(a.commit, ctx) ? null : { kind: "stale", reason: `stale: the head is now \`${head.slice(0, 7)}\`` };
  };
  // The approvals in the review state that counted for nothing, and the approve commands `authorize` refused.
  for (const a of [...state.approvals.filter((a) => !counted(a.login)), ...(input.unauthorized ?? [])]) {
    const reason = why(a);
    if (reason) out.push({ login: a.login, via: a.via, commit: a.commit, at: a.at, ...reason });
  }

  // An approval the same reviewer followed with a changes request.
  for (const login of state.changesRequested) {
    const mine = (l: string | undefined) => lower(l ?? "") === lower(login);
    const requested = facts.reviews.filter((r) => mine(r.user?.login) && r.state.toUpperCase() === "CHANGES_REQUESTED").map((r) => r.submitted_at ?? "").sort().at(-1);
    if (requested === undefined) continue;
    const approvals: ApprovalCandidate[] = [
      ...facts.reviews
        .filter((r) => mine(r.user?.login) && r.state.toUpperCase() === "APPROVED")
        .map((r) => ({ login: r.user!.login, via: "review" as const, commit: r.commit_id ?? null, at: r.submitted_at ?? null })),
      ...(input.commandApprovals ?? []).filter((c) => mine(c.login) && c.commit !== null),
    ].filter((a) => (a.at ?? "") < requested);
    const last = approvals.sort(byTime).at(-1);
    if (last) out.push({ ...last, kind: "changes_requested", reason: `changes requested after it, at ${requested}` });
  }

  out.push(...(input.ignored ?? []));
  const x = input.expired;
  if (x?.expires_at) {
    out.push({ login: x.login, via: "command", action: "override", commit: x.commit, at: x.at, kind: "expired", reason: `expired at ${x.expires_at}` });
  }
  return out.sort(byTime);
}
