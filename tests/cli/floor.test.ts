/** `validate FILE --floor ORG_FILE`: one line for each setting of FILE the organization's floor overrides. */
import { describe, expect, it } from "vitest";
import { cli, tempDir } from "./run.js";

const ORG = "reviewers: { required: 2 }\nfloor:\n  mode: enforce\n  reviewers: { required: 1 }\n  paths: { forbidden: [\"infra/**\"] }\n  agents: { ignore: [sweep] }\n";

describe("validate --floor", () => {
  it("prints, after `valid`, one line per setting the floor overrides", () => {
    const dir = tempDir({ "org.yml": ORG, "repo.yml": "mode: report\nreviewers: { required: 0 }\nagents: { ignore: [copilot, dependabot] }\n", "ok.yml": "reviewers: { required: 3 }\npaths: { forbidden: [\"infra/**\"] }\n" });
    expect(cli(["validate", "repo.yml", "ok.yml", "--floor", "org.yml"], { cwd: dir })).toEqual({
      code: 0,
      stdout: [
        "repo.yml: valid",
        "repo.yml: `mode`: report → enforce (org floor)",
        "repo.yml: `reviewers.required`: 0 → 1 (org floor)",
        "repo.yml: `paths.forbidden`: adds `infra/**` (org floor)",
        "repo.yml: `agents.ignore`: drops `copilot` (agents cannot be ignored) (org floor)",
        "ok.yml: valid",
        "",
      ].join("\n"),
      stderr: "",
    });
  });

  it("exits 1 when the org file is invalid or has no floor, with its position", () => {
    const dir = tempDir({ "org.yml": "floor:\n  mode: report\n", "none.yml": "mode: report\n", "repo.yml": "mode: report\n" });
    const bad = cli(["validate", "repo.yml", "--floor", "org.yml"], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      "agent-governance: invalid org policy (every repository's check would fail):\norg.yml:2:9: `floor.mode`: a floor's `mode` can only be `enforce` (a floor can only make policies stricter); leave `mode` out to let each repository choose\n",
    );
    expect(cli(["validate", "repo.yml", "--floor", "none.yml"], { cwd: dir })).toEqual({ code: 1, stdout: "", stderr: "agent-governance: none.yml has no `floor:` section\n" });
  });
});
