/**
 * `compliance.workflow_risk`: risky changes to GitHub Actions workflows and
 * composite actions (`.github/workflows/**`, `.github/actions/**`). A changed
 * workflow is parsed whole from `PullFacts.head_contents` when the facts carry
 * it, and only what its patch adds counts; without it (or when it is not valid
 * YAML) the patch's added lines are read one by one. Pure.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair } from "yaml";
import type { Policy } from "../config/schema.js";
import type { FileFacts, PullFacts } from "../types.js";
import { addedLineSet, changedLines, gateFindings, headText, memoGated, nestedTooDeep, NOT_GATED, type Finding, type Gated } from "./findings.js";
import { matcher } from "./globs.js";
import type { AddedLine } from "./patch.js";

/** Token scopes whose `write` lets a workflow push code, mint cloud credentials, change workflows' runs or publish packages. */
export const SENSITIVE_SCOPES = ["contents", "id-token", "actions", "packages"];
/** Actions trusted by tag when the policy names none: GitHub's own. */
export const DEFAULT_TRUSTED_ACTIONS = ["actions/*", "github/*"];

/** The workflow and action files the rule reads. */
export const WORKFLOW_FILES = [".github/workflows/**/*.{yml,yaml}", ".github/actions/**/*.{yml,yaml}"];

/** Is this a workflow or action file the rule reads? */
export const isWorkflowFile = matcher(WORKFLOW_FILES);

/** The changed workflow and action files `compliance.workflow_risk` wants read at the head commit (none when it is off). */
export function workflowsToRead(policy: Policy, facts: PullFacts): string[] {
  if (!policy.compliance.workflow_risk) return [];
  return facts.files.filter((f) => f.status !== "removed" && isWorkflowFile(f.filename)).map((f) => f.filename);
}

/** Expressions that name the PR's own code: a checkout of them runs the PR's code with the base's secrets. */
const PR_CODE = /github\.event\.pull_request\.head\.|github\.head_ref|github\.event\.pull_request\.merge_commit_sha|github\.event\.workflow_run\.head_|refs\/pull\/|github\.event\.(pull_request\.)?number/;
/** Does a `run:` script check out the PR's code (`gh pr checkout`, a git command naming the PR's ref)? Line by line: linear. */
function runChecksOutPr(script: string): boolean {
  return script
    .split("\n")
    .some((l) => /\bgh\s+pr\s+checkout\b/.test(l) || (/\bgit\s+(fetch|checkout|switch|pull)\b/.test(l) && /pull\/|github\.event\.pull_request\.head|github\.head_ref|workflow_run\.head_/.test(l)));
}
/** Triggers that run with the base repository's secrets and write token on a PR's behalf. */
const PRIVILEGED_TRIGGERS = ["pull_request_target", "workflow_run"];

/** Why an action reference is not pinned, or null when it is (or needs no pin). */
export function unpinnedReason(uses: string, trusted: (ownerRepo: string) => boolean): string | null {
  const ref = uses.trim();
  if (ref.startsWith("./") || ref.startsWith("../")) return null; // in this repository, at the same commit
  if (ref.startsWith("docker://")) return /@sha256:[0-9a-f]{64}$/.test(ref) ? null : "a Docker image not pinned to a digest";
  const at = ref.lastIndexOf("@");
  if (at < 0) return null; // not an action reference GitHub would run
  const [owner, repo] = ref.slice(0, at).split("/");
  if (!owner || !repo) return null;
  if (/^[0-9a-f]{40}$/.test(ref.slice(at + 1))) return null;
  if (trusted(`${owner}/${repo}`.toLowerCase())) return null;
  return "not pinned to a full commit SHA";
}

interface Ctx {
  file: FileFacts;
  added: { has: (line: number) => boolean };
  lines: LineCounter;
  trusted: (ownerRepo: string) => boolean;
  out: Finding[];
}

const lineOf = (ctx: Ctx, node: Node | null | undefined): number => (node?.range ? ctx.lines.linePos(node.range[0]).line : 1);
/** The lines a node spans (from its start to its end). */
function linesOf(ctx: Ctx, node: Node | null | undefined): number[] {
  if (!node?.range) return [];
  const from = ctx.lines.linePos(node.range[0]).line;
  const to = ctx.lines.linePos(Math.max(node.range[0], node.range[1] - 1)).line;
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
const touched = (ctx: Ctx, ...nodes: (Node | null | undefined)[]) => nodes.some((n) => linesOf(ctx, n).some((l) => ctx.added.has(l)));

function add(ctx: Ctx, node: Node | null | undefined, what: string, why: string): void {
  ctx.out.push({ path: ctx.file.filename, line: lineOf(ctx, node), what, why });
}

/** The pair of a mapping node under `key`, or undefined. */
function pairOf(node: unknown, key: string): Pair<Node, Node | null> | undefined {
  if (!isMap(node)) return undefined;
  return node.items.findLast((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key) as Pair<Node, Node | null> | undefined;
}
const valueOf = (node: unknown, key: string) => pairOf(node, key)?.value ?? undefined;
const scalarText = (node: unknown): string | null => (isScalar(node) && node.value !== null && node.value !== undefined ? String(node.value) : null);

function checkPermissions(ctx: Ctx, perms: Node | null | undefined, where: string): void {
  if (!perms) return;
  const text = scalarText(perms);
  if (text !== null) {
    if (text.trim() === "write-all" && touched(ctx, perms)) add(ctx, perms, "`permissions: write-all`", `${where} gives its token write access to everything.`);
    return;
  }
  if (!isMap(perms)) return;
  for (const item of perms.items) {
    if (!isPair(item) || !isScalar(item.key)) continue;
    const scope = String(item.key.value);
    if (SENSITIVE_SCOPES.includes(scope) && scalarText(item.value)?.trim() === "write" && touched(ctx, item.key as Node, item.value as Node)) {
      add(ctx, item.key as Node, `\`${scope}: write\``, `${where} gives its token \`${scope}: write\`${scope === "id-token" ? " (it can mint cloud credentials)" : scope === "contents" ? " (it can push to the repository)" : ""}.`);
    }
  }
}

function checkUses(ctx: Ctx, uses: Node | null | undefined): void {
  const ref = scalarText(uses);
  if (ref === null || !touched(ctx, uses)) return;
  const reason = unpinnedReason(ref, ctx.trusted);
  if (reason) add(ctx, uses, `\`${ref}\``, `\`${ref}\` is ${reason}: whoever controls the tag or branch controls what runs here.`);
}

function checkRunsOn(ctx: Ctx, runsOn: Node | null | undefined): void {
  if (!runsOn || !touched(ctx, runsOn)) return;
  const labels: Node[] = [];
  if (isScalar(runsOn)) labels.push(runsOn);
  else if (isSeq(runsOn)) labels.push(...(runsOn.items as Node[]));
  else if (isMap(runsOn)) {
    const l = valueOf(runsOn, "labels");
    if (isSeq(l)) labels.push(...(l.items as Node[]));
    else if (l) labels.push(l);
  }
  const self = labels.find((n) => scalarText(n)?.trim().toLowerCase() === "self-hosted");
  if (self) add(ctx, self, "`runs-on: self-hosted`", "A self-hosted runner keeps state between jobs and reaches your network: a PR's code on it can persist or pivot.");
}

/** Steps that check out the PR's own code, with the node that says so. */
function prCheckouts(steps: Node | null | undefined): Node[] {
  if (!isSeq(steps)) return [];
  const out: Node[] = [];
  for (const step of steps.items) {
    const uses = scalarText(valueOf(step, "uses")) ?? "";
    const w = valueOf(step, "with");
    if (/^actions\/checkout@/i.test(uses.trim())) {
      for (const key of ["ref", "repository"]) {
        const v = valueOf(w, key);
        if (PR_CODE.test(scalarText(v) ?? "")) out.push(v!);
      }
    }
    const run = valueOf(step, "run");
    if (runChecksOutPr(scalarText(run) ?? "")) out.push(run!);
  }
  return out;
}

/** The workflow's triggers, with the nodes that name them. */
function triggers(on: Node | null | undefined): Map<string, Node> {
  const out = new Map<string, Node>();
  if (isScalar(on)) {
    out.set(String(on.value), on);
  } else if (isSeq(on)) {
    for (const n of on.items) if (isScalar(n)) out.set(String(n.value), n as Node);
  } else if (isMap(on)) {
    for (const p of on.items) if (isPair(p) && isScalar(p.key)) out.set(String(p.key.value), p.key as Node);
  }
  return out;
}

/** Findings of a workflow or action file parsed at head; null when it is not a YAML mapping (the patch is read instead). */
function parsedFindings(ctx: Ctx, text: string): Finding[] | null {
  const doc = parseDocument(text, { lineCounter: ctx.lines, uniqueKeys: false, strict: false, prettyErrors: false });
  if (doc.errors.length > 0 || !isMap(doc.contents)) return null;
  const root = doc.contents;
  // `on` may be read as the boolean true by YAML 1.1 parsers; GitHub reads the key `on`.
  const on = valueOf(root, "on") ?? valueOf(root, "true");
  const privileged = [...triggers(on)].filter(([name]) => PRIVILEGED_TRIGGERS.includes(name));
  checkPermissions(ctx, valueOf(root, "permissions"), "The workflow");
  const jobs = valueOf(root, "jobs");
  const stepLists: Node[] = [];
  if (isMap(jobs)) {
    for (const item of jobs.items) {
      if (!isPair(item)) continue;
      const job = item.value;
      const name = scalarText(item.key) ?? "?";
      checkPermissions(ctx, valueOf(job, "permissions"), `Job \`${name}\``);
      checkRunsOn(ctx, valueOf(job, "runs-on"));
      checkUses(ctx, valueOf(job, "uses"));
      const steps = valueOf(job, "steps");
      if (isSeq(steps)) stepLists.push(steps);
    }
  }
  // A composite action's steps.
  const runsSteps = valueOf(valueOf(root, "runs"), "steps");
  if (isSeq(runsSteps)) stepLists.push(runsSteps);
  const image = valueOf(valueOf(root, "runs"), "image");
  if (scalarText(image)?.startsWith("docker://")) checkUses(ctx, image);
  for (const steps of stepLists) for (const step of (steps as { items: unknown[] }).items) checkUses(ctx, valueOf(step, "uses"));
  if (privileged.length > 0) {
    const checkouts = stepLists.flatMap(prCheckouts);
    const triggerAdded = privileged.some(([, n]) => touched(ctx, n));
    for (const c of checkouts) {
      if (triggerAdded || touched(ctx, c)) {
        add(ctx, c, `\`${privileged[0]![0]}\` with a checkout of the PR's code`, `\`${privileged.map(([n]) => n).join("`/`")}\` runs with this repository's secrets and a write token; checking out the PR's code here runs it with them.`);
      }
    }
  }
  return ctx.out;
}

const SECRET = /\bsecrets\s*(?:\.\s*([A-Za-z_][\w-]*)|\[\s*['"]([^'"\]]{1,200})['"]\s*\])|toJSON\(\s*secrets\s*\)|^\s*secrets\s*:\s*inherit\b/g;

/** The secrets a line names: `NAME`, `*` for all of them (`toJSON(secrets)`, `secrets: inherit`). GITHUB_TOKEN is not counted. */
export function secretsOn(line: string): string[] {
  if (/^\s*#/.test(line)) return [];
  const out: string[] = [];
  for (const m of line.matchAll(SECRET)) {
    const name = m[1] ?? m[2] ?? "*";
    if (name.toUpperCase() !== "GITHUB_TOKEN") out.push(name);
  }
  return out;
}

/** New secret references: on added lines, and named on no other line of the head file nor on a removed line. */
function secretFindings(file: FileFacts, text: string | null, added: readonly AddedLine[]): Finding[] {
  const addedSet = new Set(added.map((l) => l.line));
  const known = new Set<string>();
  for (const raw of (file.patch ?? "").split("\n")) if (raw.startsWith("-")) for (const s of secretsOn(raw.slice(1))) known.add(s);
  if (text !== null) text.split("\n").forEach((line, i) => !addedSet.has(i + 1) && secretsOn(line).forEach((s) => known.add(s)));
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const { line, text: t } of added) {
    for (const name of secretsOn(t)) {
      if (known.has(name) || seen.has(name)) continue;
      seen.add(name);
      out.push(
        name === "*"
          ? { path: file.filename, line, what: "every secret (`secrets: inherit` / `toJSON(secrets)`)", why: "This hands every repository secret to the job." }
          : { path: file.filename, line, what: `\`secrets.${name}\``, why: `A new reference to the secret \`${name}\`: the job can now read (and leak) it.` },
      );
    }
  }
  return out;
}

const USES_LINE = /^\s*(?:-\s*)?uses\s*:\s*["']?([^\s"'#]+)/;
const WRITE_LINE = new RegExp(`^\\s*(?:-\\s*)?(?:permissions\\s*:\\s*(write-all)|(${SENSITIVE_SCOPES.join("|")})\\s*:\\s*write)\\b`);
const SELF_HOSTED_LINE = /^\s*(?:-\s*)?(?:runs-on|labels)\s*:.*\bself-hosted\b|^\s*-\s*self-hosted\b/;

/** Findings from the added lines alone (no head text, or not valid YAML). */
function lineFindings(file: FileFacts, added: readonly AddedLine[], trusted: (r: string) => boolean): Finding[] {
  const path = file.filename;
  const out: Finding[] = [];
  const patch = file.patch ?? "";
  const privileged = PRIVILEGED_TRIGGERS.find((t) => patch.includes(t));
  for (const { line, text } of added) {
    if (/^\s*#/.test(text)) continue;
    const uses = USES_LINE.exec(text);
    const reason = uses ? unpinnedReason(uses[1]!, trusted) : null;
    if (uses && reason) out.push({ path, line, what: `\`${uses[1]}\``, why: `\`${uses[1]}\` is ${reason}: whoever controls the tag or branch controls what runs here.` });
    const write = WRITE_LINE.exec(text);
    if (write) out.push({ path, line, what: write[1] ? "`permissions: write-all`" : `\`${write[2]}: write\``, why: write[1] ? "The workflow gives its token write access to everything." : `A job's token gets \`${write[2]}: write\`.` });
    if (SELF_HOSTED_LINE.test(text)) out.push({ path, line, what: "`runs-on: self-hosted`", why: "A self-hosted runner keeps state between jobs and reaches your network: a PR's code on it can persist or pivot." });
    if (privileged && ((/^\s*(?:-\s*)?(ref|repository)\s*:/.test(text) && PR_CODE.test(text)) || runChecksOutPr(text))) {
      out.push({ path, line, what: `\`${privileged}\` with a checkout of the PR's code`, why: `\`${privileged}\` runs with this repository's secrets and a write token; checking out the PR's code here runs it with them.` });
    }
  }
  return out;
}

/** The risky changes of one workflow or action file. */
export function workflowFindings(file: FileFacts, text: string | null, trustedActions: readonly string[] = DEFAULT_TRUSTED_ACTIONS): Finding[] {
  const trusted = matcher(trustedActions.map((g) => g.toLowerCase()));
  const added = changedLines(file, text);
  const ctx: Ctx = { file, added: addedLineSet(file), lines: new LineCounter(), trusted, out: [] };
  const structural = (text !== null && !nestedTooDeep(text) ? parsedFindings(ctx, text) : null) ?? lineFindings(file, added, trusted);
  const byLine = [...structural, ...secretFindings(file, text, added)].sort((a, b) => a.line - b.line);
  return byLine;
}

/** Workflow and action files that changed and could be read neither whole nor from a patch. */
const unreadable = (f: FileFacts, facts: PullFacts) => !f.patch && headText(facts, f.filename) === null;

/** `compliance.workflow_risk`: a failure, or the group whose approval the findings need. */
export function workflowRiskRule(policy: Policy, facts: PullFacts): Gated {
  const setting = policy.compliance.workflow_risk;
  if (!setting) return NOT_GATED;
  return memoGated("compliance.workflow_risk", facts, policy.compliance, () => workflowRisk(setting, facts));
}

function workflowRisk(setting: Exclude<Policy["compliance"]["workflow_risk"], false>, facts: PullFacts): Gated {
  const trusted = typeof setting === "object" ? setting.trusted_actions : DEFAULT_TRUSTED_ACTIONS;
  const files = facts.files.filter((f) => f.status !== "removed" && isWorkflowFile(f.filename));
  const findings = files.flatMap((f) =>
    unreadable(f, facts)
      ? [{ path: f.filename, line: 1, what: `\`${f.filename}\` (not readable)`, why: "Neither a patch nor the file at the head commit could be read, so this workflow could not be checked." }]
      : workflowFindings(f, headText(facts, f.filename), trusted),
  );
  return gateFindings(setting, findings, {
    id: "compliance.workflow_risk",
    label: "risky workflow changes",
    pass: files.length ? `No risky changes in ${files.length} workflow or action file${files.length === 1 ? "" : "s"}.` : "No workflow or action files changed.",
    found: "Risky workflow changes",
    fix: "Pin actions to a full commit SHA, keep `permissions` read-only (grant `write` per job only where needed), do not check out a PR's code under `pull_request_target`/`workflow_run`, pass only the secrets a step needs, and use GitHub-hosted runners; or ask an admin for `/governance override <reason>` after review.",
  });
}
