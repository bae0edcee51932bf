/**
 * Prometheus metrics (prom-client), served at `/metrics`.
 *
 * One registry for the process. The shell records into it: the pull request
 * handlers (`recordEvaluation`, `recordPullOpened`, `recordFirstReview`), the escalation planner
 * (`recordEscalations`), the command handler (`recordCommand`), and every GitHub
 * request through the Octokit plugin `githubRequestMetrics`. Label values are
 * bounded (agent ids, outcomes, tiers, command kinds, HTTP methods and
 * statuses): never a repository, a login or a URL.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Evaluation, PullFacts } from "./types.js";
import { agentLabels } from "./audit.js";

export const metricsRegistry = new Registry();

const evaluations = new Counter({
  name: "agent_governance_evaluations_total",
  help: "Pull request evaluations, by detected agent (none for human PRs; a PR with several agents counts under each) and outcome.",
  labelNames: ["agent", "outcome"] as const,
  registers: [metricsRegistry],
});

const agentPulls = new Counter({
  name: "agent_governance_agent_pull_requests_total",
  help: "Agent-authored pull requests opened, by agent (a PR with several agents counts under each).",
  labelNames: ["agent"] as const,
  registers: [metricsRegistry],
});

const evaluationSeconds = new Histogram({
  name: "agent_governance_evaluation_duration_seconds",
  help: "Time to evaluate one pull request, from the event to the check run written (GitHub reads included).",
  labelNames: ["outcome"] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [metricsRegistry],
});

const firstReviewSeconds = new Histogram({
  name: "agent_governance_time_to_first_review_seconds",
  help: "Time from a pull request being opened to its first review by a human other than the author.",
  labelNames: ["agent"] as const,
  buckets: [300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 172800, 604800],
  registers: [metricsRegistry],
});

const escalations = new Counter({
  name: "agent_governance_escalations_total",
  help: "Escalation tiers reached (people notified), by tier number (1 = first tier).",
  labelNames: ["tier"] as const,
  registers: [metricsRegistry],
});

const commands = new Counter({
  name: "agent_governance_commands_total",
  help: "Reviewer /governance commands, by kind (approve, override, …) and result (accepted, refused, not_counted, help, explain).",
  labelNames: ["command", "result"] as const,
  registers: [metricsRegistry],
});

const githubRequests = new Counter({
  name: "agent_governance_github_requests_total",
  help: "Requests to the GitHub API, by HTTP method and response status; `timeout` or `network` when no response arrived (after Octokit's retries), `error` when none was sent.",
  labelNames: ["method", "status"] as const,
  registers: [metricsRegistry],
});

const rateLimitRemaining = new Gauge({
  name: "agent_governance_github_rate_limit_remaining",
  help: "Requests left in the current GitHub rate-limit window, from the last response, by resource (core, graphql, …).",
  labelNames: ["resource"] as const,
  registers: [metricsRegistry],
});

let defaultsOn = false;
/** Adds Node's process metrics (memory, CPU, event loop lag) to the registry; idempotent. */
export function enableProcessMetrics(): void {
  if (defaultsOn) return;
  defaultsOn = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

/**
 * The labels for an evaluation's agents: every agent on the PR (a Copilot PR with a Claude-co-authored
 * commit counts under both), by registry id, or `none` for a PR no agent wrote.
 */
function agentLabelsOf(evaluation: Evaluation): string[] {
  const labels = agentLabels(evaluation);
  return labels.length ? labels : ["none"];
}

export interface EvaluationRun {
  /** How long the evaluation took, measured by the shell. */
  seconds: number;
}

/** Counts one evaluation by agent and outcome, and observes its duration. */
export function recordEvaluation(evaluation: Evaluation, run: EvaluationRun): void {
  for (const agent of agentLabelsOf(evaluation)) evaluations.inc({ agent, outcome: evaluation.outcome });
  evaluationSeconds.observe({ outcome: evaluation.outcome }, Math.max(0, run.seconds));
}

/** Counts a newly opened PR (a `pull_request.opened` event) when an agent wrote it. */
export function recordPullOpened(evaluation: Evaluation): void {
  if (evaluation.agent.detected) for (const agent of agentLabelsOf(evaluation)) agentPulls.inc({ agent });
}

/**
 * The first review of the PR by a human other than its author (bots and pending
 * reviews do not count), and the seconds from the PR's creation to it; null when
 * there is none or a time is missing. Pure.
 */
export function firstHumanReview(facts: PullFacts): { id: number; seconds: number } | null {
  const created = Date.parse(facts.pull.created_at ?? "");
  const author = facts.pull.user?.login?.toLowerCase();
  let first: { id: number; at: number } | null = null;
  for (const review of facts.reviews) {
    const user = review.user;
    if (!user || user.type === "Bot" || user.login.endsWith("[bot]") || user.login.toLowerCase() === author) continue;
    if (review.state === "PENDING") continue;
    const at = Date.parse(review.submitted_at ?? "");
    if (Number.isNaN(at)) continue;
    if (!first || at < first.at) first = { id: review.id, at };
  }
  if (!first || Number.isNaN(created)) return null;
  return { id: first.id, seconds: Math.max(0, (first.at - created) / 1000) };
}

/**
 * Observes time-to-first-review when `reviewId` (the review a webhook just
 * reported) is the PR's first human review, so each PR is observed once.
 */
export function recordFirstReview(facts: PullFacts, reviewId: number, evaluation?: Evaluation): boolean {
  const first = firstHumanReview(facts);
  if (!first || first.id !== reviewId) return false;
  for (const agent of evaluation ? agentLabelsOf(evaluation) : ["unknown"]) firstReviewSeconds.observe({ agent }, first.seconds);
  return true;
}

/** Counts the escalation tiers an evaluation notified, given as 0-based tier indexes (`newTiers`); labelled 1, 2, … */
export function recordEscalations(newTiers: readonly number[]): void {
  for (const index of newTiers) escalations.inc({ tier: String(index + 1) });
}

/** Counts one reviewer command by kind and result. */
export function recordCommand(command: string, result: string): void {
  commands.inc({ command, result });
}

type Headers = Record<string, string | number | undefined>;

function recordGithubResponse(method: string, status: number | string, headers: Headers | undefined): void {
  githubRequests.inc({ method: method.toUpperCase(), status: String(status) });
  const remaining = Number(headers?.["x-ratelimit-remaining"]);
  if (headers?.["x-ratelimit-remaining"] !== undefined && Number.isFinite(remaining)) {
    rateLimitRemaining.set({ resource: String(headers["x-ratelimit-resource"] ?? "core") }, remaining);
  }
}

/**
 * The `status` label of a failed request: GitHub's HTTP status when it answered;
 * `timeout` when the request ran out of `GITHUB_REQUEST_TIMEOUT_MS`; `network`
 * when no answer came at all (DNS, refused or reset connection, TLS). Octokit
 * reports the last two as status 500 without a response: they are not GitHub's 500s.
 */
export function failedRequestStatus(error: unknown): number | "timeout" | "network" | "error" {
  const e = error as { status?: unknown; response?: unknown; request?: unknown; name?: string; cause?: { name?: string } } | null;
  if (!e || typeof e !== "object") return "error";
  if (e.response !== undefined && typeof e.status === "number") return e.status;
  if (e.name === "TimeoutError" || e.cause?.name === "TimeoutError") return "timeout";
  if (e.request !== undefined || e.name === "AbortError") return "network";
  return "error"; // failed before a request was sent (e.g. signing the app's token)
}

/** The part of an Octokit instance the plugin uses. */
interface HookedOctokit {
  hook: {
    after(name: "request", fn: (response: { status: number; headers: Headers }, options: { method: string }) => void): void;
    error(name: "request", fn: (error: Error, options: { method: string }) => never): void;
  };
}

/**
 * An Octokit plugin: counts every GitHub request by method and status and keeps
 * the rate-limit gauge current. Use as `ProbotOctokit.plugin(githubRequestMetrics)`.
 */
export function githubRequestMetrics(octokit: HookedOctokit): void {
  octokit.hook.after("request", (response, options) => {
    recordGithubResponse(options.method, response.status, response.headers);
  });
  octokit.hook.error("request", (error, options) => {
    const e = error as Error & { response?: { headers?: Headers } };
    recordGithubResponse(options.method, failedRequestStatus(error), e.response?.headers);
    throw error;
  });
}

/** The registry in Prometheus text format, and its content type. */
export async function metricsText(): Promise<{ contentType: string; body: string }> {
  return { contentType: metricsRegistry.contentType, body: await metricsRegistry.metrics() };
}
