/**
 * `reviewers.codeowners` and `reviewers.request` end to end: CODEOWNERS read from the default
 * branch through the contents API (no `ref`), the owners of the changed files required and asked,
 * a pool's pick asked too, with the exact review request and check run the app sends.
 */
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  API,
  COMMANDS_LINE,
  COPILOT_HEADER,
  HOW_TO_ACT,
  REPO_PATH,
  mockCheckRun,
  mockCheckRunUpdate,
  mockEscalation,
  mockLabels,
  mockPolicy,
  mockPolicyNotModified,
  mockPr,
  mockReviewRequest,
  mockToken,
  pullRequestPayload,
  receive,
  review,
  setupApp,
  teardown,
  type TestApp,
  checkRunBody,
  REVIEW_FIX,
  waitingOutputs,
} from "../helpers/app.js";
import { WAITING_LEDGER } from "../helpers/ledger.js";


const POLICY = ["reviewers:", "  required: 0", "  codeowners: true", "  request: { count: 1, from: [carol, dave] }"].join("\n");
const CODEOWNERS = ["# Owners", "*           @Codertocat/maintainers", "/src/       @alice @Codertocat/web", "/src/db/    @Codertocat/dba", "*.md", "!secret.txt @mallory"].join("\n");

const change = (filename: string) => ({ filename, status: "modified", additions: 1, deletions: 0, changes: 1 });
const FILES = [change("src/api.ts"), change("src/db/001.sql"), change("README.md")];

/** CODEOWNERS on the default branch, in GitHub's three places: `where` has it, the others 404. Never with a `ref`. */
function mockCodeowners(where: ".github/CODEOWNERS" | "CODEOWNERS" | "docs/CODEOWNERS" | null, text = CODEOWNERS, etag = '"owners-v1"'): nock.Scope {
  const scope = nock(API);
  for (const path of [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"]) {
    const url = `${REPO_PATH}/contents/${encodeURIComponent(path)}`;
    if (path === where) scope.get(url).reply(200, { type: "file", encoding: "base64", path, content: Buffer.from(text).toString("base64") }, { etag });
    else scope.get(url).reply(404, { message: "Not Found" });
  }
  return scope;
}

let app: TestApp;
beforeEach(() => {
  app = setupApp();
  mockToken();
});
afterEach(() => teardown());

describe("code owners and a reviewer pool, end to end", () => {
  it("an opened agent PR waits for each changed file's owners, asks them and one of the pool, and says which files wait for whom", async () => {
    mockPolicy(POLICY);
    const owners = mockCodeowners("CODEOWNERS");
    mockPr({ opened: true, files: FILES });
    mockLabels({ add: ["agent-pr", "needs-human-review"] });
    const comment = mockEscalation();
    const request = mockReviewRequest();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload());
    expect(owners.isDone()).toBe(true);
    // The escalation comment names each line's files and owners too.
    expect(comment.body()).toBe(
      [
        "<!-- agent-governance:escalation -->",
        "### 👀 This agent PR needs human review",
        "",
        "Opened by **Copilot coding agent**. Before it can merge:",
        "",
        "- ⏳ **code owners of `src/api.ts` (CODEOWNERS line 3)**: 1 more approval from @alice, @Codertocat/web with write permission or above",
        "- ⏳ **code owners of `src/db/001.sql` (CODEOWNERS line 4)**: 1 more approval from @Codertocat/dba with write permission or above",
        "",
        `${HOW_TO_ACT}\n<!-- agent-governance:state {"notified":{}} -->`,
      ].join("\n"),
    );
    // The owners (a user and two teams of the repository's organization) and the pool's pick for this PR.
    expect(request.body()).toEqual({ reviewers: ["alice", "carol"], team_reviewers: ["web", "dba"] });
    const needsWeb = "Needs approval: 1 more approval from @alice, @Codertocat/web with write permission or above.";
    const needsDba = "Needs approval: 1 more approval from @Codertocat/dba with write permission or above.";
    const needsMaintainers = "Needs approval: 1 more approval from @Codertocat/maintainers with write permission or above.";
    expect(check.body()).toEqual(checkRunBody("action_required", {
      title: "Waiting for 2 human approvals",
      summary: [
        COPILOT_HEADER,
        "",
        "| | Rule | Result |",
        "| --- | --- | --- |",
        "| ➖ | `reviewers.codeowners` | CODEOWNERS lines not applied: line 6: `!secret.txt`: `!` (negation) is not supported in CODEOWNERS; GitHub skips this line.<br>_Fix:_ Fix these lines of CODEOWNERS on the default branch (GitHub also lists its errors on the file's page). |",
        `| ⏳ | \`reviewers.codeowners:3\` | Code owners of \`src/api.ts\` (CODEOWNERS line 3, \`/src/\`): 0/1 approvals; needs 1 more approval from @alice, @Codertocat/web with write permission or above.<br>${REVIEW_FIX} |`,
        `| ⏳ | \`reviewers.codeowners:4\` | Code owners of \`src/db/001.sql\` (CODEOWNERS line 4, \`/src/db/\`): 0/1 approvals; needs 1 more approval from @Codertocat/dba with write permission or above.<br>${REVIEW_FIX} |`,
        "",
        "**Still required:**",
        "- code owners of `src/api.ts` (CODEOWNERS line 3): 1 more approval from @alice, @Codertocat/web with write permission or above",
        "- code owners of `src/db/001.sql` (CODEOWNERS line 4): 1 more approval from @Codertocat/dba with write permission or above",
        "",
        COMMANDS_LINE,
      ].join("\n"),
      text: WAITING_LEDGER,
      annotations: [
        { path: "src/api.ts", start_line: 1, end_line: 1, annotation_level: "warning", title: "reviewers.codeowners:3", message: needsWeb },
        { path: "src/db/001.sql", start_line: 1, end_line: 1, annotation_level: "warning", title: "reviewers.codeowners:4", message: needsDba },
      ],
    }));
    // README.md is matched last by `*.md`, which names no owner: nobody's approval is needed for it.
    expect(JSON.stringify(check.body())).not.toContain(needsMaintainers);
    expect(nock.isDone()).toBe(true);
  });

  it("a CODEOWNERS over 1 MB (the contents API leaves its content out, `encoding: none`) is read raw, not taken as no owners nor failing every PR", async () => {
    mockPolicy(POLICY);
    const big = `${CODEOWNERS}\n${"# padding to make the file large\n".repeat(40_000)}`;
    const scope = nock(API);
    for (const path of [".github/CODEOWNERS", "docs/CODEOWNERS"]) scope.get(`${REPO_PATH}/contents/${encodeURIComponent(path)}`).reply(404, { message: "Not Found" });
    scope.get(`${REPO_PATH}/contents/CODEOWNERS`).reply(200, { type: "file", encoding: "none", path: "CODEOWNERS", size: big.length, content: "" }, { etag: '"big"' });
    const raw = nock(API, { reqheaders: { accept: "application/vnd.github.v3.raw" } }).get(`${REPO_PATH}/contents/CODEOWNERS`).reply(200, big);
    mockPr({ opened: true, files: FILES });
    waitingOutputs();
    const request = mockReviewRequest();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload());
    expect(raw.isDone()).toBe(true);
    expect(request.body()).toEqual({ reviewers: ["alice", "carol"], team_reviewers: ["web", "dba"] });
    const body = check.body() as { conclusion: string; output: { title: string } };
    expect([body.conclusion, body.output.title]).toEqual(["action_required", "Waiting for 2 human approvals"]);
    expect(nock.isDone()).toBe(true);
  });

  it("a team owner's member approves: their files pass; nobody already asked is asked again (no review request at all)", async () => {
    mockPolicy(POLICY);
    mockCodeowners(".github/CODEOWNERS");
    mockPr({
      files: FILES,
      pull: {
        ...(pullRequestPayload({ action: "synchronize" }).pull_request as Record<string, unknown>),
        requested_reviewers: [{ login: "carol", id: 2, type: "User" }],
        requested_teams: [{ slug: "dba" }],
      },
      reviews: [review({ login: "bob" })],
      permissions: { bob: "write" },
      teams: { "Codertocat/web": ["bob"], "Codertocat/dba": ["dana"] },
    });
    waitingOutputs();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload({ action: "synchronize" }));
    // `src/api.ts` is approved (@bob of @Codertocat/web); the DBAs and the pool's @carol were asked before: no request is made.
    const summary = (check.body()?.output as { summary: string }).summary;
    expect(summary).toContain("| ✅ | `reviewers.codeowners:3` | Code owners of `src/api.ts` (CODEOWNERS line 3, `/src/`): approved by @bob. |");
    expect(summary).toContain("- code owners of `src/db/001.sql` (CODEOWNERS line 4): 1 more approval from @Codertocat/dba with write permission or above");
    expect(summary).toContain("- @bob approved `ec26c3e` by review at 2026-11-20T11:00:00Z (reviewers.codeowners:3)");
    expect(nock.isDone()).toBe(true);
  });

  it("no CODEOWNERS anywhere: the rule says so and needs nothing; the pool is still asked", async () => {
    mockPolicy(POLICY.replace("required: 0", "required: 1"));
    mockCodeowners(null);
    mockPr({ opened: true, files: FILES });
    waitingOutputs();
    const request = mockReviewRequest();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload());
    expect(request.body()).toEqual({ reviewers: ["carol"], team_reviewers: [] });
    expect((check.body()?.output as { summary: string }).summary).toContain(
      "| ➖ | `reviewers.codeowners` | No CODEOWNERS file on the default branch (`.github/CODEOWNERS`, `CODEOWNERS` or `docs/CODEOWNERS`): no code owner's approval is needed. |",
    );
    expect(nock.isDone()).toBe(true);
  });

  it("reads CODEOWNERS only when the policy asks for code owners", async () => {
    mockPolicy("reviewers:\n  required: 1\n");
    // Any CODEOWNERS read would find no mock and fail the evaluation.
    mockPr({ opened: true, files: FILES });
    waitingOutputs();
    const check = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload());
    expect(check.body()?.conclusion).toBe("action_required");
    expect(JSON.stringify(check.body())).not.toContain("codeowners");
    expect(nock.isDone()).toBe(true);
  });

  it("a later event reads the policy and CODEOWNERS conditionally (304 with their ETags), and writes the same result", async () => {
    const policy = `${POLICY}\nescalation: { comment: false }\n`;
    mockPolicy(policy);
    mockCodeowners("CODEOWNERS");
    mockPr({ opened: true, files: FILES });
    mockLabels({ add: ["agent-pr", "needs-human-review"] });
    mockReviewRequest();
    const first = mockCheckRun();
    await receive(app, "pull_request", pullRequestPayload());
    expect(nock.isDone()).toBe(true);

    mockPolicyNotModified();
    const conditional = nock(API, { reqheaders: { "if-none-match": '"owners-v1"' } }).get(`${REPO_PATH}/contents/CODEOWNERS`).reply(304);
    nock(API).get(`${REPO_PATH}/contents/.github%2FCODEOWNERS`).reply(404, { message: "Not Found" }).get(`${REPO_PATH}/contents/docs%2FCODEOWNERS`).reply(404, { message: "Not Found" });
    const asked = { requested_reviewers: [{ login: "alice", id: 1, type: "User" }, { login: "carol", id: 2, type: "User" }], requested_teams: [{ slug: "web" }, { slug: "dba" }] };
    const labels = [{ name: "agent-pr" }, { name: "needs-human-review" }];
    mockPr({ files: FILES, pull: { ...(pullRequestPayload({ action: "ready_for_review" }).pull_request as Record<string, unknown>), labels, ...asked } });
    const output = first.body()!.output as Record<string, unknown>;
    // Our check run as the first event wrote it (the app remembers it: not read back).
    const second = mockCheckRunUpdate(555);
    await receive(app, "pull_request", { ...pullRequestPayload({ action: "ready_for_review" }), pull_request: { ...(pullRequestPayload({ action: "ready_for_review" }).pull_request as Record<string, unknown>), labels, ...asked } });
    expect(conditional.isDone()).toBe(true);
    // Nobody new to ask, no label to change: only the check run is written, with the same verdict.
    // (This payload names an assignee, taken as the invoker: the header differs, the rules do not.)
    const rows = (summary: unknown) => String(summary).slice(String(summary).indexOf("| | Rule"));
    expect(rows((second.body()?.output as Record<string, unknown>).summary)).toBe(rows(output.summary));
    expect(rows(output.summary)).toContain("| ⏳ | `reviewers.codeowners:3` | Code owners of `src/api.ts` (CODEOWNERS line 3, `/src/`): 0/1 approvals;");
    expect(nock.isDone()).toBe(true);
  });
});
