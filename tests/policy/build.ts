/** Builders for hand-written PullFacts, policies and verdicts in policy tests. */
import { PolicySchema, type Policy, type PolicyInput } from "../../src/config/schema.js";
import type { AgentVerdict, CommitFacts, FileFacts, PullFacts, ReviewFacts } from "../../src/types.js";

export const HEAD = "c0ffee0000000000000000000000000000000001";
export const OLD = "0ld0000000000000000000000000000000000001";
export const NOW = "2025-06-01T12:00:00Z";

export function policy(input: PolicyInput = {}): Policy {
  return PolicySchema.parse(input);
}

export const copilot: AgentVerdict = {
  detected: true,
  id: "copilot",
  name: "Copilot coding agent",
  kind: "agent",
  confidence: "high",
  evidence: [],
  invoker: "inviter",
  invokers: ["inviter"],
};
export const dependabot: AgentVerdict = { ...copilot, id: "dependabot", name: "Dependabot", kind: "automation", invoker: null, invokers: [] };
export const unknownAgent: AgentVerdict = { ...copilot, id: null, name: "Unknown agent", confidence: "low", invoker: null, invokers: [] };
export const human: AgentVerdict = {
  detected: false,
  id: null,
  name: null,
  kind: "none",
  confidence: null,
  evidence: [],
  invoker: null,
  invokers: [],
};

export function file(filename: string, extra: Partial<FileFacts> = {}): FileFacts {
  return { filename, status: "modified", additions: 1, deletions: 0, changes: 1, patch: "@@ -1,1 +1,2 @@\n line\n+added", ...extra };
}

/** A changed file as GitHub lists it, with its patch as GitHub writes it (none: GitHub gave no patch). */
export function changed(filename: string, patch: string | undefined, extra: Partial<FileFacts> = {}): FileFacts {
  return { filename, status: "modified", additions: 1, deletions: 1, changes: 2, ...(patch === undefined ? {} : { patch }), ...extra };
}

/** A new file: its patch adds every line of `text`. */
export function created(filename: string, text: string): FileFacts {
  const lines = text.replace(/\n$/, "").split("\n");
  return { filename, status: "added", additions: lines.length, deletions: 0, changes: lines.length, patch: `@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join("\n")}` };
}

export function commit(sha: string, message: string, extra: Partial<CommitFacts["commit"]> = {}, more: Partial<CommitFacts> = {}): CommitFacts {
  return {
    sha,
    commit: { message, author: { name: "Copilot", email: "198982749+Copilot@users.noreply.github.com" }, ...extra },
    author: { login: "Copilot", type: "Bot" },
    committer: { login: "web-flow", type: "User" },
    parents: [{ sha: "p" }],
    ...more,
  };
}

let reviewId = 1;
export function review(login: string, state: string, at: string, commit_id = HEAD): ReviewFacts {
  return { id: reviewId++, user: { login, type: "User" }, state, commit_id, submitted_at: at };
}

export function facts(extra: Omit<Partial<PullFacts>, "pull"> & { pull?: Partial<PullFacts["pull"]> } = {}): PullFacts {
  const { pull, ...rest } = extra;
  return {
    pull: {
      number: 7,
      title: "Fix the parser",
      body: "Fixes #12",
      user: { login: "Copilot", id: 198982749, type: "Bot" },
      head: { ref: "copilot/fix", sha: HEAD },
      base: { ref: "main" },
      ...pull,
    },
    files: [file("src/a.ts")],
    commits: [commit(HEAD, "Fix the parser")],
    reviews: [],
    comments: [],
    permissions: { alice: "write", bob: "admin", reader: "read", inviter: "admin", dba1: "write" },
    teams: { "acme/dba": ["dba1"], "acme/maintainers": ["bob"] },
    ...rest,
  };
}
