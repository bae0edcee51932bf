/** Builders for detection tests: a plain human PR, changed only where a test says. */
import type { Actor, CommitFacts, PullFacts } from "../../src/types.js";

export const ALICE: Actor = { login: "alice", id: 1001, type: "User" };
export const COPILOT: Actor = { login: "Copilot", id: 198982749, type: "Bot" };
export const DEVIN: Actor = { login: "devin-ai-integration[bot]", id: 158243242, type: "Bot" };

let sha = 0;

/** A commit by alice, or by whoever `extra` says. */
export function commit(message: string, extra: Partial<CommitFacts> & { email?: string; name?: string } = {}): CommitFacts {
  const { email = "alice@example.com", name = "Alice", ...rest } = extra;
  sha++;
  return {
    sha: sha.toString(16).padStart(40, "0"),
    commit: { message, author: { name, email }, committer: { name, email } },
    author: ALICE,
    committer: ALICE,
    ...rest,
  };
}

type PullPatch = Partial<PullFacts["pull"]>;

/** A PR alice opened from a branch of the same repository, with one ordinary commit. */
export function pr(pull: PullPatch = {}, extra: Partial<Omit<PullFacts, "pull">> = {}): PullFacts {
  return {
    pull: {
      number: 12,
      title: "Fix the date parser",
      body: "Parses ISO weeks.\n\nFixes #11",
      user: ALICE,
      head: { ref: "fix-dates", sha: "f".repeat(40), repo: { full_name: "acme/app", fork: false } },
      base: { ref: "main", repo: { full_name: "acme/app", default_branch: "main" } },
      labels: [],
      ...pull,
    },
    files: [],
    commits: [commit("Fix the date parser")],
    reviews: [],
    comments: [],
    ...extra,
  };
}

/** A head branch `ref` pushed from alice's fork. */
export function forkHead(ref: string): PullFacts["pull"]["head"] {
  return { ref, sha: "f".repeat(40), repo: { full_name: "alice/app", fork: true } };
}
