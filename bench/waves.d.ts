/** Types for bench/waves.js. */
export interface Timed {
  start: number;
  end: number;
}

export declare function wavesOf(requests: readonly Timed[]): number[];

export declare function timeline<T extends Timed>(
  log: readonly T[],
  t0: number,
  isVerdict: (r: T & { wave: number; at: number; answered: number }) => boolean,
): { waves: number; verdict: { wave: number; ms: number } | null; rows: (T & { wave: number; at: number; answered: number })[] };
