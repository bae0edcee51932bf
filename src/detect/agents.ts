/**
 * The known-agents registry: data, one entry per coding agent (and per
 * automation bot), with the signals that identify it. The detector in
 * `detect.ts` reads only this table.
 */

export interface BotAccount {
  login: string;
  id: number;
}

export interface AgentEntry {
  id: string;
  name: string;
  kind: "agent" | "automation";
  /** verified: the PR author is this GitHub App account (login, numeric id and type Bot). */
  bots: BotAccount[];
}

export const AGENTS: readonly AgentEntry[] = [
  { id: "copilot", name: "Copilot coding agent", kind: "agent", bots: [{ login: "Copilot", id: 198982749 }] },
  { id: "devin", name: "Devin", kind: "agent", bots: [{ login: "devin-ai-integration[bot]", id: 158243242 }] },
];
