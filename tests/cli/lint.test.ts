/** The checks a schema cannot make (src/config/lint.ts): pure, table-driven, and properties of the glob checks. */
import fc from "fast-check";
import { Minimatch } from "minimatch";
import { describe, expect, it } from "vitest";
import { checkPolicy, implausibleGlob, lintPolicy, loginProblem } from "../../src/config/lint.js";
import { parsePolicy } from "../../src/config/load.js";

/** Parses (the text must be schema-valid) and lints, as `validate` does. */
function lint(text: string): string[] {
  const parsed = parsePolicy(text, "p.yml");
  if (!parsed.ok) throw new Error(`fixture does not parse: ${parsed.problems.map((p) => p.message).join("; ")}`);
  return lintPolicy(parsed.policy, text, "p.yml").map((p) => `${p.line}:${p.col} ${p.path}: ${p.message.replace(/^`[^`]+`: /, "")}`);
}

const DESIGN_EXAMPLE = `
mode: enforce
agents:
  also: { logins: ["acme-bot[bot]"], branches: ["ai/**"], labels: [ai-generated] }
reviewers:
  required: 1
  from: { teams: [org/maintainers], min_permission: write }
paths:
  forbidden: [".github/workflows/**", "infra/prod/**"]
  restricted:
    - paths: ["migrations/**", "**/*.sql"]
      reviewers: { teams: [org/dba], required: 1 }
  limits: { max_files: 50, max_changed_lines: 1500 }
compliance:
  linked_issue: true
  tests_with_code: { code: ["src/**"], tests: ["tests/**", "**/*.test.*"] }
  signed_commits: true
  required_checks: [ci]
  no_secrets: true
escalation:
  tiers:
    - { after: 0h, notify: [org/maintainers] }
    - { after: 24h, notify: [org/leads], label: escalated }
commands:
  override: { min_permission: admin, reason_required: true }
overrides:
  - agents: [dependabot]
    reviewers: { required: 0 }
`;

describe("lintPolicy", () => {
  it("finds nothing in the design's example policy or the default one", () => {
    expect(lint(DESIGN_EXAMPLE)).toEqual([]);
    expect(lint("")).toEqual([]);
  });

  it.each([
    ["a folder glob with a trailing slash", 'paths:\n  forbidden: ["docs/"]\n', "2:15 paths.forbidden[0]: `docs/` matches no file (paths never end with `/`): write `docs/**` for everything under it"],
    ["a glob starting with ./", 'compliance:\n  tests_with_code: { code: ["./src/**"], tests: ["tests/**"] }\n', "2:29 compliance.tests_with_code.code[0]: `./src/**`: paths are relative to the repository root, without `./`: write `src/**`"],
    ["a Windows path", 'paths:\n  restricted:\n    - paths: ["db\\\\migrations\\\\**"]\n      reviewers: { teams: [acme/dba] }\n', "3:15 paths.restricted[0].paths[0]: `db\\migrations\\**`: folders are separated by `/` (a backslash escapes the next character): write `db/migrations/**`"],
    ["** inside a name", 'paths:\n  forbidden: ["**.env"]\n', "2:15 paths.forbidden[0]: `**.env`: `**` inside a name (`**.env`) matches within one folder only, like `*`; write `**/*.env` to match at any depth"],
    ["spaces around a glob", 'paths:\n  forbidden: [" infra/** "]\n', "2:15 paths.forbidden[0]: ` infra/** ` has spaces at its ends, which no path has; remove them"],
    ["a branch glob with refs/heads/", 'agents:\n  also: { branches: ["refs/heads/ai/**"] }\n', "2:22 agents.also.branches[0]: branch globs match branch names without `refs/heads/`: write `ai/**`"],
    ["a base branch glob with refs/heads/", 'overrides:\n  - agents: ["*"]\n    base_branches: ["refs/heads/release/*"]\n', "3:21 overrides[0].base_branches[0]: branch globs match branch names without `refs/heads/`: write `release/*`"],
    ["a team among users", "reviewers:\n  from: { users: [acme/maintainers] }\n", "2:19 reviewers.from.users[0]: `acme/maintainers` is a team, not a user: list it under `teams:`"],
    ["a team written without its org", "reviewers:\n  from: { teams: [acme/leads] }\ncommands:\n  override: { users: [leads] }\n", "4:23 commands.override.users[0]: `leads` is read as a user login; the team is written with its org: `acme/leads`"],
    ["an @ before a login", 'paths:\n  restricted:\n    - paths: ["db/**"]\n      reviewers: { users: ["@dan"] }\n', "4:28 paths.restricted[0].reviewers.users[0]: write `dan` without the `@`; it is added when people are mentioned"],
    ["a tier notifying something that is neither", 'escalation:\n  tiers:\n    - { after: 1h, notify: ["ops team"] }\n', "3:29 escalation.tiers[0].notify[0]: `ops team` is not a GitHub login (letters, digits and hyphens; a team is written `org/slug`)"],
    ["tiers with the same wait", "escalation:\n  tiers:\n    - { after: 1d, notify: [a] }\n    - { after: 24h, notify: [b] }\n", "4:16 escalation.tiers[1].after: tier 2 has the same `after` (24h) as tier 1, so both are reached at once; merge their `notify` lists"],
    ["more approvals than listed users", 'compliance:\n  dependencies:\n    reviewers: { users: [a, A], required: 2 }\n', "3:43 compliance.dependencies.reviewers.required: needs 2 approvals but lists only 1 user (and no teams), so it can never be satisfied; lower `required` or list more reviewers"],
    ["a test glob that matches no file", 'compliance:\n  test_weakening: { tests: ["qa/"] }\n', "2:29 compliance.test_weakening.tests[0]: `qa/` matches no file (paths never end with `/`): write `qa/**` for everything under it"],
    ["more approvals of hidden instructions than listed users", "compliance:\n  hidden_instructions:\n    action: approve\n    reviewers: { users: [sec], required: 2 }\n", "4:42 compliance.hidden_instructions.reviewers.required: needs 2 approvals but lists only 1 user (and no teams), so it can never be satisfied; lower `required` or list more reviewers"],
    ["the app's own check as a required check", "escalation:\n  check_name: Governance\ncompliance:\n  required_checks: [build, governance]\n", "4:28 compliance.required_checks[1]: `governance` is this app's own check, which cannot pass before it has finished; remove it from `required_checks`"],
    ["an override for an ignored agent", "agents:\n  ignore: [devin]\noverrides:\n  - agents: [devin]\n    mode: report\n", "4:14 overrides[0].agents[0]: `devin` is in `agents.ignore`: its PRs are never governed, so this entry never applies to it"],
    ["an override for bots that are not governed", "agents:\n  govern_automation: false\noverrides:\n  - agents: [copilot, dependabot]\n    reviewers: { required: 0 }\n", "4:23 overrides[0].agents[1]: `dependabot` is a dependency or release bot and `agents.govern_automation` is false: its PRs are never governed, so this entry never applies to it"],
  ])("reports %s where it is written", (_name, text, expected) => {
    expect(lint(text)).toEqual([expected]);
  });

  it("reports tiers that nothing can ever reach", () => {
    const text = "reviewers:\n  required: 0\npaths:\n  protect_agent_files: false\nescalation:\n  tiers:\n    - { after: 1h, notify: [acme/leads] }\ncompliance:\n  test_weakening: false\n";
    expect(lint(text)).toEqual([
      "6:3 escalation.tiers: no rule in this policy waits for human approval (`reviewers.required` is 0, no `paths.restricted` or `compliance.dependencies` groups, `paths.protect_agent_files` is off, `compliance.test_weakening` and `compliance.hidden_instructions` do not ask for approval), so no tier is ever reached",
    ]);
    // An override that needs a human makes them reachable.
    expect(lint(`${text}overrides:\n  - agents: [unknown]\n    reviewers: { required: 1 }\n`)).toEqual([]);
  });

  it("reports a stuck escalation that can never fire", () => {
    expect(lint("escalation:\n  stuck:\n    notify: [acme/leads]\n")).toEqual([
      "2:3 escalation.stuck: names neither `failed_heads` nor `idle`, so no PR is ever found stuck: add `failed_heads: 3` (required checks failing on 3 pushes in a row) or `idle: 2d`",
    ]);
    expect(lint("escalation:\n  stuck: { failed_heads: 3 }\n")).toEqual([
      "2:26 escalation.stuck.failed_heads: counts heads whose `compliance.required_checks` failed, and this policy requires no check: list the CI checks in `compliance.required_checks`, or use `idle`",
    ]);
    // Required checks in the base, or in an override, or idle alone: nothing to say.
    expect(lint("compliance:\n  required_checks: [ci]\nescalation:\n  stuck: { failed_heads: 3 }\n")).toEqual([]);
    expect(lint("escalation:\n  stuck: { failed_heads: 3 }\noverrides:\n  - agents: [copilot]\n    compliance: { required_checks: [ci] }\n")).toEqual([]);
    expect(lint("escalation:\n  stuck: { idle: 2d }\n")).toEqual([]);
  });

  it("checks an override's reviewers as merged over the base's", () => {
    const base = "reviewers:\n  required: 1\n  from: { users: [alice] }\n";
    expect(lint(`${base}overrides:\n  - agents: ["*"]\n    reviewers: { required: 2 }\n`)).toEqual([
      "6:28 overrides[0].reviewers.required: needs 2 approvals but lists only 1 user (and no teams), so it can never be satisfied; lower `required` or list more reviewers",
    ]);
    expect(lint(`${base}overrides:\n  - agents: ["*"]\n    reviewers: { from: { teams: [acme/devs] }, required: 2 }\n`)).toEqual([]);
  });

  it("lints globs inside overrides too", () => {
    expect(lint('overrides:\n  - agents: [devin]\n    paths: { forbidden: ["secrets/"] }\n')).toEqual([
      "3:26 overrides[0].paths.forbidden[0]: `secrets/` matches no file (paths never end with `/`): write `secrets/**` for everything under it",
    ]);
  });

  it("warns where an override's list drops the base's entries, and `{ add: [...] }` silences it (issue 18, point 5)", () => {
    const base = 'paths:\n  forbidden: ["infra/**", ".github/**"]\n  restricted:\n    - { name: db, paths: ["db/**"], reviewers: { teams: [acme/dba] } }\ncompliance:\n  required_checks: [ci]\n';
    const text = `${base}overrides:\n  - agents: [claude-code]\n    paths:\n      forbidden: ["src/auth/**", "infra/**"]\n      restricted: []\n    compliance:\n      required_checks: [lint]\n`;
    const parsed = parsePolicy(text, "p.yml");
    if (!parsed.ok) throw new Error("fixture does not parse");
    expect(lintPolicy(parsed.policy, text, "p.yml")).toEqual([
      {
        file: "p.yml",
        line: 10,
        col: 7,
        path: "overrides[0].paths.forbidden",
        message:
          "`overrides[0].paths.forbidden`: this list replaces the base policy's `paths.forbidden`, so for these agents `.github/**` no longer applies; write `forbidden: { add: [...] }` to keep the base's entries and add these, or list them here too",
        severity: "warning",
      },
      {
        file: "p.yml",
        line: 11,
        col: 7,
        path: "overrides[0].paths.restricted",
        message:
          "`overrides[0].paths.restricted`: this list replaces the base policy's `paths.restricted`, so for these agents `db` no longer applies; write `restricted: { add: [...] }` to keep the base's entries and add these, or list them here too",
        severity: "warning",
      },
      {
        file: "p.yml",
        line: 13,
        col: 7,
        path: "overrides[0].compliance.required_checks",
        message:
          "`overrides[0].compliance.required_checks`: this list replaces the base policy's `compliance.required_checks`, so for these agents `ci` no longer applies; write `required_checks: { add: [...] }` to keep the base's entries and add these, or list them here too",
        severity: "warning",
      },
    ]);
    // Extending, or repeating every base entry, drops nothing.
    expect(lint(`${base}overrides:\n  - agents: [claude-code]\n    paths:\n      forbidden: { add: ["src/auth/**"] }\n    compliance:\n      required_checks: { add: [lint] }\n`)).toEqual([]);
    expect(lint(`${base}overrides:\n  - agents: [claude-code]\n    paths: { forbidden: [".github/**", "infra/**", "src/**"] }\n`)).toEqual([]);
    // Only warnings: the file is valid, and carries them.
    expect(checkPolicy(text, "p.yml")).toMatchObject({ ok: true, warnings: [{ severity: "warning" }, { severity: "warning" }, { severity: "warning" }] });
  });

  it("points at a problem inside `{ add: [...] }` there, and does not repeat the base's", () => {
    expect(lint('paths:\n  forbidden: ["docs/"]\noverrides:\n  - agents: [devin]\n    paths:\n      forbidden: { add: ["infra/**", "secrets/"] }\n')).toEqual([
      "2:15 paths.forbidden[0]: `docs/` matches no file (paths never end with `/`): write `docs/**` for everything under it",
      "6:38 overrides[0].paths.forbidden.add[1]: `secrets/` matches no file (paths never end with `/`): write `secrets/**` for everything under it",
    ]);
  });

  it("with `_extends`, leaves out the checks the unseen base could answer, and keeps the rest", () => {
    const text = "_extends: .github\nreviewers:\n  required: 2\n  from: { users: [alice] }\npaths:\n  forbidden: [\"docs/\"]\n";
    const check = checkPolicy(text, "p.yml");
    // The base may add `from.teams` (mappings merge), so `required: 2` is not reported; the glob is.
    expect(check.ok ? [] : check.problems.map((p) => p.path)).toEqual(["paths.forbidden[0]"]);
    expect(checkPolicy(text.replace("_extends: .github\n", ""), "p.yml")).toMatchObject({
      ok: false,
      problems: [{ path: "reviewers.required" }, { path: "paths.forbidden[0]" }],
    });
  });

  it("reports an agent's account listed where a person goes: it never approves or gets a review request (issue 15, item 1)", () => {
    const text = [
      "agents:",
      "  also: { logins: [acme-agent] }",
      "reviewers:",
      "  from: { users: [alice, cursoragent] }",
      "commands:",
      "  override: { users: [Acme-Agent] }",
      "escalation:",
      "  tiers:",
      "    - { after: 0h, notify: [openhands-agent, org/leads] }",
      "",
    ].join("\n");
    expect(lint(text)).toEqual([
      "4:26 reviewers.from.users[1]: `cursoragent` is an agent account (Cursor background agent): an agent's account never approves, overrides or gets a review request; list the people who review instead",
      "6:23 commands.override.users[0]: `Acme-Agent` is an agent account (in `agents.also.logins`): an agent's account never approves, overrides or gets a review request; list the people who review instead",
      "9:29 escalation.tiers[0].notify[0]: `openhands-agent` is an agent account (OpenHands): an agent's account is never asked to review; list the people who review instead",
    ]);
  });

  it("accepts logins of users and bots", () => {
    for (const l of ["octocat", "Mona-Lisa", "dependabot[bot]", "a1"]) expect(loginProblem(l, [], false)).toBeNull();
  });
});

// Path segments as they occur in repositories, and globs built from them.
const segment = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,11}$/);
const globPart = fc.oneof(segment, fc.constant("*"), fc.constant("**"), segment.map((s) => `*.${s}`));
const plausibleGlob = fc.array(globPart, { minLength: 1, maxLength: 5 }).map((parts) => parts.join("/"));
const path = fc.array(segment, { minLength: 1, maxLength: 6 }).map((parts) => parts.join("/"));
const match = (glob: string, p: string) => new Minimatch(glob, { dot: true, nocomment: true, nonegate: true }).match(p);

describe("implausibleGlob (properties)", () => {
  it("accepts every glob built from path segments, `*`, `**` and `*.ext`, and each matches some path", () => {
    fc.assert(
      fc.property(plausibleGlob, (glob) => {
        expect(implausibleGlob(glob)).toBeNull();
        const witness = glob
          .split("/")
          .map((part) => (part === "**" ? "x" : part.replace(/\*/g, "x")))
          .join("/");
        expect(match(glob, witness)).toBe(true);
      }),
    );
  });

  it("what it flags for a trailing `/` or a leading `./` matches no path at all", () => {
    fc.assert(
      fc.property(plausibleGlob, fc.boolean(), fc.array(path, { minLength: 1, maxLength: 20 }), (glob, slash, paths) => {
        const bad = slash ? `${glob}/` : `./${glob}`;
        expect(implausibleGlob(bad)).not.toBeNull();
        for (const p of paths) expect(match(bad, p)).toBe(false);
      }),
    );
  });

  it("never throws, and a flagged glob's line and column point at it in the file", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1, maxLength: 30 }), { minLength: 1, maxLength: 5 }), (globs) => {
        const text = `paths:\n  forbidden:\n${globs.map((g) => `    - ${JSON.stringify(g)}\n`).join("")}`;
        const parsed = parsePolicy(text, "p.yml");
        if (!parsed.ok) return; // the schema refused it first (e.g. a leading `/`)
        for (const p of lintPolicy(parsed.policy, text, "p.yml")) {
          const i = Number(/^paths\.forbidden\[(\d+)\]$/.exec(p.path)?.[1]);
          expect(p.line).toBe(3 + i);
          expect(p.col).toBe(7);
        }
      }),
    );
  });
});
