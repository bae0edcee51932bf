/**
 * `agent-governance snapshot`, in process with nock: a live PR saved as PullFacts
 * through the app's facts module, replayable with `explain`.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { apiBaseUrl, githubToken, isNetworkError, main, parsePullRef, readFacts } from "../../src/cli.js";
import { clearCaches } from "../../src/github/facts.js";
import { API, commit, HEAD_SHA, mockCheckRunRead, mockPolicy, mockPr, pullObject, REPO_PATH, review, SEEN_CHECK } from "../helpers/app.js";
import { cli, tempDir } from "./run.js";
import { sealed } from "../helpers/ledger.js";

/** A local port nothing listens on: one the system just handed out, closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

const TOKEN = "ghp_snapshotTestToken0123456789abcdefABCD";

function capture(env: NodeJS.ProcessEnv = { GITHUB_TOKEN: TOKEN }) {
  const out = { stdout: "", stderr: "" };
  const io = {
    stdout: { write: (s: string) => (out.stdout += s) },
    stderr: { write: (s: string) => (out.stderr += s) },
    env,
  };
  return { io, out };
}

beforeEach(() => {
  nock.disableNetConnect();
  clearCaches();
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe("snapshot", () => {
  it("saves the PR, its lists and the look-ups the repository's policy needs, sending the token", async () => {
    const files = [{ filename: "migrations/1.sql", status: "added", additions: 3, deletions: 0, changes: 3 }];
    const reviews = [review({ login: "alice" })];
    mockPolicy("paths:\n  restricted:\n    - { paths: [\"migrations/**\"], reviewers: { teams: [Codertocat/dba] } }\n");
    const pr = mockPr({ files, reviews, permissions: { alice: "write" }, teams: { "Codertocat/dba": ["alice", "dan"] } });
    // The app's check run on the head: when the app first saw it (commands given before do not count).
    mockCheckRunRead(SEEN_CHECK);
    const auth = new Set<string>();
    pr.on("request", (req: { headers: Record<string, string> }) => auth.add(req.headers.authorization ?? "none"));

    const dir = tempDir();
    const outFile = join(dir, "pr.json");
    const { io, out } = capture();
    const code = await main(["snapshot", "Codertocat/Hello-World#2", "--out", outFile], io);

    expect(out.stderr).toBe(`saved Codertocat/Hello-World#2 (1 files, 1 commits, 1 reviews, 0 comments) to ${outFile}\n`);
    expect(code).toBe(0);
    expect([...auth]).toEqual([`token ${TOKEN}`]);
    expect(nock.isDone()).toBe(true);
    expect(JSON.parse(readFileSync(outFile, "utf8"))).toEqual({
      pull: pullObject(),
      files,
      commits: [commit()],
      reviews,
      comments: [],
      permissions: { alice: "write" },
      teams: { "Codertocat/dba": ["alice", "dan"] },
      shared_head: [],
      seen_at: { [HEAD_SHA]: "2026-11-20T10:00:00Z" },
    });
    expect(readFacts(outFile).pull.head.sha).toBe(HEAD_SHA);
    expect(out.stdout + out.stderr).not.toContain(TOKEN);
  });

  it("records the app's ledger from its check run on the head, as given (no key to verify it: a snapshot is a simulation)", async () => {
    mockPr({ reviews: [], files: [] });
    const ledger = { invokers: ["alice"], escalation: { notified: { "0": "2026-11-20T10:00:00.000Z" }, started: "2026-11-20T10:00:00.000Z" } };
    mockCheckRunRead({ ...SEEN_CHECK, output: { ...(SEEN_CHECK.output as object), text: sealed(ledger) } });
    const config = join(tempDir({ "p.yml": "reviewers:\n  required: 1\n" }), "p.yml");
    const { io, out } = capture();
    expect(await main(["snapshot", "Codertocat/Hello-World#2", "--config", config], io)).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ ledger });
    expect(nock.isDone()).toBe(true);
  });

  it("records the files of this repository the policy is built from (`policy_files`), for explain", async () => {
    mockPolicy("_extends: .github/base.yml\n");
    nock(API)
      .get(`${REPO_PATH}/contents/.github%2Fbase.yml`)
      .reply(200, { type: "file", encoding: "base64", content: Buffer.from("reviewers:\n  required: 1\n").toString("base64") });
    mockPr({ reviews: [], files: [] });
    mockCheckRunRead();
    const { io, out } = capture();
    expect(await main(["snapshot", "Codertocat/Hello-World#2"], io)).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ policy_files: [".github/base.yml"] });
    expect(nock.isDone()).toBe(true);
  });

  it("prints to stdout without --out, with a local policy instead of the repository's", async () => {
    mockPr({ reviews: [], files: [] });
    mockCheckRunRead();
    const config = join(tempDir({ "p.yml": "reviewers:\n  required: 0\n" }), "p.yml");
    const { io, out } = capture();
    const code = await main(["snapshot", "https://github.com/Codertocat/Hello-World/pull/2", "--config", config], io);
    expect(code).toBe(0);
    expect(out.stderr).toBe("");
    expect(JSON.parse(out.stdout)).toMatchObject({ pull: { number: 2, head: { sha: HEAD_SHA } }, files: [], reviews: [] });
    expect(nock.isDone()).toBe(true); // the policy file was not read
  });

  it("talks to GitHub Enterprise Server at GHE_HOST", async () => {
    const ghe = nock("https://ghe.example.com/api/v3");
    ghe.get(`${REPO_PATH}/pulls/2`).reply(200, pullObject());
    for (const list of ["files", "commits", "reviews"]) ghe.get(`${REPO_PATH}/pulls/2/${list}`).query(true).reply(200, []);
    ghe.get(`${REPO_PATH}/issues/2/comments`).query(true).reply(200, []);
    ghe.get(`${REPO_PATH}/commits/${HEAD_SHA}/check-runs`).query(true).reply(200, { total_count: 0, check_runs: [] });
    ghe.get(`${REPO_PATH}/commits/${HEAD_SHA}/pulls`).reply(200, [{ number: 2, state: "open", head: { sha: HEAD_SHA } }]);
    const config = join(tempDir({ "p.yml": "mode: report\n" }), "p.yml");
    const { io, out } = capture({ GITHUB_TOKEN: TOKEN, GHE_HOST: "ghe.example.com" });
    expect(await main(["snapshot", "Codertocat/Hello-World#2", "--config", config], io)).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ pull: { number: 2 } });
    expect(ghe.isDone()).toBe(true);
  });

  it("exits 1 with a hint when GitHub cannot find the PR, never echoing the token", async () => {
    // The PR is read first (its files only once its head is known): its 404 ends the command, and nothing else is read.
    nock(API).get(`${REPO_PATH}/pulls/2`).reply(404, { message: "Not Found" });
    const config = join(tempDir({ "p.yml": "mode: report\n" }), "p.yml");
    const { io, out } = capture();
    expect(await main(["snapshot", "Codertocat/Hello-World#2", "--config", config], io)).toBe(1);
    expect(out.stderr).toMatch(/^agent-governance snapshot: could not read Codertocat\/Hello-World#2: 404 .*\(does the PR exist, and can the token read the repository\?\)\n$/);
    expect(out.stdout + out.stderr).not.toContain(TOKEN);
    await vi.waitFor(() => expect(nock.isDone()).toBe(true), { timeout: 10_000 });
  });

  it("exits 1 naming the unreachable host when GitHub cannot be reached, with no made-up HTTP status (built CLI)", async () => {
    const port = await closedPort();
    const r = cli(["snapshot", "acme/app#1"], { env: { GITHUB_TOKEN: TOKEN, GHE_HOST: `127.0.0.1:${port}`, GHE_PROTOCOL: "http" } });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      `agent-governance snapshot: could not reach GitHub at http://127.0.0.1:${port}/api/v3 to read acme/app#1: connect ECONNREFUSED 127.0.0.1:${port} (check the network connection, and GHE_HOST / GHE_PROTOCOL for GitHub Enterprise Server)\n`,
    );
  }, 60_000); // Octokit retries a request that got no answer three times (1 + 4 + 9 s) before giving up.

  it("tells a request that got no answer from GitHub's own 500", async () => {
    const port = await closedPort();
    nock.enableNetConnect("127.0.0.1");
    const unreachable = new ProbotOctokit({ auth: { token: TOKEN }, baseUrl: `http://127.0.0.1:${port}`, retry: { enabled: false } });
    const refused = await unreachable.request("GET /repos/{owner}/{repo}", { owner: "o", repo: "r" }).catch((e: unknown) => e);
    expect(isNetworkError(refused)).toBe(true);
    nock(API).get("/repos/o/r").reply(500, { message: "Server Error" });
    const github = new ProbotOctokit({ auth: { token: TOKEN }, retry: { enabled: false } });
    const serverError = await github.request("GET /repos/{owner}/{repo}", { owner: "o", repo: "r" }).catch((e: unknown) => e);
    expect((serverError as { status: number }).status).toBe(500);
    expect(isNetworkError(serverError)).toBe(false);
    expect(isNetworkError(new Error("boom"))).toBe(false);
  });

  it("reads GH_TOKEN when GITHUB_TOKEN is not set, as backtest does (one function: githubToken)", async () => {
    nock(API, { reqheaders: { authorization: `token ${TOKEN}` } }).get(`${REPO_PATH}/pulls/2`).reply(404, { message: "Not Found" });
    const config = join(tempDir({ "p.yml": "mode: report\n" }), "p.yml");
    const { io, out } = capture({ GH_TOKEN: TOKEN });
    expect(await main(["snapshot", "Codertocat/Hello-World#2", "--config", config], io)).toBe(1);
    expect(out.stderr).toContain("could not read Codertocat/Hello-World#2: 404 ");
    expect(nock.isDone()).toBe(true);
    expect(githubToken({ GITHUB_TOKEN: "a", GH_TOKEN: "b" })).toBe("a");
    expect(githubToken({ GITHUB_TOKEN: "", GH_TOKEN: "b" })).toBe("b");
    expect(githubToken({})).toBeUndefined();
  });

  it("exits 2 without a token or with a malformed reference, before any request", async () => {
    const missing = capture({});
    expect(await main(["snapshot", "Codertocat/Hello-World#2"], missing.io)).toBe(2);
    expect(missing.out.stderr).toContain("snapshot needs GITHUB_TOKEN or GH_TOKEN with read access to the repository");
    const bad = capture();
    expect(await main(["snapshot", "Codertocat/Hello-World"], bad.io)).toBe(2);
    expect(bad.out.stderr).toContain("OWNER/REPO#N");
  });
});

describe("snapshot helpers", () => {
  it("parses OWNER/REPO#N and pull request URLs, and nothing else", () => {
    expect(parsePullRef("octo-org/app.js#42")).toEqual({ owner: "octo-org", repo: "app.js", number: 42 });
    expect(parsePullRef("https://github.example.com/o/r/pull/7/")).toEqual({ owner: "o", repo: "r", number: 7 });
    expect(parsePullRef("o/r#x")).toBeNull();
    expect(parsePullRef("o#1")).toBeNull();
    expect(parsePullRef("https://github.com/o/r/issues/7")).toBeNull();
  });

  it("builds the API base URL from GHE_HOST and GHE_PROTOCOL", () => {
    expect(apiBaseUrl({})).toBe("https://api.github.com");
    expect(apiBaseUrl({ GHE_HOST: "git.corp", GHE_PROTOCOL: "http" })).toBe("http://git.corp/api/v3");
  });
});
