/**
 * The rule families that read what the PR wrote, line by line: test weakening
 * and hidden instructions. Each answers with a group needing approval or a
 * failing rule (`findings.ts`); the evaluator, the look-ups and `/governance
 * approve` all take them from here.
 */
import type { Policy } from "../config/schema.js";
import type { PullFacts, RuleResult } from "../types.js";
import type { FindingOutcome } from "./findings.js";
import { hiddenInstructions } from "./hidden-instructions.js";
import type { PathGroup } from "./paths.js";
import { testWeakening } from "./test-weakening.js";

/** Each family's outcome for this PR, in the order their rows are shown. */
export function scanOutcomes(policy: Policy, facts: PullFacts): FindingOutcome[] {
  return [testWeakening(policy, facts), hiddenInstructions(policy, facts)];
}

/** The groups whose approval the findings need. */
export function scanGroups(policy: Policy, facts: PullFacts): PathGroup[] {
  return scanOutcomes(policy, facts).flatMap((o) => (o.group ? [o.group] : []));
}

/** The failing rules the findings make. */
export function scanRules(policy: Policy, facts: PullFacts): RuleResult[] {
  return scanOutcomes(policy, facts).flatMap((o) => (o.rule ? [o.rule] : []));
}
