/**
 * Compliance rules: each off unless configured, each with a message that says
 * what is wrong and a `fix` that says how to put it right. Pure.
 */
import type { Policy } from "../config/schema.js";
import { didYouMean } from "../config/words.js";
import { AGENTS } from "../detect/agents.js";
import type { CheckFacts, CommitFacts, PullFacts, RuleResult } from "../types.js";
import { attestationProblems } from "./attestation.js";
import { displayName, filesMatching, listNames, pathMatcher } from "./globs.js";
import { addedLines, hasMissingPatch } from "./patch.js";
import type { PathGroup } from "./paths.js";
import { patternMatches } from "./pattern.js";
import { findSecrets, redactSecrets, unscannedFiles } from "./secrets.js";
import { verifiedLinkedIssueRule } from "./linked-issue.js";
import { installScriptsRule } from "./supply-chain.js";
import { workflowRiskRule } from "./workflow-risk.js";
import { changesTests } from "./test-weakening.js";

type Compliance = Policy["compliance"];
type Rule = (c: Compliance, facts: PullFacts, policy: Policy) => RuleResult | null;

const short = (sha: string) => sha.slice(0, 7);
const isMerge = (c: CommitFacts) => (c.parents?.length ?? 1) > 1;
/** A commit's subject for a message: secrets masked before it is cut (a cut token no longer looks like one). */
const firstLine = (message: string) => redactSecrets(message.split("\n", 1)[0]!.slice(0, 1000)).slice(0, 72);
const commitList = (cs: readonly CommitFacts[]) =>
  listNames(cs.map((c) => `${short(c.sha)} ${firstLine(c.commit.message)}`.replace(/`/g, "'")), 5);

/** Commits GitHub counts on the PR but did not list (it lists the first 250 only), or 0. */
export function unlistedCommits(facts: PullFacts): number {
  const total = facts.pull.commits;
  return typeof total === "number" && total > facts.commits.length ? total - facts.commits.length : 0;
}

/**
 * GitHub lists at most the first 250 commits of a PR. When it reports more than
 * it listed, the commit rules, the contributors who may not approve and the
 * commit each command was given on cannot be known, so the PR cannot pass
 * (like `paths.incomplete` for files).
 */
export function incompleteCommitsRule(facts: PullFacts): RuleResult | null {
  const missing = unlistedCommits(facts);
  if (missing === 0) return null;
  return {
    id: "commits.incomplete",
    status: "fail",
    message:
      `GitHub lists only the first 250 commits of a PR; it reports ${facts.pull.commits} commits but listed ${facts.commits.length}. ` +
      `The commit rules (signatures, sign-offs, AI disclosure) and the list of commit authors, who may not approve, cannot see the other ${missing}, ` +
      "and a `/governance` command cannot be tied to a commit, so `/governance approve` and `/governance override` do not count.",
    fix: "Squash the commits (or rebase them into fewer than 250) and force-push, or split the change into smaller PRs.",
  };
}

/**
 * Other open PRs with the same head commit share its check run (GitHub keeps one per commit and name), so
 * whichever PR was evaluated last would speak for all of them, across bases and diffs: none passes.
 */
export function sharedHeadRule(facts: PullFacts): RuleResult | null {
  const others = facts.shared_head ?? [];
  if (others.length === 0) return null;
  const list = others.slice(0, 10).map((n) => `#${n}`).join(", ") + (others.length > 10 ? ` and ${others.length - 10} more` : "");
  return {
    id: "head.shared",
    status: "fail",
    message:
      `The head commit \`${facts.pull.head.sha.slice(0, 7)}\` is also the head of ${list}. GitHub keeps one check run per commit, ` +
      "so this check would say the same for every PR with this head, whatever their bases, changes and approvals; no override applies.",
    fix: "Close the other PR (this one is then evaluated again), or push a distinct commit to one of them (an empty commit will do) and `/governance recheck` the other.",
  };
}

/** The PR description without HTML comments (template hints), trimmed. */
export function bodyText(body: string | null | undefined): string {
  return (body ?? "").replace(/<!--[\s\S]*?(-->|$)/g, "").trim();
}

/**
 * `#12`, `owner/repo#12`, an `…/issues/12` URL or a Jira `…/browse/KEY-1` URL.
 * Linear in the text: an `owner/repo#12` is tried only from the first word of
 * a run of name characters (from any later one it would fail the same way),
 * and a Jira URL's path is matched segment by segment, so no start re-scans
 * what an earlier one scanned.
 */
const ISSUE_REF =
  /(?:^|[^\w/&])#\d+\b|\b(?<=(?:^|[^\w.-])[.-]*)[\w.-]+\/[\w.-]+#\d+\b|https?:\/\/[^\s/]+\/[\w.-]+\/[\w.-]+\/issues\/\d+|\bhttps?:\/\/[^\s/]+(?:\/[^\s/]+)*\/browse\/[A-Z][A-Z0-9]+-\d+/;

/** The first issue reference in `text`, or null. */
export function issueRef(text: string): string | null {
  return ISSUE_REF.exec(text)?.[0].trim() ?? null;
}

const linkedIssue: Rule = (c, facts) => {
  if (!c.linked_issue) return null;
  const ref = issueRef(`${facts.pull.title}\n${bodyText(facts.pull.body)}`);
  if (c.linked_issue === "verified") return verifiedLinkedIssueRule(facts, ref);
  if (ref !== null) return { id: "compliance.linked_issue", status: "pass", message: `Links an issue (${ref}).` };
  return {
    id: "compliance.linked_issue",
    status: "fail",
    message: "The PR links no issue.",
    fix: "Add `Fixes #123` (or `owner/repo#123`, or the issue's URL) to the description.",
  };
};

const testsWithCode: Rule = (c, facts) => {
  const t = c.tests_with_code;
  if (!t) return null;
  const live = facts.files.filter((f) => f.status !== "removed");
  const isTest = pathMatcher(t.tests);
  const tests = live.filter((f) => isTest(f.filename));
  const code = filesMatching(live, t.code).filter((f) => !isTest(f.filename));
  if (code.length === 0) return { id: "compliance.tests_with_code", status: "pass", message: "No code files changed." };
  // Skipping, focusing or deleting tests, or asserting nothing, is not a test change.
  const changed = tests.filter(changesTests);
  if (changed.length > 0) {
    return { id: "compliance.tests_with_code", status: "pass", message: `Code and tests changed together (${listNames(changed.map(displayName), 3)}).` };
  }
  return {
    id: "compliance.tests_with_code",
    status: "fail",
    message: `Code changed (${listNames(code.map(displayName), 5)}) but ${tests.length ? `the test files only skip, focus or drop tests (${listNames(tests.map(displayName), 3)})` : "no test file changed"}.`,
    fix: `Add or update tests matching ${listNames(t.tests, 5)}.`,
    locations: code.map((f) => ({ path: f.filename, message: "Code changed without a test change." })),
  };
};

const signedCommits: Rule = (c, facts) => {
  if (!c.signed_commits) return null;
  const unsigned = facts.commits.filter((x) => x.commit.verification?.verified !== true);
  if (unsigned.length === 0) {
    return { id: "compliance.signed_commits", status: "pass", message: `All ${facts.commits.length} commits are verified.` };
  }
  const reasons = [...new Set(unsigned.map((x) => x.commit.verification?.reason ?? "unsigned"))].join(", ");
  return {
    id: "compliance.signed_commits",
    status: "fail",
    message: `${unsigned.length} of ${facts.commits.length} commits are not verified (${reasons}): ${commitList(unsigned)}.`,
    fix: "Sign the commits (`git commit -S`, or SSH signing) with a key added to the author's GitHub account, then force-push.",
  };
};

const SIGN_OFF = /^Signed-off-by:(.*)$/gim;

/**
 * The e-mail addresses of the `Signed-off-by: Name <email>` lines of a commit
 * message: the `<…>` that ends the line (spaces and tabs after it allowed).
 * Plain string code, not one regex: the name part before `<` made the regex
 * try every split of a long line (cubic in its length).
 */
export function signOffEmails(message: string): string[] {
  const out: string[] = [];
  for (const m of message.matchAll(SIGN_OFF)) {
    const line = m[1]!;
    let end = line.length;
    while (end > 0 && (line[end - 1] === " " || line[end - 1] === "\t")) end--;
    if (line[end - 1] !== ">") continue;
    // The first `<` after any earlier `>`: the address holds no `>`, and at least one character.
    const open = line.indexOf("<", line.lastIndexOf(">", end - 2) + 1);
    if (open >= 0 && open < end - 2) out.push(line.slice(open + 1, end - 1));
  }
  return out;
}

/** Does the commit carry a sign-off matching its author (by e-mail, or any sign-off when the e-mail is unknown)? */
export function signedOff(c: CommitFacts): boolean {
  const email = c.commit.author?.email?.toLowerCase();
  return signOffEmails(c.commit.message).some((e) => !email || e.trim().toLowerCase() === email);
}

const dco: Rule = (c, facts) => {
  if (!c.dco) return null;
  const missing = facts.commits.filter((x) => !isMerge(x) && !signedOff(x));
  if (missing.length === 0) return { id: "compliance.dco", status: "pass", message: "Every commit is signed off by its author." };
  return {
    id: "compliance.dco",
    status: "fail",
    message: `${missing.length} commit${missing.length === 1 ? " lacks" : "s lack"} a \`Signed-off-by:\` matching the author: ${commitList(missing)}.`,
    fix: `Sign off every commit (\`git rebase --signoff HEAD~${facts.commits.length}\`, or \`git commit -s\`), then force-push.`,
  };
};

type CheckState = "pass" | "fail" | "pending";

const isStatus = (ch: CheckFacts) => ch.state !== undefined && ch.state !== null && ch.status === undefined;

function checkState(ch: CheckFacts): { state: CheckState; detail: string } {
  if (isStatus(ch)) {
    const s = (ch.state ?? "").toLowerCase();
    return { state: s === "success" ? "pass" : s === "pending" ? "pending" : "fail", detail: s };
  }
  if (ch.status && ch.status !== "completed") return { state: "pending", detail: ch.status };
  const concl = (ch.conclusion ?? "").toLowerCase();
  if (["success", "neutral", "skipped"].includes(concl)) return { state: "pass", detail: concl };
  return { state: concl ? "fail" : "pending", detail: concl || "no result" };
}

/**
 * The reports of one name that are current: every check run listed, and the
 * newest commit status. GitHub's list (`filter=latest`) already drops re-runs
 * superseded within a check suite, but one app can have a run of the name in
 * each of several suites (two workflows with a job of that name, or one
 * started again by another event), in no documented order: picking one would
 * let a success hide a failure. Statuses are listed newest first (after the
 * runs), so the first status is the current one.
 */
function currentReports(reports: CheckFacts[]): CheckFacts[] {
  let status = false;
  const current = reports.filter((ch) => !isStatus(ch) || (!status && (status = true)));
  // A run cancelled beside another run of the same app (a workflow's concurrency group cancelling the older
  // one) was superseded; a completed run cannot be cancelled afterwards, so this never hides a failure.
  const cancelled = (ch: CheckFacts) => !isStatus(ch) && ch.conclusion?.toLowerCase() === "cancelled";
  return current.filter((ch) => !cancelled(ch) || !current.some((o) => !isStatus(o) && !cancelled(o) && o.app === ch.app));
}

/** Who reported a check, for a message: `github-actions`, a commit status by `ci-bot`, a commit status. */
function sourceOf(ch: CheckFacts): string {
  if (!isStatus(ch)) return ch.app ? `\`${ch.app}\`` : "a check run";
  return ch.app ? `a commit status by \`${ch.app}\`` : "a commit status";
}

const requiredChecks: Rule = (c, facts, policy) => {
  const required = c.required_checks.filter((r) => r.name !== policy.escalation.check_name);
  if (required.length === 0) return null;
  const head = facts.pull.head.sha;
  const reported = (facts.checks ?? []).filter((ch) => !ch.head_sha || ch.head_sha === head);
  const failed: string[] = [];
  const waiting: string[] = [];
  let mixed = false; // a failing name has reports from more than one source
  let elsewhere = false; // a pinned name is reported only by sources that do not count
  for (const { name, app } of required) {
    const label = app ? `\`${name}\` from \`${app}\`` : `\`${name}\``;
    const named = reported.filter((x) => x.name === name);
    // Every current report of the name must pass: a success from one source never hides another's failure.
    const current = currentReports(app ? named.filter((x) => x.app === app) : named);
    if (current.length === 0) {
      const others = [...new Set(named.map(sourceOf))];
      const hint = others.length ? null : didYouMean(name, [...new Set(reported.map((x) => x.name))]);
      waiting.push(`${label} (${others.length ? `reported only by ${others.join(", ")}, which do not count` : "not reported"}${hint ? `; did you mean \`${hint}\`?` : ""})`);
      elsewhere ||= others.length > 0;
      continue;
    }
    const states = current.map((ch) => ({ ...checkState(ch), from: current.length > 1 ? ` from ${sourceOf(ch)}` : "" }));
    const describe = (state: CheckState) =>
      states
        .filter((s) => s.state === state)
        .map((s) => `${s.detail}${s.from}`)
        .join("; ");
    if (states.some((s) => s.state === "fail")) {
      failed.push(`${label} (${describe("fail")})`);
      mixed ||= new Set(current.map(sourceOf)).size > 1;
    }
    else if (states.some((s) => s.state === "pending")) waiting.push(`${label} (${describe("pending")})`);
  }
  if (failed.length > 0) {
    return {
      id: "compliance.required_checks",
      status: "fail",
      message: `Required checks failed on ${short(head)}: ${failed.join(", ")}${waiting.length ? `; still waiting for ${waiting.join(", ")}` : ""}.`,
      fix: `Fix the failures and push, or re-run the checks if they were flaky.${mixed ? " Where a source that should not count reports the same name, name the one that counts: `{ name, app }` in `compliance.required_checks`." : ""}`,
    };
  }
  if (waiting.length > 0) {
    return {
      id: "compliance.required_checks",
      status: "pending",
      message: `Waiting for required checks on ${short(head)}: ${waiting.join(", ")}.`,
      fix: `Wait for the checks to finish. A check that is never reported may be misnamed in \`compliance.required_checks\`${elsewhere ? ", or its `app` may not be the app that runs it (the slug in `github.com/apps/<slug>`)" : ""}.`,
    };
  }
  return {
    id: "compliance.required_checks",
    status: "pass",
    message: `Required checks passed: ${required.map(({ name, app }) => (app ? `\`${name}\` from \`${app}\`` : `\`${name}\``)).join(", ")}.`,
  };
};

const titlePattern: Rule = (c, facts) => {
  if (!c.title_pattern) return null;
  // Linear time, whatever the pattern: V8's own engine backtracks (`^\w+\s?\w+\s?\w+\s?\w+:` took ~30 s on a 200-character title).
  const ok = patternMatches(c.title_pattern, facts.pull.title.slice(0, 1000));
  if (ok) return { id: "compliance.title_pattern", status: "pass", message: "The title matches the required pattern." };
  return {
    id: "compliance.title_pattern",
    status: "fail",
    message: `The title \`${redactSecrets(facts.pull.title.slice(0, 1000)).slice(0, 200).replace(/`/g, "'")}\` does not match \`${c.title_pattern}\`.`,
    fix: "Edit the PR title to match the pattern.",
  };
};

const HEADING = /^ {0,3}#{1,6}[ \t]+(.*)$/gm;

/** `text` without trailing spaces, tabs and `#`s (a loop: a regex anchored at the end re-scans from every start). */
function trimClosing(text: string): string {
  let end = text.length;
  while (end > 0 && (text[end - 1] === " " || text[end - 1] === "\t" || text[end - 1] === "#")) end--;
  return text.slice(0, end);
}

/** The ATX headings of a Markdown text, without the closing `#`s: `## Testing ##` gives `Testing`. */
export function headings(text: string): string[] {
  return [...text.matchAll(HEADING)].map((m) => trimClosing(m[1]!));
}
const normalHeading = (s: string) => s.replace(/^#+\s*/, "").replace(/[*_`:]/g, "").trim().toLowerCase();

const body: Rule = (c, facts) => {
  if (!c.body || (c.body.min_length === undefined && !c.body.sections?.length && !c.body.checkboxes?.length && !c.body.fields?.length)) return null;
  const text = bodyText(facts.pull.body);
  const problems: string[] = [];
  if (c.body.min_length !== undefined && text.length < c.body.min_length) {
    problems.push(`it has ${text.length} characters (at least ${c.body.min_length} needed)`);
  }
  if (c.body.sections?.length) {
    const have = new Set(headings(text).map(normalHeading));
    const missing = c.body.sections.filter((s) => !have.has(normalHeading(s)));
    if (missing.length) problems.push(`missing section${missing.length === 1 ? "" : "s"} ${missing.map((s) => `\`${s}\``).join(", ")}`);
  }
  problems.push(...attestationProblems(c.body, text));
  if (problems.length === 0) return { id: "compliance.body", status: "pass", message: "The description meets the requirements." };
  return {
    id: "compliance.body",
    status: "fail",
    message: `The description falls short: ${problems.join("; ")}.`,
    fix: `Edit the PR description${c.body.sections?.length ? `; add headings such as \`## ${c.body.sections[0]}\`` : ""}${c.body.checkboxes?.length ? `; tick \`- [x] ${c.body.checkboxes[0]}\` once it is true` : ""}${c.body.fields?.length ? `; answer \`${c.body.fields[0]}: …\`` : ""}.`,
  };
};

/** `compliance.body` alone: for a human PR with `compliance.body.humans`, which no other rule governs. */
export const bodyRule = (policy: Policy, facts: PullFacts): RuleResult | null => body(policy.compliance, facts, policy);

const noSecrets: Rule = (c, facts) => {
  if (!c.no_secrets) return null;
  const findings = findSecrets(facts.files);
  const unscanned = unscannedFiles(facts.files).map(displayName);
  const note = unscanned.length
    ? ` ${unscanned.length} file${unscanned.length === 1 ? " has" : "s have"} no patch to scan (binary or too large): ${listNames(unscanned, 5)}; a human must look at ${unscanned.length === 1 ? "it" : "them"} and approve (\`${UNSCANNED_RULE}\`).`
    : "";
  if (findings.length === 0) {
    return { id: "compliance.no_secrets", status: "pass", message: `No well-known secret formats in added lines.${note}` };
  }
  const where = findings.slice(0, 10).map((f) => `${f.kind} at \`${f.path}:${f.line}\``);
  return {
    id: "compliance.no_secrets",
    status: "fail",
    message: `Possible secrets added: ${where.join(", ")}${findings.length > 10 ? ` and ${findings.length - 10} more` : ""}.${note}`,
    fix: "Revoke and rotate each secret now (it is public to anyone who can read this PR), then remove it from every commit of the branch and force-push.",
    locations: findings.map((f) => ({ path: f.path, line: f.line, message: `Possible ${f.kind} added here; the value is not shown.` })),
  };
};

const DISCLOSURE_TRAILER = /^(assisted-by|generated-by|ai-assisted|co-authored-by)[ \t]*:[ \t]*(.+)$/gim;
const AGENT_COAUTHOR = /copilot|claude|anthropic|openai|codex|cursor|devin|jules|gemini|aider|windsurf|\[bot\]/i;
/** The e-mail addresses the agent registry knows agents commit as. */
const AGENT_EMAILS = AGENTS.flatMap((a) => a.emails ?? []).map((e) => e.toLowerCase());

/** Does the commit message carry an AI-disclosure trailer? A co-author counts when it names an agent. */
export function disclosesAi(message: string, ownTrailers: readonly string[] = []): boolean {
  const own = ownTrailers.map((t) => t.toLowerCase());
  for (const m of message.matchAll(DISCLOSURE_TRAILER)) {
    if (m[1]!.toLowerCase() !== "co-authored-by") return true;
    const value = m[2]!.toLowerCase();
    if (AGENT_COAUTHOR.test(value) || [...AGENT_EMAILS, ...own].some((t) => value.includes(t))) return true;
  }
  return false;
}

const aiDisclosure: Rule = (c, facts, policy) => {
  if (!c.ai_disclosure) return null;
  const commits = facts.commits.filter((x) => !isMerge(x));
  const disclosing = (x: CommitFacts) => disclosesAi(x.commit.message, policy.agents.also.trailers);
  if (c.ai_disclosure === "required") {
    const missing = commits.filter((x) => !disclosing(x));
    if (missing.length === 0) return { id: "compliance.ai_disclosure", status: "pass", message: "Every commit discloses AI assistance." };
    return {
      id: "compliance.ai_disclosure",
      status: "fail",
      message: `${missing.length} commit${missing.length === 1 ? " does" : "s do"} not disclose AI assistance: ${commitList(missing)}.`,
      fix: "Add a trailer such as `Assisted-by: <agent>` or `Co-authored-by: <agent> <email>` to each commit message, then force-push.",
    };
  }
  const found = commits.filter(disclosing);
  if (found.length === 0) return { id: "compliance.ai_disclosure", status: "pass", message: "No commit carries an AI-disclosure trailer." };
  return {
    id: "compliance.ai_disclosure",
    status: "fail",
    message: `${found.length} commit${found.length === 1 ? " carries" : "s carry"} an AI-disclosure trailer, which this repository does not allow: ${commitList(found)}.`,
    fix: "Remove the `Assisted-by:` / agent `Co-authored-by:` trailers from the commit messages, then force-push.",
  };
};

/** The finding rules' results (a group to approve instead is planned by `evaluate`): from their own modules. */
const installScripts: Rule = (_c, facts, policy) => installScriptsRule(policy, facts).rule;
const workflowRisk: Rule = (_c, facts, policy) => workflowRiskRule(policy, facts).rule;

const RULES: readonly Rule[] = [linkedIssue, testsWithCode, signedCommits, dco, requiredChecks, titlePattern, body, noSecrets, installScripts, workflowRisk, aiDisclosure];

export function complianceRules(policy: Policy, facts: PullFacts): RuleResult[] {
  return RULES.map((rule) => rule(policy.compliance, facts, policy)).filter((r): r is RuleResult => r !== null);
}

/** The rule id of the approval that files the secret scan could not read need. */
export const UNSCANNED_RULE = "compliance.no_secrets.unscanned";

/**
 * With `no_secrets`, files the scan could not read (no patch: binary, or too large)
 * fail closed: they need an approval, from the people who may approve the PR
 * (`reviewers.from`), on the head commit, whatever `reviewers.required` says
 * (so also under an override that sets it to 0).
 */
export function unscannedGroup(policy: Policy, facts: PullFacts): PathGroup | null {
  if (!policy.compliance.no_secrets) return null;
  const files = unscannedFiles(facts.files);
  if (files.length === 0) return null;
  return {
    rule: UNSCANNED_RULE,
    label: "files the secret scan could not read",
    required: 1,
    set: policy.reviewers.from,
    files: files.map((f) => f.filename),
    names: files.map(displayName),
  };
}
