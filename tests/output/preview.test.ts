/** The policy-change preview, pure: evaluations under two policies compared, rows, lines, the table and the check run. */
import { describe, expect, it } from "vitest";
import { buildPreview, changeLine, changedPolicyFiles, planPreviewCheck, previewJson, previewTable, type PreviewInput } from "../../src/output/preview.js";
import { facts, file, NOW, policy } from "../policy/build.js";

const agentPr = (number: number, files = ["src/a.ts"]) => ({ number, facts: facts({ pull: { number }, files: files.map((f) => file(f)) }) });
const humanPr = (number: number) => ({ number, facts: facts({ pull: { number, user: { login: "octocat", id: 1, type: "User" }, head: { ref: "fix", sha: "c0ffee0000000000000000000000000000000001" } }, commits: [] }) });
const ok = (yaml: Parameters<typeof policy>[0], source = "acme/app:.github/agent-governance.yml") => ({ kind: "ok" as const, policy: policy(yaml), source });

describe("buildPreview", () => {
  it("evaluates each PR under both policies and says which rules change", () => {
    const input: PreviewInput = {
      before: ok({}),
      proposed: ok({ paths: { forbidden: ["infra/**"] } }),
      pulls: [agentPr(12, ["infra/main.tf"]), agentPr(13), humanPr(14)],
    };
    const p = buildPreview(input, NOW);
    expect(p.pulls.map(changeLine)).toEqual(["#12 copilot: waiting → violation (paths.forbidden)", "#13 copilot: waiting (unchanged)", "#14 human: not governed (unchanged)"]);
    expect(previewTable(p.pulls)).toBe(
      ["| PR | Agent | Now | With this change | Rules that change |", "| --- | --- | --- | --- | --- |", "| #12 | copilot | waiting | violation | `paths.forbidden` |", "", "Unchanged: #13, #14."].join("\n"),
    );
  });

  it("tells report mode apart, and a change in what a waiting PR needs", () => {
    const p = buildPreview({ before: ok({ mode: "report" }), proposed: ok({ reviewers: { required: 2 } }), pulls: [agentPr(5)] }, NOW);
    expect(p.pulls.map(changeLine)).toEqual(["#5 copilot: waiting (report) → waiting (reviewers)"]);
    expect(p.pulls[0]).toMatchObject({ before: { outcome: "waiting", conclusion: "neutral", mode: "report" }, after: { outcome: "waiting", conclusion: "action_required", mode: "enforce" } });
  });

  it("an invalid policy in force fails every PR, as the app's check does; a repair shows them back", () => {
    const problems = [{ file: "acme/app:.github/agent-governance.yml", line: 2, col: 3, path: "reviewers.requird", message: "unknown key" }];
    const p = buildPreview({ before: { kind: "invalid", problems, source: "acme/app:.github/agent-governance.yml" }, proposed: ok({}), pulls: [agentPr(5)] }, NOW);
    expect(p.pulls.map(changeLine)).toEqual(["#5 copilot: error → waiting (reviewers, policy)"]);
  });

  it("compares nothing when the proposed file is invalid; without a file the default policy applies", () => {
    const problems = [{ file: "acme/app:.github/agent-governance.yml", line: 2, col: 3, path: "x", message: "unknown key `x` at the top level" }];
    expect(buildPreview({ before: ok({}), proposed: { kind: "invalid", problems, source: "s" }, pulls: [agentPr(5)] }, NOW)).toEqual({
      proposed: { valid: false, source: "s", problems, warnings: [], floored: [] },
      pulls: [],
      unread: [],
    });
    const p = buildPreview({ before: ok({ reviewers: { required: 0 } }), proposed: { kind: "missing" }, pulls: [agentPr(5)] }, NOW);
    expect(p.proposed.source).toBe("no policy file: the default policy");
    expect(p.pulls.map(changeLine)).toEqual(["#5 copilot: passed → waiting (reviewers)"]);
  });
});

describe("changedPolicyFiles", () => {
  it("names the policy file and a base kept here, by old or new name", () => {
    const f = facts({ files: [file("README.md"), file(".github/agent-governance.yml"), file("policies/new.yml", { previous_filename: ".github/base.yml" })], policy_files: [".github/base.yml"] });
    expect(changedPolicyFiles(f)).toEqual([".github/agent-governance.yml", ".github/base.yml"]);
    expect(changedPolicyFiles(facts())).toEqual([]);
  });
});

describe("planPreviewCheck", () => {
  const warning = { file: "acme/app:.github/agent-governance.yml", line: 4, col: 5, path: "paths.forbidden[0]", message: "`docs/` matches no file" };
  const elsewhere = { file: "acme/.github:base.yml", line: 1, col: 1, path: "_extends", message: "not followed" };

  it("annotates this repository's files only, warnings as warnings, and is neutral for warnings alone", () => {
    const p = buildPreview({ before: ok({}), proposed: { ...ok({}), warnings: [warning, elsewhere], floored: [{ key: "reviewers.required", change: "0 → 1" }] }, pulls: [] }, NOW);
    const plan = planPreviewCheck(p, { name: "Gov / policy", head_sha: "abc", repo: "ACME/app", files: [".github/agent-governance.yml"] });
    expect(plan.conclusion).toBe("neutral");
    expect(plan.output.title).toBe("Proposed policy: no open PR would change, 2 warnings");
    expect(plan.output.annotations).toEqual([
      { path: ".github/agent-governance.yml", start_line: 4, end_line: 4, annotation_level: "warning", title: "agent-governance policy", message: "`docs/` matches no file" },
    ]);
    expect(plan.output.summary).toContain("\n**Org floor:** these settings of the proposed policy are overridden:\n- `reviewers.required`: 0 → 1 (org floor)\n");
    expect(plan.output.summary).toContain("- ⚠️ acme/.github:base.yml:1:1: not followed");
    expect(plan.output.summary.endsWith("No other open pull request to compare.")).toBe(true);
  });

  it("sends 50 annotations per request", () => {
    const many = Array.from({ length: 120 }, (_, i) => ({ ...warning, line: i + 1 }));
    const p = buildPreview({ before: ok({}), proposed: { kind: "invalid", problems: many, source: "s" }, pulls: [] }, NOW);
    const plan = planPreviewCheck(p, { name: "n", head_sha: "abc", repo: "acme/app", files: [] });
    expect(plan.conclusion).toBe("failure");
    expect([plan.output.annotations?.length, ...plan.annotationBatches.map((b) => b.length)]).toEqual([50, 50, 20]);
  });
});

describe("previewJson", () => {
  it("is what `explain --compare --format json` prints", () => {
    const p = buildPreview({ before: ok({}), proposed: ok({ paths: { forbidden: ["infra/**"] } }), pulls: [{ ...agentPr(12, ["infra/main.tf"]), file: "pr12.json" }] }, NOW);
    expect(previewJson(p)).toEqual({
      proposed: { valid: true, source: "acme/app:.github/agent-governance.yml", problems: [], warnings: [], floor: [] },
      changed: 1,
      unchanged: 0,
      pulls: [
        {
          number: 12,
          file: "pr12.json",
          agent: "copilot",
          before: { outcome: "waiting", conclusion: "action_required", mode: "enforce" },
          after: { outcome: "violation", conclusion: "failure", mode: "enforce" },
          rules: ["paths.forbidden"],
          changed: true,
          line: "#12 copilot: waiting → violation (paths.forbidden)",
        },
      ],
      unread: [],
    });
  });
});
