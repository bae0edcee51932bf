/**
 * Policy files as bad input: YAML built from its awkward features (anchors,
 * aliases, merge keys, tags, directives, BOMs, tabs, NULs), alias bombs of any
 * size, glob lists at every place the schema takes globs, and arbitrary values
 * put anywhere in a complete policy. `parsePolicy` never throws; the glob limits
 * (count, length, brace expansion, `**` segments) hold for every policy it
 * accepts; a problem is placed at the key that was broken.
 */
import fc from "fast-check";
import { braceExpand } from "minimatch";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { parsePolicy, pathToString, type ParseResult } from "../../src/config/load.js";
import { PolicySchema, type Policy } from "../../src/config/schema.js";
import { globProblem, MAX_BRACE_EXPANSION, MAX_GLOBSTARS } from "../../src/policy/globs.js";

const MAX_GLOBS = 200;
const MAX_GLOB_LENGTH = 300;

/** `parsePolicy` returned normally, with a valid policy or problems placed inside the file. */
function wellFormed(text: string, result: ParseResult): void {
  if (result.ok) {
    // Parsing is idempotent: `overrides` are applied by parsing a parsed policy merged with an entry.
    expect(PolicySchema.parse(result.policy)).toEqual(result.policy);
    return;
  }
  const lines = text.split(/\r\n|\r|\n/).length;
  expect(result.problems.length).toBeGreaterThan(0);
  for (const p of result.problems) {
    expect(p.message.length).toBeGreaterThan(0);
    expect(p.line).toBeGreaterThanOrEqual(1);
    expect(p.line).toBeLessThanOrEqual(lines + 1);
    expect(p.col).toBeGreaterThanOrEqual(1);
  }
}

/** Every glob list in a parsed policy, overrides included. */
function allGlobLists(p: Policy): string[][] {
  const sections = [p, ...p.overrides] as Partial<Policy>[];
  return sections.flatMap((s) => [
    s.paths?.forbidden ?? [],
    ...(s.paths?.restricted ?? []).map((g) => g.paths),
    ...(s.compliance?.tests_with_code ? [s.compliance.tests_with_code.code, s.compliance.tests_with_code.tests] : []),
    ...(s.compliance?.dependencies ? [s.compliance.dependencies.paths ?? []] : []),
    s.agents?.also?.branches ?? [],
  ]);
}

/** The limits, checked independently of the code that enforces them. */
function withinLimits(glob: string): boolean {
  return (
    glob.length >= 1 &&
    glob.length <= MAX_GLOB_LENGTH &&
    !glob.startsWith("!") &&
    !glob.startsWith("/") &&
    glob.split("/").filter((s) => s === "**").length <= MAX_GLOBSTARS &&
    braceExpand(glob, { braceExpandMax: 10_000 }).length <= MAX_BRACE_EXPANSION
  );
}

const FRAGMENTS = [
  "mode: enforce\n", "mode: report\n", "paths:\n", "  forbidden:\n", "    - ", '"src/**"\n', "'**/*.sql'\n", "reviewers:\n", "  required: ",
  "99999999999999999999", "-1", "1e400", ".nan", ".inf", "0x1F", "0o17", "~", "null", "true", "y", "no", "\n", "  ", "\t", "\r\n", "\r",
  "&a ", "&b ", "*a", "*b", "*zz", "<<: *a\n", "<<: [*a, *b]\n", "!!binary ", "!!str ", "!!int ", "!!map\n", "!!set\n", "!!omap\n",
  "!custom ", "!<tag:yaml.org,2002:js/function> ", "? ", ": ", "- ", "---\n", "...\n", "%YAML 1.1\n", "%YAML 9.9\n", "%TAG ! tag:x,2024:\n",
  "{", "}", "[", "]", ", ", "'", '"', "\\", "#", "|\n", ">-\n", "|+2\n", "\uFEFF", "\u0000", "\u0085", "\u2028", "\uD800", "🙂",
  "overrides:\n  - agents: [", "copilot", "]\n", "_extends: ", "__proto__: ", "constructor: ", "compliance:\n  title_pattern: ", "(a+)+$",
  "{1..100000}", "{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}", "**/**/**/**/**/x", "escalation:\n  tiers:\n    - after: ", "4h", "notify: [org/team]\n",
];

const yamlSoup = fc
  .array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...FRAGMENTS) }, { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 8 }) }), { maxLength: 60 })
  .map((parts) => parts.join(""));

/** Globs from the characters and constructs that make globs expensive or invalid. */
const globText = fc.oneof(
  { weight: 8, arbitrary: fc
    .array(
      fc.constantFrom("src", "a", "x.ts", "/", "*", "**", "**/", "?", ".", "-", "{", "}", ",", "{a,b}", "{1..9}", "{1..100000}", "{a,{b,{c,d}}}", "[a-z]", "[!a]", "!", "\\", "(", ")", "+(x)", "@(a|b)", "é", " "),
      { minLength: 0, maxLength: 16 },
    )
    .map((parts) => parts.join("")) },
  { weight: 1, arbitrary: fc.constantFrom("a".repeat(MAX_GLOB_LENGTH), "a".repeat(MAX_GLOB_LENGTH + 1), "{a,b}".repeat(6), "**/".repeat(5) + "x", `src/${"{a,b}".repeat(5)}`) },
);

/** Where the schema takes a list of globs, and the fewest it accepts there. */
const GLOB_PLACES: { at: string; min: number; wrap: (globs: string[]) => Record<string, unknown> }[] = [
  { at: "paths.forbidden", min: 0, wrap: (g) => ({ paths: { forbidden: g } }) },
  { at: "paths.restricted[0].paths", min: 1, wrap: (g) => ({ paths: { restricted: [{ paths: g, reviewers: { teams: ["acme/dba"] } }] } }) },
  { at: "compliance.tests_with_code.code", min: 1, wrap: (g) => ({ compliance: { tests_with_code: { code: g, tests: ["tests/**"] } } }) },
  { at: "compliance.dependencies.paths", min: 0, wrap: (g) => ({ compliance: { dependencies: { paths: g, reviewers: { teams: ["acme/deps"] } } } }) },
  { at: "agents.also.branches", min: 0, wrap: (g) => ({ agents: { also: { branches: g } } }) },
  { at: "overrides[0].paths.forbidden", min: 0, wrap: (g) => ({ overrides: [{ agents: ["copilot"], paths: { forbidden: g } }] }) },
];

/** A policy that sets every section, valid as it stands. */
const FULL: Record<string, unknown> = {
  mode: "enforce",
  agents: { also: { logins: ["acme-bot[bot]"], branches: ["ai/**"], labels: ["ai"], trailers: ["bot@acme.dev"] }, ignore: ["dependabot"], min_strength: "declared" },
  reviewers: { required: 1, from: { teams: ["acme/maintainers"], users: ["alice"], min_permission: "write" }, stale_on_push: true },
  paths: {
    forbidden: [".github/workflows/**"],
    restricted: [{ name: "db", paths: ["migrations/**", "**/*.sql"], reviewers: { teams: ["acme/dba"], required: 1 } }],
    limits: { max_files: 50, max_changed_lines: 1500 },
    protect_agent_files: true,
  },
  compliance: {
    linked_issue: true,
    tests_with_code: { code: ["src/**"], tests: ["tests/**"] },
    signed_commits: true,
    dco: false,
    required_checks: ["ci", { name: "lint", app: "github-actions" }],
    title_pattern: "^(feat|fix): .+",
    body: { min_length: 20, sections: ["Testing"] },
    no_secrets: true,
    dependencies: { reviewers: { teams: ["acme/deps"] } },
    install_scripts: true,
    ai_disclosure: "required",
  },
  escalation: { check_name: "Agent Governance", tiers: [{ after: "0h", notify: ["acme/maintainers"] }, { after: "24h", notify: ["acme/leads"], label: "escalated" }] },
  commands: { override: { min_permission: "admin", reason_required: true } },
  overrides: [{ agents: ["dependabot"], reviewers: { required: 0 } }],
};

type Key = string | number;
function pathsOf(value: unknown, prefix: Key[] = []): Key[][] {
  if (value === null || typeof value !== "object") return [];
  const entries: [Key, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([k, v]) => [[...prefix, k], ...pathsOf(v, [...prefix, k])]);
}

function setAt(root: Record<string, unknown>, path: Key[], value: unknown): Record<string, unknown> {
  const out = structuredClone(root);
  let node = out as Record<Key, unknown>;
  for (const k of path.slice(0, -1)) node = node[k] as Record<Key, unknown>;
  node[path.at(-1)!] = value;
  return out;
}

/** `inner` is `outer` or lies under it, as dotted key paths (`a.b[0]` is under `a.b` and `a`). */
const under = (inner: string, outer: string) => outer === "" || inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);

describe("parsePolicy on bad input (property)", () => {
  it("never throws on YAML built from anchors, aliases, merge keys, tags, directives and odd characters", () => {
    fc.assert(
      fc.property(yamlSoup, (text) => {
        wellFormed(text, parsePolicy(text));
      }),
      { numRuns: 400 },
    );
  });

  it("refuses alias bombs of any depth and width without expanding them", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.constantFrom("paths:\n  forbidden: ", "x: "), (depth, width, at) => {
        const lines = [`a0: &a0 [${Array(width).fill('"src/**"').join(", ")}]`];
        for (let i = 1; i < depth; i++) lines.push(`a${i}: &a${i} [${Array(width).fill(`*a${i - 1}`).join(", ")}]`);
        const text = `${lines.join("\n")}\n${at}*a${depth - 1}\n`;
        const result = parsePolicy(text);
        wellFormed(text, result);
        expect(result.ok).toBe(false);
        // Only a small expansion gets as far as the schema (which refuses the anchors' keys).
        if (width ** depth > 10_000 && !result.ok) expect(result.problems[0]!.message).toMatch(/alias/i);
      }),
      { numRuns: 60 },
    );
  });

  it("accepts a glob list exactly when every glob is within the limits, wherever globs are taken", () => {
    const lists = fc.oneof(
      { weight: 6, arbitrary: fc.array(globText, { maxLength: 6 }) },
      { weight: 1, arbitrary: fc.array(fc.constantFrom("src/**", "a/*.ts", "{a,b}/x"), { minLength: MAX_GLOBS - 2, maxLength: MAX_GLOBS + 2 }) },
    );
    fc.assert(
      fc.property(fc.constantFrom(...GLOB_PLACES), lists, (place, globs) => {
        const text = stringify(place.wrap(globs));
        const result = parsePolicy(text);
        wellFormed(text, result);
        const expected = globs.length >= place.min && globs.length <= MAX_GLOBS && globs.every((g) => globProblem(g) === null && g.length >= 1 && g.length <= MAX_GLOB_LENGTH);
        expect(result.ok, `${place.at}: ${JSON.stringify(globs).slice(0, 300)}`).toBe(expected);
        if (result.ok) {
          for (const list of allGlobLists(result.policy)) {
            expect(list.length).toBeLessThanOrEqual(MAX_GLOBS);
            for (const g of list) expect(withinLimits(g), g).toBe(true);
          }
        } else {
          for (const p of result.problems) expect(under(p.path, place.at) || under(place.at, p.path), `${p.path}: ${p.message}`).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("places the problem with a value of any type at the key it was written under", () => {
    const paths = pathsOf(FULL);
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.string({ unit: "binary", maxLength: 30 }),
      fc.constantFrom("(a+)+$", "{1..100000}", "x".repeat(400), "__proto__", -1, 1e308, 0.5, [], {}, null),
      fc.dictionary(fc.constantFrom("paths", "required", "teams", "users", "agents", "__proto__", "constructor", "zzz"), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...paths), value, (path, v) => {
        const text = stringify(setAt(FULL, path, v));
        const result = parsePolicy(text);
        wellFormed(text, result);
        if (result.ok) {
          for (const list of allGlobLists(result.policy)) for (const g of list) expect(withinLimits(g), g).toBe(true);
          return;
        }
        const at = pathToString(path);
        for (const p of result.problems) expect(under(p.path, at) || under(at, p.path), `${at} → ${p.path}: ${p.message}`).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});
