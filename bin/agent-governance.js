#!/usr/bin/env node
// The `agent-governance` command: validate | explain | snapshot | backtest | schema | mcp (see src/cli.ts).
let cli;
try {
  cli = await import("../dist/cli.js");
} catch (err) {
  if (err?.code !== "ERR_MODULE_NOT_FOUND" || !String(err.message).includes("dist")) throw err;
  process.stderr.write("agent-governance: dist/ is missing; in a checkout of agent-governance run `npm ci && npm run build` first\n");
  process.exit(2);
}

// `agent-governance explain … | head`: a closed pipe ends the command quietly.
process.stdout.on("error", (err) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});

process.exitCode = await cli.main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
