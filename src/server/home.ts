/**
 * The page at `/` once the app is configured (in setup mode Probot's setup page
 * is there): what this is, that it is running, where its routes and docs are.
 * Nothing about the installation: no app id, no counts, no configuration.
 */
import { readFileSync } from "node:fs";

/** The repository whose README and docs the page links to. */
export const DOCS_URL = "https://github.com/agent-governance/agent-governance";

const version = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: unknown };
    return typeof pkg.version === "string" ? pkg.version : "";
  } catch {
    return "";
  }
})();

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function homePage({ metrics = true, webhookPath = process.env.WEBHOOK_PATH || "/api/github/webhooks" }: { metrics?: boolean; webhookPath?: string } = {}): string {
  const link = (href: string, text: string) => `<a href="${escape(href)}">${escape(text)}</a>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>agent-governance is running</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:3rem auto;padding:0 1rem;color:#1f2328}code{background:#f6f8fa;padding:0 .25rem;border-radius:4px}</style>
</head>
<body>
<h1>agent-governance${version ? ` <small>v${escape(version)}</small>` : ""}</h1>
<p><strong>Running.</strong> This is a GitHub App that governs pull requests written by AI coding agents:
it detects agent-authored PRs, applies each repository's <code>.github/agent-governance.yml</code>,
and answers with the <strong>Agent Governance</strong> check, an escalation comment, review requests and labels.</p>
<p>There is nothing to do here: GitHub delivers webhooks to <code>POST ${escape(webhookPath)}</code>.</p>
<ul>
<li>${link("/healthz", "/healthz")}: liveness</li>
<li>${link("/readyz", "/readyz")}: readiness (credentials, GitHub answering, not shutting down)</li>
${metrics ? `<li>${link("/metrics", "/metrics")}: Prometheus metrics</li>\n` : ""}</ul>
<p>Documentation: ${link(DOCS_URL + "#readme", "README")} (install, a first policy),
${link(DOCS_URL + "/blob/main/docs/operate.md", "operating the app")},
${link(DOCS_URL + "/blob/main/docs/troubleshooting.md", "troubleshooting")}.</p>
</body>
</html>
`;
}
