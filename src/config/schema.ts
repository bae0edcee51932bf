/**
 * The policy language of `.github/agent-governance.yml`: the single source of
 * truth for types, validation, defaults, the JSON Schema and the docs.
 *
 * Each section schema is built twice by `sections()`: once with defaults (the
 * repository's policy) and once without (an entry of `overrides`, whose keys
 * replace the base policy's only where they are written).
 */
import { z } from "zod";
import { AGENTS } from "../detect/agents.js";
import { globProblem, regexProblem } from "../policy/globs.js";
import { parseHours, validTimeZone } from "../policy/business-time.js";
import { didYouMean } from "./words.js";

export const POLICY_PATH = ".github/agent-governance.yml";
export const DEFAULT_CHECK_NAME = "Agent Governance";

/** What `compliance.test_weakening` looks for. */
export const WEAKENING_KINDS = ["skipped", "focused", "deleted_tests", "assertions", "thresholds", "ci"] as const;
/** What `compliance.hidden_instructions` looks for. */
export const HIDDEN_KINDS = ["unicode", "comments", "phrases"] as const;

/** Working days of `escalation.business_hours.days`. */
export const WORKING_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

/** What a `min_permission` may ask for. Not `none`: a minimum of no access would let anyone approve or override. */
const MIN_PERMISSIONS = ["read", "triage", "write", "maintain", "admin"] as const;

const login = z.string().min(1).max(100).describe("A GitHub login, e.g. `octocat` or `acme-bot[bot]`.");
const team = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+$/, "a team is written `org/slug`, e.g. `acme/maintainers`")
  .describe("A team, written `org/slug`.");
const glob = z
  .string()
  .min(1)
  .max(300)
  .superRefine((g, ctx) => {
    const problem = globProblem(g);
    if (problem) ctx.addIssue({ code: "custom", message: `\`${g}\`: ${problem}` });
  })
  .describe(
    "A minimatch glob (`dot: true`). A path glob matches the repository-relative path ignoring case, and also each folder it names literally (`.claude/**` matches `.claude`, which could be a symlink); a branch glob matches the branch name as written.",
  );
const globs = z.array(glob).max(200);
const checkName = z.string().min(1).max(200).describe("A check run's or commit status's name, exactly as GitHub shows it.");
/** A required check, read as `{ name, app? }`: a bare name counts every source; `app` pins the one that counts. */
const requiredCheck = z
  .union([
    checkName,
    z.strictObject({
      name: checkName,
      app: z
        .string()
        .regex(/^[a-z0-9][a-z0-9-]{0,99}$/, "an app is written as its slug, lower case, e.g. `github-actions` (as in github.com/apps/github-actions)")
        .optional()
        .describe("The slug of the GitHub App whose report counts, e.g. `github-actions`; reports of the name by anyone else are ignored."),
    }),
  ])
  .transform((c): { name: string; app?: string } => (typeof c === "string" ? { name: c } : c));
const permission = z.enum(MIN_PERMISSIONS, {
  error: (issue) =>
    issue.input === "none"
      ? "`none` is not a minimum permission: anyone, even without access to the repository, would qualify; write `read` (anyone who can read the repository) or higher, or list the `users` and `teams` who may"
      : undefined,
});
export const duration = z
  .string()
  .regex(/^\d+(\.\d+)?\s*(m|h|d|w)$/, "a duration is a number and a unit: `30m`, `4h`, `2d`, `1w`")
  .describe("A duration: `30m`, `4h`, `2d`, `1w`.");

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
/** A duration that must be longer than nothing: a clock that runs out at once (`0m`) is a mistake. */
const longerThanNothing = duration.refine((d) => Number(d.trim().match(/^\d+(?:\.\d+)?/)?.[0]) > 0, "must be longer than nothing, e.g. `30m`, `4h`, `2d`");

/** Milliseconds of a duration (`30m`, `4h`, `2d`, `1w`); Infinity for anything else (never due). */
export function durationMs(d: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(m|h|d|w)$/.exec(d.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : Number.POSITIVE_INFINITY;
}

/** Builds every section's schema, with its defaults. */
function sections() {
  // `opt(schema, value)`: the key may be left out, and then `value` is parsed in its place.
  const opt = <T extends z.ZodType>(schema: T, value: unknown) => schema.prefault(value as never);

  const reviewerSet = z.strictObject({
    users: opt(z.array(login), []).describe("Logins whose approval counts."),
    teams: opt(z.array(team), []).describe("Teams (`org/slug`) whose members' approval counts."),
    min_permission: permission
      .optional()
      .describe(
        "Minimum repository permission an approver needs. Default: `write` when no users or teams are listed, otherwise not checked.",
      ),
  });

  const reviewers = z
    .strictObject({
      required: opt(z.number().int().min(0).max(50), 1).describe("Human approvals needed on the latest commit."),
      from: opt(reviewerSet, { users: [], teams: [] }).describe("Who may approve."),
      stale_on_push: opt(z.boolean(), true).describe("An approval of an earlier commit stops counting after a new push."),
      invoker_can_approve: opt(z.boolean(), false).describe(
        "Whether the human who set the agent going may approve its PR.",
      ),
      contributors_can_approve: opt(z.boolean(), false).describe(
        "Whether a human who authored or committed one of the PR's commits (merge commits aside) may approve it.",
      ),
      codeowners: opt(z.boolean(), false).describe(
        "Each changed file the CODEOWNERS file assigns owners needs an approval from one of them (a team owner: from a member), and the owners are requested as reviewers. CODEOWNERS is read from the default branch: `.github/CODEOWNERS`, else `CODEOWNERS`, else `docs/CODEOWNERS`, as GitHub looks for it.",
      ),
      request: z
        .strictObject({
          count: z.number().int().min(1).max(15).describe("How many reviewers from `from` are asked; those already asked or who already reviewed count."),
          from: z.array(z.union([team, login])).min(1).max(100).describe("Users and teams (`org/slug`) to choose from."),
          strategy: opt(z.enum(["random"]), "random").describe(
            "`random`: an order drawn once per PR (from the repository and PR number), so a push never asks different people.",
          ),
        })
        .optional()
        .describe(
          "Ask `count` reviewers from a pool while the PR waits for people, never the PR author, the agent's invokers or the PR's commit contributors. Only asks: who may approve stays `reviewers.from`.",
        ),
    })
    .describe("Required human reviewers.");

  /** Who must approve a group of changes, and how many of them. */
  const approvalGroup = z.strictObject({
    required: opt(z.number().int().min(1).max(50), 1).describe("Approvals needed from these people."),
    users: opt(z.array(login), []).describe("Logins whose approval counts."),
    teams: opt(z.array(team), []).describe("Teams (`org/slug`) whose members' approval counts."),
    min_permission: permission
      .optional()
      .describe("Minimum repository permission. Default: `write` when no users or teams are listed."),
  });

  /** A finding rule's answer: a group's approval, or a failure. */
  const findingAction = (action: "approve" | "fail") => ({
    action: z
      .enum(["approve", "fail"])
      .optional()
      .describe(`What a finding does: \`approve\` needs the approval of \`reviewers\`; \`fail\` fails the check (only an override passes it). Default: \`${action}\`.`),
    reviewers: approvalGroup
      .optional()
      .describe("Who approves findings (with `action: approve`). Default: 1 approval from someone with maintain permission or above."),
  });

  const group = z.strictObject({
    name: z.string().min(1).max(100).optional().describe("A name shown in the check; defaults to the globs."),
    paths: globs.min(1).describe("Globs this group covers."),
    reviewers: approvalGroup.describe("Who must approve changes to these paths, and how many."),
  });

  const paths = z
    .strictObject({
      forbidden: opt(globs, []).describe("Globs an agent PR may not touch at all (only an override lets it pass)."),
      restricted: opt(z.array(group).max(100), []).describe("Path groups that need their own approvals."),
      limits: opt(
        z.strictObject({
          max_files: z.number().int().min(1).optional().describe("Most files an agent PR may change."),
          max_changed_lines: z.number().int().min(1).optional().describe("Most lines (added + deleted) it may change."),
        }),
        {},
      ).describe("Size limits."),
      protect_agent_files: opt(z.boolean(), true).describe(
        "Agent-steering files (workflows, AGENTS.md, CLAUDE.md, .cursor/**, .mcp.json, …) need a maintainer's approval. The policy file itself always does.",
      ),
    })
    .describe("Path restrictions.");

  // Rules that find risky lines (workflow risk, install scripts): `true` makes a finding fail the PR; `{ reviewers }`
  // makes it wait for that group's approval instead, like a restricted path group.
  const findingReviewers = approvalGroup.describe(
    "Who must approve a PR with findings (like a restricted path group). Without it, a finding fails the PR and only an override passes it.",
  );

  const compliance = z
    .strictObject({
      linked_issue: opt(z.union([z.boolean(), z.literal("verified")]), false).describe(
        "The PR links an issue (closing keyword, `#123` or an issue URL). `verified`: a reference after a linking word (`Fixes #123`, `Refs #123`, `Part of #123`) or an issue URL of this repository, and the app reads the issue: it must exist here, be an issue (not a PR) and be open.",
      ),
      tests_with_code: z
        .strictObject({
          code: globs.min(1).describe("Globs of code files; changing one (other than deleting it) needs a test change."),
          tests: globs.min(1).describe("Globs of test files."),
        })
        .optional()
        .describe("When code files change, test files change too."),
      signed_commits: opt(z.boolean(), false).describe("Every commit is verified (signed) by GitHub."),
      dco: opt(z.boolean(), false).describe(
        "Every non-merge commit carries a `Signed-off-by:` trailer with its author's e-mail (Developer Certificate of Origin).",
      ),
      required_checks: opt(z.array(requiredCheck).max(100), []).describe(
        "Check runs or statuses that must have passed on the head commit: a name, or `{ name, app }` to count only what that GitHub App reports. Every current report of a name must pass.",
      ),
      title_pattern: z
        .string()
        .min(1)
        .superRefine((p, ctx) => {
          const problem = regexProblem(p);
          if (problem) ctx.addIssue({ code: "custom", message: problem });
        })
        .optional()
        .describe("A regular expression the PR title must match (case-sensitive), in JavaScript syntax without lookaround or backreferences; matched in linear time (RE2), so no pattern can hang the app."),
      body: z
        .strictObject({
          min_length: z
            .number()
            .int()
            .min(1)
            .max(10000)
            .optional()
            .describe("Fewest characters of description, HTML comments (template hints) and surrounding blanks not counted."),
          sections: z
            .array(z.string().min(1).max(100))
            .max(20)
            .optional()
            .describe("Markdown headings the body must contain (any level, case-insensitive), e.g. `Testing`."),
          checkboxes: z
            .array(z.string().min(1).max(200))
            .max(20)
            .optional()
            .describe("Task-list items that must be ticked (`- [x] I have read every line`): each text must begin a ticked item, case-insensitive, e.g. `I have read every line`."),
          fields: z
            .array(z.string().min(1).max(100))
            .max(20)
            .optional()
            .describe("Labels that must be followed by an answer, on the label's line or the next (`Tool and extent: Copilot, the tests only`), e.g. `Tool and extent`."),
          humans: z
            .boolean()
            .optional()
            .describe("Check human PRs' descriptions too, even when `agents.govern_humans` is off: a description that falls short fails the check, with no label, comment or review request. Default: `false`."),
        })
        .optional()
        .describe("Requirements on the PR description."),
      no_secrets: opt(z.boolean(), false).describe(
        "No well-known token or private-key formats in added lines. Findings show file, line and kind, never the value. Files GitHub shows no patch for (binary, or too large) cannot be scanned: they need an approval from `reviewers.from` on the head commit.",
      ),
      dependencies: z
        .strictObject({
          paths: globs.optional().describe("Manifest and lockfile globs; defaults to the common ecosystems' files."),
          reviewers: approvalGroup,
        })
        .optional()
        .describe("Dependency manifest or lockfile changes need approval from a group."),
      install_scripts: opt(z.union([z.boolean(), z.strictObject({ reviewers: findingReviewers })]), false).describe(
        "New or changed install-time code fails (or, with `reviewers`, waits for that group): npm lifecycle scripts (`preinstall`, `install`, `postinstall`, `preprepare`, `prepare`, `postprepare`, `prepublish`, `prepack`, `dependencies`) and lists of dependencies allowed to run theirs (`trustedDependencies`, `pnpm.onlyBuiltDependencies`) in package.json, Composer install scripts, setup.py commands and pyproject build hooks, build.rs, binding.gyp, extconf.rb, .pnpmfile.cjs, `yarnPath`, Gradle and Maven plugins and wrappers. A changed package.json, composer.json or pyproject.toml is read whole at the head commit.",
      ),
      workflow_risk: opt(
        z.union([
          z.boolean(),
          z.strictObject({
            reviewers: findingReviewers.optional(),
            trusted_actions: opt(globs, ["actions/*", "github/*"]).describe(
              "Actions (`owner/repo` globs) that need no commit-SHA pin: first-party ones you trust by tag.",
            ),
          }),
        ]),
        false,
      ).describe(
        "Risky changes to `.github/workflows/**` and `.github/actions/**` fail (or, with `reviewers`, wait for that group): `permissions` raised (`write-all`, a `contents`, `id-token`, `actions` or `packages` scope set to `write`), `pull_request_target` or `workflow_run` with a checkout of the PR's code, actions not pinned to a full commit SHA, new `secrets.*` references or `secrets: inherit`, `self-hosted` runners. Each changed workflow is read whole at the head commit.",
      ),
      ai_disclosure: z
        .enum(["required", "forbidden"])
        .optional()
        .describe("Whether commits must (or must not) carry an AI co-author / `Assisted-by:` trailer."),
      // Rules that read what the PR wrote (test weakening, hidden instructions): on by default, `false` turns one off.
      test_weakening: opt(
        z.union([
          z.boolean(),
          z.strictObject({
            ...findingAction("approve"),
            kinds: z
              .array(z.enum(WEAKENING_KINDS))
              .min(1)
              .optional()
              .describe(
                "What to look for; default all: `skipped` (`it.skip`, `xit`, `@pytest.mark.skip`, `t.Skip(`, `@Disabled`, `#[ignore]`, …), `focused` (`.only`, `fit`), `deleted_tests` (test files deleted or moved out of the tests), `assertions` (assertions removed without replacement, or loosened), `thresholds` (coverage and lint thresholds lowered, lint rules turned down), `ci` (CI steps or jobs removed, `continue-on-error: true`, `|| true`, `if: false`).",
              ),
            tests: globs
              .optional()
              .describe("Globs of test files; default: the common layouts (`**/*.test.*`, `**/*.spec.*`, `**/__tests__/**`, `**/test/**`, `**/tests/**`, `**/*_test.go`, `**/test_*.py`, `**/src/test/**`, …)."),
          }),
        ]),
        true,
      ).describe(
        "Agent PRs that weaken tests (skip or focus tests, delete test files, remove or loosen assertions, lower coverage or lint thresholds, remove CI steps or let them fail) need `reviewers`' approval (or fail, with `action: fail`). `true` (the default): a maintainer's approval; `false`: off.",
      ),
      hidden_instructions: opt(
        z.union([
          z.boolean(),
          z.strictObject({
            ...findingAction("fail"),
            kinds: z
              .array(z.enum(HIDDEN_KINDS))
              .min(1)
              .optional()
              .describe(
                "What to look for; default all: `unicode` (zero-width, bidi-control, tag and other invisible characters), `comments` (HTML and Markdown comments addressed to an AI), `phrases` (known injection phrasing such as \"ignore previous instructions\").",
              ),
            paths: globs
              .optional()
              .describe("Globs of the files whose added lines are scanned; default: docs, agent-steering files and prompts (`**/*.md`, `**/*.mdx`, `**/*.txt`, `**/*.rst`, `**/prompts/**`, `**/*.prompt*`, `**/*.mdc`, `.github/copilot-instructions.md`, …)."),
          }),
        ]),
        true,
      ).describe(
        "Text aimed at an AI that a reviewer cannot see or would not expect, in added lines of docs, agent-steering files and prompts, in the PR description and in commit messages, fails the check (or, with `action: approve`, needs `reviewers`' approval). Findings quote the text with invisible characters escaped (`\\u200B`). `true` (the default): on; `false`: off.",
      ),
    })
    .describe("Compliance checks; each is off unless configured, except `test_weakening` and `hidden_instructions`, which are on unless set to `false`.");

  const notifyList = z.array(z.union([team, login]));

  const tier = z.strictObject({
    after: duration.describe("How long the PR has waited for humans before this tier is notified."),
    notify: notifyList.min(1).describe("Users and teams (`org/slug`) to mention."),
    label: z.string().min(1).max(50).optional().describe("A label added when this tier is reached."),
  });

  const businessHours = z
    .strictObject({
      timezone: z
        .string()
        .min(1)
        .max(100)
        .superRefine((tz, ctx) => {
          if (!validTimeZone(tz)) ctx.addIssue({ code: "custom", message: `\`${tz}\` is not a time zone: write an IANA name such as \`Europe/Berlin\`, \`America/New_York\` or \`UTC\`` });
        })
        .describe("The IANA time zone the hours are in, e.g. `Europe/Berlin`."),
      days: opt(z.array(z.enum(WORKING_DAYS)).min(1).max(7), ["mon", "tue", "wed", "thu", "fri"]).describe("Working days: `mon` … `sun`."),
      hours: opt(
        z
          .string()
          .superRefine((h, ctx) => {
            if (!parseHours(h)) ctx.addIssue({ code: "custom", message: `\`${h}\` is not a range of hours: write \`HH:MM-HH:MM\`, the end after the start, e.g. \`09:00-17:00\`` });
          }),
        "09:00-17:00",
      ).describe("Working hours of each working day, local time: `HH:MM-HH:MM` (`24:00` is the end of the day)."),
      holidays: opt(z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a holiday is a date written `YYYY-MM-DD`, e.g. `2026-12-25`")).max(400), []).describe(
        "Local dates (`YYYY-MM-DD`) that are not working days.",
      ),
    })
    .describe(
      "Escalation clocks (tiers' `after`, `stuck.idle`, `stuck.repeat`) count working time only: `m` and `h` are working minutes and hours, `d` a working day (the length of `hours`), `w` a working week.",
    );

  const stuck = z
    .strictObject({
      failed_heads: z
        .number()
        .int()
        .min(1)
        .max(100)
        .optional()
        .describe("Stuck when `compliance.required_checks` failed on this many heads in a row (a head that passes them starts the count again)."),
      idle: longerThanNothing.optional().describe("Stuck when nothing was pushed and no human reviewed or commented for this long."),
      notify: opt(notifyList.max(50), []).describe("Users and teams (`org/slug`) mentioned with the invoker when the PR is found stuck."),
      repeat: longerThanNothing
        .optional()
        .describe("While it stays stuck, every `repeat` the next escalation tier not yet notified is notified now. Without it, the invoker and `notify` are told once per stuck spell."),
    })
    .describe("Agent PRs that are stuck (failing on every push, or idle) are escalated to the agent's invoker and `notify`, then (with `repeat`) up the tiers.");

  const escalation = z
    .strictObject({
      check_name: opt(z.string().min(1).max(100), DEFAULT_CHECK_NAME).describe("The check run's name."),
      comment: opt(z.boolean(), true).describe("Post (and keep updated) one escalation comment on agent PRs."),
      request_reviews: opt(z.boolean(), true).describe("Request reviews from the people who can satisfy the policy."),
      labels: opt(
        z.strictObject({
          agent: opt(z.string().min(1).max(50), "agent-pr"),
          needs_review: opt(z.string().min(1).max(50), "needs-human-review"),
          violation: opt(z.string().min(1).max(50), "agent-policy-violation"),
        }),
        {},
      ).describe("Names of the labels the app manages: on every governed PR, while it waits for people, while a rule fails."),
      tiers: opt(z.array(tier).max(10), []).describe("Who is notified, and when."),
      business_hours: businessHours.optional(),
      stuck: stuck.optional(),
    })
    .describe("How the app reaches humans: check, comment, review requests, labels, tiers.");

  const commands = z
    .strictObject({
      approve: opt(z.strictObject({ enabled: opt(z.boolean(), true) }), {}),
      override: opt(
        z.strictObject({
          min_permission: opt(permission, "admin"),
          users: opt(z.array(login), []),
          teams: opt(z.array(team), []),
          reason_required: opt(z.boolean(), true),
          scope: opt(z.enum(["commit", "until_governed_push"]), "commit"),
          max_duration: longerThanNothing
            .optional()
            .describe(
              "The longest an override lasts: a duration written first (`/governance override 3d <reason>`) is cut to it, and an override without one gets it. Unset: an override without a duration does not expire.",
            ),
        }),
        {},
      ),
    })
    .describe("Reviewer commands (`/governance …`).");

  const agents = z
    .strictObject({
      also: opt(
        z.strictObject({
          logins: opt(z.array(login), []).describe(
            "Accounts that are your agents (`acme-bot[bot]`, or a machine user). On any PR, their approval never counts and their commands are not obeyed.",
          ),
          branches: opt(globs, []),
          labels: opt(z.array(z.string().min(1).max(100)), []),
          trailers: opt(z.array(z.string().min(1).max(200)), []).describe(
            "Exact co-author e-mail addresses your own agents write.",
          ),
        }),
        {},
      ).describe("Signals of your own agents."),
      ignore: opt(z.array(z.string().min(1).max(100)), []).describe("Agent ids or logins never governed."),
      min_strength: opt(z.enum(["verified", "declared", "hint"]), "declared").describe(
        "The weakest signal that makes a PR an agent PR.",
      ),
      govern_automation: opt(z.boolean(), true).describe("Govern dependency and release bots (`automation`)."),
      govern_humans: opt(z.boolean(), false).describe("Govern every PR, agent or not."),
    })
    .describe("Which PRs are agent PRs.");

  const limits = z
    .strictObject({
      open_prs: z
        .strictObject({
          per_agent: z.number().int().min(1).max(1000).optional().describe("Most open PRs one agent (by registry id) may have here; newer ones are held."),
          per_invoker: z.number().int().min(1).max(1000).optional().describe("Most open agent PRs one invoker may have here, whatever the agents; newer ones are held."),
        })
        .optional()
        .describe("Open agent PRs allowed at once: the oldest stay in the budget, newer ones are held (`action_required`) until older ones close."),
      one_per_issue: opt(z.boolean(), false).describe(
        "A second open agent PR linking the same issue (`Fixes #12`, `Refs #12`, the issue's URL) is held until someone with maintain permission approves it (a review or `/governance approve`).",
      ),
    })
    .describe("Swarm limits: how many agent PRs may be open at once. Read from the base policy only (not from `overrides` entries).");

  return { reviewers, paths, compliance, escalation, commands, agents, limits, mode: z.enum(["enforce", "report"]), group };
}

const withDefaults = sections();

/**
 * An override's list: a list replaces the base policy's; `{ add: [...] }` keeps the
 * base's entries and adds these (`resolveAdds`, when the policy is parsed).
 */
function extendable(list: z.ZodType): z.ZodType {
  return z.union([
    list,
    z.strictObject({ add: list.describe("Entries added to the base policy's list; a plain list here would replace it.") }),
  ]);
}

/**
 * The same schema with every default removed, down through nested mappings (not
 * inside lists, which an override replaces whole): an override's keys then replace
 * the base policy's only where they are written. A list with a default (`forbidden`,
 * `restricted`, `required_checks`, `tiers`, reviewers' `users` and `teams`, …) also
 * takes `{ add: [...] }`, which extends the base's list instead of replacing it.
 */
function withoutDefaults<T extends z.ZodType>(schema: T): z.ZodType {
  const def = (schema as unknown as { _zod: { def: { type: string; innerType?: z.ZodType } } })._zod.def;
  if ((def.type === "prefault" || def.type === "default") && def.innerType) {
    const inner = withoutDefaults(def.innerType);
    return (def.innerType instanceof z.ZodArray ? extendable(inner) : inner).optional();
  }
  if (schema instanceof z.ZodObject) {
    const shape = Object.fromEntries(Object.entries(schema.shape).map(([k, v]) => [k, withoutDefaults(v as z.ZodType)]));
    return schema.extend(shape);
  }
  return schema;
}

type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;
/** What an override may write: any key left out, and a list as `{ add: [...] }` (resolved away when the policy is parsed). */
type DeepPartialInput<T> = T extends readonly unknown[] ? T | { add: T } : T extends object ? { [K in keyof T]?: DeepPartialInput<T[K]> } : T;
type Sections = typeof withDefaults;
const partialOf = <K extends keyof Sections>(k: K) =>
  withoutDefaults(withDefaults[k]).optional() as unknown as z.ZodOptional<z.ZodType<DeepPartial<z.output<Sections[K]>>, DeepPartialInput<z.input<Sections[K]>>>>;
const partial = {
  mode: partialOf("mode"),
  reviewers: partialOf("reviewers"),
  paths: partialOf("paths"),
  compliance: partialOf("compliance"),
  escalation: partialOf("escalation"),
  commands: partialOf("commands"),
};

/** What an `overrides` entry's `agents` may name: a registry id, or one of the classes. */
export const OVERRIDE_KEYS = [...new Set([...AGENTS.map((a) => a.id), "automation", "unknown", "*"])];

const overrideAgent = z
  .string()
  .min(1)
  .max(100)
  .superRefine((id, ctx) => {
    if (OVERRIDE_KEYS.some((k) => k === id.toLowerCase())) return;
    const hint = didYouMean(id, OVERRIDE_KEYS);
    ctx.addIssue({
      code: "custom",
      message: `unknown agent \`${id}\`${hint ? `; did you mean \`${hint}\`?` : ""} (an agent id such as ${OVERRIDE_KEYS.slice(0, 4).map((k) => `\`${k}\``).join(", ")}, or \`automation\`, \`unknown\`, \`*\`)`,
    });
  });

export const OverrideSchema = z
  .strictObject({
    agents: z
      .array(overrideAgent)
      .min(1)
      .describe(
        "Who this entry applies to: agent ids from the registry (`copilot`, `devin`, `claude-code`, …), `automation` (dependency and release bots), `unknown` (an agent without a registry id, including those named in `agents.also`), or `*` (any agent or bot).",
      ),
    base_branches: globs
      .min(1)
      .optional()
      .describe(
        "Only for PRs into these branches: globs of the base branch's name (`release/**`, `main`). Without it, the entry applies whatever the base.",
      ),
    mode: partial.mode,
    reviewers: partial.reviewers,
    paths: partial.paths,
    compliance: partial.compliance,
    escalation: partial.escalation,
    commands: partial.commands,
  })
  .describe("Per-agent policy: these keys replace the base policy's for the listed agents (and, with `base_branches`, only for PRs into those branches).");

/**
 * `floor:`, read only from the organization's `.github` repository (when the operator sets `ORG_FLOOR=true`):
 * settings no repository policy can weaken. Merged stricter-wins over every repository's policy and over
 * each of its `overrides` entries (src/config/floor.ts).
 */
export const FloorSchema = z
  .strictObject({
    mode: z
      .literal("enforce", { error: "a floor's `mode` can only be `enforce` (a floor can only make policies stricter); leave `mode` out to let each repository choose" })
      .optional()
      .describe("`enforce`: no repository (nor `overrides` entry) may set `mode: report`."),
    reviewers: z
      .strictObject({
        required: z.number().int().min(0).max(50).optional().describe("The fewest human approvals any agent PR needs; a repository may ask for more."),
      })
      .optional()
      .describe("Required human reviewers."),
    paths: z
      .strictObject({
        forbidden: globs.optional().describe("Globs no agent PR may touch, added to each repository's own list."),
        restricted: z.array(withDefaults.group).max(100).optional().describe("Path groups that need their own approvals, added to each repository's groups."),
        protect_agent_files: z.literal(true).optional().describe("`true`: no repository may turn `paths.protect_agent_files` off."),
        limits: z
          .strictObject({
            max_files: z.number().int().min(1).optional().describe("The most files an agent PR may change; a repository may set fewer."),
            max_changed_lines: z.number().int().min(1).optional().describe("The most lines an agent PR may change; a repository may set fewer."),
          })
          .optional()
          .describe("Size limits."),
      })
      .optional()
      .describe("Path restrictions."),
    compliance: z
      .strictObject({
        linked_issue: z.union([z.literal(true), z.literal("verified")]).optional().describe("The least `compliance.linked_issue` a repository may set."),
        signed_commits: z.literal(true).optional().describe("`true`: every repository checks signed commits."),
        dco: z.literal(true).optional().describe("`true`: every repository checks `Signed-off-by:` trailers."),
        no_secrets: z.literal(true).optional().describe("`true`: every repository scans for secrets."),
        required_checks: z.array(requiredCheck).max(100).optional().describe("Checks that must pass, added to each repository's own list."),
      })
      .optional()
      .describe("Compliance checks every repository keeps on."),
    commands: z
      .strictObject({
        override: z
          .strictObject({
            min_permission: permission
              .optional()
              .describe("The least permission an override needs in any repository; a repository may ask for more. Under it, the people a repository's `commands.override` lists by name no longer override on that account."),
            reason_required: z.literal(true).optional().describe("`true`: every override must give a reason."),
          })
          .optional()
          .describe("Who may override."),
      })
      .optional()
      .describe("Reviewer commands."),
    agents: z
      .strictObject({
        ignore: z
          .array(z.string().min(1).max(100))
          .optional()
          .describe("The agent ids or logins a repository may still list in `agents.ignore`. Under a floor, any other entry is dropped (agents cannot be ignored), except dependency and release bots (`automation`, `dependabot`, …)."),
      })
      .optional()
      .describe("Which agents a repository may leave ungoverned."),
  })
  .describe(
    "The organization's floor: read only from the `.github` repository's `.github/agent-governance.yml`, and only when the app's operator sets `ORG_FLOOR=true`. No repository policy can weaken it: approvals are the larger, lists are joined, `enforce` wins, agents cannot be ignored.",
  );

export type Floor = z.output<typeof FloorSchema>;

export const PolicySchema = z
  .strictObject({
    $schema: z.string().optional().describe("The JSON Schema this file follows, for editors' completion; the app ignores it."),
    mode: withDefaults.mode.default("enforce").describe("`enforce` blocks; `report` evaluates and never blocks."),
    agents: withDefaults.agents.prefault({}),
    reviewers: withDefaults.reviewers.prefault({}),
    paths: withDefaults.paths.prefault({}),
    compliance: withDefaults.compliance.prefault({}),
    escalation: withDefaults.escalation.prefault({}),
    commands: withDefaults.commands.prefault({}),
    limits: withDefaults.limits.prefault({}),
    overrides: z.array(OverrideSchema).max(50).default([]),
    floor: FloorSchema.optional(),
  })
  // An entry's `{ add: [...] }` lists become the base's list and these: every reader sees plain lists.
  .overwrite((p) => (p.overrides.length ? { ...p, overrides: p.overrides.map((o) => resolveAdds(o, p) as PolicyOverride) } : p))
  .describe("agent-governance policy (.github/agent-governance.yml)");

const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
/** `{ add: [...] }`, the one mapping the schema allows where a list goes. */
export const isListAdd = (v: unknown): v is { add: unknown[] } => isPlain(v) && Object.keys(v).length === 1 && Array.isArray(v.add);

/** An override entry with each `{ add: [...] }` replaced by the base's list at that key and the added entries (each once). */
function resolveAdds(entry: unknown, base: unknown): unknown {
  if (isListAdd(entry)) {
    const all = [...(Array.isArray(base) ? base : []), ...entry.add];
    const keys = all.map((v) => JSON.stringify(v));
    return all.filter((_, i) => keys.indexOf(keys[i]!) === i);
  }
  if (!isPlain(entry)) return entry;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entry)) out[k] = k === "agents" || k === "base_branches" ? v : resolveAdds(v, isPlain(base) ? base[k] : undefined);
  return out;
}

export type Policy = z.output<typeof PolicySchema>;
export type PolicyInput = z.input<typeof PolicySchema>;
export type PolicyOverride = z.output<typeof OverrideSchema>;

/** The top-level keys, for "did you mean" hints. */
export const TOP_LEVEL_KEYS = Object.keys(PolicySchema.shape);

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

let defaults: Policy | undefined;

/**
 * The policy that governs a repository without a policy file. Parsed once and
 * frozen (it was a schema parse per event): nothing may modify a policy in place.
 */
export function defaultPolicy(): Policy {
  return (defaults ??= deepFreeze(PolicySchema.parse({})));
}

/**
 * `_extends`, which `parsePolicy` takes off before the schema sees the file (a base
 * may not extend another), so it is not a key of `PolicySchema`.
 */
export const EXTENDS_JSON_SCHEMA = {
  type: "string",
  description:
    "A base policy this file is merged over, read from another repository's default branch: `.github` (the owner's `.github` repository), `owner/repo`, or `owner/repo:path.yml`. Mappings merge key by key; lists and values written here replace the base's. One level only.",
} as const;

/** The JSON Schema of the policy file (input form: defaults are not required). */
export function policyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(PolicySchema, { io: "input", target: "draft-2020-12" }) as Record<string, unknown>;
  const { $schema, ...rest } = schema.properties as Record<string, unknown>;
  return {
    ...schema,
    properties: { $schema, _extends: EXTENDS_JSON_SCHEMA, ...rest },
    $id: "https://github.com/agent-governance/agent-governance/schema/agent-governance.schema.json",
    title: "agent-governance policy",
  };
}
