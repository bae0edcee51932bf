/**
 * The plain data that flows through the pure core.
 *
 * `PullFacts` is a snapshot of one pull request: GitHub REST objects as the API
 * returns them, trimmed to the fields the core reads. A snapshot can be written
 * by hand, saved from a live PR (`agent-governance snapshot`), or built from a
 * webhook payload. Unknown keys are ignored.
 *
 * `Evaluation` is the pure core's answer, printed by `agent-governance explain`.
 */

export type Permission = "admin" | "maintain" | "write" | "triage" | "read" | "none";

/** Ordered from weakest to strongest, for `min_permission` comparisons. */
export const PERMISSION_ORDER: readonly Permission[] = ["none", "read", "triage", "write", "maintain", "admin"];

export function permissionAtLeast(have: Permission | undefined, need: Permission): boolean {
  return PERMISSION_ORDER.indexOf(have ?? "none") >= PERMISSION_ORDER.indexOf(need);
}

/** A GitHub account as REST returns it (`simple-user`, trimmed). */
export interface Actor {
  login: string;
  id?: number | null;
  /** "User", "Bot" or "Organization". */
  type?: string | null;
}

export interface PullRequestFacts {
  number: number;
  title: string;
  body: string | null;
  draft?: boolean;
  state?: string;
  user: Actor | null;
  head: { ref: string; sha: string; repo?: { full_name: string; fork?: boolean } | null };
  base: { ref: string; repo?: { full_name: string; default_branch?: string } | null };
  labels?: { name: string }[];
  html_url?: string;
  created_at?: string;
  updated_at?: string;
  /** Total changed files as GitHub counts them; more than `files.length` means the list was capped. */
  changed_files?: number;
  /** Total commits as GitHub counts them; more than `commits.length` means the list was capped (250). */
  commits?: number;
  additions?: number;
  deletions?: number;
  requested_reviewers?: Actor[] | null;
  requested_teams?: { slug: string; name?: string }[] | null;
  /** People (and agents such as Copilot) the PR is assigned to: a human assignee is taken as the invoker when nothing else names one. */
  assignees?: Actor[] | null;
}

export interface FileFacts {
  filename: string;
  status?: string;
  /** The blob's SHA after the change, as GitHub lists it. */
  sha?: string;
  previous_filename?: string;
  additions?: number;
  deletions?: number;
  changes?: number;
  patch?: string;
}

export interface GitIdentity {
  name?: string | null;
  email?: string | null;
  date?: string | null;
}

export interface CommitFacts {
  sha: string;
  commit: {
    message: string;
    author?: GitIdentity | null;
    committer?: GitIdentity | null;
    verification?: { verified: boolean; reason?: string | null } | null;
  };
  author?: Actor | null;
  committer?: Actor | null;
  parents?: { sha: string }[];
}

export interface ReviewFacts {
  id: number;
  user: Actor | null;
  state: string; // APPROVED | CHANGES_REQUESTED | COMMENTED | DISMISSED | PENDING
  commit_id?: string | null;
  submitted_at?: string | null;
}

export interface CommentFacts {
  id: number;
  user: Actor | null;
  /** Set by GitHub on comments an app wrote: the app's id (the app's own comments are told apart by it). */
  performed_via_github_app?: { id?: number | null; slug?: string | null; name?: string | null } | null;
  body?: string | null;
  created_at: string;
  updated_at?: string | null;
  html_url?: string;
}

export interface LinkedIssueFacts {
  number: number;
  /** open | closed */
  state: string;
  /** Present when the number is a pull request. */
  pull_request?: unknown;
  /** Where GitHub has it: another repository's URL when the issue was transferred. */
  html_url?: string;
}

export interface CheckFacts {
  name: string;
  /** Check runs: queued | in_progress | completed. Commit statuses use `state`. */
  status?: string | null;
  conclusion?: string | null;
  /** Commit status state: success | failure | error | pending. */
  state?: string | null;
  head_sha?: string | null;
  /**
   * The slug of the GitHub App that reported it: a check run's app, or the app
   * whose bot set a commit status; null for a status a person (or a token) set.
   * Absent in facts recorded without it: such reports match no `app` pin.
   */
  app?: string | null;
}

/** An issue timeline event (REST, trimmed): only `assigned` events are kept, for who assigned an agent. */
export interface TimelineEventFacts {
  event: string;
  actor?: Actor | null;
  assignee?: Actor | null;
  assigner?: Actor | null;
  created_at?: string | null;
}

/** The escalation's progress on one PR: when its wait started, which tiers were notified. */
export interface LedgerEscalation {
  /** Tier index → ISO time it was notified. */
  notified: Record<string, string>;
  /** When the PR first needed humans. */
  started?: string;
  /** When it last started waiting again (after a draft, a close or a pass). */
  since?: string;
  /** Not waiting now (a draft, closed, or passed): the wait restarts when it needs humans again. */
  paused?: boolean;
  /**
   * `escalation.stuck.failed_heads`: the required checks failed on `count` heads in a row, the last of them
   * `head` (count 0: the last head that finished them passed). Kept only when the policy counts them.
   */
  failed?: { count: number; head: string };
  /** `escalation.stuck`: when the PR was found stuck (its invoker told), and how many `repeat` escalations followed. */
  stuck?: { at: string; repeats: number };
}

/**
 * What the app records about a PR where only it can write (its own check run, signed):
 * every invoker it has ever seen, and the escalation's progress.
 */
export interface Ledger {
  /** Every human ever named as the agent's invoker on this PR, lower case, oldest first. */
  invokers: string[];
  escalation?: LedgerEscalation;
}

export interface PullFacts {
  pull: PullRequestFacts;
  files: FileFacts[];
  commits: CommitFacts[];
  reviews: ReviewFacts[];
  comments: CommentFacts[];
  checks?: CheckFacts[];
  /**
   * The other open PRs of this repository whose head is this PR's head commit. GitHub keeps one check
   * run per commit and name, so they share this PR's: read for a governed PR (absent: not read).
   */
  shared_head?: number[];
  /**
   * Changed files' text at the head commit, by path: read only for the files a rule parses whole (a changed
   * workflow or action under `compliance.workflow_risk`; a changed package.json, composer.json or pyproject.toml
   * under `compliance.install_scripts`), at most 20 of them and 256 KiB each. Null: not readable (too large,
   * binary, not a file). A path missing here was not read: the rules then read the patch alone.
   */
  head_contents?: Record<string, string | null>;
  /**
   * The issue `compliance.linked_issue: verified` checks, by number, as `GET /repos/{owner}/{repo}/issues/{n}`
   * returns it (trimmed); null when GitHub has no such issue here (404, or 410 deleted). A `pull_request` key
   * means the number is a PR.
   */
  linked_issues?: Record<string, LinkedIssueFacts | null>;
  /** login → repository permission; a login missing here counts as `none`. */
  permissions?: Record<string, Permission>;
  /** "org/slug" → member logins. */
  teams?: Record<string, string[]>;
  /** "org/slug" → the HTTP status (403, 404) of a team the app could not list; it counts as having no members. */
  unreadable_teams?: Record<string, number>;
  /**
   * CODEOWNERS as on the default branch (`.github/CODEOWNERS`, else `CODEOWNERS`, else `docs/CODEOWNERS`),
   * its text; null when there is none. Read only when the policy sets `reviewers.codeowners` (absent: not read).
   */
  codeowners?: string | null;
  /**
   * Paths in this repository the policy was built from besides the policy file
   * itself (an `_extends` base kept here). A PR changing one needs a maintainer,
   * exactly as for the policy file (`paths.agent_files`).
   */
  policy_files?: string[];
  /**
   * Files changed from a commit to the head (the compare API), keyed by that
   * commit's sha; null when GitHub could not list them all. Read only for an
   * override given on an earlier commit under `commands.override.scope: until_governed_push`.
   */
  changed_since?: Record<string, FileFacts[] | null>;
  /**
   * When this app first saw a commit as the PR's head: the `started_at` of its own
   * check run on that commit (null: none yet). Read for the head, and for the
   * commit an override is carried over from. A command counts for a commit only
   * when given after the app saw it, so a commit pushed after a command cannot
   * inherit it however its dates are set. Absent (hand-written facts): the commit
   * dates alone place a command.
   */
  seen_at?: Record<string, string | null>;
  /**
   * The app's record for this PR (`Ledger`), as verified from its own check runs. Its invokers stay
   * refused whatever the PR says now, and its escalation clock and notified tiers replace the escalation
   * comment's state (which anyone with write access can edit or delete). `null`: a record was found but
   * failed verification, so the safe side applies (the wait counts from `pull.created_at`, and tiers
   * that are due are notified again). Absent (hand-written facts): the escalation comment's state is read.
   */
  ledger?: Ledger | null;
  /** The PR's `assigned` timeline events, read only when an agent is assigned and no invoker is otherwise known. */
  timeline?: TimelineEventFacts[];
  /**
   * The repository's open PRs as the PR list gives them (author, branch, labels, title, body, assignees,
   * creation), for `limits`: read only when the policy sets limits, shared by the repository's evaluations
   * for a minute. Absent: not read, and the limits are not checked.
   */
  open_pulls?: PullRequestFacts[];
}

// ---------------------------------------------------------------------------
// Detection

export type Confidence = "high" | "medium" | "low";
export type SignalStrength = "verified" | "declared" | "hint";

export interface Evidence {
  signal: string;
  strength: SignalStrength;
  value: string;
  where: string;
  /** The registry id the signal points at (`configured` for `agents.also`), when it points at one. */
  agent?: string;
}

/** One agent (or automation bot) a PR carries signals of, at the policy's minimum strength. */
export interface DetectedAgent {
  /** Registry id; null for an agent named only in `agents.also`. */
  id: string | null;
  name: string;
  kind: "agent" | "automation";
  confidence: Confidence;
  evidence: Evidence[];
}

export interface AgentVerdict {
  detected: boolean;
  /** Agent id from the registry (`copilot`, `devin`, …), `automation` for dependency bots, null for none. */
  id: string | null;
  name: string | null;
  kind: "agent" | "automation" | "none";
  confidence: Confidence | null;
  evidence: Evidence[];
  /** The human who set the agent going, when known: the first of `invokers`, for display. */
  invoker: string | null;
  /**
   * Every human the PR names as the one who set the agent going (the PR author of a
   * human-account agent, a `Requested by:` line, human `Co-authored-by:` trailers, whoever
   * assigned an agent account, else a human assignee), and every one the app's ledger
   * recorded earlier. Each is refused as the invoker; empty when none is known.
   */
  invokers: string[];
  /**
   * Every agent the PR carries signals of, the primary one (the fields above) first: a Copilot PR
   * with a commit co-authored by Claude lists both. Each one's `overrides` entries apply, and the
   * strictest result wins (`policy/strictest.ts`). Set by `detectAgent`; absent in verdicts built
   * elsewhere, which then stand for the primary agent alone.
   */
  agents?: DetectedAgent[];
}

// ---------------------------------------------------------------------------
// Evaluation

export type RuleStatus = "pass" | "fail" | "pending" | "skipped";
export type Conclusion = "success" | "failure" | "action_required" | "neutral" | "skipped";
export type Outcome = "not_governed" | "passed" | "waiting" | "violation" | "overridden" | "error";

/** A place in the PR a rule points at, for annotations. */
export interface Location {
  path: string;
  line?: number;
  message?: string;
}

/** Approvals still needed, and who can give them. */
export interface Requirement {
  rule: string;
  /** Human-readable name of what is being approved, e.g. "reviewers" or "migrations/**". */
  label: string;
  needed: number;
  have: number;
  users: string[];
  teams: string[];
  min_permission: Permission | null;
  /** Logins whose approvals counted. */
  approved_by: string[];
  /** Eligible reviewers who requested changes and have not approved since. */
  blocked_by: string[];
}

export interface RuleResult {
  id: string;
  status: RuleStatus;
  message: string;
  /** How to fix it, for a maintainer or agent. */
  fix?: string;
  locations?: Location[];
}

export interface Approval {
  login: string;
  via: "review" | "command";
  commit: string | null;
  at: string | null;
  /** Requirements this approval counted towards. */
  counted_for: string[];
  /** The head it counts for, when given on an earlier commit that only GitHub's "Update branch" merges followed. */
  carried_to?: string;
}

/**
 * Why an approval (or override) did not count:
 * - `bot`: a bot or app account, or an agent's account; `author`: the PR author; `invoker`: the agent's invoker;
 *   `contributor`: a human who authored or committed one of the PR's commits;
 * - `stale`: it approved an older commit than the head; `changes_requested`: the same reviewer requested changes after it;
 * - `permission`: too little repository permission; `not_in_group`: not one of the users or teams the policy lists;
 * - `edited`: its comment was edited; `disabled`: approval by command is off (`commands.approve.enabled: false`);
 * - `expired`: a time-bound override past its expiry.
 */
export type NotCountedKind =
  | "bot"
  | "author"
  | "invoker"
  | "contributor"
  | "stale"
  | "changes_requested"
  | "permission"
  | "not_in_group"
  | "edited"
  | "disabled"
  | "expired";

/** An approval, or an override, that did not count, and why (`notCounted`). */
export interface RefusedApproval {
  login: string;
  via: "review" | "command";
  /** Absent: an approval. */
  action?: "override";
  commit: string | null;
  at: string | null;
  kind: NotCountedKind;
  /** Why, in words: "an agent account (OpenHands)", "the PR author", "stale: the head is now `abc1234`", … */
  reason: string;
}

export interface Override {
  login: string;
  commit: string;
  at: string;
  reason: string;
  comment_id: number;
  /** The head it now applies to, when it was given on an earlier commit and carried over (`scope: until_governed_push`). */
  carried_to?: string;
  /**
   * When it stops applying (ISO): `at` plus the duration written first (`/governance override 7d <reason>`), at most
   * `commands.override.max_duration`, which is also the duration of one given without. Absent: it does not expire.
   */
  expires_at?: string;
}

export interface Evaluation {
  agent: AgentVerdict;
  mode: "enforce" | "report";
  outcome: Outcome;
  conclusion: Conclusion;
  /** A few words, used as the check run's title. */
  title: string;
  rules: RuleResult[];
  required: Requirement[];
  approvals: Approval[];
  /**
   * Each review approval, `/governance approve` and override on the PR that did not count, with
   * why (`kind`, and `reason` in words), oldest first: one per person and way (their latest), so a
   * reviewer sees why the PR still waits. Set when the policy governs the PR.
   */
  refused?: RefusedApproval[];
  overrides: Override[];
  head_sha: string;
  evaluated_at: string;
}
