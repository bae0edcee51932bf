/**
 * A GitHub that answers everything plausibly, for property tests of the app:
 * the benchmark's stateful fake (bench/fake-github.js) behind nock, with the
 * network disabled. Any PR it is asked about exists, was opened by Copilot,
 * changes one file and has no reviews, so no event can make it pass.
 */
import nock from "nock";
import { createFakeGitHub, type FakeGitHub } from "../../bench/fake-github.js";
import { API, commit, COPILOT, pullObject } from "../helpers/app.js";

const METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE"] as const;

export function plausibleGitHub(): FakeGitHub {
  const fake = createFakeGitHub({
    teams: {},
    permission: () => "write",
    autoPull: (_owner, _repo, number) => {
      const pull = pullObject({ author: COPILOT });
      return {
        pull: { ...pull, number },
        files: [{ filename: "src/app.ts", status: "modified", additions: 2, deletions: 0, changes: 2, patch: "@@ -1,1 +1,3 @@\n line\n+a\n+b" }],
        commits: [commit({ by: COPILOT })],
      };
    },
  });
  const scope = nock(API).persist();
  for (const method of METHODS) {
    scope.intercept(/.*/, method).reply(function (uri, body) {
      const headers = Object.fromEntries(Object.entries(this.req.headers).map(([k, v]) => [k.toLowerCase(), v as string]));
      const parsed = typeof body === "string" && body ? (JSON.parse(body) as unknown) : body || undefined;
      const res = fake.handle({ method, url: uri, headers, body: parsed, origin: API });
      return [res.status, res.body === null ? "" : (res.body as nock.Body), res.headers];
    });
  }
  return fake;
}
