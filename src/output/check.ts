/** Plans the check run for an Evaluation: pure, the exact body sent to GitHub. */
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

export interface CheckRunPlan {
  name: string;
  head_sha: string;
  status: "completed";
  conclusion: Evaluation["conclusion"];
  details_url?: string;
  output: { title: string; summary: string; annotations?: Annotation[] };
}

/** GitHub caps a check run's text fields at 65,535 characters. */
export const MAX_SUMMARY = 65_000;
/** The Checks API takes at most 50 annotations per request. */
export const MAX_ANNOTATIONS = 50;

export function planCheckRun(e: Evaluation, opts: { name: string; detailsUrl?: string }): CheckRunPlan {
  let summary = renderSummary(e);
  if (summary.length > MAX_SUMMARY) summary = `${summary.slice(0, MAX_SUMMARY)}\n\n… (truncated)`;
  const annotations = e.rules
    .filter((r) => r.status === "fail" || r.status === "pending")
    .flatMap((r) =>
      (r.locations ?? []).map((l: Location) => ({
        path: l.path,
        start_line: l.line ?? 1,
        end_line: l.line ?? 1,
        annotation_level: r.status === "fail" ? ("failure" as const) : ("warning" as const),
        title: r.id,
        message: l.message ?? r.message,
      })),
    )
    .slice(0, MAX_ANNOTATIONS);
  const plan: CheckRunPlan = {
    name: opts.name,
    head_sha: e.head_sha,
    status: "completed",
    conclusion: e.conclusion,
    output: { title: e.title, summary, ...(annotations.length ? { annotations } : {}) },
  };
  // action_required needs a details_url where the action can be taken: the PR itself.
  if (opts.detailsUrl) plan.details_url = opts.detailsUrl;
  return plan;
}
