/**
 * The strictest of several effective policies: when a PR carries more than one agent (a Copilot
 * PR with a commit co-authored by Claude), each agent's `overrides` entries give it an effective
 * policy, and the PR is governed by all of them at once, stricter wins key by key. So no agent's
 * PR escapes its own rules by being opened through another agent.
 *
 * Stricter means: `mode: enforce` beats `report`; the larger number of approvals, the smaller size
 * limit; a rule that is on beats one that is off (`invoker_can_approve`, `contributors_can_approve`
 * and `commands.approve.enabled` the other way round); the higher `min_permission`; a finding that
 * fails beats one that waits for approval; `scope: commit` beats `until_governed_push`; lists are
 * united (forbidden paths, restricted groups, required checks, tiers), except the allow-lists:
 * `trusted_actions` is intersected, and who may approve or override must be allowed by both (`bothAllow`). Names (the check's, labels', a title
 * pattern) are the primary agent's. Pure.
 */
import { PolicySchema, type Policy } from "../config/schema.js";
import { durationMs } from "../config/schema.js";
import { PERMISSION_ORDER, type Permission } from "../types.js";
import { SCANNED_FILES } from "./hidden-instructions.js";
import { TEST_FILES } from "./test-weakening.js";
import { DEFAULT_TRUSTED_ACTIONS } from "./workflow-risk.js";
import { DEPENDENCY_FILES } from "./supply-chain.js";

/** Booleans where `true` lets more through, by dotted path: `false` is the stricter. */
const LOOSER_WHEN_TRUE = new Set(["reviewers.invoker_can_approve", "reviewers.contributors_can_approve", "commands.approve.enabled"]);
/** Values the primary agent's policy decides: names, not strictness. */
const PRIMARY = new Set(["$schema", "agents", "overrides", "escalation.check_name", "escalation.labels", "compliance.title_pattern", "compliance.ai_disclosure"]);
/** Numbers where the smaller is the stricter. */
const SMALLER = new Set(["paths.limits.max_files", "paths.limits.max_changed_lines"]);
/** Durations where the shorter is the stricter: an override's longest life, the stuck clocks. */
const SHORTER = new Set(["commands.override.max_duration", "escalation.stuck.idle", "escalation.stuck.repeat"]);
/** The finding rules whose `true` fails a finding, and whose `reviewers` make it wait instead. */
const FAIL_UNLESS_REVIEWERS = new Set(["compliance.install_scripts", "compliance.workflow_risk"]);
/** The finding rules with an `action`, and the action when none is written. */
const DEFAULT_ACTION: Record<string, "approve" | "fail"> = { "compliance.test_weakening": "approve", "compliance.hidden_instructions": "fail" };
/** Glob lists whose absence means a default list: united with that default. */
const DEFAULT_GLOBS: Record<string, readonly string[]> = {
  "compliance.test_weakening.tests": TEST_FILES,
  "compliance.hidden_instructions.paths": SCANNED_FILES,
  "compliance.dependencies.paths": DEPENDENCY_FILES,
};
/** A finding rule's group when it names none: one approval from someone with maintain or above. */
const MAINTAINERS = { required: 1, users: [], teams: [], min_permission: "maintain" };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const key = (v: unknown) => JSON.stringify(v);
const union = (a: readonly unknown[], b: readonly unknown[]) => [...a, ...b].filter((v, i, all) => all.findIndex((w) => key(w) === key(v)) === i);
const rank = (p: unknown) => PERMISSION_ORDER.indexOf(p as Permission);

/**
 * The stricter of two values at `path` (dotted, from the policy's root). The org floor raises a policy's
 * settings with it too (src/config/floor.ts), so "stricter" means one thing for both.
 */
export function stricter(a: unknown, b: unknown, path: string): unknown {
  if (PRIMARY.has(path)) return a ?? b;
  if (path in DEFAULT_ACTION || FAIL_UNLESS_REVIEWERS.has(path)) return findingRule(a, b, path);
  if (path in DEFAULT_GLOBS && (a === undefined || b === undefined) && (a ?? b) !== undefined) {
    return union(DEFAULT_GLOBS[path]!, (a ?? b) as unknown[]);
  }
  if (a === undefined) return b;
  if (b === undefined) return a;
  const last = path.slice(path.lastIndexOf(".") + 1);
  if (path === "mode") return a === "enforce" || b === "enforce" ? "enforce" : "report";
  if (last === "min_permission") return rank(a) >= rank(b) ? a : b;
  if (path === "commands.override.scope") return a === "commit" || b === "commit" ? "commit" : a;
  if (path === "compliance.linked_issue") return a === "verified" || b === "verified" ? "verified" : a === true || b === true;
  if (last === "action") return a === "fail" || b === "fail" ? "fail" : "approve";
  if (last === "trusted_actions") return (a as unknown[]).filter((x) => (b as unknown[]).some((y) => key(x) === key(y)));
  if (typeof a === "boolean" && typeof b === "boolean") return LOOSER_WHEN_TRUE.has(path) ? a && b : a || b;
  if (SHORTER.has(path)) return durationMs(String(a)) <= durationMs(String(b)) ? a : b;
  if (typeof a === "number" && typeof b === "number") return SMALLER.has(path) ? Math.min(a, b) : Math.max(a, b);
  if (path === "commands.override.users" || path === "commands.override.teams") return intersect(a as string[], b as string[]);
  if (Array.isArray(a) && Array.isArray(b)) {
    const all = union(a, b);
    if (path === "escalation.tiers") return all.sort((x, y) => durationMs((x as { after: string }).after) - durationMs((y as { after: string }).after));
    return all;
  }
  if (isObject(a) && isObject(b) && (path === "reviewers.from" || /^compliance\.\w+\.reviewers$/.test(path))) return bothAllow(a, b, path);
  if (isObject(a) && isObject(b)) {
    const out: Record<string, unknown> = {};
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const v = stricter(a[k], b[k], `${path}.${k}`);
      if (v !== undefined) out[k] = v;
    }
    return out;
  }
  return a;
}

const intersect = (a: readonly string[], b: readonly string[]) => a.filter((x) => b.some((y) => x.toLowerCase() === y.toLowerCase()));

/**
 * Who may approve under both of two sets (`reviewers.from`, a finding rule's group): a set listing
 * nobody allows anyone with its permission (`write` by default), so the other's lists apply; two
 * sets that list people allow those both list (an entry's co-author trailer must not widen who
 * approves); when they list no one in common, only admins (who may change the policy anyway).
 */
function bothAllow(a: Record<string, unknown>, b: Record<string, unknown>, path: string): Record<string, unknown> {
  const lists = (s: Record<string, unknown>) => [(s.users ?? []) as string[], (s.teams ?? []) as string[]] as const;
  const [[ua, ta], [ub, tb]] = [lists(a), lists(b)];
  const listedA = ua.length + ta.length > 0;
  const listedB = ub.length + tb.length > 0;
  const out: Record<string, unknown> = {};
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (k === "users" || k === "teams" || k === "min_permission") continue;
    const v = stricter(a[k], b[k], `${path}.${k}`);
    if (v !== undefined) out[k] = v;
  }
  const [users, teams] = !listedA ? [ub, tb] : !listedB ? [ua, ta] : [intersect(ua, ub), intersect(ta, tb)];
  const perm = (p: unknown, listed: boolean) => (p ?? (listed ? undefined : "write")) as string | undefined;
  const [pa, pb] = [perm(a.min_permission, listedA), perm(b.min_permission, listedB)];
  let min = pa === undefined ? pb : pb === undefined ? pa : rank(pa) >= rank(pb) ? pa : pb;
  if (listedA && listedB && users.length + teams.length === 0) min = "admin";
  return { ...out, users, teams, ...(min !== undefined ? { min_permission: min } : {}) };
}

/** A finding rule: off, on (`true`), or a mapping. */
function findingRule(a: unknown, b: unknown, path: string): unknown {
  if (a === undefined || a === false) return b;
  if (b === undefined || b === false) return a;
  if (a === true && b === true) return true;
  const x = a === true ? {} : (a as Record<string, unknown>);
  const y = b === true ? {} : (b as Record<string, unknown>);
  if (FAIL_UNLESS_REVIEWERS.has(path)) {
    // Without `reviewers` a finding fails: that side wins, and the other's group no longer applies.
    const reviewers = x.reviewers && y.reviewers ? stricter(x.reviewers, y.reviewers, `${path}.reviewers`) : undefined;
    if (path === "compliance.install_scripts") return reviewers ? { reviewers } : true;
    const trusted = stricter(x.trusted_actions ?? DEFAULT_TRUSTED_ACTIONS, y.trusted_actions ?? DEFAULT_TRUSTED_ACTIONS, `${path}.trusted_actions`);
    return { ...(reviewers ? { reviewers } : {}), trusted_actions: trusted };
  }
  const action = stricter(x.action ?? DEFAULT_ACTION[path], y.action ?? DEFAULT_ACTION[path], `${path}.action`);
  // No `kinds` is every kind.
  const kinds = x.kinds && y.kinds ? union(x.kinds as unknown[], y.kinds as unknown[]) : undefined;
  const globKey = path === "compliance.test_weakening" ? "tests" : "paths";
  const globs = stricter(x[globKey], y[globKey], `${path}.${globKey}`);
  const reviewers = x.reviewers || y.reviewers ? stricter(x.reviewers ?? MAINTAINERS, y.reviewers ?? MAINTAINERS, `${path}.reviewers`) : undefined;
  return {
    action,
    ...(kinds ? { kinds } : {}),
    ...(globs ? { [globKey]: globs } : {}),
    ...(reviewers ? { reviewers } : {}),
  };
}

/**
 * The strictest of `policies` (each an agent's effective policy, the primary agent's first).
 * One policy, or several equal ones, come back as they are.
 */
export function strictestPolicy(policies: readonly Policy[]): Policy {
  const [first, ...rest] = policies;
  if (!first) throw new Error("strictestPolicy needs at least one policy");
  const others = rest.filter((p) => p !== first);
  if (others.length === 0) return first;
  let merged: unknown = first;
  for (const p of others) {
    const next: Record<string, unknown> = {};
    const m = merged as Record<string, unknown>;
    for (const k of new Set([...Object.keys(m), ...Object.keys(p)])) {
      const v = stricter(m[k], (p as Record<string, unknown>)[k], k);
      if (v !== undefined) next[k] = v;
    }
    merged = next;
  }
  // Each part is valid, so the merge holds valid values; only a cap on a list's length (10 tiers, 200 globs) can
  // fail for united lists, and falling back to the primary's policy would drop the other agents' stricter rules.
  const parsed = PolicySchema.safeParse(merged);
  return parsed.success ? parsed.data : (merged as Policy);
}
