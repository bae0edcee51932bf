/**
 * The audit record: one structured log line per decision, for a SIEM.
 *
 * Built from the Evaluation only (pure). It carries identifiers, counts and
 * rule ids — never rule messages, comment bodies or override reasons, which
 * hold free text a person or an agent typed (and so could hold a pasted
 * token) — so no secret can reach it. Logged through Probot's per-event logger,
 * the line also carries `id`, GitHub's delivery id.
 */
import type { Evaluation } from "./types.js";

/**
 * Every agent on an evaluated PR, the primary first, as metrics and audit name them: a registry id,
 * or `unknown` for an agent without one (named in `agents.also`); empty for a PR no agent wrote.
 */
export function agentLabels(evaluation: Evaluation): string[] {
  const a = evaluation.agent;
  if (!a.detected) return [];
  const all = a.agents?.length ? a.agents.map((x) => x.id ?? "unknown") : [a.id ?? "unknown"];
  return [...new Set(all)];
}

/** Bump when a field changes meaning or is removed; adding fields keeps the version. */
export const AUDIT_SCHEMA_VERSION = 1;

export interface AuditContext {
  /** `owner/repo`. */
  repo: string;
  pr: number;
  /** What caused the decision, e.g. `pull_request.opened` or `sweep`. */
  event?: string;
}

export interface AuditRecord {
  audit: "decision";
  audit_version: number;
  repo: string;
  pr: number;
  head: string;
  event: string | null;
  /** Agent id (`copilot`, `devin`, …, `automation`), or null for a PR no agent wrote. */
  agent: string | null;
  agent_confidence: string | null;
  /** Every agent on the PR (the primary `agent` first; `unknown` for one without a registry id), empty for a human PR. */
  agents: string[];
  /** The human who set the agent going, when known. */
  invoker: string | null;
  mode: Evaluation["mode"];
  outcome: Evaluation["outcome"];
  conclusion: Evaluation["conclusion"];
  /** Ids of the rules that failed, and of those still waiting. */
  failed: string[];
  pending: string[];
  /** Human approvals that counted, and who gave them. */
  approvals: number;
  approvers: string[];
  /** Overrides that counted, and who gave them (the reasons stay on GitHub). */
  overrides: number;
  overridden_by: string[];
  evaluated_at: string;
}

/** The audit record of one decision. Pure: the same evaluation gives the same record. */
export function auditRecord(evaluation: Evaluation, ctx: AuditContext): AuditRecord {
  const ruleIds = (status: string) => evaluation.rules.filter((r) => r.status === status).map((r) => r.id);
  const approvers = [...new Set(evaluation.approvals.map((a) => a.login))];
  const overriders = [...new Set(evaluation.overrides.map((o) => o.login))];
  return {
    audit: "decision",
    audit_version: AUDIT_SCHEMA_VERSION,
    repo: ctx.repo,
    pr: ctx.pr,
    head: evaluation.head_sha,
    event: ctx.event ?? null,
    // An agent without a registry id (one named in `agents.also`) is `unknown`, as in the metrics; null is a human.
    agent: evaluation.agent.detected ? (evaluation.agent.id ?? "unknown") : null,
    agent_confidence: evaluation.agent.detected ? evaluation.agent.confidence : null,
    agents: agentLabels(evaluation),
    invoker: evaluation.agent.invoker,
    mode: evaluation.mode,
    outcome: evaluation.outcome,
    conclusion: evaluation.conclusion,
    failed: ruleIds("fail"),
    pending: ruleIds("pending"),
    approvals: approvers.length,
    approvers,
    overrides: evaluation.overrides.length,
    overridden_by: overriders,
    evaluated_at: evaluation.evaluated_at,
  };
}
