/**
 * `compliance.linked_issue: verified`: the PR names its issue with a linking
 * word (`Fixes #12`, `Refs #12`, `Part of #12`) or the issue's URL, in this repository, and
 * the issue as GitHub has it (`PullFacts.linked_issues`, one read) exists, is
 * an issue rather than a pull request, and is open. A `#2` in prose does not
 * count. Pure.
 */
import type { Policy } from "../config/schema.js";
import type { PullFacts, RuleResult } from "../types.js";

const ID = "compliance.linked_issue";

/**
 * A linking word before the reference: GitHub's closing keywords (`Fixes #12`, `closes: owner/repo#12`), or
 * one that names an issue without closing it (`Refs #12`, `Related to #12`, `Part of #12`, `Addresses #12`,
 * `Implements #12`, `Issue #12`); or an issue URL anywhere. Each match starts at a word or at `http`, and its parts are runs of
 * name characters ended by a fixed character, so the scan is linear in the text.
 */
const CLOSING = /\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?|refs?|references?|relate[sd][ \t]+to|part[ \t]+of|address(?:e[sd])?|implement(?:s|ed)?|issue)\b:?[ \t]+(?:(?:([\w.-]+)\/([\w.-]+))?#(\d+)\b|https?:\/\/[^\s/]+\/([\w.-]+)\/([\w.-]+)\/issues\/(\d+)\b)|https?:\/\/[^\s/]+\/([\w.-]+)\/([\w.-]+)\/issues\/(\d+)\b/gi;

/** The repository a PR belongs to (`owner/repo`, lower case): its base repository, else its URL's; null when unknown. */
export function pullRepo(pull: PullFacts["pull"]): string | null {
  const full = pull.base.repo?.full_name ?? /^https?:\/\/[^/]+\/([^/]+\/[^/]+)\/pull\/\d+/.exec(pull.html_url ?? "")?.[1];
  return full ? full.toLowerCase() : null;
}

/**
 * The first issue of this repository the text links with a linking word or a URL, or null. An `owner/repo`
 * (in a reference or a URL) must be this repository's; when that is unknown, only `#12` counts.
 */
export function linkedIssueNumber(text: string, repo: string | null): number | null {
  return linkedIssueNumbers(text, repo, 1)[0] ?? null;
}

/** Every issue of this repository the text links so (as `linkedIssueNumber` reads a link), in order, without repeats, at most `max`. */
export function linkedIssueNumbers(text: string, repo: string | null, max = 20): number[] {
  const out: number[] = [];
  for (const m of text.slice(0, 100_000).matchAll(CLOSING)) {
    const owner = m[1] ?? m[4] ?? m[7];
    const name = m[2] ?? m[5] ?? m[8];
    const number = Number(m[3] ?? m[6] ?? m[9]);
    const here = owner === undefined || (repo !== null && `${owner}/${name}`.toLowerCase() === repo);
    if (here && !out.includes(number)) out.push(number);
    if (out.length >= max) break;
  }
  return out;
}

/** The text a PR links its issue in: the title and the description, without HTML comments (template hints). */
export const linkText = (pull: PullFacts["pull"]) => `${pull.title}\n${(pull.body ?? "").replace(/<!--[\s\S]*?(-->|$)/g, "")}`;

/** The issue number `linked_issue: verified` needs read for this PR, or null (off, or nothing to read). */
export function issueToVerify(policy: Policy, facts: PullFacts): number | null {
  if (policy.compliance.linked_issue !== "verified") return null;
  return linkedIssueNumber(linkText(facts.pull), pullRepo(facts.pull));
}

/** `compliance.linked_issue: verified`, from the issue as read into the facts. */
export function verifiedLinkedIssueRule(facts: PullFacts, loose: string | null): RuleResult {
  const number = linkedIssueNumber(linkText(facts.pull), pullRepo(facts.pull));
  const fix = "Write `Fixes #123` (or `Closes`, `Refs`, `Part of`, or the issue's URL) in the description, naming an open issue of this repository.";
  if (number === null) {
    const mention = loose ? ` It mentions \`${loose.replace(/`/g, "'")}\`, which does not count: links are verified, so only a reference after a linking word (\`Fixes\`, \`Refs\`, \`Part of\`, …) or an issue URL of this repository does.` : "";
    return { id: ID, status: "fail", message: `The PR links no issue of this repository with a linking word (\`Fixes #123\`, \`Refs #123\`) or the issue's URL.${mention}`, fix };
  }
  const issue = facts.linked_issues?.[String(number)];
  if (issue === undefined) {
    return {
      id: ID,
      status: "pending",
      message: `Links #${number}; that it is an open issue of this repository is checked when the app evaluates the PR (these facts carry no \`linked_issues\`).`,
      fix: `Nothing to change if #${number} is an open issue here.`,
    };
  }
  const problem =
    issue === null
      ? `#${number} does not exist in this repository`
      : issue.pull_request
        ? `#${number} is a pull request, not an issue`
        : issue.html_url && !sameRepo(issue.html_url, facts)
          ? `#${number} was moved to another repository (${issue.html_url})`
          : issue.state !== "open"
            ? `#${number} is ${issue.state}`
            : null;
  if (problem) return { id: ID, status: "fail", message: `The linked issue does not count: ${problem}.`, fix };
  return { id: ID, status: "pass", message: `Links open issue #${number}.` };
}

/** Is the issue's URL in this PR's repository (true when the repository is unknown)? */
function sameRepo(url: string, facts: PullFacts): boolean {
  const repo = pullRepo(facts.pull);
  const at = /^https?:\/\/[^/]+\/([^/]+\/[^/]+)\/(issues|pull)\/\d+/.exec(url)?.[1];
  return repo === null || at === undefined || at.toLowerCase() === repo;
}
