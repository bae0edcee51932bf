/** The Octokit the server runs with retries a secondary rate limit after `retry-after` (Probot's own default gives up). */
import nock from "nock";
import { afterEach, expect, it } from "vitest";
import { MeteredOctokit } from "../../src/server/ops.js";

afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

it("retries a secondary rate limit once GitHub's retry-after has passed", async () => {
  nock.disableNetConnect();
  const warnings: unknown[] = [];
  const log = { debug() {}, info() {}, warn: (o: unknown) => warnings.push(o), error() {} };
  const gh = new MeteredOctokit({ auth: { token: "t" }, retry: { enabled: false }, log } as never);
  nock("https://api.github.com")
    .get("/repos/o/r")
    .reply(403, { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." }, { "retry-after": "1" })
    .get("/repos/o/r")
    .reply(200, { full_name: "o/r" });
  const { data } = await gh.rest.repos.get({ owner: "o", repo: "r" });
  expect(data.full_name).toBe("o/r");
  expect(warnings).toContainEqual(expect.objectContaining({ decision: "rate_limited", kind: "secondary", retry: true }));
  expect(nock.isDone()).toBe(true);
});
