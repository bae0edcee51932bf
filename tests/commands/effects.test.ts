/**
 * Command effects through the pure evaluator: approvals and overrides are
 * re-derived from the comment list on every evaluation.
 */
import { describe, expect, it } from "vitest";
import { boundCommit, commandEffects, commitAt, isEdited, seenBefore } from "../../src/commands/effects.js";
import { evaluate } from "../../src/policy/evaluate.js";
import type { CommentFacts, PullFacts } from "../../src/types.js";
import { commit, copilot, facts as baseFacts, file, HEAD, NOW, OLD, policy, review } from "../policy/build.js";

const T0 = "2025-06-01T10:00:00Z";
const AT = "2025-06-01T11:00:00Z";
const LATER = "2025-06-01T11:30:00Z";

let nextId = 100;
function comment(login: string, body: string, o: { at?: string; updated?: string; type?: string } = {}): CommentFacts {
  const at = o.at ?? AT;
  return { id: nextId++, user: { login, type: o.type ?? "User" }, body, created_at: at, updated_at: o.updated ?? at };
}

/** Copilot's PR, one commit committed at T0 (before the comments). */
function facts(comments: CommentFacts[], extra: Partial<PullFacts> = {}): PullFacts {
  return baseFacts({
    commits: [commit(HEAD, "Fix the parser", { committer: { name: "GitHub", email: "noreply@github.com", date: T0 } })],
    permissions: { bob: "admin", alice: "write", reader: "read", inviter: "admin" },
    comments,
    ...extra,
  });
}

const run = (f: PullFacts, p = policy()) => evaluate({ policy: p, facts: f, now: NOW, verdict: copilot });

describe("approve by command", () => {
  it("counts a writer's approval of the head commit", () => {
    const e = run(facts([comment("alice", "Checked it.\n/governance approve")]));
    expect(e.outcome).toBe("passed");
    expect(e.approvals).toEqual([{ login: "alice", via: "command", commit: HEAD, at: AT, counted_for: ["reviewers"] }]);
  });

  it.each([
    ["a reader", comment("reader", "/governance approve")],
    ["the invoker", comment("inviter", "/governance approve")],
    ["a bot", comment("helper[bot]", "/governance approve", { type: "Bot" })],
    ["the agent", comment("Copilot", "/governance approve", { type: "Bot" })],
    ["a quote of a command", comment("alice", "> /governance approve\n\nWhy?")],
    ["an edited comment", comment("alice", "/governance approve", { updated: "2025-06-01T11:05:00Z" })],
  ])("does not count %s", (_who, c) => {
    const e = run(facts([c]));
    expect(e.outcome).toBe("waiting");
    expect(e.approvals).toEqual([]);
  });

  it("stops counting when the comment is deleted: it is no longer in the list", () => {
    const c = comment("alice", "/governance approve");
    expect(run(facts([c])).outcome).toBe("passed");
    expect(run(facts([])).outcome).toBe("waiting");
  });

  it("counts the invoker when the policy lets the invoker approve", () => {
    const e = run(facts([comment("inviter", "/governance approve")]), policy({ reviewers: { invoker_can_approve: true } }));
    expect(e.outcome).toBe("passed");
  });

  it("is stale after a later push, unless approvals are kept across pushes", () => {
    const f = facts([comment("alice", "/governance approve")], {
      commits: [
        commit(OLD, "First", { committer: { date: T0 } }),
        commit(HEAD, "Second", { committer: { date: LATER } }),
      ],
    });
    const e = run(f);
    expect(e.outcome).toBe("waiting");
    const kept = run(f, policy({ reviewers: { stale_on_push: false } }));
    expect(kept.outcome).toBe("passed");
    expect(kept.approvals[0]).toMatchObject({ login: "alice", via: "command", commit: OLD });
  });

  it("is undone by the same reviewer's later request for changes", () => {
    const e = run(facts([comment("alice", "/governance approve")], { reviews: [review("alice", "CHANGES_REQUESTED", LATER)] }));
    expect(e.outcome).toBe("waiting");
    expect(e.title).toBe("Changes requested by a reviewer");
  });
});

describe("approve by command from an agent's account (issue 15, item 1)", () => {
  it("is never counted, and is listed as refused with the reason, whatever the account's permission", () => {
    const f = facts([comment("openhands-agent", "/governance approve"), comment("acme-agent", "/governance approve", { at: LATER })], {
      permissions: { "openhands-agent": "admin", "acme-agent": "admin" },
    });
    const p = policy({ agents: { also: { logins: ["acme-agent"] } } });
    const effects = commandEffects(f, p, copilot);
    expect(effects.approvals).toEqual([]);
    expect(effects.refused).toEqual([
      { login: "openhands-agent", via: "command", commit: HEAD, at: AT },
      { login: "acme-agent", via: "command", commit: HEAD, at: LATER },
    ]);
    const e = run(f, p);
    expect(e.outcome).toBe("waiting");
    expect(e.approvals).toEqual([]);
    expect(e.refused).toEqual([
      { login: "openhands-agent", via: "command", commit: HEAD, at: AT, kind: "bot", reason: "an agent account (OpenHands)" },
      { login: "acme-agent", via: "command", commit: HEAD, at: LATER, kind: "bot", reason: "an agent account (in `agents.also.logins`)" },
    ]);
  });

  it("lists the invoker's refused approve too, and one who lacks permission (issue 18, point 2)", () => {
    const e = run(facts([comment("inviter", "/governance approve"), comment("reader", "/governance approve")]));
    expect(e.refused).toEqual([
      { login: "inviter", via: "command", commit: HEAD, at: AT, kind: "invoker", reason: "the agent's invoker" },
      { login: "reader", via: "command", commit: HEAD, at: AT, kind: "permission", reason: "read permission; needs write or above" },
    ]);
  });

  it("an agent account's override is never obeyed", () => {
    const f = facts([comment("cursoragent", "/governance override ship it")], { permissions: { cursoragent: "admin" }, files: [file("infra/x.tf")] });
    const e = run(f, policy({ paths: { forbidden: ["infra/**"] } }));
    expect(e.outcome).toBe("violation");
    expect(e.overrides).toEqual([]);
  });
});

describe("override by command", () => {
  const forbidden = { paths: { forbidden: ["infra/**"] } };
  const withForbidden = (comments: CommentFacts[], extra: Partial<PullFacts> = {}) =>
    facts(comments, { files: [file("infra/main.tf")], ...extra });

  it("lets the head commit pass, recorded with who, when, commit and reason", () => {
    const c = comment("bob", "/governance override INC-42: the outage fix cannot wait");
    const e = run(withForbidden([c]), policy(forbidden));
    expect(e.outcome).toBe("overridden");
    expect(e.conclusion).toBe("success");
    expect(e.title).toBe("Overridden by @bob");
    expect(e.overrides).toEqual([{ login: "bob", commit: HEAD, at: AT, reason: "INC-42: the outage fix cannot wait", comment_id: c.id }]);
  });

  it.each([
    ["a writer", comment("alice", "/governance override please")],
    ["an admin without a reason", comment("bob", "/governance override")],
    ["an edited comment", comment("bob", "/governance override ok", { updated: "2025-06-01T11:00:02Z" })],
    ["the invoker, an admin", comment("inviter", "/governance override mine")],
  ])("does not count %s", (_who, c) => {
    const e = run(withForbidden([c]), policy(forbidden));
    expect(e.outcome).toBe("violation");
    expect(e.overrides).toEqual([]);
  });

  it("does not carry over to a commit pushed after it", () => {
    const f = withForbidden([comment("bob", "/governance override fine for now")], {
      commits: [commit(OLD, "First", { committer: { date: T0 } }), commit(HEAD, "Second", { committer: { date: LATER } })],
    });
    expect(run(f, policy(forbidden)).outcome).toBe("violation");
    // It stays on record for the commit it was given on, which is no longer the head.
    expect(commandEffects(f, policy(forbidden), copilot).overrides.map((o) => o.commit)).toEqual([OLD]);
  });

  it("uses the most recent override of the head, and cuts a long reason", () => {
    const first = comment("bob", "/governance override first", { at: "2025-06-01T10:30:00Z" });
    const second = comment("bob", `/governance override ${"x".repeat(400)}`, { at: AT });
    const e = run(withForbidden([second, first]), policy(forbidden));
    expect(e.overrides).toHaveLength(1);
    expect(e.overrides[0]!.comment_id).toBe(second.id);
    expect(e.overrides[0]!.reason).toHaveLength(300);
    expect(e.overrides[0]!.reason.endsWith("…")).toBe(true);
  });
});

describe("time-bound overrides", () => {
  const forbidden = { paths: { forbidden: ["infra/**"] } };
  const f = (body: string) => facts([comment("bob", body)], { files: [file("infra/main.tf")] });
  const at = (now: string, body: string, p = policy(forbidden)) => evaluate({ policy: p, facts: f(body), now, verdict: copilot });

  it("a duration written first: the override applies until it expires, then the rule fails again", () => {
    const before = at("2025-06-03T10:59:59Z", "/governance override 2d INC-42 hotfix");
    expect(before.outcome).toBe("overridden");
    expect(before.title).toBe("Overridden by @bob until 2025-06-03T11:00:00.000Z");
    expect(before.overrides).toEqual([
      { login: "bob", commit: HEAD, at: AT, reason: "INC-42 hotfix", comment_id: expect.any(Number), expires_at: "2025-06-03T11:00:00.000Z" },
    ]);
    const after = at("2025-06-03T11:00:00Z", "/governance override 2d INC-42 hotfix");
    expect(after.outcome).toBe("violation");
    expect(after.overrides).toEqual([]);
  });

  it("`commands.override.max_duration` caps a duration and is the duration of one given without", () => {
    const capped = policy({ ...forbidden, commands: { override: { max_duration: "1d" } } });
    expect(at(NOW, "/governance override 1w INC-42", capped).overrides[0]!.expires_at).toBe("2025-06-02T11:00:00.000Z");
    expect(at(NOW, "/governance override INC-42", capped).overrides[0]!.expires_at).toBe("2025-06-02T11:00:00.000Z");
    expect(at("2025-06-02T11:00:00Z", "/governance override INC-42", capped).outcome).toBe("violation");
    // Without a max, an override without a duration does not expire.
    expect(at("2030-01-01T00:00:00Z", "/governance override INC-42").outcome).toBe("overridden");
  });

  it("a duration alone is no reason when one is required", () => {
    expect(at(NOW, "/governance override 3d").overrides).toEqual([]);
    const optional = policy({ ...forbidden, commands: { override: { reason_required: false } } });
    expect(at(NOW, "/governance override 3d", optional).overrides[0]).toMatchObject({ reason: "", expires_at: "2025-06-04T11:00:00.000Z" });
  });

  it("the latest override decides: an earlier, longer one does not come back when it expires", () => {
    const long = comment("bob", "/governance override 1w first", { at: "2025-06-01T10:30:00Z" });
    const short = comment("bob", "/governance override 1h second", { at: AT });
    const e = evaluate({ policy: policy(forbidden), facts: facts([long, short], { files: [file("infra/main.tf")] }), now: "2025-06-01T12:00:00Z", verdict: copilot });
    expect(e.outcome).toBe("violation");
  });
});

describe("commitAt", () => {
  const f = facts([], {
    commits: [
      commit("a", "1", { committer: { date: "2025-06-01T09:00:00Z" } }),
      commit("b", "2", { committer: { date: "2025-06-01T10:00:00Z" } }),
      commit(HEAD, "3", { committer: { date: "2025-06-01T11:00:00Z" } }),
    ],
  });
  it("finds the head the comment was made on", () => {
    expect(commitAt(f, "2025-06-01T08:00:00Z")).toBeNull();
    expect(commitAt(f, "2025-06-01T09:30:00Z")).toBe("a");
    expect(commitAt(f, "2025-06-01T10:59:59Z")).toBe("b");
    expect(commitAt(f, "2025-06-01T11:00:00Z")).toBe(HEAD);
    expect(commitAt(f, "not a date")).toBeNull();
  });
  it("falls back to the author date, and skips commits without a date", () => {
    const g = facts([], { commits: [commit("a", "1", { author: { date: "2025-06-01T12:00:00Z" } }), commit(HEAD, "2")] });
    expect(commitAt(g, AT)).toBeNull();
    expect(commitAt(facts([], { commits: [commit(HEAD, "undated")] }), AT)).toBe(HEAD);
  });
});

describe("isEdited", () => {
  it("takes any update after creation as an edit, even within the second after (a script rewriting a fresh comment)", () => {
    expect(isEdited({ created_at: AT, updated_at: AT })).toBe(false);
    expect(isEdited({ created_at: AT, updated_at: null })).toBe(false);
    expect(isEdited({ created_at: AT, updated_at: "2025-06-01T11:00:01Z" })).toBe(true);
    expect(isEdited({ created_at: AT, updated_at: "2025-06-01T11:00:02Z" })).toBe(true);
  });
});

describe("boundCommit: a command counts for the head only if the app saw the head before it", () => {
  // alice comments at 11:00 while OLD is the head; the agent then pushes HEAD dated 10:30
  // (any committer date can be set), which the app first sees at 11:05.
  const backdated = (seen: Record<string, string | null> | undefined) =>
    facts([], {
      commits: [commit("old", "1", { committer: { date: "2025-06-01T10:00:00Z" } }), commit(HEAD, "2", { committer: { date: "2025-06-01T10:30:00Z" } })],
      ...(seen ? { seen_at: seen } : {}),
    });

  it("does not let a commit pushed after the command inherit it by its dates: the command stays on the commit before", () => {
    expect(commitAt(backdated(undefined), AT)).toBe(HEAD); // the dates alone are fooled
    expect(boundCommit(backdated({ [HEAD]: "2025-06-01T11:05:00Z" }), AT)).toBe("old");
    expect(boundCommit(backdated({ [HEAD]: null }), AT)).toBe("old");
    const single = facts([], { commits: [commit(HEAD, "only", { committer: { date: "2025-06-01T10:30:00Z" } })], seen_at: { [HEAD]: null } });
    expect(boundCommit(single, AT)).toBeNull();
  });

  it("keeps the head when the app saw it before the command (not within the same second), and earlier commits as the dates say", () => {
    expect(boundCommit(backdated({ [HEAD]: "2025-06-01T10:45:00Z" }), AT)).toBe(HEAD);
    expect(boundCommit(backdated({ [HEAD]: "2025-06-01T10:59:59.900Z" }), AT)).toBe(HEAD);
    expect(boundCommit(backdated({ [HEAD]: "2025-06-01T11:00:00.400Z" }), AT)).toBe("old");
    expect(boundCommit(backdated({ [HEAD]: "2025-06-01T10:45:00Z" }), "2025-06-01T10:15:00Z")).toBe("old");
    expect(boundCommit(backdated(undefined), AT)).toBe(HEAD);
  });

  it("takes the head when the app saw it before the command, even if a skewed clock dated it after the command", () => {
    const skewed = facts([], {
      commits: [commit("old", "1", { committer: { date: "2025-06-01T10:00:00Z" } }), commit(HEAD, "2", { committer: { date: "2025-06-01T11:20:00Z" } })],
      seen_at: { [HEAD]: "2025-06-01T10:50:00Z" },
    });
    expect(commitAt(skewed, AT)).toBe("old");
    expect(boundCommit(skewed, AT)).toBe(HEAD);
  });

  it("seenBefore: an unknown or unseen commit was not seen; without seen_at the dates are trusted", () => {
    expect(seenBefore(backdated({ [HEAD]: "2025-06-01T10:45:00Z" }), "old", AT)).toBe(false);
    expect(seenBefore(backdated({ [HEAD]: "2025-06-01T10:45:00Z", old: "2025-06-01T10:00:00Z" }), "old", AT)).toBe(true);
    expect(seenBefore(backdated(undefined), "old", AT)).toBe(true);
  });
});
