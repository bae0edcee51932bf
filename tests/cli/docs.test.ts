/** The docs' policies validate with the built CLI, and the CI workflow they show is sound. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { cli, ROOT, tempDir } from "./run.js";

const POLICY_MARK = "# .github/agent-governance.yml";

/** Fenced ```yaml blocks of a Markdown file, unindented. */
function yamlBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  for (const m of markdown.matchAll(/^( *)```yaml\n([\s\S]*?)^\1```$/gm)) {
    const indent = m[1]!.length;
    blocks.push(m[2]!.split("\n").map((l) => l.slice(indent)).join("\n"));
  }
  return blocks;
}

const docs = [
  ...readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => join("docs", f)),
  "README.md",
];
const policies = docs.flatMap((file) =>
  yamlBlocks(readFileSync(join(ROOT, file), "utf8"))
    .filter((b) => b.startsWith(POLICY_MARK))
    .map((text, i) => ({ name: `${file.replace(/[/.]/g, "-")}-${i + 1}.yml`, text })),
);

describe("docs", () => {
  it("has policies to check", () => {
    expect(policies.length).toBeGreaterThanOrEqual(4);
  });

  it("every policy in the docs passes `validate`", () => {
    const dir = tempDir(Object.fromEntries(policies.map((p) => [p.name, p.text])));
    const r = cli(["validate", ...policies.map((p) => p.name)], { cwd: dir });
    expect(r.stdout).toBe(policies.map((p) => `${p.name}: valid\n`).join(""));
    expect(r.code).toBe(0);
  });

  it("the CI workflow runs `validate` on PRs that change the policy file", () => {
    const block = yamlBlocks(readFileSync(join(ROOT, "docs", "validate-in-ci.md"), "utf8"))[0]!;
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
