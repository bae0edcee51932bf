/**
 * The smee.io trial path: in setup mode, a smee.io channel is created before
 * Probot's setup page is served, so the app is registered with the channel as
 * its webhook URL and GitHub's deliveries reach this machine through it.
 *
 * Probot 14 would create the channel itself, but (1) it loads `smee-client`
 * through `npx-import-light`, which under `npm start` (not npx) finds it only
 * when it is installed (it is a dev dependency of this app), and (2) its import
 * page reads `WEBHOOK_PROXY_URL` before creating the channel, so it showed an
 * empty "Replace your app's Webhook URL with". Creating it here first, into
 * `process.env` and `.env`, fixes both: Probot then skips its own attempt, and
 * its server (setup and, after the restart, the app) forwards the channel to
 * the webhook route.
 */
export interface SmeeLike {
  createChannel(opts?: { newChannelUrl?: string }): Promise<string>;
}

interface LogLike {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Whether setup should create a channel: Probot's own rule (not production, no proxy yet, not opted out). */
export function wantsSmeeChannel(env: NodeJS.ProcessEnv): boolean {
  return env.NODE_ENV !== "production" && !env.WEBHOOK_PROXY_URL && !env.PROJECT_DOMAIN && env.NO_SMEE_SETUP !== "true";
}

/** `smee-client`'s class, or null when it is not installed (`npm ci --omit=dev`). */
export async function loadSmeeClient(): Promise<SmeeLike | null> {
  try {
    const mod = (await import("smee-client")) as { SmeeClient?: SmeeLike };
    return mod.SmeeClient ?? null;
  } catch {
    return null;
  }
}

/**
 * Creates a channel and saves it as `WEBHOOK_PROXY_URL` (through `save`, which
 * writes `.env` and `process.env`). Returns the channel, or null, having logged
 * why and what to do instead. `SMEE_NEW_CHANNEL_URL` (default https://smee.io/new)
 * is where channels are made.
 */
export async function createSmeeChannel(
  opts: { SmeeClient: SmeeLike | null; save: (values: Record<string, string>) => unknown; log: LogLike; env?: NodeJS.ProcessEnv },
): Promise<string | null> {
  const env = opts.env ?? process.env;
  const manual = "register the app all the same, then set its Webhook URL by hand (see docs/operate.md); NO_SMEE_SETUP=true skips this step";
  if (!opts.SmeeClient) {
    opts.log.warn({ decision: "smee_unavailable" }, `smee-client is not installed (npm ci installs it), so no smee.io channel was created: ${manual}`);
    return null;
  }
  const newChannelUrl = env.SMEE_NEW_CHANNEL_URL || "https://smee.io/new";
  try {
    const url = await opts.SmeeClient.createChannel({ newChannelUrl });
    opts.save({ WEBHOOK_PROXY_URL: url });
    opts.log.info({ decision: "smee_channel", url }, `created the smee.io channel ${url}: it will be the app's webhook URL, and deliveries are forwarded here`);
    return url;
  } catch (err) {
    opts.log.warn({ decision: "smee_unavailable", error: (err as Error).message }, `could not create a smee.io channel at ${newChannelUrl} (${(err as Error).message}): ${manual}`);
    return null;
  }
}
