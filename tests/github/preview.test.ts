/** The preview's reads: the open PRs' facts are reused while GitHub shows them not updated, and read 4 at a time. */
import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clearCaches, type GitHub } from "../../src/github/facts.js";
import { clearPreviewCache, gatherPreview } from "../../src/github/preview.js";
import { defaultPolicy } from "../../src/config/schema.js";
import { API } from "../helpers/app.js";
import { facts } from "../policy/build.js";

const REF = { owner: "acme", repo: "app" };
const REPO = "/repos/acme/app";
const gh = new ProbotOctokit({ auth: { token: "test" }, retry: { enabled: false }, throttle: { enabled: false } }) as unknown as GitHub;
const SELF = facts({ pull: { number: 1, head: { ref: "policy", sha: "f".repeat(40) } } });
const LOADED = { kind: "ok" as const, policy: defaultPolicy(), source: "acme/app:.github/agent-governance.yml", files: [] };

/** An open PR as the list shows it; `reads` mocks what gathering its facts asks (a human's PR: no look-ups). */
function pull(number: number, reads: boolean) {
  const sha = String(number % 10).repeat(40);
  const p = { number, title: "t", body: null, state: "open", user: { login: "octocat", id: 1, type: "User" }, head: { ref: `b${number}`, sha }, base: { ref: "main" }, updated_at: "2026-11-20T10:00:00Z" };
  if (reads) {
    nock(API)
      .get(`${REPO}/pulls/${number}`)
      .reply(200, p)
      .get(`${REPO}/pulls/${number}/files`)
      .query(true)
      .reply(200, [{ filename: "README.md", status: "modified" }])
      .get(`${REPO}/pulls/${number}/commits`)
      .query(true)
      .reply(200, [{ sha, commit: { message: "m" }, author: { login: "octocat", type: "User" }, parents: [] }])
      .get(`${REPO}/pulls/${number}/reviews`)
      .query(true)
      .reply(200, [])
      .get(`${REPO}/issues/${number}/comments`)
      .query(true)
      .reply(200, [])
      .get(`${REPO}/commits/${sha}/check-runs`)
      .query(true)
      .reply(200, { total_count: 0, check_runs: [] });
  }
  return p;
}

beforeEach(() => {
  nock.disableNetConnect();
  clearCaches();
  clearPreviewCache();
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe("gatherPreview", () => {
  it("reads each open PR once; a second preview reuses what is not updated, and reads the proposed file at a commit once", async () => {
    nock(API).get(`${REPO}/contents/.github%2Fagent-governance.yml`).query({ ref: "f".repeat(40) }).reply(200, { type: "file", encoding: "base64", content: Buffer.from("mode: report\n").toString("base64") });
    const list = [SELF.pull, pull(2, true), pull(3, true)];
    nock(API).get(`${REPO}/pulls`).query(true).twice().reply(200, list);
    const first = await gatherPreview(gh, REF, SELF, LOADED);
    expect(first.pulls.map((p) => p.number)).toEqual([2, 3]);
    expect(first.proposed).toMatchObject({ kind: "ok", policy: { mode: "report" } });
    // Nothing but the list is asked again.
    const second = await gatherPreview(gh, REF, SELF, LOADED);
    expect(second.pulls.map((p) => p.facts)).toEqual(first.pulls.map((p) => p.facts));
    expect(nock.isDone()).toBe(true);
  });

  it("names a PR GitHub would not give, and compares the others", async () => {
    nock(API).get(`${REPO}/contents/.github%2Fagent-governance.yml`).query(true).reply(200, { type: "file", encoding: "base64", content: Buffer.from("mode: report\n").toString("base64") });
    const broken = pull(4, false);
    nock(API).get(`${REPO}/pulls/4`).reply(502, { message: "Bad Gateway" }).get(`${REPO}/pulls/4/files`).query(true).reply(200, []).get(`${REPO}/pulls/4/commits`).query(true).reply(200, []).get(`${REPO}/pulls/4/reviews`).query(true).reply(200, []).get(`${REPO}/issues/4/comments`).query(true).reply(200, []).get(`${REPO}/commits/${"4".repeat(40)}/check-runs`).query(true).reply(200, { total_count: 0, check_runs: [] });
    nock(API).get(`${REPO}/pulls`).query(true).reply(200, [pull(2, true), broken]);
    const read = await gatherPreview(gh, REF, SELF, LOADED);
    expect(read.pulls.map((p) => p.number)).toEqual([2]);
    expect(read.unread).toEqual([{ number: 4, reason: "502" }]);
  });
});
