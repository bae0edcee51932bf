/** The org floor as `loadPolicy` reads it: only with ORG_FLOOR=true, once beside the policy, never dropped when broken. */
import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clearCaches, loadPolicy, loadPolicyAt, type GitHub } from "../../src/github/facts.js";
import { floorLine } from "../../src/config/floor.js";
import { API } from "../helpers/app.js";

const HERE = { owner: "Codertocat", repo: "Hello-World" };
const gh = new ProbotOctokit({ auth: { token: "test" }, retry: { enabled: false }, throttle: { enabled: false } }) as unknown as GitHub;
const SHA = "a".repeat(40);

/** One file on a repository's default branch, or at `ref` (`null`: 404). */
function file(repo: string, path: string, text: string | null, ref?: string) {
  const url = `/repos/${repo}/contents/${encodeURIComponent(path)}`;
  const scope = ref ? nock(API).get(url).query({ ref }) : nock(API).get(url);
  return text === null ? scope.reply(404, { message: "Not Found" }) : scope.reply(200, { type: "file", encoding: "base64", content: Buffer.from(text).toString("base64") }, { etag: `"${repo}"` });
}

const ORG_FILE = "reviewers: { required: 2 }\nfloor:\n  mode: enforce\n  reviewers: { required: 1 }\n  paths: { forbidden: [\"infra/**\"] }\n";

beforeEach(() => {
  nock.disableNetConnect();
  clearCaches();
  process.env.ORG_FLOOR = "true";
});
afterEach(() => {
  delete process.env.ORG_FLOOR;
  nock.cleanAll();
  nock.enableNetConnect();
});

describe("loadPolicy with the org floor", () => {
  it("raises the repository's policy to the floor and says what it raised", async () => {
    file("Codertocat/Hello-World", ".github/agent-governance.yml", "mode: report\nreviewers: { required: 0 }\n");
    file("Codertocat/.github", ".github/agent-governance.yml", ORG_FILE);
    const loaded = await loadPolicy(gh, HERE);
    expect(loaded).toMatchObject({ kind: "ok", source: "Codertocat/Hello-World:.github/agent-governance.yml", floorSource: "Codertocat/.github:.github/agent-governance.yml", policy: { mode: "enforce", reviewers: { required: 1 }, paths: { forbidden: ["infra/**"] } } });
    expect(loaded.kind === "ok" && loaded.floored?.map(floorLine)).toEqual([
      "`mode`: report → enforce (org floor)",
      "`reviewers.required`: 0 → 1 (org floor)",
      "`paths.forbidden`: adds `infra/**` (org floor)",
    ]);
    expect(nock.isDone()).toBe(true);
  });

  it("reads the org file once when it is also the fallback policy", async () => {
    file("Codertocat/Hello-World", ".github/agent-governance.yml", null);
    file("Codertocat/.github", ".github/agent-governance.yml", ORG_FILE);
    const loaded = await loadPolicy(gh, HERE);
    expect(loaded).toMatchObject({ kind: "ok", source: "Codertocat/.github:.github/agent-governance.yml", policy: { reviewers: { required: 2 }, paths: { forbidden: ["infra/**"] } } });
    expect(nock.isDone()).toBe(true);
  });

  it("an invalid org file is an invalid policy for every repository: the floor is never dropped", async () => {
    file("Codertocat/Hello-World", ".github/agent-governance.yml", "reviewers: { required: 0 }\n");
    file("Codertocat/.github", ".github/agent-governance.yml", "floor:\n  reviewers: { required: many }\n");
    const loaded = await loadPolicy(gh, HERE);
    expect(loaded).toMatchObject({ kind: "invalid", source: "Codertocat/.github:.github/agent-governance.yml" });
    expect(loaded.kind === "invalid" && loaded.problems.map((p) => `${p.line}:${p.col}: ${p.message}`)).toEqual(['2:26: `floor.reviewers.required`: must be a number, not the text "many"']);
  });

  it("in the `.github` repository itself, its own floor applies", async () => {
    file("Codertocat/.github", ".github/agent-governance.yml", "reviewers: { required: 0 }\nfloor: { reviewers: { required: 1 } }\n");
    const loaded = await loadPolicy(gh, { owner: "Codertocat", repo: ".github" });
    expect(loaded).toMatchObject({ kind: "ok", policy: { reviewers: { required: 1 } } });
    expect(nock.isDone()).toBe(true);
  });

  it("without ORG_FLOOR, the org file is not read at all", async () => {
    delete process.env.ORG_FLOOR;
    file("Codertocat/Hello-World", ".github/agent-governance.yml", "reviewers: { required: 0 }\n");
    const loaded = await loadPolicy(gh, HERE);
    expect(loaded).toMatchObject({ kind: "ok", policy: { reviewers: { required: 0 } } });
    expect(loaded).not.toHaveProperty("floored");
    expect(nock.isDone()).toBe(true);
  });

  it("the proposed policy (at a commit) is raised by the default branch's floor", async () => {
    file("Codertocat/Hello-World", ".github/agent-governance.yml", "_extends: .github/base.yml\nreviewers: { required: 0 }\n", SHA);
    file("Codertocat/Hello-World", ".github/base.yml", "mode: report\n", SHA);
    file("Codertocat/.github", ".github/agent-governance.yml", ORG_FILE);
    const loaded = await loadPolicyAt(gh, HERE, SHA);
    expect(loaded).toMatchObject({ kind: "ok", policy: { mode: "enforce", reviewers: { required: 1 } }, files: [{ path: ".github/agent-governance.yml" }, { path: ".github/base.yml" }] });
    expect(nock.isDone()).toBe(true);
  });
});
