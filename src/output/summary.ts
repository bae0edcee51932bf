/** Markdown rendering of an Evaluation: the check run summary, also printed by `explain --format markdown`. */
import { defaultPolicy, type Policy } from "../config/schema.js";
import type { Evaluation, RuleStatus } from "../types.js";
import { describeRequirement } from "../policy/reviewers.js";
import { redactSecrets } from "../policy/secrets.js";
import { overrideWho } from "../commands/answer.js";
import { inlineCode } from "./escalation.js";

/** Lines of the **Not counted** section; the rest are counted. */
export const MAX_NOT_COUNTED = 10;

const ICON: Record<RuleStatus, string> = { pass: "✅", fail: "❌", pending: "⏳", skipped: "➖" };

/** `- @login approved \`abc1234\` by review at …`: one line of the Counted or Not counted section, before what follows it. */
const acted = (login: string, verb: string, a: { commit?: string | null; via: string; at?: string | null }) =>
  `- @${login} ${verb}${a.commit ? ` \`${a.commit.slice(0, 7)}\`` : ""} by ${a.via}${a.at ? ` at ${a.at}` : ""}`;

/** Escapes text for a Markdown table cell. */
const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>");

/**
 * The commands line for reviewers. With the policy that applied (`commands`), it says whether
 * `/governance approve` is on and who may override; without it, the defaults.
 */
export function commandsLine(commands?: Policy["commands"]): string {
  const approve = commands?.approve.enabled === false ? "approve with a review" : "approve with a review or `/governance approve`";
  const who = overrideWho(commands?.override ?? defaultPolicy().commands.override);
  return `Reviewers: ${approve}; \`/governance override [7d] <reason>\` (${who}), \`/governance recheck\`, \`/governance explain\`, \`/governance help\`.`;
}

/**
 * The summary, with any secret a message quotes (a commit subject, the title, a path) redacted.
 * `commands`: the applying policy's, for the line telling reviewers what they can do.
 */
export function renderSummary(e: Evaluation, commands?: Policy["commands"]): string {
  const out: string[] = [];
  const a = e.agent;
  // The other agents on the PR (a Copilot PR with a Claude-co-authored commit): each one's overrides apply too.
  const others = a.detected ? (a.agents ?? []).slice(1) : [];
  const evidence = () => {
    out.push("", "<details><summary>Evidence</summary>", "");
    const line = (ev: Evaluation["agent"]["evidence"][number], who = "") => out.push(`- ${who}${ev.strength}: ${ev.signal} \`${ev.value.replace(/`/g, "'")}\` (${ev.where})`);
    for (const ev of a.evidence) line(ev);
    for (const o of others) for (const ev of o.evidence) line(ev, `${o.name}, `);
    out.push("", "</details>");
  };
  if (a.detected) {
    out.push(`**Agent:** ${a.name ?? a.id} (${a.confidence} confidence)${a.invoker ? `, started by @${a.invoker}` : ""}`);
    if (others.length) {
      out.push(`**Also on this PR:** ${others.map((o) => `${o.name} (${o.confidence} confidence)`).join(", ")}. The policy for each agent applies; where they differ, the stricter rule.`);
    }
    if (a.evidence.length || others.length) evidence();
  } else if (a.evidence.length) {
    out.push("**Agent:** none detected at the policy's minimum signal strength (`agents.min_strength`); weaker signals were seen.");
    evidence();
  } else {
    out.push("**Agent:** none detected. Agent signals were looked for in the author, commits, branch, labels and body.");
  }
  if (e.mode === "report") out.push("", "_Report mode: this check never blocks merging._");
  if (e.rules.length) {
    out.push("", "| | Rule | Result |", "| --- | --- | --- |");
    for (const r of e.rules) {
      out.push(`| ${ICON[r.status]} | \`${r.id}\` | ${cell(r.message)}${r.fix && r.status !== "pass" ? `<br>_Fix:_ ${cell(r.fix)}` : ""} |`);
    }
  }
  if (e.required.length) {
    out.push("", "**Still required:**");
    for (const r of e.required) {
      out.push(`- ${r.label}: ${describeRequirement(r)}${r.blocked_by.length ? `; changes requested by ${r.blocked_by.map((l) => `@${l}`).join(", ")}` : ""}`);
    }
  }
  if (e.approvals.length || e.overrides.length) {
    out.push("", "**Counted:**");
    for (const ap of e.approvals) {
      const carried = ap.carried_to ? `; carried to \`${ap.carried_to.slice(0, 7)}\`: only base-branch changes merged since` : "";
      out.push(`${acted(ap.login, "approved", ap)} (${ap.counted_for.join(", ")}${carried})`);
    }
    for (const o of e.overrides) {
      const carried = o.carried_to ? ` (carried to \`${o.carried_to.slice(0, 7)}\`: no governed path changed since)` : "";
      const until = o.expires_at ? ` until ${o.expires_at}` : "";
      out.push(`- @${o.login} overrode \`${o.commit.slice(0, 7)}\` at ${o.at}${until}: ${inlineCode(o.reason)}${carried}`);
    }
  }
  if (e.refused?.length) {
    out.push("", "**Not counted:**");
    for (const r of e.refused.slice(0, MAX_NOT_COUNTED)) {
      out.push(`${acted(r.login, r.action === "override" ? "overrode" : "approved", r)}: ${r.reason}`);
    }
    if (e.refused.length > MAX_NOT_COUNTED) out.push(`- … and ${e.refused.length - MAX_NOT_COUNTED} more`);
  }
  if (e.outcome !== "not_governed") {
    out.push("", commandsLine(commands));
  }
  return redactSecrets(out.join("\n"));
}
