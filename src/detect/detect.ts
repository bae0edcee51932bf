/** The pure agent detector: PR facts in, a verdict with its evidence out. */
import type { AgentVerdict, PullFacts } from "../types.js";
import type { Policy } from "../config/schema.js";
import { AGENTS } from "./agents.js";

export function detectAgent(facts: PullFacts, _config?: Policy["agents"]): AgentVerdict {
  const user = facts.pull.user;
  if (user && user.type === "Bot") {
    for (const agent of AGENTS) {
      const bot = agent.bots.find((b) => b.login === user.login && b.id === user.id);
      if (bot) {
        return {
          detected: true,
          id: agent.id,
          name: agent.name,
          kind: agent.kind,
          confidence: "high",
          evidence: [{ signal: "author", strength: "verified", value: `${user.login} (id ${user.id}, Bot)`, where: "pull.user" }],
          invoker: null,
        };
      }
    }
  }
  return { detected: false, id: null, name: null, kind: "none", confidence: null, evidence: [], invoker: null };
}
