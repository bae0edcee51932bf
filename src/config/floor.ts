/**
 * The organization's floor (`floor:` in the `.github` repository's policy file): settings no repository
 * policy can weaken. Pure: a floor and a policy in, the policy raised to the floor and what was raised out.
 *
 * Stricter wins, key by key: approvals are the larger, forbidden paths, restricted groups and required
 * checks are joined, `enforce` beats `report`, a check the floor turns on stays on, size limits are the
 * smaller, `agents.ignore` keeps only dependency and release bots and what the floor allows, and
 * `agents.min_strength` is at most `declared`, an override needs at least the floor's permission (and
 * nobody overrides by being listed by name) and gives a reason when the floor says so. Every
 * `overrides` entry is raised too, where it writes a key, so no agent or branch slips under the floor.
 * Which of two values is stricter is decided as for several agents on one PR (`stricter`, src/policy/strictest.ts);
 * what is the floor's own: which keys it raises and where, `agents`, and dropping the override's named people.
 */
import { AGENTS } from "../detect/agents.js";
import { stricter } from "../policy/strictest.js";
import type { Floor, Policy } from "./schema.js";

/** One setting the floor raised: `reviewers.required`, "0 → 1". */
export interface FloorChange {
  key: string;
  change: string;
}

/** "`reviewers.required`: 0 → 1 (org floor)": one line per raised setting, as `validate --floor` and the preview say it. */
export const floorLine = (c: FloorChange) => `\`${c.key}\`: ${c.change} (org floor)`;

/** What an `ignore` entry may name under a floor whatever it says: dependency and release bots, by id or account. */
const AUTOMATION_NAMES = new Set(
  [
    "automation",
    ...AGENTS.filter((a) => a.kind === "automation").flatMap((a) => [a.id, ...(a.bots ?? []).map((b) => b.login), ...(a.accounts ?? []).map((b) => b.login)]),
  ].map((n) => n.toLowerCase()),
);

/**
 * The settings the floor raises, in the order its changes are told. Which value is stricter is `stricter`'s, the
 * rule that merges several agents' policies on one PR; only `commands.override.users` and `teams` are the floor's own.
 */
const RAISED = [
  "mode",
  "reviewers.required",
  "paths.forbidden",
  "paths.restricted",
  "paths.protect_agent_files",
  "paths.limits.max_files",
  "paths.limits.max_changed_lines",
  "compliance.linked_issue",
  "compliance.signed_commits",
  "compliance.dco",
  "compliance.no_secrets",
  "compliance.required_checks",
  "commands.override.min_permission",
  "commands.override.users",
  "commands.override.teams",
  "commands.override.reason_required",
] as const;

const code = (s: string) => `\`${s}\``;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
/** The value at a dotted `path`, or undefined where a section is left out. */
const at = (o: unknown, path: string) => path.split(".").reduce<unknown>((v, k) => (isObject(v) ? v[k] : undefined), o);
/** `o` with `value` at the keys `path`, each section on the way copied: `o` is never modified (the default policy is frozen). */
function withValue(o: Record<string, unknown>, [k, ...rest]: string[], value: unknown): Record<string, unknown> {
  const v = o[k!];
  return { ...o, [k!]: rest.length ? withValue(isObject(v) ? v : {}, rest, value) : value };
}

/** How a change names an entry the floor adds to a list: a glob as written, a path group by its name (else its globs), a check with its app. */
function entryName(key: string, entry: unknown): string {
  if (key === "paths.restricted") {
    const g = entry as Policy["paths"]["restricted"][number];
    return g.name ?? g.paths.join(", ");
  }
  if (key === "compliance.required_checks") {
    const c = entry as Policy["compliance"]["required_checks"][number];
    return c.app ? `${c.name} (${c.app})` : c.name;
  }
  return String(entry);
}

/**
 * Raises one section set to the floor. `whole`: the policy itself, whose every key is set (a size limit
 * it leaves out is none, so the floor's applies); otherwise an `overrides` entry, raised only where it writes.
 */
function raise<T extends object>(s: T, floor: Floor, prefix: string, whole: boolean, changes: FloorChange[]): T {
  let out = s as Record<string, unknown>;
  const set = (key: string, value: unknown, change: string) => {
    out = withValue(out, key.split("."), value);
    changes.push({ key: `${prefix}${key}`, change });
  };
  const least = floor.commands?.override?.min_permission;
  for (const key of RAISED) {
    const mine = at(s, key);
    if (key === "commands.override.users" || key === "commands.override.teams") {
      // People listed by name override whatever their permission: under a floor's minimum they would slip below it.
      const named = mine as string[] | undefined;
      if (least && named?.length) set(key, [], `drops ${named.map(code).join(", ")} (an override needs ${least} permission or above)`);
      continue;
    }
    const floorValue = at(floor, key);
    if (floorValue === undefined || (mine === undefined && !(whole && key.startsWith("paths.limits.")))) continue;
    const raised = stricter(mine, floorValue, key);
    if (Array.isArray(raised)) {
      // Joined: the repository's list as it is, then the floor's entries it lacks.
      const have = new Set((mine as unknown[]).map((v) => JSON.stringify(v)));
      const added = raised.filter((v) => !have.has(JSON.stringify(v)));
      if (added.length) set(key, [...(mine as unknown[]), ...added], `adds ${added.map((v) => code(entryName(key, v))).join(", ")}`);
    } else if (raised !== mine) {
      set(key, raised, `${String(mine ?? "no limit")} → ${String(raised)}`);
    }
  }
  return out as T;
}

/**
 * The policy raised to the floor, and one change per setting raised (none: the policy already meets it).
 * No floor: the policy as it is. Never modifies `policy` (the default policy is frozen).
 */
export function applyFloor(floor: Floor | undefined, policy: Policy): { policy: Policy; changes: FloorChange[] } {
  if (!floor) return { policy, changes: [] };
  const changes: FloorChange[] = [];
  const raised = raise(policy, floor, "", true, changes);
  const allowed = new Set([...AUTOMATION_NAMES, ...(floor.agents?.ignore ?? []).map((n) => n.toLowerCase())]);
  const dropped = policy.agents.ignore.filter((n) => !allowed.has(n.toLowerCase()));
  let agents = dropped.length ? { ...policy.agents, ignore: policy.agents.ignore.filter((n) => allowed.has(n.toLowerCase())) } : policy.agents;
  if (dropped.length) changes.push({ key: "agents.ignore", change: `drops ${dropped.map(code).join(", ")} (agents cannot be ignored)` });
  // `verified` would leave every agent known only by what it declares (a `Co-authored-by:` trailer, a footer) ungoverned.
  if (agents.min_strength === "verified") {
    agents = { ...agents, min_strength: "declared" };
    changes.push({ key: "agents.min_strength", change: "verified → declared (agents cannot be ignored)" });
  }
  const overrides = policy.overrides.map((o, i) => raise(o, floor, `overrides[${i}].`, false, changes));
  return { policy: { ...raised, agents, overrides }, changes };
}
