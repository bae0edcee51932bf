/**
 * Policy regular expressions run in linear time (RE2JS): what they match, what
 * the matcher refuses, and inputs that make V8's backtracking engine hang.
 * No timings: on a backtracking engine these cases run for seconds to hours,
 * so vitest's test timeout is the signal.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { regexProblem } from "../../src/policy/globs.js";
import { MAX_PATTERN_PROGRAM, patternMatches, patternProblem } from "../../src/policy/pattern.js";

/** The pattern from the report: valid for the old guard, ~30 s on a 200-character title. */
const ATTACK = String.raw`^\w+\s?\w+\s?\w+\s?\w+\s?\w+:`;

describe("patternMatches", () => {
  it.each([
    ["^(feat|fix|chore)(\\(.+\\))?: ", "fix(parser): handle tabs", true],
    ["^(feat|fix|chore)(\\(.+\\))?: ", "Fix the parser", false],
    ["^\\[[A-Z]+-\\d+\\] ", "[OPS-12] Rotate keys", true],
    ["^[a-z]+: .{1,72}$", "docs: a short line", true],
    ["^[a-z]+: .{1,72}$", `docs: ${"x".repeat(73)}`, false],
    ["\\u00e9t\\u00e9$", "summer été", true],
    ["^(?<type>feat|fix)\\/", "feat/x", true],
    ["JIRA-\\d+", "see JIRA-9", true],
  ])("%s on %s → %s", (pattern, title, expected) => {
    expect(patternProblem(pattern)).toBeNull();
    expect(patternMatches(pattern, title)).toBe(expected);
  });

  it.each([
    ["the reported pattern on a 200-character word", ATTACK, "a".repeat(200), false],
    ["the reported pattern on 1,000 characters", ATTACK, "a".repeat(1000), false],
    ["the reported pattern where it does match", ATTACK, `${"a".repeat(199)} b:`, true],
    ["nested repetition", "^(a+)+$", `${"a".repeat(1000)}!`, false],
    ["alternation under a star", "^(a|aa)*b$", "a".repeat(1000), false],
    ["a greedy run before a missing literal, from every start", "(\\w+\\s?)*:", "ab ".repeat(333), false],
  ])("answers at once on a backtracking engine's worst case: %s", (_what, pattern, title, expected) => {
    expect(patternMatches(pattern, title)).toBe(expected);
  });

  it("agrees with JavaScript's RegExp on the common syntax and ASCII titles", () => {
    const piece = fc.constantFrom("a", "b", "f", "x", "1", ":", " ", "-", "\\(", "\\)", ".", "\\d", "\\w", "[a-f]", "[^ ]", "(feat|fix)", "(a|b)");
    const quantifier = fc.constantFrom("", "", "?", "*", "+", "{1,3}", "{2}");
    const pattern = fc
      .tuple(fc.boolean(), fc.array(fc.tuple(piece, quantifier).map(([p, q]) => p + q), { minLength: 1, maxLength: 8 }), fc.boolean())
      .map(([start, parts, end]) => `${start ? "^" : ""}${parts.join("")}${end ? "$" : ""}`);
    const title = fc.array(fc.constantFrom("a", "b", "f", "e", "i", "x", "t", "1", "2", ":", " ", "-", "(", ")", "."), { maxLength: 30 }).map((cs) => cs.join(""));
    fc.assert(
      fc.property(pattern, title, (p, t) => {
        expect(patternMatches(p, t)).toBe(new RegExp(p).test(t));
      }),
      { numRuns: 500 },
    );
  });

  it("never throws, and a refused pattern matches nothing", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.string({ maxLength: 200 }), (p, t) => {
        const matched = patternMatches(p, t);
        if (patternProblem(p) !== null) expect(matched).toBe(false);
      }),
    );
  });

  it("finishes on chains of greedy pieces, against a long title that defeats them", () => {
    // Chains of greedy pieces with optional separators and no closing literal in the title: polynomial or
    // exponential backtracking in V8 as the chain grows.
    const link = fc.constantFrom("\\w+", "\\w*", ".+", "[a-z]+", "(a|aa)+", "(\\w+\\s?)+");
    const sep = fc.constantFrom("", "\\s?", " ?", "-?");
    const pattern = fc.array(fc.tuple(link, sep).map(([l, s]) => l + s), { minLength: 3, maxLength: 8 }).map((parts) => `^${parts.join("")}:`);
    fc.assert(
      fc.property(pattern, (p) => {
        expect(patternProblem(p)).toBeNull();
        expect(patternMatches(p, "a".repeat(1000))).toBe(false);
      }),
      { numRuns: 50 },
    );
  });
});

describe("patternProblem", () => {
  it.each([
    ["lookahead", "^(?=feat)", "it has no lookahead, lookbehind or backreferences"],
    ["negative lookahead", "^(?!wip)", "invalid or unsupported Perl syntax: `(?!`"],
    ["lookbehind", "(?<=feat)x", "the linear-time matcher does not accept it"],
    ["a repeat count over 1000", "a{1001}", "invalid repeat count"],
    ["nested counts over the matcher's limit", "(a{100}){100}", "invalid repeat count"],
    ["a compiled size over the limit", ".{0,300}.{0,300}", `(at most ${MAX_PATTERN_PROGRAM})`],
  ])("refuses %s", (_what, pattern, why) => {
    expect(patternProblem(pattern)).toContain(why);
  });

  it("accepts the attack pattern: it is harmless under a linear-time matcher", () => {
    expect(patternProblem(ATTACK)).toBeNull();
    expect(regexProblem(ATTACK)).toBeNull();
  });
});
