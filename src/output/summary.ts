/** Markdown rendering of an Evaluation: the check run summary, also printed by `explain --format markdown`. */
import type { Evaluation, RuleStatus } from "../types.js";
import { describeRequirement } from "../policy/reviewers.js";
import { redactSecrets } from "../policy/secrets.js";
import { inlineCode } from "./escalation.js";

const ICON: Record<RuleStatus, string> = { pass: "✅", fail: "❌", pending: "⏳", skipped: "➖" };

/** Escapes text for a Markdown table cell. */
const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>");

/** The summary, with any secret a message quotes (a commit subject, the title, a path) redacted. */
export function renderSummary(e: Evaluation): string {
  const out: string[] = [];
  const a = e.agent;
  const evidence = () => {
    out.push("", "<details><summary>Evidence</summary>", "");
    for (const ev of a.evidence) out.push(`- ${ev.strength}: ${ev.signal} \`${ev.value.replace(/`/g, "'")}\` (${ev.where})`);
    out.push("", "</details>");
  };
  if (a.detected) {
    out.push(`**Agent:** ${a.name ?? a.id} (${a.confidence} confidence)${a.invoker ? `, started by @${a.invoker}` : ""}`);
    if (a.evidence.length) evidence();
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
      out.push(`- @${ap.login} approved${ap.commit ? ` \`${ap.commit.slice(0, 7)}\`` : ""} by ${ap.via}${ap.at ? ` at ${ap.at}` : ""} (${ap.counted_for.join(", ")})`);
    }
    for (const o of e.overrides) {
      const carried = o.carried_to ? ` (carried to \`${o.carried_to.slice(0, 7)}\`: no governed path changed since)` : "";
      out.push(`- @${o.login} overrode \`${o.commit.slice(0, 7)}\` at ${o.at}: ${inlineCode(o.reason)}${carried}`);
    }
  }
  if (e.outcome !== "not_governed") {
    out.push(
      "",
      "Reviewers: approve with a review or `/governance approve`; `/governance override <reason>` (admins), `/governance recheck`, `/governance explain`, `/governance help`.",
    );
  }
  return redactSecrets(out.join("\n"));
}
