/**
 * The app's written answers to commands (pure): help, refusals, explain, each
 * carrying a hidden marker naming the comment it answers, so a redelivered
 * command is answered once (the marker is found in the comment list).
 */
import type { Policy } from "../config/schema.js";
import { isBot } from "../policy/reviewers.js";
import { redactSecrets } from "../policy/secrets.js";
import type { CommentFacts } from "../types.js";
import type { ParsedCommand } from "./parse.js";

/** GitHub rejects comments over 65,536 characters. */
export const MAX_REPLY = 60_000;

export const replyMarker = (commentId: number) => `<!-- agent-governance:reply:${commentId} -->`;

/** Has the app (a bot comment carrying the marker) already answered comment `commentId`? */
export function alreadyAnswered(comments: readonly CommentFacts[], commentId: number): boolean {
  const marker = replyMarker(commentId);
  return comments.some((c) => isBot(c.user) && (c.body ?? "").includes(marker));
}

/** The reviewer commands: one list, rendered in the help reply and the escalation comment. */
export const COMMANDS: readonly { usage: string; who: string; what: string }[] = [
  { usage: "/governance approve", who: "anyone whose review would count under the policy (not the PR author or the agent's invoker)", what: "counts as your approval of the current head commit" },
  { usage: "/governance override [7d] <reason>", who: "admins, or the people the policy's `commands.override` lists", what: "lets the current head commit pass despite failing rules; recorded with who, when, commit and reason; a duration first (`4h`, `7d`) makes it expire" },
  { usage: "/governance recheck", who: "anyone with write access", what: "re-evaluates the PR now" },
  { usage: "/governance explain", who: "anyone", what: "replies with the full evaluation" },
  { usage: "/governance escalate", who: "anyone with write access", what: "notifies the next escalation tier now" },
  { usage: "/governance help", who: "anyone", what: "shows this list" },
];

/** Who may override, as `commands.override` says, for reviewers. */
export function overrideWho(o: Policy["commands"]["override"]): string {
  const by = o.min_permission === "admin" ? "admin permission" : `${o.min_permission} permission or above`;
  return `${by}${o.users.length || o.teams.length ? " or the people `commands.override` lists" : ""}`;
}

/** The help text; with the applying policy's `commands`, who may override and whether approve is on say what it says. */
export function helpText(commands?: Policy["commands"]): string {
  const who = (c: (typeof COMMANDS)[number]) => {
    if (!commands) return c.who;
    if (c.usage.includes("override")) return overrideWho(commands.override);
    if (c.usage.endsWith("approve") && !commands.approve.enabled) return "nobody: off in this repository (`commands.approve.enabled: false`); approve with a GitHub review";
    return c.who;
  };
  return [
    "**agent-governance commands**: write one in a new PR comment, on a line of its own (case does not matter; quoted or in code it does not count).",
    "",
    "| Command | Who may | What it does |",
    "| --- | --- | --- |",
    ...COMMANDS.map((c) => `| \`${c.usage}\` | ${who(c)} | ${c.what} |`),
    "",
    "Editing or deleting a command's comment withdraws it; an edited command is not obeyed.",
  ].join("\n");
}

export const HELP = helpText();

/** A reply: `text` with secrets redacted (it may quote the command or the evaluation), then the marker, which redaction never touches. */
const withMarker = (text: string, commentId: number) => `${redactSecrets(text)}\n\n${replyMarker(commentId)}`;

const quoted = (cmd: ParsedCommand) => `\`/governance${cmd.word ? ` ${redactSecrets(cmd.word.slice(0, 400)).replace(/`/g, "'").slice(0, 50)}` : ""}\``;

export function helpReply(cmd: ParsedCommand, commentId: number, commands?: Policy["commands"]): string {
  const lead = cmd.name === "unknown" ? `${quoted(cmd)} is not a command.\n\n` : "";
  return withMarker(`${lead}${helpText(commands)}`, commentId);
}

export function refusalReply(login: string, cmd: ParsedCommand, reason: string, commentId: number): string {
  return withMarker(`@${login} ${quoted(cmd)} was not done: ${reason}.`, commentId);
}

/** An approve or override given before the app saw the head commit: it cannot count for it. */
export function unboundReply(login: string, cmd: ParsedCommand, head: string, commentId: number): string {
  return withMarker(
    `@${login} ${quoted(cmd)} was not counted: the app had not yet seen the head commit \`${head.slice(0, 7)}\` when you wrote it (it was pushed, or the app was installed, just before), so it cannot tell that you saw it. Check the latest changes and comment again.`,
    commentId,
  );
}

/** An approve or override that the evaluation did not count for the head, for a reason the check run gives. */
export function notCountedReply(login: string, cmd: ParsedCommand, head: string, commentId: number): string {
  return withMarker(`@${login} ${quoted(cmd)} was not counted for the head commit \`${head.slice(0, 7)}\`: the check run says why.`, commentId);
}

export function explainReply(summary: string, commentId: number): string {
  const text = summary.length > MAX_REPLY ? `${summary.slice(0, MAX_REPLY)}\n\n… (truncated)` : summary;
  return withMarker(text, commentId);
}

/** The answer to `/governance escalate`: who was notified (named, not mentioned again), or why nobody was. */
export function escalateReply(login: string, notified: readonly string[], commentId: number): string {
  const text = notified.length
    ? `Escalated at @${login}'s request: notified ${notified.map((w) => `\`${w}\``).join(", ")} in the escalation comment.`
    : `@${login} there was no escalation tier left to notify: every tier was notified already, none is configured (\`escalation.tiers\`), or the PR needs nothing from humans.`;
  return withMarker(text, commentId);
}
