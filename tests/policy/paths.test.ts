import { describe, expect, it } from "vitest";
import { forbiddenRule, incompleteFilesRule, limitsRule, restrictedGroups } from "../../src/policy/paths.js";
import { facts, file, policy } from "./build.js";

describe("paths.forbidden", () => {
  const p = policy({ paths: { forbidden: ["infra/prod/**", ".github/workflows/**"] } });
  it.each([
    ["no forbidden file", [file("src/a.ts")], "pass"],
    ["a forbidden file", [file("infra/prod/main.tf")], "fail"],
    ["a file renamed out of a forbidden folder", [file("ci.yml", { status: "renamed", previous_filename: ".github/workflows/ci.yml" })], "fail"],
  ])("%s → %s", (_what, files, status) => {
    expect(forbiddenRule(p, facts({ files }))?.status).toBe(status);
  });
  it("names each file, renames as old → new, with an annotation per file", () => {
    const r = forbiddenRule(p, facts({ files: [file("infra/prod/main.tf"), file("ci.yml", { previous_filename: ".github/workflows/ci.yml" })] }));
    expect(r).toEqual({
      id: "paths.forbidden",
      status: "fail",
      message: "Changes forbidden paths: `infra/prod/main.tf`, `.github/workflows/ci.yml → ci.yml`.",
      fix: "Remove these changes from the PR, or ask an admin for `/governance override <reason>`.",
      locations: [
        { path: "infra/prod/main.tf", message: "An agent PR may not change this path (paths.forbidden)." },
        { path: "ci.yml", message: "An agent PR may not change this path (paths.forbidden)." },
      ],
    });
  });
  it("is absent when nothing is forbidden", () => {
    expect(forbiddenRule(policy(), facts())).toBeNull();
  });
});

describe("restricted groups and agent-steering files", () => {
  const p = policy({ paths: { restricted: [{ name: "migrations", paths: ["migrations/**", "**/*.sql"], reviewers: { teams: ["acme/dba"], required: 2 } }] } });
  it.each([
    ["source only", ["src/a.ts"], []],
    ["a migration", ["migrations/001.sql"], ["paths.restricted[0]"]],
    ["a workflow", [".github/workflows/ci.yml"], ["paths.agent_files"]],
    ["AGENTS.md in a subfolder", ["pkg/AGENTS.md"], ["paths.agent_files"]],
    ["copilot instructions", [".github/copilot-instructions.md"], ["paths.agent_files"]],
    ["the policy file", [".github/agent-governance.yml"], ["paths.agent_files"]],
    ["claude.md in lower case (one file to a case-insensitive file system)", ["claude.md"], ["paths.agent_files"]],
    ["Agents.md in a subfolder, mixed case", ["pkg/Agents.md"], ["paths.agent_files"]],
    ["a workflow folder in another case", [".GitHub/Workflows/ci.yml"], ["paths.agent_files"]],
    ["both", ["db/x.sql", ".mcp.json"], ["paths.restricted[0]", "paths.agent_files"]],
  ])("%s → %j", (_what, names, rules) => {
    expect(restrictedGroups(p, facts({ files: names.map((n) => file(n)) })).map((g) => g.rule)).toEqual(rules);
  });
  it("carries the group's reviewers and count", () => {
    const [g] = restrictedGroups(p, facts({ files: [file("migrations/001.sql")] }));
    expect(g).toEqual({
      rule: "paths.restricted[0]",
      label: "migrations",
      required: 2,
      set: { users: [], teams: ["acme/dba"], required: 2 },
      files: ["migrations/001.sql"],
      names: ["migrations/001.sql"],
    });
  });
  it("asks a maintainer for steering files", () => {
    const [g] = restrictedGroups(policy(), facts({ files: [file("CLAUDE.md")] }));
    expect(g).toMatchObject({ rule: "paths.agent_files", required: 1, set: { users: [], teams: [], min_permission: "maintain" } });
  });
  it("protect_agent_files: false stops protecting steering files but never the policy file", () => {
    const off = policy({ paths: { protect_agent_files: false } });
    expect(restrictedGroups(off, facts({ files: [file("CLAUDE.md")] }))).toEqual([]);
    expect(restrictedGroups(off, facts({ files: [file(".github/agent-governance.yml")] })).map((g) => g.rule)).toEqual(["paths.agent_files"]);
  });

  it("protects the files the policy was built from (policy_files) like the policy file, even with protect_agent_files: false", () => {
    const off = policy({ paths: { protect_agent_files: false } });
    const files = [file("src/a.ts"), file("policies/base.yml"), file("CLAUDE.md")];
    expect(restrictedGroups(off, facts({ files }))).toEqual([]);
    expect(restrictedGroups(off, facts({ files, policy_files: ["policies/base.yml"] }))).toEqual([
      {
        rule: "paths.agent_files",
        label: "agent-steering files",
        required: 1,
        set: { users: [], teams: [], min_permission: "maintain" },
        files: ["policies/base.yml"],
        names: ["policies/base.yml"],
      },
    ]);
  });

  it.each([
    ["renamed away", [file("old.yml", { status: "renamed", previous_filename: "policies/[base].yml" })], ["policies/[base].yml → old.yml"]],
    ["deleted", [file("policies/[base].yml", { status: "removed" })], ["policies/[base].yml"]],
    ["a name its glob reading would match instead", [file("policies/b.yml")], []],
    ["another case", [file("Policies/[base].yml")], []],
  ])("compares policy_files exactly, by old or new name: %s", (_what, files, names) => {
    const groups = restrictedGroups(policy(), facts({ files, policy_files: ["policies/[base].yml"] }));
    expect(groups.flatMap((g) => g.names)).toEqual(names);
  });

  it("answers for the policy_files of the facts asked about, not an earlier call's with the same file list", () => {
    const p = policy();
    const files = [file("policies/base.yml")];
    expect(restrictedGroups(p, facts({ files }))).toEqual([]);
    expect(restrictedGroups(p, { ...facts({ files }), files, policy_files: ["policies/base.yml"] }).map((g) => g.rule)).toEqual(["paths.agent_files"]);
  });
});

describe("every path list: `X/**` matches `X`, and case is ignored", () => {
  it.each([
    [".claude added as a symlink", [file(".claude", { status: "added" })]],
    [".github/instructions added as a symlink", [file(".github/instructions", { status: "added" })]],
    [".cursor in another case", [file(".Cursor", { status: "added" })]],
    [".github replaced by a symlink", [file(".github", { status: "added" })]],
    [".github/workflows added as a symlink", [file(".github/workflows", { status: "added" })]],
  ])("agent-steering files: %s needs a maintainer", (_what, files) => {
    expect(restrictedGroups(policy(), facts({ files })).map((g) => g.rule)).toEqual(["paths.agent_files"]);
  });

  it("paths.forbidden ignores case and matches the folder itself", () => {
    const p = policy({ paths: { forbidden: ["infra/prod/**", "Secrets/**"] } });
    for (const name of ["Infra/Prod/main.tf", "INFRA/PROD/x", "infra/prod", "infra", "secrets/a.key", "secrets"]) {
      expect(forbiddenRule(p, facts({ files: [file(name)] }))?.status, name).toBe("fail");
    }
    for (const name of ["infra-prod", "infra/staging/main.tf", "src/secrets.ts"]) {
      expect(forbiddenRule(p, facts({ files: [file(name)] }))?.status, name).toBe("pass");
    }
  });

  it("a restricted group ignores case and matches the folder itself", () => {
    const p = policy({ paths: { restricted: [{ paths: ["db/migrations/**"], reviewers: { teams: ["acme/dba"], required: 1 } }] } });
    for (const name of ["DB/Migrations/001.sql", "db/migrations", "db"]) {
      expect(restrictedGroups(p, facts({ files: [file(name)] })).map((g) => g.rule), name).toEqual(["paths.restricted[0]"]);
    }
  });
});

describe("paths.limits", () => {
  const p = policy({ paths: { limits: { max_files: 2, max_changed_lines: 100 } } });
  it.each([
    ["within limits", { files: [file("a", { additions: 10, deletions: 5 })] }, "pass"],
    ["too many files by GitHub's count", { pull: { changed_files: 3 } }, "fail"],
    ["too many lines by GitHub's count", { pull: { additions: 90, deletions: 20 } }, "fail"],
    ["too many lines by the file list", { files: [file("a", { additions: 80, deletions: 30 })] }, "fail"],
  ])("%s → %s", (_what, extra, status) => {
    expect(limitsRule(p, facts(extra))?.status).toBe(status);
  });
  it("says by how much", () => {
    expect(limitsRule(p, facts({ pull: { changed_files: 3, additions: 100, deletions: 1 } }))?.message).toBe(
      "Too large: 3 files changed (limit 2); 101 lines changed (limit 100).",
    );
  });
  it("is absent without limits", () => {
    expect(limitsRule(policy(), facts())).toBeNull();
  });
});

describe("paths.incomplete", () => {
  it("fails when GitHub listed fewer files than changed", () => {
    expect(incompleteFilesRule(facts({ pull: { changed_files: 3500 } }))).toEqual({
      id: "paths.incomplete",
      status: "fail",
      message: "GitHub reports 3500 changed files but listed only 1; path rules cannot check the other 3499.",
      fix: "Split the change into smaller PRs, or ask an admin for `/governance override <reason>`.",
    });
    expect(incompleteFilesRule(facts({ pull: { changed_files: 1 } }))).toBeNull();
  });
});
