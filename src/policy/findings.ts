/**
 * What the rule families that scan a PR's text share (test weakening, hidden
 * instructions): a finding with its place, quoting what the PR wrote with every
 * invisible character made visible, and the setting's answer to findings: a
 * named group's approval (a requirement, like a restricted path group) or a
 * failure. Pure.
 */
import type { FileFacts, Location, RuleResult } from "../types.js";
import type { PathGroup } from "./paths.js";
import type { ReviewerSet } from "./reviewers.js";

/** One thing a scanner found. */
export interface Finding {
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

const memo = new WeakMap<readonly FileFacts[], Map<string, WeakMap<object, { keys: readonly unknown[]; outcome: FindingOutcome }>>>();

/**
 * `compute()` once per file list, rule, compliance section and `keys` (compared by identity):
 * one evaluation asks for a rule's outcome for the rows, the look-ups and each command.
 */
export function memoized(rule: string, files: readonly FileFacts[], compliance: object, keys: readonly unknown[], compute: () => FindingOutcome): FindingOutcome {
  let byRule = memo.get(files);
  if (!byRule) memo.set(files, (byRule = new Map()));
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
export function describeFindings(findings: readonly Finding[], max = 5): string {
  const shown = findings.slice(0, max).map((f) => `${f.what} at ${f.where.startsWith("`") || f.where.startsWith("the ") || f.where.startsWith("commit ") ? f.where : `\`${f.where}\``}`);
  return `${shown.join("; ")}${findings.length > max ? `; and ${findings.length - max} more` : ""}`;
}

/** Annotations for the findings in files. */
export function findingLocations(findings: readonly Finding[], suffix = ""): Location[] {
  return findings.flatMap((f) => (f.path === undefined ? [] : [{ path: f.path, ...(f.line !== undefined ? { line: f.line } : {}), message: `${f.what}.${suffix}` }]));
}

/** A rule family's result: a group needing approval, or a rule that fails; neither without findings. */
export interface FindingOutcome {
  group: PathGroup | null;
  rule: RuleResult | null;
}

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
  findings: readonly Finding[],
  fix: string,
): FindingOutcome {
  if (findings.length === 0) return { group: null, rule: null };
  const what = `${title} (${findings.length} finding${findings.length === 1 ? "" : "s"}): ${describeFindings(findings)}`;
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
