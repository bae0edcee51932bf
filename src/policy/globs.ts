/**
 * Glob and pattern handling for policy paths: minimatch 11, `dot: true`,
 * compiled once per glob. Also the guards that keep a policy's globs and
 * regular expressions from being pathological (used by the schema, so a bad
 * one is a validation problem with a file and line, never a hang).
 */
import { Minimatch, braceExpand } from "minimatch";
import type { FileFacts } from "../types.js";
import { patternProblem } from "./pattern.js";

/** Most patterns one glob may expand to through `{a,b}` braces and `{1..9}` ranges. */
export const MAX_BRACE_EXPANSION = 32;
/** Most `**` segments in one glob. */
export const MAX_GLOBSTARS = 4;
/** Longest `title_pattern` regular expression. */
export const MAX_REGEX_LENGTH = 200;

const OPTIONS = { dot: true, nocomment: true, nonegate: true, braceExpandMax: MAX_BRACE_EXPANSION } as const;

/** Why a glob is refused, or null when it is fine. Never throws. */
export function globProblem(glob: string): string | null {
  if (glob.startsWith("!")) return "negated globs (`!…`) are not supported; list the paths to include";
  if (glob.startsWith("/")) return "globs are relative to the repository root; drop the leading `/`";
  const stars = glob.split("/").filter((s) => s === "**").length;
  if (stars > MAX_GLOBSTARS) return `too many \`**\` segments (${stars}; at most ${MAX_GLOBSTARS})`;
  try {
    // braceExpand stops at the limit, so one more than the limit means "too many".
    const n = braceExpand(glob, { braceExpandMax: MAX_BRACE_EXPANSION + 1 }).length;
    if (n > MAX_BRACE_EXPANSION) return `braces expand to more than ${MAX_BRACE_EXPANSION} patterns; write fewer alternatives`;
    new Minimatch(glob, OPTIONS);
  } catch (err) {
    return `not a valid glob: ${(err as Error).message}`;
  }
  return null;
}

/**
 * Why a regular expression from the policy is refused, or null when it is fine.
 * A pattern is matched by the linear-time engine of `pattern.ts`, so none can
 * hang the app; this refuses what that engine cannot run (lookaround,
 * backreferences, a compiled size over its limit). It also refuses, as before
 * the engine, a repeated group that itself contains a repetition or an
 * alternation (`(a+)+`, `(a|aa)*`): harmless now, but almost always a mistake.
 */
export function regexProblem(source: string): string | null {
  if (source.length > MAX_REGEX_LENGTH) return `the pattern is longer than ${MAX_REGEX_LENGTH} characters`;
  try {
    new RegExp(source);
  } catch (err) {
    return `not a valid regular expression: ${(err as Error).message}`;
  }
  if (/\\[1-9]|\\k</.test(source)) return "backreferences are not allowed";
  // Per open group: does it contain a repetition or an alternation?
  const stack: { risky: boolean }[] = [{ risky: false }];
  let i = 0;
  const quantifierAt = (j: number): "unbounded" | "bounded" | null => {
    const c = source[j];
    if (c === "*" || c === "+") return "unbounded";
    if (c === "{") {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(j));
      if (!m) return null;
      if (m[2] === undefined) return Number(m[1]) > 1 ? "unbounded" : null;
      if (m[3] === "" || Number(m[3]) > 1) return "unbounded";
    }
    return c === "?" ? "bounded" : null;
  };
  while (i < source.length) {
    const c = source[i]!;
    if (c === "\\") {
      i += 2;
      continue;
    }
    if (c === "[") {
      // Skip a character class, honouring escapes.
      i++;
      while (i < source.length && source[i] !== "]") i += source[i] === "\\" ? 2 : 1;
      i++;
      if (quantifierAt(i) === "unbounded") stack[stack.length - 1]!.risky = true;
      continue;
    }
    if (c === "(") {
      stack.push({ risky: false });
      i++;
      continue;
    }
    if (c === "|") {
      stack[stack.length - 1]!.risky = true;
      i++;
      continue;
    }
    if (c === ")") {
      const group = stack.pop() ?? { risky: false };
      i++;
      const q = quantifierAt(i);
      if (q === "unbounded" && group.risky) {
        return "a repeated group contains a repetition or an alternation (like `(a+)+` or `(a|b)*`), which can take exponential time; simplify it";
      }
      if (stack.length === 0) stack.push({ risky: false });
      if (group.risky || q === "unbounded") stack[stack.length - 1]!.risky = true;
      continue;
    }
    if (quantifierAt(i) === "unbounded") stack[stack.length - 1]!.risky = true;
    i++;
  }
  return patternProblem(source);
}

/** A compiled glob, with literal parts that rule most paths out before minimatch runs. */
interface Compiled {
  m: Minimatch;
  /** Per brace alternative: its literal leading folders (`src/`) and literal ending (`.sql`, `/AGENTS.md`). */
  quick: { prefix: string | null; suffix: string | null }[] | null;
}

const MAGIC = /[*?[\]{}()!+@\\]/;

/** The literal parts of one brace alternative of a glob. */
function literalParts(alt: string): { prefix: string | null; suffix: string | null } {
  const segs = alt.split("/");
  let n = 0;
  while (n < segs.length - 1 && !MAGIC.test(segs[n]!)) n++;
  const last = segs[segs.length - 1]!;
  const magicAt = Math.max(...[...last].map((ch, i) => (MAGIC.test(ch) ? i : -1)));
  const tail = magicAt < 0 ? (segs.length > 1 ? `/${last}` : last) : last.slice(magicAt + 1);
  return { prefix: n > 0 ? `${segs.slice(0, n).join("/")}/` : null, suffix: tail || null };
}

const cache = new Map<string, Compiled>();
const CACHE_LIMIT = 5000;

function compiled(glob: string): Compiled {
  let c = cache.get(glob);
  if (!c) {
    const m = new Minimatch(glob, OPTIONS);
    const alts = braceExpand(glob, { braceExpandMax: MAX_BRACE_EXPANSION });
    const quick = alts.map(literalParts);
    c = { m, quick: quick.length > 0 && quick.every((q) => q.prefix !== null || q.suffix !== null) ? quick : null };
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(glob, c);
  }
  return c;
}

/** Could `path` match? False only when a literal part rules it out; minimatch decides the rest. */
const couldMatch = (c: Compiled, path: string) =>
  c.quick === null ||
  c.quick.some(
    (q) =>
      (q.prefix === null || path.startsWith(q.prefix)) &&
      (q.suffix === null || path.endsWith(q.suffix) || (q.suffix.startsWith("/") && path === q.suffix.slice(1))),
  );

interface Entry {
  list: number;
  c: Compiled;
}

/**
 * Globs indexed by their literal leading folders (`services/api/src/`): a path
 * looks up each of its own folder prefixes, so it meets only the globs that
 * could match it, whatever the number of globs. Globs without a literal
 * prefix (those starting with `**`) are tried on every path, after their literal ending.
 * Path lists add `exact`: the literal paths a glob also matches (see `pathForms`).
 */
interface GlobIndex {
  byPrefix: Map<string, Entry[]>;
  anywhere: Entry[];
  exact: Map<string, number[]>;
}

/**
 * How a glob of a path list is matched (the one rule for every path list:
 * `paths.forbidden`, a restricted group's `paths`, the agent-steering files,
 * `tests_with_code`, `compliance.dependencies.paths`):
 *
 * - Case is ignored: the glob and the path are compared in lower case. On a
 *   case-insensitive file system (macOS, Windows) `Infra/Prod/main.tf` and
 *   `infra/prod/main.tf` are one file, and a tool reads `claude.md` as `CLAUDE.md`.
 * - A glob also matches each folder it names literally, as a path of its own:
 *   `.claude/**` matches `.claude`, and `.github/workflows/**` matches `.github`
 *   and `.github/workflows`. A file there (a symlink to another folder, say)
 *   would stand for everything the glob covers beneath it. Likewise `X/**`
 *   matches `X` when `X` has wildcards too: `lib[0-9]/gen/**` matches a file
 *   `lib2/gen`.
 *
 * Returns, in lower case, the globs to try (the glob itself, and each brace
 * alternative ending in `/**` without that ending, when it still has wildcards)
 * and the literal paths it matches besides.
 */
export function pathForms(glob: string): { globs: string[]; paths: string[] } {
  const g = glob.toLowerCase();
  const globs = [g];
  const paths = new Set<string>();
  for (const alt of braceExpand(g, { braceExpandMax: MAX_BRACE_EXPANSION })) {
    const segs = alt.split("/");
    for (let i = 0; i < segs.length - 1; i++) {
      const seg = segs[i]!;
      if (seg === "" || seg === "." || seg === ".." || MAGIC.test(seg)) break;
      paths.add(segs.slice(0, i + 1).join("/"));
    }
    let bare = alt;
    while (bare.endsWith("/**")) bare = bare.slice(0, -3);
    if (bare === alt || bare === "" || bare === "**") continue;
    if (MAGIC.test(bare)) {
      if (!globs.includes(bare)) globs.push(bare);
    } else paths.add(bare);
  }
  return { globs, paths: [...paths] };
}

/** Indexes name globs (`names`: branch names, matched as written) or path globs (`pathForms`). */
function buildIndex(lists: readonly (readonly string[])[], kind: "names" | "paths"): GlobIndex {
  const byPrefix = new Map<string, Entry[]>();
  const anywhere: Entry[] = [];
  const exact = new Map<string, number[]>();
  const add = (list: number, c: Compiled) => {
    const prefixes = c.quick?.map((q) => q.prefix);
    if (!prefixes || prefixes.includes(null)) {
      anywhere.push({ list, c });
      return;
    }
    for (const prefix of new Set(prefixes as string[])) {
      const entries = byPrefix.get(prefix);
      if (entries) entries.push({ list, c });
      else byPrefix.set(prefix, [{ list, c }]);
    }
  };
  lists.forEach((globs, list) => {
    for (const glob of globs) {
      if (kind === "names") {
        add(list, compiled(glob));
        continue;
      }
      const forms = pathForms(glob);
      for (const g of forms.globs) add(list, compiled(g));
      for (const p of forms.paths) {
        const at = exact.get(p);
        if (!at) exact.set(p, [list]);
        else if (!at.includes(list)) at.push(list);
      }
    }
  });
  return { byPrefix, anywhere, exact };
}

/** The entries that could match `path`: those under one of its folder prefixes, and the unanchored ones. */
function candidates(index: GlobIndex, path: string): Entry[] {
  const out: Entry[] = [];
  if (index.byPrefix.size > 0) {
    for (let k = path.indexOf("/"); k >= 0; k = path.indexOf("/", k + 1)) {
      const entries = index.byPrefix.get(path.slice(0, k + 1));
      if (entries) for (const e of entries) out.push(e);
    }
  }
  for (const e of index.anywhere) out.push(e);
  return out;
}

const test = (c: Compiled, path: string) => couldMatch(c, path) && c.m.match(path);

/** Sets `hit[i]` for each list `i` with a glob matching `path` (already in lower case for path lists). */
function markHits(index: GlobIndex, path: string, hit: Uint8Array): void {
  for (const list of index.exact.get(path) ?? []) hit[list] = 1;
  for (const e of candidates(index, path)) if (!hit[e.list] && test(e.c, path)) hit[e.list] = 1;
}

/**
 * Returns a predicate: does a name match any of `globs`, exactly as written (case
 * matters)? For names that are not paths: branch names. For paths, `pathMatcher`.
 */
export function matcher(globs: readonly string[]): (name: string) => boolean {
  const index = buildIndex([globs], "names");
  return (name) => candidates(index, name).some((e) => test(e.c, name));
}

/** Returns a predicate: does a repository path match any of `globs`, by the path-list rule (`pathForms`)? */
export function pathMatcher(globs: readonly string[]): (path: string) => boolean {
  const index = buildIndex([globs], "paths");
  const hit = new Uint8Array(1);
  return (path) => {
    hit[0] = 0;
    markHits(index, path.toLowerCase(), hit);
    return hit[0] === 1;
  };
}

/**
 * For each glob list, the changed files matching it (by old or new name, by the
 * path-list rule: `pathForms`), in one pass over the files: each name meets only
 * the globs that could match it.
 */
export function filesMatchingEach(files: readonly FileFacts[], lists: readonly (readonly string[])[]): FileFacts[][] {
  const out: FileFacts[][] = lists.map(() => []);
  const index = buildIndex(lists, "paths");
  const hit = new Uint8Array(lists.length);
  for (const file of files) {
    hit.fill(0);
    for (const name of fileNames(file)) markHits(index, name.toLowerCase(), hit);
    for (let i = 0; i < lists.length; i++) if (hit[i]) out[i]!.push(file);
  }
  return out;
}

/** The names a changed file is known by: its new name and, for a rename, its old one. */
export function fileNames(file: FileFacts): string[] {
  return file.previous_filename ? [file.filename, file.previous_filename] : [file.filename];
}

/** A changed file as shown in messages: `new`, or `old → new` for a rename. */
export function displayName(file: FileFacts): string {
  return file.previous_filename && file.previous_filename !== file.filename
    ? `${file.previous_filename} → ${file.filename}`
    : file.filename;
}

/** Changed files matching any of `globs`, by old or new name, by the path-list rule (`pathForms`). */
export function filesMatching(files: readonly FileFacts[], globs: readonly string[]): FileFacts[] {
  if (globs.length === 0) return [];
  const match = pathMatcher(globs);
  return files.filter((f) => fileNames(f).some(match));
}

/** Lists names for a message: at most `max`, then "and N more". */
export function listNames(names: readonly string[], max = 10): string {
  const shown = names.slice(0, max).map((n) => `\`${n}\``).join(", ");
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}
