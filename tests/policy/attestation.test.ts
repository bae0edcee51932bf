import { describe, expect, it } from "vitest";
import { attestationProblems, fieldValue, isPlaceholder, tasks } from "../../src/policy/attestation.js";
import { complianceRules } from "../../src/policy/compliance.js";
import { evaluate } from "../../src/policy/evaluate.js";
import type { PolicyInput } from "../../src/config/schema.js";
import { copilot, facts, human, NOW, policy, review } from "./build.js";

/** A PR template as repositories write them: hints in comments, boxes to tick, fields to fill. */
const TEMPLATE = [
  "## Summary",
  "<!-- What does this change and why? -->",
  "",
  "## AI assistance",
  "<!-- Name the tool and how much of the change it wrote. -->",
  "Tool and extent:",
  "",
  "## Checklist",
  "- [ ] I have read every line of this change and can explain it",
  "- [ ] Tests cover the change",
].join("\n");

const BODY = { checkboxes: ["I have read every line"], fields: ["Tool and extent"] };

describe("PR template attestation", () => {
  it("finds the template as opened wanting: the box unticked, the field empty", () => {
    expect(attestationProblems(BODY, TEMPLATE)).toEqual(["checkbox `I have read every line` not ticked", "field `Tool and extent:` not filled in"]);
  });

  it("passes once the box is ticked and the field answered, on its line or the next", () => {
    const filled = TEMPLATE.replace("- [ ] I have read", "- [x] I have read").replace("Tool and extent:", "**Tool and extent:** Copilot agent, all of it");
    expect(attestationProblems(BODY, filled)).toEqual([]);
    const nextLine = TEMPLATE.replace("- [ ] I have read", "* [X] I have read").replace("Tool and extent:", "Tool and extent:\nClaude Code wrote the tests; I wrote the rest.");
    expect(attestationProblems(BODY, nextLine)).toEqual([]);
  });

  it.each([
    ["missing entirely", "## Summary\nFixes #4", ["missing checkbox `I have read every line`", "missing field `Tool and extent:`"]],
    ["a placeholder answer", "- [x] I have read every line\nTool and extent: <tool>", ["field `Tool and extent:` not filled in"]],
    ["a TODO answer", "- [x] I have read every line\nTool and extent: TODO", ["field `Tool and extent:` not filled in"]],
    ["the next line a heading", "- [x] I have read every line\nTool and extent:\n## Testing", ["field `Tool and extent:` not filled in"]],
    ["a box ticked with other words", "- [x] I have skimmed the change\nTool and extent: none", ["missing checkbox `I have read every line`"]],
  ])("fails with %s", (_what, text, problems) => {
    expect(attestationProblems(BODY, text)).toEqual(problems);
  });

  it("reads task items in lists and quotes, ticked with x or X", () => {
    expect(tasks("- [x] a\n* [ ] b\n1. [X] c\n> - [x] d\n-[x] not an item")).toEqual([
      { ticked: true, text: "a" },
      { ticked: false, text: "b" },
      { ticked: true, text: "c" },
      { ticked: true, text: "d" },
    ]);
  });

  it("reads a field's value, case-insensitively, in bold or in a list", () => {
    expect(fieldValue("- **tool AND extent**: Cursor, refactor only", "Tool and extent")).toBe("Cursor, refactor only");
    expect(fieldValue("Tool and extent: N/A (no AI)", "Tool and extent")).toBe("N/A (no AI)");
    expect(fieldValue("Tool:\nTool and extent: x", "Tool", ["Tool", "Tool and extent"])).toBe("");
    expect(fieldValue("Nothing here", "Tool and extent")).toBeNull();
    expect(["", "  ", "<tool>", "[describe]", "...", "TBD", "_"].every(isPlaceholder)).toBe(true);
  });
});

describe("compliance.body with checkboxes and fields", () => {
  const compliance: PolicyInput["compliance"] = { body: { checkboxes: ["I have read every line"], fields: ["Tool and extent"] } };

  it("fails an agent PR whose description leaves the template as it was, ignoring ticks inside template comments", () => {
    const body = `${TEMPLATE}\n<!-- - [x] I have read every line -->`;
    const [rule] = complianceRules(policy({ compliance }), facts({ pull: { body } }));
    expect(rule).toEqual({
      id: "compliance.body",
      status: "fail",
      message: "The description falls short: checkbox `I have read every line` not ticked; field `Tool and extent:` not filled in.",
      fix: "Edit the PR description; tick `- [x] I have read every line` once it is true; answer `Tool and extent: …`.",
    });
  });

  it("leaves human PRs alone unless `humans: true`, and then fails only the check", () => {
    const f = facts({ pull: { body: TEMPLATE, user: { login: "dev", type: "User" } } });
    const off = evaluate({ policy: policy({ compliance }), facts: f, now: NOW, verdict: human });
    expect(off).toMatchObject({ outcome: "not_governed", conclusion: "success", rules: [] });
    const on = evaluate({ policy: policy({ compliance: { body: { ...compliance.body, humans: true } } }), facts: f, now: NOW, verdict: human });
    expect(on).toMatchObject({ outcome: "not_governed", conclusion: "failure", title: "Human PR: the description falls short", required: [] });
    expect(on.rules.map((r) => `${r.id} ${r.status}`)).toEqual(["compliance.body fail"]);
    const report = evaluate({ policy: policy({ mode: "report", compliance: { body: { ...compliance.body, humans: true } } }), facts: f, now: NOW, verdict: human });
    expect(report).toMatchObject({ conclusion: "neutral", title: "Report only: Human PR: the description falls short" });
  });

  it("passes a human PR that attests, showing the rule that passed", () => {
    const body = TEMPLATE.replace("- [ ] I have read", "- [x] I have read").replace("Tool and extent:", "Tool and extent: none");
    const e = evaluate({ policy: policy({ compliance: { body: { ...compliance.body, humans: true } } }), facts: facts({ pull: { body } }), now: NOW, verdict: human });
    expect(e).toMatchObject({ outcome: "not_governed", conclusion: "success", title: "No agent detected: not governed" });
    expect(e.rules.map((r) => `${r.id} ${r.status}`)).toEqual(["compliance.body pass"]);
  });

  it("for an agent PR, is one rule among the others", () => {
    const e = evaluate({ policy: policy({ compliance }), facts: facts({ pull: { body: TEMPLATE }, reviews: [review("alice", "APPROVED", "2025-06-01T11:00:00Z")] }), now: NOW, verdict: copilot });
    expect(e).toMatchObject({ outcome: "violation", title: "Policy violation: compliance.body" });
  });
});
