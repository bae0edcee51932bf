/**
 * The pure evaluator: policy + PR facts + time in, an `Evaluation` out.
 * No Octokit, no clock, no I/O.
 */
import type { Policy } from "../config/schema.js";
import { mergePolicies, type ConfigProblem, formatProblem } from "../config/load.js";
import { PolicySchema } from "../config/schema.js";
import { detectAgent } from "../detect/detect.js";
import { commandEffects, seenBefore, type CommandEffects } from "../commands/effects.js";
import { overriddenTitle, overrideExpired } from "../commands/override-time.js";
import type { AgentVerdict, Conclusion, Evaluation, Outcome, Override, PullFacts, PullRequestFacts, Requirement, RuleResult } from "../types.js";
import { codeownersGroups, codeownersRule } from "./codeowners.js";
import { bodyRule, complianceRules, incompleteCommitsRule, sharedHeadRule, unlistedCommits, unscannedGroup } from "./compliance.js";
import type { Gated } from "./findings.js";
import { listNames, matcher } from "./globs.js";
import { AGENT_FILES, forbiddenRule, incompleteFilesRule, limitsRule, POLICY_FILES, policyFileHits, restrictedGroups } from "./paths.js";
import { scanGroups, scanRules } from "./scans.js";
import { strictestPolicy } from "./strictest.js";
import {
  byTime,
  countedApprovals,
  describeRequirement,
  requirement,
  requirementContext,
  requirementMet,
  reviewersRequirement,
  reviewState,
} from "./reviewers.js";
import { notCounted } from "./not-counted.js";
import { dependencyGroup, DEPENDENCY_FILES, INSTALL_TIME_FILES, installScriptsRule } from "./supply-chain.js";
import { WORKFLOW_FILES, workflowRiskRule } from "./workflow-risk.js";
import { OPEN_PRS_RULE, oneIssueGroup, openPrsRule } from "./swarm.js";

export interface EvaluateInput {
  policy: Policy;
  facts: PullFacts;
  /** The evaluation time (ISO string or Date); the core never reads the clock. */
  now: Date | string;
  /** A verdict computed elsewhere; detected from the facts when absent. */
  verdict?: AgentVerdict;
}

/**
 * The keys an `overrides` entry's `agents` list is matched against: the agent's
 * id, `automation` for dependency and release bots, `unknown` for an agent
 * without a registry id, and `*` for any detected agent or bot.
 */
export function overrideKeys(verdict: Pick<AgentVerdict, "detected" | "id" | "kind">): Set<string> {
  const keys = new Set<string>();
  if (verdict.id) keys.add(verdict.id.toLowerCase());
  if (verdict.kind === "automation") keys.add("automation");
  if (verdict.detected && !verdict.id) keys.add("unknown");
  if (verdict.detected) keys.add("*");
  return keys;
}

/** The agents a verdict stands for: `agents` when detection listed them, else the primary agent alone. */
function agentsOf(verdict: AgentVerdict): Pick<AgentVerdict, "detected" | "id" | "kind">[] {
  return verdict.agents?.length ? verdict.agents.map((a) => ({ detected: true, id: a.id, kind: a.kind })) : [verdict];
}

/**
 * The policy that applies to this PR into `baseBranch`. For each agent the PR
 * carries (`verdict.agents`), the base with every `overrides` entry matching that
 * agent merged over it in file order (mappings merge key by key, lists and
 * scalars replace), so a later entry wins; with several agents, the strictest of
 * their policies (`strictestPolicy`), so no agent escapes its entries through
 * another's PR. An entry with `base_branches` matches only a PR whose base branch
 * one of them matches (an unknown base matches none).
 */
export function effectivePolicy(policy: Policy, verdict: AgentVerdict, baseBranch?: string | null): Policy {
  return strictestPolicy(agentsOf(verdict).map((agent) => agentPolicy(policy, agent, baseBranch)));
}

/** The policy for one agent: the base with its matching `overrides` entries merged over it in file order. */
function agentPolicy(policy: Policy, agent: Pick<AgentVerdict, "detected" | "id" | "kind">, baseBranch?: string | null): Policy {
  const keys = overrideKeys(agent);
  const matching = policy.overrides.filter(
    (o) => o.agents.some((a) => keys.has(a.toLowerCase())) && (!o.base_branches || (!!baseBranch && matcher(o.base_branches)(baseBranch))),
  );
  if (matching.length === 0) return policy;
  let merged: unknown = policy;
  for (const { agents: _agents, base_branches: _branches, ...rest } of matching) merged = mergePolicies(merged, rest);
  // Each part is valid on its own, so the merge holds valid values; only a list's cap can fail (`tiers: { add: [...] }`
  // past 10), and falling back to the base would silently drop the entry's stricter rules.
  const parsed = PolicySchema.safeParse(merged);
  return parsed.success ? parsed.data : (merged as Policy);
}

/**
 * Does the policy govern this PR? Human PRs only with `agents.govern_humans`; an
 * automation bot's only with `agents.govern_automation`, unless an agent is on the PR too.
 */
export function isGoverned(policy: Policy, verdict: AgentVerdict): boolean {
  if (policy.agents.govern_humans) return true;
  if (!verdict.detected) return false;
  if (agentsOf(verdict).every((a) => a.kind === "automation") && !policy.agents.govern_automation) return false;
  return true;
}

/**
 * What a PR's own object shows (a webhook's or a list's, without its files, commits, reviews or comments):
 * the agent verdict, the policy that applies, and whether it governs the PR. The sweep, the swarm limits'
 * list and the early read of that list judge PRs by it before (or instead of) reading more.
 */
export function judgePullObject(policy: Policy, pull: PullRequestFacts): { verdict: AgentVerdict; applying: Policy; governed: boolean } {
  const verdict = detectAgent({ pull, files: [], commits: [], reviews: [], comments: [] }, policy.agents);
  const applying = effectivePolicy(policy, verdict, pull.base?.ref);
  return { verdict, applying, governed: isGoverned(applying, verdict) };
}

const iso = (now: Date | string) => (typeof now === "string" ? new Date(now).toISOString() : now.toISOString());

export function evaluate(input: EvaluateInput): Evaluation {
  const { facts } = input;
  const verdict = input.verdict ?? detectAgent(facts, input.policy.agents);
  const policy = effectivePolicy(input.policy, verdict, facts.pull.base?.ref);
  const base = {
    agent: verdict,
    mode: policy.mode,
    head_sha: facts.pull.head.sha,
    evaluated_at: iso(input.now),
  };

  if (!isGoverned(policy, verdict)) {
    // A human PR's description, when the policy asks it of humans too: the only rule, and no other output.
    const attested = verdict.kind === "none" && policy.compliance.body?.humans ? bodyRule(policy, facts) : null;
    if (attested?.status === "fail") {
      const report = policy.mode === "report";
      return {
        ...base,
        outcome: "not_governed",
        conclusion: report ? "neutral" : "failure",
        title: `${report ? "Report only: " : ""}Human PR: the description falls short`,
        rules: [attested],
        required: [],
        approvals: [],
        overrides: [],
      };
    }
    const what = verdict.kind === "automation" ? `${verdict.name ?? "Automation"} PR` : "No agent detected";
    return {
      ...base,
      outcome: "not_governed",
      conclusion: "success",
      title: verdict.kind === "automation" ? `${what}: not governed` : `${what}: not governed`,
      rules: attested ? [attested] : [],
      required: [],
      approvals: [],
      overrides: [],
    };
  }

  // Commands are tied to a commit by the commit list: a capped list (`commits.incomplete`) could tie a stale one to the head.
  const effects: CommandEffects = unlistedCommits(facts) > 0 ? { approvals: [], refused: [], overrides: [] } : commandEffects(facts, policy, verdict);
  // Approvals refused for who gave them stay in the review state (never counted: `requirement` refuses them too), so
  // the check can list them, and a later refused command replaces the same person's earlier review as it would count.
  const state = reviewState(facts, [...effects.approvals, ...effects.refused].sort(byTime));
  const ctx = requirementContext(policy, facts, verdict);

  const rules: RuleResult[] = [];
  const required: Requirement[] = [];

  const main = reviewersRequirement(policy, state, ctx);
  if (main) {
    required.push(main);
    rules.push(requirementRule(main, "reviewers", "Human review"));
  }
  const owners = codeownersRule(policy, facts);
  if (owners) rules.push(owners);
  const gated = findingRules(policy, facts);
  const groups = [...codeownersGroups(policy, facts), ...restrictedGroups(policy, facts), dependencyGroup(policy, facts), unscannedGroup(policy, facts), ...gated.map((g) => g.group), ...scanGroups(policy, facts), oneIssueGroup(policy, facts)].filter((g) => g !== null);
  for (const g of groups) {
    const r = requirement(g.rule, g.label, g.required, g.set, state, ctx);
    required.push(r);
    const needs = `Needs approval: ${describeRequirement(r)}.`;
    rules.push({
      ...requirementRule(r, g.rule, g.what ?? `Changes to ${g.label} (${listNames(g.names)})`),
      locations: g.locations?.map((l) => ({ ...l, message: `${l.message} ${needs}` })) ?? g.files.map((path) => ({ path, message: needs })),
    });
  }
  const shared = sharedHeadRule(facts);
  for (const rule of [shared, incompleteFilesRule(facts), incompleteCommitsRule(facts), forbiddenRule(policy, facts), limitsRule(policy, facts), ...complianceRules(policy, facts), ...scanRules(policy, facts), openPrsRule(policy, facts)]) {
    if (rule) rules.push(rule);
  }

  const missing = required.filter((r) => !requirementMet(r));
  const failed = rules.filter((r) => r.status === "fail");
  const pending = rules.filter((r) => r.status === "pending");
  // An override is given on one PR; a shared head's check run would carry it to the others.
  const latest = shared ? null : latestOverride(effects.overrides, policy, facts);
  const expired = latest && overrideExpired(latest.expires_at, input.now) ? latest : null;
  const override = expired ? null : latest;

  let outcome: Outcome;
  let title: string;
  if (override && (failed.length > 0 || pending.length > 0)) {
    outcome = "overridden";
    title = overriddenTitle(override.login, override.expires_at);
  } else if (failed.length > 0) {
    outcome = "violation";
    title = `Policy violation: ${failed.map((r) => r.id).join(", ")}`;
  } else if (pending.length > 0) {
    outcome = "waiting";
    const need = missing.reduce((n, r) => n + Math.max(0, r.needed - r.have), 0);
    title =
      need > 0
        ? `Waiting for ${need} human approval${need === 1 ? "" : "s"}`
        : pending.some((r) => r.id === "compliance.required_checks")
          ? "Waiting for required checks"
          : "Waiting for humans";
    if (missing.some((r) => r.blocked_by.length > 0)) title = "Changes requested by a reviewer";
    // Approvals do not release a PR over the open-PR limit: an older one closing does.
    if (pending.some((r) => r.id === OPEN_PRS_RULE)) title = "Held: over the open-PR limit";
  } else {
    outcome = "passed";
    title = "Policy satisfied";
  }

  let conclusion: Conclusion =
    outcome === "violation" ? "failure" : outcome === "waiting" ? "action_required" : "success";
  if (policy.mode === "report") {
    conclusion = "neutral";
    title = `Report only: ${title}`;
  }

  return {
    ...base,
    outcome,
    conclusion,
    title,
    rules,
    required: missing,
    approvals: countedApprovals(state, required, ctx),
    refused: notCounted({
      state,
      requirements: required,
      ctx,
      commandApprovals: effects.approvals,
      unauthorized: effects.unauthorized ?? [],
      ignored: effects.ignored ?? [],
      expired,
    }),
    overrides: override ? [override] : [],
  };
}

/** The rules that find risky lines (workflow risk, install scripts): each a rule result (in `complianceRules`), or a group whose approval its findings need. */
export function findingRules(policy: Policy, facts: PullFacts): Gated[] {
  return [workflowRiskRule(policy, facts), installScriptsRule(policy, facts)];
}

/** Globs whose change needs humans: forbidden, restricted and dependency paths, agent-steering files, the files finding rules read. */
export function governedGlobs(policy: Policy): string[] {
  return [
    ...policy.paths.forbidden,
    ...policy.paths.restricted.flatMap((g) => g.paths),
    ...(policy.paths.protect_agent_files ? AGENT_FILES : POLICY_FILES),
    ...(policy.compliance.dependencies ? (policy.compliance.dependencies.paths ?? DEPENDENCY_FILES) : []),
    ...(policy.compliance.workflow_risk ? WORKFLOW_FILES : []),
    ...(policy.compliance.install_scripts ? INSTALL_TIME_FILES : []),
  ];
}

/**
 * The override that applies to the head: the latest given on the head itself;
 * with `commands.override.scope: until_governed_push`, else the latest given on
 * an earlier commit when nothing pushed since touches a governed path (as the
 * compare API lists the files; unknown means it does not carry over), and the app
 * saw that commit as the head before the override was given. The files the
 * policy is built from (`PullFacts.policy_files`) are governed paths too.
 * The latest override decides (an earlier, longer one does not come back);
 * `evaluate` sets it aside once past its `expires_at`.
 */
export function latestOverride(overrides: readonly Override[], policy: Policy, facts: PullFacts): Override | null {
  const head = facts.pull.head.sha;
  const onHead = overrides.find((o) => o.commit === head);
  if (onHead || policy.commands.override.scope !== "until_governed_push") return onHead ?? null;
  const latest = overrides[0];
  const since = latest ? facts.changed_since?.[latest.commit] : undefined;
  if (!latest || !since || !seenBefore(facts, latest.commit, latest.at)) return null;
  return policyFileHits(facts, since, governedGlobs(policy)).length === 0 ? { ...latest, carried_to: head } : null;
}

function requirementRule(r: Requirement, id: string, what: string): RuleResult {
  if (requirementMet(r)) {
    return {
      id,
      status: "pass",
      message: `${what}: approved by ${r.approved_by.map((l) => `@${l}`).join(", ") || "nobody needed"}.`,
    };
  }
  if (r.blocked_by.length > 0) {
    return {
      id,
      status: "pending",
      message: `${what}: changes requested by ${r.blocked_by.map((l) => `@${l}`).join(", ")}.`,
      fix: "Address the requested changes; the reviewer must approve or the review must be dismissed.",
    };
  }
  return {
    id,
    status: "pending",
    message: `${what}: ${r.have}/${r.needed} approvals; needs ${describeRequirement(r)}.`,
    fix: "An eligible reviewer approves the latest commit (a review, or `/governance approve`).",
  };
}

/**
 * The policy files this PR changes among those the problems are in (in the PR's own
 * repository), or the repository's policy file itself (adding one replaces an
 * organisation-wide policy from the owner's `.github` repository).
 */
export function policyFilesChanged(facts: Pick<PullFacts, "pull" | "files">, problems: readonly ConfigProblem[]): string[] {
  const here = facts.pull.base?.repo?.full_name?.toLowerCase();
  const named = new Set<string>(POLICY_FILES);
  for (const p of problems) {
    const at = p.file.indexOf(":");
    if (here && at > 0 && p.file.slice(0, at).toLowerCase() === here) named.add(p.file.slice(at + 1));
  }
  const changed = new Set<string>();
  for (const f of facts.files) {
    for (const name of [f.filename, f.previous_filename]) if (name && named.has(name)) changed.add(name);
  }
  return [...changed].sort();
}

/** How many problems the check lists; the rest are counted. */
const MAX_PROBLEMS_SHOWN = 20;

/**
 * The evaluation when the policy itself cannot be used: every PR fails, agent or
 * not, naming the file, line and problem. The broken file may be what declared
 * a PR's agent (`agents.also`) or governed human PRs (`agents.govern_humans`),
 * and the app cannot know, so no PR passes (neutral would satisfy a required
 * check). The PR that repairs the file fails too (the policy is read from the
 * default branch, never from a PR), and its check says how to merge the fix.
 */
export function policyErrorEvaluation(facts: PullFacts, problems: readonly ConfigProblem[], now: Date | string): Evaluation {
  const verdict = detectAgent(facts);
  const lines = problems.slice(0, MAX_PROBLEMS_SHOWN).map(formatProblem);
  if (problems.length > MAX_PROBLEMS_SHOWN) lines.push(`… and ${problems.length - MAX_PROBLEMS_SHOWN} more (\`agent-governance validate\` lists them all)`);
  const repairing = policyFilesChanged(facts, problems);
  const fix =
    repairing.length > 0
      ? `This pull request changes ${repairing.map((f) => `\`${f}\``).join(", ")}, but the policy is read from the default branch, so this check fails until a valid policy is there. ` +
        "Check the new file with `agent-governance validate`; then a repository admin merges this pull request past the required check (an admin or ruleset bypass, or by removing the check from the required ones for the merge), or the fix is pushed to the default branch directly. " +
        "Other pull requests are evaluated again at their next event; `/governance recheck` (or Re-check) does it now."
      : "Fix the policy file on the default branch (run `agent-governance validate` locally), then re-run this check.";
  return {
    agent: verdict,
    mode: "enforce",
    outcome: "error",
    conclusion: "failure",
    title: `Invalid policy file: ${problems.length} problem${problems.length === 1 ? "" : "s"}`,
    rules: [
      {
        id: "policy",
        status: "fail",
        message: `The policy file is invalid:\n${lines.join("\n")}\nUntil it is fixed every pull request fails this check: the app cannot tell which ones the file was meant to govern.`,
        fix,
      },
    ],
    required: [],
    approvals: [],
    overrides: [],
    head_sha: facts.pull.head.sha,
    evaluated_at: iso(now),
  };
}

/**
 * The evaluation when facts could not be gathered (GitHub errors): "could not evaluate",
 * blocking, or `neutral` under `mode: report` (which never blocks).
 */
export function errorEvaluation(facts: Pick<PullFacts, "pull">, reason: string, now: Date | string, mode: Policy["mode"] = "enforce"): Evaluation {
  let agent: AgentVerdict = { detected: false, id: null, name: null, kind: "none", confidence: null, evidence: [], invoker: null, invokers: [] };
  try {
    // What the PR object alone tells (its author, branch, labels, body), for the reader; the outcome blocks anyway.
    agent = detectAgent({ pull: facts.pull, files: [], commits: [], reviews: [], comments: [] });
  } catch {
    // A malformed PR object: no verdict.
  }
  return {
    agent,
    mode,
    outcome: "error",
    conclusion: mode === "report" ? "neutral" : "failure",
    title: mode === "report" ? "Report only: Could not evaluate" : "Could not evaluate",
    rules: [{ id: "evaluation", status: "fail", message: reason, fix: "The app retries; `/governance recheck` re-runs it now." }],
    required: [],
    approvals: [],
    overrides: [],
    head_sha: facts.pull.head.sha,
    evaluated_at: iso(now),
  };
}
