import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { complianceRules } from "../../src/policy/compliance.js";
import { linkedIssueNumber, issueToVerify, pullRepo } from "../../src/policy/linked-issue.js";
import { neededLookups } from "../../src/policy/lookups.js";
import type { LinkedIssueFacts, PullFacts } from "../../src/types.js";
import { copilot, facts, human, policy } from "./build.js";

const REPO = "acme/api";
const pr = (body: string | null, linked?: Record<string, LinkedIssueFacts | null>, title = "Fix the parser"): PullFacts =>
  facts({ pull: { body, title, base: { ref: "main", repo: { full_name: "Acme/API" } } }, ...(linked ? { linked_issues: linked } : {}) });
const verified = policy({ compliance: { linked_issue: "verified" } });
const rule = (f: PullFacts) => complianceRules(verified, f)[0]!;
const open = (n: number): LinkedIssueFacts => ({ number: n, state: "open", html_url: `https://github.com/acme/api/issues/${n}` });

describe("linkedIssueNumber", () => {
  it.each([
    ["Fixes #12", 12],
    ["fixed: #12", 12],
    ["This PR resolves #7 and closes #8", 7],
    ["Closes acme/api#3", 3],
    ["Closes Acme/API#3", 3],
    ["Closes acme/other#3", null],
    ["Closes acme/other#3, fixes #4", 4],
    ["See https://github.com/acme/api/issues/44", 44],
    ["Resolves https://github.com/acme/api/issues/44#issuecomment-1", 44],
    ["https://github.com/acme/other/issues/44", null],
    ["https://github.com/acme/api/pull/44", null],
    ["This is attempt #2 at the parser", null],
    ["See #7 for context", null],
    ["Refs #7", 7],
    ["Part of #13049", 13049],
    ["Related to GitHub issue #4607", 4607],
    ["It addresses issue #220 by adding checks", 220],
    ["Issue #195: compile only on Windows", 195],
    ["Implements #1384", 1384],
    ["Replaces PR #1088 with a broader scope", null],
    ["Fixes the bug from #809", null],
    ["prefixes #12", null],
    ["Fixes#12", null],
    ["", null],
  ])("%j → %j", (text, n) => {
    expect(linkedIssueNumber(text, REPO)).toBe(n);
  });

  it("without a known repository, only `#12` counts", () => {
    expect(linkedIssueNumber("Closes acme/api#3, fixes #4", null)).toBe(4);
  });

  it("finds the repository from the base, else the PR's URL", () => {
    expect(pullRepo(pr("x").pull)).toBe("acme/api");
    expect(pullRepo({ ...pr("x").pull, base: { ref: "main" }, html_url: "https://github.com/Acme/Web/pull/9" })).toBe("acme/web");
    expect(pullRepo({ ...pr("x").pull, base: { ref: "main" } })).toBeNull();
  });

  it("is linear on long adversarial texts", () => {
    for (const text of ["fixes ".repeat(20000), `fixes ${"a.".repeat(30000)}`, "https://x/".repeat(10000), `closes ${"a/".repeat(30000)}#1`]) {
      const start = performance.now();
      linkedIssueNumber(text, REPO);
      expect(performance.now() - start).toBeLessThan(500);
    }
  });

  it("property: prose with one `Fixes #N` gives N; prose with bare `#N` alone gives null", () => {
    const word = fc.constantFrom("the", "parser", "#2", "step", "see", "#13", "bug", "PR", "(#4)", "fix-up", "closes-x", "prefix");
    fc.assert(
      fc.property(fc.array(word, { maxLength: 20 }), fc.array(word, { maxLength: 20 }), fc.integer({ min: 1, max: 99999 }), fc.constantFrom("Fixes", "closes", "Resolved:", "Refs", "part of", "Issue"), (before, after, n, kw) => {
        expect(linkedIssueNumber(before.join(" "), REPO)).toBeNull();
        expect(linkedIssueNumber([...before, kw, `#${n}`, ...after].join(" "), REPO)).toBe(n);
      }),
    );
  });
});

describe("compliance.linked_issue: verified", () => {
  it.each([
    ["an open issue", "Fixes #12", { "12": open(12) }, "pass", "Links open issue #12."],
    ["a closed issue", "Fixes #12", { "12": { ...open(12), state: "closed" } }, "fail", "The linked issue does not count: #12 is closed."],
    ["a pull request", "Fixes #12", { "12": { ...open(12), pull_request: {} } }, "fail", "The linked issue does not count: #12 is a pull request, not an issue."],
    ["no such issue", "Fixes #12", { "12": null }, "fail", "The linked issue does not count: #12 does not exist in this repository."],
    [
      "an issue moved away",
      "Fixes #12",
      { "12": { ...open(12), html_url: "https://github.com/acme/other/issues/3" } },
      "fail",
      "The linked issue does not count: #12 was moved to another repository (https://github.com/acme/other/issues/3).",
    ],
    [
      "not read (hand-written facts)",
      "Fixes #12",
      undefined,
      "pending",
      "Links #12; that it is an open issue of this repository is checked when the app evaluates the PR (these facts carry no `linked_issues`).",
    ],
    [
      "`#2` in prose",
      "This is attempt #2 at the parser.",
      undefined,
      "fail",
      "The PR links no issue of this repository with a linking word (`Fixes #123`, `Refs #123`) or the issue's URL. It mentions `#2`, which does not count: links are verified, so only a reference after a linking word (`Fixes`, `Refs`, `Part of`, …) or an issue URL of this repository does.",
    ],
    ["a reference only in a template comment", "<!-- Fixes #12 -->\nImproves it", undefined, "fail", "The PR links no issue of this repository with a linking word (`Fixes #123`, `Refs #123`) or the issue's URL."],
  ] as const)("%s → %s", (_what, body, linked, status, message) => {
    const r = rule(pr(body, linked as Record<string, LinkedIssueFacts | null> | undefined));
    expect([r.status, r.message]).toEqual([status, message]);
  });

  it("`true` still takes any reference, unverified", () => {
    expect(complianceRules(policy({ compliance: { linked_issue: true } }), pr("This is attempt #2 at the parser."))[0]?.status).toBe("pass");
  });
});

describe("what is read for it", () => {
  it("the linked issue, for a governed PR whose policy verifies links", () => {
    expect(issueToVerify(verified, pr("Fixes #12"))).toBe(12);
    expect(issueToVerify(policy({ compliance: { linked_issue: true } }), pr("Fixes #12"))).toBeNull();
    expect(neededLookups(verified, pr("Fixes #12"), copilot).issue).toBe(12);
    expect(neededLookups(verified, pr("See #12"), copilot).issue).toBeUndefined();
    expect(neededLookups(verified, pr("Fixes #12"), human).issue).toBeUndefined();
  });
});
