import { describe, expect, it } from "vitest";
import { scoreDetection, type ScoredPull } from "../../src/detect/score.js";
import { evalDetection } from "../../src/eval-detection.js";
import type { AgentVerdict } from "../../src/types.js";

const FOLDER = "tests/fixtures/detection";

function run(argv: string[]): { code: number; out: string; err: string } {
  let out = "";
  let err = "";
  const code = evalDetection(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

describe("npm run eval:detection -- FOLDER", () => {
  it("prints per-agent recall, the groups, automation and the human false-positive rate", () => {
    const { code, out, err } = run([FOLDER]);
    expect(err).toBe("");
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report).toMatchObject({
      folder: FOLDER,
      files: 6,
      min_strength: "declared",
      agents: { copilot: { total: 1, correct: 1, recall: 1 }, codex: { total: 2, correct: 1, recall: 0.5 } },
      groups: { bot_account: { total: 1, correct: 1, recall: 1 }, self_declared: { total: 2, correct: 1, recall: 0.5 } },
      automation: { total: 1, correct: 1, recall: 1, as_agent: 0 },
      human: { total: 2, false_positives: 1, rate: 0.5, as_agent: 1, as_automation: 0 },
      targets: {
        bot_account_recall: { target: 0.99, value: 1, met: true },
        self_declared_recall: { target: 0.95, value: 0.5, met: false },
        human_false_positive_rate: { target: 0.005, value: 0.5, met: false },
      },
      unlabelled: ["unlabelled.json"],
    });
    expect(report.misses).toEqual([
      { file: "codex-2.json", label: "codex", got: null, kind: "none", confidence: null, evidence: ["hint branch: codex/only-a-branch"] },
    ]);
    expect(report.false_positives.map((m: { file: string; got: string }) => [m.file, m.got])).toEqual([["human-2.json", "claude-code"]]);
    expect(report.unreadable).toHaveLength(1);
    expect(report.unreadable[0].file).toBe("broken.json");
  });

  it("--min-strength hint counts branch names", () => {
    const report = JSON.parse(run([FOLDER, "--min-strength", "hint"]).out);
    expect(report.min_strength).toBe("hint");
    expect(report.agents.codex).toEqual({ total: 2, correct: 2, recall: 1 });
  });

  it("answers bad arguments with a message and exit code 2, never a crash", () => {
    expect(run([FOLDER, "--min-strength", "strong"])).toMatchObject({ code: 2, out: "" });
    expect(run(["tests/fixtures/no-such-folder"]).err).toContain("cannot read tests/fixtures/no-such-folder/labels.json");
    expect(run([FOLDER, "--bogus"])).toMatchObject({ code: 2 });
  });

  it("needs FOLDER: without one it prints the usage and exits 2 (the corpus is not in the repository)", () => {
    expect(run([])).toEqual({
      code: 2,
      out: "",
      err:
        "eval-detection: give the folder of labelled snapshots to score\n" +
        "Usage: npm run eval:detection -- FOLDER [--config FILE] [--min-strength verified|declared|hint]\n" +
        "  FOLDER holds PullFacts snapshots (`agent-governance snapshot OWNER/REPO#N --out FOLDER/N.json`) and a labels.json\n" +
        "  mapping each file name to an agent id, `human` or `automation`; tests/fixtures/detection is a small sample.\n",
    });
    expect(run(["--min-strength", "hint"])).toMatchObject({ code: 2, out: "" });
    expect(run([FOLDER, FOLDER])).toMatchObject({ code: 2, out: "", err: expect.stringMatching(/^eval-detection: give one folder\n/) });
  });
});

describe("scoreDetection", () => {
  const verdict = (id: string | null, kind: AgentVerdict["kind"] = "agent"): AgentVerdict => ({
    detected: id !== null,
    id,
    name: id,
    kind: id === null ? "none" : kind,
    confidence: id === null ? null : "medium",
    evidence: [],
    invoker: null,
    invokers: [],
  });
  const row = (label: string, v: AgentVerdict, botAuthored = false): ScoredPull => ({ file: `${label}.json`, label, verdict: v, botAuthored });

  it("counts the wrong agent as a miss, and automation as a human false positive", () => {
    const r = scoreDetection(
      [row("devin", verdict("copilot"), true), row("human", verdict("dependabot", "automation")), row("automation", verdict("copilot"))],
      "declared",
    );
    expect(r.agents.devin).toEqual({ total: 1, correct: 0, recall: 0 });
    expect(r.groups.bot_account.recall).toBe(0);
    expect(r.human).toEqual({ total: 1, false_positives: 1, rate: 1, as_agent: 0, as_automation: 1 });
    expect(r.automation).toEqual({ total: 1, correct: 0, recall: 0, as_agent: 1 });
    expect(r.misses.map((m) => [m.file, m.got])).toEqual([
      ["devin.json", "copilot"],
      ["automation.json", "copilot"],
    ]);
  });

  it("reports null, not a made-up rate, for an empty group", () => {
    const r = scoreDetection([row("human", verdict(null))], "declared");
    expect(r.groups.self_declared).toEqual({ total: 0, correct: 0, recall: null });
    expect(r.targets.self_declared_recall).toEqual({ target: 0.95, value: null, met: null });
    expect(r.targets.human_false_positive_rate).toEqual({ target: 0.005, value: 0, met: true });
  });
});
