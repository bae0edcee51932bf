import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { authorize, describeSet } from "../../src/commands/authorize.js";
import { parseCommand, type ParsedCommand } from "../../src/commands/parse.js";
import type { Actor, Permission, PullFacts } from "../../src/types.js";
import { commit, copilot, facts as baseFacts, file, HEAD, policy } from "../policy/build.js";

const cmd = (text: string): ParsedCommand => parseCommand(text)!;

/** A PR opened by a human, `carol` (admin), written by Copilot, which `inviter` (admin) set going. */
function facts(extra: Partial<PullFacts> = {}): PullFacts {
  return baseFacts({
    pull: { user: { login: "carol", id: 7, type: "User" } },
    permissions: { bob: "admin", alice: "write", reader: "read", carol: "admin", inviter: "admin", dba1: "write", tess: "triage" },
    teams: { "acme/dba": ["dba1"], "acme/release": ["tess"] },
    ...extra,
  });
}

const ACTORS: Record<string, Actor> = {
  admin: { login: "bob", type: "User" },
  writer: { login: "alice", type: "User" },
  reader: { login: "reader", type: "User" },
  author: { login: "carol", type: "User" },
  invoker: { login: "inviter", type: "User" },
  agent: { login: "Copilot", id: 198982749, type: "Bot" },
};

// For each command, which actors are accepted under the default policy (others are refused).
const ACCEPTED: Record<string, string[]> = {
  "/governance approve": ["admin", "writer"],
  "/governance override the outage needs this now": ["admin"],
  "/governance recheck": ["admin", "writer", "author", "invoker"],
  "/governance escalate": ["admin", "writer", "author", "invoker"],
  "/governance explain": ["admin", "writer", "reader", "author", "invoker"],
  "/governance help": ["admin", "writer", "reader", "author", "invoker"],
  "/governance frobnicate": ["admin", "writer", "reader", "author", "invoker"],
};

describe("authorize: each command for each kind of actor (default policy)", () => {
  const cases = Object.entries(ACCEPTED).flatMap(([text, ok]) => Object.keys(ACTORS).map((who) => [text, who, ok.includes(who)] as const));
  it.each(cases)("%s by the %s: accepted %s", (text, who, accepted) => {
    const d = authorize(cmd(text), ACTORS[who], facts(), policy(), copilot);
    expect(d.ok).toBe(accepted);
  });
});

describe("authorize: the reasons", () => {
  const refusal = (text: string, who: Actor, f = facts(), p = policy()) => {
    const d = authorize(cmd(text), who, f, p, copilot);
    return d.ok ? null : d.reason;
  };

  it("refuses every command written by a bot or agent, and a deleted (ghost) user", () => {
    expect(refusal("/governance help", ACTORS.agent!)).toBe("commands written by bots or agents are not obeyed; a human must write them");
    expect(refusal("/governance explain", { login: "renovate[bot]" })).toMatch(/bots or agents/);
    expect(authorize(cmd("/governance help"), null, facts(), policy(), copilot).ok).toBe(false);
  });

  describe("an account detection knows as an agent's is never obeyed, whatever its permission (issue 15, item 1)", () => {
    const agentFacts = facts({ permissions: { "openhands-agent": "admin", cursoragent: "admin", "acme-agent": "admin", "renovate-bot": "admin" } });
    const p = policy({ agents: { also: { logins: ["Acme-Agent"] } } });
    it.each([
      ["openhands-agent", "an agent account (OpenHands)"],
      ["CursorAgent", "an agent account (Cursor background agent)"],
      ["acme-agent", "an agent account (in `agents.also.logins`)"],
      ["renovate-bot", "an automation account (Renovate)"],
    ])("%s: %s", (login, account) => {
      for (const text of Object.keys(ACCEPTED)) {
        expect(refusal(text, { login, type: "User" }, agentFacts, p), text).toBe(
          `this is ${account}, and commands written by bots or agents are not obeyed; a human must write them`,
        );
      }
    });
    it("on any PR: not only the PR's own agent, and whatever `agents.ignore` says", () => {
      const ignored = policy({ agents: { ignore: ["cursor", "cursoragent"] } });
      expect(refusal("/governance approve", { login: "cursoragent", type: "User" }, agentFacts, ignored)).toMatch(/^this is an agent account \(Cursor/);
    });
    it("a human whose login merely resembles one is not refused for it", () => {
      const f = facts({ permissions: { "openhands-agent-fan": "write", copilot: "write" } });
      expect(refusal("/governance approve", { login: "openhands-agent-fan", type: "User" }, f)).toBeNull();
      // The registry pins Copilot's account to `type: Bot`: a User named `copilot` is a person.
      expect(refusal("/governance approve", { login: "copilot", type: "User" }, f)).toBeNull();
    });
  });

  it("says why the author, the invoker and a reader cannot approve", () => {
    expect(refusal("/governance approve", ACTORS.author!)).toBe("you are the PR author, and the PR author cannot approve this PR");
    expect(refusal("/governance approve", ACTORS.invoker!)).toBe("you are the agent's invoker, and the agent's invoker cannot approve this PR");
    expect(refusal("/governance approve", ACTORS.reader!)).toBe(
      "your approval would not count here: approvals come from anyone with write permission or above (you have read permission)",
    );
  });

  it("refuses every invoker the verdict names, not only the primary one, case-insensitively", () => {
    const verdict = { ...copilot, invoker: "inviter", invokers: ["inviter", "Alice"] };
    const d = authorize(cmd("/governance approve"), ACTORS.writer, facts(), policy(), verdict);
    expect(d).toEqual({ ok: false, reason: "you are the agent's invoker, and the agent's invoker cannot approve this PR" });
    expect(authorize(cmd("/governance override the outage"), ACTORS.writer, facts(), policy(), verdict)).toEqual({
      ok: false,
      reason: "you are the agent's invoker, and the agent's invoker cannot override this PR's policy",
    });
  });

  it("lets the invoker approve when the policy says so, but never override", () => {
    const p = policy({ reviewers: { invoker_can_approve: true } });
    expect(refusal("/governance approve", ACTORS.invoker!, facts(), p)).toBeNull();
    expect(refusal("/governance override reason", ACTORS.invoker!, facts(), p)).toBe(
      "you are the agent's invoker, and the agent's invoker cannot override this PR's policy",
    );
  });

  it("refuses approval from a human who pushed commits to the PR", () => {
    const f = facts({ commits: [commit(HEAD, "Tweak", {}, { author: { login: "alice", type: "User" } })] });
    expect(refusal("/governance approve", ACTORS.writer!, f)).toBe(
      "you are a contributor of the PR's commits, and a contributor of the PR's commits cannot approve this PR",
    );
  });

  it("lets a human who pushed commits to the PR approve and override only with contributors_can_approve", () => {
    const f = facts({ commits: [commit(HEAD, "Tweak", {}, { author: { login: "bob", type: "User" } })] });
    expect(refusal("/governance override the outage needs this now", ACTORS.admin!, f)).toBe(
      "you are a contributor of the PR's commits, and a contributor of the PR's commits cannot override this PR's policy",
    );
    const p = policy({ reviewers: { contributors_can_approve: true } });
    expect(refusal("/governance override the outage needs this now", ACTORS.admin!, f, p)).toBeNull();
    expect(refusal("/governance approve", ACTORS.admin!, f, p)).toBeNull();
  });

  it("accepts a restricted-path group's member who is not otherwise a reviewer", () => {
    const p = policy({
      reviewers: { from: { teams: ["acme/maintainers"] } },
      paths: { restricted: [{ paths: ["migrations/**"], reviewers: { teams: ["acme/dba"] } }] },
    });
    const dba = { login: "dba1", type: "User" };
    expect(refusal("/governance approve", dba, facts(), p)).toBe(
      "your approval would not count here: approvals come from @acme/maintainers (you have write permission)",
    );
    expect(refusal("/governance approve", dba, facts({ files: [file("migrations/001.sql")] }), p)).toBeNull();
  });

  it("accepts a maintainer's approval of a change to a file the policy was built from (policy_files)", () => {
    const p = policy({ reviewers: { from: { users: ["alice"] } } });
    const admin = ACTORS.admin!;
    expect(refusal("/governance approve", admin, facts({ files: [file("policies/base.yml")] }), p)).toBe(
      "your approval would not count here: approvals come from @alice (you have admin permission)",
    );
    expect(refusal("/governance approve", admin, facts({ files: [file("policies/base.yml")], policy_files: ["policies/base.yml"] }), p)).toBeNull();
  });

  it("refuses approval by command when the policy turns it off, or when no approval is needed", () => {
    expect(refusal("/governance approve", ACTORS.admin!, facts(), policy({ commands: { approve: { enabled: false } } }))).toMatch(
      /^approval by command is turned off/,
    );
    expect(refusal("/governance approve", ACTORS.admin!, facts(), policy({ reviewers: { required: 0 } }))).toBe(
      "this PR needs no human approval under the policy",
    );
  });

  it("override: permission, listed users and teams, and the reason", () => {
    expect(refusal("/governance override reason", ACTORS.writer!)).toBe("an override needs admin permission or above (you have write permission)");
    const p = policy({ commands: { override: { min_permission: "maintain", users: ["alice"], teams: ["acme/release"] } } });
    expect(refusal("/governance override reason", ACTORS.writer!, facts(), p)).toBeNull();
    expect(refusal("/governance override reason", { login: "tess", type: "User" }, facts(), p)).toBeNull();
    expect(refusal("/governance override reason", ACTORS.reader!, facts(), p)).toBe(
      "an override needs maintain permission or above or to be one of @alice, @acme/release (you have read permission)",
    );
    expect(refusal("/governance override", ACTORS.admin!)).toBe("an override needs a reason: `/governance override <reason>`");
    expect(refusal("/governance override", ACTORS.admin!, facts(), policy({ commands: { override: { reason_required: false } } }))).toBeNull();
  });

  it("recheck and escalate need write; a user without any permission entry has none", () => {
    expect(refusal("/governance recheck", ACTORS.reader!)).toBe("`/governance recheck` needs write permission or above on this repository (you have read)");
    expect(refusal("/governance escalate", { login: "stranger", type: "User" })).toBe(
      "`/governance escalate` needs write permission or above on this repository (you have none)",
    );
  });
});

describe("describeSet", () => {
  it("names users, teams and the permission", () => {
    expect(describeSet({ users: [], teams: [] })).toBe("anyone with write permission or above");
    expect(describeSet({ users: ["a"], teams: ["o/t"] })).toBe("@a, @o/t");
    expect(describeSet({ users: [], teams: ["o/t"], min_permission: "maintain" })).toBe("@o/t with maintain permission or above");
  });
});

describe("authorize properties", () => {
  const perm = fc.constantFrom("none", "read", "triage", "write", "maintain", "admin") as fc.Arbitrary<Permission>;
  type MinPermission = Exclude<Permission, "none">;
  const minPerm = fc.constantFrom("read", "triage", "write", "maintain", "admin") as fc.Arbitrary<MinPermission>;
  const anyCommand = fc.tuple(fc.constantFrom("approve", "override", "recheck", "explain", "escalate", "help", "lgtm"), fc.string({ maxLength: 20 }));
  const policies = fc.record({
    invoker_can_approve: fc.boolean(),
    reason_required: fc.boolean(),
    min_permission: minPerm,
    listed: fc.boolean(),
  });
  const build = (o: { invoker_can_approve: boolean; reason_required: boolean; min_permission: MinPermission; listed: boolean }) =>
    policy({
      reviewers: { invoker_can_approve: o.invoker_can_approve },
      commands: { override: { reason_required: o.reason_required, min_permission: o.min_permission, users: o.listed ? ["carol", "inviter", "Copilot"] : [] } },
    });

  it("never obeys a bot, whatever the command, permission or policy", () => {
    fc.assert(
      fc.property(anyCommand, perm, policies, ([w, a], p, o) => {
        const f = facts({ permissions: { "Copilot": p, "x[bot]": p } });
        expect(authorize(cmd(`/governance ${w} ${a}`), ACTORS.agent, f, build(o), copilot).ok).toBe(false);
        expect(authorize(cmd(`/governance ${w} ${a}`), { login: "x[bot]", type: "User" }, f, build(o), copilot).ok).toBe(false);
      }),
    );
  });

  it("never lets the PR author approve or override, nor the invoker override", () => {
    fc.assert(
      fc.property(fc.constantFrom("approve", "override"), perm, policies, (w, p, o) => {
        const f = facts({ permissions: { carol: p, inviter: p } });
        expect(authorize(cmd(`/governance ${w} because`), ACTORS.author, f, build(o), copilot).ok).toBe(false);
        if (w === "override") expect(authorize(cmd("/governance override because"), ACTORS.invoker, f, build(o), copilot).ok).toBe(false);
      }),
    );
  });
});

describe("commands written through an app on a person's behalf", () => {
  it("refuses an approval or override typed by a tool holding the person's token; answers the rest", () => {
    const via = { id: 99, slug: "some-coding-agent", name: "Some Coding Agent" };
    const f = facts({ permissions: { alice: "admin" } });
    const alice = { login: "alice", type: "User" };
    expect(authorize(parseCommand("/governance approve")!, alice, f, policy(), copilot, via)).toEqual({
      ok: false,
      reason: "this comment was written through the app `some-coding-agent` on your behalf, and an approval or override must be written by you on GitHub itself",
    });
    expect(authorize(parseCommand("/governance override INC-1")!, alice, f, policy(), copilot, via).ok).toBe(false);
    expect(authorize(parseCommand("/governance recheck")!, alice, f, policy(), copilot, via).ok).toBe(true);
    expect(authorize(parseCommand("/governance approve")!, alice, f, policy(), copilot, null).ok).toBe(true);
  });
});

describe("authorize: approve by a finding rule's group", () => {
  it("a member of the group a workflow-risk finding needs may approve by command, though no other set names them", () => {
    const p = policy({ reviewers: { required: 1, from: { users: ["bob"] } }, compliance: { workflow_risk: { reviewers: { teams: ["acme/dba"], required: 1 } } } });
    const f = facts({
      files: [file(".github/workflows/ci.yml", { status: "added", patch: "@@ -0,0 +1,3 @@\n+on: push\n+permissions: write-all\n+jobs: {}" })],
    });
    expect(authorize(cmd("/governance approve"), { login: "dba1", type: "User" }, f, p, copilot)).toEqual({ ok: true });
    // Without a finding there is no such group: dba1 is not an approver here.
    expect(authorize(cmd("/governance approve"), { login: "dba1", type: "User" }, facts(), p, copilot).ok).toBe(false);
  });
});
