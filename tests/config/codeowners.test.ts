import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compilePattern, ownerRule, parseCodeowners, ruleMatches, segmentMatches } from "../../src/config/codeowners.js";

/** GitHub's own example file (docs: "About code owners"), with the lines GitHub rejects added. */
const EXAMPLE = [
  "# Lines starting with '#' are comments.",
  "*       @global-owner1 @global-owner2",
  "*.js    @js-owner # This is an inline comment.",
  "*.go docs@example.com",
  "/build/logs/ @doctocat",
  "docs/*  docs@example.com",
  "apps/ @octocat",
  "/docs/ @doctocat",
  "**/logs @octocat",
  "/apps/ @octo-org/apps",
  "/apps/github",
  "!negated.txt @x",
  "lib/[ab].ts @y",
  "\\#hash @z",
  "src/ not-an-owner",
  "path\\ with\\ space/ @spacey",
  "a/**/b @ab",
].join("\n");

const owner = (path: string, text = EXAMPLE) => ownerRule(parseCodeowners(text), path)?.line ?? null;

describe("parseCodeowners", () => {
  it("reads users, teams and e-mails, and reports what GitHub rejects with its line", () => {
    const co = parseCodeowners(EXAMPLE);
    expect(co.rules.map((r) => [r.line, r.pattern, r.users, r.teams, r.emails])).toEqual([
      [2, "*", ["global-owner1", "global-owner2"], [], []],
      [3, "*.js", ["js-owner"], [], []],
      [4, "*.go", [], [], ["docs@example.com"]],
      [5, "/build/logs/", ["doctocat"], [], []],
      [6, "docs/*", [], [], ["docs@example.com"]],
      [7, "apps/", ["octocat"], [], []],
      [8, "/docs/", ["doctocat"], [], []],
      [9, "**/logs", ["octocat"], [], []],
      [10, "/apps/", [], ["octo-org/apps"], []],
      [11, "/apps/github", [], [], []],
      [16, "path\\ with\\ space/", ["spacey"], [], []],
      [17, "a/**/b", ["ab"], [], []],
    ]);
    expect(co.errors).toEqual([
      { line: 12, message: "`!negated.txt`: `!` (negation) is not supported in CODEOWNERS; GitHub skips this line" },
      { line: 13, message: "`lib/[ab].ts`: `[ ]` (character ranges) are not supported in CODEOWNERS; GitHub skips this line" },
      { line: 14, message: "`\\#hash`: escaping a leading `#` with `\\` does not work in CODEOWNERS; GitHub skips this line" },
      { line: 15, message: "`not-an-owner`: not an owner (`@user`, `@org/team` or an e-mail address); GitHub skips this line" },
    ]);
  });

  it.each([
    ["README.md", 2],
    ["src/deep/x.js", 3],
    ["build/logs/a/b.txt", 9], // `**/logs` comes later and matches too: the last match wins
    ["build/logs2/x", 2],
    ["docs/getting-started.md", 8],
    ["x/docs/a.md", 2],
    ["x/apps/y.ts", 7],
    ["apps/github/x.ts", 11],
    ["apps/other.ts", 10],
    ["deeply/nested/logs/f", 9],
    ["path with space/x", 16],
    ["a/b", 17],
    ["a/x/y/b", 17],
    ["a/b/c", 17],
    ["z/a/b", 2],
    ["lib/a.ts", 2],
  ])("%s is owned by line %s", (path, line) => {
    expect(owner(path)).toBe(line);
  });

  it("`docs/*` matches a folder's files, not deeper ones; a literal name matches the folder's contents too", () => {
    const rules = "docs/* @d\nlogs @l\n";
    expect(owner("docs/a.md", rules)).toBe(1);
    expect(owner("docs/b/c.md", rules)).toBeNull();
    expect(owner("logs", rules)).toBe(2);
    expect(owner("a/logs/b/c", rules)).toBe(2);
  });

  it("is case-sensitive, as GitHub is", () => {
    expect(owner("Docs/a.md", "/docs/ @d")).toBeNull();
    expect(owner("docs/a.md", "/docs/ @d")).toBe(1);
  });

  it("a trailing slash matches a folder's contents only, not a file of that name", () => {
    expect(owner("apps", "apps/ @a")).toBeNull();
    expect(owner("x/apps/y", "apps/ @a")).toBe(1);
  });

  it("a rule with no owners leaves the file unowned", () => {
    const co = parseCodeowners("* @a\n/vendor/\n");
    expect(ownerRule(co, "vendor/x.js")).toMatchObject({ line: 2, users: [], teams: [] });
  });

  it("handles CRLF, tabs and blank lines", () => {
    const co = parseCodeowners("\r\n*\t@a\t@b\r\n\r\n  # indented comment\r\n/x/ @c\r\n");
    expect(co.rules.map((r) => [r.line, r.users])).toEqual([
      [2, ["a", "b"]],
      [5, ["c"]],
    ]);
    expect(co.errors).toEqual([]);
  });

  it("refuses a file larger than GitHub loads", () => {
    expect(parseCodeowners(`* @a\n${"#".repeat(3 * 1024 * 1024)}`)).toEqual({ rules: [], errors: [{ line: 1, message: "the file is larger than 3 MB, and GitHub does not load it" }] });
  });

  it("compiles the pattern forms", () => {
    expect(compilePattern("*")).toEqual({ segments: ["**", "*"] });
    expect(compilePattern("/docs/")).toEqual({ segments: ["docs", "*", "**"] });
    expect(compilePattern("docs/*")).toEqual({ segments: ["docs", "*"] });
    expect(compilePattern("a/**")).toEqual({ segments: ["a", "*", "**"] });
    expect(compilePattern("logs")).toEqual({ segments: ["**", "logs", "**"] });
    expect(compilePattern("a//b")).toEqual({ error: "`a//b`: not a path pattern" });
  });

  it("matches segments with `*`, `?` and escapes", () => {
    expect(segmentMatches("*.ts", "a.ts")).toBe(true);
    expect(segmentMatches("a?c", "abc")).toBe(true);
    expect(segmentMatches("a?c", "ac")).toBe(false);
    expect(segmentMatches("\\*", "*")).toBe(true);
    expect(segmentMatches("\\*", "a")).toBe(false);
    expect(segmentMatches("**x", "aax")).toBe(true);
  });
});

describe("parseCodeowners, properties", () => {
  const line = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.string({ unit: "binary", maxLength: 60 }),
    fc
      .tuple(
        fc.array(fc.constantFrom("a", "b", "*", "**", "?", "\\", "#", "!", "[", "/", " ", ".", "x.js"), { maxLength: 8 }),
        fc.array(fc.constantFrom("@u", "@org/t", "a@b.co", "bad", "#c", "@"), { maxLength: 3 }),
      )
      .map(([p, o]) => `${p.join("")} ${o.join(" ")}`),
  );
  const path = fc.array(fc.constantFrom("a", "b", "x.js", "logs", "docs", "*", "?"), { minLength: 1, maxLength: 6 }).map((s) => s.join("/"));

  it("never throws, and every rule or error names a line of the file", () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), path, (lines, p) => {
        const text = lines.join("\n");
        const co = parseCodeowners(text);
        const count = text.split(/\r?\n|\r/).length;
        for (const x of [...co.rules, ...co.errors]) expect(x.line).toBeGreaterThanOrEqual(1), expect(x.line).toBeLessThanOrEqual(count);
        ownerRule(co, p);
      }),
    );
  });

  it("the last matching rule wins: appending a rule that matches a path makes it the path's owner", () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 10 }), path, (lines, p) => {
        const co = parseCodeowners([...lines, `/${p.replace(/[*?\\[\]!# ]/g, "_")} @last`].join("\n"));
        const target = p.replace(/[*?\\[\]!# ]/g, "_");
        expect(ownerRule(co, target)?.users).toEqual(["last"]);
      }),
    );
  });

  it("appending a rule that does not match a path leaves its owner unchanged", () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 10 }), path, (lines, p) => {
        const before = ownerRule(parseCodeowners(lines.join("\n")), p);
        const after = ownerRule(parseCodeowners([...lines, "/never-a-real-folder/ @other"].join("\n")), p);
        expect(after?.line ?? null).toBe(before?.line ?? null);
      }),
    );
  });

  it("`*` in a segment never crosses `/`, and matching stays quick on long paths", () => {
    expect(ruleMatches(["a*b"], "axx/b")).toBe(false);
    const long = `${"a/".repeat(2000)}b`;
    expect(ruleMatches((compilePattern("**/**/**/**/*a*a*a*a*a*c") as { segments: string[] }).segments, long)).toBe(false);
  });
});
