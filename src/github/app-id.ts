/** This app's id, from its own credentials (a JWT is made; no request): to tell its own check runs from others'. */
import type { Probot } from "probot";

export async function appIdOf(app: Probot): Promise<number | undefined> {
  try {
    const octokit = await app.auth();
    const auth = (await octokit.auth({ type: "app" })) as { appId?: unknown };
    return typeof auth.appId === "number" ? auth.appId : undefined;
  } catch {
    return undefined;
  }
}
