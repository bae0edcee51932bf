/**
 * `npm run eval:detection -- FOLDER [--config FILE] [--min-strength verified|declared|hint]`
 *
 * Runs the agent detector over a folder of PullFacts snapshots labelled by
 * `FOLDER/labels.json` (file name → agent id, `human` or `automation`) and prints
 * per-agent recall, recall by group and the human false-positive rate as JSON.
 * FOLDER is required: the labelled corpus is not part of the repository.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { readFacts, readPolicy, type Io } from "./cli.js";
import { detectAgent } from "./detect/detect.js";
import { scoreDetection, type ScoredPull } from "./detect/score.js";
import type { SignalStrength } from "./types.js";

const USAGE =
  "Usage: npm run eval:detection -- FOLDER [--config FILE] [--min-strength verified|declared|hint]\n" +
  "  FOLDER holds PullFacts snapshots (`agent-governance snapshot OWNER/REPO#N --out FOLDER/N.json`) and a labels.json\n" +
  "  mapping each file name to an agent id, `human` or `automation`; tests/fixtures/detection is a small sample.\n";
const STRENGTHS: readonly SignalStrength[] = ["verified", "declared", "hint"];

export function evalDetection(argv: string[], io: Io): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { config: { type: "string" }, "min-strength": { type: "string" } },
    });
  } catch (err) {
    io.stderr.write(`eval-detection: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const folder = positionals[0];
  if (folder === undefined || positionals.length > 1) {
    io.stderr.write(`eval-detection: ${folder === undefined ? "give the folder of labelled snapshots to score" : "give one folder"}\n${USAGE}`);
    return 2;
  }
  const asked = values["min-strength"];
  if (asked !== undefined && !STRENGTHS.includes(asked as SignalStrength)) {
    io.stderr.write(`eval-detection: --min-strength must be one of ${STRENGTHS.join(", ")}\n`);
    return 2;
  }
  let labels: Record<string, unknown>;
  try {
    labels = JSON.parse(readFileSync(join(folder, "labels.json"), "utf8")) as Record<string, unknown>;
  } catch (err) {
    io.stderr.write(`eval-detection: cannot read ${join(folder, "labels.json")}: ${(err as Error).message}\n`);
    return 2;
  }
  let agents;
  try {
    agents = readPolicy(values.config).agents;
  } catch (err) {
    io.stderr.write(`eval-detection: ${(err as Error).message}\n`);
    return 2;
  }
  const config = asked ? { ...agents, min_strength: asked as SignalStrength } : agents;

  const rows: ScoredPull[] = [];
  const unlabelled: string[] = [];
  const unreadable: { file: string; error: string }[] = [];
  const files = readdirSync(folder)
    .filter((f) => f.endsWith(".json") && f !== "labels.json")
    .sort();
  for (const file of files) {
    const path = join(folder, file);
    const label = labels[file];
    if (typeof label !== "string") {
      unlabelled.push(file);
      continue;
    }
    try {
      const facts = readFacts(path);
      rows.push({ file, label, verdict: detectAgent(facts, config), botAuthored: facts.pull.user?.type === "Bot" });
    } catch (err) {
      unreadable.push({ file, error: (err as Error).message });
    }
  }
  const report = scoreDetection(rows, config.min_strength);
  io.stdout.write(`${JSON.stringify({ folder, ...report, unlabelled, unreadable }, null, 2)}\n`);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  process.exitCode = evalDetection(process.argv.slice(2), process);
}
