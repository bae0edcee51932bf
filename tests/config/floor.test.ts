/** The org floor, stricter wins: unit tests of each key, and properties (never under the floor, idempotent). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyFloor, floorLine } from "../../src/config/floor.js";
import { parsePolicy } from "../../src/config/load.js";
import { FloorSchema, defaultPolicy, type Floor, type PolicyInput } from "../../src/config/schema.js";
import { effectivePolicy } from "../../src/policy/evaluate.js";
import { commit, copilot, dependabot, facts, HEAD, human, policy, unknownAgent } from "../policy/build.js";
import { detectAgent } from "../../src/detect/detect.js";
import { PERMISSION_ORDER } from "../../src/types.js";

const floor = (input: unknown): Floor => FloorSchema.parse(input);

describe("applyFloor", () => {
  it("leaves a policy alone without a floor, or when it already meets it", () => {
    const p = policy({ reviewers: { required: 2 }, paths: { forbidden: ["infra/**"] } });
    expect(applyFloor(undefined, p)).toEqual({ policy: p, changes: [] });
    expect(applyFloor(floor({ reviewers: { required: 1 }, paths: { forbidden: ["infra/**"] }, mode: "enforce" }), p)).toEqual({ policy: p, changes: [] });
  });

  it("raises approvals, joins lists, makes enforce win, and says each change on one line", () => {
    const p = policy({
      mode: "report",
      reviewers: { required: 0 },
      paths: { forbidden: ["docs/**"], protect_agent_files: false, limits: { max_files: 500 } },
      compliance: { required_checks: ["build"], linked_issue: true },
    });
    const f = floor({
      mode: "enforce",
      reviewers: { required: 1 },
      paths: { forbidden: ["infra/**", "docs/**"], protect_agent_files: true, limits: { max_files: 100, max_changed_lines: 2000 }, restricted: [{ name: "migrations", paths: ["migrations/**"], reviewers: { teams: ["acme/dba"] } }] },
      compliance: { no_secrets: true, signed_commits: true, linked_issue: "verified", required_checks: ["ci", { name: "build" }] },
    });
    const { policy: raised, changes } = applyFloor(f, p);
    expect(raised.mode).toBe("enforce");
    expect(raised.reviewers.required).toBe(1);
    expect(raised.paths.forbidden).toEqual(["docs/**", "infra/**"]);
    expect(raised.paths.protect_agent_files).toBe(true);
    expect(raised.paths.limits).toEqual({ max_files: 100, max_changed_lines: 2000 });
    expect(raised.paths.restricted.map((g) => g.name)).toEqual(["migrations"]);
    expect(raised.compliance).toMatchObject({ no_secrets: true, signed_commits: true, dco: false, linked_issue: "verified", required_checks: [{ name: "build" }, { name: "ci" }] });
    expect(changes.map(floorLine)).toEqual([
      "`mode`: report → enforce (org floor)",
      "`reviewers.required`: 0 → 1 (org floor)",
      "`paths.forbidden`: adds `infra/**` (org floor)",
      "`paths.restricted`: adds `migrations` (org floor)",
      "`paths.protect_agent_files`: false → true (org floor)",
      "`paths.limits.max_files`: 500 → 100 (org floor)",
      "`paths.limits.max_changed_lines`: no limit → 2000 (org floor)",
      "`compliance.linked_issue`: true → verified (org floor)",
      "`compliance.signed_commits`: false → true (org floor)",
      "`compliance.no_secrets`: false → true (org floor)",
      "`compliance.required_checks`: adds `ci` (org floor)",
    ]);
  });

  it("raises an `overrides` entry only where it writes a key, so no agent slips under the floor", () => {
    const p = policy({
      reviewers: { required: 2 },
      overrides: [
        { agents: ["dependabot"], reviewers: { required: 0 }, mode: "report" },
        { agents: ["copilot"], paths: { forbidden: [] } },
        { agents: ["devin"], escalation: { comment: false } },
      ],
    });
    const { policy: raised, changes } = applyFloor(floor({ mode: "enforce", reviewers: { required: 1 }, paths: { forbidden: ["infra/**"] } }), p);
    expect(raised.overrides).toEqual([
      { agents: ["dependabot"], reviewers: { required: 1 }, mode: "enforce" },
      { agents: ["copilot"], paths: { forbidden: ["infra/**"] } },
      { agents: ["devin"], escalation: { comment: false } },
    ]);
    expect(changes.map(floorLine)).toEqual([
      "`paths.forbidden`: adds `infra/**` (org floor)",
      "`overrides[0].mode`: report → enforce (org floor)",
      "`overrides[0].reviewers.required`: 0 → 1 (org floor)",
      "`overrides[1].paths.forbidden`: adds `infra/**` (org floor)",
    ]);
    expect(effectivePolicy(raised, dependabot).reviewers.required).toBe(1);
    expect(effectivePolicy(raised, copilot).paths.forbidden).toEqual(["infra/**"]);
  });

  it("keeps only dependency bots and what the floor allows in `agents.ignore`: agents cannot be ignored", () => {
    const p = policy({ agents: { ignore: ["dependabot", "renovate[bot]", "automation", "copilot", "Copilot", "devin", "acme-bot[bot]"] } });
    const { policy: raised, changes } = applyFloor(floor({ agents: { ignore: ["devin"] } }), p);
    expect(raised.agents.ignore).toEqual(["dependabot", "renovate[bot]", "automation", "devin"]);
    expect(changes.map(floorLine)).toEqual(["`agents.ignore`: drops `copilot`, `Copilot`, `acme-bot[bot]` (agents cannot be ignored) (org floor)"]);
    // Any floor, even one without `agents`, means agents cannot be ignored.
    expect(applyFloor(floor({}), policy({ agents: { ignore: ["copilot"] } })).policy.agents.ignore).toEqual([]);
  });

  it("agents cannot be hidden by `agents.min_strength: verified` either: an agent known by a `Co-authored-by:` trailer (declared) stays governed", () => {
    const p = policy({ agents: { min_strength: "verified" } });
    const { policy: raised, changes } = applyFloor(floor({ reviewers: { required: 1 } }), p);
    expect(raised.agents.min_strength).toBe("declared");
    expect(changes.map(floorLine)).toEqual(["`agents.min_strength`: verified → declared (agents cannot be ignored) (org floor)"]);
    const claude = facts({ pull: { user: { login: "alice", id: 1, type: "User" }, head: { ref: "fix", sha: HEAD } }, commits: [commit(HEAD, "Fix\n\nCo-authored-by: Claude <noreply@anthropic.com>")] });
    expect(detectAgent(claude, p.agents).detected).toBe(false);
    expect((detectAgent(claude, raised.agents).agents ?? []).map((a) => a.id)).toContain("claude-code");
    // `hint` (stricter: more PRs are agents') is kept.
    expect(applyFloor(floor({}), policy({ agents: { min_strength: "hint" } })).policy.agents.min_strength).toBe("hint");
  });

  it("an override needs at least the floor's permission, nobody overrides by being listed by name, and a reason when the floor says so", () => {
    const p = policy({
      commands: { override: { min_permission: "write", users: ["bob"], teams: ["acme/oncall"], reason_required: false } },
      overrides: [{ agents: ["copilot"], commands: { override: { min_permission: "maintain" } } }, { agents: ["devin"], commands: { override: { min_permission: "admin" } } }],
    });
    const { policy: raised, changes } = applyFloor(floor({ commands: { override: { min_permission: "maintain", reason_required: true } } }), p);
    expect(raised.commands.override).toMatchObject({ min_permission: "maintain", users: [], teams: [], reason_required: true });
    expect(raised.overrides.map((o) => o.commands?.override?.min_permission)).toEqual(["maintain", "admin"]);
    expect(changes.map(floorLine)).toEqual([
      "`commands.override.min_permission`: write → maintain (org floor)",
      "`commands.override.users`: drops `bob` (an override needs maintain permission or above) (org floor)",
      "`commands.override.teams`: drops `acme/oncall` (an override needs maintain permission or above) (org floor)",
      "`commands.override.reason_required`: false → true (org floor)",
    ]);
  });

  it("never modifies the policy it raises (the default policy is frozen)", () => {
    const d = defaultPolicy();
    const { policy: raised } = applyFloor(floor({ reviewers: { required: 3 }, paths: { forbidden: ["x/**"] } }), d);
    expect(raised.reviewers.required).toBe(3);
    expect(d.reviewers.required).toBe(1);
    expect(d.paths.forbidden).toEqual([]);
  });

  it("is read from the policy file's `floor:` key, with positions for its mistakes", () => {
    const r = parsePolicy("floor:\n  mode: report\n", "org.yml");
    expect(r.ok ? [] : r.problems.map((p) => `${p.line}:${p.col}: ${p.message}`)).toEqual(["2:9: `floor.mode`: a floor's `mode` can only be `enforce` (a floor can only make policies stricter); leave `mode` out to let each repository choose"]);
    const ok = parsePolicy("floor:\n  reviewers: { required: 2 }\n", "org.yml");
    expect(ok.ok && ok.policy.floor).toEqual({ reviewers: { required: 2 } });
  });
});

// ---------------------------------------------------------------------------
// Properties

const GLOBS = ["infra/**", "docs/**", ".github/workflows/**", "secrets/**"];
const AGENT_IDS = ["copilot", "devin", "dependabot", "automation", "*", "unknown"];
const sub = <T>(xs: readonly T[]) => fc.subarray([...xs]);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

/** Section keys a policy (or an overrides entry) may write, as far as the floor reads them. */
const sections = fc.record(
  {
    mode: fc.constantFrom("enforce", "report"),
    reviewers: fc.record({ required: fc.integer({ min: 0, max: 5 }) }, { requiredKeys: [] }),
    paths: fc.record(
      {
        forbidden: sub(GLOBS),
        protect_agent_files: fc.boolean(),
        limits: fc.record({ max_files: fc.integer({ min: 1, max: 300 }), max_changed_lines: fc.integer({ min: 1, max: 3000 }) }, { requiredKeys: [] }),
      },
      { requiredKeys: [] },
    ),
    compliance: fc.record(
      { linked_issue: fc.constantFrom(false, true, "verified"), signed_commits: fc.boolean(), dco: fc.boolean(), no_secrets: fc.boolean(), required_checks: sub(["ci", "lint", "build"]) },
      { requiredKeys: [] },
    ),
    commands: fc.record({
      override: fc.record(
        { min_permission: fc.constantFrom("read", "write", "maintain", "admin"), users: sub(["bob", "carol"]), teams: sub(["acme/oncall"]), reason_required: fc.boolean() },
        { requiredKeys: [] },
      ),
    }),
  },
  { requiredKeys: [] },
);

const policies = fc
  .record({
    base: sections,
    ignore: sub(["copilot", "devin", "dependabot", "automation", "someone"]),
    overrides: fc.array(fc.record({ agents: fc.subarray(AGENT_IDS, { minLength: 1 }), rest: sections }), { maxLength: 3 }),
  })
  .map(({ base, ignore, overrides }) => policy({ ...base, agents: { ignore }, overrides: overrides.map((o) => ({ agents: o.agents, ...o.rest })) } as PolicyInput));

const floors = fc
  .record(
    {
      mode: fc.constant("enforce" as const),
      reviewers: fc.record({ required: fc.integer({ min: 0, max: 5 }) }),
      paths: fc.record(
        {
          forbidden: sub(GLOBS),
          protect_agent_files: fc.constant(true as const),
          limits: fc.record({ max_files: fc.integer({ min: 1, max: 300 }), max_changed_lines: maybe(fc.integer({ min: 1, max: 3000 })) }, { requiredKeys: ["max_files"] }),
        },
        { requiredKeys: [] },
      ),
      compliance: fc.record(
        { linked_issue: fc.constantFrom(true as const, "verified" as const), signed_commits: fc.constant(true as const), no_secrets: fc.constant(true as const), required_checks: sub(["ci", "lint"]) },
        { requiredKeys: [] },
      ),
      agents: fc.record({ ignore: sub(["devin"]) }),
      commands: fc.record({ override: fc.record({ min_permission: fc.constantFrom("write", "maintain", "admin"), reason_required: fc.constant(true as const) }, { requiredKeys: [] }) }),
    },
    { requiredKeys: [] },
  )
  .map((f) => FloorSchema.parse(JSON.parse(JSON.stringify(f))));

const verdicts = fc.constantFrom(copilot, dependabot, unknownAgent, human, { ...copilot, id: "devin", name: "Devin" });
const rank = (v: boolean | "verified") => (v === "verified" ? 2 : v ? 1 : 0);

describe("applyFloor properties", () => {
  it("whatever the policy and whichever entry applies, the policy in force is never weaker than the floor", () => {
    fc.assert(
      fc.property(floors, policies, verdicts, (f, p, v) => {
        const e = effectivePolicy(applyFloor(f, p).policy, v, "main");
        if (f.mode) expect(e.mode).toBe("enforce");
        if (f.reviewers?.required !== undefined) expect(e.reviewers.required).toBeGreaterThanOrEqual(f.reviewers.required);
        for (const g of f.paths?.forbidden ?? []) expect(e.paths.forbidden).toContain(g);
        if (f.paths?.protect_agent_files) expect(e.paths.protect_agent_files).toBe(true);
        for (const k of ["max_files", "max_changed_lines"] as const) {
          const cap = f.paths?.limits?.[k];
          if (cap !== undefined) expect(e.paths.limits[k]).toBeLessThanOrEqual(cap);
        }
        if (f.compliance?.linked_issue) expect(rank(e.compliance.linked_issue)).toBeGreaterThanOrEqual(rank(f.compliance.linked_issue));
        if (f.compliance?.signed_commits) expect(e.compliance.signed_commits).toBe(true);
        if (f.compliance?.no_secrets) expect(e.compliance.no_secrets).toBe(true);
        for (const c of f.compliance?.required_checks ?? []) expect(e.compliance.required_checks).toContainEqual(c);
        const allowed = new Set(["dependabot", "automation", ...(f.agents?.ignore ?? [])]);
        for (const i of e.agents.ignore) expect(allowed.has(i)).toBe(true);
        const least = f.commands?.override?.min_permission;
        if (least) {
          expect(PERMISSION_ORDER.indexOf(e.commands.override.min_permission)).toBeGreaterThanOrEqual(PERMISSION_ORDER.indexOf(least));
          expect([...e.commands.override.users, ...e.commands.override.teams]).toEqual([]);
        }
        if (f.commands?.override?.reason_required) expect(e.commands.override.reason_required).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("never makes a policy weaker than it was", () => {
    fc.assert(
      fc.property(floors, policies, verdicts, (f, p, v) => {
        const before = effectivePolicy(p, v, "main");
        const after = effectivePolicy(applyFloor(f, p).policy, v, "main");
        expect(after.reviewers.required).toBeGreaterThanOrEqual(before.reviewers.required);
        for (const g of before.paths.forbidden) expect(after.paths.forbidden).toContain(g);
        if (before.mode === "enforce") expect(after.mode).toBe("enforce");
        if (before.compliance.no_secrets) expect(after.compliance.no_secrets).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("is idempotent: a policy already raised to the floor is not changed again", () => {
    fc.assert(
      fc.property(floors, policies, (f, p) => {
        const once = applyFloor(f, p).policy;
        const twice = applyFloor(f, once);
        expect(twice.changes).toEqual([]);
        expect(twice.policy).toEqual(once);
      }),
      { numRuns: 300 },
    );
  });
});
