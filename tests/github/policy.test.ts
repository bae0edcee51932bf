/** `loadPolicy` names the files the policy was built from; those in the PR's repository become `policy_files`. */
import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clearCaches, loadPolicy, policyFilesIn, type GitHub } from "../../src/github/facts.js";
import { API } from "../helpers/app.js";

const HERE = { owner: "Codertocat", repo: "Hello-World" };
const gh = new ProbotOctokit({ auth: { token: "test" }, retry: { enabled: false }, throttle: { enabled: false } }) as unknown as GitHub;

/** One file on a repository's default branch (`null`: 404). */
function file(repo: string, path: string, text: string | null) {
  const scope = nock(API).get(`/repos/${repo}/contents/${encodeURIComponent(path)}`);
  return text === null ? scope.reply(404, { message: "Not Found" }) : scope.reply(200, { type: "file", encoding: "base64", content: Buffer.from(text).toString("base64") });
}

beforeEach(() => {
  nock.disableNetConnect();
  clearCaches();
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe("loadPolicy: the files a policy is built from", () => {
  it.each([
    ["a path in this repository", ".github/base.yml", "Codertocat/Hello-World", ".github/base.yml", [".github/base.yml"]],
    ["a path written ./…", "./policies/base.yaml", "Codertocat/Hello-World", "policies/base.yaml", ["policies/base.yaml"]],
    ["repo:path naming this repository, in another case", "hello-world:policies/base.yml", "Codertocat/hello-world", "policies/base.yml", ["policies/base.yml"]],
    ["owner/repo:path naming this repository", "Codertocat/Hello-World:/base.yml", "Codertocat/Hello-World", "base.yml", ["base.yml"]],
    ["the organisation's .github repository", ".github", "Codertocat/.github", ".github/agent-governance.yml", []],
    ["another repository's path", "policies:base.yml", "Codertocat/policies", "base.yml", []],
  ])("%s (`_extends: %s`)", async (_what, value, repo, path, here) => {
    file("Codertocat/Hello-World", ".github/agent-governance.yml", `_extends: ${value}\nreviewers: { required: 2 }\n`);
    file(repo, path, "mode: report\n");
    const loaded = await loadPolicy(gh, HERE);
    expect(loaded).toMatchObject({
      kind: "ok",
      policy: { mode: "report", reviewers: { required: 2 } },
      files: [
        { repo: "Codertocat/Hello-World", path: ".github/agent-governance.yml" },
        { repo, path },
      ],
    });
    expect(policyFilesIn(loaded, HERE)).toEqual(here);
    expect(nock.isDone()).toBe(true);
  });

  it("a policy without `_extends` is built from its own file, already protected", async () => {
    file("Codertocat/Hello-World", ".github/agent-governance.yml", "mode: report\n");
    const loaded = await loadPolicy(gh, HERE);
    expect(loaded).toMatchObject({ kind: "ok", files: [{ repo: "Codertocat/Hello-World", path: ".github/agent-governance.yml" }] });
    expect(policyFilesIn(loaded, HERE)).toEqual([]);
  });

  it("the organisation's fallback policy reads a bare path from its own repository, not this one", async () => {
    file("Codertocat/Hello-World", ".github/agent-governance.yml", null);
    file("Codertocat/.github", ".github/agent-governance.yml", "_extends: base.yml\n");
    file("Codertocat/.github", "base.yml", "mode: report\n");
    const loaded = await loadPolicy(gh, HERE);
    expect(loaded).toMatchObject({
      kind: "ok",
      source: "Codertocat/.github:.github/agent-governance.yml (extends Codertocat/.github:base.yml)",
      files: [
        { repo: "Codertocat/.github", path: ".github/agent-governance.yml" },
        { repo: "Codertocat/.github", path: "base.yml" },
      ],
    });
    expect(policyFilesIn(loaded, HERE)).toEqual([]);
    expect(nock.isDone()).toBe(true);
  });

  it("a base's own `_extends` is not followed, and a warning says so (shown in the check summary)", async () => {
    file("Codertocat/Hello-World", ".github/agent-governance.yml", "_extends: .github/base.yml\n");
    file("Codertocat/Hello-World", ".github/base.yml", "_extends: .github/grand.yml\nmode: report\n");
    const loaded = await loadPolicy(gh, HERE);
    expect(loaded).toMatchObject({ kind: "ok", policy: { mode: "report" } });
    expect(loaded.kind === "ok" && loaded.warnings).toEqual([
      {
        file: "Codertocat/Hello-World:.github/base.yml",
        line: 1,
        col: 1,
        path: "_extends",
        message:
          "`_extends` in a base file is not followed (one level only): Codertocat/Hello-World:.github/base.yml extends `.github/grand.yml`, whose settings do not apply; copy them into Codertocat/Hello-World:.github/base.yml",
      },
    ]);
    expect(nock.isDone()).toBe(true); // the grandparent was not read
  });

  it("names none for a missing or invalid policy", async () => {
    file("Codertocat/Hello-World", ".github/agent-governance.yml", "_extends: .github/base.yml\n");
    file("Codertocat/Hello-World", ".github/base.yml", null);
    const loaded = await loadPolicy(gh, HERE);
    expect(loaded).toMatchObject({
      kind: "invalid",
      problems: [{ message: "`_extends`: Codertocat/Hello-World:.github/base.yml was not found or is not readable by the app" }],
    });
    expect(policyFilesIn(loaded, HERE)).toEqual([]);
  });
});
