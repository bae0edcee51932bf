/** The metrics the shell records, read back from the Prometheus text. */
import { describe, expect, it } from "vitest";
import {
  firstHumanReview,
  metricsText,
  recordCommand,
  recordEscalations,
  recordEvaluation,
  recordFirstReview,
  recordPullOpened,
} from "../../src/metrics.js";
import type { Evaluation, PullFacts, ReviewFacts } from "../../src/types.js";
import { sample } from "./metrics-text.js";

const scrape = async () => (await metricsText()).body;

function evaluation(agent: string | null, outcome: Evaluation["outcome"]): Evaluation {
  return {
    agent: agent
      ? { detected: true, id: agent, name: agent, kind: "agent", confidence: "high", evidence: [], invoker: null, invokers: [] }
      : { detected: false, id: null, name: null, kind: "none", confidence: null, evidence: [], invoker: null, invokers: [] },
    mode: "enforce",
    outcome,
    conclusion: "action_required",
    title: "",
    rules: [],
    required: [],
    approvals: [],
    overrides: [],
    head_sha: "abc",
    evaluated_at: "2026-11-20T12:00:00.000Z",
  };
}

function facts(reviews: ReviewFacts[]): PullFacts {
  return {
    pull: {
      number: 2,
      title: "t",
      body: null,
      user: { login: "Copilot", type: "Bot" },
      head: { ref: "copilot/fix", sha: "abc" },
      base: { ref: "main" },
      created_at: "2026-11-20T10:00:00Z",
    },
    files: [],
    commits: [],
    reviews,
    comments: [],
  };
}

const review = (id: number, login: string, at: string, o: Partial<ReviewFacts> = {}): ReviewFacts => ({
  id,
  user: { login, type: "User" },
  state: "COMMENTED",
  submitted_at: at,
  ...o,
});

describe("recordEvaluation", () => {
  it("counts evaluations by agent and outcome, agent PRs opened, and observes the duration", async () => {
    const before = await scrape();
    recordEvaluation(evaluation("devin", "waiting"), { seconds: 0.2 });
    recordPullOpened(evaluation("devin", "waiting"));
    recordEvaluation(evaluation("devin", "passed"), { seconds: 0.3 });
    recordEvaluation(evaluation(null, "not_governed"), { seconds: 0.1 });
    recordPullOpened(evaluation(null, "not_governed"));
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta("agent_governance_evaluations_total", { agent: "devin", outcome: "waiting" })).toBe(1);
    expect(delta("agent_governance_evaluations_total", { agent: "devin", outcome: "passed" })).toBe(1);
    expect(delta("agent_governance_evaluations_total", { agent: "none", outcome: "not_governed" })).toBe(1);
    expect(delta("agent_governance_agent_pull_requests_total", { agent: "devin" })).toBe(1);
    expect(delta("agent_governance_agent_pull_requests_total", { agent: "none" })).toBe(0);
    expect(delta("agent_governance_evaluation_duration_seconds_count", { outcome: "waiting" })).toBe(1);
    expect(delta("agent_governance_evaluation_duration_seconds_bucket", { outcome: "waiting", le: "0.25" })).toBe(1);
    expect(delta("agent_governance_evaluation_duration_seconds_bucket", { outcome: "waiting", le: "0.1" })).toBe(0);
  });
});

describe("a PR with several agents", () => {
  it("counts under every agent on it", async () => {
    const e = evaluation("copilot", "waiting");
    e.agent.agents = [
      { id: "copilot", name: "Copilot coding agent", kind: "agent", confidence: "high", evidence: [] },
      { id: "claude-code", name: "Claude Code", kind: "agent", confidence: "medium", evidence: [] },
    ];
    const before = await scrape();
    recordEvaluation(e, { seconds: 0.1 });
    recordPullOpened(e);
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    for (const agent of ["copilot", "claude-code"]) {
      expect(delta("agent_governance_evaluations_total", { agent, outcome: "waiting" }), agent).toBe(1);
      expect(delta("agent_governance_agent_pull_requests_total", { agent }), agent).toBe(1);
    }
    // One evaluation, timed once.
    expect(delta("agent_governance_evaluation_duration_seconds_count", { outcome: "waiting" })).toBe(1);
  });
});

describe("escalations and commands", () => {
  it("labels tiers from 1 and counts commands by kind and result", async () => {
    const before = await scrape();
    recordEscalations([0, 1]);
    recordEscalations([1]);
    recordCommand("approve", "done");
    recordCommand("override", "refused");
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta("agent_governance_escalations_total", { tier: "1" })).toBe(1);
    expect(delta("agent_governance_escalations_total", { tier: "2" })).toBe(2);
    expect(delta("agent_governance_commands_total", { command: "approve", result: "done" })).toBe(1);
    expect(delta("agent_governance_commands_total", { command: "override", result: "refused" })).toBe(1);
  });
});

describe("time to first human review", () => {
  it("is the earliest review by a human other than the author; bots and pending reviews do not count", () => {
    const f = facts([
      review(1, "dependabot[bot]", "2026-11-20T10:01:00Z", { user: { login: "dependabot[bot]", type: "Bot" } }),
      review(2, "Copilot", "2026-11-20T10:02:00Z"),
      review(3, "bob", "2026-11-20T10:03:00Z", { state: "PENDING" }),
      review(5, "carol", "2026-11-20T11:00:00Z"),
      review(4, "alice", "2026-11-20T10:30:00Z", { state: "APPROVED" }),
    ]);
    expect(firstHumanReview(f)).toEqual({ id: 4, seconds: 1800 });
    expect(firstHumanReview(facts([]))).toBeNull();
  });

  it("is observed once, for the event about the first review only", async () => {
    const f = facts([review(4, "alice", "2026-11-20T10:30:00Z"), review(5, "carol", "2026-11-20T11:00:00Z")]);
    const before = await scrape();
    expect(recordFirstReview(f, 5, evaluation("jules", "waiting"))).toBe(false);
    expect(recordFirstReview(f, 4, evaluation("jules", "waiting"))).toBe(true);
    const after = await scrape();
    const name = "agent_governance_time_to_first_review_seconds_bucket";
    expect(sample(after, name, { agent: "jules", le: "1800" }) - sample(before, name, { agent: "jules", le: "1800" })).toBe(1);
    expect(sample(after, name, { agent: "jules", le: "900" }) - sample(before, name, { agent: "jules", le: "900" })).toBe(0);
  });
});
