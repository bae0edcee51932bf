/** Plans the check run for an Evaluation: pure, the exact body sent to GitHub. */
import type { Policy } from "../config/schema.js";
import { redactSecrets } from "../policy/secrets.js";
import type { Evaluation, Location } from "../types.js";
import { renderSummary } from "./summary.js";

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "failure" | "warning" | "notice";
  message: string;
  title?: string;
}

export interface CheckRunAction {
  label: string;
  description: string;
  identifier: string;
}

export interface CheckRunPlan {
  name: string;
  head_sha: string;
  status: "completed";
  conclusion: Evaluation["conclusion"];
  details_url?: string;
  /** `text` holds only the app's sealed ledger, a hidden line (src/output/ledger.ts). */
  output: { title: string; summary: string; text?: string; annotations?: Annotation[] };
  actions: CheckRunAction[];
}

/** The check run's "Re-check" button; `check_run.requested_action` with this identifier re-evaluates. */
export const RECHECK_ACTION: CheckRunAction = { label: "Re-check", description: "Evaluate this PR again now", identifier: "recheck" };

/** GitHub caps a check run's text fields at 65,535 characters. */
export const MAX_SUMMARY = 65_000;
/** The Checks API takes at most 50 annotations per request. */
export const MAX_ANNOTATIONS = 50;

/** A summary within GitHub's cap. */
const clip = (summary: string) => (summary.length > MAX_SUMMARY ? `${summary.slice(0, MAX_SUMMARY)}\n\n… (truncated)` : summary);

/** GitHub takes whole line numbers from 1; a patch without a usable hunk header can say 0. */
const annotationLine = (line: number | undefined) => (line !== undefined && Number.isSafeInteger(line) && line >= 1 ? line : 1);

/**
 * The check run for `e`. `notes` are problems met while applying the other outputs
 * (a refused review request), shown at the end of the summary. Annotations go in
 * batches of 50: the first with the run, the rest in `annotationBatches`. Every
 * text in it has secrets redacted (`redactSecrets`), annotation paths included.
 */
export function planCheckRun(
  e: Evaluation,
  opts: { name: string; detailsUrl?: string; notes?: readonly string[]; commands?: Policy["commands"]; ledger?: string | undefined },
): CheckRunPlan & { annotationBatches: Annotation[][] } {
  let summary = renderSummary(e, opts.commands);
  if (opts.notes?.length) summary += `\n\n**Notes:**\n${opts.notes.map((n) => `- ${redactSecrets(n)}`).join("\n")}`;
  summary = clip(summary);
  const annotations = e.rules
    .filter((r) => r.status === "fail" || r.status === "pending")
    .flatMap((r) =>
      (r.locations ?? []).map((l: Location) => ({
        path: redactSecrets(l.path),
        start_line: annotationLine(l.line),
        end_line: annotationLine(l.line),
        annotation_level: r.status === "fail" ? ("failure" as const) : ("warning" as const),
        title: r.id,
        message: redactSecrets(l.message ?? r.message),
      })),
    )
    .slice(0, MAX_ANNOTATIONS * 10);
  const batches: Annotation[][] = [];
  for (let i = 0; i < annotations.length; i += MAX_ANNOTATIONS) batches.push(annotations.slice(i, i + MAX_ANNOTATIONS));
  const [first, ...rest] = batches;
  const plan: CheckRunPlan & { annotationBatches: Annotation[][] } = {
    name: opts.name,
    head_sha: e.head_sha,
    status: "completed",
    conclusion: e.conclusion,
    output: { title: redactSecrets(e.title), summary, ...(opts.ledger ? { text: opts.ledger } : {}), ...(first ? { annotations: first } : {}) },
    actions: [RECHECK_ACTION],
    annotationBatches: rest,
  };
  // action_required needs a details_url where the action can be taken: the PR itself.
  if (opts.detailsUrl) plan.details_url = opts.detailsUrl;
  return plan;
}

/** What the merge group's check is made from: the PR's evaluation, or why there is none. */
export type MergeGroupVerdict =
  | { kind: "evaluated"; number: number; evaluation: Evaluation; detailsUrl?: string; commands?: Policy["commands"] }
  | { kind: "closed"; number: number }
  | { kind: "error"; number: number; message: string }
  | { kind: "unknown_pull"; ref: string };

const short = (sha: string) => sha.slice(0, 7);

/**
 * The check run on a merge group's commit (GitHub's merge queue). A merge group
 * is the queued PR's changes on top of the base (and of the PRs ahead of it,
 * whose own groups are checked): it carries the PR's verdict, evaluated when
 * the group is made. A PR that would block gets `failure` (a merge group takes
 * no action, so never `action_required`), which takes it out of the queue;
 * anything the app cannot tie to an open, evaluated PR fails too, unless the
 * policy is in report mode (`opts.report`): then it is neutral.
 */
export function planMergeGroupCheck(sha: string, verdict: MergeGroupVerdict, name: string, opts: { report?: boolean } = {}): CheckRunPlan {
  // In report mode (the policy's, when the PR could not be evaluated) nothing blocks: neutral, as on the PR.
  const fail = (title: string, summary: string): CheckRunPlan =>
    opts.report
      ? { name, head_sha: sha, status: "completed", conclusion: "neutral", output: { title: `Report only: ${title}`, summary: `${summary}\n\n_Report mode: this check never blocks merging._` }, actions: [] }
      : { name, head_sha: sha, status: "completed", conclusion: "failure", output: { title, summary }, actions: [] };
  switch (verdict.kind) {
    case "unknown_pull":
      return fail(
        "Merge group of an unknown pull request",
        `The merge group's branch \`${redactSecrets(verdict.ref)}\` does not name a pull request (\`gh-readonly-queue/<base>/pr-<number>-<sha>\`), so the app cannot tell whose policy applies; it does not pass a merge group it cannot tie to a pull request.`,
      );
    case "closed":
      return fail(`#${verdict.number} is not open`, `Pull request #${verdict.number} is closed, so this merge group is not evaluated.`);
    case "error":
      return fail(
        `#${verdict.number}: Could not evaluate`,
        `Pull request #${verdict.number} could not be evaluated for this merge group: ${redactSecrets(verdict.message)}. The PR's own check is retried; add the PR to the merge queue again once it passes.`,
      );
    case "evaluated": {
      const e = verdict.evaluation;
      const plan: CheckRunPlan = {
        name,
        head_sha: sha,
        status: "completed",
        conclusion: e.conclusion === "action_required" ? "failure" : e.conclusion,
        output: {
          title: `#${verdict.number}: ${redactSecrets(e.title)}`,
          summary: clip(`This merge group queues pull request #${verdict.number} (head \`${short(e.head_sha)}\`), evaluated now:\n\n${renderSummary(e, verdict.commands)}`),
        },
        actions: [],
      };
      if (verdict.detailsUrl) plan.details_url = verdict.detailsUrl;
      return plan;
    }
  }
}
