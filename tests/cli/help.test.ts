/** `--help` for every command, `--version`, and plain words for a policy value of the wrong type (the built CLI). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, ROOT, tempDir } from "./run.js";

const COMMANDS = ["validate", "explain", "snapshot", "backtest", "schema", "mcp"];

describe("help", () => {
  it.each(COMMANDS)("`%s --help`, `-h` and `help %s` print the command's usage and options, exit 0", (command) => {
    for (const args of [[command, "--help"], [command, "-h"], ["help", command], [command, "--format", "x", "--help"]]) {
      const r = cli(args);
      expect(r.code, args.join(" ")).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: agent-governance ${command}\\b`));
      expect(r.stdout).toContain("-h, --help");
      expect(r.stderr).toBe("");
    }
  });

  it("`explain --help` says a folder gives JSON Lines, not one JSON document", () => {
    const help = cli(["explain", "--help"]).stdout;
    expect(help).toContain("A folder or several files: JSON Lines, one evaluation per line");
    expect(help).toContain("--format jsonl");
  });

  it("a file named --help after `--` is a file, not a request for help", () => {
    const r = cli(["validate", "--", "--help"], { cwd: tempDir() });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("--help:1:1: no such file\n");
  });

  it("`help` of an unknown command exits 2 with the usage", () => {
    const r = cli(["help", "valdate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^agent-governance: unknown command `valdate`\nUsage:/);
  });

  it("the top-level usage points at the commands' help and --version", () => {
    expect(cli(["--help"]).stdout).toContain("Run `agent-governance COMMAND --help` for a command's options");
  });
});

describe("--version", () => {
  it("prints the package's version", () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    for (const flag of ["--version", "-V", "version"]) {
      const r = cli([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`agent-governance ${version}\n`);
    }
  });
});

describe("wrong types in plain words", () => {
  it("says what the key must be and what the file has, for each kind", () => {
    const dir = tempDir({
      "p.yml": 'reviewers:\n  required: many\n  from: { users: alice }\nmode: 3\npaths:\n  restricted:\n    - paths: []\n      reviewers: { required: 99 }\n',
    });
    const r = cli(["validate", "p.yml"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      [
        'p.yml:2:13: `reviewers.required`: must be a number, not the text "many"',
        'p.yml:3:18: `reviewers.from.users`: must be a list, not the text "alice"',
        "p.yml:4:7: `mode`: must be one of `enforce`, `report`",
        "p.yml:7:14: `paths.restricted[0].paths`: must have at least 1 entry",
        "p.yml:8:30: `paths.restricted[0].reviewers.required`: must be at most 50",
        "",
      ].join("\n"),
    );
    expect(r.stdout).not.toMatch(/Invalid input|Invalid option|Too (small|big)|received/);
  });
});
