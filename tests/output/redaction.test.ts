/**
 * Secrets users wrote (a commit subject, the PR title, a path) are quoted by rule
 * messages; nothing the app writes to GitHub may carry them: the check run
 * (summary, title, annotations), the escalation comment, command replies.
 */
import { describe, expect, it } from "vitest";
import { explainReply, helpReply } from "../../src/commands/answer.js";
import { parseCommand } from "../../src/commands/parse.js";
import { planCheckRun } from "../../src/output/check.js";
import { ESCALATION_MARKER, parseState, planEscalation } from "../../src/output/escalation.js";
import { renderSummary } from "../../src/output/summary.js";
import { evaluate } from "../../src/policy/evaluate.js";
import { commit, copilot, facts, file, HEAD, NOW, policy } from "../policy/build.js";

// Built at run time so this file holds no secret-looking literal.
const TOKEN = ["ghp", "_", "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"].join("");
const REDACTED = "[redacted GitHub token]";

const p = policy({
  paths: { forbidden: ["secrets/**"] },
  compliance: { signed_commits: true, dco: true, ai_disclosure: "required", title_pattern: "^feat: " },
  escalation: { tiers: [{ after: "0h", notify: ["acme/maintainers"] }] },
});
const f = facts({
  pull: { title: `Rotate ${TOKEN}`, created_at: NOW },
  files: [file(`secrets/${TOKEN}.json`), file("src/a.ts")],
  commits: [commit(HEAD, `Add ${TOKEN} to config`)],
});
const e = evaluate({ policy: p, facts: f, now: NOW, verdict: copilot });

describe("secrets in what users wrote", () => {
  it("reach the rule messages (the evaluation is not what GitHub sees)", () => {
    expect(e.title).toBe("Policy violation: paths.forbidden, compliance.signed_commits, compliance.dco, compliance.title_pattern, compliance.ai_disclosure");
    expect(JSON.stringify(e.rules)).toContain(TOKEN);
  });

  it("are redacted from the summary, saying what kind was removed", () => {
    const md = renderSummary(e);
    expect(md).not.toContain(TOKEN);
    expect(md).toContain(`| ❌ | \`paths.forbidden\` | Changes forbidden paths: \`secrets/${REDACTED}.json\`.`);
    expect(md).toContain(`| ❌ | \`compliance.title_pattern\` | The title \`Rotate ${REDACTED}\` does not match \`^feat: \`.`);
    expect(md).toContain(`1 of 1 commits are not verified (unsigned): \`c0ffee0 Add ${REDACTED} to config\`.`);
    expect(md).toContain(`1 commit lacks a \`Signed-off-by:\` matching the author: \`c0ffee0 Add ${REDACTED} to config\`.`);
    expect(md).toContain(`1 commit does not disclose AI assistance: \`c0ffee0 Add ${REDACTED} to config\`.`);
  });

  it("are redacted from the planned check run: summary, notes, annotation paths and messages", () => {
    const plan = planCheckRun(e, { name: "Agent Governance", notes: [`Could not request a review from ${TOKEN}.`] });
    expect(JSON.stringify(plan)).not.toContain(TOKEN);
    expect(plan.output.summary).toContain(`- Could not request a review from ${REDACTED}.`);
    expect(plan.output.annotations).toEqual([
      {
        path: `secrets/${REDACTED}.json`,
        start_line: 1,
        end_line: 1,
        annotation_level: "failure",
        title: "paths.forbidden",
        message: "An agent PR may not change this path (paths.forbidden).",
      },
    ]);
  });

  it("are redacted from the escalation comment, whose marker and state stay intact", () => {
    const plan = planEscalation(e, f, p, new Date(NOW));
    const body = plan.comment?.action === "create" ? plan.comment.body : "";
    expect(body).not.toContain(TOKEN);
    expect(body).toContain(`- ❌ \`compliance.title_pattern\`: The title \`Rotate ${REDACTED}\` does not match \`^feat: \`. _Fix:_ Edit the PR title to match the pattern.`);
    expect(body.startsWith(`${ESCALATION_MARKER}\n### ❌ This agent PR breaks the repository's policy`)).toBe(true);
    expect(body.endsWith(`\n\n<!-- agent-governance:state {"notified":{"0":"2025-06-01T12:00:00.000Z"}} -->`)).toBe(true);
    expect(parseState(body)).toEqual({ notified: { "0": "2025-06-01T12:00:00.000Z" } });
  });

  it("are redacted from command replies, whose marker stays intact", () => {
    const reply = explainReply(renderSummary(e), 77);
    expect(reply).not.toContain(TOKEN);
    expect(reply.endsWith("\n\n<!-- agent-governance:reply:77 -->")).toBe(true);
    const help = helpReply(parseCommand(`/governance ${TOKEN}`)!, 78);
    expect(help.startsWith(`\`/governance ${REDACTED}\` is not a command.`)).toBe(true);
    expect(help.endsWith("\n\n<!-- agent-governance:reply:78 -->")).toBe(true);
  });
});
