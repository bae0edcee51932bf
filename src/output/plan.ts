/**
 * Plans every output for an Evaluation: the check run, the escalation comment,
 * labels and review requests. Pure: the exact writes `apply` will make.
 */
import { defaultPolicy, type Policy } from "../config/schema.js";
import { agentAccount } from "../detect/detect.js";
import { contributors, invokerLogins, isBot, lower } from "../policy/reviewers.js";
import type { Evaluation, PullFacts } from "../types.js";
import { escalationComments, planEscalation, type EscalationPlan } from "./escalation.js";
import { poolPicks } from "./pool.js";

export interface LabelPlan {
  add: string[];
  remove: string[];
}

export interface ReviewRequestPlan {
  reviewers: string[];
  team_reviewers: string[];
}

export interface OutputPlan {
  escalation: EscalationPlan;
  /** The app's escalation comments beyond the oldest (two replicas raced to create one): deleted, so the PR converges on one. */
  duplicateComments: number[];
  labels: LabelPlan;
  reviewRequests: ReviewRequestPlan;
}

/** GitHub takes at most 15 requested reviewers (users and teams) per PR. */
export const MAX_REVIEW_REQUESTS = 15;

export function planOutputs(e: Evaluation, facts: PullFacts, policy: Policy, now: Date, opts: { escalateNow?: boolean } = {}): OutputPlan {
  const escalation = planEscalation(e, facts, policy, now, opts);
  return {
    escalation,
    duplicateComments: escalationComments(facts)
      .slice(1)
      .map((c) => c.id),
    labels: planLabels(e, facts, policy, escalation),
    reviewRequests: planReviewRequests(e, facts, policy, escalation),
  };
}

/** The default names of the labels the app writes (and the usual tier label), for events that arrive without a policy. */
export const DEFAULT_LABELS = (() => {
  const l = defaultPolicy().escalation.labels;
  return { ...l, own: new Set([l.agent, l.needs_review, l.violation, "escalated"]), transient: new Set([l.needs_review, l.violation]) };
})();

/** The labels this app manages, as named by the policy. */
export function managedLabels(policy: Policy): string[] {
  const l = policy.escalation.labels;
  return [l.agent, l.needs_review, l.violation, ...policy.escalation.tiers.flatMap((t) => (t.label ? [t.label] : []))];
}

export function planLabels(e: Evaluation, facts: PullFacts, policy: Policy, escalation: EscalationPlan): LabelPlan {
  if (e.outcome === "error") return { add: [], remove: [] };
  const l = policy.escalation.labels;
  const desired = new Set<string>();
  if (e.outcome !== "not_governed" && e.agent.detected) desired.add(l.agent);
  if (e.outcome === "waiting" && !facts.pull.draft) desired.add(l.needs_review);
  if (e.outcome === "violation") desired.add(l.violation);
  if (e.outcome === "waiting" || e.outcome === "violation") {
    for (const i of escalation.notifiedTiers) {
      const label = policy.escalation.tiers[i]?.label;
      if (label) desired.add(label);
    }
  }
  const current = new Set((facts.pull.labels ?? []).map((x) => lower(x.name)));
  const add = [...desired].filter((name) => !current.has(lower(name)));
  const remove = managedLabels(policy).filter((name) => current.has(lower(name)) && ![...desired].some((d) => lower(d) === lower(name)));
  return { add, remove: [...new Set(remove)] };
}

export function planReviewRequests(e: Evaluation, facts: PullFacts, policy: Policy, escalation: EscalationPlan): ReviewRequestPlan {
  const empty = { reviewers: [], team_reviewers: [] };
  if (!policy.escalation.request_reviews || e.outcome !== "waiting" || facts.pull.draft) return empty;
  const owner = lower(facts.pull.base.repo?.full_name?.split("/")[0] ?? "");
  // Never asked: they may not approve.
  const excluded = new Set<string>(
    [
      facts.pull.user?.login ?? "",
      ...(policy.reviewers.invoker_can_approve ? [] : invokerLogins(e.agent)),
      ...(policy.reviewers.contributors_can_approve ? [] : contributors(facts)),
    ]
      .filter(Boolean)
      .map(lower),
  );
  const skipUsers = new Set<string>([
    ...excluded,
    ...[...(facts.pull.requested_reviewers ?? []).map((u) => u.login), ...facts.reviews.flatMap((r) => (r.user ? [r.user.login] : []))].map(lower),
  ]);
  const skipTeams = new Set((facts.pull.requested_teams ?? []).map((t) => lower(t.slug)));
  const users = new Set<string>();
  const teams = new Set<string>();
  const addWho = (who: string) => {
    if (who.includes("/")) {
      const [org, slug] = who.split("/", 2) as [string, string];
      if ((!owner || lower(org) === owner) && !skipTeams.has(lower(slug))) teams.add(slug);
    } else if (!skipUsers.has(lower(who)) && !isBot({ login: who, type: "User" }) && !agentAccount(who, policy.agents)) users.add(who);
  };
  for (const r of e.required) {
    r.users.forEach(addWho);
    r.teams.forEach(addWho);
  }
  poolPicks(policy, facts, excluded).forEach(addWho);
  for (const i of escalation.newTiers) policy.escalation.tiers[i]?.notify.forEach(addWho);
  const reviewers = [...users].slice(0, MAX_REVIEW_REQUESTS);
  const team_reviewers = [...teams].slice(0, Math.max(0, MAX_REVIEW_REQUESTS - reviewers.length));
  return { reviewers, team_reviewers };
}
