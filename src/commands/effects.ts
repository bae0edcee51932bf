/**
 * What reviewers' `/governance` commands in the comment list mean for an
 * evaluation: approvals and overrides, re-derived on every evaluation.
 * (Filled in by the commands work; until then, commands have no effect.)
 */
import type { Policy } from "../config/schema.js";
import type { AgentVerdict, Override, PullFacts } from "../types.js";
import type { ApprovalCandidate } from "../policy/reviewers.js";

export interface CommandEffects {
  approvals: ApprovalCandidate[];
  overrides: Override[];
}

export function commandEffects(_facts: PullFacts, _policy: Policy, _verdict: AgentVerdict): CommandEffects {
  return { approvals: [], overrides: [] };
}
