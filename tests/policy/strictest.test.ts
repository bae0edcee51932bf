import { describe, expect, it } from "vitest";
import { effectivePolicy, evaluate, isGoverned } from "../../src/policy/evaluate.js";
import { strictestPolicy } from "../../src/policy/strictest.js";
import { parsePolicy } from "../../src/config/load.js";
import type { AgentVerdict, DetectedAgent } from "../../src/types.js";
import { commit, copilot, facts, HEAD, NOW, policy, review } from "./build.js";

const agent = (id: string | null, kind: DetectedAgent["kind"] = "agent"): DetectedAgent => ({ id, name: id ?? "Agent named in agents.also", kind, confidence: "medium", evidence: [] });
/** Copilot's PR with a commit co-authored by Claude, as detection lists it. */
const copilotAndClaude: AgentVerdict = { ...copilot, agents: [{ ...agent("copilot"), confidence: "high" }, agent("claude-code")] };

describe("strictestPolicy", () => {
  it("gives back one policy, or the same one twice, unchanged", () => {
    const p = policy();
    expect(strictestPolicy([p])).toBe(p);
    expect(strictestPolicy([p, p])).toBe(p);
  });

  it("takes the larger approvals, enforce over report, the smaller limits, the higher permission", () => {
    const a = policy({ mode: "report", reviewers: { required: 1, from: { min_permission: "write" } }, paths: { limits: { max_files: 50 } } });
    const b = policy({ reviewers: { required: 2, from: { min_permission: "maintain" } }, paths: { limits: { max_files: 10, max_changed_lines: 300 } } });
    const s = strictestPolicy([a, b]);
    expect(s.mode).toBe("enforce");
    expect(s.reviewers.required).toBe(2);
    expect(s.reviewers.from.min_permission).toBe("maintain");
    expect(s.paths.limits).toEqual({ max_files: 10, max_changed_lines: 300 });
    expect(strictestPolicy([b, a]).paths.limits).toEqual({ max_files: 10, max_changed_lines: 300 });
  });

  it("unites lists: forbidden paths, restricted groups, required checks; sorts tiers by time", () => {
    const a = policy({
      paths: { forbidden: ["infra/**"], restricted: [{ paths: ["db/**"], reviewers: { teams: ["acme/dba"] } }] },
      compliance: { required_checks: ["ci"] },
      reviewers: { from: { teams: ["acme/maintainers"] } },
      escalation: { tiers: [{ after: "24h", notify: ["acme/leads"] }] },
    });
    const b = policy({
      paths: { forbidden: ["infra/**", ".github/**"] },
      compliance: { required_checks: [{ name: "ci", app: "github-actions" }, "lint"] },
      reviewers: { from: { teams: ["acme/ai-leads"] } },
      escalation: { tiers: [{ after: "1h", notify: ["acme/ai-leads"] }] },
    });
    const s = strictestPolicy([a, b]);
    expect(s.paths.forbidden).toEqual(["infra/**", ".github/**"]);
    expect(s.paths.restricted).toEqual(a.paths.restricted);
    expect(s.compliance.required_checks).toEqual([{ name: "ci" }, { name: "ci", app: "github-actions" }, { name: "lint" }]);
    // Who may approve is an allow-list: both must allow (no team in common: admins only).
    expect(s.reviewers.from).toEqual({ users: [], teams: [], min_permission: "admin" });
    expect(s.escalation.tiers.map((t) => t.after)).toEqual(["1h", "24h"]);
  });

  it("turns rules on, keeps refusals, and narrows allow-lists", () => {
    const a = policy({
      reviewers: { invoker_can_approve: true, contributors_can_approve: true },
      compliance: { signed_commits: true, linked_issue: true, workflow_risk: { trusted_actions: ["actions/*", "acme/*"] } },
      commands: { override: { scope: "until_governed_push", min_permission: "maintain" } },
    });
    const b = policy({
      reviewers: { invoker_can_approve: false, contributors_can_approve: true },
      compliance: { linked_issue: "verified", no_secrets: true, workflow_risk: true },
      commands: { approve: { enabled: false } },
    });
    const s = strictestPolicy([a, b]);
    expect(s.reviewers.invoker_can_approve).toBe(false);
    expect(s.reviewers.contributors_can_approve).toBe(true);
    expect(s.compliance).toMatchObject({ signed_commits: true, no_secrets: true, linked_issue: "verified" });
    expect(s.compliance.workflow_risk).toEqual({ trusted_actions: ["actions/*"] });
    expect(s.commands.override).toMatchObject({ scope: "commit", min_permission: "admin" });
    expect(s.commands.approve.enabled).toBe(false);
  });

  it("a finding that fails beats one that waits for approval; finding groups unite", () => {
    const wait = policy({ compliance: { install_scripts: { reviewers: { teams: ["acme/sec"] } }, test_weakening: { reviewers: { teams: ["acme/qa"], required: 2 } } } });
    const fail = policy({ compliance: { install_scripts: true, test_weakening: { action: "fail", kinds: ["skipped"] } } });
    const s = strictestPolicy([wait, fail]);
    expect(s.compliance.install_scripts).toBe(true);
    expect(s.compliance.test_weakening).toMatchObject({ action: "fail", reviewers: { teams: ["acme/qa"], required: 2, min_permission: "maintain" } });
    expect((s.compliance.test_weakening as { kinds?: string[] }).kinds).toBeUndefined();
    expect(strictestPolicy([policy({ compliance: { hidden_instructions: false } }), policy()]).compliance.hidden_instructions).toBe(true);
  });

  it("keeps the primary's names: the check's, labels', the title pattern", () => {
    const a = policy({ escalation: { check_name: "Governance", labels: { agent: "ai" } }, compliance: { title_pattern: "^feat" } });
    const b = policy({ escalation: { check_name: "Other" }, compliance: { title_pattern: "^fix" } });
    const s = strictestPolicy([a, b]);
    expect(s.escalation.check_name).toBe("Governance");
    expect(s.escalation.labels.agent).toBe("ai");
    expect(s.compliance.title_pattern).toBe("^feat");
  });
});

describe("every agent's overrides apply", () => {
  const input = {
    overrides: [
      { agents: ["copilot"], reviewers: { required: 0 }, paths: { forbidden: ["docs/private/**"] } },
      { agents: ["claude-code"], reviewers: { required: 2 }, paths: { forbidden: ["infra/**"] } },
    ],
  };

  it("a Copilot PR with a Claude co-author gets the stricter of both entries", () => {
    const p = effectivePolicy(policy(input), copilotAndClaude);
    expect(p.reviewers.required).toBe(2);
    expect(p.paths.forbidden).toEqual(["docs/private/**", "infra/**"]);
    // Copilot alone keeps its own entry.
    expect(effectivePolicy(policy(input), copilot).reviewers.required).toBe(0);
  });

  it("an agent without an entry brings the base policy: a looser entry cannot launder it", () => {
    const p = effectivePolicy(policy({ overrides: [input.overrides[0]!] }), copilotAndClaude);
    expect(p.reviewers.required).toBe(1);
    expect(p.paths.forbidden).toEqual(["docs/private/**"]);
  });

  it("an automation bot's PR with an agent on it is governed even when automation is not", () => {
    const bot: AgentVerdict = { ...copilot, id: "dependabot", kind: "automation", agents: [agent("dependabot", "automation")] };
    const p = policy({ agents: { govern_automation: false } });
    expect(isGoverned(p, bot)).toBe(false);
    expect(isGoverned(p, { ...copilot, agents: [agent("claude-code"), agent("dependabot", "automation")] })).toBe(true);
  });

  it("evaluate detects both agents from the facts and applies the stricter entry", () => {
    const f = facts({ commits: [commit(HEAD, "Fix the parser\n\nCo-authored-by: Claude <noreply@anthropic.com>")] });
    const e = evaluate({ policy: policy(input), facts: f, now: NOW });
    expect(e.agent.agents?.map((a) => a.id)).toEqual(["copilot", "claude-code"]);
    expect(e.rules.find((r) => r.id === "reviewers")?.message).toBe("Human review: 0/2 approvals; needs 2 more approvals from anyone with write permission or above.");
  });
});

describe("strictestPolicy: an agent's co-author trailer cannot widen who may approve or override", () => {
  // Claude's PRs need the security team; Copilot's entry lets its own reviewers approve and mallory override.
  const laundering = {
    overrides: [
      { agents: ["claude-code"], reviewers: { from: { teams: ["acme/security"] } } },
      { agents: ["copilot"], reviewers: { from: { teams: ["acme/copilot-reviewers"] } }, commands: { override: { users: ["mallory"] } } },
    ],
  };
  const people = { permissions: { mallory: "write" as const, sec1: "write" as const, bob: "admin" as const }, teams: { "acme/security": ["sec1"], "acme/copilot-reviewers": ["mallory"] } };
  // Claude's own PR (a human's account, Claude's trailer) with a commit that names Copilot as co-author too.
  const claudePr = (extra: Parameters<typeof facts>[0] = {}) =>
    facts({
      pull: { user: { login: "alice", id: 1, type: "User" }, head: { ref: "fix", sha: HEAD } },
      commits: [commit(HEAD, "Fix the parser\n\nCo-authored-by: Claude <noreply@anthropic.com>\nCo-authored-by: Copilot <198982749+Copilot@users.noreply.github.com>")],
      ...people,
      ...extra,
    });

  it("an approval only Copilot's entry allows does not count on Claude's work", () => {
    const e = evaluate({ policy: policy(laundering), facts: claudePr({ reviews: [review("mallory", "APPROVED", "2025-06-01T11:00:00Z")] }), now: NOW });
    expect(e.agent.agents?.map((a) => a.id).sort()).toEqual(["claude-code", "copilot"]);
    expect(e.rules.find((r) => r.id === "reviewers")?.status).toBe("pending");
  });

  it("nor does an override by a user only Copilot's entry names", () => {
    const comment = { id: 9, user: { login: "mallory", type: "User" }, body: "/governance override ship it", created_at: "2025-06-01T11:00:00Z", updated_at: "2025-06-01T11:00:00Z" };
    const e = evaluate({ policy: policy(laundering), facts: claudePr({ comments: [comment] }), now: NOW });
    expect(e.conclusion).toBe("action_required");
    expect(e.overrides).toEqual([]);
  });

  it("a person both allow still counts; with no one in common, only admins", () => {
    const s = strictestPolicy([policy({ reviewers: { from: { users: ["sec1", "bob"] } } }), policy({ reviewers: { from: { users: ["BOB"], teams: ["acme/x"] } } })]);
    expect(s.reviewers.from).toEqual({ users: ["bob"], teams: [] });
    const none = strictestPolicy([policy({ reviewers: { from: { teams: ["acme/security"] } } }), policy({ reviewers: { from: { teams: ["acme/copilot-reviewers"] } } })]);
    expect(none.reviewers.from).toEqual({ users: [], teams: [], min_permission: "admin" });
    const e = evaluate({ policy: policy(laundering), facts: claudePr({ reviews: [review("bob", "APPROVED", "2025-06-01T11:00:00Z")] }), now: NOW });
    expect(e.rules.find((r) => r.id === "reviewers")?.status).toBe("pass");
  });
});

describe("strictestPolicy: durations", () => {
  it("an override lasts at most the shorter max_duration, whichever agent is the primary (a longer one of the PR's opener does not outlive the other's limit)", () => {
    const long = policy({ commands: { override: { max_duration: "30d" } }, escalation: { stuck: { idle: "3d", repeat: "2d" } } });
    const short = policy({ commands: { override: { max_duration: "1d" } }, escalation: { stuck: { idle: "1d", repeat: "12h" } } });
    for (const s of [strictestPolicy([long, short]), strictestPolicy([short, long])]) {
      expect(s.commands.override.max_duration).toBe("1d");
      expect(s.escalation.stuck).toMatchObject({ idle: "1d", repeat: "12h" });
    }
  });
});

describe("strictestPolicy: a merge longer than one policy may be", () => {
  it("keeps every agent's rules when the united lists pass the schema's caps (11 tiers, 300 forbidden globs), rather than falling back to the primary's policy", () => {
    const tiers = (n: number, from: number) => Array.from({ length: n }, (_, i) => ({ after: `${from + i}h`, notify: ["acme/leads"] }));
    const globs = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}/**`);
    const copilotPolicy = policy({ reviewers: { required: 0 }, escalation: { tiers: tiers(6, 0) }, paths: { forbidden: globs(150, "a") } });
    const claudePolicy = policy({ reviewers: { required: 2 }, escalation: { tiers: tiers(5, 10) }, paths: { forbidden: globs(150, "b") } });
    const s = strictestPolicy([copilotPolicy, claudePolicy]);
    expect(s.reviewers.required).toBe(2);
    expect(s.escalation.tiers).toHaveLength(11);
    expect(s.paths.forbidden).toHaveLength(300);
  });

  it("an agent's entry whose `{ add: [...] }` makes a list longer than a file may write (8 + 3 tiers) still applies: its stricter rules are not dropped for the base's", () => {
    const tiers = Array.from({ length: 8 }, (_, i) => `    - { after: ${i}h, notify: [acme/a] }`).join("\n");
    const yaml = `reviewers: { required: 1 }\nescalation:\n  tiers:\n${tiers}\noverrides:\n  - agents: [copilot]\n    reviewers: { required: 3 }\n    escalation:\n      tiers: { add: [{ after: 20h, notify: [acme/b] }, { after: 21h, notify: [acme/b] }, { after: 22h, notify: [acme/b] }] }\n`;
    const parsed = parsePolicy(yaml, "agent-governance.yml");
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const p = effectivePolicy(parsed.policy, copilot);
    expect(p.reviewers.required).toBe(3);
    expect(p.escalation.tiers).toHaveLength(11);
  });
});
