// One "replica" for lock.test.ts: a Probot with REDIS_URL makes one GitHub request
// (to the test's local API server) and exits. Run as a separate process, as replicas are.
import { Probot } from "probot";

const [redisUrl, baseUrl, privateKeyPath] = process.argv.slice(2);
const { readFileSync } = await import("node:fs");
try {
  const probot = new Probot({ appId: 123, privateKey: readFileSync(privateKeyPath, "utf8"), redisConfig: redisUrl, baseUrl });
  await probot.ready();
  const octokit = await probot.auth();
  const { data } = await octokit.request("GET /app");
  process.stdout.write(`ok ${data.id}\n`);
  process.exit(0);
} catch (err) {
  process.stderr.write(`failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
