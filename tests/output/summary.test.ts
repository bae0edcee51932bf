import { describe, expect, it } from "vitest";
import { commandsLine, renderSummary } from "../../src/output/summary.js";
import { policy } from "../policy/build.js";
import { planCheckRun, MAX_ANNOTATIONS } from "../../src/output/check.js";
import type { Evaluation } from "../../src/types.js";

const base: Evaluation = {
  agent: { detected: false, id: null, name: null, kind: "none", confidence: null, evidence: [], invoker: null, invokers: [] },
  mode: "enforce",
  outcome: "not_governed",
  conclusion: "success",
  title: "No agent detected: not governed",
  rules: [],
  required: [],
  approvals: [],
  overrides: [],
  head_sha: "abc1234def",
  evaluated_at: "2026-11-20T12:00:00.000Z",
};

describe("renderSummary", () => {
  it("shows signals below the minimum strength instead of hiding them", () => {
    const e: Evaluation = {
      ...base,
      agent: { ...base.agent, evidence: [{ signal: "branch", strength: "hint", value: "codex/fix-bug", where: "pull.head.ref" }] },
    };
    expect(renderSummary(e)).toBe(
      [
        "**Agent:** none detected at the policy's minimum signal strength (`agents.min_strength`); weaker signals were seen.",
        "",
        "<details><summary>Evidence</summary>",
        "",
        "- hint: branch `codex/fix-bug` (pull.head.ref)",
        "",
        "</details>",
      ].join("\n"),
    );
  });

  it("escapes table cells and lists overrides with their reason", () => {
    const e: Evaluation = {
      ...base,
      agent: { detected: true, id: "codex", name: "Codex", kind: "agent", confidence: "medium", evidence: [], invoker: "alice", invokers: ["alice"] },
      outcome: "overridden",
      rules: [{ id: "paths.forbidden", status: "fail", message: "a | b\nc", fix: "do x" }],
      overrides: [{ login: "root", commit: "abc1234def", at: "2026-11-20T11:00:00Z", reason: "hotfix", comment_id: 1 }],
    };
    const md = renderSummary(e);
    expect(md).toContain("**Agent:** Codex (medium confidence), started by @alice");
    expect(md).toContain("| ❌ | `paths.forbidden` | a \\| b<br>c<br>_Fix:_ do x |");
    expect(md).toContain("- @root overrode `abc1234` at 2026-11-20T11:00:00Z: `hotfix`");
  });
});

describe("renderSummary: approvals not counted (issue 15, item 1)", () => {
  it("lists each refused approval with who refused it and why, after the counted ones", () => {
    const e: Evaluation = {
      ...base,
      agent: { detected: true, id: "copilot", name: "Copilot coding agent", kind: "agent", confidence: "high", evidence: [], invoker: null, invokers: [] },
      outcome: "waiting",
      conclusion: "action_required",
      refused: [
        { login: "openhands-agent", via: "review", commit: "abc1234def", at: "2026-11-20T11:00:00Z", kind: "bot", reason: "an agent account (OpenHands)" },
        { login: "acme-agent", via: "command", commit: "abc1234def", at: "2026-11-20T11:30:00Z", kind: "bot", reason: "an agent account (in `agents.also.logins`)" },
      ],
    };
    expect(renderSummary(e).split("\n").slice(1, 5)).toEqual([
      "",
      "**Not counted:**",
      "- @openhands-agent approved `abc1234` by review at 2026-11-20T11:00:00Z: an agent account (OpenHands)",
      "- @acme-agent approved `abc1234` by command at 2026-11-20T11:30:00Z: an agent account (in `agents.also.logins`)",
    ]);
    expect(renderSummary({ ...e, refused: [] })).not.toContain("Not counted");
  });

  it("says `overrode` for an override, and shows at most 10 lines, then how many more", () => {
    const one = (i: number): NonNullable<Evaluation["refused"]>[number] => ({
      login: `r${i}`,
      via: "review",
      commit: "abc1234def",
      at: `2026-11-20T11:${String(i).padStart(2, "0")}:00Z`,
      kind: "stale",
      reason: "stale: the head is now `fff0000`",
    });
    const expired = { login: "bob", via: "command" as const, action: "override" as const, commit: "abc1234def", at: "2026-11-20T10:00:00Z", kind: "expired" as const, reason: "expired at 2026-11-21T10:00:00.000Z" };
    const e: Evaluation = { ...base, outcome: "waiting", conclusion: "action_required", refused: [expired, ...Array.from({ length: 11 }, (_, i) => one(i))] };
    const lines = renderSummary(e).split("\n");
    const at = lines.indexOf("**Not counted:**");
    expect(lines.slice(at + 1, at + 13)).toEqual([
      "- @bob overrode `abc1234` by command at 2026-11-20T10:00:00Z: expired at 2026-11-21T10:00:00.000Z",
      ...Array.from({ length: 9 }, (_, i) => `- @r${i} approved \`abc1234\` by review at 2026-11-20T11:0${i}:00Z: stale: the head is now \`fff0000\``),
      "- … and 2 more",
      "",
    ]);
  });
});

describe("renderSummary: several agents on one PR", () => {
  it("names the other agents and lists their evidence after the primary's", () => {
    const copilot = { signal: "author", strength: "verified" as const, value: "Copilot (id 198982749, Bot)", where: "pull.user", agent: "copilot" };
    const claude = { signal: "co-author", strength: "declared" as const, value: "Co-authored-by: Claude <noreply@anthropic.com>", where: "commits[0].commit.message", agent: "claude-code" };
    const e: Evaluation = {
      ...base,
      agent: {
        detected: true,
        id: "copilot",
        name: "Copilot coding agent",
        kind: "agent",
        confidence: "high",
        evidence: [copilot],
        invoker: null,
        invokers: [],
        agents: [
          { id: "copilot", name: "Copilot coding agent", kind: "agent", confidence: "high", evidence: [copilot] },
          { id: "claude-code", name: "Claude Code", kind: "agent", confidence: "medium", evidence: [claude] },
        ],
      },
    };
    expect(renderSummary(e).split("\n").slice(0, 8)).toEqual([
      "**Agent:** Copilot coding agent (high confidence)",
      "**Also on this PR:** Claude Code (medium confidence). The policy for each agent applies; where they differ, the stricter rule.",
      "",
      "<details><summary>Evidence</summary>",
      "",
      "- verified: author `Copilot (id 198982749, Bot)` (pull.user)",
      "- Claude Code, declared: co-author `Co-authored-by: Claude <noreply@anthropic.com>` (commits[0].commit.message)",
      "",
    ]);
    // One agent: no extra line.
    expect(renderSummary({ ...e, agent: { ...e.agent, agents: e.agent.agents!.slice(0, 1) } })).not.toContain("Also on this PR");
  });
});

describe("planCheckRun", () => {
  it("sends annotations in batches of 50", () => {
    const locations = Array.from({ length: 120 }, (_, i) => ({ path: `f${i}.ts`, line: i + 1 }));
    const e: Evaluation = { ...base, outcome: "violation", conclusion: "failure", rules: [{ id: "paths.forbidden", status: "fail", message: "m", locations }] };
    const plan = planCheckRun(e, { name: "Agent Governance" });
    expect(plan.output.annotations).toHaveLength(MAX_ANNOTATIONS);
    expect(plan.annotationBatches.map((b) => b.length)).toEqual([50, 20]);
    expect(plan.annotationBatches[1]![19]).toEqual({ path: "f119.ts", start_line: 120, end_line: 120, annotation_level: "failure", title: "paths.forbidden", message: "m" });
  });

  it("never sends an annotation line below 1", () => {
    const e: Evaluation = { ...base, outcome: "violation", rules: [{ id: "x", status: "fail", message: "m", locations: [{ path: "a", line: 0 }, { path: "b", line: -3 }, { path: "c", line: 1.5 }] }] };
    expect(planCheckRun(e, { name: "n" }).output.annotations?.map((a) => [a.start_line, a.end_line])).toEqual([[1, 1], [1, 1], [1, 1]]);
  });

  it("truncates a summary over GitHub's limit", () => {
    const e: Evaluation = { ...base, outcome: "violation", rules: [{ id: "x", status: "fail", message: "y".repeat(70_000) }] };
    const plan = planCheckRun(e, { name: "n" });
    expect(plan.output.summary.length).toBeLessThanOrEqual(65_535);
    expect(plan.output.summary.endsWith("… (truncated)")).toBe(true);
  });
});

describe("commandsLine: what reviewers can do, as the applying policy says", () => {
  it.each([
    ["the defaults", undefined, "Reviewers: approve with a review or `/governance approve`; `/governance override [7d] <reason>` (admin permission), `/governance recheck`, `/governance explain`, `/governance help`."],
    [
      "approve off, override by maintainers and listed people",
      policy({ commands: { approve: { enabled: false }, override: { min_permission: "maintain", users: ["release-captain"], teams: ["acme/release"] } } }).commands,
      "Reviewers: approve with a review; `/governance override [7d] <reason>` (maintain permission or above or the people `commands.override` lists), `/governance recheck`, `/governance explain`, `/governance help`.",
    ],
  ])("%s", (_what, commands, line) => {
    expect(commandsLine(commands)).toBe(line);
  });
});
