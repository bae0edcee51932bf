/** The Probot app: maps events to handlers, nothing else. */
import type { ApplicationFunctionOptions, Probot } from "probot";
import { evaluatePull, type Deps } from "./handlers/pull.js";
import { handleComment, type CommentEvent } from "./handlers/comment.js";
import type { PullRequestFacts } from "./types.js";

export interface AppOptions {
  /** The clock; tests pass a fixed one. */
  now?: () => Date;
}

export function createApp(appOptions: AppOptions = {}) {
  const now = appOptions.now ?? (() => new Date());
  return (app: Probot, _options?: ApplicationFunctionOptions): void => {
    app.on(
      [
        "pull_request.opened",
        "pull_request.reopened",
        "pull_request.synchronize",
        "pull_request.ready_for_review",
        "pull_request.edited",
        "pull_request.labeled",
        "pull_request.unlabeled",
      ],
      async (context) => {
        const deps: Deps = { gh: context.octokit, log: context.log, now };
        const { owner, repo } = context.repo();
        const pull = context.payload.pull_request as unknown as PullRequestFacts;
        await evaluatePull(deps, { owner, repo, number: pull.number, pull, fresh: context.payload.action === "opened" });
      },
    );
    app.on(["pull_request_review.submitted", "pull_request_review.dismissed", "pull_request_review.edited"], async (context) => {
      const deps: Deps = { gh: context.octokit, log: context.log, now };
      const { owner, repo } = context.repo();
      const pull = context.payload.pull_request as unknown as PullRequestFacts;
      await evaluatePull(deps, { owner, repo, number: pull.number, pull });
    });
    app.on(["issue_comment.created", "issue_comment.edited", "issue_comment.deleted"], async (context) => {
      // Comments on plain issues are not ours to answer.
      if (!context.payload.issue.pull_request) return;
      const deps: Deps = { gh: context.octokit, log: context.log, now };
      const { owner, repo } = context.repo();
      await handleComment(deps, { owner, repo, number: context.payload.issue.number }, context.payload as unknown as CommentEvent);
    });
  };
}

export default createApp();
