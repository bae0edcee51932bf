/**
 * "Not counted" end to end (issue 18, point 2): the check run lists each review approval and command that
 * did not count, one line each with who, when and why.
 */
import nock from "nock";
import { afterEach, expect, it } from "vitest";
import {
  COMMANDS_LINE,
  COPILOT_HEADER,
  NOW,
  SEEN_CHECK,
  mockCheckRun,
  mockPolicy,
  mockPr,
  mockToken,
  receive,
  review,
  reviewPayload,
  setupApp,
  teardown,
  checkRunUpdateBody,
  waitingOutputs,
} from "../helpers/app.js";
import { sealed } from "../helpers/ledger.js";

afterEach(() => teardown());

const OLDER = "0000000000000000000000000000000000000001";

it("a review lists every approval and command that did not count, with why, oldest first", async () => {
  const app = setupApp();
  mockToken();
  mockPolicy(null);
  mockPr({
    reviews: [
      review({ id: 1, login: "alice", commitId: OLDER, at: "2026-11-20T09:30:00Z" }),
      review({ id: 2, login: "rita", at: "2026-11-20T10:30:00Z" }),
      review({ id: 3, login: "carol", at: "2026-11-20T10:40:00Z" }),
      review({ id: 4, login: "carol", state: "CHANGES_REQUESTED", at: "2026-11-20T10:50:00Z" }),
      review({ id: 5, login: "helper[bot]", type: "Bot", at: "2026-11-20T11:00:00Z" }),
    ],
    comments: [
      { id: 61, user: { login: "dave", id: 61, type: "User" }, body: "/governance approve", created_at: "2026-11-20T11:10:00Z", updated_at: "2026-11-20T11:12:00Z" },
    ],
    permissions: { alice: "write", rita: "read", carol: "write", dave: "write" },
  });
  waitingOutputs();
  const check = mockCheckRun(SEEN_CHECK);
  await receive(app, "pull_request_review", reviewPayload({ reviewer: { login: "rita", id: 5003, type: "User" } }));
  expect(check.body()).toEqual(checkRunUpdateBody("action_required", {
    title: "Changes requested by a reviewer",
    summary: [
      COPILOT_HEADER,
      "",
      "| | Rule | Result |",
      "| --- | --- | --- |",
      "| ⏳ | `reviewers` | Human review: changes requested by @carol.<br>_Fix:_ Address the requested changes; the reviewer must approve or the review must be dismissed. |",
      "",
      "**Still required:**",
      "- reviewers: 1 more approval from anyone with write permission or above; changes requested by @carol",
      "",
      "**Not counted:**",
      "- @alice approved `0000000` by review at 2026-11-20T09:30:00Z: stale: the head is now `ec26c3e`",
      "- @rita approved `ec26c3e` by review at 2026-11-20T10:30:00Z: read permission; needs write or above",
      "- @carol approved `ec26c3e` by review at 2026-11-20T10:40:00Z: changes requested after it, at 2026-11-20T10:50:00Z",
      "- @helper[bot] approved `ec26c3e` by review at 2026-11-20T11:00:00Z: a bot or app account",
      "- @dave approved `ec26c3e` by command at 2026-11-20T11:10:00Z: its comment was edited at 2026-11-20T11:12:00Z: write a new one",
      "",
      COMMANDS_LINE,
    ].join("\n"),
    text: sealed({ invokers: [], escalation: { notified: {}, started: NOW } }),
  }));
  expect(nock.isDone()).toBe(true);
});
