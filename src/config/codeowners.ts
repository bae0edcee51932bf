/**
 * A pure CODEOWNERS parser and matcher, following GitHub's syntax:
 *
 * - one rule per line: a pattern, then its owners, separated by whitespace; the last rule that
 *   matches a file decides its owners (a rule with no owners leaves the file unowned);
 * - `#` starts a comment at the start of a line or after whitespace;
 * - patterns are gitignore's, case-sensitive: a leading `/` or a `/` inside anchors the pattern
 *   to the root (else it matches at any depth), a trailing `/` matches a directory's contents,
 *   `*` and `?` never cross `/`, `**` is any number of directories, a pattern whose last part
 *   names a file or folder literally also matches everything under it, and one whose last part
 *   has a wildcard matches files only (`docs/*` matches `docs/a.md`, not `docs/b/c.md`);
 *   `\` makes the next character literal (`path\ with\ space`);
 * - what GitHub rejects is reported and the line skipped, as GitHub skips it: `!` negation,
 *   `[ ]` ranges, a leading `\#` (GitHub does not take it as an escaped `#`), an owner that is
 *   not `@user`, `@org/team` or an e-mail address;
 * - owners by e-mail are kept apart (`emails`): only GitHub can map an address to its account.
 *
 * Never throws; matching is linear in the pattern and path sizes (no regular expressions).
 */

export interface CodeownersRule {
  /** 1-based line in the file. */
  line: number;
  pattern: string;
  users: string[];
  /** `org/slug`. */
  teams: string[];
  /** Owners written as e-mail addresses (not resolved). */
  emails: string[];
  /** Path segments to match (`**`: any number of segments); precompiled from `pattern`. */
  segments: string[];
}

export interface CodeownersProblem {
  line: number;
  message: string;
}

export interface Codeowners {
  rules: CodeownersRule[];
  errors: CodeownersProblem[];
}

/** GitHub does not load a CODEOWNERS file larger than 3 MB. */
export const MAX_CODEOWNERS_BYTES = 3 * 1024 * 1024;

const USER = /^@([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))$/;
const TEAM = /^@([A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9][A-Za-z0-9._-]*)$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Splits a line into whitespace-separated words; `\` keeps the next character (a space, `#`) in the word; `#` after whitespace ends the line. */
function words(line: string): string[] {
  const out: string[] = [];
  let word = "";
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "\\" && i + 1 < line.length) {
      word += ch + line[i + 1]!;
      inWord = true;
      i++;
    } else if (ch === " " || ch === "\t") {
      if (inWord) out.push(word);
      word = "";
      inWord = false;
    } else if (ch === "#" && !inWord) {
      break;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) out.push(word);
  return out;
}

/** The segments a pattern matches, or the reason GitHub rejects it. */
export function compilePattern(pattern: string): { segments: string[] } | { error: string } {
  if (pattern.startsWith("!")) return { error: `\`${pattern}\`: \`!\` (negation) is not supported in CODEOWNERS` };
  if (pattern.startsWith("\\#")) return { error: `\`${pattern}\`: escaping a leading \`#\` with \`\\\` does not work in CODEOWNERS` };
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === "\\") i++;
    else if (pattern[i] === "[" || pattern[i] === "]") return { error: `\`${pattern}\`: \`[ ]\` (character ranges) are not supported in CODEOWNERS` };
  }
  let p = pattern;
  const rooted = p.startsWith("/");
  if (rooted) p = p.slice(1);
  const dirOnly = p.endsWith("/") && !p.endsWith("\\/");
  if (dirOnly) p = p.slice(0, -1);
  if (p === "" || p.split("/").some((s) => s === "")) return { error: `\`${pattern}\`: not a path pattern` };
  const segments = p.split("/");
  const anchored = rooted || segments.length > 1;
  const out = anchored ? segments : ["**", ...segments];
  const last = out[out.length - 1]!;
  if (dirOnly || last === "**") {
    // A directory's contents: at least one more segment.
    if (last === "**") out.pop();
    out.push("*", "**");
  } else if (!hasWildcard(last)) {
    // A literal name: the file itself, or everything in the folder of that name.
    out.push("**");
  }
  return { segments: out };
}

const hasWildcard = (segment: string) => {
  for (let i = 0; i < segment.length; i++) {
    if (segment[i] === "\\") i++;
    else if (segment[i] === "*" || segment[i] === "?") return true;
  }
  return false;
};

/** Does one path segment match a pattern segment (`*`, `?`, `\x`)? Greedy with one backtrack point: O(n·m). */
export function segmentMatches(pattern: string, name: string): boolean {
  let p = 0;
  let n = 0;
  let star = -1;
  let mark = 0;
  while (n < name.length) {
    const c = pattern[p];
    if (c === "*") {
      while (pattern[p] === "*") p++;
      star = p;
      mark = n;
    } else if (p < pattern.length && (c === "?" || (c === "\\" ? pattern[p + 1] === name[n] : c === name[n]))) {
      p += c === "\\" ? 2 : 1;
      n++;
    } else if (star >= 0) {
      p = star;
      n = ++mark;
    } else return false;
  }
  while (pattern[p] === "*") p++;
  return p >= pattern.length;
}

/** Does a compiled rule match a repository-relative file path? Case-sensitive, as on GitHub. */
export function ruleMatches(segments: readonly string[], path: string): boolean {
  const parts = path.split("/").filter((s) => s !== "");
  if (!segments.includes("**")) {
    // No `**`: one pattern segment per path segment.
    return segments.length === parts.length && segments.every((s, i) => segmentMatches(s, parts[i]!));
  }
  // go(i, j): pattern segments from i match path segments from j (memoised: linear in their product).
  const memo = new Map<number, boolean>();
  const width = parts.length + 1;
  const go = (i: number, j: number): boolean => {
    const key = i * width + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === segments.length) result = j === parts.length;
    else if (segments[i] === "**") result = go(i + 1, j) || (j < parts.length && go(i, j + 1));
    else result = j < parts.length && segmentMatches(segments[i]!, parts[j]!) && go(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}

/** Parses a CODEOWNERS file's text. Never throws. */
export function parseCodeowners(text: string): Codeowners {
  const rules: CodeownersRule[] = [];
  const errors: CodeownersProblem[] = [];
  if (typeof text !== "string") return { rules, errors: [{ line: 1, message: "the file is not text" }] };
  if (Buffer.byteLength(text, "utf8") > MAX_CODEOWNERS_BYTES) {
    return { rules, errors: [{ line: 1, message: `the file is larger than 3 MB, and GitHub does not load it` }] };
  }
  const lines = text.split(/\r?\n|\r/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trimStart();
    // A `#` at the start of the line is a comment; `\#` is not an escape in CODEOWNERS (reported below).
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const [pattern, ...owners] = words(trimmed);
    if (!pattern) return;
    const compiled = compilePattern(pattern);
    if ("error" in compiled) {
      errors.push({ line, message: `${compiled.error}; GitHub skips this line` });
      return;
    }
    const rule: CodeownersRule = { line, pattern, users: [], teams: [], emails: [], segments: compiled.segments };
    const bad: string[] = [];
    for (const owner of owners) {
      const team = TEAM.exec(owner);
      const user = USER.exec(owner);
      if (team) rule.teams.push(team[1]!);
      else if (user) rule.users.push(user[1]!);
      else if (EMAIL.test(owner)) rule.emails.push(owner);
      else bad.push(owner);
    }
    if (bad.length) {
      errors.push({ line, message: `${bad.map((b) => `\`${b}\``).join(", ")}: not an owner (\`@user\`, \`@org/team\` or an e-mail address); GitHub skips this line` });
      return;
    }
    rules.push(rule);
  });
  return { rules, errors };
}

/** The rule that decides a path's owners: the last one matching it, or null (no owner). */
export function ownerRule(owners: Codeowners, path: string): CodeownersRule | null {
  for (let i = owners.rules.length - 1; i >= 0; i--) {
    const rule = owners.rules[i]!;
    if (ruleMatches(rule.segments, path)) return rule;
  }
  return null;
}
