/**
 * Checks a schema cannot make: a policy that parses but can never do what its
 * author meant. Globs that match no repository path, logins that are teams
 * (or teams written without their org), approvals that can never be given,
 * escalation tiers that are never reached, overrides for agents that are never
 * governed, agents' accounts listed as reviewers (they can never approve). Pure: the parsed policy and its text in, problems with positions out.
 */
import { isCollection, isMap, isNode, isScalar, LineCounter, parseDocument, type Document } from "yaml";
import { AGENTS } from "../detect/agents.js";
import { agentAccount } from "../detect/detect.js";
import { mergePolicies, parsePolicy, pathToString, type ConfigProblem } from "./load.js";
import { POLICY_PATH, durationMs, isListAdd, type Policy } from "./schema.js";

type Path = (string | number)[];
type Emit = (path: Path, message: string, severity?: "warning") => void;

/** A section-shaped slice: the base policy, or one `overrides` entry (only the keys it writes). */
interface Sections {
  reviewers?: { required?: number; from?: ReviewerSet };
  paths?: {
    forbidden?: string[];
    restricted?: { paths?: string[]; reviewers?: ReviewerSet & { required?: number } }[];
    protect_agent_files?: boolean;
  };
  compliance?: {
    tests_with_code?: false | { code?: string[]; tests?: string[] };
    dependencies?: false | { paths?: string[]; reviewers?: ReviewerSet & { required?: number } };
    test_weakening?: FindingSetting & { tests?: string[] };
    hidden_instructions?: FindingSetting & { paths?: string[] };
    required_checks?: { name: string; app?: string }[];
  };
  escalation?: { check_name?: string; tiers?: { after: string; notify: string[] }[] };
  commands?: { override?: { users?: string[]; teams?: string[] } };
}

interface ReviewerSet {
  users?: string[];
  teams?: string[];
}

/** `compliance.test_weakening` / `hidden_instructions`: on, off, or a mapping with an answer to findings. */
type FindingSetting = boolean | undefined | { action?: "approve" | "fail"; reviewers?: ReviewerSet & { required?: number } };

/** The finding rules, with the answer each gives when the policy does not say. */
const FINDING_RULES = [
  ["test_weakening", "approve", "tests"],
  ["hidden_instructions", "fail", "paths"],
] as const;

/** Does a finding rule's setting ask a group for approval? */
const asksApproval = (s: FindingSetting, action: "approve" | "fail") => s !== false && s !== undefined && (s === true ? action : (s.action ?? action)) === "approve";

export type PolicyCheck =
  | { ok: true; policy: Policy; extends: string | null; warnings?: ConfigProblem[] }
  | { ok: false; problems: ConfigProblem[] };

/**
 * Parses, then lints, a policy file's text: what `agent-governance validate` reports. Never throws.
 * A file with only warnings (`severity: "warning"`) is valid, and carries them.
 */
export function checkPolicy(text: string, file = POLICY_PATH): PolicyCheck {
  const parsed = parsePolicy(text, file);
  if (!parsed.ok) return parsed;
  const problems = lintPolicy(parsed.policy, text, file, { whole: parsed.extends === null });
  if (problems.some((p) => p.severity !== "warning")) return { ok: false, problems };
  return { ok: true, policy: parsed.policy, extends: parsed.extends, ...(problems.length ? { warnings: problems } : {}) };
}

export interface LintOptions {
  /**
   * The file is the whole policy (default). False for a file with `_extends`: its
   * mappings merge over a base this module cannot see, so the checks that weigh
   * one key against another (approvals against reviewers, tiers against rules,
   * `required_checks` against the check's name) are left out; list entries,
   * which replace the base's whole, are still checked.
   */
  whole?: boolean;
}

/** Lints a policy that `parsePolicy` accepted. `text` is the same file's YAML, for positions. */
export function lintPolicy(policy: Policy, text: string, file = POLICY_PATH, opts: LintOptions = {}): ConfigProblem[] {
  const whole = opts.whole ?? true;
  const locate = locator(text);
  const problems: ConfigProblem[] = [];
  const emit: Emit = (path, message, severity) => {
    const { line, col } = locate(path);
    const key = pathToString(path);
    problems.push({ file, line, col, path: key, message: `\`${key}\`: ${message}`, ...(severity ? { severity } : {}) });
  };

  const base = policy as Sections;
  const teams = knownTeams([base, ...policy.overrides]);
  const also = policy.agents.also.logins;
  lintSections(base, [], teams, also, emit, whole);
  policy.agents.also.branches.forEach((g, i) => {
    const why = branchGlobProblem(g);
    if (why) emit(["agents", "also", "branches", i], why);
  });
  policy.agents.also.logins.forEach((l, i) => {
    const why = loginProblem(l, teams, false);
    if (why) emit(["agents", "also", "logins", i], why);
  });
  if (whole && !canWaitForHumans(base) && !policy.overrides.some((o) => canWaitForHumans(mergePolicies(base, o) as Sections))) {
    if (policy.escalation.tiers.length > 0) {
      emit(
        ["escalation", "tiers"],
        "no rule in this policy waits for human approval (`reviewers.required` is 0, no `paths.restricted` or `compliance.dependencies` groups, `paths.protect_agent_files` is off, `compliance.test_weakening` and `compliance.hidden_instructions` do not ask for approval), so no tier is ever reached",
      );
    }
  }

  const stuck = policy.escalation.stuck;
  if (whole && stuck) {
    if (stuck.failed_heads === undefined && stuck.idle === undefined) {
      emit(["escalation", "stuck"], "names neither `failed_heads` nor `idle`, so no PR is ever found stuck: add `failed_heads: 3` (required checks failing on 3 pushes in a row) or `idle: 2d`");
    } else if (stuck.failed_heads !== undefined && policy.compliance.required_checks.length === 0 && !policy.overrides.some((o) => (o.compliance?.required_checks?.length ?? 0) > 0)) {
      emit(["escalation", "stuck", "failed_heads"], "counts heads whose `compliance.required_checks` failed, and this policy requires no check: list the CI checks in `compliance.required_checks`, or use `idle`");
    }
  }

  const raw = rawPolicy(text);
  policy.overrides.forEach((o, j) => {
    lintSections(o as Sections, ["overrides", j], teams, also, addsEmit(emit, raw, j, o, base), whole, base);
    o.base_branches?.forEach((g, k) => {
      const why = branchGlobProblem(g);
      if (why) emit(["overrides", j, "base_branches", k], why);
    });
    o.agents.forEach((id, k) => {
      const why = whole ? ungovernedAgent(id, policy.agents) : null;
      if (why) emit(["overrides", j, "agents", k], `${why}, so this entry never applies to it`);
    });
    if (whole) droppedBaseEntries(o as Sections, base, ["overrides", j], emit);
  });

  return problems.sort((a, b) => a.line - b.line || a.col - b.col);
}

/** The file as plain data (for the form an override wrote a list in), or null when it does not parse. */
function rawPolicy(text: string): unknown {
  try {
    return parseDocument(text).toJS();
  } catch {
    return null;
  }
}

const at = (v: unknown, path: readonly (string | number)[]) =>
  path.reduce<unknown>((x, k) => (x && typeof x === "object" ? (x as Record<string | number, unknown>)[k] : undefined), v);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Emits for override entry `j`, whose `{ add: [...] }` lists the parsed policy holds resolved (the
 * base's entries, then the added ones): a problem with a base entry was reported at the base and
 * is not repeated; one with an added entry points at it under `add`.
 */
function addsEmit(emit: Emit, raw: unknown, j: number, entry: unknown, base: unknown): Emit {
  return (path, message, severity) => {
    const n = path.findIndex((k, i) => i > 1 && typeof k === "number");
    const listPath = n > 2 ? path.slice(2, n) : null;
    const written = listPath ? at(raw, ["overrides", j, ...listPath]) : undefined;
    if (!listPath || !isListAdd(written)) return emit(path, message, severity);
    const item = (at(entry, listPath) as unknown[] | undefined)?.[path[n] as number];
    if (((at(base, listPath) as unknown[] | undefined) ?? []).some((b) => same(b, item))) return;
    const k = written.add.findIndex((a) => same(a, item));
    emit([...path.slice(0, n), "add", ...(k >= 0 ? [k, ...path.slice(n + 1)] : [])], message, severity);
  };
}

/** Lists whose base entries an override that replaces them silently lets through: the key, and how an entry reads. */
const GUARD_LISTS: readonly { path: readonly string[]; show: (entry: unknown) => string }[] = [
  { path: ["paths", "forbidden"], show: (g) => `\`${String(g)}\`` },
  { path: ["paths", "restricted"], show: (g) => `\`${(g as { name?: string; paths: string[] }).name ?? (g as { paths: string[] }).paths.join(", ")}\`` },
  { path: ["compliance", "required_checks"], show: (c) => `\`${(c as { name: string }).name}\`` },
];

/**
 * Warns where an override entry's list replaces the base policy's and leaves out some of its
 * entries: for those agents, a base `forbidden` path (a restricted group, a required check) no
 * longer applies. Often meant as "stricter", which `{ add: [...] }` says.
 */
function droppedBaseEntries(o: Sections, base: Sections, prefix: Path, emit: Emit): void {
  for (const { path, show } of GUARD_LISTS) {
    const get = (s: Sections) => path.reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), s);
    const mine = get(o);
    const theirs = get(base);
    if (!Array.isArray(mine) || !Array.isArray(theirs)) continue;
    const kept = new Set(mine.map((v) => JSON.stringify(v)));
    const dropped = theirs.filter((v) => !kept.has(JSON.stringify(v)));
    if (dropped.length === 0) continue;
    const key = path.at(-1)!;
    emit(
      [...prefix, ...path],
      `this list replaces the base policy's \`${path.join(".")}\`, so for these agents ${dropped.map(show).join(", ")} ${dropped.length === 1 ? "no longer applies" : "no longer apply"}; write \`${key}: { add: [...] }\` to keep the base's entries and add these, or list them here too`,
      "warning",
    );
  }
}

const AUTOMATION_IDS = new Set(AGENTS.filter((a) => a.kind === "automation").map((a) => a.id));

/** Why a glob of branch names cannot match as meant, or null. */
function branchGlobProblem(g: string): string | null {
  return implausibleGlob(g) ?? (g.startsWith("refs/") ? `branch globs match branch names without \`refs/heads/\`: write \`${g.replace(/^refs\/(heads\/)?/, "")}\`` : null);
}

/** Why PRs of agent `id` (an `overrides[].agents` entry) are never governed under `agents`, or null. */
function ungovernedAgent(id: string, agents: Policy["agents"]): string | null {
  const key = id.toLowerCase();
  const ignored = new Set(agents.ignore.map((i) => i.toLowerCase()));
  const automation = key === "automation" || AUTOMATION_IDS.has(key);
  if (ignored.has(key) || (automation && ignored.has("automation"))) return `\`${id}\` is in \`agents.ignore\`: its PRs are never governed`;
  if (automation && !agents.govern_automation && !agents.govern_humans) {
    return `\`${id}\` is a dependency or release bot and \`agents.govern_automation\` is false: its PRs are never governed`;
  }
  return null;
}

/** Every `org/slug` the policy names anywhere, for "team written without its org". */
function knownTeams(all: readonly Sections[]): string[] {
  const out = new Set<string>();
  for (const s of all) {
    for (const t of s.reviewers?.from?.teams ?? []) out.add(t);
    for (const g of s.paths?.restricted ?? []) for (const t of g.reviewers?.teams ?? []) out.add(t);
    for (const t of (s.compliance?.dependencies || undefined)?.reviewers?.teams ?? []) out.add(t);
    for (const [key] of FINDING_RULES) {
      const f = s.compliance?.[key];
      if (typeof f === "object") for (const t of f.reviewers?.teams ?? []) out.add(t);
    }
    for (const t of s.commands?.override?.teams ?? []) out.add(t);
    for (const tier of s.escalation?.tiers ?? []) for (const n of tier.notify) if (n.includes("/")) out.add(n);
  }
  return [...out];
}

/**
 * Lints one section set. `base` is given for an override entry: its `reviewers`
 * are checked as merged over the base's, the way the evaluator applies them.
 */
function lintSections(s: Sections, prefix: Path, teams: readonly string[], also: readonly string[], emit: Emit, whole: boolean, base?: Sections): void {
  /** An agent's account where a person goes: it never approves or commands, and no review is requested from it. */
  const agentLogin = (u: string, what: string) => {
    const account = u.includes("/") ? null : agentAccount(u, { also: { logins: also } });
    return account ? `\`${u}\` is ${account}: ${what}; list the people who review instead` : null;
  };
  const globList = (path: Path, globs: readonly string[] | undefined) =>
    globs?.forEach((g, i) => {
      const why = implausibleGlob(g);
      if (why) emit([...prefix, ...path, i], why);
    });
  const userList = (path: Path, users: readonly string[] | undefined) =>
    users?.forEach((u, i) => {
      const why = loginProblem(u, teams, false) ?? agentLogin(u, "an agent's account never approves, overrides or gets a review request");
      if (why) emit([...prefix, ...path, i], why);
    });

  globList(["paths", "forbidden"], s.paths?.forbidden);
  s.paths?.restricted?.forEach((g, i) => {
    globList(["paths", "restricted", i, "paths"], g.paths);
    userList(["paths", "restricted", i, "reviewers", "users"], g.reviewers?.users);
    const why = unsatisfiable(g.reviewers?.required ?? 1, g.reviewers ?? {});
    if (why) emit([...prefix, "paths", "restricted", i, "reviewers", "required"], why);
  });
  const tests = s.compliance?.tests_with_code || undefined;
  globList(["compliance", "tests_with_code", "code"], tests?.code);
  globList(["compliance", "tests_with_code", "tests"], tests?.tests);
  const deps = s.compliance?.dependencies || undefined;
  if (deps) {
    globList(["compliance", "dependencies", "paths"], deps.paths);
    userList(["compliance", "dependencies", "reviewers", "users"], deps.reviewers?.users);
    const why = whole ? unsatisfiable(deps.reviewers?.required ?? 1, deps.reviewers ?? {}) : null;
    if (why) emit([...prefix, "compliance", "dependencies", "reviewers", "required"], why);
  }
  for (const [key, , globKey] of FINDING_RULES) {
    const f = s.compliance?.[key];
    if (typeof f !== "object") continue;
    globList(["compliance", key, globKey], (f as Record<string, string[] | undefined>)[globKey]);
    userList(["compliance", key, "reviewers", "users"], f.reviewers?.users);
    const why = whole && f.reviewers ? unsatisfiable(f.reviewers.required ?? 1, f.reviewers) : null;
    if (why) emit([...prefix, "compliance", key, "reviewers", "required"], why);
  }
  userList(["reviewers", "from", "users"], s.reviewers?.from?.users);
  userList(["commands", "override", "users"], s.commands?.override?.users);

  if (whole && s.reviewers && (!base || s.reviewers.required !== undefined || s.reviewers.from !== undefined)) {
    const merged = (base ? mergePolicies(base.reviewers, s.reviewers) : s.reviewers) as Sections["reviewers"] & {};
    const why = unsatisfiable(merged.required ?? 1, merged.from ?? {});
    if (why) emit([...prefix, "reviewers", s.reviewers.required !== undefined ? "required" : "from"], why);
  }

  const checkName = whole ? (s.escalation?.check_name ?? base?.escalation?.check_name) : undefined;
  s.compliance?.required_checks?.forEach(({ name }, i) => {
    if (checkName && name.toLowerCase() === checkName.toLowerCase()) {
      emit(
        [...prefix, "compliance", "required_checks", i],
        `\`${name}\` is this app's own check, which cannot pass before it has finished; remove it from \`required_checks\``,
      );
    }
  });

  const tiers = s.escalation?.tiers ?? [];
  tiers.forEach((tier, i) => {
    tier.notify.forEach((n, k) => {
      const why = loginProblem(n, teams, true) ?? agentLogin(n, "an agent's account is never asked to review");
      if (why) emit([...prefix, "escalation", "tiers", i, "notify", k], why);
    });
    if (i === 0) return;
    const prev = tiers[i - 1]!;
    const [a, b] = [durationMs(prev.after), durationMs(tier.after)];
    if (b === a) {
      emit(
        [...prefix, "escalation", "tiers", i, "after"],
        `tier ${i + 1} has the same \`after\` (${tier.after}) as tier ${i}, so both are reached at once; merge their \`notify\` lists`,
      );
    } else if (b < a) {
      emit(
        [...prefix, "escalation", "tiers", i, "after"],
        `tier ${i + 1} (\`after: ${tier.after}\`) comes before tier ${i} (\`after: ${prev.after}\`) in time; tiers are reached in order, so list them from the shortest wait to the longest`,
      );
    }
  });
}

/** Could an agent PR under these sections ever wait for a human approval? */
function canWaitForHumans(s: Sections): boolean {
  return (
    (s.reviewers?.required ?? 1) > 0 ||
    (s.paths?.restricted?.length ?? 0) > 0 ||
    Boolean(s.compliance?.dependencies) ||
    FINDING_RULES.some(([key, action]) => asksApproval(s.compliance?.[key], action)) ||
    (s.paths?.protect_agent_files ?? true)
  );
}

/** Why `required` approvals can never come from `set`, or null. Only a users-only list is finite. */
function unsatisfiable(required: number, set: ReviewerSet): string | null {
  const users = set.users ?? [];
  if ((set.teams ?? []).length > 0 || users.length === 0) return null;
  const distinct = new Set(users.map((u) => u.toLowerCase())).size;
  if (required <= distinct) return null;
  return `needs ${required} approvals but lists only ${distinct} user${distinct === 1 ? "" : "s"} (and no teams), so it can never be satisfied; lower \`required\` or list more reviewers`;
}

const LOGIN = /^[A-Za-z0-9][A-Za-z0-9-]*(\[bot\])?$/;
const TEAM = /^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+$/;

/** Why `value`, written where a login goes, is not one; `teamOk` for lists that take both (tier `notify`). */
export function loginProblem(value: string, teams: readonly string[], teamOk: boolean): string | null {
  if (value.startsWith("@")) {
    return `write \`${value.slice(1)}\` without the \`@\`; it is added when people are mentioned`;
  }
  if (value.includes("/")) {
    if (!teamOk) return `\`${value}\` is a team, not a user: list it under \`teams:\``;
    return TEAM.test(value) ? null : `\`${value}\` is neither a login nor a team (\`org/slug\`)`;
  }
  const team = teams.find((t) => t.split("/")[1]?.toLowerCase() === value.toLowerCase());
  if (team) return `\`${value}\` is read as a user login; the team is written with its org: \`${team}\``;
  if (!LOGIN.test(value)) {
    return `\`${value}\` is not a GitHub login (letters, digits and hyphens${teamOk ? "; a team is written `org/slug`" : ""})`;
  }
  return null;
}

/**
 * Why `glob` can never match a changed file's path (repository-relative,
 * `/`-separated, no trailing slash), or null. What the schema refuses outright
 * (`!…`, a leading `/`, pathological globs) is `globProblem` in policy/globs.ts.
 */
export function implausibleGlob(glob: string): string | null {
  if (glob.trim() !== glob) return `\`${glob}\` has spaces at its ends, which no path has; remove them`;
  if (glob.includes("\\")) {
    return `\`${glob}\`: folders are separated by \`/\` (a backslash escapes the next character): write \`${glob.replace(/\\/g, "/")}\``;
  }
  if (glob.startsWith("./")) return `\`${glob}\`: paths are relative to the repository root, without \`./\`: write \`${glob.replace(/^(\.\/)+/, "")}\``;
  if (glob.endsWith("/")) return `\`${glob}\` matches no file (paths never end with \`/\`): write \`${glob}**\` for everything under it`;
  const seg = glob.split("/").find((p) => p.includes("**") && p !== "**");
  if (seg) {
    return `\`${glob}\`: \`**\` inside a name (\`${seg}\`) matches within one folder only, like \`*\`; write \`${glob.replace(seg, `**/${seg.replace(/\*\*+/g, "*")}`)}\` to match at any depth`;
  }
  return null;
}

/** Maps a key path to the line and column of its value in `text` (or of the nearest written ancestor). */
function locator(text: string): (path: Path) => { line: number; col: number } {
  const lineCounter = new LineCounter();
  let doc: Document | null = null;
  try {
    doc = parseDocument(text, { lineCounter });
  } catch {
    doc = null;
  }
  const at = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  };
  return (path) => {
    for (let n = path.length; doc && n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      if (!isNode(node) || !node.range) continue;
      // A list or mapping under a key: point at the key, where the reader looks.
      const parent = n > 0 && isCollection(node) ? doc.getIn(path.slice(0, n - 1), true) : null;
      const key = isMap(parent) ? parent.items.find((p) => isScalar(p.key) && p.key.value === path[n - 1])?.key : null;
      return at(isScalar(key) && key.range ? key.range[0] : node.range[0]);
    }
    return { line: 1, col: 1 };
  };
}
