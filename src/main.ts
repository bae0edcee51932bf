/**
 * The server entry point (`npm start`): refuses an unsafe production setup,
 * then hands over to Probot (setup page without credentials, webhooks with them).
 */
import { run } from "probot";
import app from "./index.js";

/** Returns why the environment is unsafe to start with, or null. */
export function unsafeEnvironment(env: NodeJS.ProcessEnv): string | null {
  if (env.NODE_ENV === "production" && !env.WEBHOOK_SECRET) {
    return (
      "WEBHOOK_SECRET is not set. In production the app refuses to start without it: " +
      'Probot would otherwise accept webhooks signed with the public secret "development". ' +
      "Set WEBHOOK_SECRET to the secret configured on the GitHub App."
    );
  }
  return null;
}

import { existsSync } from "node:fs";

// Probot reads `.env` inside run(); read it first so the check below sees it too.
if (existsSync(".env")) process.loadEnvFile(".env");
const problem = unsafeEnvironment(process.env);
if (problem) {
  console.error(`agent-governance: ${problem}`);
  process.exit(1);
}
await run(app);
