import fc from "fast-check";
import { braceExpand, minimatch } from "minimatch";
import { describe, expect, it } from "vitest";
import { displayName, filesMatching, filesMatchingEach, globProblem, matcher, pathForms, pathMatcher, regexProblem } from "../../src/policy/globs.js";
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

describe("path lists: one rule (pathForms)", () => {
  it.each([
    // X/** matches X itself: a symlink (or file) named X stands for everything beneath it.
    [".claude/**", ".claude", true],
    [".github/instructions/**", ".github/instructions", true],
    ["migrations/**", "migrations", true],
    ["{infra,ops}/prod/**", "ops/prod", true],
    ["**/migrations/**", "db/migrations", true],
    ["lib[0-9]/gen/**", "lib2/gen", true],
    ["a/**/**", "a", true],
    // And every folder a glob names literally.
    [".github/workflows/**", ".github", true],
    [".github/workflows/**", ".github/workflows", true],
    [".github/copilot-instructions.md", ".github", true],
    ["services/*/migrations/**", "services", true],
    // Case is ignored, in the glob and in the path.
    ["infra/prod/**", "Infra/Prod/main.tf", true],
    ["INFRA/**", "infra", true],
    ["**/*.SQL", "db/x.sql", true],
    ["CLAUDE.md", "claude.MD", true],
    // Still not: a sibling, a longer name, a folder below a wildcard, a file directly under a prefix.
    [".claude/**", ".claude-notes", false],
    [".claude/**", ".claudex/settings.json", false],
    ["services/*/migrations/**", "services/api", false],
    ["**/*.sql", "db", false],
    ["src/*.ts", "src.ts", false],
    ["docs/*.md", "docs/sub", false],
  ])("%s matches %s: %s", (glob, path, expected) => {
    expect(pathMatcher([glob])(path)).toBe(expected);
    expect(filesMatching([file(path)], [glob]).length === 1).toBe(expected);
    expect(filesMatchingEach([file(path)], [["nothing/**"], [glob]])[1]!.length === 1).toBe(expected);
  });

  it("gives the extra forms in lower case", () => {
    expect(pathForms(".Claude/**")).toEqual({ globs: [".claude/**"], paths: [".claude"] });
    expect(pathForms(".github/workflows/**")).toEqual({ globs: [".github/workflows/**"], paths: [".github", ".github/workflows"] });
    expect(pathForms("**/migrations/**")).toEqual({ globs: ["**/migrations/**", "**/migrations"], paths: [] });
    expect(pathForms("{a,b/c}/**")).toEqual({ globs: ["{a,b/c}/**"], paths: ["a", "b", "b/c"] });
    expect(pathForms("**/*.sql")).toEqual({ globs: ["**/*.sql"], paths: [] });
  });

  it("a renamed file matches by either name, a symlink or in another case", () => {
    const moved = file("notes", { status: "renamed", previous_filename: ".Claude" });
    expect(filesMatching([moved], [".claude/**"])).toEqual([moved]);
  });

  it("branch-name globs (matcher) keep case and do not match the bare prefix", () => {
    expect(matcher(["ai/**"])("ai")).toBe(false);
    expect(matcher(["ai/**"])("AI/x")).toBe(false);
    expect(matcher(["ai/**"])("ai/x")).toBe(true);
  });
});

describe("path lists (properties)", () => {
  const seg = fc.constantFrom("src", "a", "B", ".github", ".Claude", "instructions", "Workflows", "AGENTS.md", "x.SQL", "y.ts", "lib", "Migrations");
  const literal = fc.constantFrom("src", "a", "b", ".github", ".claude", "instructions", "workflows", "migrations", "Lib");
  const globSeg = fc.constantFrom("src", "a", "*", "**", "*.sql", "*.TS", "{a,b}", "AGENTS.md", ".github", "?", "[ab]", "x.*", "*.{sql,ts}", "Migrations");
  const path = fc.array(seg, { minLength: 1, maxLength: 5 }).map((s) => s.join("/"));
  const glob = fc.array(globSeg, { minLength: 1, maxLength: 4 }).map((s) => s.join("/"));
  const opts = { dot: true, nocomment: true, nonegate: true, nocase: true };
  const MAGIC = /[*?[\]{}()!+@\\]/;
  const flipCase = (s: string, bits: number[]) => [...s].map((c, i) => ((bits[i % bits.length] ?? 0) ? c.toUpperCase() : c.toLowerCase())).join("");

  /** The rule written out plainly, without the index: minimatch ignoring case, the literal folders, `X/**` as `X`. */
  const reference = (g: string, p: string) =>
    braceExpand(g.toLowerCase()).some((alt) => {
      const low = p.toLowerCase();
      if (minimatch(low, alt, opts)) return true;
      const segs = alt.split("/");
      const lead = segs.findIndex((s) => MAGIC.test(s));
      const folders = segs.slice(0, lead < 0 ? segs.length - 1 : Math.min(lead, segs.length - 1));
      if (folders.some((_, i) => folders.slice(0, i + 1).join("/") === low)) return true;
      const bare = alt.replace(/(\/\*\*)+$/, "");
      return bare !== alt && bare !== "" && bare !== "**" && minimatch(low, bare, opts);
    });

  it("the index and shortcuts never change the rule's answer", () => {
    fc.assert(
      fc.property(fc.array(glob, { minLength: 1, maxLength: 4 }), fc.array(path, { maxLength: 8 }), (globs, paths) => {
        const m = pathMatcher(globs);
        for (const p of paths) expect(m(p)).toBe(globs.some((g) => reference(g, p)));
      }),
      { numRuns: 500 },
    );
  });

  it("matches whatever minimatch matches, ignoring case, and more only for folders", () => {
    fc.assert(
      fc.property(glob, path, (g, p) => {
        const hit = pathMatcher([g])(p);
        if (minimatch(p, g, opts)) expect(hit).toBe(true);
        // An extra match is a folder: something inside it matches the glob.
        if (hit && !minimatch(p, g, opts)) {
          // The path is a folder the glob names literally, or what the glob matches without a trailing `/**`.
          const inside = braceExpand(g.toLowerCase()).some((alt) => {
            const segs = alt.split("/");
            const ps = p.toLowerCase().split("/");
            const namedFolder = ps.length < segs.length && ps.every((seg, i) => segs[i] === seg);
            let bare = alt;
            while (bare.endsWith("/**")) bare = bare.slice(0, -3);
            return namedFolder || (bare !== alt && minimatch(p.toLowerCase(), bare, opts));
          });
          expect(inside).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("ignores case in the glob and the path", () => {
    fc.assert(
      fc.property(glob, path, fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 1, maxLength: 7 }), (g, p, bits) => {
        const hit = pathMatcher([g])(p);
        expect(pathMatcher([g])(flipCase(p, bits))).toBe(hit);
        expect(pathMatcher([flipCase(g, bits)])(p)).toBe(hit);
      }),
      { numRuns: 300 },
    );
  });

  it("a symlink (any file) in place of a folder a glob names literally matches it", () => {
    fc.assert(
      fc.property(fc.array(literal, { minLength: 1, maxLength: 3 }), fc.array(globSeg, { minLength: 1, maxLength: 2 }), (folders, tail) => {
        const g = [...folders, ...tail].join("/");
        for (let i = 1; i <= folders.length; i++) expect(pathMatcher([g])(folders.slice(0, i).join("/"))).toBe(true);
        expect(pathMatcher([`${folders.join("/")}/**`])(folders.join("/").toUpperCase())).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
