import fc from "fast-check";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { evaluate } from "../../src/policy/evaluate.js";
import { secretsOn, unpinnedReason, workflowFindings, workflowRiskRule, workflowsToRead } from "../../src/policy/workflow-risk.js";
import type { FileFacts } from "../../src/types.js";
import { changed, copilot, created, facts, file, NOW, policy } from "./build.js";

/** The findings of one file, as `line what`. */
const found = (f: FileFacts, head: string | null = null, trusted?: string[]) => workflowFindings(f, head, trusted).map((x) => `${x.line} ${x.what}`);

const CI = `name: CI
on:
  pull_request:
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 22
      - run: npm ci && npm test
`;

describe("compliance.workflow_risk: permissions", () => {
  it("write-all at the top, from the head text and from the patch", () => {
    const head = CI.replace("permissions:\n  contents: read", "permissions: write-all");
    const f = changed(".github/workflows/ci.yml", "@@ -3,4 +3,3 @@\n   pull_request:\n-permissions:\n-  contents: read\n+permissions: write-all\n jobs:");
    expect(found(f, head)).toEqual(["4 `permissions: write-all`"]);
    expect(found(f)).toEqual(["4 `permissions: write-all`"]);
  });

  it("a job's contents and id-token write, written as a flow mapping (only the parsed file sees it)", () => {
    const head = CI.replace("    runs-on: ubuntu-latest\n", "    runs-on: ubuntu-latest\n    permissions: { contents: write, id-token: write, pull-requests: write }\n");
    const f = changed(".github/workflows/ci.yml", "@@ -7,3 +7,4 @@\n   test:\n     runs-on: ubuntu-latest\n+    permissions: { contents: write, id-token: write, pull-requests: write }\n     steps:");
    expect(found(f, head)).toEqual(["9 `contents: write`", "9 `id-token: write`"]);
    expect(found(f)).toEqual([]);
  });

  it("a workflow GitHub gave no patch for: everything in the head text counts (what changed is unknown)", () => {
    const head = CI.replace("contents: read", "contents: write").replace("actions/setup-node@v4", "acme/setup-node@v4");
    expect(found(changed(".github/workflows/ci.yml", undefined, { additions: 4000 }), head)).toEqual(["5 `contents: write`", "11 `acme/setup-node@v4`"]);
  });

  it("a write scope the PR leaves alone is not raised by it", () => {
    const head = CI.replace("contents: read", "contents: write").replace("node-version: 22", "node-version: 24");
    const f = changed(".github/workflows/ci.yml", "@@ -11,3 +11,3 @@\n       - uses: actions/setup-node@v4\n         with:\n-          node-version: 22\n+          node-version: 24");
    expect(found(f, head)).toEqual([]);
  });

  it("read scopes are fine", () => {
    const f = changed(".github/workflows/ci.yml", "@@ -4,2 +4,3 @@\n permissions:\n   contents: read\n+  pull-requests: read");
    expect(found(f, CI.replace("contents: read", "contents: read\n  pull-requests: read"))).toEqual([]);
  });
});

const PRT = `name: Preview
on:
  pull_request_target:
    types: [opened, synchronize]
jobs:
  preview:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: \${{ github.event.pull_request.head.sha }}
      - run: npm ci && npm run build
      - run: ./deploy-preview.sh
        env:
          TOKEN: \${{ secrets.PREVIEW_TOKEN }}
`;

describe("compliance.workflow_risk: pull_request_target with the PR's code", () => {
  it("a new workflow that checks out the PR head under pull_request_target", () => {
    expect(found(created(".github/workflows/preview.yml", PRT), PRT)).toEqual([
      "11 `pull_request_target` with a checkout of the PR's code",
      "15 `secrets.PREVIEW_TOKEN`",
    ]);
  });

  it("a checkout ref added to a pull_request_target workflow whose trigger is unchanged", () => {
    const f = changed(".github/workflows/preview.yml", "@@ -9,2 +9,4 @@\n       - uses: actions/checkout@v4\n+        with:\n+          ref: ${{ github.event.pull_request.head.sha }}\n       - run: npm ci && npm run build");
    expect(found(f, PRT)).toEqual(["11 `pull_request_target` with a checkout of the PR's code"]);
  });

  it("`gh pr checkout` in a run step of a workflow_run workflow", () => {
    const head = "on:\n  workflow_run:\n    workflows: [CI]\n    types: [completed]\njobs:\n  report:\n    runs-on: ubuntu-latest\n    steps:\n      - run: gh pr checkout ${{ github.event.workflow_run.pull_requests[0].number }}\n";
    expect(found(created(".github/workflows/report.yml", head), head)).toEqual(["9 `workflow_run` with a checkout of the PR's code"]);
  });

  it("pull_request_target checking out the base (the default) is not flagged, nor pull_request checking out the head", () => {
    const base = PRT.replace("        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n", "").replace(/ {8}env:\n.*\n/, "");
    expect(found(created(".github/workflows/label.yml", base), base)).toEqual([]);
    const pr = PRT.replace("pull_request_target", "pull_request").replace(/ {8}env:\n.*\n/, "");
    expect(found(created(".github/workflows/preview.yml", pr), pr)).toEqual([]);
  });
});

describe("compliance.workflow_risk: actions not pinned to a commit", () => {
  it.each([
    ["tj-actions/changed-files@v45", "not pinned to a full commit SHA"],
    ["tj-actions/changed-files@main", "not pinned to a full commit SHA"],
    ["tj-actions/changed-files@48d8f15b", "not pinned to a full commit SHA"],
    ["tj-actions/changed-files@48d8f15b2aaa3d255ca5af3eba4870f807ce6b3c", null],
    ["acme/deploy/.github/workflows/deploy.yml@v1", "not pinned to a full commit SHA"],
    ["actions/checkout@v4", null],
    ["github/codeql-action/init@v3", null],
    ["Actions/Checkout@v4", null],
    ["./.github/actions/setup", null],
    ["docker://alpine:3.20", "a Docker image not pinned to a digest"],
    [`docker://alpine@sha256:${"a".repeat(64)}`, null],
  ])("%s → %s", (uses, reason) => {
    expect(unpinnedReason(uses, (r) => ["actions/checkout", "github/codeql-action"].includes(r))).toBe(reason);
  });

  it("a step, a reusable workflow and a composite action's step", () => {
    const wf = changed(".github/workflows/ci.yml", "@@ -10,2 +10,4 @@\n       - uses: actions/checkout@v4\n+      - uses: tj-actions/changed-files@v45\n+      - uses: aquasecurity/trivy-action@0.24.0\n       - uses: actions/setup-node@v4");
    expect(found(wf)).toEqual(["11 `tj-actions/changed-files@v45`", "12 `aquasecurity/trivy-action@0.24.0`"]);
    const reusable = "on: push\njobs:\n  deploy:\n    uses: acme/platform/.github/workflows/deploy.yml@main\n    secrets: inherit\n";
    expect(found(created(".github/workflows/deploy.yml", reusable), reusable)).toEqual(["4 `acme/platform/.github/workflows/deploy.yml@main`", "5 every secret (`secrets: inherit` / `toJSON(secrets)`)"]);
    const action = "name: setup\nruns:\n  using: composite\n  steps:\n    - uses: pnpm/action-setup@v4\n    - run: pnpm install\n      shell: bash\n";
    expect(found(created(".github/actions/setup/action.yml", action), action)).toEqual(["5 `pnpm/action-setup@v4`"]);
  });

  it("trusted_actions: only the globs the policy names need no pin", () => {
    const wf = changed(".github/workflows/ci.yml", "@@ -10,1 +10,2 @@\n       - uses: actions/checkout@v4\n+      - uses: acme/setup@v2");
    expect(found(wf, null, ["acme/*"])).toEqual([]);
    expect(found(changed(".github/workflows/ci.yml", "@@ -10,0 +10,1 @@\n+      - uses: actions/checkout@v4"), null, [])).toEqual(["10 `actions/checkout@v4`"]);
  });

  it("an unpinned action the PR only moves (its line unchanged in the parsed file) is not flagged", () => {
    const head = CI.replace("      - uses: actions/setup-node@v4", "      - uses: acme/cache@v1\n      - uses: actions/setup-node@v4");
    const f = changed(".github/workflows/ci.yml", "@@ -13,2 +13,3 @@\n           node-version: 22\n+      - name: test\n       - run: npm ci && npm test");
    expect(found(f, head)).toEqual([]);
  });
});

describe("compliance.workflow_risk: secrets", () => {
  it.each([
    ["token: ${{ secrets.NPM_TOKEN }}", ["NPM_TOKEN"]],
    ["token: ${{ secrets['NPM_TOKEN'] }}", ["NPM_TOKEN"]],
    ["token: ${{ secrets.GITHUB_TOKEN }}", []],
    ["ALL: ${{ toJSON(secrets) }}", ["*"]],
    ["    secrets: inherit", ["*"]],
    ["# uses secrets.OLD_TOKEN", []],
  ])("%s → %j", (line, names) => {
    expect(secretsOn(line)).toEqual(names);
  });

  it("a new secret reference is flagged; one moved within the file, or already used elsewhere in it, is not", () => {
    const added = changed(".github/workflows/release.yml", "@@ -20,2 +20,4 @@\n       - run: npm publish\n+        env:\n+          NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}");
    expect(found(added)).toEqual(["22 `secrets.NPM_TOKEN`"]);
    const moved = changed(".github/workflows/release.yml", "@@ -20,3 +20,3 @@\n-          NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}\n+          NPM_TOKEN: ${{ secrets.NPM_TOKEN }}");
    expect(found(moved)).toEqual([]);
    const head = "jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: x\n        env: { T: '${{ secrets.NPM_TOKEN }}' }\n      - run: y\n        env: { T: '${{ secrets.NPM_TOKEN }}' }\n";
    const again = changed(".github/workflows/release.yml", "@@ -6,1 +6,3 @@\n         env: { T: '${{ secrets.NPM_TOKEN }}' }\n+      - run: y\n+        env: { T: '${{ secrets.NPM_TOKEN }}' }");
    expect(found(again, head)).toEqual([]);
  });
});

describe("compliance.workflow_risk: self-hosted runners", () => {
  it.each([
    ["runs-on: self-hosted", ["8 `runs-on: self-hosted`"]],
    ["runs-on: [self-hosted, linux, x64]", ["8 `runs-on: self-hosted`"]],
    ["runs-on:\n      labels: [self-hosted, gpu]", ["9 `runs-on: self-hosted`"]],
    ["runs-on:\n      - self-hosted\n      - arm64", ["9 `runs-on: self-hosted`"]],
    ["runs-on: ubuntu-24.04", []],
    ["runs-on: ${{ matrix.os }}", []],
  ])("%s → %j, from the parsed file and from the patch alone", (runsOn, expected) => {
    const head = CI.replace("runs-on: ubuntu-latest", runsOn);
    const lines = runsOn.split("\n");
    const patch = `@@ -8,1 +8,${lines.length} @@\n-    runs-on: ubuntu-latest\n${lines.map((l) => `+    ${l}`).join("\n")}`;
    expect(found(changed(".github/workflows/ci.yml", patch), head)).toEqual(expected);
    expect(found(changed(".github/workflows/ci.yml", patch))).toEqual(expected);
  });
});

describe("compliance.workflow_risk as a rule", () => {
  const on = policy({ reviewers: { required: 0 }, compliance: { workflow_risk: true } });
  const risky = changed(".github/workflows/ci.yml", "@@ -10,1 +10,2 @@\n       - uses: actions/checkout@v4\n+      - uses: tj-actions/changed-files@v45");

  it("fails with file:line evidence and a fix", () => {
    const r = workflowRiskRule(on, facts({ files: [risky] })).rule!;
    expect(r).toEqual({
      id: "compliance.workflow_risk",
      status: "fail",
      message: "Risky workflow changes: `tj-actions/changed-files@v45` at `.github/workflows/ci.yml:11`.",
      fix: expect.stringContaining("Pin actions to a full commit SHA"),
      locations: [
        { path: ".github/workflows/ci.yml", line: 11, message: "`tj-actions/changed-files@v45` is not pinned to a full commit SHA: whoever controls the tag or branch controls what runs here." },
      ],
    });
  });

  it("passes, saying how many files it read; says so when none changed", () => {
    expect(workflowRiskRule(on, facts({ files: [changed(".github/workflows/ci.yml", "@@ -13 +13 @@\n-          node-version: 22\n+          node-version: 24")] })).rule).toEqual({
      id: "compliance.workflow_risk",
      status: "pass",
      message: "No risky changes in 1 workflow or action file.",
    });
    expect(workflowRiskRule(on, facts({ files: [file("src/a.ts")] })).rule?.message).toBe("No workflow or action files changed.");
  });

  it("a workflow with neither a patch nor a head text fails as unreadable", () => {
    expect(workflowRiskRule(on, facts({ files: [changed(".github/workflows/big.yml", undefined)] })).rule?.message).toBe(
      "Risky workflow changes: `.github/workflows/big.yml` (not readable) at `.github/workflows/big.yml:1`.",
    );
  });

  it("with reviewers, waits for that group (here a maintainer's approval covers the steering-file group as well)", () => {
    const gated = policy({ reviewers: { required: 0 }, compliance: { workflow_risk: { reviewers: { teams: ["acme/platform"] } } } });
    const e = evaluate({ policy: gated, facts: facts({ files: [risky] }), now: NOW, verdict: copilot });
    expect(e.required.map((r) => r.rule)).toEqual(["paths.agent_files", "compliance.workflow_risk"]);
    expect(e.rules.find((r) => r.id === "compliance.workflow_risk")).toMatchObject({
      status: "pending",
      message: "Risky workflow changes (`tj-actions/changed-files@v45` at `.github/workflows/ci.yml:11`): 0/1 approvals; needs 1 more approval from @acme/platform.",
    });
  });

  it("reads only changed workflow and action YAML, and none when off", () => {
    const f = facts({ files: [risky, changed(".github/actions/setup/action.yaml", ""), changed(".github/workflows/README.md", ""), changed(".github/workflows/old.yml", "", { status: "removed" })] });
    expect(workflowsToRead(on, f)).toEqual([".github/workflows/ci.yml", ".github/actions/setup/action.yaml"]);
    expect(workflowsToRead(policy(), f)).toEqual([]);
  });
});

describe("pathological input", () => {
  it("stays linear on long hostile lines, parsed and from the patch", () => {
    const long = (s: string) => s.repeat(30_000);
    const run = `on: pull_request_target\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: "${long("git fetch ")}"\n      - run: "${long("secrets['")}"\n`;
    const nested = `on: push\njobs: ${long("[")}`;
    for (const [text, head] of [[run, run], [run, null], [nested, nested]] as const) {
      const start = performance.now();
      workflowFindings(created(".github/workflows/x.yml", text), head);
      expect(performance.now() - start).toBeLessThan(2000);
    }
  });
});

// ---------------------------------------------------------------------------
// Properties

const USES = ["actions/checkout@v4", "acme/tool@v1", "acme/tool@main", `acme/tool@${"b".repeat(40)}`, "./local/action", "docker://node:22", "github/codeql-action/init@v3"];
const expectedUnpinned = (u: string) => ["acme/tool@v1", "acme/tool@main", "docker://node:22"].includes(u);

const workflow = fc.record({
  jobs: fc.array(fc.array(fc.constantFrom(...USES), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }),
  flow: fc.boolean(),
});

describe("properties", () => {
  it("a new workflow: the unpinned actions are found from the parsed file, and (block style) from the patch alone", () => {
    fc.assert(
      fc.property(workflow, ({ jobs, flow }) => {
        const doc = { on: "push", jobs: Object.fromEntries(jobs.map((steps, i) => [`j${i}`, { "runs-on": "ubuntu-latest", steps: steps.map((uses) => ({ uses })) }])) };
        const text = stringify(doc, { collectionStyle: flow ? "flow" : "block" });
        const f = created(".github/workflows/gen.yml", text);
        const want = jobs.flat().filter(expectedUnpinned).map((u) => `\`${u}\``).sort();
        expect(workflowFindings(f, text).map((x) => x.what).sort()).toEqual(want);
        if (!flow) expect(workflowFindings(f, null).map((x) => x.what).sort()).toEqual(want);
      }),
    );
  });

  it("a finding's line always names what it found", () => {
    fc.assert(
      fc.property(workflow, ({ jobs }) => {
        const text = stringify({ on: "push", jobs: Object.fromEntries(jobs.map((steps, i) => [`j${i}`, { "runs-on": "self-hosted", steps: steps.map((uses) => ({ uses })) }])) });
        const lines = text.split("\n");
        for (const x of workflowFindings(created(".github/workflows/gen.yml", text), text)) {
          const name = x.what.includes("self-hosted") ? "self-hosted" : x.what.slice(1, -1);
          expect(lines[x.line - 1]).toContain(name);
        }
      }),
    );
  });
});
