/**
 * `agent-governance backtest`, in process with nock: a repository's PR list (paginated by
 * `link` headers), each PR read through the app's facts module and saved by number and head,
 * the tally, `--compare`, rate limits waited out, and a second run that reads only the list
 * (then nothing at all, `--offline`).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main, readFacts } from "../../src/cli.js";
import { clearCaches } from "../../src/github/facts.js";
import { parseSince, rateLimitWait, selectPulls } from "../../src/github/backtest.js";
import { API, commit, COPILOT, HUMAN, pullObject, REPO_PATH, review } from "../helpers/app.js";
import { tempDir } from "./run.js";

type Json = Record<string, unknown>;
const TOKEN = "ghp_backtestTestToken0123456789abcdefABCD";
const NOW = "2026-11-20T12:00:00Z";
const NEW = 'paths:\n  forbidden: ["infra/prod/**"]\n';
const OLD = "reviewers:\n  required: 1\n";

const sha = (n: number) => String(n).repeat(40);

/** PR `n` as the list and `GET /pulls/n` give it. */
function pull(n: number, o: { by?: Json; created: string; state?: string; title?: string }): Json {
  const p = pullObject({ author: (o.by ?? COPILOT) as never, headSha: sha(n), title: o.title ?? `Change ${n}` });
  return { ...p, number: n, state: o.state ?? "open", created_at: o.created, updated_at: o.created, html_url: `https://github.com/Codertocat/Hello-World/pull/${n}` };
}

const PR3 = pull(3, { created: "2026-11-19T09:00:00Z", title: "Scale the cluster" });
const PR2 = pull(2, { created: "2026-11-18T09:00:00Z", state: "closed", title: "Fix typo" });
const PR1 = pull(1, { by: HUMAN, created: "2026-11-15T09:00:00Z", title: "Docs" });
const PR0 = pull(9, { created: "2026-10-01T09:00:00Z" }); // older than --since 7d: listed, never read

/** The PR list, newest first, in two pages joined by `link` headers. */
function mockList(): nock.Scope {
  const next = `<${API}/repositories/1296269/pulls?state=all&sort=created&direction=desc&per_page=100&page=2>`;
  return nock(API)
    .get(`${REPO_PATH}/pulls`)
    .query({ state: "all", sort: "created", direction: "desc", per_page: "100" })
    .reply(200, [PR3, PR2], { link: `${next}; rel="next", ${next}; rel="last"` })
    .get("/repositories/1296269/pulls")
    .query({ state: "all", sort: "created", direction: "desc", per_page: "100", page: "2" })
    .reply(200, [PR1, PR0], { link: `<${API}/repositories/1296269/pulls?state=all&page=1>; rel="first"` });
}

/** What `gatherFacts` reads for PR `n` (and, for an open agent PR, the PRs sharing its head). */
function mockReads(p: Json, o: { files: Json[]; reviews?: Json[]; filesFirst?: { status: number; headers: Record<string, string> } }): nock.Scope {
  const n = p.number as number;
  const scope = nock(API);
  scope.get(`${REPO_PATH}/pulls/${n}`).reply(200, p);
  scope.get(`${REPO_PATH}/commits/${sha(n)}/check-runs`).query(true).reply(200, { total_count: 0, check_runs: [] });
  if (o.filesFirst) scope.get(`${REPO_PATH}/pulls/${n}/files`).query(true).reply(o.filesFirst.status, { message: "API rate limit exceeded" }, o.filesFirst.headers);
  scope.get(`${REPO_PATH}/pulls/${n}/files`).query(true).reply(200, o.files);
  scope.get(`${REPO_PATH}/pulls/${n}/commits`).query(true).reply(200, [commit({ sha: sha(n) })]);
  scope.get(`${REPO_PATH}/pulls/${n}/reviews`).query(true).reply(200, o.reviews ?? []);
  scope.get(`${REPO_PATH}/issues/${n}/comments`).query(true).reply(200, []);
  return scope;
}

function mockAllReads(rateLimit?: { status: number; headers: Record<string, string> }): nock.Scope[] {
  return [
    mockReads(PR3, { files: [{ filename: "infra/prod/main.tf", status: "modified", additions: 2, deletions: 1, changes: 3 }], ...(rateLimit ? { filesFirst: rateLimit } : {}) }),
    // Open and governed: the app reads the PRs sharing its head.
    nock(API).get(`${REPO_PATH}/commits/${sha(3)}/pulls`).reply(200, [{ number: 3, state: "open", head: { sha: sha(3) } }]),
    // Closed: `gatherFacts` looks nothing up; the backtest reads the reviewer's permission itself.
    mockReads(PR2, { files: [{ filename: "README.md", status: "modified", additions: 1, deletions: 1, changes: 2 }], reviews: [review({ login: "alice", commitId: sha(2) })] }),
    nock(API).get(`${REPO_PATH}/collaborators/alice/permission`).reply(200, { permission: "write", role_name: "write", user: { login: "alice" } }),
    mockReads(PR1, { files: [{ filename: "docs/guide.md", status: "modified", additions: 5, deletions: 0, changes: 5 }] }),
  ];
}

function capture(o: { env?: NodeJS.ProcessEnv; tty?: boolean } = {}) {
  const out = { stdout: "", stderr: "", slept: [] as number[] };
  const io = {
    stdout: { write: (s: string) => (out.stdout += s) },
    stderr: { write: (s: string) => (out.stderr += s), ...(o.tty ? { isTTY: true } : {}) },
    env: o.env ?? { GITHUB_TOKEN: TOKEN },
    sleep: async (ms: number) => void out.slept.push(ms),
  };
  return { io, out };
}

function policies(): { dir: string; config: string; compare: string } {
  const dir = tempDir({ "new.yml": NEW, "old.yml": OLD });
  return { dir, config: join(dir, "new.yml"), compare: join(dir, "old.yml") };
}

beforeEach(() => {
  nock.disableNetConnect();
  clearCaches();
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

const TALLY = [
  "backtest: 3 PRs",
  "  pass                 2  (1 not governed)",
  "  wait for humans      0",
  "  fail                 1",
  "by rule:           fail pending",
  "  paths.forbidden     1       0",
  "  reviewers           0       1",
  "by agent: copilot 2, none 1",
  "governed agent PRs:     pass    wait    fail",
  "  copilot                  1       0       1",
  "",
].join("\n");

const CHANGES = ["compared with OLD: 1 PR differs", "#3 copilot: action_required → failure (paths.forbidden)", ""].join("\n");

describe("backtest OWNER/REPO", () => {
  it("lists the PRs page by page, reads each once, saves it by number and head, and prints the tally and what --compare changes", async () => {
    const { dir, config, compare } = policies();
    const out = join(dir, "snapshots");
    const list = mockList();
    const reads = mockAllReads();
    const auth = new Set<string>();
    for (const s of [list, ...reads]) s.on("request", (req: { headers: Record<string, string> }) => auth.add(req.headers.authorization ?? "none"));

    const { io, out: got } = capture();
    const code = await main(["backtest", "Codertocat/Hello-World", "--since", "7d", "--now", NOW, "--config", config, "--compare", compare, "--out", out], io);

    expect(got.stderr).not.toContain("could not");
    expect(code).toBe(0);
    expect(nock.pendingMocks()).toEqual([]);
    expect([...auth]).toEqual([`token ${TOKEN}`]);
    expect(got.stdout).toBe(TALLY + CHANGES.replace("OLD", compare));
    // Progress: plain lines (stderr is not a terminal), one per PR, in whatever order they finish.
    const steps = got.stderr.split("\n").filter((l) => l.startsWith("backtest: ["));
    expect(steps.map((l) => l.replace(/#\d/, "#N"))).toEqual(["backtest: [1/3] #N read from GitHub", "backtest: [2/3] #N read from GitHub", "backtest: [3/3] #N read from GitHub"]);
    expect(steps.map((l) => /#(\d)/.exec(l)![1]).sort()).toEqual(["1", "2", "3"]);
    expect(got.stderr).toMatch(/^backtest: listing the PRs of Codertocat\/Hello-World\n/);
    expect(got.stdout + got.stderr).not.toContain(TOKEN);

    // One file per PR, named by number and head, replayable with `explain`; the closed PR's look-up is in it.
    expect(readdirSync(out).sort()).toEqual(["pr-1-" + sha(1) + ".json", "pr-2-" + sha(2) + ".json", "pr-3-" + sha(3) + ".json", "pulls.json"]);
    const two = readFacts(join(out, `pr-2-${sha(2)}.json`));
    expect(two.permissions).toEqual({ alice: "write" });
    expect(two.reviews).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(out, "pulls.json"), "utf8"))).toEqual([
      { number: 3, head: sha(3), created_at: "2026-11-19T09:00:00Z", updated_at: "2026-11-19T09:00:00Z" },
      { number: 2, head: sha(2), created_at: "2026-11-18T09:00:00Z", updated_at: "2026-11-18T09:00:00Z" },
      { number: 1, head: sha(1), created_at: "2026-11-15T09:00:00Z", updated_at: "2026-11-15T09:00:00Z" },
    ]);

    // Again: only the list is read (the PRs have not changed), and the answer is the same.
    clearCaches();
    mockList();
    const again = capture();
    expect(await main(["backtest", "Codertocat/Hello-World", "--since", "7d", "--now", NOW, "--config", config, "--compare", compare, "--out", out], again.io)).toBe(0);
    expect(nock.pendingMocks()).toEqual([]);
    expect(again.out.stdout).toBe(got.stdout);
    expect(again.out.stderr.split("\n").filter((l) => l.startsWith("backtest: ["))).toHaveLength(3);
    expect(again.out.stderr).not.toContain("read from GitHub");
    expect(again.out.stderr).toContain("#3 from its snapshot");

    // And offline: nothing at all is read (nock has no interceptors and refuses the network).
    nock.cleanAll();
    const offline = capture({ env: {} });
    expect(await main(["backtest", "Codertocat/Hello-World", "--since", "7d", "--now", NOW, "--config", config, "--compare", compare, "--out", out, "--offline"], offline.io)).toBe(0);
    expect(offline.out.stdout).toBe(got.stdout);
    expect(offline.out.stderr).not.toContain("listing");
  });

  it("reads a PR again when it changed since its snapshot (a review: its updated_at)", async () => {
    const { dir, config } = policies();
    const out = join(dir, "snapshots");
    mockList();
    mockAllReads();
    expect(await main(["backtest", "Codertocat/Hello-World", "--since", "7d", "--now", NOW, "--config", config, "--out", out], capture().io)).toBe(0);

    clearCaches();
    const reviewed = { ...PR3, updated_at: "2026-11-20T11:00:00Z" };
    const next = `<${API}/repositories/1296269/pulls?page=2>`;
    nock(API).get(`${REPO_PATH}/pulls`).query(true).reply(200, [reviewed, PR2], { link: `${next}; rel="next"` });
    nock(API).get("/repositories/1296269/pulls").query(true).reply(200, [PR1, PR0]);
    mockReads(reviewed, { files: [{ filename: "infra/prod/main.tf", status: "modified" }], reviews: [review({ login: "bob", commitId: sha(3) })] });
    nock(API).get(`${REPO_PATH}/commits/${sha(3)}/pulls`).reply(200, [{ number: 3, state: "open", head: { sha: sha(3) } }]);
    nock(API).get(`${REPO_PATH}/collaborators/bob/permission`).reply(200, { permission: "read", role_name: "read", user: { login: "bob" } });
    const { io, out: got } = capture();
    expect(await main(["backtest", "Codertocat/Hello-World", "--since", "7d", "--now", NOW, "--config", config, "--out", out], io)).toBe(0);
    expect(nock.pendingMocks()).toEqual([]);
    expect(got.stderr).toContain("#3 read from GitHub");
    expect(got.stderr).toContain("#2 from its snapshot");
    expect(readFacts(join(out, `pr-3-${sha(3)}.json`)).permissions).toEqual({ bob: "read" });
  });

  it("--offline says when the snapshots lack a look-up the policy needs (a team the first policy never named)", async () => {
    const { dir, config } = policies();
    const out = join(dir, "snapshots");
    mockList();
    mockAllReads();
    expect(await main(["backtest", "Codertocat/Hello-World", "--since", "7d", "--now", NOW, "--config", config, "--out", out], capture().io)).toBe(0);
    nock.cleanAll();
    const teams = join(dir, "teams.yml");
    writeFileSync(teams, "reviewers:\n  from: { teams: [Codertocat/dba] }\n");
    const { io, out: got } = capture({ env: {} });
    expect(await main(["backtest", "Codertocat/Hello-World", "--since", "7d", "--now", NOW, "--config", teams, "--out", out, "--offline"], io)).toBe(0);
    expect(got.stderr).toContain("note: 1 snapshot lacks look-ups (permissions, teams, checks) these policies need; run without --offline to read them\n");
  });

  it("waits out a rate limit, until its retry-after, saying so, and goes on", async () => {
    const { config } = policies();
    mockList();
    mockAllReads({ status: 429, headers: { "retry-after": "1" } });
    const { io, out } = capture();
    expect(await main(["backtest", "Codertocat/Hello-World", "--since", "7d", "--now", NOW, "--config", config], io)).toBe(0);
    expect(nock.pendingMocks()).toEqual([]);
    expect(out.slept).toEqual([1000]);
    expect(out.stderr).toContain("rate limited by GitHub (429) on GET /repos/Codertocat/Hello-World/pulls/3/files: waiting 1s as GitHub's retry-after asks\n");
    expect(out.stdout).toMatch(/^backtest: 3 PRs\n/);
  });

  it("waits until the primary rate limit resets (x-ratelimit-reset)", async () => {
    const { config } = policies();
    mockList();
    const reset = Math.floor(Date.now() / 1000) + 2;
    mockAllReads({ status: 403, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) } });
    const { io, out } = capture();
    expect(await main(["backtest", "Codertocat/Hello-World", "--since", "7d", "--now", NOW, "--config", config], io)).toBe(0);
    expect(out.slept).toHaveLength(1);
    expect(out.slept[0]).toBeGreaterThan(1000);
    expect(out.slept[0]).toBeLessThanOrEqual(3000);
    const at = new Date(reset * 1000).toISOString();
    expect(out.stderr).toMatch(new RegExp(`rate limited by GitHub \\(403\\) on GET /repos/Codertocat/Hello-World/pulls/3/files: waiting [23]s until the rate limit resets at ${at.replace(/\./g, "\\.")}\\n`));
  });

  it("--format markdown names each PR's verdict; under `mode: report` failures `would fail`", async () => {
    const dir = tempDir({ "report.yml": `mode: report\n${NEW}`, "old.yml": OLD });
    mockList();
    mockAllReads();
    const { io, out } = capture();
    const code = await main(
      ["backtest", "Codertocat/Hello-World", "--since", "7d", "--now", NOW, "--config", join(dir, "report.yml"), "--compare", join(dir, "old.yml"), "--format", "markdown"],
      io,
    );
    expect(code).toBe(0);
    expect(out.stdout).toBe(
      [
        "## Backtest of Codertocat/Hello-World: 3 PRs",
        "",
        `Policy: \`${join(dir, "report.yml")}\`, compared with \`${join(dir, "old.yml")}\``,
        "",
        "| PR | agent | verdict | rules | compared |",
        "| --- | --- | --- | --- | --- |",
        "| [#3](https://github.com/Codertocat/Hello-World/pull/3) Scale the cluster | copilot | would fail | `reviewers`, `paths.forbidden` | wait for humans |",
        "| [#2](https://github.com/Codertocat/Hello-World/pull/2) Fix typo | copilot | pass |  | pass |",
        "| [#1](https://github.com/Codertocat/Hello-World/pull/1) Docs | none | not governed |  | not governed |",
        "",
        "```text",
        "backtest: 3 PRs",
        "  pass                 2  (1 not governed)",
        "  wait for humans      0",
        "  would fail           1",
        "by rule:           fail pending",
        "  paths.forbidden     1       0",
        "  reviewers           0       1",
        "by agent: copilot 2, none 1",
        "governed agent PRs:     pass    wait  would fail",
        "  copilot                  1       0           1",
        "```",
        "",
        `### compared with ${join(dir, "old.yml")}: 1 PR differs`,
        "",
        "- #3 copilot: action_required → failure (paths.forbidden)",
        "",
      ].join("\n"),
    );
  });

  it("--format json: one document with each PR, the tally and the changes", async () => {
    const { config, compare } = policies();
    mockList();
    mockAllReads();
    const { io, out } = capture();
    expect(await main(["backtest", "Codertocat/Hello-World", "--since", "7d", "--now", NOW, "--config", config, "--compare", compare, "--format", "json"], io)).toBe(0);
    const doc = JSON.parse(out.stdout) as Json;
    expect(doc).toMatchObject({
      repository: "Codertocat/Hello-World",
      policy: config,
      compare,
      pulls: [
        { number: 3, agent: "copilot", outcome: "violation", conclusion: "failure", verdict: "fail", rules: ["reviewers", "paths.forbidden"], snapshot: null, compared: { conclusion: "action_required" } },
        { number: 2, agent: "copilot", outcome: "passed", verdict: "pass" },
        { number: 1, agent: "none", outcome: "not_governed", verdict: "not governed" },
      ],
      tally: { prs: 3, pass: 2, fail: 1, governed: { copilot: { pass: 1, wait: 0, fail: 1, overridden: 0, error: 0 } } },
      changes: [{ number: 3, agent: "copilot", from: "action_required", to: "failure", rules: ["paths.forbidden"] }],
    });
  });

  it("without --config reads the repository's policy from its default branch, with GH_TOKEN at GITHUB_API_URL (GitHub Enterprise Server)", async () => {
    const GHE = "https://ghe.example.com/api/v3";
    const ghe = nock(GHE);
    ghe
      .get(`${REPO_PATH}/contents/.github%2Fagent-governance.yml`)
      .reply(200, { type: "file", encoding: "base64", content: Buffer.from(NEW).toString("base64") }, { etag: '"p1"' });
    ghe.get(`${REPO_PATH}/pulls`).query({ state: "all", sort: "created", direction: "desc", per_page: "1" }).reply(200, [PR3], { link: `<${GHE}${REPO_PATH}/pulls?page=2>; rel="next"` });
    ghe.get(`${REPO_PATH}/pulls/3`).reply(200, PR3);
    ghe.get(`${REPO_PATH}/commits/${sha(3)}/check-runs`).query(true).reply(200, { total_count: 0, check_runs: [] });
    ghe.get(`${REPO_PATH}/pulls/3/files`).query(true).reply(200, [{ filename: "infra/prod/main.tf", status: "modified" }]);
    ghe.get(`${REPO_PATH}/pulls/3/commits`).query(true).reply(200, [commit({ sha: sha(3) })]);
    ghe.get(`${REPO_PATH}/pulls/3/reviews`).query(true).reply(200, []);
    ghe.get(`${REPO_PATH}/issues/3/comments`).query(true).reply(200, []);
    ghe.get(`${REPO_PATH}/commits/${sha(3)}/pulls`).reply(200, [{ number: 3, state: "open", head: { sha: sha(3) } }]);
    const { io, out } = capture({ env: { GH_TOKEN: TOKEN, GITHUB_API_URL: `${GHE}/` } });
    expect(await main(["backtest", "Codertocat/Hello-World", "--last", "1", "--now", NOW, "--format", "json"], io)).toBe(0);
    expect(nock.pendingMocks()).toEqual([]);
    expect(JSON.parse(out.stdout)).toMatchObject({ policy: "Codertocat/Hello-World:.github/agent-governance.yml", pulls: [{ number: 3, verdict: "fail" }] });
  });

  it("draws a progress bar on a terminal, and clears it before the tally", async () => {
    const { config } = policies();
    mockList();
    mockAllReads();
    const { io, out } = capture({ tty: true });
    expect(await main(["backtest", "Codertocat/Hello-World", "--since", "7d", "--now", NOW, "--config", config], io)).toBe(0);
    expect(out.stderr).toContain("\r\x1b[K[########################] 3/3 #");
    expect(out.stderr.endsWith("\r\x1b[K")).toBe(true);
    expect(out.stderr).not.toContain("backtest: [");
  });

  it("says clearly what is missing: a token, the repository, --since or --last", async () => {
    const usage = async (args: string[], env: NodeJS.ProcessEnv = { GITHUB_TOKEN: TOKEN }) => {
      const { io, out } = capture({ env });
      return { code: await main(["backtest", ...args], io), stderr: out.stderr };
    };
    expect(await usage(["o/r", "--last", "5"], {})).toEqual({
      code: 2,
      stderr:
        "agent-governance: backtest needs GITHUB_TOKEN or GH_TOKEN with read access to the repository (or --offline to use the snapshots --out DIR holds)\nRun `agent-governance help` for usage.\n",
    });
    expect((await usage(["o/r#2", "--last", "5"])).stderr).toContain("backtest needs one repository, written OWNER/REPO");
    expect((await usage(["o/r"])).stderr).toContain("backtest needs either --since AGE (30d, 12h, 2w or an ISO date) or --last N");
    expect((await usage(["o/r", "--since", "7d", "--last", "2"])).code).toBe(2);
    expect((await usage(["o/r", "--since", "a week"])).stderr).toContain("--since `a week` is not an age (30d, 12h, 2w) nor an ISO date");
    expect((await usage(["o/r", "--last", "0"])).stderr).toContain("--last `0` is not a number of PRs (1 or more)");
    expect((await usage(["o/r", "--last", "1", "--offline"])).stderr).toContain("--offline needs --out DIR");
  });

  it("exits 1 naming the repository when GitHub refuses the list", async () => {
    nock(API).get(`${REPO_PATH}/pulls`).query(true).reply(404, { message: "Not Found" });
    const { config } = policies();
    const { io, out } = capture();
    expect(await main(["backtest", "Codertocat/Hello-World", "--last", "2", "--config", config], io)).toBe(1);
    expect(out.stderr).toContain("agent-governance backtest: could not read Codertocat/Hello-World: 404 Not Found");
    expect(out.stderr).toContain("(does the repository exist, and can the token read it?)");
  });

  it("names a PR it could not read, tallies the others, and exits 1", async () => {
    const { config } = policies();
    mockList();
    nock(API).get(`${REPO_PATH}/pulls/3`).reply(404, { message: "Not Found" });
    mockReads(PR2, { files: [{ filename: "README.md", status: "modified" }], reviews: [review({ login: "alice", commitId: sha(2) })] });
    nock(API).get(`${REPO_PATH}/collaborators/alice/permission`).reply(200, { permission: "write", role_name: "write", user: { login: "alice" } });
    mockReads(PR1, { files: [{ filename: "docs/guide.md", status: "modified" }] });
    const { io, out } = capture();
    expect(await main(["backtest", "Codertocat/Hello-World", "--since", "7d", "--now", NOW, "--config", config], io)).toBe(1);
    expect(out.stderr).toContain("#3: could not read: 404 Not Found");
    expect(out.stderr).toContain("could not read or evaluate 1 PR (named above)\n");
    expect(out.stdout).toMatch(/^backtest: 2 PRs\n/);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("--offline without an earlier run says to run online first", async () => {
    const { dir, config } = policies();
    const { io, out } = capture({ env: {} });
    expect(await main(["backtest", "o/r", "--last", "2", "--config", config, "--offline", "--out", join(dir, "none")], io)).toBe(1);
    expect(out.stderr).toContain(`${join(dir, "none", "pulls.json")}: no such file; run backtest once online with --out ${join(dir, "none")}`);
    expect(existsSync(join(dir, "none"))).toBe(false);
  });
});

describe("backtest's pure parts", () => {
  it("parses --since as an age or a date", () => {
    const now = Date.parse(NOW);
    expect(parseSince("30d", now)).toBe(now - 30 * 86_400_000);
    expect(parseSince("12h", now)).toBe(now - 12 * 3_600_000);
    expect(parseSince("2w", now)).toBe(now - 14 * 86_400_000);
    expect(parseSince("2026-11-01", now)).toBe(Date.parse("2026-11-01"));
    expect(parseSince("30", now)).toBeNull();
    expect(parseSince("2026-13-45", now)).toBeNull();
  });

  it("selects the last N, or those created since", () => {
    const list = [3, 2, 1].map((n) => ({ number: n, head: sha(n), created_at: `2026-11-1${n}T00:00:00Z`, updated_at: null }));
    expect(selectPulls(list, { last: 2 }).map((p) => p.number)).toEqual([3, 2]);
    expect(selectPulls(list, { since: Date.parse("2026-11-12T00:00:00Z") }).map((p) => p.number)).toEqual([3, 2]);
  });

  it("tells a rate limit from a refusal", () => {
    const err = (status: number, headers: Record<string, string>, message = "") => ({ status, message, response: { headers } });
    expect(rateLimitWait(err(429, { "retry-after": "3" }), 0)).toEqual({ ms: 3000, why: "as GitHub's retry-after asks" });
    expect(rateLimitWait(err(403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "100" }), 90_000)).toEqual({
      ms: 11_000,
      why: "until the rate limit resets at 1970-01-01T00:01:40.000Z",
    });
    expect(rateLimitWait(err(403, {}, "You have exceeded a secondary rate limit"), 0)?.ms).toBe(60_000);
    expect(rateLimitWait(err(403, { "x-ratelimit-remaining": "12" }, "Resource not accessible by integration"), 0)).toBeNull();
    expect(rateLimitWait(err(404, { "retry-after": "3" }), 0)).toBeNull();
  });
});
