import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { parsePolicy } from "../../src/config/load.js";
import { PolicySchema, policyJsonSchema } from "../../src/config/schema.js";
import { INSTALL_SCRIPTS } from "../../src/policy/supply-chain.js";

type Def = { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType; innerType?: z.ZodType; in?: z.ZodType; options?: z.ZodType[] };
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Every option of the policy, as a dotted path (`[]` for a list's entries), from the zod schema. */
function optionPaths(schema: z.ZodType = PolicySchema, prefix = ""): string[] {
  const def = defOf(schema);
  if (["optional", "default", "prefault", "nullable", "readonly"].includes(def.type)) return optionPaths(def.innerType!, prefix);
  if (def.type === "pipe") return optionPaths(def.in!, prefix);
  if (def.type === "array") {
    const inner = optionPaths(def.element!, `${prefix}[]`);
    return inner.filter((p) => p !== `${prefix}[]`);
  }
  if (def.type === "object") {
    const out: string[] = [];
    for (const [k, v] of Object.entries(def.shape!)) {
      const path = prefix ? `${prefix}.${k}` : k;
      out.push(path, ...optionPaths(v, path));
    }
    return out;
  }
  return [];
}

const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const section = (name: string) => {
  const m = new RegExp(`<!-- section:${name} -->([\\s\\S]*?)<!-- /section:${name} -->`).exec(README);
  return m?.[1] ?? "";
};

describe("README configuration reference", () => {
  const text = section("config");
  // An `overrides` entry and the `floor` take the base's sections, documented once: only their own keys are listed.
  const documented = optionPaths().filter((p) => p !== "$schema" && !/^(overrides\[\]|floor)\.[a-z_]+\./.test(p));
  it.each(documented)("documents `%s`", (path) => {
    expect(text).toContain(`\`${path}\``);
  });
  it("has only YAML examples that are valid policies", () => {
    const blocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g), ...section("first-policy").matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(10);
    for (const block of blocks) {
      const r = parsePolicy(block, "README.md");
      expect(r.ok ? [] : r.problems.map((p) => `${p.message}\n${block}`)).toEqual([]);
    }
  });
});

describe("compliance.install_scripts", () => {
  const names = INSTALL_SCRIPTS.map((n) => `\`${n}\``);
  it("the schema's description lists exactly the scripts the rule checks", () => {
    const compliance = (policyJsonSchema().properties as Record<string, { properties: Record<string, { description: string }> }>).compliance!;
    expect(compliance.properties.install_scripts!.description).toContain(`npm lifecycle scripts (${names.join(", ")}) and`);
  });
  it("the README lists them too", () => {
    const row = section("config").split("\n").find((l) => l.startsWith("| `compliance.install_scripts` |"))!;
    expect(row).toContain(`${names.slice(0, -1).join(", ")} or ${names.at(-1)}`);
  });
});

describe("README limits", () => {
  const text = section("config");
  const ok = (policy: unknown) => parsePolicy(JSON.stringify(policy), "policy.yml").ok;
  const times = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
  const group = (required = 1) => ({ paths: ["a/**"], reviewers: { users: ["u"], required } });

  // The README row, the limit, and a policy of size n: accepted at the limit, refused one past it.
  it.each([
    ["| a glob | 300 characters;", 300, (n: number) => ({ paths: { forbidden: ["a".repeat(n)] } })],
    ["braces that expand to at most 32 patterns", 32, (n: number) => ({ paths: { forbidden: [`{${times(n, (i) => `d${i}`).join(",")}}/**`] } })],
    ["at most 4 `**` segments", 4, (n: number) => ({ paths: { forbidden: [times(n, () => "**").join("/a/")] } })],
    ["| 200 globs |", 200, (n: number) => ({ paths: { forbidden: times(n, (i) => `d${i}/**`) } })],
    ["| `paths.restricted` | 100 groups |", 100, (n: number) => ({ paths: { restricted: times(n, () => group()) } })],
    ["| `escalation.tiers` | 10 tiers |", 10, (n: number) => ({ escalation: { tiers: times(n, (i) => ({ after: `${i + 1}h`, notify: ["u"] })) } })],
    ["| `overrides` | 50 entries |", 50, (n: number) => ({ overrides: times(n, () => ({ agents: ["copilot"] })) })],
    ["| `required` (approvals) | at most 50.", 50, (n: number) => ({ reviewers: { required: n } })],
    ["| `required` (approvals) | at most 50.", 50, (n: number) => ({ paths: { restricted: [group(n)] } })],
    ["| `compliance.title_pattern` | 200 characters;", 200, (n: number) => ({ compliance: { title_pattern: "a".repeat(n) } })],
  ] as const)("%s (%i)", (row, limit, build) => {
    expect(text).toContain(row);
    expect(ok(build(limit))).toBe(true);
    expect(ok(build(limit + 1))).toBe(false);
  });

  it("`reviewers.required` may be 0; a restricted or dependency group's `required` may not", () => {
    expect(text).toContain("`reviewers.required` may be 0 (no approval needed); in a `paths.restricted` group and in `compliance.dependencies.reviewers` it is at least 1");
    expect(ok({ reviewers: { required: 0 } })).toBe(true);
    expect(ok({ paths: { restricted: [group(0)] } })).toBe(false);
    expect(ok({ compliance: { dependencies: { reviewers: { users: ["u"], required: 0 } } } })).toBe(false);
    expect(ok({ compliance: { dependencies: { reviewers: { users: ["u"], required: 1 } } } })).toBe(true);
  });
});
