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
 */
import { AGENTS } from "../detect/agents.js";
import { permissionAtLeast, type Permission } from "../types.js";
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

/** The keys a policy section set (the policy itself, or an `overrides` entry) may write, as far as the floor reads them. */
interface Sections {
  mode?: "enforce" | "report" | undefined;
  reviewers?: { required?: number | undefined } | undefined;
  paths?:
    | {
        forbidden?: string[] | undefined;
        restricted?: Policy["paths"]["restricted"] | undefined;
        protect_agent_files?: boolean | undefined;
        limits?: { max_files?: number | undefined; max_changed_lines?: number | undefined } | undefined;
      }
    | undefined;
  compliance?:
    | {
        linked_issue?: boolean | "verified" | undefined;
        signed_commits?: boolean | undefined;
        dco?: boolean | undefined;
        no_secrets?: boolean | undefined;
        required_checks?: { name: string; app?: string | undefined }[] | undefined;
      }
    | undefined;
  commands?:
    | {
        override?: { min_permission?: Permission | undefined; users?: string[] | undefined; teams?: string[] | undefined; reason_required?: boolean | undefined } | undefined;
      }
    | undefined;
}

const code = (s: string) => `\`${s}\``;
const ISSUE_RANK = { false: 0, true: 1, verified: 2 } as const;
const groupKey = (g: unknown) => JSON.stringify(g);
const checkKey = (c: { name: string; app?: string | undefined }) => `${c.name}\u0000${c.app ?? ""}`;

/**
 * Raises one section set to the floor. `whole`: the policy itself, whose every key is set (a size limit
 * it leaves out is none, so the floor's applies); otherwise an `overrides` entry, raised only where it writes.
 */
function raise<T extends Sections>(s: T, floor: Floor, at: string, whole: boolean, changes: FloorChange[]): T {
  const note = (key: string, change: string) => changes.push({ key: `${at}${key}`, change });
  const out: Sections = { ...s };

  if (floor.mode === "enforce" && s.mode === "report") {
    out.mode = "enforce";
    note("mode", "report → enforce");
  }
  const required = floor.reviewers?.required;
  if (required !== undefined && s.reviewers?.required !== undefined && s.reviewers.required < required) {
    out.reviewers = { ...s.reviewers, required };
    note("reviewers.required", `${s.reviewers.required} → ${required}`);
  }

  const fp = floor.paths;
  if (fp && s.paths) {
    const paths = { ...s.paths };
    if (fp.forbidden && paths.forbidden) {
      const have = new Set(paths.forbidden);
      const added = [...new Set(fp.forbidden)].filter((g) => !have.has(g));
      if (added.length) {
        paths.forbidden = [...paths.forbidden, ...added];
        note("paths.forbidden", `adds ${added.map(code).join(", ")}`);
      }
    }
    if (fp.restricted && paths.restricted) {
      const have = new Set(paths.restricted.map(groupKey));
      const added = fp.restricted.filter((g, i) => !have.has(groupKey(g)) && fp.restricted!.findIndex((h) => groupKey(h) === groupKey(g)) === i);
      if (added.length) {
        paths.restricted = [...paths.restricted, ...added];
        note("paths.restricted", `adds ${added.map((g) => code(g.name ?? g.paths.join(", "))).join(", ")}`);
      }
    }
    if (fp.protect_agent_files && paths.protect_agent_files === false) {
      paths.protect_agent_files = true;
      note("paths.protect_agent_files", "false → true");
    }
    if (fp.limits && (whole || paths.limits)) {
      const limits = { ...paths.limits };
      for (const k of ["max_files", "max_changed_lines"] as const) {
        const cap = fp.limits[k];
        const mine = limits[k];
        if (cap === undefined || (mine !== undefined && mine <= cap) || (mine === undefined && !whole)) continue;
        limits[k] = cap;
        note(`paths.limits.${k}`, `${mine ?? "no limit"} → ${cap}`);
      }
      paths.limits = limits;
    }
    out.paths = paths;
  }

  const fc = floor.compliance;
  if (fc && s.compliance) {
    const compliance = { ...s.compliance };
    const mine = compliance.linked_issue;
    if (fc.linked_issue !== undefined && mine !== undefined && ISSUE_RANK[String(mine) as keyof typeof ISSUE_RANK] < ISSUE_RANK[String(fc.linked_issue) as keyof typeof ISSUE_RANK]) {
      compliance.linked_issue = fc.linked_issue;
      note("compliance.linked_issue", `${String(mine)} → ${String(fc.linked_issue)}`);
    }
    for (const k of ["signed_commits", "dco", "no_secrets"] as const) {
      if (fc[k] && compliance[k] === false) {
        compliance[k] = true;
        note(`compliance.${k}`, "false → true");
      }
    }
    if (fc.required_checks && compliance.required_checks) {
      const have = new Set(compliance.required_checks.map(checkKey));
      const added = fc.required_checks.filter((c, i) => !have.has(checkKey(c)) && fc.required_checks!.findIndex((d) => checkKey(d) === checkKey(c)) === i);
      if (added.length) {
        compliance.required_checks = [...compliance.required_checks, ...added];
        note("compliance.required_checks", `adds ${added.map((c) => code(c.app ? `${c.name} (${c.app})` : c.name)).join(", ")}`);
      }
    }
    out.compliance = compliance;
  }

  const fo = floor.commands?.override;
  const mine = s.commands?.override;
  if (fo && mine) {
    const override = { ...mine };
    const least = fo.min_permission;
    if (least) {
      if (mine.min_permission !== undefined && !permissionAtLeast(mine.min_permission, least)) {
        override.min_permission = least;
        note("commands.override.min_permission", `${mine.min_permission} → ${least}`);
      }
      // People listed by name override whatever their permission: under a floor's minimum they would slip below it.
      for (const k of ["users", "teams"] as const) {
        if (mine[k]?.length) {
          note(`commands.override.${k}`, `drops ${mine[k]!.map(code).join(", ")} (an override needs ${least} permission or above)`);
          override[k] = [];
        }
      }
    }
    if (fo.reason_required && mine.reason_required === false) {
      override.reason_required = true;
      note("commands.override.reason_required", "false → true");
    }
    out.commands = { ...s.commands, override };
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
