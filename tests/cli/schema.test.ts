/** `agent-governance schema` and the committed copy that editors use. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, ROOT } from "./run.js";

const COMMITTED = join(ROOT, "schema", "agent-governance.schema.json");

describe("schema", () => {
  it("prints the JSON Schema, and the committed copy has not drifted (regenerate with `npm run schema`)", () => {
    const r = cli(["schema"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(readFileSync(COMMITTED, "utf8")).toBe(r.stdout);
  });

  it("describes the top-level keys, closed to unknown ones", () => {
    const schema = JSON.parse(cli(["schema"]).stdout) as { $schema: string; properties: Record<string, unknown>; additionalProperties: boolean };
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(["mode", "agents", "reviewers", "paths", "compliance", "escalation", "commands", "overrides"]),
    );
    expect(schema.additionalProperties).toBe(false);
  });

  it("takes `_extends` (read before the schema) and `$schema` at the top level, as strings with descriptions", () => {
    const schema = JSON.parse(cli(["schema"]).stdout) as { properties: Record<string, { type?: string; description?: string }> };
    expect(Object.keys(schema.properties)).toEqual([
      "$schema",
      "_extends",
      "mode",
      "agents",
      "reviewers",
      "paths",
      "compliance",
      "escalation",
      "commands",
      "limits",
      "overrides",
      "floor",
    ]);
    expect(schema.properties._extends).toEqual({
      type: "string",
      description:
        "A base policy this file is merged over, read from another repository's default branch: `.github` (the owner's `.github` repository), `owner/repo`, or `owner/repo:path.yml`. Mappings merge key by key; lists and values written here replace the base's. One level only.",
    });
    expect(schema.properties.$schema).toEqual({
      type: "string",
      description: "The JSON Schema this file follows, for editors' completion; the app ignores it.",
    });
  });
});
