/**
 * Test weakening (`compliance.test_weakening`): the cheap ways to a green check
 * that a diff shows. Tests skipped or focused, test files deleted or moved out
 * of the tests, assertions removed or loosened, coverage and lint thresholds
 * lowered, CI steps and jobs removed or allowed to fail. Read from the patches
 * GitHub lists; a line the PR removes and adds back unchanged (a move, a
 * re-indent) is not a change (`changedLines`). Pure.
 */
import { WEAKENING_KINDS, type Policy } from "../config/schema.js";
import type { FileFacts, PullFacts } from "../types.js";
import { at, findingOutcome, memoized, resolveSetting, snippet, type TextFinding, type FindingAction, type FindingOutcome } from "./findings.js";
import { pathMatcher } from "./globs.js";
import { changedLines, patchRows, type AddedLine, type RemovedLine } from "./patch.js";

export type WeakeningKind = (typeof WEAKENING_KINDS)[number];

/** Test files in the common layouts, the default of `compliance.test_weakening.tests`. */
export const TEST_FILES = [
  "**/*.test.*",
  "**/*.spec.*",
  "**/*_test.*",
  "**/*_spec.*",
  "**/test_*.py",
  "**/conftest.py",
  "**/__tests__/**",
  "**/test/**",
  "**/tests/**",
  "**/spec/**",
  "**/src/test/**",
  "**/*Test.java",
  "**/*Tests.java",
  "**/*Test.kt",
  "**/*Tests.cs",
  "**/*Tests.swift",
  "**/e2e/**",
];

type Lang = "js" | "py" | "go" | "jvm" | "rust" | "cs" | "ruby" | "php" | "swift" | "elixir" | "c";

const EXTENSIONS: Record<string, Lang> = {
  js: "js", jsx: "js", ts: "js", tsx: "js", mjs: "js", cjs: "js", mts: "js", cts: "js", vue: "js", svelte: "js",
  py: "py",
  go: "go",
  java: "jvm", kt: "jvm", kts: "jvm", groovy: "jvm", scala: "jvm",
  rs: "rust",
  cs: "cs",
  rb: "ruby",
  php: "php",
  swift: "swift",
  ex: "elixir", exs: "elixir",
  c: "c", cc: "c", cpp: "c", cxx: "c", h: "c", hpp: "c",
};

/** The language of a code file, by its extension, or null for anything else (configs, fixtures, docs). */
export function languageOf(path: string): Lang | null {
  const dot = path.lastIndexOf(".");
  if (dot < 0 || dot < path.lastIndexOf("/")) return null;
  return EXTENSIONS[path.slice(dot + 1).toLowerCase()] ?? null;
}

/** A heuristic reads at most this much of a line: a minified line is not a test. */
const MAX_LINE = 4000;
const clip = (text: string) => (text.length > MAX_LINE ? text.slice(0, MAX_LINE) : text);

const HASH_COMMENT = new Set<Lang>(["py", "ruby", "elixir"]);

/** Is the line only a comment (so it runs nothing)? `#[ignore]` in Rust is an attribute, not a comment. */
export function isComment(text: string, lang: Lang | null): boolean {
  const t = text.trimStart();
  if (t.startsWith("//") || t.startsWith("/*") || t.startsWith("*")) return lang !== "py" && lang !== "ruby";
  if (t.startsWith("#")) return lang === null || HASH_COMMENT.has(lang);
  return false;
}

/**
 * Where a marker sits, which says when adding it weakens an existing test rather than adding a
 * skipped new one: `declaration`, the test's own line (`it.skip(…)`), when it replaces a line or
 * a removed line had the same test name; `before`, a decorator or annotation (`@pytest.mark.skip`),
 * when the line after it was already there; `inside`, a statement in the test (`t.Skip()`), when
 * the line before it was already there; `always`, a focus (`.only`), which hides other tests.
 */
type Place = "declaration" | "before" | "inside" | "always";

interface Marker {
  kind: "skipped" | "focused";
  pattern: RegExp;
  place: Place;
  /** Only in files matching the test globs (the words are common elsewhere). */
  testsOnly: boolean;
}

const marker = (kind: Marker["kind"], place: Place, pattern: RegExp, testsOnly = false): Marker => ({ kind, pattern, place, testsOnly });

/** Skip and focus markers by language; each is a construct of a test framework. */
const MARKERS: Record<Lang, readonly Marker[]> = {
  js: [
    marker("skipped", "declaration", /\b(?:it|test|describe|suite|context|specify|bench)(?:\.\w+)*\.(?:skip|skipIf|runIf|fails|fixme)\b/, true),
    marker("skipped", "declaration", /(?<![\w$.])(?:xit|xtest|xdescribe|xcontext|xspecify|xsuite)\s*\(/, true),
    marker("skipped", "inside", /\bthis\.skip\s*\(|(?<![\w$.])pending\s*\(/, true),
    marker("focused", "always", /\.only\s*\(/, true),
    marker("focused", "always", /(?<![\w$.])(?:fit|fdescribe|ftest|fcontext)\s*\(/, true),
  ],
  py: [
    marker("skipped", "before", /@pytest\.mark\.(?:skip|skipif|xfail)\b|@unittest\.(?:skip|skipIf|skipUnless|expectedFailure)\b/),
    marker("skipped", "inside", /\bpytest\.(?:skip|xfail)\s*\(|\bself\.skipTest\s*\(|\braise\s+(?:unittest\.)?SkipTest\b/),
    marker("skipped", "before", /^\s*@(?:skip|skipIf|skipUnless|expectedFailure)\b/, true),
  ],
  go: [marker("skipped", "inside", /\.(?:Skip|Skipf|SkipNow)\s*\(/)],
  jvm: [
    marker("skipped", "before", /@(?:Disabled\w*|Ignore|PendingFeature)\b/),
    marker("skipped", "inside", /\bassume(?:True|That)?\s*\(\s*false\s*\)/),
  ],
  rust: [marker("skipped", "before", /#\[\s*ignore\b/)],
  cs: [marker("skipped", "before", /\[\s*(?:Ignore|Explicit)\b|\bSkip\s*=\s*"/)],
  ruby: [
    marker("skipped", "declaration", /(?<![\w.])(?:xit|xdescribe|xcontext|xspecify|xscenario)\b/, true),
    marker("skipped", "inside", /^\s*(?:skip|pending)\b(?![?!:])/, true),
    marker("focused", "always", /(?<![\w.])(?:fit|fdescribe|fcontext)\b|\bfocus:\s*true\b|,\s*:focus\b/, true),
  ],
  php: [marker("skipped", "inside", /->markTest(?:Skipped|Incomplete)\s*\(/)],
  swift: [marker("skipped", "inside", /\bXCTSkip(?:If|Unless)?\b/)],
  elixir: [marker("skipped", "before", /@tag\s+(?::skip\b|skip:)/)],
  c: [marker("skipped", "inside", /\bGTEST_SKIP\s*\(/), marker("skipped", "declaration", /\bDISABLED_\w+/)],
};

/** String literals on a line, closed on it. */
const STRING = /(["'`])(?:\\.|(?!\1)[^\\])*\1/g;
/** `line` with the insides of its string literals blanked: a marker in a string (`"it.only("` in a test of a test runner) runs nothing. */
const blankStrings = (line: string) => line.replace(STRING, (m) => `${m[0]}${" ".repeat(m.length - 2)}${m[0]}`);

/** The skip or focus marker a line adds (outside string literals), or null. */
export function markerIn(text: string, lang: Lang | null, isTestFile: boolean): { kind: "skipped" | "focused"; place: Place; text: string; index: number } | null {
  if (!lang || isComment(text, lang)) return null;
  const line = blankStrings(clip(text));
  for (const m of MARKERS[lang]) {
    if (m.testsOnly && !isTestFile) continue;
    const hit = m.pattern.exec(line);
    if (hit) return { kind: m.kind, place: m.place, text: hit[0].trim(), index: hit.index };
  }
  return null;
}

/** A test's name as its declaration quotes it: the first string of three or more characters. */
const TITLE = /(["'`])((?:(?!\1)[^\\\n]){3,200})\1/;

/**
 * The skip and focus markers a patch adds to tests that were already there (see `Place`): a new
 * test added skipped weakens nothing that existed, a test turned off does. A marker line that
 * the patch also removes (a move) is no change.
 */
function markerFindings(path: string, patch: string, added: readonly AddedLine[], lang: Lang, test: boolean, kinds: (k: WeakeningKind) => boolean): TextFinding[] {
  // Most changes add no marker at all: only then read the patch's rows.
  const marked = new Map(added.flatMap((a) => {
    const m = markerIn(a.text, lang, test);
    return m && kinds(m.kind) ? [[a.line, m] as const] : [];
  }));
  if (marked.size === 0) return [];
  const rows = patchRows(patch);
  const removed = rows.filter((r) => r.op === "-").map((r) => r.text);
  /** The new version's row next to row `i` in direction `step`, skipping removed rows; null at a hunk's edge. */
  const neighbour = (i: number, step: 1 | -1) => {
    for (let j = i + step; j >= 0 && j < rows.length && rows[j]!.hunk === rows[i]!.hunk; j += step) if (rows[j]!.op !== "-") return rows[j]!;
    return null;
  };
  /** Does the run of changed rows around row `i` remove a line (so row `i` replaces something)? */
  const replaces = (i: number) => {
    for (const step of [1, -1] as const) {
      for (let j = i + step; j >= 0 && j < rows.length && rows[j]!.hunk === rows[i]!.hunk && rows[j]!.op !== " "; j += step) if (rows[j]!.op === "-") return true;
    }
    return false;
  };
  const out: TextFinding[] = [];
  rows.forEach((row, i) => {
    const m = row.op === "+" ? marked.get(row.line) : undefined;
    if (!m) return;
    const title = m.place === "declaration" ? TITLE.exec(row.text)?.[0] : undefined;
    const weakens =
      m.place === "always" ||
      replaces(i) ||
      (m.place === "before" && neighbour(i, 1)?.op === " ") ||
      (m.place === "inside" && neighbour(i, -1)?.op === " ") ||
      (title !== undefined && removed.some((r) => r.includes(title)));
    if (weakens) out.push({ path, line: row.line, where: at(path, row.line), what: `test ${m.kind} (\`${snippet(m.text, 0, 40)}\`)` });
  });
  return out;
}

/** An assertion call or statement, in any of the languages above. */
const ASSERTION =
  /\bexpect\s*\(|\bassert(?:_eq|_ne|_matches)?!\s*\(|\bassert\s*\(|\bassert\.\w+\s*\(|^\s*assert\b|\bassert[A-Z]\w*\s*\(|\bassert_\w+|\bself\.assert\w*\s*\(|\bpytest\.raises\s*\(|\b(?:require|assert)\.[A-Z]\w*\s*\(|\bt\.(?:Error|Errorf|Fatal|Fatalf|Fail|FailNow)\s*\(|\bAssert\.\w+\s*\(|\bXCTAssert\w*\s*\(|\.should\b|\bshould\.\w+\s*\(|\bverify\s*\(/;
/** An assertion that asserts nothing: `expect(true).toBe(true)`, `assert True`, `assert!(true)`. */
const TAUTOLOGY =
  /\bexpect\s*\(\s*(?:true|1|!0)\s*\)\s*\.\s*(?:toBe|toEqual|toStrictEqual|toBeTruthy)\s*\(\s*(?:true|1)?\s*\)|^\s*assert\s*\(?\s*(?:True|true|1)\s*\)?\s*;?\s*$|\bassert(?:True)?\s*\(\s*(?:True|true)\s*\)|\bassert!\s*\(\s*true\s*\)|\bexpect\s*\(\s*([\w.]+)\s*\)\s*\.\s*(?:toBe|toEqual)\s*\(\s*\1\s*\)/;
/** A matcher that checks less than an equality: replacing `toBe(3)` with one of these loosens the test. */
const LOOSE =
  /\.\s*(?:toBeDefined|toBeTruthy|toBeFalsy|toBeInstanceOf|toBeTypeOf|anything|any)\s*\(|\.not\.(?:toBeNull|toBeUndefined|toThrow)\s*\(|\bassertIsNotNone\s*\(|\bassertTrue\s*\(|^\s*assert\s+[\w.]+(?:\s+is\s+not\s+None)?\s*$|\bassert\.ok\s*\(|\bassert!\s*\(/;

type Strength = "none" | "tautology" | "loose" | "strict";

/** What an added or removed test line asserts. */
export function assertionStrength(text: string, lang: Lang | null): Strength {
  if (isComment(text, lang)) return "none";
  const line = clip(text);
  if (!ASSERTION.test(line)) return "none";
  if (TAUTOLOGY.test(line)) return "tautology";
  return LOOSE.test(line) ? "loose" : "strict";
}

/**
 * Does this change to a test file change a test? It must add a line with a letter or digit
 * that is not a comment, not a skip or focus marker, not an assertion of nothing, and not a
 * line it also removed (a move). A file without a patch (binary, too large) counts.
 * For `compliance.tests_with_code`: turning `it` into `it.skip` is not a test change.
 */
export function changesTests(file: FileFacts): boolean {
  if (file.status === "removed") return false;
  if (!file.patch) return true;
  const lang = languageOf(file.filename);
  return changedLines(file.patch).added.some(
    ({ text }) => /[\p{L}\p{N}]/u.test(text) && !isComment(text, lang) && !markerIn(text, lang, true) && assertionStrength(text, lang) !== "tautology",
  );
}

// ---------------------------------------------------------------------------
// Thresholds: coverage minimums, lint limits and severities, type-check strictness

/** Config files that set coverage or lint thresholds, by base name. */
const THRESHOLD_FILE =
  /^(?:(?:jest|vitest|vite|karma|nyc|c8|playwright)\.config\.[cm]?[jt]s|vitest\.workspace\.[cm]?[jt]s|\.nycrc(?:\.json|\.ya?ml)?|\.c8rc(?:\.json)?|package\.json|\.coveragerc|setup\.cfg|pyproject\.toml|tox\.ini|pytest\.ini|\.?codecov\.ya?ml|\.simplecov|\.eslintrc(?:\.[cm]?js|\.json|\.ya?ml)?|eslint\.config\.[cm]?[jt]s|\.golangci\.ya?ml|mypy\.ini|\.mypy\.ini|tsconfig(?:\.[\w-]+)?\.json|build\.gradle(?:\.kts)?|pom\.xml|Makefile|justfile)$/i;

/** Threshold keys where a higher number is stricter (coverage minimums). */
const MINIMUM_KEY =
  /(?:^|[\s{,"'-])(branches|functions|lines|statements|fail[_-]?under|failUnder|minimum_coverage|min_coverage|minimum|coveredratio|target|check-coverage|cov-fail-under|coverage\.thresholds\.\w+)["']?\s*(?:[:=]|\s)\s*["']?(\d+(?:\.\d+)?)/i;
/** Threshold keys where a higher number is looser: codecov's allowed drop, ESLint's warning budget. */
const ALLOWANCE_KEY = /(?:^|[\s{,"'-])(threshold|max-warnings|maxWarnings)["']?\s*(?:[:=]|\s)\s*["']?(\d+(?:\.\d+)?)/i;
/** An ESLint rule and its severity: `"no-console": "error"`, `'eqeqeq': ["warn", …]`, `semi: 2`. */
const ESLINT_RULE = /["']?(@?[\w-]+(?:\/[\w-]+)*)["']?\s*:\s*\[?\s*["']?(off|warn|error|0|1|2)["']?\s*(?:[,\]}]|$)/;
const SEVERITY: Record<string, number> = { off: 0, "0": 0, warn: 1, "1": 1, error: 2, "2": 2 };
/** A strictness switch (TypeScript, mypy) and its value. */
const STRICT_FLAG =
  /["']?(strict\w*|noImplicit\w+|noUnused\w+|noUnchecked\w+|noFallthrough\w+|disallow_\w+|warn_\w+|check_untyped_defs|ignore_errors|skipLibCheck|allowJs|noEmitOnError)["']?\s*[:=]\s*["']?(true|false|True|False)\b/;
/** Flags where `true` is the weaker setting. */
const WEAK_WHEN_TRUE = new Set(["ignore_errors", "skiplibcheck"]);

const isEslintConfig = (base: string) => /^(?:\.eslintrc|eslint\.config)/i.test(base);
const baseName = (path: string) => path.slice(path.lastIndexOf("/") + 1);

interface Keyed {
  key: string;
  value: string;
  line: number;
  text: string;
}

function keyed(lines: readonly { line: number; text: string }[], pattern: RegExp): Keyed[] {
  const out: Keyed[] = [];
  for (const { line, text } of lines) {
    if (isComment(text, null) && !text.trimStart().startsWith("#[")) continue;
    const m = pattern.exec(clip(text));
    if (m) out.push({ key: m[1]!.toLowerCase(), value: m[2]!.toLowerCase(), line, text });
  }
  return out;
}

/**
 * Pairs each key the patch removes with the same key it adds (in order): `weaker(before, after)` says
 * whether the change loosens it. A key removed and not added back counts as loosened when `gone` says so.
 */
function loosened(
  removed: readonly Keyed[],
  added: readonly Keyed[],
  weaker: (before: Keyed, after: Keyed) => boolean,
  gone: (before: Keyed) => boolean = () => false,
): { before: Keyed; after: Keyed | null }[] {
  const out: { before: Keyed; after: Keyed | null }[] = [];
  const pool = [...added];
  for (const r of removed) {
    const i = pool.findIndex((a) => a.key === r.key);
    const a = i >= 0 ? pool.splice(i, 1)[0]! : null;
    if (a ? weaker(r, a) : gone(r)) out.push({ before: r, after: a });
  }
  return out;
}

/** Keys set in added lines with no removed line setting them: new settings. */
const fresh = (removed: readonly Keyed[], added: readonly Keyed[]) => added.filter((a) => !removed.some((r) => r.key === a.key));

/** Thresholds and strictness a change to an existing config loosens; a new config's first settings loosen nothing. */
function thresholdFindings(path: string, added: AddedLine[], removed: RemovedLine[], isNew: boolean): TextFinding[] {
  const base = baseName(path);
  if (!THRESHOLD_FILE.test(base) || isNew) return [];
  const out: TextFinding[] = [];
  const add = (line: number, what: string) => out.push({ path, line, where: at(path, line), what });
  const name = (k: Keyed) => `\`${snippet(k.key, 0, 80)}\``;
  const num = (k: Keyed) => Number(k.value);

  const [minBefore, minAfter] = [keyed(removed, MINIMUM_KEY), keyed(added, MINIMUM_KEY)];
  for (const { before, after } of loosened(minBefore, minAfter, (b, a) => num(a) < num(b), (b) => num(b) > 0)) {
    if (after) add(after.line, `coverage threshold ${name(before)} lowered from ${before.value} to ${after.value}`);
    else add(before.line, `coverage threshold ${name(before)} (${before.value}) removed`);
  }
  const [allowBefore, allowAfter] = [keyed(removed, ALLOWANCE_KEY), keyed(added, ALLOWANCE_KEY)];
  for (const { before, after } of loosened(allowBefore, allowAfter, (b, a) => num(a) > num(b))) {
    add(after!.line, `${name(before)} raised from ${before.value} to ${after!.value}`);
  }
  // A warning budget where there was none: `--max-warnings 50`.
  for (const a of fresh(allowBefore, allowAfter)) if (a.key.startsWith("max") && num(a) > 0) add(a.line, `${name(a)} set to ${a.value}`);

  if (isEslintConfig(base)) {
    const [before, after] = [keyed(removed, ESLINT_RULE), keyed(added, ESLINT_RULE)];
    for (const r of loosened(before, after, (b, a) => SEVERITY[a.value]! < SEVERITY[b.value]!)) {
      add(r.after!.line, `lint rule ${name(r.before)} turned down from ${r.before.value} to ${r.after!.value}`);
    }
    for (const a of fresh(before, after)) if (SEVERITY[a.value] === 0) add(a.line, `lint rule ${name(a)} turned off`);
  }
  if (/^(?:tsconfig|mypy|\.mypy|setup\.cfg|pyproject)/i.test(base)) {
    const weak = (k: Keyed) => (WEAK_WHEN_TRUE.has(k.key) ? k.value === "true" : k.value === "false");
    const [before, after] = [keyed(removed, STRICT_FLAG), keyed(added, STRICT_FLAG)];
    for (const r of loosened(before, after, (b, a) => !weak(b) && weak(a))) {
      add(r.after!.line, `${name(r.before)} changed from ${r.before.value} to ${r.after!.value}`);
    }
    for (const a of fresh(before, after)) if (weak(a)) add(a.line, `${name(a)} set to ${a.value}`);
  }
  return out;
}

// ---------------------------------------------------------------------------
// CI: steps and jobs removed, failures let through

const CI_FILE =
  /^(?:\.github\/workflows\/[^/]+\.ya?ml|\.github\/actions\/.+\/action\.ya?ml|(?:.+\/)?\.gitlab-ci\.ya?ml|\.circleci\/config\.ya?ml|azure-pipelines\.ya?ml|\.travis\.ya?ml|bitbucket-pipelines\.ya?ml|(?:.+\/)?Jenkinsfile|\.buildkite\/.+\.ya?ml|\.drone\.ya?ml|appveyor\.ya?ml)$/;
/** Files whose commands CI runs: scripts in package.json, Makefiles. */
const SCRIPT_FILE = /(?:^|\/)(?:package\.json|Makefile|GNUmakefile|justfile|[^/]+\.mk)$/;
/** A step or job allowed to fail. */
const ALLOW_FAILURE =
  /\bcontinue-on-error\s*:\s*(?:true\b|["']true["']|\$\{\{\s*true\s*\}\})|\ballow_failure\s*:\s*true\b|\bsoft_fail\s*:\s*true\b|\bfail_ci_if_error\s*:\s*false\b/;
/** A command whose failure is swallowed: `|| true`, `|| exit 0`, `|| :`. */
const SWALLOW = /\|\|\s*(?:true\b|exit\s+0\b|:(?=\s|$|["';)]))/;
/** A step or job switched off: `if: false`. */
const DISABLED = /^\s*(?:-\s+)?if\s*:\s*(?:false|["']false["']|\$\{\{\s*false\s*\}\})\s*$/;
/** The first line of a step. */
const STEP = /^\s*-\s+(?:name|uses|run)\s*:/;
/** A job: GitHub Actions' `runs-on:`, GitLab's `script:`. */
const JOB = /^\s*(?:runs-on|script)\s*:/;
/** A command that runs tests, linters or type checks. */
const TEST_COMMAND =
  /(?:\b(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?(?:test|lint|typecheck|type-check|check|coverage)|\b(?:pytest|tox|nox|jest|vitest|mocha|karma|ava|nyc|c8|eslint|ruff|flake8|mypy|pyright|pylint|tsc|rspec|phpunit|golangci-lint)|\b(?:playwright|cypress)\s+(?:test|run)|\bcoverage\s+(?:run|report)|\bgo\s+(?:test|vet)|\bcargo\s+(?:test|clippy|nextest)|\bmake\s+(?:test|check|lint)|\bgradlew?\s+(?:test|check)|\bmvn\s+(?:test|verify)|\bdotnet\s+test)\b(?![\w-]*\s*:|@)/;
/** A line that runs tests or checks: a test command, not the install of one (`pip install tox`). */
const RUNS_TESTS = { test: (line: string) => TEST_COMMAND.test(line) && !/\binstall\b|\b(?:npm|pnpm|yarn|bun)\s+(?:i|add)\b/.test(line) };
/** A package.json script that tests or lints: `"test": …`, `"lint:ci": …`. */
const TEST_SCRIPT = /^\s*"(?:test|lint|check|coverage|typecheck|verify)[\w:-]*"\s*:/;
/** A step or job whose name says it verifies something. */
const CHECK_NAME = /^\s*(?:-\s+)?name\s*:.*\b(?:tests?|lint\w*|checks?|coverage|type-?check\w*|typing|verify|audit|scan\w*|security|e2e|integration)\b/i;

const live = <T extends { text: string }>(lines: readonly T[]) => lines.filter((l) => !isComment(l.text, null));

/**
 * The steps among `lines` (in order): from a line that starts a list item (`- name:`, `- run:`,
 * `- uses:`) to the next, and a step only when it runs something (`run:` or `uses:`); a matrix
 * entry (`- name: Node.js 18`) is no step. `verifies`: it runs a test or check, or is named so.
 */
function stepsOf<T extends { line: number; text: string }>(lines: readonly T[]): { first: T; verifies: boolean }[] {
  const items: { first: T; runs: boolean; verifies: boolean }[] = [];
  for (const l of lines) {
    const t = clip(l.text);
    if (STEP.test(t)) items.push({ first: l, runs: false, verifies: false });
    const item = items[items.length - 1];
    if (!item) continue;
    item.runs ||= /^\s*(?:-\s+)?(?:run|uses)\s*:/.test(t);
    item.verifies ||= RUNS_TESTS.test(t) || CHECK_NAME.test(t);
  }
  return items.filter((i) => i.runs);
}

/** Steps and commands an existing CI file or script file loses or lets fail; a new one takes nothing away. */
function ciFindings(path: string, added: AddedLine[], removed: RemovedLine[], isNew: boolean): TextFinding[] {
  const ci = CI_FILE.test(path);
  if ((!ci && !SCRIPT_FILE.test(path)) || isNew) return [];
  const out: TextFinding[] = [];
  const add = (line: number, what: string) => out.push({ path, line, where: at(path, line), what });
  for (const { line, text } of live(added)) {
    const t = clip(text);
    // `|| true` after a test or lint command (or in a `test`/`lint` script); after `npm ls` it hides nothing.
    const m = (ci ? ALLOW_FAILURE.exec(t) : null) ?? (RUNS_TESTS.test(t) || TEST_SCRIPT.test(t) ? SWALLOW.exec(t) : null);
    if (m) add(line, `failures let through (\`${snippet(m[0], 0, 60)}\`)`);
    else if (ci && DISABLED.test(t)) add(line, `step or job switched off (\`${snippet(t.trim(), 0, 60)}\`)`);
  }
  if (!ci) return out;
  const [gone, came] = [live(removed), live(added)];
  const count = <T extends { text: string }>(lines: readonly T[], re: { test: (line: string) => boolean }) => lines.filter((l) => re.test(clip(l.text)));
  // Only the removal of steps and jobs that verify something counts (a test, lint or check command,
  // or a name that says so): dropping a cache or a publish step weakens no test.
  const verifies = count(gone, RUNS_TESTS).length > 0 || count(gone, CHECK_NAME).length > 0;
  const [stepsGone, stepsCame] = [stepsOf(gone), stepsOf(came)];
  const steps = stepsGone.length - stepsCame.length;
  const checking = stepsGone.filter((st) => st.verifies);
  if (steps > 0 && checking.length > 0) {
    const names = checking.slice(0, 3).map((st) => `\`${snippet(st.first.text.trim().replace(/^-\s+/, ""), 0, 50)}\``).join(", ");
    add(checking[0]!.first.line, `${steps} CI step${steps === 1 ? "" : "s"} removed (${names})`);
  }
  const jobsGone = count(gone, JOB);
  const jobs = jobsGone.length - count(came, JOB).length;
  if (jobs > 0 && verifies) add(jobsGone[0]!.line, `${jobs} CI job${jobs === 1 ? "" : "s"} removed`);
  const testsGone = count(gone, RUNS_TESTS);
  if (steps <= 0 && testsGone.length > count(came, RUNS_TESTS).length) {
    add(testsGone[0]!.line, `test or lint command removed from CI (\`${snippet(testsGone[0]!.text.trim(), 0, 60)}\`)`);
  }
  return out;
}

// ---------------------------------------------------------------------------
// The scan and the rule

export interface WeakeningOptions {
  tests: readonly string[];
  kinds: ReadonlySet<WeakeningKind>;
}

function assertionFindings(path: string, lang: Lang, added: AddedLine[], removed: RemovedLine[]): TextFinding[] {
  const strength = <T extends { line: number; text: string }>(lines: readonly T[]) => lines.map((l) => ({ ...l, s: assertionStrength(l.text, lang) }));
  const gone = strength(removed).filter((l) => l.s === "loose" || l.s === "strict");
  const came = strength(added).filter((l) => l.s === "loose" || l.s === "strict");
  const first = gone[0];
  if (!first) return [];
  if (gone.length > came.length) {
    const n = gone.length - came.length;
    return [{ path, line: first.line, where: at(path, first.line), what: `${n} assertion${n === 1 ? "" : "s"} removed without replacement (\`${snippet(first.text.trim(), 0, 60)}\`)` }];
  }
  const strictGone = gone.filter((l) => l.s === "strict");
  const loose = came.filter((l) => l.s === "loose");
  const strictCame = came.length - loose.length;
  if (strictGone.length > strictCame && loose[0]) {
    const n = strictGone.length - strictCame;
    return [
      {
        path,
        line: loose[0].line,
        where: at(path, loose[0].line),
        what: `${n} assertion${n === 1 ? "" : "s"} loosened (\`${snippet(strictGone[0]!.text.trim(), 0, 40)}\` → \`${snippet(loose[0].text.trim(), 0, 40)}\`)`,
      },
    ];
  }
  return [];
}

/** Every sign of test weakening in `files`, in file order. */
export function findTestWeakening(files: readonly FileFacts[], opts: WeakeningOptions): TextFinding[] {
  const isTest = pathMatcher(opts.tests);
  const on = (k: WeakeningKind) => opts.kinds.has(k);
  const out: TextFinding[] = [];
  for (const f of files) {
    const path = f.filename;
    const test = isTest(path);
    const lang = languageOf(path);
    if (f.status === "removed") {
      if (on("deleted_tests") && test && lang) out.push({ path, where: at(path), what: "test file deleted" });
      continue;
    }
    const old = f.previous_filename;
    // Renamed from a test to something that is no test code: `tests/a.test.ts.bak`, `attic/a.py`.
    if (on("deleted_tests") && old && old !== path && isTest(old) && languageOf(old) && !(test && lang)) {
      out.push({ path, where: at(path), what: `test file moved out of the tests (from \`${snippet(old, 0, 80)}\`)` });
    }
    if (!f.patch) continue;
    // Most files are none of these: not read at all.
    const markers = lang !== null && (on("skipped") || on("focused")) && MARKERS[lang].some((m) => test || !m.testsOnly);
    const asserts = on("assertions") && test && lang !== null;
    const configs = (on("thresholds") && THRESHOLD_FILE.test(baseName(path))) || (on("ci") && (CI_FILE.test(path) || SCRIPT_FILE.test(path)));
    if (!markers && !asserts && !configs) continue;
    const { added, removed } = changedLines(f.patch);
    if (markers) out.push(...markerFindings(path, f.patch, added, lang!, test, on));
    if (on("assertions") && test && lang) out.push(...assertionFindings(path, lang, added, removed));
    const isNew = f.status === "added";
    if (on("thresholds")) out.push(...thresholdFindings(path, added, removed, isNew));
    if (on("ci")) out.push(...ciFindings(path, added, removed, isNew));
  }
  return out;
}

/** The setting with its defaults, or null when off. */
export function testWeakeningSetting(policy: Policy): (WeakeningOptions & FindingAction) | null {
  const r = resolveSetting(policy.compliance.test_weakening, "approve");
  return r && { ...r.answer, tests: r.set.tests ?? TEST_FILES, kinds: new Set(r.set.kinds ?? WEAKENING_KINDS) };
}

/**
 * `compliance.test_weakening` for this PR: nothing when off or when nothing is found; else a
 * group needing its reviewers' approval (`action: approve`, the default) or a failing rule.
 */
export function testWeakening(policy: Policy, facts: Pick<PullFacts, "files">): FindingOutcome {
  const setting = testWeakeningSetting(policy);
  if (!setting) return { group: null, rule: null };
  return memoized("compliance.test_weakening", facts.files, policy.compliance, [], () =>
    findingOutcome(
      "compliance.test_weakening",
      "test weakening",
      "Weakens tests",
      setting,
      findTestWeakening(facts.files, setting),
      "Restore the skipped, focused or deleted tests, the assertions, thresholds and CI steps this PR weakens (fix the code instead), then push.",
    ),
  );
}
