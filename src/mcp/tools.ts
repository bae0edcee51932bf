/**
 * The MCP tools' logic, pure: a loaded policy and the tool's arguments in, the
 * tool's answer out. `check_change` builds a synthetic PullFacts and calls the
 * same `evaluate()` as the app. Text is written for a model to act on.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { didYouMean } from "../config/load.js";
import type { Policy } from "../config/schema.js";
import { AGENTS } from "../detect/agents.js";
import { effectivePolicy, evaluate, isGoverned } from "../policy/evaluate.js";
import { hiddenInstructionsSetting } from "../policy/hidden-instructions.js";
import { AGENT_FILES, restrictedGroups } from "../policy/paths.js";
import { testWeakeningSetting } from "../policy/test-weakening.js";
import { describeRequirement, requirement, type ReviewerSet } from "../policy/reviewers.js";
import type { AgentVerdict, CommitFacts, Evaluation, FileFacts, PullFacts } from "../types.js";
import {
  formatSetting,
  howToSatisfy,
  isOn,
  isSettingRule,
  knownRuleIds,
  ruleMeaning,
  settingValue,
  splitRuleId,
  subSettings,
} from "./rules.js";

/** The policy as the server found it: valid (a file, or the default), or the file's problems. */
export type PolicyState =
  | { ok: true; policy: Policy; source: string; found: boolean; extends: string | null }
  | { ok: false; source: string; problems: string[] };

// ---------------------------------------------------------------------------
// Input schemas

const agentId = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .describe(`Your agent id, as the policy's \`overrides\` name it: ${AGENTS.map((a) => `\`${a.id}\``).join(", ")}, or your own.`);

const alsoAgents = z
  .array(agentId)
  .max(10)
  .describe(
    "Other agents whose work is in the PR: the agent that opens it when it is not you, or one a commit names (`Co-authored-by: Claude <noreply@anthropic.com>`). Each agent's `overrides` apply, the stricter rule where they differ, as the app does.",
  );

const repoPath = z
  .string()
  .min(1)
  .max(1000)
  .refine((p) => !/^([/\\]|[A-Za-z]:)/.test(p) && !p.split(/[/\\]/).includes(".."), {
    message: "use a path relative to the repository root, e.g. `src/app.ts` (no leading `/`, no `..`)",
  });

const baseBranch = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .describe("The branch your PR will merge into (default `main`): `overrides` entries with `base_branches` apply by it.");

/** What the tools say when the policy asks for code owners: the server has no CODEOWNERS (the app reads the default branch's). */
const CODEOWNERS_UNREAD =
  "1 approval from an owner of each changed file that CODEOWNERS (on the default branch) assigns owners; this server does not read CODEOWNERS, so they are not listed here: request their review too.";

/** The base branch a tool assumes when the caller names none. */
const DEFAULT_BASE = "main";

export const GetPolicyInput = z.strictObject({
  agent: agentId.optional(),
  also_agents: alsoAgents.optional(),
  base_branch: baseBranch.optional(),
});

export const CheckChangeInput = z.strictObject({
  files: z
    .array(
      z.strictObject({
        path: repoPath.describe("Path relative to the repository root, e.g. `src/app.ts`."),
        status: z.enum(["added", "modified", "removed", "renamed"]).optional(),
        previous_path: repoPath.optional().describe("The old path, for a rename."),
        additions: z.number().int().min(0).optional().describe("Lines added."),
        deletions: z.number().int().min(0).optional().describe("Lines deleted."),
        patch: z
          .string()
          .max(1_000_000)
          .optional()
          .describe("The file's unified diff hunks (`git diff` output from `@@`); the rules that read lines need it: secrets, workflow risk, install scripts, test weakening, hidden instructions."),
        content: z
          .string()
          .max(256 * 1024)
          .optional()
          .describe(
            "The file's whole new text, for a workflow, action, package.json, composer.json or pyproject.toml: parsed as the app parses it at the head commit (what `patch` adds is what counts).",
          ),
      }),
    )
    .min(1)
    .max(3000)
    .describe("Every file the PR will change."),
  title: z.string().max(1000).optional().describe("The PR title you will use."),
  body: z.string().max(65536).optional().describe("The PR description you will use."),
  agent: agentId.optional(),
  also_agents: alsoAgents.optional(),
  base_branch: baseBranch.optional(),
  commits: z
    .array(
      z.strictObject({
        message: z.string().min(1).max(20000),
        signed: z.boolean().optional().describe("GitHub will show the commit as verified."),
      }),
    )
    .min(1)
    .max(250)
    .optional()
    .describe("Your commits; omitted: one unsigned commit with the title and body as its message."),
});

export const ExplainRuleInput = z.strictObject({
  rule: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .describe("A rule id as `check_change` reports it, e.g. `paths.forbidden`, `reviewers`, `compliance.linked_issue`."),
  agent: agentId.optional(),
  also_agents: alsoAgents.optional(),
  base_branch: baseBranch.optional(),
});

export type GetPolicyArgs = z.output<typeof GetPolicyInput>;
export type CheckChangeArgs = z.output<typeof CheckChangeInput>;
export type ExplainRuleArgs = z.output<typeof ExplainRuleInput>;

// ---------------------------------------------------------------------------
// Shared pieces

const text = (t: string, extra: Partial<CallToolResult> = {}): CallToolResult => ({
  content: [{ type: "text", text: t }],
  ...extra,
});

const code = (s: string) => `\`${s}\``;
const list = (xs: readonly string[], max = 20) =>
  xs.slice(0, max).map(code).join(", ") + (xs.length > max ? ` and ${xs.length - max} more` : "");

/** The answer every tool gives when the policy file is invalid. */
export function invalidPolicyResult(state: Extract<PolicyState, { ok: false }>): CallToolResult {
  return text(
    [
      `The policy file ${state.source} is invalid, so every agent PR would fail its check. Problems:`,
      ...state.problems.slice(0, 30).map((p) => `- ${p}`),
      "Fix: a maintainer corrects the file (`agent-governance validate` checks it). Do not edit it in your PR.",
    ].join("\n"),
    { isError: true },
  );
}

/**
 * The verdict for the agent the caller says it is. Declared, not detected: the
 * synthetic facts carry no real signals. An id in `agents.ignore` is not governed.
 */
export function declaredVerdict(id: string | undefined, policy: Policy, also: readonly string[] = []): AgentVerdict {
  const ignore = new Set(policy.agents.ignore.map((i) => i.toLowerCase()));
  const declared = (x: string | undefined) => {
    const entry = x ? AGENTS.find((a) => a.id.toLowerCase() === x.toLowerCase()) : undefined;
    const value = entry?.id ?? x ?? null;
    return { value, name: entry?.name ?? value, kind: entry?.kind ?? (value === "automation" ? ("automation" as const) : ("agent" as const)) };
  };
  const me = declared(id);
  const evidence = (value: string | null) => [{ signal: "mcp", strength: "declared" as const, value: value ?? "(no id given)", where: "declared by the MCP caller" }];
  // Every declared agent not in `agents.ignore`, the caller first: ignoring one never hides another.
  const all = [me, ...also.map(declared)].filter((a, i, list) => list.findIndex((b) => b.value === a.value) === i);
  const kept = all.filter((a) => a.value === null || !ignore.has(a.value.toLowerCase()));
  const first = kept[0];
  if (!first) {
    return { detected: false, id: me.value, name: me.name, kind: "none", confidence: "high", evidence: evidence(me.value), invoker: null, invokers: [] };
  }
  return {
    detected: true,
    id: first.value,
    name: first.name,
    kind: first.kind,
    confidence: "high",
    evidence: evidence(first.value),
    invoker: null,
    invokers: [],
    ...(kept.length > 1
      ? { agents: kept.map((a) => ({ id: a.value, name: a.name ?? "agent", kind: a.kind, confidence: "high" as const, evidence: evidence(a.value) })) }
      : {}),
  };
}

function sourceLine(state: Extract<PolicyState, { ok: true }>, policy: Policy): string {
  const mode =
    policy.mode === "report" ? "mode `report`: the check never blocks, but reviewers see every result" : "mode `enforce`: a failing check blocks merging";
  const where = state.found
    ? `Policy: ${state.source} in your working copy (the app applies the default branch's copy)`
    : `No policy file at ${state.source}: the default policy applies (unless the org's \`.github\` repository has one)`;
  const ext = state.extends
    ? `\nThis file extends ${code(state.extends)}, which this server cannot read (no GitHub access): rules from it are not shown.`
    : "";
  return `${where}; ${mode}.${ext}`;
}

/** The agents a caller named (`agent`, then `also_agents`), as `overridesLine` prints them; undefined for none. */
function askedFor(args: { agent?: string; also_agents?: string[] }): string | undefined {
  const all = [...new Set([args.agent, ...(args.also_agents ?? [])].filter((a): a is string => !!a))];
  return all.length ? all.join("`, `") : undefined;
}

function overridesLine(policy: Policy, verdict: AgentVerdict, asked: string | undefined, base: string): string | null {
  if (policy.overrides.length === 0) return null;
  if (!asked) {
    const ids = [...new Set(policy.overrides.flatMap((o) => o.agents))];
    return `Per-agent overrides exist for ${list(ids)}: pass \`agent\` to see the policy for you.`;
  }
  // An entry applies when the engine's own `effectivePolicy` changes anything with it alone.
  const applied = policy.overrides
    .map((o, i) => ({ alone: { ...policy, overrides: [o] }, i }))
    .filter(({ alone }) => effectivePolicy(alone, verdict, base) !== alone)
    .map(({ i }) => `overrides[${i}]`);
  return applied.length ? `Applied for ${code(asked)}: ${applied.join(", ")}.` : `No override matches ${code(asked)}: the base policy applies.`;
}

function notGovernedLine(verdict: AgentVerdict): string {
  if (!verdict.detected) return `PRs by ${code(verdict.id ?? "you")} are not governed: \`agents.ignore\` lists it. Nothing here applies.`;
  if (verdict.kind === "automation") return "Automation PRs are not governed (`agents.govern_automation: false`). Nothing here applies.";
  return `PRs by ${code(verdict.id ?? "you")} are not governed by this policy. Nothing here applies.`;
}

/** A synthetic PR's facts, used only to build requirement texts with the engine's own functions. */
function emptyFacts(files: string[] = []): PullFacts {
  return {
    pull: { number: 0, title: "", body: null, user: null, head: { ref: "agent", sha: "0".repeat(40) }, base: { ref: "main" } },
    files: files.map((filename) => ({ filename })),
    commits: [],
    reviews: [],
    comments: [],
  };
}

/** "1 more approval from @org/dba" for a reviewer set, worded by the engine's `describeRequirement`. */
function whoApproves(rule: string, needed: number, set: ReviewerSet, verdict: AgentVerdict): string {
  const facts = emptyFacts();
  const r = requirement(rule, rule, needed, set, { approvals: [], changesRequested: [] }, {
    facts,
    verdict,
    invokerCanApprove: false,
    staleOk: false,
  });
  return describeRequirement(r).replace(/^(\d+) more /, "$1 ");
}

// ---------------------------------------------------------------------------
// get_policy

export function getPolicy(state: PolicyState, args: GetPolicyArgs): CallToolResult {
  if (!state.ok) return invalidPolicyResult(state);
  const verdict = declaredVerdict(args.agent, state.policy, args.also_agents);
  const base = args.base_branch ?? DEFAULT_BASE;
  const policy = effectivePolicy(state.policy, verdict, base);
  const out = [sourceLine(state, policy)];
  const ov = overridesLine(state.policy, verdict, askedFor(args), base);
  if (ov) out.push(ov);
  if (!isGoverned(policy, verdict)) {
    out.push(notGovernedLine(verdict));
    return text(out.join("\n"));
  }

  const { forbidden, limits, restricted } = policy.paths;
  out.push("", "Do not change (the PR fails; only an admin override passes it):");
  out.push(forbidden.length ? forbidden.map((g) => `- ${code(g)}`).join("\n") : "- nothing is forbidden");
  const lim = [
    limits.max_files !== undefined ? `${limits.max_files} files` : null,
    limits.max_changed_lines !== undefined ? `${limits.max_changed_lines} changed lines (added + deleted)` : null,
  ].filter(Boolean);
  if (lim.length) out.push(`Size limit: at most ${lim.join(" and ")} per PR; split bigger work.`);

  out.push("", "Needs human approval after you open the PR (you cannot approve; request review):");
  const approvals: string[] = [];
  if (policy.reviewers.required > 0) {
    const stale = policy.reviewers.stale_on_push ? "; a new push makes earlier approvals stale" : "";
    approvals.push(`- every PR (\`reviewers\`): ${whoApproves("reviewers", policy.reviewers.required, policy.reviewers.from, verdict)}${stale}`);
  }
  if (policy.reviewers.codeowners) approvals.push(`- code owners (\`reviewers.codeowners\`): ${CODEOWNERS_UNREAD}`);
  restricted.forEach((g, i) => {
    approvals.push(`- ${g.name ? `${g.name}: ` : ""}${list(g.paths)} (\`paths.restricted[${i}]\`): ${whoApproves(`paths.restricted[${i}]`, g.reviewers.required, g.reviewers, verdict)}`);
  });
  const steering = restrictedGroups(policy, emptyFacts([AGENT_FILES[0]!])).find((g) => g.rule === "paths.agent_files");
  if (steering) {
    approvals.push(`- agent-steering files (\`paths.agent_files\`: ${list(AGENT_FILES, 8)}): ${whoApproves(steering.rule, steering.required, steering.set, verdict)}`);
  }
  for (const [id, what, setting] of [
    ["compliance.test_weakening", "a PR that weakens tests (skips, focuses or deletes tests, removes assertions, lowers thresholds, drops CI steps)", testWeakeningSetting(policy)],
    ["compliance.hidden_instructions", "a PR with hidden instructions (invisible characters, comments or phrases aimed at AI agents)", hiddenInstructionsSetting(policy)],
  ] as const) {
    if (setting?.action === "approve") approvals.push(`- ${what} (\`${id}\`): ${whoApproves(id, setting.reviewers.required, setting.reviewers, verdict)}`);
  }
  out.push(approvals.length ? approvals.join("\n") : "- no approval is required");

  const compliance = Object.entries(policy.compliance).filter(([, v]) => isOn(v));
  out.push("", "Compliance rules:");
  out.push(
    compliance.length
      ? compliance
          .map(([key, value]) => {
            const id = `compliance.${key}`;
            const setting = value === true ? "" : ` Setting: ${formatSetting(value)}.`;
            return `- ${code(id)}: ${ruleMeaning(id) ?? ""}${setting}`;
          })
          .join("\n")
      : "- none",
  );
  out.push("", "Before opening the PR, call `check_change` with your files, title and body; `explain_rule` explains one rule.");
  return text(out.join("\n"));
}

// ---------------------------------------------------------------------------
// check_change

const normPath = (p: string) => p.replace(/\\/g, "/").replace(/^(\.\/)+/, "");

/** The PR the caller describes, as the PullFacts the evaluator reads. */
export function syntheticFacts(args: CheckChangeArgs, verdict: AgentVerdict): PullFacts {
  const contents = args.files.filter((f) => f.content !== undefined).map((f) => [normPath(f.path), f.content!] as const);
  const files: FileFacts[] = args.files.map((f) => ({
    filename: normPath(f.path),
    status: f.status ?? (f.previous_path ? "renamed" : "modified"),
    ...(f.previous_path ? { previous_filename: normPath(f.previous_path) } : {}),
    ...(f.additions !== undefined ? { additions: f.additions } : {}),
    ...(f.deletions !== undefined ? { deletions: f.deletions } : {}),
    ...(f.additions !== undefined && f.deletions !== undefined ? { changes: f.additions + f.deletions } : {}),
    ...(f.patch !== undefined ? { patch: f.patch } : {}),
  }));
  const bot = AGENTS.find((a) => a.id === verdict.id)?.bots?.[0];
  const user = { login: bot?.login ?? `${verdict.id ?? "agent"}[bot]`, id: bot?.id ?? null, type: "Bot" };
  const message = [args.title, args.body].filter((s) => s && s.trim()).join("\n\n") || "(no message)";
  const commits: CommitFacts[] = (args.commits ?? [{ message, signed: false }]).map((c, i) => ({
    sha: String(i + 1).padStart(40, "0"),
    commit: { message: c.message, verification: { verified: c.signed ?? false, reason: c.signed ? "valid" : "unsigned" } },
    author: user,
    committer: user,
    parents: i > 0 ? [{ sha: String(i).padStart(40, "0") }] : [],
  }));
  return {
    pull: {
      number: 0,
      title: args.title ?? "",
      body: args.body ?? null,
      draft: false,
      state: "open",
      user,
      head: { ref: "agent-change", sha: commits[commits.length - 1]!.sha },
      base: { ref: args.base_branch ?? DEFAULT_BASE },
      labels: [],
      changed_files: files.length,
    },
    files,
    commits,
    reviews: [],
    comments: [],
    checks: [],
    permissions: {},
    teams: {},
    ...(contents.length ? { head_contents: Object.fromEntries(contents) } : {}),
  };
}

/** What `check_change` returns as structured content, besides its text. */
export interface CheckChangeReport {
  outcome: Evaluation["outcome"];
  conclusion: Evaluation["conclusion"];
  mode: Evaluation["mode"];
  agent: string | null;
  forbidden: string[];
  fix: { id: string; message: string; fix: string | null; files: string[] }[];
  approvals: { rule: string; label: string; needed: number; who: string; files: string[] }[];
  pending: { id: string; message: string; fix: string | null }[];
  passing: string[];
}

export function checkChange(state: PolicyState, args: CheckChangeArgs, now: Date | string): CallToolResult {
  if (!state.ok) return invalidPolicyResult(state);
  const verdict = declaredVerdict(args.agent, state.policy, args.also_agents);
  const facts = syntheticFacts(args, verdict);
  const e = evaluate({ policy: state.policy, facts, now, verdict });
  const report = reportOf(e);
  const policy = effectivePolicy(state.policy, verdict, facts.pull.base.ref);
  const out = [verdictLine(e, report), sourceLine(state, policy)];
  const asked = askedFor(args);
  const ov = overridesLine(state.policy, verdict, asked, facts.pull.base.ref);
  if (ov && asked) out.push(ov);
  if (e.outcome === "not_governed") {
    out.push(notGovernedLine(verdict));
    return text(out.join("\n"), { structuredContent: { ...report } });
  }
  if (report.fix.length) {
    out.push("", "Fix before opening the PR:");
    for (const r of report.fix) out.push(`- ${code(r.id)}: ${r.message}${r.fix ? `\n  Fix: ${r.fix}` : ""}`);
  }
  if (report.approvals.length) {
    out.push("", "Then it needs human approval (you cannot give it; request review):");
    for (const a of report.approvals) {
      const files = a.files.length ? ` Files: ${list(a.files, 10)}.` : "";
      out.push(`- ${code(a.rule)}${a.label === a.rule ? "" : ` (${a.label})`}: ${a.who}.${files}`);
    }
  }
  if (report.pending.length) {
    out.push("", "Pending until the PR exists:");
    for (const r of report.pending) out.push(`- ${code(r.id)}: ${r.message}${r.fix ? `\n  Fix: ${r.fix}` : ""}`);
  }
  if (report.passing.length) out.push("", `Passing: ${report.passing.map(code).join(", ")}.`);

  const notes: string[] = [];
  if (!args.commits && e.rules.some((r) => r.id.startsWith("compliance."))) {
    notes.push("Commits: none given, so one unsigned commit with your title and body as its message was checked; pass `commits` to check yours.");
  }
  const unread = args.files.filter((f) => f.patch === undefined && f.status !== "removed").length;
  const readers = ["compliance.test_weakening", "compliance.hidden_instructions"].filter((id) => isOn(settingValue(policy, id)));
  if (unread > 0 && readers.length) {
    notes.push(`Patches: ${unread} file${unread === 1 ? " has" : "s have"} no \`patch\`, so ${readers.map(code).join(" and ")} could not read ${unread === 1 ? "it" : "them"}; pass each file's diff to check them.`);
  }
  if (policy.reviewers.codeowners) notes.push(`Code owners (\`reviewers.codeowners\`): ${CODEOWNERS_UNREAD}`);
  const uncounted = args.files.filter((f) => f.additions === undefined || f.deletions === undefined).length;
  if (uncounted > 0 && e.rules.some((r) => r.id === "paths.limits")) {
    notes.push(`Line counts: ${uncounted} file${uncounted === 1 ? " has" : "s have"} no additions/deletions, so the line limit was checked on the counts given.`);
  }
  if (notes.length) out.push("", ...notes);
  return text(out.join("\n"), { structuredContent: { ...report } });
}

function reportOf(e: Evaluation): CheckChangeReport {
  const filesOf = (id: string) => e.rules.find((r) => r.id === id)?.locations?.map((l) => l.path) ?? [];
  const approvalRules = new Set(e.required.map((r) => r.rule));
  return {
    outcome: e.outcome,
    conclusion: e.conclusion,
    mode: e.mode,
    agent: e.agent.id,
    forbidden: e.rules.some((r) => r.id === "paths.forbidden" && r.status === "fail") ? filesOf("paths.forbidden") : [],
    fix: e.rules
      .filter((r) => r.status === "fail")
      .map((r) => ({ id: r.id, message: r.message, fix: r.fix ?? null, files: filesOf(r.id) })),
    approvals: e.required.map((r) => ({ rule: r.rule, label: r.label, needed: r.needed - r.have, who: describeRequirement(r), files: filesOf(r.rule) })),
    pending: e.rules
      .filter((r) => r.status === "pending" && !approvalRules.has(r.id))
      .map((r) => ({ id: r.id, message: r.message, fix: r.fix ?? null })),
    passing: e.rules.filter((r) => r.status === "pass").map((r) => r.id),
  };
}

function verdictLine(e: Evaluation, report: CheckChangeReport): string {
  const report_ = e.mode === "report" ? " (report mode: the check will not block, but reviewers see this)" : "";
  switch (e.outcome) {
    case "not_governed":
      return "Not governed: this policy does not check your PRs.";
    case "violation":
      return `Would FAIL: ${report.fix.length} rule${report.fix.length === 1 ? "" : "s"} to fix before opening the PR${report_}.`;
    case "waiting":
      return `Would wait: no rule fails, but the PR needs ${report.approvals.length ? "human approval" : "pending checks"} before it can merge${report_}.`;
    default:
      return `Would pass: no rule fails and no approval is needed${report_}.`;
  }
}

// ---------------------------------------------------------------------------
// explain_rule

export function explainRule(state: PolicyState, args: ExplainRuleArgs): CallToolResult {
  const id = args.rule;
  const meaning = ruleMeaning(id);
  if (meaning === null) {
    const known = knownRuleIds();
    const hint = didYouMean(splitRuleId(id).base, known);
    return text(
      `Unknown rule ${code(id)}.${hint ? ` Did you mean ${code(hint)}?` : ""} Known rules: ${known.map(code).join(", ")}.`,
      { isError: true },
    );
  }
  const out = [`${code(id)}: ${meaning}`];
  for (const s of subSettings(id)) out.push(`- ${code(s.key)}: ${s.description}`);
  const policy = state.ok ? effectivePolicy(state.policy, declaredVerdict(args.agent, state.policy, args.also_agents), args.base_branch ?? DEFAULT_BASE) : undefined;
  if (!state.ok) {
    out.push(`The policy file ${state.source} is invalid, so its setting is unknown:`, ...state.problems.slice(0, 10).map((p) => `- ${p}`));
  } else if (policy && isSettingRule(id)) {
    const { index } = splitRuleId(id);
    const value = settingValue(policy, id);
    const where = state.found ? state.source : "the default policy";
    const asked = askedFor(args);
    if (index !== null && value === undefined) out.push(`In ${where}: there is no entry ${index}.`);
    else out.push(`In ${where}${asked ? ` for ${code(asked)}` : ""}: ${isOn(value) || typeof value === "number" ? formatSetting(value) : "off (this rule does not apply)"}.`);
  }
  out.push(`To satisfy: ${howToSatisfy(id, policy)}`);
  return text(out.join("\n"));
}
