import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WEAKENING_KINDS } from "../../src/config/schema.js";
import { complianceRules } from "../../src/policy/compliance.js";
import { evaluate } from "../../src/policy/evaluate.js";
import { changesTests, findTestWeakening, TEST_FILES, testWeakening, type WeakeningKind } from "../../src/policy/test-weakening.js";
import type { FileFacts } from "../../src/types.js";
import { copilot, facts, file, NOW, OLD, policy, review } from "./build.js";

/** A one-hunk patch: ` ` context, `-` removed and `+` added lines, numbered from `start` in both versions. */
function patch(lines: string[], start = 10): string {
  const old = lines.filter((l) => !l.startsWith("+")).length;
  const now = lines.filter((l) => !l.startsWith("-")).length;
  return [`@@ -${start},${old} +${start},${now} @@ export function parse() {`, ...lines].join("\n");
}

const changed = (filename: string, lines: string[], extra: Partial<FileFacts> = {}): FileFacts => ({
  filename,
  status: "modified",
  additions: lines.filter((l) => l.startsWith("+")).length,
  deletions: lines.filter((l) => l.startsWith("-")).length,
  patch: patch(lines),
  ...extra,
});

const ALL = { tests: TEST_FILES, kinds: new Set<WeakeningKind>(WEAKENING_KINDS) };
const scan = (...files: FileFacts[]) => findTestWeakening(files, ALL).map((f) => `${f.where}: ${f.what}`);

describe("skipped and focused tests", () => {
  it("finds `it` turned into `it.skip`, at the line in the new file", () => {
    const f = changed("tests/parser.test.ts", [
      ' describe("parse", () => {',
      '-  it("reads a header", () => {',
      '+  it.skip("reads a header", () => {',
      "     expect(parse(HEADER)).toEqual({ version: 2 });",
      "   });",
    ]);
    expect(scan(f)).toEqual(["tests/parser.test.ts:11: test skipped (`it.skip`)"]);
  });

  // A declaration marker replaces the test's line; a decorator goes before a line that was there, a statement after one.
  it.each([
    ["tests/a.test.ts", "  it('handles empty input', () => {", "  xit('handles empty input', () => {", "test skipped (`xit(`)"],
    ["tests/a.test.ts", "  test('handles empty input', () => {", "  test.skip('handles empty input', () => {", "test skipped (`test.skip`)"],
    ["src/__tests__/b.tsx", "describe('Button', () => {", "describe.skip('Button', () => {", "test skipped (`describe.skip`)"],
    ["tests/a.spec.js", "  it('paths', () => {", "  it.skipIf(process.env.CI)('paths', () => {", "test skipped (`it.skipIf`)"],
    ["e2e/login.spec.ts", "test.describe('login', () => {", "test.describe.fixme('login', () => {", "test skipped (`test.describe.fixme`)"],
    ["tests/a.test.ts", null, "  it.only('the failing case', () => {", "test focused (`.only(`)"],
    ["tests/a.test.ts", null, "describe.only('parse', () => {", "test focused (`.only(`)"],
    ["tests/a.test.ts", null, "  fit('the failing case', () => {", "test focused (`fit(`)"],
    ["tests/test_api.py", null, '@pytest.mark.skip(reason="flaky on CI")', "test skipped (`@pytest.mark.skip`)"],
    ["tests/test_api.py", null, "@pytest.mark.xfail", "test skipped (`@pytest.mark.xfail`)"],
    ["app/tests.py", null, '    @unittest.skip("later")', "test skipped (`@unittest.skip`)"],
    ["tests/test_api.py", null, '        self.skipTest("needs network")', "test skipped (`self.skipTest(`)"],
    ["pkg/server/server_test.go", null, '\tt.Skip("flaky")', "test skipped (`.Skip(`)"],
    ["src/test/java/com/acme/ParserTest.java", null, '    @Disabled("until #12")', "test skipped (`@Disabled`)"],
    ["app/src/test/kotlin/ParserTest.kt", null, "    @Ignore", "test skipped (`@Ignore`)"],
    ["src/lib.rs", null, "    #[ignore]", "test skipped (`#[ignore`)"],
    ["Tests/ParserTests.cs", "    [Fact]", '    [Fact(Skip = "flaky")]', 'test skipped (`Skip = "`)'],
    ["spec/parser_spec.rb", "  it 'parses' do", "  xit 'parses' do", "test skipped (`xit`)"],
    ["spec/parser_spec.rb", null, "    skip 'not yet'", "test skipped (`skip`)"],
    ["tests/ParserTest.php", null, "        $this->markTestSkipped('later');", "test skipped (`->markTestSkipped(`)"],
    ["test/parser_test.exs", null, "  @tag :skip", "test skipped (`@tag :skip`)"],
  ])("%s: %s → %s", (path, before, line, what) => {
    const [found] = findTestWeakening([changed(path, [" context", ...(before ? [`-${before}`] : []), `+${line}`, " more"])], ALL);
    expect(found?.what).toBe(what);
  });

  it("finds a test removed in one place and added back skipped in another, by its name", () => {
    const f = changed("tests/a.test.ts", ['-  it("reads a header", () => {', "-    expect(parse(H)).toBe(2);", "-  });", " ", " other();", '+  it.skip("reads a header", () => {', "+    expect(parse(H)).toBe(2);", "+  });"]);
    expect(scan(f)).toEqual(["tests/a.test.ts:12: test skipped (`it.skip`)"]);
  });

  it.each([
    ["a new test added skipped", "tests/a.test.ts", [" });", " ", '+it.skipIf(!process.env.DOCKER)("runs in a container", () => {', "+  expect(run()).toBe(0);", "+});"]],
    ["a new Python test with a skip decorator", "tests/test_api.py", [" ", '+@pytest.mark.skipif(sys.platform == "win32", reason="posix only")', "+def test_symlinks():", "+    assert link()"]],
    ["a new Go test that skips itself", "pkg/a_test.go", [" ", "+func TestDocker(t *testing.T) {", '+\tif os.Getenv("DOCKER") == "" { t.Skip("no docker") }', "+}"]],
  ])("ignores %s (nothing that existed is turned off)", (_what, path, lines) => {
    expect(scan(changed(path, lines))).toEqual([]);
  });

  it("ignores skips in a new test file, but not a focus", () => {
    const added = (lines: string[]): FileFacts => ({ ...changed("tests/new.test.ts", lines), status: "added", patch: `@@ -0,0 +1,${lines.length} @@\n${lines.join("\n")}` });
    expect(scan(added(['+it.skip("later", () => {});', '+it("now", () => {});']))).toEqual([]);
    expect(scan(added(['+it.only("now", () => {});']))).toEqual(["tests/new.test.ts:1: test focused (`.only(`)"]);
  });

  it.each([
    ["a skip moved or re-indented (removed and added unchanged)", "tests/a.test.ts", ["-  it.skip('old', () => {});", " other();", "+    it.skip('old', () => {});"]],
    ["a skip in a comment", "tests/a.test.ts", ["+  // it.skip('flaky', …) would hide the bug: fix it instead"]],
    ["a commented-out decorator", "tests/test_api.py", ["+# @pytest.mark.skip"]],
    ["`fit` in code that is not a test", "src/model.ts", ["+  fit(points);"]],
    ["a method named fit in a test", "tests/model.test.ts", ["+  const m = model.fit(points);"]],
    ["`.only(` outside the tests", "src/query.ts", ["+  return rows.only(1);"]],
    ["docs that mention it.skip", "docs/testing.md", ["+Never commit `it.skip` or `.only(`."]],
    ["markers in strings (a test of a test runner)", "tests/runner.test.ts", ['+  ["a focus", "  it.only(\'x\', () => {", "test focused"],', "+  const src = `describe.skip('y')`;"]],
    ["a skip removed", "tests/a.test.ts", ["-  it.skip('reads a header', () => {", "+  it('reads a header', () => {"]],
  ])("ignores %s", (_what, path, lines) => {
    expect(scan(changed(path, lines))).toEqual([]);
  });
});

describe("deleted tests", () => {
  it("finds a deleted test file and one moved out of the tests", () => {
    expect(
      scan(
        { filename: "tests/legacy.test.ts", status: "removed", deletions: 40 },
        { filename: "tests/parser.test.ts.bak", previous_filename: "tests/parser.test.ts", status: "renamed" },
        { filename: "attic/api_checks.py", previous_filename: "tests/test_api.py", status: "renamed" },
      ),
    ).toEqual([
      "tests/legacy.test.ts: test file deleted",
      "tests/parser.test.ts.bak: test file moved out of the tests (from `tests/parser.test.ts`)",
      "attic/api_checks.py: test file moved out of the tests (from `tests/test_api.py`)",
    ]);
  });
  it("ignores deleted fixtures and code, and a test moved between test folders", () => {
    expect(
      scan(
        { filename: "tests/fixtures/payload.json", status: "removed" },
        { filename: "src/old.ts", status: "removed" },
        { filename: "test/parser.test.ts", previous_filename: "tests/parser.test.ts", status: "renamed" },
      ),
    ).toEqual([]);
  });
});

describe("assertions", () => {
  it("finds assertions removed without replacement", () => {
    const f = changed("tests/cart.test.ts", [
      '   it("totals the cart", () => {',
      "     const cart = build();",
      "-    expect(cart.total).toBe(30);",
      "-    expect(cart.items).toHaveLength(3);",
      "+    cart.recompute();",
      "   });",
    ]);
    expect(scan(f)).toEqual(["tests/cart.test.ts:12: 2 assertions removed without replacement (`expect(cart.total).toBe(30);`)"]);
  });
  it("does not count an assertion of nothing as a replacement", () => {
    const f = changed("tests/test_cart.py", ["     cart = build()", "-    assert cart.total == 30", "+    assert True"]);
    expect(scan(f)).toEqual(["tests/test_cart.py:11: 1 assertion removed without replacement (`assert cart.total == 30`)"]);
  });
  it("finds an exact assertion loosened", () => {
    const f = changed("tests/cart.test.ts", ["-    expect(cart.total).toBe(30);", "+    expect(cart.total).toBeDefined();"]);
    expect(scan(f)).toEqual(["tests/cart.test.ts:10: 1 assertion loosened (`expect(cart.total).toBe(30);` → `expect(cart.total).toBeDefined();`)"]);
  });
  it.each([
    ["Go", "pkg/cart_test.go", ['-\tif got != 30 { t.Fatalf("total %d", got) }', "+\t_ = got"]],
    ["Rust", "tests/cart.rs", ["-    assert_eq!(cart.total(), 30);", "+    let _ = cart.total();"]],
    ["Java", "src/test/java/CartTest.java", ["-        assertEquals(30, cart.total());", "+        cart.total();"]],
  ])("finds an assertion removed in %s", (_lang, path, lines) => {
    expect(findTestWeakening([changed(path, lines)], ALL).map((f) => f.what)).toEqual([expect.stringMatching(/^1 assertion removed without replacement/)]);
  });
  it.each([
    ["rewritten as another exact assertion", ["-    expect(cart.total).toBe(30);", "+    expect(cart.total).toEqual(30);"]],
    ["more assertions", ["+    expect(cart.total).toBe(30);", "+    expect(cart.items).toHaveLength(3);"]],
    ["moved within the file", ["-    expect(cart.total).toBe(30);", "     cart.recompute();", "+    expect(cart.total).toBe(30);"]],
  ])("ignores assertions %s", (_what, lines) => {
    expect(scan(changed("tests/cart.test.ts", lines))).toEqual([]);
  });
  it("does not read assertions outside test files (a runtime assert is not a test)", () => {
    expect(scan(changed("src/cart.py", ["-    assert total >= 0", "+    total = max(total, 0)"]))).toEqual([]);
  });
});

describe("thresholds", () => {
  it.each([
    ["jest.config.js", ["   coverageThreshold: {", "     global: {", "-      branches: 80,", "+      branches: 50,"], "coverage threshold `branches` lowered from 80 to 50"],
    ["vitest.config.ts", ["       thresholds: {", "-        lines: 90,", "+        lines: 60,"], "coverage threshold `lines` lowered from 90 to 60"],
    [".nycrc.json", ['-  "statements": 95,', '+  "statements": 70,'], "coverage threshold `statements` lowered from 95 to 70"],
    ["pyproject.toml", [" [tool.coverage.report]", "-fail_under = 90", "+fail_under = 75"], "coverage threshold `fail_under` lowered from 90 to 75"],
    ["setup.cfg", [" [coverage:report]", "-fail_under = 90"], "coverage threshold `fail_under` (90) removed"],
    ["codecov.yml", ["     project:", "       default:", "-        target: 85%", "+        target: 60%"], "coverage threshold `target` lowered from 85 to 60"],
    ["codecov.yml", ["       default:", "-        threshold: 1%", "+        threshold: 10%"], "`threshold` raised from 1 to 10"],
    ["package.json", ['-    "lint": "eslint . --max-warnings 0",', '+    "lint": "eslint . --max-warnings 25",'], "`max-warnings` raised from 0 to 25"],
    [".eslintrc.json", ['-    "@typescript-eslint/no-explicit-any": "error",', '+    "@typescript-eslint/no-explicit-any": "warn",'], "lint rule `@typescript-eslint/no-explicit-any` turned down from error to warn"],
    ["eslint.config.js", ["     rules: {", "+      'no-console': 'off',"], "lint rule `no-console` turned off"],
    ["tsconfig.json", ['-    "strict": true,', '+    "strict": false,'], "`strict` changed from true to false"],
    ["mypy.ini", [" [mypy]", "+ignore_errors = True"], "`ignore_errors` set to true"],
  ])("%s: %s", (path, lines, what) => {
    expect(findTestWeakening([changed(path, lines)], ALL).map((f) => f.what)).toEqual([what]);
  });
  it.each([
    ["a threshold raised", "jest.config.js", ["-      branches: 50,", "+      branches: 80,"]],
    ["a rule turned up", ".eslintrc.json", ['-    "no-console": "warn",', '+    "no-console": "error",']],
    ["a new rule at error", "eslint.config.js", ["+      'no-console': 'error',"]],
    ["`lines` in a file that sets no thresholds", "docs/config.yml", ["-lines: 80", "+lines: 40"]],
    ["a tsconfig made stricter", "tsconfig.json", ['-    "strict": false,', '+    "strict": true,']],
    ["a package's version (not a lint severity)", "package.json", ['-  "version": "0.1.0",', '+  "version": "0.2.0",', '+  "private": 0,']],
  ])("ignores %s", (_what, path, lines) => {
    expect(scan(changed(path, lines))).toEqual([]);
  });
});

describe("CI", () => {
  const wf = ".github/workflows/ci.yml";
  it("finds failures let through and steps switched off", () => {
    const f = changed(wf, [
      "       - run: npm ci",
      "-      - run: npm test",
      "+      - run: npm test || true",
      "       - name: Lint",
      "+        continue-on-error: true",
      "         run: npm run lint",
      "       - name: Coverage",
      "+        if: false",
    ]);
    expect(scan(f)).toEqual([
      ".github/workflows/ci.yml:11: failures let through (`|| true`)",
      ".github/workflows/ci.yml:13: failures let through (`continue-on-error: true`)",
      ".github/workflows/ci.yml:16: step or job switched off (`if: false`)",
    ]);
  });
  it("finds a step removed, naming it, and a job removed", () => {
    const f = changed(wf, [
      "   test:",
      "     runs-on: ubuntu-latest",
      "     steps:",
      "       - uses: actions/checkout@v4",
      "-      - name: Unit tests",
      "-        run: npm test",
      "-  e2e:",
      "-    runs-on: ubuntu-latest",
      "-    steps:",
      "-      - run: npx playwright test",
    ]);
    expect(scan(f)).toEqual([
      ".github/workflows/ci.yml:14: 2 CI steps removed (`name: Unit tests`, `run: npx playwright test`)",
      ".github/workflows/ci.yml:14: 1 CI job removed",
    ]);
  });
  it("finds a test command dropped from a step that stays", () => {
    const f = changed(".gitlab-ci.yml", [" test:", "   script:", "-    - pytest --cov", "+    - python -m build"]);
    expect(scan(f)).toEqual([".gitlab-ci.yml:12: test or lint command removed from CI (`- pytest --cov`)"]);
  });
  it("finds `|| true` added to a package.json script", () => {
    expect(scan(changed("package.json", ['-    "test": "vitest run",', '+    "test": "vitest run || true",']))).toEqual(["package.json:10: failures let through (`|| true`)"]);
  });
  it("ignores a new workflow or config: its first settings take nothing away", () => {
    const added = (filename: string, lines: string[]): FileFacts => ({ filename, status: "added", patch: `@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join("\n")}` });
    expect(scan(added(".github/workflows/nightly.yml", ["jobs:", "  flaky:", "    continue-on-error: true", "    steps:", "      - run: npm run e2e || true"]), added("tsconfig.json", ['{ "compilerOptions": { "skipLibCheck": true } }']))).toEqual([]);
  });

  it.each([
    ["a step renamed", ["-      - name: Test", "+      - name: Unit tests", "         run: npm test"]],
    ["a step moved", ["-      - run: npm test", "       - run: npm run build", "+      - run: npm test"]],
    ["a runner changed", ["-    runs-on: ubuntu-20.04", "+    runs-on: ubuntu-latest"]],
    ["a step added", ["+      - run: npm run typecheck"]],
    ["continue-on-error: false", ["+        continue-on-error: false"]],
    ["a cache step removed", ["       - uses: actions/checkout@v4", "-      - name: cache pip", "-        uses: actions/cache@v4", "-        with: { path: ~/.cache/pip }", "       - run: pytest"]],
    ["a Python version dropped from the matrix", ["         include:", "-          - {python: '3.8', tox: py38}", "           - {python: '3.12', tox: py312}"]],
    ["Node versions dropped from the matrix", ["         include:", "-          - name: Node.js 4.0", "-            node-version: \"4.0\"", "-            npm-i: mocha@3.5.3", "           - name: Node.js 18.x"]],
    ["`||:` after a listing", ["+        (npm -s ls --depth=0 ||:) | awk '{ print $2 }'"]],
    ["`|| true` in a comment", ["+      # never write `npm test || true`"]],
  ])("ignores %s", (_what, lines) => {
    expect(scan(changed(wf, lines))).toEqual([]);
  });
});

describe("compliance.tests_with_code: weakening a test is not a test change", () => {
  const input = { tests_with_code: { code: ["src/**"], tests: ["tests/**"] } };
  const code = changed("src/parser.ts", ["-  return 1;", "+  return 2;"]);
  const rule = (...tests: FileFacts[]) => complianceRules(policy({ compliance: input }), facts({ files: [code, ...tests] }))[0]!;

  it("fails when the only test change turns `it` into `it.skip`", () => {
    const skip = changed("tests/parser.test.ts", ['-  it("reads a header", () => {', '+  it.skip("reads a header", () => {']);
    expect(rule(skip)).toMatchObject({
      status: "fail",
      message: "Code changed (`src/parser.ts`) but the test files only skip, focus or drop tests (`tests/parser.test.ts`).",
    });
  });
  it.each([
    ["a focus", ['-  it("reads", () => {', '+  it.only("reads", () => {']],
    ["an assertion of nothing", ["-    expect(x).toBe(2);", "+    expect(true).toBe(true);"]],
    ["lines removed only", ["-    expect(x).toBe(2);"]],
    ["a comment", ["+  // TODO: test the new behaviour"]],
    ["a line moved", ["-  const a = 1;", "   const b = 2;", "+  const a = 1;"]],
    ["punctuation", ["+  });"]],
  ])("fails when the test change is only %s", (_what, lines) => {
    expect(rule(changed("tests/parser.test.ts", lines)).status).toBe("fail");
  });
  it.each([
    ["a new assertion", ["+    expect(parse(x)).toBe(2);"]],
    ["a skip with a real change", ['-  it("reads", () => {', '+  it.skip("reads", () => {', '+  it("reads v2", () => expect(parse(V2)).toBe(2));']],
    ["a test file without a patch (too large to diff)", null],
  ])("passes with %s", (_what, lines) => {
    const t = lines ? changed("tests/parser.test.ts", lines) : { filename: "tests/parser.test.ts", status: "modified", additions: 900 };
    expect(rule(t).status).toBe("pass");
  });
  it("a deleted test file is no test change", () => {
    expect(changesTests({ filename: "tests/parser.test.ts", status: "removed" })).toBe(false);
  });
});

describe("compliance.test_weakening in the evaluation", () => {
  const skip = changed("tests/parser.test.ts", ['-  it("reads a header", () => {', '+  it.skip("reads a header", () => {']);
  const run = (input: Parameters<typeof policy>[0], extra: Parameters<typeof facts>[0] = {}) =>
    evaluate({ policy: policy(input), facts: facts({ files: [file("src/parser.ts"), skip], ...extra }), now: NOW, verdict: copilot });

  it("is on by default: a maintainer's approval is needed, with file:line annotations", () => {
    const e = run({}, { reviews: [review("alice", "APPROVED", "2025-06-01T11:00:00Z")] });
    expect(e).toMatchObject({ outcome: "waiting", title: "Waiting for 1 human approval" });
    expect(e.rules.find((r) => r.id === "compliance.test_weakening")).toEqual({
      id: "compliance.test_weakening",
      status: "pending",
      message: "Weakens tests (1 finding): test skipped (`it.skip`) at `tests/parser.test.ts:10`: 0/1 approvals; needs 1 more approval from anyone with maintain permission or above.",
      fix: "An eligible reviewer approves the latest commit (a review, or `/governance approve`).",
      locations: [
        {
          path: "tests/parser.test.ts",
          line: 10,
          message: "test skipped (`it.skip`). Needs approval: 1 more approval from anyone with maintain permission or above.",
        },
      ],
    });
    expect(e.required.map((r) => r.rule)).toEqual(["compliance.test_weakening"]);
  });
  it("passes with a maintainer's approval of the head, not of an earlier commit, even with stale_on_push: false", () => {
    const maintainer = { permissions: { mia: "maintain" as const } };
    expect(run({}, { ...maintainer, reviews: [review("mia", "APPROVED", "2025-06-01T11:00:00Z")] })).toMatchObject({ outcome: "passed" });
    const stale = run({ reviewers: { stale_on_push: false } }, { ...maintainer, reviews: [review("mia", "APPROVED", "2025-06-01T11:00:00Z", OLD)] });
    expect(stale.rules.find((r) => r.id === "compliance.test_weakening")?.status).toBe("pending");
  });
  it("asks the named group instead, and fails with `action: fail`", () => {
    const qa = run({ compliance: { test_weakening: { reviewers: { teams: ["acme/dba"], required: 1 } } } });
    expect(qa.required.find((r) => r.rule === "compliance.test_weakening")).toMatchObject({ teams: ["acme/dba"], needed: 1, min_permission: null });
    const fail = run({ compliance: { test_weakening: { action: "fail" } } });
    expect(fail).toMatchObject({ outcome: "violation", title: "Policy violation: compliance.test_weakening" });
    expect(fail.rules.find((r) => r.id === "compliance.test_weakening")).toMatchObject({
      status: "fail",
      message: "Weakens tests (1 finding): test skipped (`it.skip`) at `tests/parser.test.ts:10`.",
      fix: "Restore the skipped, focused or deleted tests, the assertions, thresholds and CI steps this PR weakens (fix the code instead), then push. Only an override (`/governance override <reason>`) lets the PR pass as it is.",
      locations: [{ path: "tests/parser.test.ts", line: 10, message: "test skipped (`it.skip`). (compliance.test_weakening)" }],
    });
  });
  it("is off with `false`, with the kind left out of `kinds`, and for an agent an overrides entry turns it off for", () => {
    expect(run({ compliance: { test_weakening: false } }).required).toEqual([expect.objectContaining({ rule: "reviewers" })]);
    expect(run({ compliance: { test_weakening: { kinds: ["ci"] } } }).rules.map((r) => r.id)).not.toContain("compliance.test_weakening");
    expect(run({ overrides: [{ agents: ["copilot"], compliance: { test_weakening: false } }] }).rules.map((r) => r.id)).not.toContain("compliance.test_weakening");
  });
  it("says nothing when nothing is found", () => {
    expect(run({}, { files: [file("src/parser.ts")] }).rules.map((r) => r.id)).toEqual(["reviewers"]);
  });
  it("reads its own test globs", () => {
    const qa = changed("qa/parser.check.ts", ['-  it("reads", () => {', '+  it.skip("reads", () => {']);
    expect(testWeakening(policy({ compliance: { test_weakening: { tests: ["qa/**"] } } }), { files: [qa] }).group?.what).toBe(
      "Weakens tests (1 finding): test skipped (`it.skip`) at `qa/parser.check.ts:10`",
    );
    expect(testWeakening(policy(), { files: [qa] }).group).toBeNull();
  });
});

describe("properties", () => {
  const HIDDEN = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\p{Default_Ignorable_Code_Point}]/u;
  const lineArb = fc.oneof(
    fc.string({ unit: "grapheme", maxLength: 60 }),
    fc.constantFrom("it.skip('x', () => {", "expect(a).toBe(1);", "  branches: 80,", "- run: npm test", "continue-on-error: true", "|| true", "#[ignore]", "\u200b\u202e"),
  );
  const patchArb = fc.array(fc.tuple(fc.constantFrom(" ", "+", "-"), lineArb), { maxLength: 30 }).map((ls) => patch(ls.map(([p, l]) => p + l.replace(/\n/g, " "))));
  const pathArb = fc.constantFrom("tests/a.test.ts", "src/a.ts", "tests/test_a.py", ".github/workflows/ci.yml", "jest.config.js", "package.json", "src/lib.rs", "a_test.go");

  it("never throws, and quotes nothing invisible", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(pathArb, patchArb), { maxLength: 5 }), (files) => {
        for (const f of findTestWeakening(files.map(([filename, p]) => ({ filename, status: "modified", patch: p })), ALL)) {
          expect(HIDDEN.test(f.what)).toBe(false);
          expect(f.what).not.toContain("\n");
        }
      }),
    );
  });

  it("a patch that only moves lines (removes and adds the same texts) weakens nothing", () => {
    fc.assert(
      fc.property(fc.array(lineArb.map((l) => l.replace(/\n/g, " ")), { minLength: 1, maxLength: 10 }), pathArb, (lines, path) => {
        const moved = [...lines.map((l) => `-${l}`), " unchanged();", ...[...lines].reverse().map((l) => `+  ${l}`)];
        expect(findTestWeakening([{ filename: path, status: "modified", patch: patch(moved) }], ALL)).toEqual([]);
      }),
    );
  });

  it("turning any added test line into a skip of it is found", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z ]{1,20}$/), (name) => {
        const f = changed("tests/x.test.ts", [`-  it("${name}", () => {`, `+  it.skip("${name}", () => {`]);
        expect(findTestWeakening([f], ALL).map((x) => x.what)).toEqual(["test skipped (`it.skip`)"]);
        expect(changesTests(f)).toBe(false);
      }),
    );
  });
});
