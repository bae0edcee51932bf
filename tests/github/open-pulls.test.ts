/** `openPulls`: one list of open PRs per repository, shared for a minute, forgotten on demand, trimmed. */
import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterEach, beforeEach, expect, it } from "vitest";
import { clearCaches } from "../../src/github/facts.js";
import { forgetOpenPulls, OPEN_PULLS_TTL_MS, openPulls } from "../../src/github/open-pulls.js";

const API = "https://api.github.com";
const ref = { owner: "o", repo: "r" };
const gh = () => new ProbotOctokit({ auth: { token: "t" }, retry: { enabled: false }, throttle: { enabled: false } } as never);
const listed = (number: number) => ({
  number,
  title: `PR ${number}`,
  body: "Fixes #1",
  state: "open",
  draft: false,
  user: { login: "Copilot", id: 198982749, type: "Bot", avatar_url: "x" },
  head: { ref: "copilot/x", sha: "a".repeat(40), repo: { full_name: "o/r" } },
  base: { ref: "main", repo: { full_name: "o/r", private: false } },
  labels: [{ id: 1, name: "agent-pr", color: "ffffff" }],
  html_url: `https://github.com/o/r/pull/${number}`,
  created_at: "2026-11-01T00:00:00Z",
  assignees: [],
  merge_commit_sha: "b".repeat(40),
});
const list = (pulls: unknown[]) => nock(API).get("/repos/o/r/pulls").query({ state: "open", per_page: 100 }).reply(200, pulls);

beforeEach(() => {
  nock.disableNetConnect();
  clearCaches();
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

it("lists once for evaluations at the same time and within a minute; trims each PR to what the limits read", async () => {
  list([listed(1)]);
  const client = gh();
  const [a, b] = await Promise.all([openPulls(client, ref, 0), openPulls(client, { owner: "O", repo: "R" }, 10)]);
  expect(a).toEqual([
    {
      number: 1,
      title: "PR 1",
      body: "Fixes #1",
      state: "open",
      user: { login: "Copilot", id: 198982749, type: "Bot" },
      head: { ref: "copilot/x", sha: "a".repeat(40) },
      base: { ref: "main", repo: { full_name: "o/r" } },
      labels: [{ name: "agent-pr" }],
      html_url: "https://github.com/o/r/pull/1",
      created_at: "2026-11-01T00:00:00Z",
      assignees: [],
    },
  ]);
  expect(b).toBe(a);
  expect(await openPulls(client, ref, OPEN_PULLS_TTL_MS - 1)).toBe(a);
  // A minute later, it is read again.
  list([]);
  expect(await openPulls(client, ref, OPEN_PULLS_TTL_MS)).toEqual([]);
  expect(nock.isDone()).toBe(true);
});

it("is read again once forgotten (a PR opened, closed or reopened), and a failed read is not kept", async () => {
  const client = gh();
  list([listed(1)]);
  await openPulls(client, ref, 0);
  forgetOpenPulls(ref);
  nock(API).get("/repos/o/r/pulls").query(true).reply(502, { message: "Bad Gateway" });
  await expect(openPulls(client, ref, 1)).rejects.toMatchObject({ status: 502 });
  list([listed(1), listed(2)]);
  expect((await openPulls(client, ref, 2)).map((p) => p.number)).toEqual([1, 2]);
  expect(nock.isDone()).toBe(true);
});
