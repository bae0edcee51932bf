/**
 * Rules that find risky lines in a change (workflow risk, install scripts) share
 * one shape: each finding points at file:line, and the policy says what a finding
 * does: `true` fails the PR (only an override passes it), `{ reviewers }` makes it
 * wait for that group's approval, like a restricted path group. Pure.
 */
import type { FileFacts, Location, PullFacts, RuleResult } from "../types.js";
import { addedLines, hasMissingPatch, type AddedLine } from "./patch.js";
import type { PathGroup } from "./paths.js";
import type { ReviewerSet } from "./reviewers.js";

export interface Finding {
  path: string;
  /** Line in the head version of the file (1 when the whole file is meant). */
  line: number;
  /** A few words for the rule's message, e.g. "`permissions: write-all`". */
  what: string;
  /** The annotation's text: what it does and why it matters. */
  why: string;
}

/** A finding rule's setting, as the schema parses it: off, on (fail), or on with the group that approves. */
export type FindingSetting = boolean | { reviewers?: (ReviewerSet & { required: number }) | undefined };

/** A finding rule's answer: a rule result (pass or fail), or the group whose approval findings need. */
export interface Gated {
  rule: RuleResult | null;
  group: PathGroup | null;
}

export const NOT_GATED: Gated = { rule: null, group: null };

export interface GateText {
  id: string;
  /** Names the findings in a group's row and "Still required": "risky workflow changes". */
  label: string;
  /** The pass message, when there is nothing to find. */
  pass: string;
  /** Starts the message that lists the findings: "Risky workflow changes". */
  found: string;
  /** How to put it right (without a group). */
  fix: string;
}

/** Findings as a message: the first five with their place, then how many more. */
export function describeFindings(findings: readonly Finding[], max = 5): string {
  const shown = findings.slice(0, max).map((f) => `${f.what} at \`${f.path}:${f.line}\``);
  return `${shown.join(", ")}${findings.length > max ? ` and ${findings.length - max} more` : ""}`;
}

/** What the setting makes of the findings: a pass, a failure, or a group to approve. */
export function gateFindings(setting: FindingSetting, findings: readonly Finding[], text: GateText): Gated {
  if (setting === false) return NOT_GATED;
  if (findings.length === 0) return { rule: { id: text.id, status: "pass", message: text.pass }, group: null };
  const reviewers = typeof setting === "object" ? setting.reviewers : undefined;
  const message = `${text.found}: ${describeFindings(findings)}.`;
  const locations: Location[] = findings.map((f) => ({ path: f.path, line: f.line, message: f.why }));
  if (reviewers) {
    const files = [...new Set(findings.map((f) => f.path))];
    return {
      rule: null,
      group: { rule: text.id, label: text.label, required: reviewers.required, set: reviewers, files, names: files, what: `${text.found} (${describeFindings(findings)})`, locations },
    };
  }
  return { rule: { id: text.id, status: "fail", message, fix: text.fix, locations }, group: null };
}

/** Every line counts as added: a new file, or one GitHub gave no patch for (what changed is unknown: the safe side). */
const wholeFileAdded = (file: FileFacts) => file.status === "added" || hasMissingPatch(file);

/** The line numbers (head version) a file's patch adds; every line for a new file or one without a patch. */
export function addedLineSet(file: FileFacts): { has: (line: number) => boolean } {
  if (wholeFileAdded(file)) return { has: () => true };
  const lines = new Set(addedLines(file.patch).map((l) => l.line));
  return { has: (line) => lines.has(line) };
}

/** The lines a change adds, with their text: the patch's, or every line of the head text for a new file or one without a patch. */
export function changedLines(file: FileFacts, text: string | null): AddedLine[] {
  if (text !== null && wholeFileAdded(file)) return text.split("\n").map((t, i) => ({ line: i + 1, text: t }));
  return addedLines(file.patch);
}

/** The file's text at the head commit, when the facts carry it (`PullFacts.head_contents`). */
export function headText(facts: Pick<PullFacts, "head_contents">, path: string): string | null {
  const text = facts.head_contents?.[path];
  return typeof text === "string" ? text : null;
}

/**
 * Is the text nested deeper (in `[`/`{`) than any real workflow or manifest? The YAML parser slows to seconds
 * on thousands of open brackets, so such a text is read line by line instead (the safe side). Linear.
 */
export function nestedTooDeep(text: string, max = 64): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 91 || c === 123) {
      if (++depth > max) return true;
    } else if ((c === 93 || c === 125) && depth > 0) depth--;
  }
  return false;
}

/** The first line a patch adds (1 without one): where a whole-file finding points. */
export function firstAddedLine(file: FileFacts): number {
  return addedLines(file.patch)[0]?.line ?? 1;
}

/**
 * One evaluation asks a finding rule twice (its result, and its group to approve): the answer is kept by the
 * identity of the file list, and recomputed when the head texts or the rule's section of the policy differ.
 */
const memo = new WeakMap<readonly FileFacts[], Map<string, { contents: unknown; compliance: object; gated: Gated }>>();

export function memoGated(id: string, facts: PullFacts, compliance: object, compute: () => Gated): Gated {
  let byId = memo.get(facts.files);
  if (!byId) memo.set(facts.files, (byId = new Map()));
  const hit = byId.get(id);
  if (hit && hit.contents === facts.head_contents && hit.compliance === compliance) return hit.gated;
  const gated = compute();
  byId.set(id, { contents: facts.head_contents, compliance, gated });
  return gated;
}
