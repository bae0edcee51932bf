/**
 * Rules that find risky things in a change share one shape: each finding has a
 * place, and the policy says what findings do: fail the PR (only an override
 * passes it), or wait for a named group's approval, like a restricted path group.
 *
 * Two families use it: the line rules (workflow risk, install scripts) with
 * `Finding`, `gateFindings` and `memoGated`; and the text scans (test weakening,
 * hidden instructions) with `TextFinding`, which can point at the PR description
 * or a commit message, quote what the PR wrote with every invisible character
 * made visible (`visible`, `snippet`), and answer through `findingOutcome`
 * (`action: approve | fail`). Both answer with a `Gated`. Pure.
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

/** One thing a text scanner found (test weakening, hidden instructions): a file line, or the PR description or a commit message. */
export interface TextFinding {
  /** The changed file, for an annotation; absent for the PR description or a commit message. */
  path?: string;
  /** The line in the new version of the file (or in the description, for `where`). */
  line?: number;
  /** Where, for a message: `docs/a.md:3`, `the PR description, line 2`, `commit 1a2b3c4's message`. */
  where: string;
  /** What, already safe to show: user text only through `visible`. */
  what: string;
}

/** A rule's answer to findings, as the policy sets it. */
export interface FindingAction {
  action: "approve" | "fail";
  reviewers: ReviewerSet & { required: number };
}

/** A finding rule's setting as written: `true`, `false`, or a mapping with its answer and its own keys. */
type Written<S> = boolean | (S & { action?: FindingAction["action"] | undefined; reviewers?: FindingAction["reviewers"] | undefined });

/** A setting resolved: null when off; else its mapping (`{}` for `true`) and its answer, defaults filled in. */
export function resolveSetting<S extends object>(value: Written<S>, action: FindingAction["action"]): { set: Partial<S>; answer: FindingAction } | null {
  if (value === false) return null;
  const set: Partial<Exclude<Written<S>, boolean>> = value === true ? {} : value;
  return { set, answer: { action: set.action ?? action, reviewers: set.reviewers ?? MAINTAINERS } };
}

const memoByKeys = new WeakMap<readonly FileFacts[], Map<string, WeakMap<object, { keys: readonly unknown[]; outcome: FindingOutcome }>>>();

/**
 * `compute()` once per file list, rule, compliance section and `keys` (compared by identity):
 * one evaluation asks for a rule's outcome for the rows, the look-ups and each command.
 */
export function memoized(rule: string, files: readonly FileFacts[], compliance: object, keys: readonly unknown[], compute: () => FindingOutcome): FindingOutcome {
  let byRule = memoByKeys.get(files);
  if (!byRule) memoByKeys.set(files, (byRule = new Map()));
  let bySection = byRule.get(rule);
  if (!bySection) byRule.set(rule, (bySection = new WeakMap()));
  const hit = bySection.get(compliance);
  if (hit && hit.keys.length === keys.length && hit.keys.every((k, i) => k === keys[i])) return hit.outcome;
  const outcome = compute();
  bySection.set(compliance, { keys, outcome });
  return outcome;
}

/** Who approves findings when the policy names nobody: one person with maintain permission, as for agent-steering files. */
export const MAINTAINERS: FindingAction["reviewers"] = { required: 1, users: [], teams: [], min_permission: "maintain" };

/** A `{ path, line }` for a message. */
export const at = (path: string, line?: number) => (line === undefined ? visible(path) : `${visible(path)}:${line}`);

/**
 * Code points shown escaped: controls, format characters (zero-width, bidi, tags), separators other than the
 * space, private-use, unassigned and surrogate code points, default-ignorable ones (variation selectors,
 * Hangul fillers) and the bidi controls. Everything a reader cannot see, or that reorders what they see.
 */
const HIDDEN_CP = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\p{Bidi_Control}]|(?! )\p{Zs}/u;

const hex = (cp: number) => cp.toString(16).toUpperCase().padStart(4, "0");

/** `\u200B` for a BMP code point, `\u{E0041}` beyond. */
export const escapeCodePoint = (cp: number) => (cp > 0xffff ? `\\u{${hex(cp)}}` : `\\u${hex(cp)}`);

/**
 * `text` made safe to quote: every invisible, reordering or control character
 * written as an escape (`\u200B`, `\u{E0041}`), a backslash as `\\`, a backtick
 * as `\u0060` (the text is quoted in inline code), and the HTML comment marks
 * `<!--` and `-->` broken (`\u003C!--`, `--\u003E`) so a quote never opens or
 * closes a comment where it is shown. Total (lone surrogates included) and
 * reversible; the result holds none of the hidden characters.
 */
export function visible(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    const ch = text.slice(i, pair ? i + 2 : i + 1);
    if (ch === "\\") out += "\\\\";
    else if (ch === "`") out += "\\u0060";
    else if (ch === "<" && text.startsWith("!--", i + 1)) out += "\\u003C";
    else if (ch === ">" && i >= 2 && text[i - 1] === "-" && text[i - 2] === "-") out += "\\u003E";
    else if (HIDDEN_CP.test(ch)) out += escapeCodePoint(ch.codePointAt(0)!);
    else out += ch;
    i += ch.length;
  }
  return out;
}

/**
 * Up to `width` characters of the line of `text` that holds index `index`, around it, made
 * visible, with `…` where it was cut.
 */
export function snippet(text: string, index = 0, width = 60): string {
  const start = text.lastIndexOf("\n", index - 1) + 1;
  const end = text.indexOf("\n", index);
  const line = text.slice(start, end < 0 ? text.length : end);
  const all = [...line];
  const chars = [...line.slice(0, Math.max(0, index - start))].length;
  const from = Math.max(0, Math.min(chars - Math.floor(width / 3), all.length - width));
  const to = Math.min(all.length, from + width);
  return `${from > 0 ? "…" : ""}${visible(all.slice(from, to).join("").trim())}${to < all.length ? "…" : ""}`;
}

/** Findings as a list for a message: the first few, then "and N more". */
export function describeTextFindings(findings: readonly TextFinding[], max = 5): string {
  const shown = findings.slice(0, max).map((f) => `${f.what} at ${f.where.startsWith("`") || f.where.startsWith("the ") || f.where.startsWith("commit ") ? f.where : `\`${f.where}\``}`);
  return `${shown.join("; ")}${findings.length > max ? `; and ${findings.length - max} more` : ""}`;
}

/** Annotations for the findings in files. */
export function findingLocations(findings: readonly TextFinding[], suffix = ""): Location[] {
  return findings.flatMap((f) => (f.path === undefined ? [] : [{ path: f.path, ...(f.line !== undefined ? { line: f.line } : {}), message: `${f.what}.${suffix}` }]));
}

/** A text rule family's result: the shared `Gated` (a group needing approval, or a rule that fails; neither without findings). */
export type FindingOutcome = Gated;

/**
 * What findings mean under the policy: with `action: approve`, a requirement on
 * `reviewers` (the rule row and the annotations follow it, like a restricted path
 * group's); with `action: fail`, a failing rule whose fix is `fix`. Nothing found: nothing.
 */
export function findingOutcome(
  rule: string,
  label: string,
  title: string,
  setting: FindingAction,
  findings: readonly TextFinding[],
  fix: string,
): FindingOutcome {
  if (findings.length === 0) return { group: null, rule: null };
  const what = `${title} (${findings.length} finding${findings.length === 1 ? "" : "s"}): ${describeTextFindings(findings)}`;
  const paths = [...new Set(findings.flatMap((f) => (f.path === undefined ? [] : [f.path])))];
  if (setting.action === "approve") {
    return {
      group: {
        rule,
        label,
        required: setting.reviewers.required,
        set: setting.reviewers,
        files: paths,
        names: paths.map(visible),
        what,
        locations: findingLocations(findings),
      },
      rule: null,
    };
  }
  return {
    group: null,
    rule: {
      id: rule,
      status: "fail",
      message: `${what}.`,
      fix: `${fix} Only an override (\`/governance override <reason>\`) lets the PR pass as it is.`,
      locations: findingLocations(findings, ` (${rule})`),
    },
  };
}
