/**
 * A name GitHub's URLs cannot carry (a lone surrogate, as a mutated payload may hold): Octokit's paginate throws
 * at once while building the first URL, where the other requests reject. Every read of a wave must still end
 * handled: the evaluation fails (and is retried), and no rejection is left unhandled, which would stop the server.
 */
import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import examples from "@octokit/webhooks-examples";
import { clearCaches, gatherFacts, type GitHub } from "../../src/github/facts.js";
import { INSTALLATION_ID, mockToken, pullObject, receive, setupApp, teardown } from "../helpers/app.js";

const gh = () => new ProbotOctokit({ auth: { token: "t" }, retry: { enabled: false }, throttle: { enabled: false } } as never) as unknown as GitHub;
const BAD = { owner: "octo\uD800", repo: "web" };

const unhandled: unknown[] = [];
const onUnhandled = (err: unknown) => unhandled.push(err);
beforeEach(() => {
  nock.disableNetConnect();
  clearCaches();
  unhandled.length = 0;
  process.on("unhandledRejection", onUnhandled);
});
afterEach(() => {
  process.off("unhandledRejection", onUnhandled);
  teardown();
});

/** Lets Node report what rejected without a handler. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe("a name Octokit cannot put in a URL", () => {
  it("gathering a PR's facts rejects with the URIError, and leaves no read of its wave unhandled", async () => {
    await expect(gatherFacts(gh(), BAD, 2, { hint: pullObject() as never })).rejects.toThrow(URIError);
    await settle();
    expect(unhandled).toEqual([]);
  });

  it("`/governance help` on such a repository: the policy read beside the comment list is not left unhandled", async () => {
    const app = setupApp();
    mockToken();
    const group = (examples as unknown as { name: string; examples: Record<string, unknown>[] }[]).find((e) => e.name === "issue_comment")!;
    const payload = structuredClone(group.examples.find((x) => x.action === "created")!) as Record<string, any>;
    payload.installation = { id: INSTALLATION_ID };
    payload.issue.number = 2;
    payload.issue.pull_request = { url: "https://api.github.com/repos/Codertocat/Hello-World/pulls/2" };
    payload.comment.body = "/governance help";
    payload.repository.name = BAD.owner;
    await receive(app, "issue_comment", payload);
    await settle();
    expect(unhandled).toEqual([]);
    // The command fails as a GitHub error does: said in the log, and the PR evaluated again (retried later).
    expect(app.logs.find((l) => l.msg === "command could not be answered; re-evaluating")).toMatchObject({ decision: "error", err: { message: "URI malformed" } });
    expect(app.logs.some((l) => l.decision === "retry_scheduled")).toBe(true);
  });
});
