/** Summary statistics for the benchmark: percentiles by nearest rank, in ms rounded to 0.01. */
const round = (x) => Math.round(x * 100) / 100;

export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1);
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 50) ?? 0),
    p99: round(percentile(sorted, 99) ?? 0),
    mean: round(mean),
    min: round(sorted[0] ?? 0),
    max: round(sorted.at(-1) ?? 0),
  };
}
