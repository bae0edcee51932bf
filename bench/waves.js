/**
 * Waves: the sequential round trips an event cost, read off the fake GitHub's
 * request log. A request that starts after another one has been answered is in a
 * later wave than it; requests that overlap are in the same wave. So a request's
 * wave is one more than the highest wave among the requests answered before it
 * started (1 when none was), and an event's waves are the highest of its requests'.
 * With a per-request latency injected at the fake (50 ms), requests started
 * together overlap by far more than the app's own scheduling gaps, so the count
 * does not depend on the machine's speed.
 */

/** The wave (1-based) of each request `{start, end}`, in the order given. Pure. */
export function wavesOf(requests) {
  const order = requests.map((_, i) => i).sort((a, b) => requests[a].start - requests[b].start || a - b);
  const wave = new Array(requests.length).fill(0);
  for (const i of order) {
    let w = 1;
    // Anything answered by the time i started began earlier, so its wave is already known.
    for (const j of order) {
      if (j !== i && wave[j] > 0 && requests[j].end <= requests[i].start) w = Math.max(w, wave[j] + 1);
    }
    wave[i] = w;
  }
  return wave;
}

/**
 * An event's requests with their waves, times relative to `t0` (when the webhook was
 * received) and the verdict: the first check run write (`isVerdict`), its wave and when it
 * was answered. Pure.
 */
export function timeline(log, t0, isVerdict) {
  const waves = wavesOf(log);
  const rows = log
    .map((r, i) => ({ ...r, wave: waves[i], at: r.start - t0, answered: r.end - t0 }))
    .sort((a, b) => a.start - b.start);
  const verdict = rows.find((r) => isVerdict(r)) ?? null;
  return {
    waves: rows.reduce((m, r) => Math.max(m, r.wave), 0),
    verdict: verdict ? { wave: verdict.wave, ms: Math.round(verdict.answered) } : null,
    rows,
  };
}
