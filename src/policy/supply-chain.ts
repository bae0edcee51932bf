/**
 * Supply-chain rules: code that runs when the project is installed or built
 * (`compliance.install_scripts`, across ecosystems), and changes to dependency
 * manifests, lockfiles and registry settings (`compliance.dependencies`). Pure:
 * a changed package.json, composer.json or pyproject.toml is read whole from
 * `PullFacts.head_contents` when the facts carry it, else from its patch.
 */
import { LineCounter, parseDocument, isMap, isPair, isScalar, type Node } from "yaml";
import type { Policy } from "../config/schema.js";
import type { FileFacts, PullFacts } from "../types.js";
import { displayName, filesMatching, matcher } from "./globs.js";
import { addedLineSet, changedLines, firstAddedLine, gateFindings, headText, memoGated, nestedTooDeep, NOT_GATED, type Finding, type Gated } from "./findings.js";
import { addedLines, hasMissingPatch, type AddedLine } from "./patch.js";
import type { PathGroup } from "./paths.js";

/** npm lifecycle scripts that run when a package is installed (or built from git), in the schema's order. */
export const INSTALL_SCRIPTS = ["preinstall", "install", "postinstall", "preprepare", "prepare", "postprepare", "prepublish", "prepack", "dependencies"];
/** Composer's scripts that run on `composer install` / `update` in this repository. */
export const COMPOSER_SCRIPTS = [
  "pre-install-cmd",
  "post-install-cmd",
  "pre-update-cmd",
  "post-update-cmd",
  "pre-autoload-dump",
  "post-autoload-dump",
  "post-root-package-install",
  "post-create-project-cmd",
];

const baseName = (path: string) => path.slice(path.lastIndexOf("/") + 1);

/** The manifests `install_scripts` reads whole at the head commit, when they change. */
const READ_WHOLE = new Set(["package.json", "composer.json", "pyproject.toml"]);

const live = (facts: PullFacts) => facts.files.filter((f) => f.status !== "removed");

/** The changed files `compliance.install_scripts` wants read at the head commit (none when it is off). */
export function manifestsToRead(policy: Policy, facts: PullFacts): string[] {
  if (!policy.compliance.install_scripts) return [];
  return live(facts)
    .filter((f) => READ_WHOLE.has(baseName(f.filename)))
    .map((f) => f.filename);
}

// ---------------------------------------------------------------------------
// JSON manifests (package.json, composer.json): parsed as npm and Composer read them, located with the YAML parser

interface JsonSpec {
  /** Keys under `scripts` that run at install. */
  scripts: readonly string[];
  /** Paths of lists naming dependencies allowed to run their own install scripts. */
  lists: readonly (readonly string[])[];
  /** The annotation for a script. */
  why: (name: string) => string;
}

const NPM: JsonSpec = {
  scripts: INSTALL_SCRIPTS,
  lists: [["trustedDependencies"], ["pnpm", "onlyBuiltDependencies"]],
  why: (name) => `\`${name}\` runs on every install of this package.`,
};
const COMPOSER: JsonSpec = { scripts: COMPOSER_SCRIPTS, lists: [], why: (name) => `\`${name}\` runs on \`composer install\` or \`update\` in this project.` };

/** A key of a JSON manifest: the value JSON.parse gives it, and the lines of the key and its value (1-based). */
export interface JsonEntry {
  path: string[];
  from: number;
  to: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The install-time entries of a JSON manifest's text, with their lines: each script of `spec.scripts` under
 * `scripts`, and each allow-list of `spec.lists`. What counts is what JSON.parse (as npm reads it) finds, the
 * last of duplicate keys, `\u` escapes decoded; null when the text is not JSON. A key the locator cannot place
 * spans the whole file (the safe side: every added line touches it).
 */
export function jsonInstallEntries(text: string, spec: Pick<JsonSpec, "scripts" | "lists">): JsonEntry[] | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(data)) return [];
  const wanted: string[][] = [];
  const scripts = data.scripts;
  if (isObject(scripts)) for (const name of spec.scripts) if (Object.hasOwn(scripts, name)) wanted.push(["scripts", name]);
  for (const path of spec.lists) {
    let v: unknown = data;
    for (const k of path) v = isObject(v) && Object.hasOwn(v, k) ? v[k] : undefined;
    if (v !== undefined) wanted.push([...path]);
  }
  if (wanted.length === 0) return [];
  const lines = new LineCounter();
  const doc = nestedTooDeep(text) ? null : parseDocument(text, { lineCounter: lines, uniqueKeys: false, strict: false });
  const whole = text.split("\n").length;
  return wanted.map((path) => {
    const span = doc && !doc.errors.length ? locate(doc.contents as Node | null, path, lines) : null;
    return { path, from: span?.from ?? 1, to: span?.to ?? whole };
  });
}

/** The lines of the last pair at `path` in a parsed mapping, or null. */
function locate(node: Node | null, path: readonly string[], lines: LineCounter): { from: number; to: number } | null {
  let current: unknown = node;
  let span: { from: number; to: number } | null = null;
  for (const key of path) {
    if (!isMap(current)) return null;
    const pair = current.items.findLast((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
    const range = (pair?.value as Node | null | undefined)?.range ?? null;
    const keyRange = (pair?.key as Node | null | undefined)?.range ?? null;
    if (!pair || !keyRange) return null;
    span = { from: lines.linePos(keyRange[0]).line, to: lines.linePos(Math.max(keyRange[0], (range?.[1] ?? keyRange[1]) - 1)).line };
    current = pair.value;
  }
  return span;
}

/** A script key written anywhere on an added line, as the line scan finds it (no `dependencies`: too common a key). */
const scriptKeyPattern = (names: readonly string[]) => new RegExp(`"(${names.filter((n) => n !== "dependencies").join("|")})"\\s*:`, "g");
const NPM_LINE = scriptKeyPattern([...INSTALL_SCRIPTS, "trustedDependencies", "onlyBuiltDependencies"]);
const COMPOSER_LINE = scriptKeyPattern(COMPOSER_SCRIPTS);

function jsonFindings(file: FileFacts, text: string | null, spec: JsonSpec, linePattern: RegExp): Finding[] {
  const path = file.filename;
  const entries = text === null ? null : jsonInstallEntries(text, spec);
  if (entries) {
    const added = addedLineSet(file);
    return entries
      .filter((e) => Array.from({ length: e.to - e.from + 1 }, (_, i) => e.from + i).some((l) => added.has(l)))
      .map((e) => {
        const name = e.path.join(".");
        const isScript = e.path[0] === "scripts";
        return {
          path,
          line: e.from,
          what: `\`${isScript ? e.path[1] : name}\``,
          why: isScript ? spec.why(e.path[1]!) : `\`${name}\` lets the dependencies it names run their install scripts.`,
        };
      });
  }
  // No head text (or not JSON): every script key on an added line, wherever on the line it is.
  return addedLines(file.patch).flatMap(({ line, text: t }) =>
    [...t.matchAll(linePattern)].map((m) => ({
      path,
      line,
      what: `\`${m[1]}\``,
      why: m[1]!.endsWith("Dependencies") ? `\`${m[1]}\` lets the dependencies it names run their install scripts.` : spec.why(m[1]!),
    })),
  );
}

// ---------------------------------------------------------------------------
// pyproject.toml: the TOML table each line is in

/** `[ tool . "hatch" ]` → `tool.hatch`; null for a line that is not a table header. String code: linear on any line. */
function tableHeader(line: string): string | null {
  const t = line.trim();
  if (!t.startsWith("[")) return null;
  const double = t.startsWith("[[");
  const close = t.indexOf("]");
  if (close < 0) return null;
  const inner = t.slice(double ? 2 : 1, close);
  const rest = t.slice(close + (double ? 2 : 1)).trim();
  if (inner.includes("[") || (double && t[close + 1] !== "]") || (rest !== "" && !rest.startsWith("#")) || inner.trim() === "") return null;
  return inner
    .split(".")
    .map((part) => part.trim().replace(/^(["'])(.*)\1$/, "$2"))
    .join(".");
}

/**
 * The table (`tool.hatch.build`) each line of a TOML text is in: `start` before the first header (`""` for
 * the root table of a whole file, null where it is unknown, at the top of a patch hunk). Lines inside
 * multi-line strings (`"""`, `'''`) are never headers.
 */
export function tomlTables(lines: readonly string[], start: string | null = ""): (string | null)[] {
  const out: (string | null)[] = [];
  let table = start;
  let open: string | null = null; // the delimiter of a multi-line string left open
  for (const line of lines) {
    if (open === null) {
      const header = tableHeader(line);
      if (header !== null) table = header;
    }
    out.push(table);
    for (const m of line.matchAll(/"""|'''/g)) {
      if (open === null) open = m[0];
      else if (open === m[0]) open = null;
    }
  }
  return out;
}

/** Tables whose contents run at build time: Hatch hooks, setuptools commands, Poetry's build script, pdm's setuptools run. */
const HOOK_TABLE = /^tool\.(hatch\.(build(\.targets\.[^.]+)?|metadata)\.hooks(\..+)?|setuptools\.cmdclass|poetry\.build|pdm\.build)$/;
const BACKEND_KEY = /^\s*(build-backend|backend-path)\s*=/;

function pyprojectFindings(file: FileFacts, text: string | null): Finding[] {
  const path = file.filename;
  const added: AddedLine[] = changedLines(file, text);
  let tableOf: (l: AddedLine) => string | null;
  if (text !== null) {
    const tables = tomlTables(text.split("\n"));
    tableOf = (l) => tables[l.line - 1] ?? null;
  } else {
    // From the patch alone: the headers the hunks show (unknown above a hunk's first header).
    const seen = new Map<number, string | null>();
    for (const hunk of (file.patch ?? "").split(/^(?=@@ )/m)) {
      const rows = hunkRows(hunk);
      const tables = tomlTables(rows.map((r) => r.text), null);
      rows.forEach((r, i) => r.added && seen.set(r.line, tables[i]!));
    }
    tableOf = (l) => seen.get(l.line) ?? null;
  }
  const findings: Finding[] = [];
  const reported = new Set<string>();
  for (const l of added) {
    const table = tableOf(l);
    if (BACKEND_KEY.test(l.text) && (table === "build-system" || table === null)) {
      const key = BACKEND_KEY.exec(l.text)![1]!;
      findings.push({ path, line: l.line, what: `\`${key}\``, why: `\`[build-system] ${key}\` chooses the code that builds the package on every install from source; it was added or changed.` });
    } else if (table !== null && HOOK_TABLE.test(table) && !reported.has(table)) {
      reported.add(table);
      findings.push({ path, line: l.line, what: `\`[${table}]\``, why: `\`[${table}]\` runs code when the package is built or installed from source; it was added or changed.` });
    }
  }
  return findings;
}

/** The new-file rows of one hunk (context and added lines), with their line numbers. */
function hunkRows(hunk: string): { line: number; text: string; added: boolean }[] {
  const rows: { line: number; text: string; added: boolean }[] = [];
  const head = /^@@ -\d+(?:,\d+)? \+(\d+)/.exec(hunk);
  if (!head) return rows;
  let line = Number(head[1]);
  for (const raw of hunk.split("\n").slice(1)) {
    if (raw.startsWith("-") || raw.startsWith("\\")) continue;
    rows.push({ line, text: raw.slice(1), added: raw.startsWith("+") });
    line++;
  }
  return rows;
}

// ---------------------------------------------------------------------------
// Line-based detectors: files whose added lines say it, and files that are install-time code as a whole

interface LineRule {
  pattern: RegExp;
  what: (m: RegExpExecArray) => string;
  why: string;
}

const SETUP_PY: LineRule[] = [
  { pattern: /\bcmdclass\b/, what: () => "`cmdclass`", why: "`cmdclass` replaces setuptools commands with this project's code, run on install from source." },
  {
    pattern: /^\s*class\s+\w+\s*\(\s*(?:[\w.]*\.)?(install|develop|egg_info|build|build_py|build_ext|build_clib|sdist|bdist_\w+|install_lib|install_scripts)\s*[,)]/,
    what: (m) => `a custom \`${m[1]}\` command`,
    why: "A custom setuptools command runs this project's code on install from source.",
  },
  {
    pattern: /\b(subprocess|os\.system|os\.popen|os\.exec\w*|urllib|urlopen|requests\.\w+|exec\s*\(|eval\s*\(|__import__)/,
    what: (m) => `\`${m[1]!.replace(/\s+/g, "")}\``,
    why: "setup.py runs on install from source; this line runs a command, fetches or evaluates code.",
  },
];

const GRADLE: LineRule[] = [
  { pattern: /^\s*id\s*\(?\s*["']([\w.-]+)["']/, what: (m) => `Gradle plugin \`${m[1]}\``, why: "A Gradle plugin runs its code in every build." },
  { pattern: /\bapply\s*\(?\s*plugin\s*[:=]\s*["']?([\w.-]+)/, what: (m) => `Gradle plugin \`${m[1]}\``, why: "A Gradle plugin runs its code in every build." },
  { pattern: /^\s*classpath\s*\(?\s*["']([^"']+)["']/, what: (m) => `build classpath \`${m[1]}\``, why: "A buildscript classpath entry is code loaded into every build." },
];

const MAVEN: LineRule[] = [
  { pattern: /<artifactId>\s*([^<\s]{0,200}plugin[^<\s]{0,200})\s*<\/artifactId>/, what: (m) => `Maven plugin \`${m[1]}\``, why: "A Maven plugin runs its code in every build." },
  { pattern: /<extension>|<extensions>\s*true\s*<\/extensions>/, what: () => "a Maven build extension", why: "A Maven build extension runs its code in every build." },
];

const WRAPPER: LineRule[] = [
  { pattern: /^\s*(distributionUrl|wrapperUrl)\s*=/, what: (m) => `\`${m[1]}\``, why: "The wrapper downloads and runs this distribution on every `./gradlew` or `./mvnw`." },
];

const CARGO: LineRule[] = [{ pattern: /^\s*build\s*=/, what: () => "`build`", why: "Cargo runs the `build` script before compiling the crate." }];
const GEMSPEC: LineRule[] = [{ pattern: /\.extensions\s*[=<]/, what: () => "`extensions`", why: "A gem's native extensions are built (their extconf.rb runs) on `gem install`." }];
const YARNRC: LineRule[] = [{ pattern: /^\s*(yarnPath|plugins)\s*:/, what: (m) => `\`${m[1]}\``, why: "Yarn runs this code on every `yarn` command." }];
const GYP: LineRule[] = [{ pattern: /<!@?\(/, what: () => "a `<!(…)` command", why: "node-gyp runs this shell command on `npm install`." }];

/** Files that are install- or build-time code as a whole: any change to them counts. */
const WHOLE_FILES: Record<string, string> = {
  "build.rs": "Cargo runs build.rs before compiling the crate.",
  "binding.gyp": "node-gyp builds this on `npm install`.",
  "extconf.rb": "RubyGems runs extconf.rb on `gem install`.",
  ".pnpmfile.cjs": "pnpm runs these hooks on every install.",
  ".pnpmfile.mjs": "pnpm runs these hooks on every install.",
  "hatch_build.py": "Hatch runs this build hook when the package is built from source.",
  "pdm_build.py": "pdm-backend runs this build hook when the package is built from source.",
  "gradle-wrapper.jar": "The Gradle wrapper runs this jar on every `./gradlew`.",
  "maven-wrapper.jar": "The Maven wrapper runs this jar on every `./mvnw`.",
  "extensions.xml": "Maven loads these build extensions into every build.",
};

function lineRulesFor(path: string): LineRule[] {
  const name = baseName(path);
  if (name === "setup.py") return SETUP_PY;
  if (/^(build|settings)\.gradle(\.kts)?$/.test(name) || name.endsWith(".init.gradle")) return GRADLE;
  if (name === "pom.xml") return MAVEN;
  if (name === "gradle-wrapper.properties" || name === "maven-wrapper.properties") return WRAPPER;
  if (name === "Cargo.toml") return CARGO;
  if (name.endsWith(".gemspec")) return GEMSPEC;
  if (name === ".yarnrc.yml") return YARNRC;
  if (name === "binding.gyp") return GYP;
  return [];
}

function lineFindings(file: FileFacts, rules: readonly LineRule[]): Finding[] {
  const out: Finding[] = [];
  for (const { line, text } of addedLines(file.patch)) {
    for (const r of rules) {
      const m = r.pattern.exec(text);
      if (m) out.push({ path: file.filename, line, what: r.what(m), why: r.why });
    }
  }
  return out;
}

/** Is this file one whose every change is install-time code? (`extensions.xml` only in `.mvn/`.) */
function wholeFileWhy(path: string): string | null {
  const name = baseName(path);
  if (name === "extensions.xml" && !path.endsWith(".mvn/extensions.xml")) return null;
  return WHOLE_FILES[name] ?? null;
}

/** Every install-time finding of one changed file. */
function fileFindings(file: FileFacts, facts: PullFacts): Finding[] {
  const name = baseName(file.filename);
  const text = headText(facts, file.filename);
  if (name === "package.json") return jsonFindings(file, text, NPM, NPM_LINE);
  if (name === "composer.json") return jsonFindings(file, text, COMPOSER, COMPOSER_LINE);
  if (name === "pyproject.toml") return pyprojectFindings(file, text);
  const lines = lineFindings(file, lineRulesFor(file.filename));
  const whole = wholeFileWhy(file.filename);
  // A whole-file finding points at its first added line, unless its lines already say more (a gyp command).
  if (whole && lines.length === 0) return [{ path: file.filename, line: firstAddedLine(file), what: `\`${name}\``, why: `${whole} It was added or changed.` }];
  return lines;
}

/** The files `install_scripts` inspects: manifests, and files that are (or name) install- or build-time code. */
export const INSTALL_TIME_FILES = [
  ...[...READ_WHOLE].map((n) => `**/${n}`),
  "**/setup.py",
  "**/{build,settings}.gradle{,.kts}",
  "**/*.init.gradle",
  "**/pom.xml",
  "**/{gradle,maven}-wrapper.{properties,jar}",
  "**/.mvn/extensions.xml",
  "**/Cargo.toml",
  "**/build.rs",
  "**/*.gemspec",
  "**/extconf.rb",
  "**/.yarnrc.yml",
  "**/.pnpmfile.{cjs,mjs}",
  "**/binding.gyp",
  "**/{hatch,pdm}_build.py",
];
const inspected = matcher(INSTALL_TIME_FILES);

/** The install-time findings of a PR: one per script, hook or file, and one per inspected file that could not be read. */
export function installScriptFindings(facts: PullFacts): Finding[] {
  const findings: Finding[] = [];
  for (const file of live(facts).filter((f) => inspected(f.filename))) {
    const found = fileFindings(file, facts);
    if (found.length === 0 && hasMissingPatch(file) && headText(facts, file.filename) === null && !wholeFileWhy(file.filename)) {
      findings.push({ path: file.filename, line: 1, what: `\`${file.filename}\` (no patch to inspect)`, why: "GitHub gave no patch for this file (binary or too large), so its install-time code could not be checked." });
    }
    findings.push(...found);
  }
  return findings;
}

/** `compliance.install_scripts`: a failure, or the group whose approval the findings need. */
export function installScriptsRule(policy: Policy, facts: PullFacts): Gated {
  const setting = policy.compliance.install_scripts;
  if (!setting) return NOT_GATED;
  return memoGated("compliance.install_scripts", facts, policy.compliance, () => gateFindings(setting, installScriptFindings(facts), {
    id: "compliance.install_scripts",
    label: "install-time code",
    pass: "No install-time scripts or build hooks added or changed.",
    found: "Install-time scripts added or changed",
    fix: "Remove the install-time script or build hook, or ask an admin for `/governance override <reason>` after reviewing what it runs.",
  }));
}

// ---------------------------------------------------------------------------
// compliance.dependencies

/** Manifests, lockfiles and registry settings of the common ecosystems, the default of `compliance.dependencies.paths`. */
export const DEPENDENCY_FILES = [
  "**/package.json",
  "**/package-lock.json",
  "**/npm-shrinkwrap.json",
  "**/yarn.lock",
  "**/pnpm-lock.yaml",
  "**/bun.lock",
  "**/bun.lockb",
  "**/go.mod",
  "**/go.sum",
  "**/Cargo.toml",
  "**/Cargo.lock",
  "**/requirements*.txt",
  "**/Pipfile",
  "**/Pipfile.lock",
  "**/pyproject.toml",
  "**/poetry.lock",
  "**/uv.lock",
  "**/Gemfile",
  "**/Gemfile.lock",
  "**/composer.json",
  "**/composer.lock",
  "**/pom.xml",
  "**/build.gradle",
  "**/build.gradle.kts",
  "**/gradle.lockfile",
  "**/*.csproj",
  "**/packages.lock.json",
  "**/Package.swift",
  "**/Package.resolved",
  "**/mix.exs",
  "**/mix.lock",
  "**/pubspec.yaml",
  "**/pubspec.lock",
  // Where packages come from: a registry redirect is a dependency change.
  "**/.npmrc",
  "**/.yarnrc",
  "**/.yarnrc.yml",
  "**/bunfig.toml",
  "**/pip.conf",
  "**/pip.ini",
  "**/uv.toml",
];

/** Dependency manifest or lockfile changes, as a group needing its own approvals (like a restricted path group). */
export function dependencyGroup(policy: Policy, facts: PullFacts): PathGroup | null {
  const d = policy.compliance.dependencies;
  if (!d) return null;
  const hits = filesMatching(facts.files, d.paths ?? DEPENDENCY_FILES);
  if (hits.length === 0) return null;
  return {
    rule: "compliance.dependencies",
    label: "dependency manifests and lockfiles",
    required: d.reviewers.required,
    set: d.reviewers,
    files: hits.map((f) => f.filename),
    names: hits.map(displayName),
  };
}
