import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parsePolicy } from "../../src/config/load.js";
import { evaluate } from "../../src/policy/evaluate.js";
import { copilot, dependabot, facts, file, NOW } from "../policy/build.js";

const load = (name: string) => {
  const r = parsePolicy(readFileSync(new URL(`../../examples/${name}`, import.meta.url), "utf8"), `examples/${name}`);
  if (!r.ok) throw new Error(r.problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}`).join("\n"));
  return r.policy;
};

describe("examples/", () => {
  it.each(["strict.yml", "balanced.yml", "report-only.yml"])("%s validates", (name) => {
    expect(() => load(name)).not.toThrow();
  });

  // One agent PR with no issue link, a code change without tests and a new lockfile, evaluated by each policy.
  const pr = facts({ pull: { body: "Tidies the parser." }, files: [file("src/parser.ts"), file("package-lock.json")] });

  it.each([
    ["strict.yml", copilot, "violation", "failure"],
    ["balanced.yml", copilot, "violation", "failure"],
    ["report-only.yml", copilot, "violation", "neutral"],
    ["balanced.yml", dependabot, "violation", "failure"],
  ] as const)("%s on a %s PR: %s, %s", (name, verdict, outcome, conclusion) => {
    const e = evaluate({ policy: load(name), facts: pr, now: NOW, verdict });
    expect({ outcome: e.outcome, conclusion: e.conclusion }).toEqual({ outcome, conclusion });
  });

  it("strict.yml asks a third maintainer for an agent PR into a release branch, and only there", () => {
    const into = (ref: string) => facts({ pull: { body: "Fixes #1", base: { ref } }, files: [file("src/parser.ts")] });
    const needed = (ref: string) => evaluate({ policy: load("strict.yml"), facts: into(ref), now: NOW, verdict: copilot }).required.find((r) => r.rule === "reviewers")?.needed;
    expect(needed("release/2.4")).toBe(3);
    expect(needed("main")).toBe(2);
  });

  it("balanced.yml asks dependency bots only for the dependency group's approval", () => {
    const bump = facts({ pull: { body: "Bumps x." }, files: [file("package-lock.json")] });
    const e = evaluate({ policy: load("balanced.yml"), facts: bump, now: NOW, verdict: dependabot });
    expect(e.rules.map((r) => [r.id, r.status])).toEqual([
      ["compliance.dependencies", "pending"],
      ["paths.forbidden", "pass"],
      ["paths.limits", "pass"],
      ["compliance.tests_with_code", "pass"],
      ["compliance.required_checks", "pending"],
      ["compliance.no_secrets", "pass"],
      ["compliance.install_scripts", "pass"],
    ]);
  });
});
