/** The audit record: exact fields for a decision, and no free text (so no secret) ever in it. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { auditRecord } from "../../src/audit.js";
import type { Evaluation } from "../../src/types.js";

const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

function evaluation(over: Partial<Evaluation> = {}): Evaluation {
  return {
    agent: {
      detected: true,
      id: "copilot",
      name: "Copilot coding agent",
      kind: "agent",
      confidence: "high",
      evidence: [{ signal: "author", strength: "verified", value: "Copilot (id 198982749, Bot)", where: "pull.user" }],
      invoker: "octocat",
      invokers: ["octocat"],
    },
    mode: "enforce",
    outcome: "overridden",
    conclusion: "success",
    title: "Overridden by admin",
    rules: [
      { id: "reviewers", status: "pending", message: "Human review: 1/2 approvals" },
      { id: "paths.forbidden", status: "fail", message: "`.github/workflows/ci.yml` is forbidden", fix: "Revert it" },
      { id: "compliance.no_secrets", status: "fail", message: "a token was found: ghp_abc" },
      { id: "compliance.linked_issue", status: "pass", message: "links #12" },
    ],
    required: [],
    approvals: [
      { login: "alice", via: "review", commit: HEAD, at: "2026-11-20T11:00:00Z", counted_for: ["reviewers"] },
      { login: "alice", via: "command", commit: HEAD, at: "2026-11-20T11:05:00Z", counted_for: ["reviewers"] },
    ],
    overrides: [{ login: "root-admin", commit: HEAD, at: "2026-11-20T11:30:00Z", reason: "hotfix, see INC-42", comment_id: 7 }],
    head_sha: HEAD,
    evaluated_at: "2026-11-20T12:00:00.000Z",
    ...over,
  };
}

describe("auditRecord", () => {
  it("records who, what and why for one decision", () => {
    expect(auditRecord(evaluation(), { repo: "acme/api", pr: 42, event: "pull_request_review.submitted" })).toEqual({
      audit: "decision",
      audit_version: 1,
      repo: "acme/api",
      pr: 42,
      head: HEAD,
      event: "pull_request_review.submitted",
      agent: "copilot",
      agent_confidence: "high",
      agents: ["copilot"],
      invoker: "octocat",
      mode: "enforce",
      outcome: "overridden",
      conclusion: "success",
      failed: ["paths.forbidden", "compliance.no_secrets"],
      pending: ["reviewers"],
      approvals: 1,
      approvers: ["alice"],
      overrides: 1,
      overridden_by: ["root-admin"],
      evaluated_at: "2026-11-20T12:00:00.000Z",
    });
  });

  it("says no agent for a human PR, and null for an unknown event", () => {
    const human = evaluation({
      agent: { detected: false, id: null, name: null, kind: "none", confidence: null, evidence: [], invoker: null, invokers: [] },
      outcome: "not_governed",
      rules: [],
      approvals: [],
      overrides: [],
    });
    expect(auditRecord(human, { repo: "acme/api", pr: 1 })).toMatchObject({
      agent: null,
      agent_confidence: null,
      agents: [],
      invoker: null,
      event: null,
      outcome: "not_governed",
      failed: [],
      approvals: 0,
      overrides: 0,
    });
  });

  it("calls an agent without a registry id (one named in `agents.also`) `unknown`, as the metrics do", () => {
    const unknown = evaluation({ agent: { ...evaluation().agent, id: null, name: null, confidence: "medium" } });
    expect(auditRecord(unknown, { repo: "acme/api", pr: 1 })).toMatchObject({ agent: "unknown", agent_confidence: "medium" });
  });

  it("lists every agent on the PR, the primary first", () => {
    const base = evaluation().agent;
    const both = evaluation({
      agent: {
        ...base,
        agents: [
          { id: "copilot", name: "Copilot coding agent", kind: "agent", confidence: "high", evidence: [] },
          { id: "claude-code", name: "Claude Code", kind: "agent", confidence: "medium", evidence: [] },
          { id: null, name: "Agent named in agents.also", kind: "agent", confidence: "medium", evidence: [] },
        ],
      },
    });
    expect(auditRecord(both, { repo: "acme/api", pr: 1 })).toMatchObject({ agent: "copilot", agents: ["copilot", "claude-code", "unknown"] });
  });

  it("never carries free text: rule messages, fixes, evidence, titles or override reasons", () => {
    const text = fc.string({ minLength: 1, maxLength: 40 }).map((s) => `SENTINEL<${s}>`);
    fc.assert(
      fc.property(text, text, text, text, text, (message, fix, evidence, reason, title) => {
        const e = evaluation({ title });
        e.rules = e.rules.map((r) => ({ ...r, message, fix }));
        e.agent.evidence = [{ signal: "body", strength: "declared", value: evidence, where: "pull.body" }];
        e.overrides = e.overrides.map((o) => ({ ...o, reason }));
        const line = JSON.stringify(auditRecord(e, { repo: "acme/api", pr: 42 }));
        return !line.includes("SENTINEL<");
      }),
    );
  });
});
