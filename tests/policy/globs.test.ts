import fc from "fast-check";
import { minimatch } from "minimatch";
import { describe, expect, it } from "vitest";
import { displayName, filesMatching, filesMatchingEach, globProblem, matcher, regexProblem } from "../../src/policy/globs.js";
import { file } from "./build.js";

describe("globProblem", () => {
  it.each(["src/**", "**/*.sql", ".github/workflows/**", "migrations/{up,down}/*.sql", "**/AGENTS.md", "{1..9}/x"])("accepts %s", (g) => {
    expect(globProblem(g)).toBeNull();
  });
  it.each([
    ["!src/**", "negated globs"],
    ["/src/**", "drop the leading `/`"],
    ["{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}", "braces expand to more than 32 patterns"],
    ["{1..100000}", "braces expand to more than 32 patterns"],
    ["**/a/**/b/**/c/**/d/**/e", "too many `**` segments (5; at most 4)"],
  ])("refuses %s", (g, why) => {
    expect(globProblem(g)).toContain(why);
  });
  it("never throws", () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (g) => {
      const p = globProblem(g);
      expect(p === null || typeof p === "string").toBe(true);
    }));
  });
});

describe("regexProblem", () => {
  it.each(["^(feat|fix|chore)(\\(.+\\))?: .+", "^\\[[A-Z]+-\\d+\\] ", "^[a-z]+: .{1,72}$", "(?:a|b)?c+", "[(]+", "^\\w+\\s?\\w+\\s?\\w+\\s?\\w+\\s?\\w+:"])("accepts %s", (re) => {
    expect(regexProblem(re)).toBeNull();
  });
  it.each([
    ["(a+)+$", "repeated group"],
    ["^(\\w+\\s?)*$", "repeated group"],
    ["(a|aa)*b", "repeated group"],
    ["((ab)*c)+", "repeated group"],
    ["(x{2,})+", "repeated group"],
    ["(.*){3,}", "repeated group"],
    ["(a)\\1", "backreferences"],
    ["(", "not a valid regular expression"],
    ["a".repeat(201), "longer than 200"],
    ["^(?!wip)", "the linear-time matcher does not accept it"],
    ["(?<=x)y", "the linear-time matcher does not accept it"],
    ["[a-z]{0,999}[0-9]{0,999}", "matcher instructions (at most 1000)"],
  ])("refuses %s", (re, why) => {
    expect(regexProblem(re)).toContain(why);
  });
  it("never throws", () => {
    fc.assert(fc.property(fc.string({ maxLength: 250 }), (re) => {
      const p = regexProblem(re);
      expect(p === null || typeof p === "string").toBe(true);
    }));
  });
});

describe("filesMatching", () => {
  it("matches a renamed file by its old and its new name, dotfiles included", () => {
    const moved = file("docs/ci.yml", { status: "renamed", previous_filename: ".github/workflows/ci.yml" });
    expect(filesMatching([moved, file("src/a.ts")], [".github/workflows/**"])).toEqual([moved]);
    expect(filesMatching([file(".env")], ["*"])).toHaveLength(1);
    expect(displayName(moved)).toBe(".github/workflows/ci.yml → docs/ci.yml");
  });
});

describe("matcher's literal shortcuts never change minimatch's answer (property)", () => {
  const seg = fc.constantFrom("src", "a", "b", ".github", "AGENTS.md", "x.sql", "y.ts", "test", "lib");
  const globSeg = fc.constantFrom("src", "a", "*", "**", "*.sql", "*.ts", "{a,b}", "AGENTS.md", ".github", "?", "[ab]", "x.*", "*.{sql,ts}");
  const path = fc.array(seg, { minLength: 1, maxLength: 5 }).map((s) => s.join("/"));
  const glob = fc.array(globSeg, { minLength: 1, maxLength: 4 }).map((s) => s.join("/"));
  const opts = { dot: true, nocomment: true, nonegate: true };
  it("matcher", () => {
    fc.assert(
      fc.property(fc.array(glob, { minLength: 1, maxLength: 4 }), fc.array(path, { maxLength: 8 }), (globs, paths) => {
        const m = matcher(globs);
        for (const p of paths) expect(m(p)).toBe(globs.some((g) => minimatch(p, g, opts)));
      }),
      { numRuns: 500 },
    );
  });
  it("filesMatchingEach equals one filesMatching per list", () => {
    fc.assert(
      fc.property(fc.array(fc.array(glob, { minLength: 1, maxLength: 3 }), { maxLength: 5 }), fc.array(path, { maxLength: 10 }), (lists, paths) => {
        const files = paths.map((p) => file(p));
        expect(filesMatchingEach(files, lists)).toEqual(lists.map((l) => filesMatching(files, l)));
      }),
      { numRuns: 300 },
    );
  });
});
