/**
 * Time-bound overrides (pure): `/governance override 7d <reason>`.
 *
 * The first word of an override's arguments is its duration when it is a
 * number and a unit, `m`, `h`, `d` or `w` (`30m`, `4h`, `2d`, `1w`, `1.5d`),
 * as everywhere in the policy. So a reason that starts with such a word (`3d
 * party library bug`) is read as a duration: write the reason after a duration
 * (`/governance override 1w 3d party library bug`), or start it differently.
 *
 * `commands.override.max_duration` caps a given duration, and is the duration
 * of an override given without one. Without it, an override without a duration
 * lasts as its `scope` says.
 */
import { durationMs } from "../config/schema.js";

/** A duration word: a number and a unit, no space between. */
const DURATION_WORD = /^\d{1,6}(?:\.\d{1,3})?[mhdw]$/;

export interface OverrideArgs {
  /** The duration written first, as written, or null. */
  duration: string | null;
  /** The rest: the reason. */
  reason: string;
}

/** Splits an override's arguments into a leading duration and the reason. */
export function overrideArgs(args: string): OverrideArgs {
  const m = /^(\S+)(?:\s+([\s\S]*))?$/.exec(args.trim());
  if (!m || !DURATION_WORD.test(m[1]!.toLowerCase())) return { duration: null, reason: args.trim() };
  return { duration: m[1]!.toLowerCase(), reason: (m[2] ?? "").trim() };
}

/**
 * When an override given at `at` with `duration` (or none) expires under `max` (`commands.override.max_duration`):
 * the shorter of the two, the max when none is given, null (never) when neither is set. A zero duration expires at once.
 */
export function overrideExpiry(at: string, duration: string | null, max: string | undefined): string | null {
  const given = duration ? durationMs(duration) : Number.POSITIVE_INFINITY;
  const cap = max ? durationMs(max) : Number.POSITIVE_INFINITY;
  const ms = Math.min(given, cap);
  const start = Date.parse(at);
  // Past what a date can hold (`max_duration: 99999999w`): never, rather than a RangeError on every evaluation.
  const end = new Date(start + ms);
  if (!Number.isFinite(ms) || Number.isNaN(start) || Number.isNaN(end.getTime())) return null;
  return end.toISOString();
}

/** Is an override expiring at `expires` (null: never) expired at `now`? */
export function overrideExpired(expires: string | null | undefined, now: Date | string): boolean {
  if (!expires) return false;
  const t = typeof now === "string" ? Date.parse(now) : now.getTime();
  return Date.parse(expires) <= t;
}

/** The check run title of an overridden PR, with its expiry (which the sweep reads back: `titleExpiry`). */
export function overriddenTitle(login: string, expires: string | null | undefined): string {
  return `Overridden by @${login}${expires ? ` until ${expires}` : ""}`;
}

/** The expiry an overridden check run's title gives (`overriddenTitle`, maybe after "Report only: "), in ms; null when none. */
export function titleExpiry(title: string | null | undefined): number | null {
  const m = /^(?:Report only: )?Overridden by @\S+ until (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)$/.exec(title ?? "");
  const t = m ? Date.parse(m[1]!) : NaN;
  return Number.isNaN(t) ? null : t;
}
