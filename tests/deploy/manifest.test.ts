/**
 * `app.yml`, the manifest GitHub registers the app from, subscribes to exactly
 * the events the app handles, with the permissions those events need: an event
 * handled but not subscribed never arrives (a merge queue would wait forever).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createApp } from "../../src/index.js";

const manifest = parse(readFileSync(new URL("../../app.yml", import.meta.url), "utf8")) as {
  default_events: string[];
  default_permissions: Record<string, string>;
};

/** The events `createApp` registers handlers for, as `event.action` names. */
function handled(): string[] {
  const names: string[] = [];
  const app = { on: (events: string | string[]) => names.push(...[events].flat()), log: { info() {}, warn() {}, error() {} } };
  createApp({ sweepMinutes: 0 })(app as never);
  return names;
}

describe("app.yml", () => {
  it("subscribes to every event the app handles, and to no other", () => {
    const events = [...new Set(handled().map((n) => n.split(".")[0]!))].sort();
    expect([...manifest.default_events].sort()).toEqual(events);
  });

  it("asks for the permission each subscribed event needs, and the writes the app makes", () => {
    const needs: Record<string, [string, string]> = {
      pull_request: ["pull_requests", "write"],
      pull_request_review: ["pull_requests", "write"],
      issue_comment: ["issues", "write"],
      check_run: ["checks", "write"],
      check_suite: ["checks", "write"],
      status: ["statuses", "read"],
      merge_group: ["merge_queues", "read"],
    };
    for (const event of manifest.default_events) {
      expect(needs[event], `no permission known for ${event}`).toBeDefined();
      const [permission, level] = needs[event]!;
      expect(manifest.default_permissions[permission], `${event} needs ${permission}: ${level}`).toBe(level);
    }
  });
});
