import { describe, expect, it } from "vitest";
import { authorize } from "../../src/commands/authorize.js";
import { parseCommand } from "../../src/commands/parse.js";
import type { PolicyInput } from "../../src/config/schema.js";
import { codeownersGroups, usesCodeowners } from "../../src/policy/codeowners.js";
import { evaluate } from "../../src/policy/evaluate.js";
import { neededLookups } from "../../src/policy/lookups.js";
import type { PullFacts } from "../../src/types.js";
import { copilot, facts, file, NOW, policy, review } from "./build.js";

const CODEOWNERS = ["* @root-owner", "/src/ @alice @acme/web", "/src/db/ @acme/dba", "*.md", "/legal/ legal@acme.dev", "lib/[ab].ts @x"].join("\n");
const ON: PolicyInput = { reviewers: { required: 0, codeowners: true } };
const run = (f: PullFacts, input: PolicyInput = ON) => evaluate({ policy: policy(input), facts: f, now: NOW, verdict: copilot });

const owned = (extra: Partial<PullFacts> = {}) =>
  facts({
    files: [file("src/a.ts"), file("src/db/m.sql"), file("src/b.ts"), file("README.md")],
    codeowners: CODEOWNERS,
    permissions: { alice: "write", bob: "write", carol: "read" },
    teams: { "acme/web": ["bob"], "acme/dba": ["dan"] },
    ...extra,
  });

describe("reviewers.codeowners", () => {
  it("groups the changed files by the CODEOWNERS line that decides their owners and waits for one approval from each group (unowned files need none)", () => {
    const e = run(owned());
    expect(e.outcome).toBe("waiting");
    expect(e.rules).toEqual([
      {
        id: "reviewers.codeowners",
        status: "skipped",
        message: "CODEOWNERS lines not applied: line 6: `lib/[ab].ts`: `[ ]` (character ranges) are not supported in CODEOWNERS; GitHub skips this line.",
        fix: "Fix these lines of CODEOWNERS on the default branch (GitHub also lists its errors on the file's page).",
      },
      {
        id: "reviewers.codeowners:2",
        status: "pending",
        message: "Code owners of `src/a.ts`, `src/b.ts` (CODEOWNERS line 2, `/src/`): 0/1 approvals; needs 1 more approval from @alice, @acme/web with write permission or above.",
        fix: "An eligible reviewer approves the latest commit (a review, or `/governance approve`).",
        locations: [
          { path: "src/a.ts", message: "Needs approval: 1 more approval from @alice, @acme/web with write permission or above." },
          { path: "src/b.ts", message: "Needs approval: 1 more approval from @alice, @acme/web with write permission or above." },
        ],
      },
      {
        id: "reviewers.codeowners:3",
        status: "pending",
        message: "Code owners of `src/db/m.sql` (CODEOWNERS line 3, `/src/db/`): 0/1 approvals; needs 1 more approval from @acme/dba with write permission or above.",
        fix: "An eligible reviewer approves the latest commit (a review, or `/governance approve`).",
        locations: [{ path: "src/db/m.sql", message: "Needs approval: 1 more approval from @acme/dba with write permission or above." }],
      },
    ]);
    expect(e.required.map((r) => [r.label, r.users, r.teams])).toEqual([
      ["code owners of `src/a.ts`, `src/b.ts` (CODEOWNERS line 2)", ["alice"], ["acme/web"]],
      ["code owners of `src/db/m.sql` (CODEOWNERS line 3)", [], ["acme/dba"]],
    ]);
  });

  it("a team owner is satisfied by a member's counted approval; an owner without write access does not count", () => {
    const e = run(owned({ reviews: [review("bob", "APPROVED", "2025-06-01T10:00:00Z"), review("carol", "APPROVED", "2025-06-01T10:00:00Z")], permissions: { bob: "write", carol: "read" }, teams: { "acme/web": ["bob", "carol"], "acme/dba": ["carol"] } }));
    expect(e.rules.filter((r) => r.status !== "skipped").map((r) => [r.status, r.message])).toEqual([
      ["pass", "Code owners of `src/a.ts`, `src/b.ts` (CODEOWNERS line 2, `/src/`): approved by @bob."],
      ["pending", "Code owners of `src/db/m.sql` (CODEOWNERS line 3, `/src/db/`): 0/1 approvals; needs 1 more approval from @acme/dba with write permission or above."],
    ]);
    expect(e.approvals.map((a) => [a.login, a.counted_for])).toEqual([["bob", ["reviewers.codeowners:2"]]]);
  });

  it("passes once every group has an owner's approval; one approval counts for each line it owns", () => {
    const e = run(owned({ reviews: [review("alice", "APPROVED", "2025-06-01T10:00:00Z"), review("dan", "APPROVED", "2025-06-01T10:00:00Z")], permissions: { alice: "write", dan: "maintain" } }));
    expect(e.outcome).toBe("passed");
    const both = run(owned({ files: [file("src/a.ts"), file("other/x.go")], reviews: [review("alice", "APPROVED", "2025-06-01T10:00:00Z")], codeowners: "* @alice\n/src/ @alice @bob\n" }));
    expect(both.approvals.map((a) => a.counted_for)).toEqual([["reviewers.codeowners:1", "reviewers.codeowners:2"]]);
    expect(both.outcome).toBe("passed");
  });

  it("the invoker cannot satisfy their own ownership", () => {
    const e = run(owned({ files: [file("src/a.ts")], codeowners: "* @inviter\n", reviews: [review("inviter", "APPROVED", "2025-06-01T10:00:00Z")], permissions: { inviter: "admin" } }));
    expect(e.outcome).toBe("waiting");
    expect(e.refused?.map((r) => r.reason)).toEqual(["the agent's invoker"]);
  });

  it("a renamed file needs the owners of its old and its new name", () => {
    const e = run(owned({ files: [file("lib/x.ts", { previous_filename: "src/db/x.ts", status: "renamed" })], codeowners: "/lib/ @alice\n/src/db/ @acme/dba\n" }));
    expect(e.required.map((r) => [r.rule, r.label])).toEqual([
      ["reviewers.codeowners:1", "code owners of `src/db/x.ts → lib/x.ts` (CODEOWNERS line 1)"],
      ["reviewers.codeowners:2", "code owners of `src/db/x.ts → lib/x.ts` (CODEOWNERS line 2)"],
    ]);
  });

  it.each<[string, Partial<PullFacts>, string, string]>([
    ["no CODEOWNERS file", { codeowners: null }, "skipped", "No CODEOWNERS file on the default branch (`.github/CODEOWNERS`, `CODEOWNERS` or `docs/CODEOWNERS`): no code owner's approval is needed."],
    ["facts without the key", { codeowners: undefined }, "skipped", "CODEOWNERS was not read (the facts have no `codeowners`)."],
    ["no owned file", { codeowners: "/docs/ @alice\n" }, "pass", "No changed file has a code owner in CODEOWNERS."],
    [
      "an e-mail owner",
      { codeowners: "/legal/ legal@acme.dev\n", files: [file("legal/terms.md")] },
      "skipped",
      "CODEOWNERS lines not applied: line 1: `legal@acme.dev`: owners given by e-mail are not counted (the app cannot tell whose account an address is); write `@login`.",
    ],
  ])("%s: one row saying so", (_what, extra, status, message) => {
    const e = run(owned(extra));
    expect(e.rules.map((r) => [r.id, r.status, r.message])).toEqual([["reviewers.codeowners", status, message]]);
    expect(e.outcome).toBe("passed");
  });

  it("is off by default and when false: no row, no requirement", () => {
    expect(run(owned(), {}).rules.map((r) => r.id)).toEqual(["reviewers"]);
    expect(usesCodeowners(policy({}))).toBe(false);
    expect(usesCodeowners(policy({ overrides: [{ agents: ["copilot"], reviewers: { codeowners: true } }] }))).toBe(true);
    expect(run(owned(), { overrides: [{ agents: ["copilot"], reviewers: { required: 0, codeowners: true } }] }).required).toHaveLength(2);
  });

  it("an owner may `/governance approve`; someone else with write access may not when only owners approve", () => {
    const p = policy(ON);
    const f = owned();
    expect(authorize(parseCommand("/governance approve")!, { login: "alice", type: "User" }, f, p, copilot)).toEqual({ ok: true });
    expect(authorize(parseCommand("/governance approve")!, { login: "dan", type: "User" }, { ...f, permissions: { dan: "write" } }, p, copilot)).toEqual({ ok: true });
    expect(authorize(parseCommand("/governance approve")!, { login: "eve", type: "User" }, { ...f, permissions: { eve: "write" } }, p, copilot)).toMatchObject({ ok: false });
  });

  it("looks up the owning teams of the changed files when someone reviewed", () => {
    const f = owned({ reviews: [review("zed", "APPROVED", "2025-06-01T10:00:00Z")] });
    expect(neededLookups(policy(ON), f, copilot).teams).toEqual(["acme/dba", "acme/web"]);
    expect(neededLookups(policy({}), f, copilot).teams).toEqual([]);
    expect(codeownersGroups(policy({}), f)).toEqual([]);
  });
});
