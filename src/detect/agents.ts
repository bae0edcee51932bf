/**
 * The known-agents registry: data, one entry per coding agent (and per
 * automation bot), with the signals that identify it. The detector in
 * `detect.ts` reads only this table; adding an agent means adding an entry.
 *
 * Strengths (see `detect.ts`):
 * - verified: the PR author is one of `bots` (login, numeric id and type Bot all match).
 * - declared: what the tool writes about itself: `accounts` authoring commits (or the PR),
 *   exact `emails` in commit identities or `Co-authored-by:` trailers, `links`, `footers`,
 *   `labels`; a `bots` login without a pinned id.
 * - hint: `branches` (head ref prefixes).
 *
 * Every match is exact: a login, an e-mail address, a URL fragment or a line the tool
 * writes. Never a display name, a domain or a substring of a login.
 */

export interface BotAccount {
  /** The login as REST returns it, e.g. `Copilot` or `devin-ai-integration[bot]`. */
  login: string;
  /** The account's numeric id; without it a match is only `declared`. */
  id?: number;
}

export interface AgentAccount {
  login: string;
  /** When set, the account's `type` must be this (e.g. `Bot`, so a User named `copilot` never matches). */
  type?: "Bot" | "User";
}

/** How the human who set the agent going is found. */
export type InvokerSource =
  /** The first human `Co-authored-by:` trailer on the agent's commits (Copilot). */
  | "co-author"
  /** The `Requested by:` line in the PR body (Devin), then the co-author trailers. */
  | "requested-by";

export interface AgentEntry {
  id: string;
  name: string;
  kind: "agent" | "automation";
  /** The agent's GitHub App bot accounts (verified when the PR author is one of them). */
  bots?: readonly BotAccount[];
  /** Accounts that author the agent's commits (or open its PRs) on GitHub. */
  accounts?: readonly AgentAccount[];
  /** Exact e-mail addresses the tool commits as or writes in `Co-authored-by:` trailers (lower case). */
  emails?: readonly string[];
  /** URL fragments of the tool's session links, matched in the PR body. */
  links?: readonly string[];
  /** Lines or markers the tool writes in the PR body or commit messages (matched case-insensitively). */
  footers?: readonly string[];
  /** Labels the tool puts on its PRs. */
  labels?: readonly string[];
  /** Head branch prefixes the tool uses (hints only: anyone can name a branch). */
  branches?: readonly string[];
  /** For agents that open PRs as their own bot: where to find the human who asked. */
  invoker?: InvokerSource;
}

export const AGENTS: readonly AgentEntry[] = [
  {
    id: "copilot",
    name: "Copilot coding agent",
    kind: "agent",
    // REST and webhooks say `Copilot`; search and GraphQL say `copilot-swe-agent[bot]`. Same account.
    bots: [
      { login: "Copilot", id: 198982749 },
      { login: "copilot-swe-agent[bot]", id: 198982749 },
    ],
    accounts: [
      { login: "Copilot", type: "Bot" },
      { login: "copilot-swe-agent[bot]", type: "Bot" },
    ],
    emails: ["198982749+copilot@users.noreply.github.com", "223556219+copilot@users.noreply.github.com"],
    footers: ["<!-- START COPILOT CODING AGENT TIPS -->", "gh.io/copilot-coding-agent-tips"],
    branches: ["copilot/"],
    invoker: "co-author",
  },
  {
    id: "codex",
    name: "OpenAI Codex",
    kind: "agent",
    bots: [
      { login: "chatgpt-codex-connector[bot]", id: 199175422 },
      { login: "openai-codex[bot]", id: 215057067 },
    ],
    accounts: [
      { login: "chatgpt-codex-connector[bot]", type: "Bot" },
      { login: "openai-codex[bot]", type: "Bot" },
    ],
    emails: [
      "codex@openai.com",
      "noreply@openai.com",
      "242516109+codex@users.noreply.github.com",
      "267193182+codex@users.noreply.github.com",
      "199175422+chatgpt-codex-connector[bot]@users.noreply.github.com",
      "215057067+openai-codex[bot]@users.noreply.github.com",
    ],
    links: ["chatgpt.com/codex/tasks/"],
    footers: ["Generated with [Codex]"],
    labels: ["codex"],
    // Codex names its branches `codex/…`, or `<random>-codex/…` when the first is taken.
    branches: ["codex/", "*-codex/"],
  },
  {
    id: "devin",
    name: "Devin",
    kind: "agent",
    bots: [{ login: "devin-ai-integration[bot]", id: 158243242 }],
    accounts: [{ login: "devin-ai-integration[bot]", type: "Bot" }],
    emails: ["158243242+devin-ai-integration[bot]@users.noreply.github.com", "devin@cognition.ai"],
    links: ["app.devin.ai/sessions/"],
    branches: ["devin/"],
    invoker: "requested-by",
  },
  {
    id: "claude-code",
    name: "Claude Code",
    kind: "agent",
    bots: [{ login: "claude[bot]", id: 209825114 }],
    accounts: [{ login: "claude[bot]", type: "Bot" }],
    emails: [
      "noreply@anthropic.com",
      "no-reply@anthropic.com",
      "209825114+claude[bot]@users.noreply.github.com",
      "242468646+claude@users.noreply.github.com",
    ],
    links: ["claude.ai/code/session_"],
    footers: ["Generated with [Claude Code]", "Generated with Claude Code"],
    branches: ["claude/"],
    invoker: "co-author",
  },
  {
    id: "cursor",
    name: "Cursor background agent",
    kind: "agent",
    bots: [{ login: "cursor[bot]", id: 206951365 }],
    accounts: [{ login: "cursoragent" }, { login: "cursor[bot]", type: "Bot" }],
    emails: ["cursoragent@cursor.com", "206951365+cursor[bot]@users.noreply.github.com"],
    links: ["cursor.com/agents/", "cursor.com/background-agent?bcId="],
    footers: ["<!-- CURSOR_AGENT_PR_BODY_BEGIN -->"],
    branches: ["cursor/"],
    invoker: "co-author",
  },
  {
    id: "jules",
    name: "Jules",
    kind: "agent",
    bots: [{ login: "google-labs-jules[bot]", id: 161369871 }],
    accounts: [{ login: "google-labs-jules[bot]", type: "Bot" }],
    emails: ["161369871+google-labs-jules[bot]@users.noreply.github.com"],
    links: ["jules.google.com/task/"],
    branches: ["jules/"],
    invoker: "co-author",
  },
  {
    id: "openhands",
    name: "OpenHands",
    kind: "agent",
    accounts: [{ login: "openhands-agent" }],
    emails: ["openhands@all-hands.dev"],
    branches: ["openhands/", "openhands-fix-issue-", "openhands-fix-pr-"],
    invoker: "co-author",
  },
  {
    id: "sweep",
    name: "Sweep",
    kind: "agent",
    bots: [{ login: "sweep-ai[bot]" }],
    accounts: [{ login: "sweep-ai[bot]", type: "Bot" }],
    branches: ["sweep/"],
    invoker: "co-author",
  },
  {
    id: "amazon-q",
    name: "Amazon Q Developer",
    kind: "agent",
    bots: [{ login: "amazon-q-developer[bot]", id: 208079219 }],
    accounts: [{ login: "amazon-q-developer[bot]", type: "Bot" }],
    emails: ["208079219+amazon-q-developer[bot]@users.noreply.github.com"],
    branches: ["Q-DEV-issue-", "amazon-q/"],
    invoker: "co-author",
  },
  {
    id: "codegen",
    name: "Codegen",
    kind: "agent",
    bots: [{ login: "codegen-sh[bot]", id: 131295404 }],
    accounts: [{ login: "codegen-sh[bot]", type: "Bot" }],
    emails: ["131295404+codegen-sh[bot]@users.noreply.github.com"],
    branches: ["codegen-bot/", "codegen/"],
    invoker: "co-author",
  },
  {
    id: "factory",
    name: "Factory Droid",
    kind: "agent",
    bots: [{ login: "factory-droid[bot]", id: 138933559 }],
    accounts: [{ login: "factory-droid[bot]", type: "Bot" }],
    emails: ["138933559+factory-droid[bot]@users.noreply.github.com"],
    branches: ["droid/", "factory/"],
    invoker: "co-author",
  },
  {
    id: "tembo",
    name: "Tembo",
    kind: "agent",
    bots: [{ login: "tembo[bot]" }],
    accounts: [{ login: "tembo[bot]", type: "Bot" }],
    branches: ["tembo/"],
    invoker: "co-author",
  },
  {
    id: "kiro",
    name: "Kiro",
    kind: "agent",
    bots: [{ login: "kiro-agent[bot]", id: 245459735 }],
    accounts: [{ login: "kiro-agent[bot]", type: "Bot" }],
    emails: [
      "245459735+kiro-agent[bot]@users.noreply.github.com",
      "244629292+kiro-agent@users.noreply.github.com",
    ],
    branches: ["kiro/"],
    invoker: "co-author",
  },
  {
    id: "opencode",
    name: "OpenCode",
    kind: "agent",
    bots: [{ login: "opencode-agent[bot]", id: 219766164 }],
    accounts: [{ login: "opencode-agent[bot]", type: "Bot" }],
    emails: ["219766164+opencode-agent[bot]@users.noreply.github.com", "noreply@opencode.ai"],
    branches: ["opencode/"],
    invoker: "co-author",
  },
  {
    id: "junie",
    name: "Junie",
    kind: "agent",
    bots: [{ login: "jetbrains-junie[bot]" }],
    accounts: [{ login: "jetbrains-junie[bot]", type: "Bot" }],
    emails: ["junie@jetbrains.com"],
    branches: ["junie/"],
    invoker: "co-author",
  },
  {
    id: "aider",
    name: "Aider",
    kind: "agent",
    emails: ["aider@aider.chat", "noreply@aider.chat"],
    branches: ["aider/"],
  },
  {
    id: "replit",
    name: "Replit Agent",
    kind: "agent",
    emails: ["agent@replit.com"],
    footers: ["Replit-Commit-Author: Agent"],
    branches: ["replit/"],
  },
  {
    id: "amp",
    name: "Amp",
    kind: "agent",
    emails: ["amp@ampcode.com"],
    links: ["ampcode.com/threads/"],
    branches: ["amp/"],
  },
  {
    id: "windsurf",
    name: "Windsurf",
    kind: "agent",
    bots: [{ login: "windsurf-bot[bot]" }],
    accounts: [{ login: "windsurf-bot[bot]", type: "Bot" }],
    branches: ["windsurf/"],
    invoker: "co-author",
  },
  {
    id: "gemini",
    name: "Gemini",
    kind: "agent",
    bots: [{ login: "gemini-code-assist[bot]", id: 176961590 }, { login: "gemini-cli[bot]" }],
    accounts: [
      { login: "gemini-code-assist[bot]", type: "Bot" },
      { login: "gemini-cli[bot]", type: "Bot" },
    ],
    emails: ["176961590+gemini-code-assist[bot]@users.noreply.github.com"],
    branches: ["gemini/"],
    invoker: "co-author",
  },
  {
    id: "mentat",
    name: "Mentat",
    kind: "agent",
    // Its numeric id is not pinned (not known here): a PR by this login is `declared`, not `verified`.
    bots: [{ login: "mentatbot[bot]" }],
    accounts: [{ login: "mentatbot[bot]", type: "Bot" }],
    invoker: "co-author",
  },
  {
    id: "ellipsis",
    name: "Ellipsis",
    kind: "agent",
    bots: [{ login: "ellipsis-dev[bot]", id: 65095814 }],
    accounts: [{ login: "ellipsis-dev[bot]", type: "Bot" }],
    emails: ["65095814+ellipsis-dev[bot]@users.noreply.github.com"],
    invoker: "co-author",
  },

  // Dependency, release and housekeeping bots: `automation`, never a coding agent.
  {
    id: "dependabot",
    name: "Dependabot",
    kind: "automation",
    bots: [
      { login: "dependabot[bot]", id: 49699333 },
      { login: "dependabot-preview[bot]", id: 27856297 },
    ],
  },
  {
    id: "renovate",
    name: "Renovate",
    kind: "automation",
    bots: [{ login: "renovate[bot]", id: 29139614 }],
    accounts: [{ login: "renovate-bot", type: "User" }],
  },
  { id: "github-actions", name: "GitHub Actions", kind: "automation", bots: [{ login: "github-actions[bot]", id: 41898282 }] },
  { id: "pre-commit-ci", name: "pre-commit.ci", kind: "automation", bots: [{ login: "pre-commit-ci[bot]", id: 66853113 }] },
  {
    id: "greenkeeper",
    name: "Greenkeeper",
    kind: "automation",
    bots: [{ login: "greenkeeper[bot]" }],
    // Before GitHub Apps, Greenkeeper opened PRs as this user.
    accounts: [{ login: "greenkeeperio-bot", type: "User" }],
  },
  {
    id: "imgbot",
    name: "ImgBot",
    kind: "automation",
    bots: [{ login: "imgbot[bot]" }],
    accounts: [{ login: "ImgBotApp", type: "User" }],
  },
  {
    id: "snyk",
    name: "Snyk",
    kind: "automation",
    bots: [{ login: "snyk-io[bot]" }],
    accounts: [{ login: "snyk-bot", type: "User" }],
  },
  { id: "pyup", name: "pyup.io", kind: "automation", accounts: [{ login: "pyup-bot", type: "User" }] },
  { id: "depfu", name: "Depfu", kind: "automation", bots: [{ login: "depfu[bot]" }] },
  { id: "release-please", name: "release-please", kind: "automation", bots: [{ login: "release-please[bot]" }] },
  { id: "allcontributors", name: "All Contributors", kind: "automation", bots: [{ login: "allcontributors[bot]" }] },
  { id: "mergify", name: "Mergify", kind: "automation", bots: [{ login: "mergify[bot]" }] },
];

/** The automation verdict for a GitHub App author that is in no entry above. */
export const UNLISTED_BOT: AgentEntry = { id: "automation", name: "GitHub App", kind: "automation" };

/** A User whose login says it is a machine account (`release-bot`): only a hint, since it is just a name. */
export const MACHINE_USER: AgentEntry = { id: "automation", name: "Machine user", kind: "automation" };

/** Looks an entry up by id. */
export function agentById(id: string): AgentEntry | undefined {
  return AGENTS.find((a) => a.id === id);
}
