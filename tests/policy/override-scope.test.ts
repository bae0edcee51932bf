/** `commands.override.scope`: an override lasts for its commit, or until a push touches a governed path. */
import { describe, expect, it } from "vitest";
import { evaluate } from "../../src/policy/evaluate.js";
import { commit, copilot, facts, file, HEAD, OLD, policy } from "./build.js";

const OVERRIDE_AT = "2025-06-01T10:00:00Z";
const comment = { id: 99, user: { login: "bob", type: "User" }, body: "/governance override hotfix", created_at: OVERRIDE_AT, updated_at: OVERRIDE_AT };
// The override was given while OLD was the head; HEAD was pushed after it.
const commits = [
  commit(OLD, "first", { committer: { name: "c", email: "c@x", date: "2025-06-01T09:00:00Z" } }),
  commit(HEAD, "second", { committer: { name: "c", email: "c@x", date: "2025-06-01T11:00:00Z" } }),
];
const base = { paths: { forbidden: ["infra/**"] }, commands: { override: { scope: "until_governed_push" as const } } };
const pr = (changedSince: Record<string, ReturnType<typeof file>[] | null> | undefined, scope: "commit" | "until_governed_push" = "until_governed_push") =>
  evaluate({
    policy: policy({ ...base, commands: { override: { scope } } }),
    facts: facts({ files: [file("infra/prod.tf"), file("src/a.ts")], commits, comments: [comment], ...(changedSince ? { changed_since: changedSince } : {}) }),
    now: "2025-06-01T12:00:00Z",
    verdict: copilot,
  });

describe("override scope", () => {
  it("carries an override over a later push that touches no governed path", () => {
    const e = pr({ [OLD]: [file("src/a.ts"), file("README.md")] });
    expect(e.outcome).toBe("overridden");
    expect(e.overrides).toEqual([{ login: "bob", commit: OLD, at: OVERRIDE_AT, reason: "hotfix", comment_id: 99, carried_to: HEAD }]);
  });

  it("drops it when the push touched a governed path", () => {
    expect(pr({ [OLD]: [file("infra/other.tf")] }).outcome).toBe("violation");
    expect(pr({ [OLD]: [file("AGENTS.md")] }).outcome).toBe("violation");
  });

  it("drops it when the push touched a file the policy was built from (policy_files)", () => {
    const run = (policyFiles?: string[]) =>
      evaluate({
        policy: policy(base),
        facts: facts({ files: [file("infra/prod.tf")], commits, comments: [comment], changed_since: { [OLD]: [file("policies/base.yml")] }, ...(policyFiles ? { policy_files: policyFiles } : {}) }),
        now: "2025-06-01T12:00:00Z",
        verdict: copilot,
      }).outcome;
    expect(run()).toBe("overridden");
    expect(run(["policies/base.yml"])).toBe("violation");
  });

  it("drops it when GitHub could not list the files since, or nobody asked", () => {
    expect(pr({ [OLD]: null }).outcome).toBe("violation");
    expect(pr(undefined).outcome).toBe("violation");
  });

  it("with scope `commit`, an override never outlives its commit", () => {
    expect(pr({ [OLD]: [file("src/a.ts")] }, "commit").outcome).toBe("violation");
  });
});
