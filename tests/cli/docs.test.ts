/** Every policy in the docs (README.md, docs/*.md) validates with the built CLI, and the CI workflow they show is sound. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { cli, ROOT, tempDir } from "./run.js";

/** Written on the line before a ```yaml block that is not a policy (a workflow, a Kubernetes manifest). */
const NOT_A_POLICY = "<!-- not a policy -->";

interface YamlBlock {
  /** 1-based line of the opening fence. */
  line: number;
  text: string;
  policy: boolean;
}

/** Fenced ```yaml blocks of a Markdown file, unindented; `policy` is false when marked NOT_A_POLICY. */
function yamlBlocks(markdown: string): YamlBlock[] {
  const blocks: YamlBlock[] = [];
  for (const m of markdown.matchAll(/^( *)```yaml\n([\s\S]*?)^\1```$/gm)) {
    const indent = m[1]!.length;
    const before = markdown.slice(0, m.index).split("\n");
    const previous = before.slice(0, -1).reverse().find((l) => l.trim() !== "") ?? "";
    blocks.push({
      line: before.length,
      text: m[2]!.split("\n").map((l) => l.slice(indent)).join("\n"),
      policy: previous.trim() !== NOT_A_POLICY,
    });
  }
  return blocks;
}

const docs = [
  ...readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => join("docs", f)),
  "README.md",
];
const blocks = docs.flatMap((file) => yamlBlocks(readFileSync(join(ROOT, file), "utf8")).map((b) => ({ file, ...b })));
const policies = blocks
  .filter((b) => b.policy)
  .map((b) => ({ name: `${b.file.replace(/[/.]/g, "-")}-line-${b.line}.yml`, text: b.text }));

describe("docs", () => {
  it("has policies to check, and marks only non-policies as such", () => {
    expect(policies.length).toBeGreaterThanOrEqual(18);
    // By file and first line: the CI workflow and its extra step, the Kubernetes probes.
    expect(blocks.filter((b) => !b.policy).map((b) => `${b.file}: ${b.text.split("\n")[0]!.trim()}`).sort()).toEqual([
      "docs/operate.md: livenessProbe:  { httpGet: { path: /healthz, port: 3000 }, periodSeconds: 30 }",
      "docs/validate-in-ci.md: - name: Backtest against saved PRs",
      "docs/validate-in-ci.md: name: agent-governance policy",
    ]);
  });

  it("every YAML block in the docs not marked `<!-- not a policy -->` passes `validate`", () => {
    const dir = tempDir(Object.fromEntries(policies.map((p) => [p.name, p.text])));
    const r = cli(["validate", ...policies.map((p) => p.name)], { cwd: dir });
    expect(r.stdout).toBe(policies.map((p) => `${p.name}: valid\n`).join(""));
    expect(r.code).toBe(0);
  });

  it("the CI workflow runs `validate` on PRs that change the policy file", () => {
    const block = yamlBlocks(readFileSync(join(ROOT, "docs", "validate-in-ci.md"), "utf8"))[0]!.text;
    const wf = parse(block) as {
      on: { pull_request: { paths: string[] } };
      permissions: Record<string, string>;
      jobs: Record<string, { steps: { run?: string }[] }>;
    };
    expect(wf.on.pull_request.paths).toEqual([".github/agent-governance.yml"]);
    expect(wf.permissions).toEqual({ contents: "read" });
    const runs = Object.values(wf.jobs).flatMap((j) => j.steps.map((s) => s.run ?? ""));
    expect(runs.some((r) => /bin\/agent-governance\.js validate --format github \.github\/agent-governance\.yml$/.test(r))).toBe(true);
  });

  // Relative links from docs/, split: examples/ is written in the policy issue and may not exist yet.
  const links = docs
    .filter((f) => f.startsWith("docs/"))
    .flatMap((file) => [...readFileSync(join(ROOT, file), "utf8").matchAll(/\]\((?!https?:)([^)#]+)/g)].map((m) => ({ file, target: m[1]! })));
  const exists = (target: string) => existsSync(join(ROOT, "docs", target));
  const examplesWritten = readdirSync(join(ROOT, "examples")).length > 0;

  it("links only to files that exist", () => {
    const other = links.filter((l) => !l.target.startsWith("../examples/"));
    expect(other.length).toBeGreaterThan(0);
    expect(other.filter((l) => !exists(l.target))).toEqual([]);
  });

  it.skipIf(!examplesWritten)("links to the example policies that exist", () => {
    expect(links.filter((l) => l.target.startsWith("../examples/") && !exists(l.target))).toEqual([]);
  });
});
