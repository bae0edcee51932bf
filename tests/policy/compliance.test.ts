import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PolicyInput } from "../../src/config/schema.js";
import { bodyText, complianceRules, dependencyGroup, disclosesAi, headings, issueRef, signedOff, signOffEmails } from "../../src/policy/compliance.js";
import type { PullFacts, RuleResult } from "../../src/types.js";
import { commit, facts, file, HEAD, policy } from "./build.js";

/** The one rule a compliance config produces for these facts. */
function only(compliance: PolicyInput["compliance"], f: PullFacts, rest: PolicyInput = {}): RuleResult {
  const rules = complianceRules(policy({ ...rest, compliance }), f);
  expect(rules).toHaveLength(1);
  return rules[0]!;
}

const c2 = "c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2";

describe("compliance rules are off unless configured", () => {
  it("produces no results for the default policy", () => {
    expect(complianceRules(policy(), facts({ pull: { body: null, title: "x" } }))).toEqual([]);
  });
});

describe("compliance.linked_issue", () => {
  it.each([
    ["a closing keyword", "Fixes #12", "pass"],
    ["a bare reference", "See #7 for context", "pass"],
    ["a cross-repository reference", "Closes acme/api#3", "pass"],
    ["an issue URL", "From https://github.com/acme/api/issues/44", "pass"],
    ["a Jira link", "https://acme.atlassian.net/browse/OPS-12", "pass"],
    ["no reference", "Improves the parser", "fail"],
    ["a reference only in a template comment", "<!-- Fixes #123 -->\nImproves it", "fail"],
    ["an HTML entity", "Uses &#123; escapes", "fail"],
    ["an empty body", null, "fail"],
  ])("%s → %s", (_what, body, status) => {
    const r = only({ linked_issue: true }, facts({ pull: { body, title: "Improve parsing" } }));
    expect(r.status).toBe(status);
    if (status === "fail") {
      expect(r.message).toBe("The PR links no issue.");
      expect(r.fix).toContain("Fixes #123");
    }
  });
});

// The regexes the linear code replaced (quadratic or worse on long lines), kept as references for short inputs.
const OLD_ISSUE_REF =
  /(?:^|[^\w/&])#\d+\b|\b[\w.-]+\/[\w.-]+#\d+\b|https?:\/\/[^\s/]+\/[\w.-]+\/[\w.-]+\/issues\/\d+|\bhttps?:\/\/[^\s]+\/browse\/[A-Z][A-Z0-9]+-\d+/;
const OLD_HEADING = /^ {0,3}#{1,6}[ \t]+(.*?)[ \t#]*$/gm;
const OLD_SIGN_OFF = /^Signed-off-by:[ \t]*(.*?)[ \t]*<([^>\n]+)>[ \t]*$/gim;

/** Texts built from the pieces that matter to a pattern. */
const textOf = (pieces: string[], maxLength = 30) => fc.array(fc.constantFrom(...pieces), { maxLength }).map((a) => a.join(""));

describe("issue references", () => {
  it.each([
    ["Fixes #12", "#12"],
    ["Improve parsing\nSee #7 for context", "#7"],
    ["#3 at the start", "#3"],
    ["Fixes\t#9", "#9"],
    ["Closes acme/api#3", "acme/api#3"],
    ["Closes -acme/api#3.", "acme/api#3"],
    ["Refs my.org/some-repo#1234, then #5", "my.org/some-repo#1234"],
    ["From https://github.com/acme/api/issues/44", "https://github.com/acme/api/issues/44"],
    ["(https://github.com/acme/api/issues/44)", "https://github.com/acme/api/issues/44"],
    ["https://acme.atlassian.net/browse/OPS-12", "https://acme.atlassian.net/browse/OPS-12"],
    ["Jira: https://jira.acme.io/jira/browse/OPS-12?focusedCommentId=1#c1", "https://jira.acme.io/jira/browse/OPS-12"],
    ["see https://acme.atlassian.net/secure/browse/AB1-7 and #2", "https://acme.atlassian.net/secure/browse/AB1-7"],
    ["https://acme.atlassian.net/browse/ops-12", null],
    ["https://github.com/acme/api/pull/5", null],
    ["Uses &#123; escapes", null],
    ["path/to/file#L12", null],
    ["a/b#12x", null],
    ["x#9", null],
    ["http://".repeat(9000), null],
    ["a-".repeat(30000), null],
    [`${"a.".repeat(30000)}/b#1`, `${"a.".repeat(30000)}/b#1`],
  ])("%j → %j", (text, ref) => {
    expect(issueRef(text)).toBe(ref);
  });

  it("finds what the old regex found, except a Jira URL with an empty path segment (`//`)", () => {
    const pieces = ["#", "1", "12", "a", "A", "B", "-", ".", "_", "/", "&", " ", "\n", "http", "s", "://", "issues/", "browse/", "ABC-1"];
    fc.assert(
      fc.property(textOf(pieces), (text) => {
        fc.pre(!/:\/\/(?:\S*\/)?\//.test(text));
        expect(issueRef(text)).toBe(OLD_ISSUE_REF.exec(text)?.[0].trim() ?? null);
      }),
      { numRuns: 3000 },
    );
  });
});

describe("Markdown headings", () => {
  it.each([
    ["## Testing ##", ["Testing"]],
    ["# Summary", ["Summary"]],
    ["### Risks   ", ["Risks"]],
    ["   ## Indented", ["Indented"]],
    ["    ## Code block", []],
    ["#NoSpace", []],
    ["####### Seven", []],
    ["###### Six", ["Six"]],
    ["## Closing #s ###", ["Closing #s"]],
    ["##\tTabbed\t#", ["Tabbed"]],
    ["## Testing\r\nmore", ["Testing"]],
    ["## **Risks**:", ["**Risks**:"]],
    ["# ", [""]],
    ["# #", [""]],
    ["text\n## Later\n", ["Later"]],
    [`# x${" ".repeat(65000)}y`, [`x${" ".repeat(65000)}y`]],
    [`# x${" ".repeat(65000)}`, ["x"]],
  ])("%j → %j", (text, expected) => {
    expect(headings(text)).toEqual(expected);
  });

  it("are the headings the old regex found", () => {
    const pieces = [" ", "  ", "\t", "#", "##", "a", "b c", "*", "\n", "\r", "\r\n", "\u2028"];
    fc.assert(
      fc.property(textOf(pieces), (text) => {
        expect(headings(text)).toEqual([...text.matchAll(OLD_HEADING)].map((m) => m[1]));
      }),
      { numRuns: 3000 },
    );
  });

  it("decide compliance.body on a long heading line", () => {
    const r = only({ body: { sections: ["Testing"] } }, facts({ pull: { body: `# x${" ".repeat(65000)}y\n## Testing ##\nRan it.` } }));
    expect(r.status).toBe("pass");
  });
});

describe("sign-off lines", () => {
  it.each([
    ["Fix\n\nSigned-off-by: Ann Lee <ann@example.com>", ["ann@example.com"]],
    ["Fix\n\nsigned-off-by:Ann<ann@example.com>  \t", ["ann@example.com"]],
    ["Signed-off-by: A <x> B <y>", ["y"]],
    ["Signed-off-by: a>b <c>", ["c"]],
    ["Signed-off-by: <<a>", ["<a"]],
    ["Signed-off-by: Ann <>", []],
    ["Signed-off-by: Ann <ann@example.com> later", []],
    ["Signed-off-by: Ann <ann@example.com>\r\nSigned-off-by: Bo <bo@example.com>", ["ann@example.com", "bo@example.com"]],
    ["Fix\n Signed-off-by: Ann <ann@example.com>", []],
    [`Signed-off-by: ${" ".repeat(20000)}x`, []],
    [`Signed-off-by: ${"<".repeat(20000)}`, []],
  ])("%j → %j", (message, emails) => {
    expect(signOffEmails(message)).toEqual(emails);
  });

  it("are the ones the old regex found", () => {
    const pieces = ["Signed-off-by:", "signed-off-by: ", " ", "\t", "<", ">", "a", "@", "\n", "\r\n", "x y"];
    fc.assert(
      fc.property(textOf(pieces), (message) => {
        expect(signOffEmails(message)).toEqual([...message.matchAll(OLD_SIGN_OFF)].map((m) => m[2]));
      }),
      { numRuns: 3000 },
    );
  });
});

describe("compliance.tests_with_code", () => {
  const cfg = { tests_with_code: { code: ["src/**"], tests: ["tests/**", "**/*.test.*"] } };
  it.each([
    ["code and tests", [file("src/a.ts"), file("tests/a.test.ts")], "pass"],
    ["a colocated test", [file("src/a.ts"), file("src/a.test.ts")], "pass"],
    ["docs only", [file("README.md")], "pass"],
    ["a deleted code file", [file("src/old.ts", { status: "removed" })], "pass"],
    ["code without tests", [file("src/a.ts"), file("README.md")], "fail"],
    ["code with a deleted test", [file("src/a.ts"), file("tests/a.test.ts", { status: "removed" })], "fail"],
    // One rule for every path list: case is ignored, and `X/**` matches `X`.
    ["code in another case, a test in another case", [file("Src/A.ts"), file("Tests/A.test.ts")], "pass"],
    ["code in another case without tests", [file("SRC/a.ts")], "fail"],
    ["a symlink in place of the code folder", [file("src", { status: "added" })], "fail"],
  ])("%s → %s", (_what, files, status) => {
    const r = only(cfg, facts({ files }));
    expect(r.status).toBe(status);
  });
  it("names the code files and the test globs", () => {
    const r = only(cfg, facts({ files: [file("src/a.ts")] }));
    expect(r).toEqual({
      id: "compliance.tests_with_code",
      status: "fail",
      message: "Code changed (`src/a.ts`) but no test file changed.",
      fix: "Add or update tests matching `tests/**`, `**/*.test.*`.",
      locations: [{ path: "src/a.ts", message: "Code changed without a test change." }],
    });
  });
});

describe("compliance.signed_commits", () => {
  const verified = commit(HEAD, "Signed", { verification: { verified: true, reason: "valid" } });
  it.each([
    ["all verified", [verified], "pass"],
    ["one unsigned", [verified, commit(c2, "Plain", { verification: { verified: false, reason: "unsigned" } })], "fail"],
    ["verification missing", [commit(c2, "Plain")], "fail"],
  ])("%s → %s", (_what, commits, status) => {
    expect(only({ signed_commits: true }, facts({ commits })).status).toBe(status);
  });
  it("lists the unverified commits with the reason", () => {
    const r = only({ signed_commits: true }, facts({ commits: [verified, commit(c2, "Plain `x`\n\nbody", { verification: { verified: false, reason: "unknown_key" } })] }));
    expect(r.message).toBe("1 of 2 commits are not verified (unknown_key): `c2c2c2c Plain 'x'`.");
  });
});

describe("compliance.dco", () => {
  const email = "198982749+Copilot@users.noreply.github.com";
  it.each([
    ["a matching sign-off", `Fix\n\nSigned-off-by: Copilot <${email}>`, "pass"],
    ["a matching sign-off in other case", `Fix\n\nsigned-off-by: Copilot <${email.toUpperCase()}>`, "pass"],
    ["no sign-off", "Fix", "fail"],
    ["someone else's sign-off", "Fix\n\nSigned-off-by: Mallory <m@example.com>", "fail"],
  ])("%s → %s", (_what, message, status) => {
    expect(only({ dco: true }, facts({ commits: [commit(HEAD, message)] })).status).toBe(status);
  });
  it("skips merge commits", () => {
    const merge = commit(c2, "Merge main", {}, { parents: [{ sha: "a" }, { sha: "b" }] });
    expect(only({ dco: true }, facts({ commits: [commit(HEAD, `x\n\nSigned-off-by: C <${email}>`), merge] })).status).toBe("pass");
  });
  it("accepts any sign-off when the author e-mail is unknown", () => {
    expect(signedOff(commit(HEAD, "x\n\nSigned-off-by: A <a@b.c>", { author: null }))).toBe(true);
  });
  it("says how to fix it", () => {
    const r = only({ dco: true }, facts({ commits: [commit(HEAD, "Fix")] }));
    expect(r.message).toBe("1 commit lacks a `Signed-off-by:` matching the author: `c0ffee0 Fix`.");
    expect(r.fix).toBe("Sign off every commit (`git rebase --signoff HEAD~1`, or `git commit -s`), then force-push.");
  });
});

describe("compliance.required_checks", () => {
  const cfg = { required_checks: ["ci", "lint"] };
  const run = (name: string, status: string, conclusion: string | null, head_sha = HEAD) => ({ name, status, conclusion, head_sha });
  it.each([
    ["both passed", [run("ci", "completed", "success"), run("lint", "completed", "skipped")], "pass"],
    ["a commit status passed", [run("ci", "completed", "success"), { name: "lint", state: "success" }], "pass"],
    ["one failed", [run("ci", "completed", "failure"), run("lint", "completed", "success")], "fail"],
    ["a status errored", [run("ci", "completed", "success"), { name: "lint", state: "error" }], "fail"],
    ["one still running", [run("ci", "in_progress", null), run("lint", "completed", "success")], "pending"],
    ["a status pending", [run("ci", "completed", "success"), { name: "lint", state: "pending" }], "pending"],
    ["one not reported", [run("ci", "completed", "success")], "pending"],
    ["one on an older commit only", [run("ci", "completed", "success"), run("lint", "completed", "success", "0ld")], "pending"],
    ["no check facts at all", undefined, "pending"],
  ])("%s → %s", (_what, checks, status) => {
    expect(only(cfg, facts(checks ? { checks } : {})).status).toBe(status);
  });
  it("suggests the name a misnamed check probably meant", () => {
    const r = only({ required_checks: ["Ci"] }, facts({ checks: [run("ci", "completed", "success")] }));
    expect(r.message).toBe("Waiting for required checks on c0ffee0: `Ci` (not reported; did you mean `ci`?).");
  });
  it("says which failed and which are still running", () => {
    const r = only(cfg, facts({ checks: [run("ci", "completed", "timed_out"), run("lint", "queued", null)] }));
    expect(r.message).toBe("Required checks failed on c0ffee0: `ci` (timed_out); still waiting for `lint` (queued).");
  });
  it("ignores its own check name", () => {
    expect(complianceRules(policy({ compliance: { required_checks: ["Agent Governance"] } }), facts())).toEqual([]);
  });

  describe("several sources report one name", () => {
    const ci = (app: string | null, status: string, conclusion: string | null) => ({ name: "ci", status, conclusion, head_sha: HEAD, app });
    const ciStatus = (state: string, app: string | null = null) => ({ name: "ci", state, app });
    it.each([
      // A commit status anyone with write access can set never hides the CI app's result.
      ["a person's success status beside a failed run", [ci("github-actions", "completed", "failure"), ciStatus("success")], "fail"],
      ["a person's success status beside a running run", [ci("github-actions", "in_progress", null), ciStatus("success")], "pending"],
      ["another app's success run listed before a failed run", [ci("forger", "completed", "success"), ci("github-actions", "completed", "failure")], "fail"],
      ["another app's success run listed before a running run", [ci("forger", "completed", "success"), ci("github-actions", "queued", null)], "pending"],
      ["every source passed", [ci("github-actions", "completed", "success"), ciStatus("success", "jenkins")], "pass"],
      // Statuses are newest first: only the newest counts, as GitHub shows it.
      ["an older failed status under a newer success", [ciStatus("success"), ciStatus("failure")], "pass"],
      // One app's runs of a name in two check suites (GitHub's `filter=latest` keeps one per suite), in either order:
      // a workflow the PR adds with a job of that name never hides the real one's failure or pending run.
      ["one app's success run listed before its failed run", [ci("github-actions", "completed", "success"), ci("github-actions", "completed", "failure")], "fail"],
      ["one app's failed run listed before its success run", [ci("github-actions", "completed", "failure"), ci("github-actions", "completed", "success")], "fail"],
      ["one app's success run listed before its running run", [ci("github-actions", "completed", "success"), ci("github-actions", "in_progress", null)], "pending"],
      // A run its workflow's concurrency group cancelled was superseded by the app's other run; alone, it fails.
      ["one app's cancelled run beside its success run", [ci("github-actions", "completed", "cancelled"), ci("github-actions", "completed", "success")], "pass"],
      ["one app's cancelled run beside its failed run", [ci("github-actions", "completed", "cancelled"), ci("github-actions", "completed", "failure")], "fail"],
      ["a cancelled run alone", [ci("github-actions", "completed", "cancelled")], "fail"],
      ["a cancelled run beside another app's success", [ci("github-actions", "completed", "cancelled"), ci("forger", "completed", "success")], "fail"],
    ])("%s → %s", (_what, checks, status) => {
      expect(only({ required_checks: ["ci"] }, facts({ checks })).status).toBe(status);
    });

    it("says which run failed, without suggesting an `app` pin when one app reported every run", () => {
      const r = only({ required_checks: ["ci"] }, facts({ checks: [ci("github-actions", "completed", "success"), ci("github-actions", "completed", "failure")] }));
      expect(r.message).toBe("Required checks failed on c0ffee0: `ci` (failure from `github-actions`).");
      expect(r.fix).toBe("Fix the failures and push, or re-run the checks if they were flaky.");
    });

    it("says which source failed", () => {
      const r = only({ required_checks: ["ci"] }, facts({ checks: [ci("github-actions", "completed", "failure"), ciStatus("success", "ci-bot")] }));
      expect(r.message).toBe("Required checks failed on c0ffee0: `ci` (failure from `github-actions`).");
      expect(r.fix).toBe(
        "Fix the failures and push, or re-run the checks if they were flaky. Where a source that should not count reports the same name, name the one that counts: `{ name, app }` in `compliance.required_checks`.",
      );
    });
  });

  describe("`{ name, app }`: only that app's report counts", () => {
    const pinned = { required_checks: [{ name: "ci", app: "github-actions" }] };
    it.each([
      ["the app's run passed beside a failed status", [{ ...run("ci", "completed", "success"), app: "github-actions" }, { name: "ci", state: "failure", app: null }], "pass"],
      ["the app's run failed", [{ ...run("ci", "completed", "failure"), app: "github-actions" }], "fail"],
      ["a status the app's bot set", [{ name: "ci", state: "success", app: "github-actions" }], "pass"],
      ["only a person's status and another app's run, both passed", [{ name: "ci", state: "success", app: null }, { ...run("ci", "completed", "success"), app: "forger" }], "pending"],
      ["facts recorded without sources", [run("ci", "completed", "success")], "pending"],
      // A workflow the PR adds runs as `github-actions` too: its success listed first does not hide the real run's failure.
      ["two of the app's runs, a success listed before a failure", [{ ...run("ci", "completed", "success"), app: "github-actions" }, { ...run("ci", "completed", "failure"), app: "github-actions" }], "fail"],
    ])("%s → %s", (_what, checks, status) => {
      expect(only(pinned, facts({ checks })).status).toBe(status);
    });

    it("says who reported the name instead, and that it does not count", () => {
      const r = only(pinned, facts({ checks: [{ ...run("ci", "completed", "success"), app: "forger" }, { name: "ci", state: "success", app: null }] }));
      expect(r.message).toBe("Waiting for required checks on c0ffee0: `ci` from `github-actions` (reported only by `forger`, a commit status, which do not count).");
    });

    it("names the app when it passed", () => {
      const r = only(pinned, facts({ checks: [{ ...run("ci", "completed", "success"), app: "github-actions" }] }));
      expect(r).toMatchObject({ status: "pass", message: "Required checks passed: `ci` from `github-actions`." });
    });
  });
});

describe("compliance.title_pattern", () => {
  it.each([
    ["^(feat|fix|chore)(\\(.+\\))?: ", "fix(parser): handle tabs", "pass"],
    ["^(feat|fix|chore)(\\(.+\\))?: ", "Fix the parser", "fail"],
    ["^\\[[A-Z]+-\\d+\\] ", "[OPS-12] Rotate keys", "pass"],
  ])("%s on %s → %s", (pattern, title, status) => {
    const r = only({ title_pattern: pattern }, facts({ pull: { title } }));
    expect(r.status).toBe(status);
    if (status === "fail") expect(r.message).toBe(`The title \`${title}\` does not match \`${pattern}\`.`);
  });
});

describe("compliance.body", () => {
  const template = "## Summary\nAdds a thing that matters.\n\n### testing ##\nRan it.";
  it.each([
    [{ min_length: 10 }, "Long enough text", "pass"],
    [{ min_length: 10 }, "short", "fail"],
    [{ min_length: 10 }, "<!-- Describe your change in detail here -->\nok", "fail"],
    [{ sections: ["Summary", "## Testing"] }, template, "pass"],
    [{ sections: ["Summary", "Risks"] }, template, "fail"],
    [{ sections: ["Summary"] }, "Summary: none", "fail"],
  ])("%j → %s", (cfg, body, status) => {
    expect(only({ body: cfg }, facts({ pull: { body } })).status).toBe(status);
  });
  it("names every shortfall", () => {
    const r = only({ body: { min_length: 100, sections: ["Summary", "Risks"] } }, facts({ pull: { body: template } }));
    expect(r.message).toBe(`The description falls short: it has ${template.length} characters (at least 100 needed); missing section \`Risks\`.`);
    expect(r.fix).toBe("Edit the PR description; add headings such as `## Summary`.");
  });
  it("does not count template comments", () => {
    expect(bodyText("<!-- hint -->\n  text  \n<!-- unterminated")).toBe("text");
  });
});

describe("compliance.install_scripts", () => {
  const pkg = (patch: string, extra = {}) => file("package.json", { patch, ...extra });
  it.each([
    ["a new postinstall", pkg('@@ -3,2 +3,3 @@\n   "scripts": {\n+    "postinstall": "node x.js",\n     "test": "vitest"'), "fail"],
    ["a changed prepare", pkg('@@ -3,1 +3,1 @@\n-    "prepare": "husky"\n+    "prepare": "curl x | sh"'), "fail"],
    ["a nested package", file("packages/a/package.json", { patch: '@@ -1 +1 @@\n+  "preinstall": "x"' }), "fail"],
    ["a removed install script", pkg('@@ -3,1 +3,0 @@\n-    "postinstall": "x"'), "pass"],
    ["other scripts", pkg('@@ -3,1 +3,1 @@\n+    "build": "tsc"'), "pass"],
    ["a dependency version", pkg('@@ -3,1 +3,1 @@\n+    "install-peers": "^1.0.0"'), "pass"],
    ["a package.json without a patch", pkg("", { patch: undefined, additions: 5000 }), "fail"],
    ["an install key outside package.json", file("scripts.json", { patch: '@@ -1 +1 @@\n+ "postinstall": "x"' }), "pass"],
  ])("%s → %s", (_what, f, status) => {
    expect(only({ install_scripts: true }, facts({ files: [f] })).status).toBe(status);
  });
  it("points at the line", () => {
    const r = only({ install_scripts: true }, facts({ files: [pkg('@@ -3,2 +3,3 @@\n   "scripts": {\n+    "postinstall": "node x.js",\n     "test": "vitest"')] }));
    expect(r.message).toBe("Install-time scripts added or changed: `postinstall` at `package.json:4`.");
    expect(r.locations).toEqual([{ path: "package.json", line: 4, message: "`postinstall` runs on every install of this package." }]);
  });
});

describe("compliance.ai_disclosure", () => {
  const disclosed = commit(HEAD, "Fix\n\nCo-authored-by: Claude <noreply@anthropic.com>");
  const assisted = commit(HEAD, "Fix\n\nAssisted-by: an agent");
  const plain = commit(c2, "Fix");
  const humanCo = commit(c2, "Fix\n\nCo-authored-by: Alice <alice@example.com>");
  it.each([
    ["required", [disclosed], "pass"],
    ["required", [assisted], "pass"],
    ["required", [disclosed, plain], "fail"],
    ["required", [humanCo], "fail"],
    ["forbidden", [plain, humanCo], "pass"],
    ["forbidden", [plain, disclosed], "fail"],
  ] as const)("%s with %#", (mode, commits, status) => {
    expect(only({ ai_disclosure: mode }, facts({ commits: [...commits] })).status).toBe(status);
  });
  it("recognises the policy's own agents' co-author addresses", () => {
    expect(disclosesAi("x\n\nCo-authored-by: Helper <helper@acme.dev>", ["helper@acme.dev"])).toBe(true);
    expect(disclosesAi("x\n\nCo-authored-by: Helper <helper@acme.dev>")).toBe(false);
  });
});

describe("compliance.dependencies", () => {
  const p = policy({ compliance: { dependencies: { reviewers: { teams: ["acme/dba"] } } } });
  it.each([
    ["a lockfile", "package-lock.json", true],
    ["a nested manifest", "services/api/go.mod", true],
    ["a requirements file", "requirements-dev.txt", true],
    ["source", "src/index.ts", false],
    ["a manifest in another case (one file on macOS and Windows)", "Package.JSON", true],
  ])("%s → group: %s", (_what, name, grouped) => {
    const g = dependencyGroup(p, facts({ files: [file(name)] }));
    expect(g !== null).toBe(grouped);
    if (g) expect(g).toMatchObject({ rule: "compliance.dependencies", required: 1, files: [name] });
  });
  it("uses the policy's own globs when given", () => {
    const own = policy({ compliance: { dependencies: { paths: ["deps/**"], reviewers: { users: ["bob"] } } } });
    expect(dependencyGroup(own, facts({ files: [file("package.json")] }))).toBeNull();
    expect(dependencyGroup(own, facts({ files: [file("deps/x.lock")] }))?.files).toEqual(["deps/x.lock"]);
    expect(dependencyGroup(own, facts({ files: [file("Deps", { status: "added" })] }))?.files).toEqual(["Deps"]);
  });
});
