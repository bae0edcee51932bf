/** Compliance rules: each off unless configured. */
import type { Policy } from "../config/schema.js";
import type { PullFacts, RuleResult } from "../types.js";

export function complianceRules(_policy: Policy, _facts: PullFacts): RuleResult[] {
  return [];
}
