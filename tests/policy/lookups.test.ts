import { describe, expect, it } from "vitest";
import { MAX_CONTENTS, neededLookups } from "../../src/policy/lookups.js";
import { copilot, facts, file, human, policy, review } from "./build.js";

describe("neededLookups: what the finding rules read", () => {
  const both = policy({ compliance: { workflow_risk: true, install_scripts: true } });
  const files = [file(".github/workflows/ci.yml"), file("package.json"), file("src/a.ts"), file("setup.py"), file(".github/actions/x/action.yml")];

  it("the changed workflows and manifests, for a governed PR whose policy has the rules on", () => {
    expect(neededLookups(both, facts({ files }), copilot).contents).toEqual([".github/workflows/ci.yml", ".github/actions/x/action.yml", "package.json"]);
    expect(neededLookups(policy({ compliance: { workflow_risk: true } }), facts({ files }), copilot).contents).toEqual([".github/workflows/ci.yml", ".github/actions/x/action.yml"]);
  });

  it("nothing when the rules are off, the PR is not governed, or no such file changed", () => {
    expect(neededLookups(policy(), facts({ files }), copilot).contents).toBeUndefined();
    expect(neededLookups(both, facts({ files }), human).contents).toBeUndefined();
    expect(neededLookups(both, facts({ files: [file("src/a.ts")] }), copilot).contents).toBeUndefined();
  });

  it(`at most ${MAX_CONTENTS} files`, () => {
    const many = Array.from({ length: 30 }, (_, i) => file(`.github/workflows/w${i}.yml`));
    expect(neededLookups(both, facts({ files: many }), copilot).contents).toHaveLength(MAX_CONTENTS);
  });

  it("the group's team, when someone's approval is in question and the rule's files change", () => {
    const gated = policy({ compliance: { workflow_risk: { reviewers: { teams: ["acme/platform"] } }, install_scripts: { reviewers: { teams: ["acme/security"] } } } });
    const reviewed = { reviews: [review("alice", "APPROVED", "2025-06-01T11:00:00Z")] };
    expect(neededLookups(gated, facts({ files, ...reviewed }), copilot).teams).toEqual(["acme/platform", "acme/security"]);
    expect(neededLookups(gated, facts({ files: [file("setup.py")], ...reviewed }), copilot).teams).toEqual(["acme/security"]);
    expect(neededLookups(gated, facts({ files: [file("src/a.ts")], ...reviewed }), copilot).teams).toEqual([]);
  });
});
