import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { complianceRules } from "../../src/policy/compliance.js";
import { addedLines } from "../../src/policy/patch.js";
import { EMPTY_BLOB_SHA, findSecrets, redactSecrets, SECRET_KINDS, unscannedFiles } from "../../src/policy/secrets.js";
import type { FileFacts, PullFacts } from "../../src/types.js";
import { helpReply } from "../../src/commands/answer.js";
import { evaluate } from "../../src/policy/evaluate.js";
import { commit, copilot, facts, file, HEAD, NOW, OLD, policy, review } from "./build.js";

// Sample values are assembled at run time so that no token-shaped string sits in the repository.
const rep = (c: string, n: number) => c.repeat(n);
const SAMPLES: Record<string, string> = {
  private_key: `-----BEGIN ${"RSA "}PRIVATE KEY-----`,
  aws_access_key: `AKIA${"Q7XB2NZ4LK5P3RMW"}`,
  github_token: `ghp_${rep("a1B2", 9)}`,
  github_pat: `github_pat_${rep("Ab1_", 20)}`,
  gitlab_token: `glpat-${rep("x1", 10)}`,
  slack_token: `xoxb-${"1234567890-abcdef"}`,
  slack_webhook: `https://hooks.slack.com/services/T0ABC/B0DEF/${rep("a1", 12)}`,
  google_api_key: `AIza${rep("B", 35)}`,
  stripe_key: `sk_live_${rep("4eC3", 6)}`,
  openai_key: `sk-proj-${rep("a", 24)}T3BlbkFJ${rep("b", 24)}`,
  anthropic_key: `sk-ant-api03-${rep("Zz9_", 24)}`,
  npm_token: `npm_${rep("N", 36)}`,
  pypi_token: `pypi-AgEIcHlwaS5vcmc${rep("p", 60)}`,
  huggingface_token: `hf_${rep("h", 34)}`,
  sendgrid_key: `SG.${rep("s", 22)}.${rep("g", 43)}`,
  azure_storage_key: `AccountKey=${rep("k", 86)}==`,
};

const patchWith = (line: string) => `@@ -10,2 +10,4 @@\n context\n-removed\n+const a = 1;\n+const key = "${line}";\n context`;

describe("findSecrets", () => {
  it("has a sample for every kind", () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(SECRET_KINDS.map((k) => k.id).sort());
  });

  it.each(SECRET_KINDS.map((k) => [k.id, k.name] as const))("finds a %s and reports its kind and line only", (id, name) => {
    const findings = findSecrets([file("src/config.ts", { patch: patchWith(SAMPLES[id]!) })]);
    expect(findings).toEqual([{ path: "src/config.ts", line: 12, kind: name }]);
  });

  it.each([
    ["a removed line", `@@ -1,1 +1,0 @@\n-${SAMPLES.github_token}`],
    ["a context line", `@@ -1,1 +1,1 @@\n ${SAMPLES.github_token}`],
    ["AWS's documented example key", "@@ -1 +1 @@\n+AKIAIOSFODNN7EXAMPLE"],
    ["a short look-alike", "@@ -1 +1 @@\n+ghp_short"],
    ["a public key", "@@ -1 +1 @@\n+-----BEGIN PUBLIC KEY-----"],
  ])("ignores %s", (_what, patch) => {
    expect(findSecrets([file("a.txt", { patch })])).toEqual([]);
  });
});

describe("findSecrets on long lines", () => {
  const line = (text: string) => [file("dist/app.min.js", { patch: `@@ -0,0 +1,2 @@\n+first\n+${text}` })];
  const token = SAMPLES.github_token!;

  it.each([0, 3_599, 3_600, 3_980, 3_999, 4_000, 7_190, 9_999, 250_000])("finds a token at column %i", (column) => {
    expect(findSecrets(line(`${";".repeat(column)}${token};${";".repeat(5000)}`))).toEqual([{ path: "dist/app.min.js", line: 2, kind: "GitHub token" }]);
  });

  it("reports one finding for a line with many secrets", () => {
    const text = Array.from({ length: 40 }, (_, i) => `${" ".repeat(1000 + i)}${i % 2 ? token : SAMPLES.aws_access_key}`).join("");
    expect(findSecrets(line(text))).toEqual([{ path: "dist/app.min.js", line: 2, kind: "AWS access key ID" }]);
  });

  it("looks past a placeholder to a real key on the same line", () => {
    expect(findSecrets(line(`AKIAIOSFODNN7EXAMPLE ${SAMPLES.aws_access_key}`))).toEqual([{ path: "dist/app.min.js", line: 2, kind: "AWS access key ID" }]);
  });

  it("finds a key whose pattern needs nothing after it, however long the run it starts", () => {
    expect(findSecrets(line(`${" ".repeat(3_000)}${SAMPLES.openai_key}${"b".repeat(5000)}`))).toEqual([{ path: "dist/app.min.js", line: 2, kind: "OpenAI API key" }]);
  });

  it("does not take a window's edge for a word boundary", () => {
    // A key-like run inside a longer word where the second window starts, and a `ghp_` run too long to be a token
    // crossing the first window's end: neither is a secret.
    const inWord = `${"x".repeat(3_600)}${SAMPLES.aws_access_key} ${"=".repeat(1000)}`;
    const tooLong = `${" ".repeat(3_800)}ghp_${"a".repeat(300)} ${"=".repeat(1000)}`;
    expect(findSecrets([...line(inWord), ...line(tooLong)])).toEqual([]);
  });
});

describe("redactSecrets", () => {
  it.each(SECRET_KINDS.map((k) => [k.id, k.name] as const))("replaces a %s with its kind", (id, name) => {
    // The webhook pattern starts at its host: the scheme before it stays.
    const kept = id === "slack_webhook" ? "https://" : "";
    expect(redactSecrets(`Add "${SAMPLES[id]!}" to config`)).toBe(`Add "${kept}[redacted ${name}]" to config`);
  });

  it("replaces every secret, keeps the rest and AWS's example key, and leaves clean text alone", () => {
    const text = `a ${SAMPLES.github_token} b ${SAMPLES.aws_access_key} c AKIAIOSFODNN7EXAMPLE d ${SAMPLES.github_token}`;
    const redacted = "a [redacted GitHub token] b [redacted AWS access key ID] c AKIAIOSFODNN7EXAMPLE d [redacted GitHub token]";
    expect(redactSecrets(text)).toBe(redacted);
    expect(redactSecrets(redacted)).toBe(redacted);
    expect(redactSecrets("ghp_short `code` | cell <!-- marker -->")).toBe("ghp_short `code` | cell <!-- marker -->");
  });
});

describe("redactSecrets: secrets without a known prefix, given away by their context", () => {
  // Assembled at run time, like the samples above.
  const AWS_SECRET = ["wJalrXUtnFEMI", "K7MDENG", "bPxRfiCY1234ZKEY"].join("/");
  it.each([
    ["an AWS secret key assigned in a commit subject", `Set aws_secret_access_key=${AWS_SECRET} in CI`, "Set aws_secret_access_key=[redacted] in CI"],
    ["an environment variable with spaces", "DB_PASSWORD = s3cr3t; then restart", "DB_PASSWORD = [redacted]; then restart"],
    ["a YAML value", "password: hunter2", "password: [redacted]"],
    ["a JSON value, quoted, with spaces", '{"client_secret": "correct horse battery"}', '{"client_secret": [redacted]}'],
    ["a quote left open", "api_key='abc123", "api_key=[redacted]"],
    ["a query parameter", "see https://example.com/cb?access_token=abc123&x=1", "see https://example.com/cb?access_token=[redacted]&x=1"],
    ["an HTTP credential", "Authorization: Bearer eyJhbGciOi.abc.def", "Authorization: [redacted]"],
    ["a password in a URL", "Clone https://deploy:hunter2@git.example.com/x.git", "Clone https://[redacted credentials]@git.example.com/x.git"],
    ["a token as a URL's user, with a password", "https://oauth2:glp4t_xYz@gitlab.example.com/g/r", "https://[redacted credentials]@gitlab.example.com/g/r"],
    ["a URL's password with no user", "redis://:s3cret@cache:6379/0", "redis://[redacted credentials]@cache:6379/0"],
  ])("redacts %s", (_what, text, redacted) => {
    expect(redactSecrets(text)).toBe(redacted);
    expect(redactSecrets(redacted)).toBe(redacted);
  });

  it.each([
    ["prose after a colon", "Fix token: handle expiry"],
    ["a user without a password in a URL", "ssh://git@github.com/org/repo and https://user@example.com/"],
    ["a name without a value", "Rotate the secret; the password is in the vault"],
    ["a name that is not a secret's", "author=alice, label: bug"],
    ["the app's own messages", "| ❌ | `compliance.no_secrets` | Possible secrets added: GitHub token at `src/a.ts:2`. |"],
    ["a rule id and a redacted kind", "`compliance.no_secrets.unscanned`: [redacted GitHub token]"],
  ])("keeps %s", (_what, text) => {
    expect(redactSecrets(text)).toBe(text);
  });

  const value = fc
    .tuple(fc.stringMatching(/^[A-Za-z0-9+_.~-]{7,40}$/), fc.integer({ min: 0, max: 9 }))
    .map(([v, d]) => `${v}${d}`);
  const prose = fc.array(fc.constantFrom("Fix", "the", "deploy", "for", "prod", "and", "tests", "—", "(CI)", "#12"), { maxLength: 6 }).map((w) => w.join(" "));
  const name = fc.constantFrom("aws_secret_access_key", "AWS_SECRET_ACCESS_KEY", "password", "db.password", "api-key", "apiKey", "access_token", "GITHUB_TOKEN", "client_secret", "private_key", "credentials", "passphrase", "PWD");
  const assignment = fc.tuple(name, fc.constantFrom("=", " = ", ": ", ":", '": "', "='"), value).map(([n, op, v]) => ({ text: `${n}${op}${v}${op.endsWith('"') ? '"' : ""}`, v }));
  const url = fc.tuple(fc.constantFrom("https", "postgres", "redis", "git+ssh"), fc.stringMatching(/^[a-z0-9._-]{0,12}$/), value).map(([scheme, user, v]) => ({ text: `${scheme}://${user}:${v}@db.example.com/x`, v }));

  it("never lets the value through, wherever the secret sits in a sentence (property)", () => {
    fc.assert(
      fc.property(fc.oneof(assignment, url), prose, prose, ({ text, v }, before, after) => {
        const out = redactSecrets(`${before} ${text} ${after}`);
        expect(out).not.toContain(v);
        expect(out).toContain("[redacted");
      }),
    );
  });

  it("is idempotent, and leaves text with no secret's name, URL or known prefix alone (property)", () => {
    const pieces = fc.constantFrom("password", "token", "=", ": ", "'", '"', "://", "@", "user:pw", "[redacted]", "[redacted credentials]", "//", "@host", ":", "&", " ", "a1", "`", "|", "\n", "secret_key", "Bearer x");
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 30 }).map((p) => p.join("")), (text) => {
        const once = redactSecrets(text);
        expect(redactSecrets(once)).toBe(once);
      }),
      { numRuns: 3000 },
    );
    // No letter that any secret's name, a known prefix or a scheme's `:` needs.
    const plain = fc.stringMatching(/^[abcdegijklmnoqruwyz0-9 =_.,\n-]{0,300}$/);
    fc.assert(
      fc.property(plain, (text) => {
        expect(redactSecrets(text)).toBe(text);
      }),
    );
  });

  it("finishes on text built to make a search start over and over", () => {
    // No timing: a quadratic search would run for minutes on these.
    for (const text of ["token".repeat(40_000) + "=x", "password=".repeat(20_000), "://" + "a".repeat(200_000), "password='x ".repeat(20_000), `password="${"password='x ".repeat(20_000)}`]) {
      expect(redactSecrets(text).length).toBeGreaterThan(0);
    }
  });
});

describe("compliance.no_secrets", () => {
  const p = policy({ compliance: { no_secrets: true } });

  it("passes a clean patch and says which files it could not scan, and that a human must approve them", () => {
    // Changed deliberately (issue 15, item 5): `logo.png` (binary: GitHub lists it with 0 changes and no patch) was not
    // even mentioned, and neither file needed anyone: the rule passed with a note. Now both need an approval (below).
    const rules = complianceRules(p, facts({ files: [file("src/a.ts"), file("logo.png", { patch: undefined, additions: 0, changes: 0 }), file("big.json", { patch: undefined, additions: 90000 })] }));
    expect(rules).toEqual([
      {
        id: "compliance.no_secrets",
        status: "pass",
        message:
          "No well-known secret formats in added lines. 2 files have no patch to scan (binary or too large): `logo.png`, `big.json`; a human must look at them and approve (`compliance.no_secrets.unscanned`).",
      },
    ]);
  });

  it("fails with file:line and kind, never the value", () => {
    const token = SAMPLES.github_token!;
    const rules = complianceRules(p, facts({ files: [file("src/config.ts", { patch: patchWith(token) }), file(".env", { patch: `@@ -0,0 +1 @@\n+AWS=${SAMPLES.aws_access_key}` })] }));
    expect(rules).toEqual([
      {
        id: "compliance.no_secrets",
        status: "fail",
        message: "Possible secrets added: GitHub token at `src/config.ts:12`, AWS access key ID at `.env:1`.",
        fix: "Revoke and rotate each secret now (it is public to anyone who can read this PR), then remove it from every commit of the branch and force-push.",
        locations: [
          { path: "src/config.ts", line: 12, message: "Possible GitHub token added here; the value is not shown." },
          { path: ".env", line: 1, message: "Possible AWS access key ID added here; the value is not shown." },
        ],
      },
    ]);
    const text = JSON.stringify(rules);
    for (const sample of Object.values(SAMPLES)) expect(text).not.toContain(sample.slice(4, 20));
  });
});

describe("unscannedFiles", () => {
  const none = { patch: undefined, additions: 0, deletions: 0, changes: 0 };
  it.each([
    ["a binary file added", file("cert.p12", { ...none, status: "added", sha: "1".repeat(40) }), true],
    ["a binary file changed", file("logo.png", { ...none, sha: "2".repeat(40) }), true],
    ["a diff too large to show", file("dist/app.js", { patch: undefined, additions: 90000, changes: 90000 }), true],
    ["a rename without a patch (a binary file renamed and changed is listed the same)", file("new/key.der", { ...none, status: "renamed", previous_filename: "old/key.der" }), true],
    ["a file listed without its blob SHA", file("data.bin", { ...none, status: "added" }), true],
    ["a file with a patch", file("src/a.ts"), false],
    ["a deletion", file("old.bin", { ...none, status: "removed" }), false],
    ["an empty file", file("pkg/__init__.py", { ...none, status: "added", sha: EMPTY_BLOB_SHA }), false],
  ])("%s → %s", (_what, f, unscanned) => {
    expect(unscannedFiles([f])).toEqual(unscanned ? [f] : []);
  });
});

describe("compliance.no_secrets: files the scan could not read need a human (fails closed)", () => {
  const blob = file("assets/keystore.p12", { status: "added", patch: undefined, additions: 0, deletions: 0, changes: 0, sha: "3".repeat(40) });
  const noReview = policy({ reviewers: { required: 0 }, compliance: { no_secrets: true } });
  const run = (f: PullFacts, p = noReview) => evaluate({ policy: p, facts: f, now: NOW, verdict: copilot });

  it("waits for an approval from `reviewers.from`, even when the policy asks for no review, naming the file", () => {
    const e = run(facts({ files: [file("src/a.ts"), blob] }));
    expect(e.outcome).toBe("waiting");
    expect(e.conclusion).toBe("action_required");
    expect(e.title).toBe("Waiting for 1 human approval");
    expect(e.rules.find((r) => r.id === "compliance.no_secrets.unscanned")).toEqual({
      id: "compliance.no_secrets.unscanned",
      status: "pending",
      message: "Changes to files the secret scan could not read (`assets/keystore.p12`): 0/1 approvals; needs 1 more approval from anyone with write permission or above.",
      fix: "An eligible reviewer approves the latest commit (a review, or `/governance approve`).",
      locations: [{ path: "assets/keystore.p12", message: "Needs approval: 1 more approval from anyone with write permission or above." }],
    });
    expect(e.required.map((r) => r.rule)).toEqual(["compliance.no_secrets.unscanned"]);
  });

  it("passes once an eligible human approves the head commit", () => {
    const e = run(facts({ files: [blob], reviews: [review("alice", "APPROVED", "2025-06-01T11:00:00Z")] }));
    expect(e.outcome).toBe("passed");
    expect(e.approvals.map((a) => [a.login, a.counted_for])).toEqual([["alice", ["compliance.no_secrets.unscanned"]]]);
  });

  it("takes the people named in `reviewers.from`, and never a stale approval, even with `stale_on_push: false`", () => {
    const named = policy({ reviewers: { required: 0, from: { users: ["bob"] }, stale_on_push: false }, compliance: { no_secrets: true } });
    const stale = run(facts({ files: [blob], reviews: [review("bob", "APPROVED", "2025-06-01T11:00:00Z", OLD)] }), named);
    expect(stale.outcome).toBe("waiting");
    expect(stale.required[0]).toMatchObject({ rule: "compliance.no_secrets.unscanned", users: ["bob"], have: 0 });
    const other = run(facts({ files: [blob], reviews: [review("alice", "APPROVED", "2025-06-01T11:00:00Z")] }), named);
    expect(other.outcome).toBe("waiting");
    expect(run(facts({ files: [blob], reviews: [review("bob", "APPROVED", "2025-06-01T11:00:00Z")] }), named).outcome).toBe("passed");
  });

  it("asks nothing when `no_secrets` is off, or for deletions and empty files", () => {
    expect(run(facts({ files: [blob] }), policy({ reviewers: { required: 0 } })).outcome).toBe("passed");
    const harmless = [file("gone.bin", { status: "removed", patch: undefined }), file("a/__init__.py", { status: "added", patch: undefined, additions: 0, changes: 0, sha: EMPTY_BLOB_SHA })];
    expect(run(facts({ files: harmless })).outcome).toBe("passed");
  });

  it("never passes a PR with a file it could not scan unless someone approved it (property)", () => {
    const shape = fc.record({
      filename: fc.constantFrom("a.bin", "src/b.ts", "dist/c.js", "d/e.png", "f"),
      status: fc.constantFrom("added", "modified", "removed", "renamed", "copied", "changed"),
      patch: fc.option(fc.constantFrom("@@ -1 +1 @@\n+clean", "", "@@ -0,0 +1 @@\n+x"), { nil: undefined }),
      additions: fc.option(fc.nat(100000), { nil: undefined }),
      changes: fc.option(fc.nat(100000), { nil: undefined }),
      sha: fc.option(fc.constantFrom(EMPTY_BLOB_SHA, "4".repeat(40)), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(shape, { maxLength: 6 }), (files) => {
        const fs = files.map((f) => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) as unknown as FileFacts);
        const e = run(facts({ files: fs }));
        const blind = fs.some((f) => !f.patch && f.status !== "removed" && f.sha !== EMPTY_BLOB_SHA);
        expect(e.outcome).toBe(blind ? "waiting" : "passed");
      }),
    );
  });
});

describe("addedLines", () => {
  it("numbers added lines in the new file across hunks", () => {
    const patch = "@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n\\ No newline at end of file\n@@ -20 +20,2 @@\n x\n+y";
    expect(addedLines(patch)).toEqual([
      { line: 2, text: "B" },
      { line: 21, text: "y" },
    ]);
  });
  it("returns nothing for a missing patch", () => {
    expect(addedLines(undefined)).toEqual([]);
  });
});

describe("text cut for a message is masked before it is cut (a cut token would no longer look like one)", () => {
  const TOKEN = ["ghp", "_", "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"].join("");
  it("a commit subject and a title whose token straddles the cut", () => {
    const e = evaluate({
      policy: policy({ compliance: { signed_commits: true, title_pattern: "^feat: " } }),
      facts: facts({ pull: { title: `${"t".repeat(180)} ${TOKEN}` }, commits: [commit(HEAD, `${"x".repeat(36)} ${TOKEN}`)] }),
      now: NOW,
      verdict: copilot,
    });
    const text = JSON.stringify(e.rules);
    expect(text).not.toContain(TOKEN.slice(0, 12));
    expect(text).toContain("[redacted GitHub token]");
  });
  it("an override reason and a quoted command word", () => {
    const reason = `${"r".repeat(280)} ${TOKEN}`;
    const f = facts({ comments: [{ id: 1, user: { login: "bob", type: "User" }, body: `/governance override ${reason}`, created_at: "2025-06-01T11:00:00Z" }], permissions: { bob: "admin" } });
    const e = evaluate({ policy: policy(), facts: f, now: NOW, verdict: copilot });
    expect(JSON.stringify(e.overrides)).not.toContain(TOKEN.slice(0, 12));
    expect(helpReply({ name: "unknown", word: `${"w".repeat(20)}-${TOKEN}`, args: "" } as never, 1)).not.toContain(TOKEN.slice(0, 8));
  });
});
