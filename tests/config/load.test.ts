import fc from "fast-check";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { formatProblem, mergePolicies, parseExtended, parsePolicy, unclosedBracket } from "../../src/config/load.js";
import { defaultPolicy } from "../../src/config/schema.js";

const F = "policy.yml";
const problems = (text: string) => {
  const r = parsePolicy(text, F);
  return r.ok ? [] : r.problems.map(formatProblem);
};

describe("parsePolicy", () => {
  it("parses an empty file to the defaults", () => {
    const r = parsePolicy("", F);
    expect(r.ok && r.policy).toEqual(defaultPolicy());
  });

  it("shares one frozen default policy: nothing can change it for the next event", () => {
    const d = defaultPolicy();
    expect(defaultPolicy()).toBe(d);
    expect(() => {
      (d.reviewers as { required: number }).required = 0;
    }).toThrow(TypeError);
    expect(() => {
      (d.escalation.tiers as unknown[]).push({});
    }).toThrow(TypeError);
    expect(d.reviewers.required).toBe(1);
  });

  it.each([
    ["a misspelt top-level key", "mode: enforce\nreviwers:\n  required: 1\n", "policy.yml:2:1: unknown key `reviwers` at the top level; did you mean `reviewers`?"],
    ["a misspelt nested key", "reviewers:\n  requird: 2\n", "policy.yml:2:3: unknown key `requird` under `reviewers`; did you mean `required`?"],
    ["a key with no near match", "compliance:\n  zzzzzzzz: true\n", "policy.yml:2:3: unknown key `zzzzzzzz` under `compliance`; known keys: linked_issue, tests_with_code, signed_commits, dco, required_checks, title_pattern, body, no_secrets, dependencies, install_scripts, workflow_risk, ai_disclosure, test_weakening, hidden_instructions"],
    ["a misspelt choice", "mode: enforced\n", "policy.yml:1:7: `mode`: must be one of `enforce`, `report`; did you mean `enforce`?"],
    ["a misspelt agent in overrides", "overrides:\n  - agents: [copliot]\n    mode: report\n", "policy.yml:2:14: `overrides[0].agents[0]`: unknown agent `copliot`; did you mean `copilot`? (an agent id such as `copilot`, `codex`, `devin`, `claude-code`, or `automation`, `unknown`, `*`)"],
    ["a wrong type", "reviewers:\n  required: two\n", 'policy.yml:2:13: `reviewers.required`: must be a number, not the text "two"'],
    ["a pathological glob", "paths:\n  forbidden: ['{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}']\n", "policy.yml:2:15: `paths.forbidden[0]`: `{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}`: braces expand to more than 32 patterns; write fewer alternatives"],
    ["a catastrophic regex", "compliance:\n  title_pattern: '^(a+)+$'\n", "policy.yml:2:18: `compliance.title_pattern`: a repeated group contains a repetition or an alternation (like `(a+)+` or `(a|b)*`), which can take exponential time; simplify it"],
    ["a lookahead the linear-time matcher cannot run", "compliance:\n  title_pattern: '^(?=feat)'\n", "policy.yml:2:18: `compliance.title_pattern`: the linear-time matcher does not accept it (invalid or unsupported Perl syntax: `(?=`); it has no lookahead, lookbehind or backreferences"],
    ["a regex too large for the linear-time matcher", "overrides:\n  - agents: [copilot]\n    compliance: { title_pattern: '^.{0,999}$' }\n", "policy.yml:3:34: `overrides[0].compliance.title_pattern`: the pattern compiles to 2002 matcher instructions (at most 1000); use smaller `{m,n}` counts or fewer of them"],
    ["a bad team", "reviewers:\n  from:\n    teams: [maintainers]\n", "policy.yml:3:13: `reviewers.from.teams[0]`: a team is written `org/slug`, e.g. `acme/maintainers`"],
    ["a duplicate key", "mode: enforce\nmode: report\n", "policy.yml:2:1: invalid YAML: Map keys must be unique"],
    ["broken YAML", "reviewers: [\n", "policy.yml:1:12: invalid YAML: this `[` is never closed with `]` (noticed at line 2, column 1: Flow sequence in block collection must be sufficiently indented and end with a ])"],
    [
      "a list left open, found on a later line",
      "reviewers:\n  from:\n    users: [alice, bob  # both leads [sic]\n    teams: [acme/leads]\n",
      "policy.yml:3:12: invalid YAML: this `[` is never closed with `]` (noticed at line 4, column 5: Flow sequence in block collection must be sufficiently indented and end with a ])",
    ],
    [
      "a map left open",
      "reviewers: { required: 2, from: { users: ['a]'] }\nmode: report\n",
      "policy.yml:1:12: invalid YAML: this `{` is never closed with `}` (noticed at line 2, column 1: Flow map in block collection must be sufficiently indented and end with a })",
    ],
    ["a list at the top", "- a\n", "policy.yml:1:1: the policy must be a YAML mapping of keys such as `reviewers:` and `paths:`"],
    ["a non-string _extends", "_extends: 3\n", "policy.yml:1:11: `_extends` must be a string such as `.github` or `org/repo:path.yml`"],
    ["a misspelt permission", "commands:\n  override:\n    min_permission: admn\n", "policy.yml:3:21: `commands.override.min_permission`: must be one of `read`, `triage`, `write`, `maintain`, `admin`; did you mean `admin`?"],
    ["an override that lasts no time", "commands:\n  override:\n    max_duration: 0d\n", "policy.yml:3:19: `commands.override.max_duration`: must be longer than nothing, e.g. `30m`, `4h`, `2d`"],
  ])("reports %s with its position", (_what, text, problem) => {
    expect(problems(text)).toEqual([problem]);
  });

  const NONE =
    "`none` is not a minimum permission: anyone, even without access to the repository, would qualify; write `read` (anyone who can read the repository) or higher, or list the `users` and `teams` who may";
  it.each([
    ["commands.override.min_permission", "commands:\n  override:\n    min_permission: none\n", "3:21"],
    ["reviewers.from.min_permission", "reviewers:\n  from: { min_permission: none }\n", "2:27"],
    ["paths.restricted[0].reviewers.min_permission", "paths:\n  restricted:\n    - paths: [db/**]\n      reviewers: { min_permission: none }\n", "4:36"],
    ["compliance.dependencies.reviewers.min_permission", "compliance:\n  dependencies:\n    reviewers: { min_permission: none }\n", "3:34"],
    ["overrides[0].commands.override.min_permission", "overrides:\n  - agents: [copilot]\n    commands: { override: { min_permission: none } }\n", "3:45"],
  ])("refuses `%s: none`, saying why and what to write", (key, text, at) => {
    expect(problems(text)).toEqual([`policy.yml:${at}: \`${key}\`: ${NONE}`]);
  });

  it("reports a misspelt key in a list entry, and the key it leaves missing", () => {
    expect(problems("paths:\n  restricted:\n    - paths: [db/**]\n      reviewer: {}\n")).toEqual([
      "policy.yml:3:7: `paths.restricted[0]` needs `reviewers:` (a mapping)",
      "policy.yml:4:7: unknown key `reviewer` under `paths.restricted[0]`; did you mean `reviewers`?",
    ]);
  });

  it("refuses a huge file without parsing it", () => {
    expect(problems(`# ${"x".repeat(300 * 1024)}\n`)).toEqual(["policy.yml:1:1: the file is larger than 256 KiB; keep the policy short"]);
  });

  it("refuses a YAML alias bomb", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 9 }, (_, i) => `${"bcdefghij"[i]}: &${"bcdefghij"[i]} [*${"abcdefghi"[i]}, *${"abcdefghi"[i]}, *${"abcdefghi"[i]}, *${"abcdefghi"[i]}, *${"abcdefghi"[i]}, *${"abcdefghi"[i]}, *${"abcdefghi"[i]}, *${"abcdefghi"[i]}, *${"abcdefghi"[i]}]`)].join("\n");
    const r = parsePolicy(bomb, F);
    expect(r.ok).toBe(false);
  });

  it("returns `_extends` and the raw mapping for merging", () => {
    const r = parsePolicy("_extends: .github\nreviewers:\n  required: 2\n", F);
    expect(r.ok && { extends: r.extends, raw: r.raw }).toEqual({ extends: ".github", raw: { reviewers: { required: 2 } } });
  });
});

describe("parsePolicy never throws, and places problems inside the file (property)", () => {
  const check = (text: string) => {
    const r = parsePolicy(text, F);
    if (r.ok) return;
    const lines = text.split(/\r\n|\r|\n/).length;
    expect(r.problems.length).toBeGreaterThan(0);
    for (const p of r.problems) {
      expect(p.file).toBe(F);
      expect(p.line).toBeGreaterThanOrEqual(1);
      expect(p.line).toBeLessThanOrEqual(lines + 1);
      expect(p.col).toBeGreaterThanOrEqual(1);
      expect(p.message.length).toBeGreaterThan(0);
    }
  };
  it("on arbitrary text", () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), check), { numRuns: 300 });
  });
  it("on arbitrary YAML documents", () => {
    fc.assert(fc.property(fc.anything({ maxDepth: 4 }), (value) => check(stringify(value) ?? "")), { numRuns: 300 });
  });
  it("on policy-shaped documents with random values", () => {
    const key = fc.constantFrom("mode", "agents", "reviewers", "paths", "compliance", "escalation", "commands", "overrides", "required", "from", "forbidden", "restricted", "limits", "teams", "users", "agents", "title_pattern", "__proto__", "constructor");
    const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: "small" }, fc.jsonValue(), fc.dictionary(key, tie("node"), { maxKeys: 4 }), fc.array(tie("node"), { maxLength: 3 })),
    })).node;
    fc.assert(fc.property(fc.dictionary(key, value, { maxKeys: 5 }), (doc) => check(stringify(doc) ?? "")), { numRuns: 300 });
  });
});

describe("an override's `{ add: [...] }` (issue 18, point 5)", () => {
  const entry = (text: string) => {
    const r = parsePolicy(text, F);
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join("\n"));
    return r.policy.overrides[0];
  };
  const BASE = 'paths:\n  forbidden: ["infra/**"]\n  restricted:\n    - { paths: ["db/**"], reviewers: { teams: [acme/dba] } }\ncompliance:\n  required_checks: [ci]\nreviewers:\n  from: { teams: [acme/devs] }\n';

  it("extends the base's list, each entry once; a plain list still replaces it", () => {
    const o = entry(
      `${BASE}overrides:\n  - agents: [copilot]\n    paths:\n      forbidden: { add: ["src/auth/**", "infra/**"] }\n      restricted: { add: [{ paths: ["auth/**"], reviewers: { teams: [acme/sec] } }] }\n    compliance:\n      required_checks: { add: [{ name: lint, app: github-actions }] }\n    reviewers:\n      from: { teams: { add: [acme/leads] } }\n`,
    );
    expect(o?.paths?.forbidden).toEqual(["infra/**", "src/auth/**"]);
    expect(o?.paths?.restricted?.map((g) => g.paths)).toEqual([["db/**"], ["auth/**"]]);
    expect(o?.compliance?.required_checks).toEqual([{ name: "ci" }, { name: "lint", app: "github-actions" }]);
    expect(o?.reviewers?.from?.teams).toEqual(["acme/devs", "acme/leads"]);
    expect(entry(`${BASE}overrides:\n  - agents: [copilot]\n    paths: { forbidden: ["src/**"] }\n`)?.paths?.forbidden).toEqual(["src/**"]);
    // Over an empty base list, `add` is the list.
    expect(entry('overrides:\n  - agents: ["*"]\n    escalation: { tiers: { add: [{ after: 1h, notify: [acme/leads] }] } }\n')?.escalation?.tiers).toEqual([{ after: "1h", notify: ["acme/leads"] }]);
  });

  it("is an override's form only, and a malformed one says what each form wants", () => {
    expect(problems('paths:\n  forbidden: { add: ["x/**"] }\n')).toEqual(["policy.yml:2:14: `paths.forbidden`: must be a list, not a mapping"]);
    expect(problems("overrides:\n  - agents: [copilot]\n    paths:\n      forbidden: { ad: [x] }\n")).toEqual([
      "policy.yml:4:18: `overrides[0].paths.forbidden`: must be a list, which replaces the base policy's, or `{ add: [...] }`, which adds to it; `ad` is not a key of it",
    ]);
    expect(problems("overrides:\n  - agents: [copilot]\n    paths:\n      forbidden: { add: x }\n")).toEqual([
      "policy.yml:4:18: `overrides[0].paths.forbidden`: must be a list, which replaces the base policy's, or `{ add: [...] }`, which adds to it; `add` must be a list",
    ]);
  });

  it("applies through the evaluator's merge: the agent gets the base's entries and the added ones", async () => {
    const { effectivePolicy } = await import("../../src/policy/evaluate.js");
    const r = parsePolicy(`${BASE}overrides:\n  - agents: [copilot]\n    paths:\n      forbidden: { add: ["src/auth/**"] }\n`, F);
    if (!r.ok) throw new Error("does not parse");
    const copilot = { detected: true, id: "copilot", name: "Copilot", kind: "agent" as const, confidence: "high" as const, evidence: [], invoker: null, invokers: [] };
    expect(effectivePolicy(r.policy, copilot).paths.forbidden).toEqual(["infra/**", "src/auth/**"]);
  });
});

describe("mergePolicies (`_extends`): mappings merge, lists and scalars replace", () => {
  it.each([
    [{ reviewers: { required: 2, from: { teams: ["acme/a"] } } }, { reviewers: { required: 1 } }, { reviewers: { required: 1, from: { teams: ["acme/a"] } } }],
    [{ paths: { forbidden: ["a/**", "b/**"] } }, { paths: { forbidden: ["c/**"] } }, { paths: { forbidden: ["c/**"] } }],
    [{ mode: "report" }, {}, { mode: "report" }],
    [{ overrides: [{ agents: ["copilot"] }] }, { overrides: [] }, { overrides: [] }],
  ])("%j under %j", (base, repo, merged) => {
    expect(mergePolicies(base, repo)).toEqual(merged);
  });
  it("ignores prototype keys", () => {
    const merged = mergePolicies({}, JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
  it("places a problem only the merge reveals at the repository file's key", () => {
    const base = parsePolicy("paths:\n  restricted:\n    - paths: [db/**]\n      reviewers: { required: 1 }\n", "org.yml");
    const repo = parsePolicy("mode: report\npaths:\n  restricted:\n    - name: x\n", "repo.yml");
    // The repo's list replaces the base's, and its entry lacks `paths`: found only after merging.
    expect(repo.ok).toBe(false);
    const ok = parsePolicy("mode: report\nreviewers:\n  from:\n    users: [a]\n", "repo.yml");
    if (!base.ok || !ok.ok) throw new Error("fixtures must parse");
    const merged = parseExtended({ ...base.raw, reviewers: { required: "x" } }, ok, "repo.yml");
    expect(merged.ok ? [] : merged.problems.map(formatProblem)).toEqual([
      "repo.yml:3:3: after merging `_extends`: `reviewers.required`: must be a number",
    ]);
  });
});

describe("the bracket a YAML flow collection left open", () => {
  it("is the one no later bracket closes, whatever balanced text and quoted brackets surround it", () => {
    const balanced = fc.letrec<{ t: string }>((tie) => ({
      t: fc.oneof(
        { depthSize: "small" },
        fc.constantFrom("a", " ", ", ", "\n", "'[x'", '"{"', " # ] }\n"),
        fc.tuple(tie("t"), tie("t")).map(([a, b]) => a + b),
        tie("t").map((x) => `[${x}]`),
        tie("t").map((x) => `{${x}}`),
      ),
    })).t;
    fc.assert(
      fc.property(balanced, balanced, fc.constantFrom("[" as const, "{" as const), (before, after, open) => {
        const text = `${before}${open}${after}`;
        expect(unclosedBracket(text, text.length, open)).toBe(before.length);
      }),
    );
  });

  it("is -1 when every bracket of that kind is closed", () => {
    expect(unclosedBracket("a: [1, {b: 2}]\n", 15, "[")).toBe(-1);
    expect(unclosedBracket("a: [1, {b: 2\n", 13, "[")).toBe(3);
  });
});
