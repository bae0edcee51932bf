import { describe, expect, it } from "vitest";
import { alreadyAnswered, escalateReply, explainReply, HELP, helpReply, helpText, MAX_REPLY, refusalReply, replyMarker } from "../../src/commands/answer.js";
import { policy } from "../policy/build.js";
import { parseCommand } from "../../src/commands/parse.js";

const approve = parseCommand("/governance approve")!;
const unknown = parseCommand("/governance l`gtm")!;

describe("the app's answers", () => {
  const replies = [
    helpReply(approve, 1),
    helpReply(unknown, 1),
    refusalReply("alice", approve, "no", 1),
    explainReply("**Agent:** x\n\nReviewers: approve with a review or `/governance approve`", 1),
    escalateReply("alice", ["acme/leads"], 1),
    escalateReply("alice", [], 1),
  ];

  it("never contain a command themselves, so the app cannot answer its own answers", () => {
    for (const r of replies) expect(parseCommand(r)).toBeNull();
  });

  it("each end with the marker of the comment they answer", () => {
    for (const r of replies) expect(r.endsWith(`\n\n${replyMarker(1)}`)).toBe(true);
  });

  it("quote an unknown word without breaking the inline code", () => {
    expect(helpReply(unknown, 1)).toBe(`\`/governance l'gtm\` is not a command.\n\n${HELP}\n\n${replyMarker(1)}`);
  });

  it("help says who may use approve and override under the policy that applies", () => {
    const text = helpText(policy({ commands: { approve: { enabled: false }, override: { min_permission: "maintain", users: ["release-captain"] } } }).commands);
    expect(text).toContain("| `/governance approve` | nobody: off in this repository (`commands.approve.enabled: false`); approve with a GitHub review | counts as your approval of the current head commit |");
    expect(text).toContain("| `/governance override [7d] <reason>` | maintain permission or above or the people `commands.override` lists | lets the current head commit pass");
    expect(HELP).toContain("| `/governance override [7d] <reason>` | admins, or the people the policy's `commands.override` lists |");
  });

  it("name escalated tiers without mentioning them again", () => {
    expect(escalateReply("alice", ["acme/leads", "carol"], 9)).toBe(
      `Escalated at @alice's request: notified \`acme/leads\`, \`carol\` in the escalation comment.\n\n${replyMarker(9)}`,
    );
  });

  it("cut an explanation to fit in a comment", () => {
    const r = explainReply("x".repeat(MAX_REPLY + 10), 1);
    expect(r.length).toBeLessThan(65_536);
    expect(r).toContain("… (truncated)");
  });
});

describe("alreadyAnswered", () => {
  const at = "2026-01-01T00:00:00Z";
  it("finds the marker only in a bot's comment, for that comment id", () => {
    const bot = { id: 2, user: { login: "agent-governance[bot]", type: "Bot" }, body: `hi\n\n${replyMarker(1)}`, created_at: at };
    const human = { ...bot, user: { login: "mallory", type: "User" } };
    expect(alreadyAnswered([bot], 1)).toBe(true);
    expect(alreadyAnswered([bot], 11)).toBe(false);
    expect(alreadyAnswered([human], 1)).toBe(false); // a human cannot silence an answer by forging the marker
    expect(alreadyAnswered([], 1)).toBe(false);
  });
});
