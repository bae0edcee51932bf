/** `agent-governance mcp`: an MCP server over stdio that lets agents ask the policy (see issue 10). */
import type { Io } from "../cli.js";

export async function runMcp(_args: string[], io: Io): Promise<number> {
  io.stderr.write("agent-governance mcp: not built yet\n");
  return 2;
}
