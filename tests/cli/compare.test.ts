/** `explain --config NEW --compare OLD FACTS… [--floor ORG_FILE]`: the policy-change preview offline, run as a child process. */
import { describe, expect, it } from "vitest";
import { cli, tempDir } from "./run.js";

const NOW = "2026-11-20T12:00:00Z";
const COPILOT = { login: "Copilot", id: 198982749, type: "Bot" };

/** A saved PR: `number`, by `user`, changing `files`. */
function pr(number: number, user: object, files: string[]): string {
  return JSON.stringify({
    pull: { number, title: "Change", body: "Fixes #1", user, head: { ref: `b${number}`, sha: String(number).repeat(40).slice(0, 40) }, base: { ref: "main" } },
    files: files.map((filename) => ({ filename, status: "modified", additions: 1, deletions: 0, changes: 1 })),
    commits: [],
    reviews: [],
    comments: [],
  });
}

const FILES = {
  "old.yml": "reviewers: { required: 1 }\n",
  "new.yml": 'reviewers: { required: 1 }\npaths:\n  forbidden: ["infra/**", "docs/"]\n',
  "org.yml": "floor:\n  reviewers: { required: 2 }\n",
  "prs/12.json": pr(12, COPILOT, ["infra/main.tf"]),
  "prs/13.json": pr(13, COPILOT, ["src/a.ts"]),
  "prs/14.json": pr(14, { login: "octocat", id: 1, type: "User" }, ["infra/main.tf"]),
};

describe("explain --compare", () => {
  it("prints one line per PR with --format text, the proposed file's warnings first", () => {
    const dir = tempDir(FILES);
    expect(cli(["explain", "--config", "new.yml", "--compare", "old.yml", "prs", "--format", "text", "--now", NOW], { cwd: dir })).toEqual({
      code: 0,
      stdout: [
        "new.yml:3:27: `paths.forbidden[1]`: `docs/` matches no file (paths never end with `/`): write `docs/**` for everything under it (warning)",
        "#12 copilot: waiting → violation (paths.forbidden)",
        "#13 copilot: waiting (unchanged)",
        "#14 human: not governed (unchanged)",
        "1 of 3 PRs would change",
        "",
      ].join("\n"),
      stderr: "",
    });
  });

  it("prints the check's table with --format markdown, and what the floor overrides", () => {
    const dir = tempDir(FILES);
    const r = cli(["explain", "--config", "old.yml", "--compare", "old.yml", "--floor", "org.yml", "prs/12.json", "prs/13.json", "--format", "markdown", "--now", NOW], { cwd: dir });
    expect(r).toEqual({
      code: 0,
      stdout: ["- `reviewers.required`: 1 → 2 (org floor)", "", "No open pull request would change: #12, #13.", ""].join("\n"),
      stderr: "",
    });
  });

  it("prints the documented JSON by default", () => {
    const dir = tempDir(FILES);
    const r = cli(["explain", "--config", "new.yml", "--compare", "old.yml", "prs/12.json", "--now", NOW], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      proposed: {
        valid: true,
        source: "new.yml",
        problems: [],
        warnings: ["new.yml:3:27: `paths.forbidden[1]`: `docs/` matches no file (paths never end with `/`): write `docs/**` for everything under it"],
        floor: [],
      },
      changed: 1,
      unchanged: 0,
      pulls: [
        {
          number: 12,
          file: "12.json",
          agent: "copilot",
          before: { outcome: "waiting", conclusion: "action_required", mode: "enforce" },
          after: { outcome: "violation", conclusion: "failure", mode: "enforce" },
          rules: ["paths.forbidden"],
          changed: true,
          line: "#12 copilot: waiting → violation (paths.forbidden)",
        },
      ],
      unread: [],
    });
  });

  it("exits 1 when the proposed policy would be refused, naming the line; no PR is compared", () => {
    const dir = tempDir({ ...FILES, "bad.yml": "reviewers:\n  requird: 2\n" });
    expect(cli(["explain", "--config", "bad.yml", "--compare", "old.yml", "prs", "--format", "text"], { cwd: dir })).toEqual({
      code: 1,
      stdout: "bad.yml:2:3: unknown key `requird` under `reviewers`; did you mean `required`?\nbad.yml: invalid; no PR compared\n",
      stderr: "",
    });
  });

  it("refuses --floor without --compare, and an unknown format", () => {
    const dir = tempDir(FILES);
    expect(cli(["explain", "--config", "new.yml", "--floor", "org.yml", "prs"], { cwd: dir }).code).toBe(2);
    expect(cli(["explain", "--config", "new.yml", "--compare", "old.yml", "prs", "--format", "jsonl"], { cwd: dir }).code).toBe(2);
  });
});
