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
import { at, findingOutcome, memoized, resolveSetting, snippet, type Finding, type FindingAction, type FindingOutcome } from "./findings.js";
import { matcher } from "./globs.js";
import { changedLines, type AddedLine, type RemovedLine } from "./patch.js";

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

interface Marker {
  kind: "skipped" | "focused";
  pattern: RegExp;
  /** Only in files matching the test globs (the words are common elsewhere). */
  testsOnly: boolean;
}

/** Skip and focus markers by language; each is a construct of a test framework. */
const MARKERS: Record<Lang, readonly Marker[]> = {
  js: [
    { kind: "skipped", pattern: /\b(?:it|test|describe|suite|context|specify|bench)(?:\.\w+)*\.(?:skip|skipIf|runIf|fails|fixme)\b/, testsOnly: true },
    { kind: "skipped", pattern: /(?<![\w$.])(?:xit|xtest|xdescribe|xcontext|xspecify|xsuite)\s*\(/, testsOnly: true },
    { kind: "skipped", pattern: /\bthis\.skip\s*\(|(?<![\w$.])pending\s*\(/, testsOnly: true },
    { kind: "focused", pattern: /\.only\s*\(/, testsOnly: true },
    { kind: "focused", pattern: /(?<![\w$.])(?:fit|fdescribe|ftest|fcontext)\s*\(/, testsOnly: true },
  ],
  py: [
    { kind: "skipped", pattern: /@pytest\.mark\.(?:skip|skipif|xfail)\b|@unittest\.(?:skip|skipIf|skipUnless|expectedFailure)\b/, testsOnly: false },
    { kind: "skipped", pattern: /\bpytest\.(?:skip|xfail)\s*\(|\bself\.skipTest\s*\(|\braise\s+(?:unittest\.)?SkipTest\b/, testsOnly: false },
    { kind: "skipped", pattern: /^\s*@(?:skip|skipIf|skipUnless|expectedFailure)\b/, testsOnly: true },
  ],
  go: [{ kind: "skipped", pattern: /\.(?:Skip|Skipf|SkipNow)\s*\(/, testsOnly: false }],
  jvm: [
    { kind: "skipped", pattern: /@(?:Disabled\w*|Ignore|PendingFeature)\b/, testsOnly: false },
    { kind: "skipped", pattern: /\bassume(?:True|That)?\s*\(\s*false\s*\)/, testsOnly: false },
  ],
  rust: [{ kind: "skipped", pattern: /#\[\s*ignore\b/, testsOnly: false }],
  cs: [{ kind: "skipped", pattern: /\[\s*(?:Ignore|Explicit)\b|\bSkip\s*=\s*"/, testsOnly: false }],
  ruby: [
    { kind: "skipped", pattern: /(?<![\w.])(?:xit|xdescribe|xcontext|xspecify|xscenario)\b/, testsOnly: true },
    { kind: "skipped", pattern: /^\s*(?:skip|pending)\b(?![?!:])/, testsOnly: true },
    { kind: "focused", pattern: /(?<![\w.])(?:fit|fdescribe|fcontext)\b|\bfocus:\s*true\b|,\s*:focus\b/, testsOnly: true },
  ],
  php: [{ kind: "skipped", pattern: /->markTest(?:Skipped|Incomplete)\s*\(/, testsOnly: false }],
  swift: [{ kind: "skipped", pattern: /\bXCTSkip(?:If|Unless)?\b/, testsOnly: false }],
  elixir: [{ kind: "skipped", pattern: /@tag\s+(?::skip\b|skip:)/, testsOnly: false }],
  c: [{ kind: "skipped", pattern: /\bGTEST_SKIP\s*\(|\bDISABLED_\w+/, testsOnly: false }],
};

/** The skip or focus marker a line adds, or null. */
export function markerIn(text: string, lang: Lang | null, isTestFile: boolean): { kind: "skipped" | "focused"; text: string; index: number } | null {
  if (!lang || isComment(text, lang)) return null;
  const line = clip(text);
  for (const m of MARKERS[lang]) {
    if (m.testsOnly && !isTestFile) continue;
    const hit = m.pattern.exec(line);
    if (hit) return { kind: m.kind, text: hit[0].trim(), index: hit.index };
  }
  return null;
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
const ESLINT_RULE = /["']?(@?[\w-]+(?:\/[\w-]+)*)["']?\s*:\s*\[?\s*["']?(off|warn|error|0|1|2)\b/;
const SEVERITY: Record<string, number> = { off: 0, "0": 0, warn: 1, "1": 1, error: 2, "2": 2 };
/** A strictness switch (TypeScript, mypy) and its value. */
const STRICT_FLAG =
  /["']?(strict\w*|noImplicit\w+|noUnused\w+|noUnchecked\w+|noFallthrough\w+|disallow_\w+|warn_\w+|check_untyped_defs|ignore_errors|skipLibCheck|allowJs|noEmitOnError)["']?\s*[:=]\s*["']?(true|false|True|False)\b/;
/** Flags where `true` is the weaker setting. */
const WEAK_WHEN_TRUE = new Set(["ignore_errors", "skiplibcheck"]);

const isEslintConfig = (base: string) => /^(?:\.eslintrc|eslint\.config)/i.test(base) || base === "package.json";
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

function thresholdFindings(path: string, added: AddedLine[], removed: RemovedLine[]): Finding[] {
  const base = baseName(path);
  if (!THRESHOLD_FILE.test(base)) return [];
  const out: Finding[] = [];
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
  /\b(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?(?:test|lint|typecheck|type-check|check|coverage)\b|\b(?:pytest|tox|nox|jest|vitest|mocha|eslint|ruff|flake8|mypy|pylint|tsc|rspec|phpunit|golangci-lint)\b|\bgo\s+(?:test|vet)\b|\bcargo\s+(?:test|clippy|nextest)\b|\bmake\s+(?:test|check|lint)\b|\bgradlew?\s+(?:test|check)\b|\bmvn\s+(?:test|verify)\b|\bdotnet\s+test\b/;

const live = <T extends { text: string }>(lines: readonly T[]) => lines.filter((l) => !isComment(l.text, null));

function ciFindings(path: string, added: AddedLine[], removed: RemovedLine[]): Finding[] {
  const ci = CI_FILE.test(path);
  if (!ci && !SCRIPT_FILE.test(path)) return [];
  const out: Finding[] = [];
  const add = (line: number, what: string) => out.push({ path, line, where: at(path, line), what });
  for (const { line, text } of live(added)) {
    const t = clip(text);
    const m = (ci ? ALLOW_FAILURE.exec(t) : null) ?? SWALLOW.exec(t);
    if (m) add(line, `failures let through (\`${snippet(m[0], 0, 60)}\`)`);
    else if (ci && DISABLED.test(t)) add(line, `step or job switched off (\`${snippet(t.trim(), 0, 60)}\`)`);
  }
  if (!ci) return out;
  const [gone, came] = [live(removed), live(added)];
  const count = <T extends { text: string }>(lines: readonly T[], re: RegExp) => lines.filter((l) => re.test(clip(l.text)));
  const stepsGone = count(gone, STEP);
  const steps = stepsGone.length - count(came, STEP).length;
  if (steps > 0) {
    const names = stepsGone.slice(0, 3).map((l) => `\`${snippet(l.text.trim().replace(/^-\s+/, ""), 0, 50)}\``).join(", ");
    add(stepsGone[0]!.line, `${steps} CI step${steps === 1 ? "" : "s"} removed (${names})`);
  }
  const jobsGone = count(gone, JOB);
  const jobs = jobsGone.length - count(came, JOB).length;
  if (jobs > 0) add(jobsGone[0]!.line, `${jobs} CI job${jobs === 1 ? "" : "s"} removed`);
  const testsGone = count(gone, TEST_COMMAND);
  if (steps <= 0 && testsGone.length > count(came, TEST_COMMAND).length) {
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

function assertionFindings(path: string, lang: Lang, added: AddedLine[], removed: RemovedLine[]): Finding[] {
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
export function findTestWeakening(files: readonly FileFacts[], opts: WeakeningOptions): Finding[] {
  const isTest = matcher(opts.tests);
  const on = (k: WeakeningKind) => opts.kinds.has(k);
  const out: Finding[] = [];
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
    const { added, removed } = changedLines(f.patch);
    if (on("skipped") || on("focused")) {
      for (const { line, text } of added) {
        const m = markerIn(text, lang, test);
        if (m && on(m.kind)) out.push({ path, line, where: at(path, line), what: `test ${m.kind} (\`${snippet(m.text, 0, 40)}\`)` });
      }
    }
    if (on("assertions") && test && lang) out.push(...assertionFindings(path, lang, added, removed));
    if (on("thresholds")) out.push(...thresholdFindings(path, added, removed));
    if (on("ci")) out.push(...ciFindings(path, added, removed));
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
