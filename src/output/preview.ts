/**
 * The policy-change preview, pure: how a proposed policy compares with the one in force, for the
 * second check run on a PR that changes the policy ("Agent Governance / policy") and for
 * `agent-governance explain --config NEW --compare OLD`. Evaluations in, rows, text and the exact
 * check run out.
 */
import { formatProblem, type ConfigProblem } from "../config/load.js";
import { floorLine, type FloorChange } from "../config/floor.js";
import { POLICY_PATH, defaultPolicy, type Policy } from "../config/schema.js";
import { evaluate, policyErrorEvaluation } from "../policy/evaluate.js";
import { redactSecrets } from "../policy/secrets.js";
import type { Conclusion, Evaluation, Outcome, PullFacts } from "../types.js";
import { MAX_ANNOTATIONS, MAX_SUMMARY, type Annotation, type CheckRunPlan } from "./check.js";

/** One PR's result under a policy, as far as the preview tells it apart. */
export interface PreviewState {
  outcome: Outcome;
  conclusion: Conclusion;
  mode: Evaluation["mode"];
}

/** How one open PR would change: its result now and with the proposed policy. */
export interface PreviewRow {
  number: number;
  /** The facts file it came from (the CLI). */
  file?: string;
  /** The agent detected under the proposed policy: its id, `unknown`, or `human`. */
  agent: string;
  before: PreviewState;
  after: PreviewState;
  /** Rules whose result differs (status or message; a rule only one side has, where it fails or waits), in the order the check lists them. */
  rules: string[];
  changed: boolean;
}

/** The proposed policy file, as the app (or `explain --compare`) read it. */
export interface ProposedPolicy {
  valid: boolean;
  /** Where it was read: `owner/repo:path` (with its `_extends` base), or `the default policy`. */
  source: string;
  /** Errors: the file would be refused (every PR's check would fail). */
  problems: ConfigProblem[];
  /** What `validate` warns about: the file would be used. */
  warnings: ConfigProblem[];
  /** Settings of the proposed policy the org floor overrides. */
  floored: FloorChange[];
}

export interface PolicyPreview {
  proposed: ProposedPolicy;
  /** Every PR compared (none when the proposed file is invalid). */
  pulls: PreviewRow[];
  /** Open PRs that could not be read, with why. */
  unread: { number: number; reason: string }[];
}

/** The most open PRs a preview compares: the most recently updated. */
export const PREVIEW_PULLS = 30;

/** A policy as read (the app's `PolicySource`, or a local file in the CLI). */
export type PreviewSource =
  | { kind: "ok"; policy: Policy; source: string; warnings?: ConfigProblem[] | undefined; floored?: FloorChange[] | undefined }
  | { kind: "missing" }
  | { kind: "invalid"; problems: ConfigProblem[]; source: string };

/** What a preview compares, as read. */
export interface PreviewInput {
  /** The policy in force (the default branch's), and the proposed one. */
  before: PreviewSource;
  proposed: PreviewSource;
  /** The files each policy is built from in the repository (`PullFacts.policy_files`), when known. */
  policyFiles?: { before: string[]; after: string[] };
  pulls: { number: number; facts: PullFacts; file?: string }[];
  unread?: { number: number; reason: string }[];
}

/** The policy's source in words, for the summary. */
const sourceWords = (s: PreviewSource) => (s.kind === "missing" ? "no policy file: the default policy" : s.source);

/**
 * Evaluates every PR under the policy in force and the proposed one, with the same pure `evaluate` the
 * app uses, and compares them. An invalid policy in force fails every PR (as the app's check does); an
 * invalid proposed one is not compared (no rows).
 */
export function buildPreview(input: PreviewInput, now: Date | string): PolicyPreview {
  const { before, proposed } = input;
  const proposedPolicy: ProposedPolicy = {
    valid: proposed.kind !== "invalid",
    source: sourceWords(proposed),
    problems: proposed.kind === "invalid" ? proposed.problems : [],
    warnings: proposed.kind === "ok" ? (proposed.warnings ?? []) : [],
    floored: proposed.kind === "ok" ? (proposed.floored ?? []) : [],
  };
  if (proposed.kind === "invalid") return { proposed: proposedPolicy, pulls: [], unread: input.unread ?? [] };
  const under = (source: PreviewSource, files: string[] | undefined, facts: PullFacts): Evaluation => {
    const f = files ? { ...facts, policy_files: files } : facts;
    if (source.kind === "invalid") return policyErrorEvaluation(f, source.problems, now);
    return evaluate({ policy: source.kind === "ok" ? source.policy : defaultPolicy(), facts: f, now });
  };
  const pulls = input.pulls.map(({ number, facts, file }) =>
    compareEvaluations(number, under(before, input.policyFiles?.before, facts), under(proposed, input.policyFiles?.after, facts), file),
  );
  return { proposed: proposedPolicy, pulls, unread: input.unread ?? [] };
}

const stateOf = (e: Evaluation): PreviewState => ({ outcome: e.outcome, conclusion: e.conclusion, mode: e.mode });

/** A result in a word or two: `waiting`, `violation`, `not governed`; `waiting (report)` when it would not block. */
export function stateWord(s: PreviewState): string {
  const word = s.outcome.replace("_", " ");
  return s.mode === "report" && (s.outcome === "waiting" || s.outcome === "violation") ? `${word} (report)` : word;
}

/** Compares one PR's evaluations under the policy in force (`before`) and the proposed one (`after`). */
export function compareEvaluations(number: number, before: Evaluation, after: Evaluation, file?: string): PreviewRow {
  const was = new Map(before.rules.map((r) => [r.id, r]));
  const ids = [...new Set([...after.rules.map((r) => r.id), ...before.rules.map((r) => r.id)])];
  const counts = (r: { status: string } | undefined) => r?.status === "fail" || r?.status === "pending";
  const rules = ids.filter((id) => {
    const a = after.rules.find((r) => r.id === id);
    const b = was.get(id);
    // A rule one policy has and the other has not changes the result only where it fails or waits.
    if (!a || !b) return counts(a) || counts(b);
    return a.status !== b.status || a.message !== b.message;
  });
  const agent = after.agent.detected || before.agent.detected ? ((after.agent.detected ? after.agent.id : before.agent.id) ?? "unknown") : "human";
  const row: PreviewRow = { number, ...(file ? { file } : {}), agent, before: stateOf(before), after: stateOf(after), rules, changed: false };
  row.changed = rules.length > 0 || stateWord(row.before) !== stateWord(row.after) || row.before.conclusion !== row.after.conclusion;
  return row;
}

/** `#12 copilot: waiting → violation (paths.forbidden)`; `#13 devin: passed (unchanged)`. */
export function changeLine(row: PreviewRow): string {
  const head = `#${row.number} ${row.agent}`;
  if (!row.changed) return `${head}: ${stateWord(row.before)} (unchanged)`;
  return `${head}: ${stateWord(row.before)} → ${stateWord(row.after)}${row.rules.length ? ` (${row.rules.join(", ")})` : ""}`;
}

/** The files of the policy this PR changes: the policy file, or a base it extends in this repository (`policy_files`). */
export function changedPolicyFiles(facts: Pick<PullFacts, "files" | "policy_files">): string[] {
  const names = new Set([POLICY_PATH, ...(facts.policy_files ?? [])]);
  const out = new Set<string>();
  for (const f of facts.files) for (const n of [f.filename, f.previous_filename]) if (n && names.has(n)) out.add(n);
  return [...out].sort();
}

/** The preview as `explain --compare --format json` prints it (documented in the README). */
export function previewJson(p: PolicyPreview) {
  const changed = p.pulls.filter((r) => r.changed);
  return {
    proposed: {
      valid: p.proposed.valid,
      source: p.proposed.source,
      problems: p.proposed.problems.map(formatProblem),
      warnings: p.proposed.warnings.map(formatProblem),
      floor: p.proposed.floored.map(floorLine),
    },
    changed: changed.length,
    unchanged: p.pulls.length - changed.length,
    pulls: p.pulls.map((r) => ({ ...r, line: changeLine(r) })),
    unread: p.unread,
  };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
/** A table cell: no line breaks or pipes from a rule id or message. */
const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");

/** The table of PRs that would change, as the check shows it (and `explain --compare --format markdown`). */
export function previewTable(rows: readonly PreviewRow[]): string {
  const changed = rows.filter((r) => r.changed);
  const lines: string[] = [];
  if (changed.length) {
    lines.push("| PR | Agent | Now | With this change | Rules that change |", "| --- | --- | --- | --- | --- |");
    for (const r of changed) lines.push(`| #${r.number} | ${cell(r.agent)} | ${stateWord(r.before)} | ${stateWord(r.after)} | ${r.rules.map((id) => `\`${cell(id)}\``).join(", ")} |`);
  }
  const same = rows.filter((r) => !r.changed).map((r) => `#${r.number}`);
  if (same.length) lines.push(`${changed.length ? "\n" : ""}${changed.length ? "Unchanged" : "No open pull request would change"}: ${same.join(", ")}.`);
  else if (!changed.length) lines.push("No other open pull request to compare.");
  return lines.join("\n");
}

/** The check run's title. */
function previewTitle(p: PolicyPreview): string {
  if (!p.proposed.valid) return `Proposed policy is invalid: ${plural(p.proposed.problems.length, "problem")}`;
  const changed = p.pulls.filter((r) => r.changed).length;
  const warned = p.proposed.warnings.length ? `, ${plural(p.proposed.warnings.length, "warning")}` : "";
  return `Proposed policy: ${changed ? `${changed} of ${plural(p.pulls.length, "open PR")} would change` : "no open PR would change"}${warned}`;
}

/** A problem's path in this repository (`owner/repo:path` → `path`), or null for another repository's file. */
function pathHere(file: string, repo: string): string | null {
  const at = file.indexOf(":");
  if (at < 0) return file;
  return file.slice(0, at).toLowerCase() === repo.toLowerCase() ? file.slice(at + 1) : null;
}

/**
 * The second check run on a PR that changes the policy: the proposed file's problems as annotations
 * at file:line (errors fail, warnings warn), what the org floor overrides, and the table of open PRs
 * that would change. `repo` is `owner/repo`, for the annotations' paths.
 */
export function planPreviewCheck(
  p: PolicyPreview,
  opts: { name: string; head_sha: string; repo: string; files: readonly string[]; detailsUrl?: string },
): CheckRunPlan & { annotationBatches: Annotation[][] } {
  const problems = p.proposed.problems.map((x) => ({ x, level: "failure" as const }));
  const warnings = p.proposed.warnings.map((x) => ({ x, level: "warning" as const }));
  const listed = [...problems, ...warnings].map(({ x, level }) => `- ${level === "failure" ? "❌" : "⚠️"} ${redactSecrets(formatProblem(x))}`);
  const parts = [
    `This pull request changes the policy (${opts.files.map((f) => `\`${f}\``).join(", ")}). It stays governed by the policy on the default branch, as every pull request does until the change is merged; this check shows what the proposed policy would do.`,
    "",
    `**Proposed policy** (${redactSecrets(p.proposed.source)}): ${p.proposed.valid ? "valid" : "invalid"}${p.proposed.warnings.length ? `, ${plural(p.proposed.warnings.length, "warning")}` : ""}.`,
    ...listed,
  ];
  if (p.proposed.floored.length) parts.push("", "**Org floor:** these settings of the proposed policy are overridden:", ...p.proposed.floored.map((c) => `- ${floorLine(c)}`));
  parts.push("");
  if (!p.proposed.valid) {
    parts.push("**Open pull requests:** not compared: the app would refuse the proposed file, and every pull request's check would fail until it is fixed.");
  } else {
    parts.push(`**Open pull requests** (the ${PREVIEW_PULLS} most recently updated, this one aside), under the proposed policy:`, "", previewTable(p.pulls));
  }
  if (p.unread.length) parts.push("", `Not compared (GitHub could not be read): ${p.unread.map((u) => `#${u.number} (${u.reason})`).join(", ")}.`);
  let summary = parts.join("\n");
  if (summary.length > MAX_SUMMARY) summary = `${summary.slice(0, MAX_SUMMARY)}\n\n… (truncated)`;

  const annotations: Annotation[] = [];
  for (const { x, level } of [...problems, ...warnings]) {
    const path = pathHere(x.file, opts.repo);
    if (path === null) continue;
    annotations.push({ path, start_line: x.line, end_line: x.line, annotation_level: level, title: "agent-governance policy", message: redactSecrets(x.message) });
  }
  const batches: Annotation[][] = [];
  for (let i = 0; i < Math.min(annotations.length, MAX_ANNOTATIONS * 10); i += MAX_ANNOTATIONS) batches.push(annotations.slice(i, i + MAX_ANNOTATIONS));
  const [first, ...rest] = batches;
  const conclusion: Conclusion = !p.proposed.valid ? "failure" : p.proposed.warnings.length ? "neutral" : "success";
  return {
    name: opts.name,
    head_sha: opts.head_sha,
    status: "completed",
    conclusion,
    ...(opts.detailsUrl ? { details_url: opts.detailsUrl } : {}),
    output: { title: previewTitle(p), summary, ...(first ? { annotations: first } : {}) },
    actions: [],
    annotationBatches: rest,
  };
}
