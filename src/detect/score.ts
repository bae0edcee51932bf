/**
 * Scores the detector on labelled PR snapshots (pure): per-agent recall, recall by how
 * the agent shows itself (its own bot account, or declarations under a human's account),
 * automation accuracy and the human false-positive rate, against the project's targets.
 */
import type { AgentVerdict, SignalStrength } from "../types.js";

/** Labels that are not agent ids. */
export const HUMAN = "human";
export const AUTOMATION = "automation";

export interface ScoredPull {
  file: string;
  /** The expected agent id, or `human` / `automation`. */
  label: string;
  verdict: AgentVerdict;
  /** The PR author is a GitHub App (`type: Bot`): the agent opened it as its own account. */
  botAuthored: boolean;
}

export interface Rate {
  total: number;
  correct: number;
  recall: number | null;
}

export interface Miss {
  file: string;
  label: string;
  got: string | null;
  kind: AgentVerdict["kind"];
  confidence: AgentVerdict["confidence"];
  evidence: string[];
}

export interface Target {
  target: number;
  value: number | null;
  met: boolean | null;
}

export interface DetectionReport {
  files: number;
  min_strength: SignalStrength;
  agents: Record<string, Rate>;
  groups: { bot_account: Rate; self_declared: Rate };
  automation: Rate & { as_agent: number };
  human: { total: number; false_positives: number; rate: number | null; as_agent: number; as_automation: number };
  targets: { bot_account_recall: Target; self_declared_recall: Target; human_false_positive_rate: Target };
  misses: Miss[];
  false_positives: Miss[];
}

/** Recall targets and the false-positive ceiling from the detection issue. */
export const TARGETS = { bot_account_recall: 0.99, self_declared_recall: 0.95, human_false_positive_rate: 0.005 } as const;

const ratio = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 10000) / 10000);
const rate = (total: number, correct: number): Rate => ({ total, correct, recall: ratio(correct, total) });

function miss(row: ScoredPull): Miss {
  const v = row.verdict;
  return {
    file: row.file,
    label: row.label,
    got: v.detected ? (v.id ?? "unknown") : null,
    kind: v.kind,
    confidence: v.confidence,
    evidence: v.evidence.map((e) => `${e.strength} ${e.signal}: ${e.value}`),
  };
}

/** An agent PR counts as found when the verdict names that agent. */
export function isCorrect(row: ScoredPull): boolean {
  const v = row.verdict;
  if (row.label === HUMAN) return !v.detected;
  if (row.label === AUTOMATION) return v.detected && v.kind === "automation";
  return v.detected && v.kind === "agent" && v.id === row.label;
}

export function scoreDetection(rows: readonly ScoredPull[], minStrength: SignalStrength): DetectionReport {
  const agentRows = rows.filter((r) => r.label !== HUMAN && r.label !== AUTOMATION);
  const agents: Record<string, Rate> = {};
  for (const id of [...new Set(agentRows.map((r) => r.label))].sort()) {
    const mine = agentRows.filter((r) => r.label === id);
    agents[id] = rate(mine.length, mine.filter(isCorrect).length);
  }
  const bot = agentRows.filter((r) => r.botAuthored);
  const declared = agentRows.filter((r) => !r.botAuthored);
  const auto = rows.filter((r) => r.label === AUTOMATION);
  const humans = rows.filter((r) => r.label === HUMAN);
  const fps = humans.filter((r) => r.verdict.detected);

  const groups = { bot_account: rate(bot.length, bot.filter(isCorrect).length), self_declared: rate(declared.length, declared.filter(isCorrect).length) };
  const fpRate = ratio(fps.length, humans.length);
  const atLeast = (value: number | null, target: number): Target => ({ target, value, met: value === null ? null : value >= target });
  return {
    files: rows.length,
    min_strength: minStrength,
    agents,
    groups,
    automation: { ...rate(auto.length, auto.filter(isCorrect).length), as_agent: auto.filter((r) => r.verdict.kind === "agent").length },
    human: {
      total: humans.length,
      false_positives: fps.length,
      rate: fpRate,
      as_agent: fps.filter((r) => r.verdict.kind === "agent").length,
      as_automation: fps.filter((r) => r.verdict.kind === "automation").length,
    },
    targets: {
      bot_account_recall: atLeast(groups.bot_account.recall, TARGETS.bot_account_recall),
      self_declared_recall: atLeast(groups.self_declared.recall, TARGETS.self_declared_recall),
      human_false_positive_rate: {
        target: TARGETS.human_false_positive_rate,
        value: fpRate,
        met: fpRate === null ? null : fpRate <= TARGETS.human_false_positive_rate,
      },
    },
    misses: [...agentRows, ...auto].filter((r) => !isCorrect(r)).map(miss),
    false_positives: fps.map(miss),
  };
}
