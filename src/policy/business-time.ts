/**
 * Business time: how much of a span of wall time falls in the working hours of
 * `escalation.business_hours` (working days, hours of the day, holidays, in one
 * IANA time zone). Pure: the time zone is read with `Intl.DateTimeFormat`, no
 * clock, no dependency. Escalation clocks (tiers, `stuck.idle`, `stuck.repeat`)
 * count this instead of wall time when the policy sets business hours.
 */
import { durationMs } from "../config/schema.js";

export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface BusinessHours {
  /** An IANA time zone, e.g. `Europe/Berlin`. */
  timezone: string;
  /** Working days. */
  days: readonly Weekday[];
  /** Working hours of each working day, local time: `HH:MM-HH:MM` (end after start; `24:00` is the day's end). */
  hours: string;
  /** Local dates (`YYYY-MM-DD`) that are not working days. */
  holidays: readonly string[];
}

/** `09:00-17:00`: minutes from local midnight, or null when malformed or not increasing. */
export function parseHours(hours: string): { start: number; end: number } | null {
  const m = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(hours.trim());
  if (!m) return null;
  const [h1, m1, h2, m2] = m.slice(1).map(Number) as [number, number, number, number];
  if (h1 > 23 || m1 > 59 || h2 > 24 || m2 > 59 || (h2 === 24 && m2 !== 0)) return null;
  const start = h1 * 60 + m1;
  const end = h2 * 60 + m2;
  return end > start ? { start, end } : null;
}

/** Is `tz` a time zone this runtime knows? */
export function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return tz.length > 0;
  } catch {
    return false;
  }
}

const formats = new Map<string, Intl.DateTimeFormat>();

function format(tz: string): Intl.DateTimeFormat {
  let f = formats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: tz, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
    formats.set(tz, f);
  }
  return f;
}

/** The local calendar date and time of an instant in `tz`. */
function localParts(tz: string, ms: number): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const out: Record<string, number> = {};
  for (const p of format(tz).formatToParts(new Date(ms))) if (p.type !== "literal") out[p.type] = Number(p.value);
  return { y: out.year!, mo: out.month!, d: out.day!, h: out.hour! % 24, mi: out.minute!, s: out.second! };
}

/** The zone's offset from UTC at an instant, in ms (local wall time minus UTC). */
function offsetAt(tz: string, ms: number): number {
  const p = localParts(tz, ms);
  return Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s) - Math.floor(ms / 1000) * 1000;
}

/** Instants of local wall times already worked out, by zone and wall time (bounded: cleared when full). */
const instants = new Map<string, number>();

/** The instant a local wall time (a date, and minutes from its midnight) happens in `tz`; a time skipped by a DST change lands just after it. */
function localToInstant(tz: string, y: number, mo: number, d: number, minutes: number): number {
  const wall = Date.UTC(y, mo - 1, d) + minutes * 60_000;
  const key = `${tz}|${wall}`;
  const known = instants.get(key);
  if (known !== undefined) return known;
  const first = wall - offsetAt(tz, wall);
  const instant = wall - offsetAt(tz, first);
  if (instants.size >= 50_000) instants.clear();
  instants.set(key, instant);
  return instant;
}

/** More than any zone's offset from UTC (they run from -12h to +14h). */
const MAX_OFFSET_MS = 15 * 3_600_000;

/** Days looked at, at most, in one span (ten years): past that the span counts no more business time. */
export const MAX_DAYS = 3660;

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * Business milliseconds in `[from, to)`: the parts of the span that fall in working hours on working days
 * (holidays excluded), in the configured time zone. 0 when `to` is not after `from`. Never more than the
 * wall time between them, and never less for a later `to`.
 */
export function businessMs(from: number, to: number, bh: BusinessHours): number {
  if (!(to > from)) return 0;
  const hours = parseHours(bh.hours);
  if (!hours || !validTimeZone(bh.timezone)) return 0;
  const tz = bh.timezone;
  const days = new Set<string>(bh.days);
  const holidays = new Set(bh.holidays);
  const start = localParts(tz, from);
  let total = 0;
  // The end of the last interval counted: intervals never overlap, whatever a DST change does to local times.
  let cursor = from;
  for (let i = 0; i < MAX_DAYS; i++) {
    const date = new Date(Date.UTC(start.y, start.mo - 1, start.d + i));
    const [y, mo, d] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    // The day starts after `to` in every zone: nothing more can count (no time-zone read needed to know).
    if (Date.UTC(y, mo - 1, d) - MAX_OFFSET_MS >= to) break;
    if (!days.has(WEEKDAYS[date.getUTCDay()]!) || holidays.has(`${y}-${pad(mo)}-${pad(d)}`)) continue;
    const open = Math.max(localToInstant(tz, y, mo, d, hours.start), cursor);
    const close = Math.min(localToInstant(tz, y, mo, d, hours.end), to);
    if (close > open) {
      total += close - open;
      cursor = close;
    }
  }
  return total;
}

/**
 * A policy duration as the clock that counts it: wall time without business hours; with them,
 * `m` and `h` are working minutes and hours, `d` a working day (the length of `hours`), `w` a
 * working week (that times the number of working days).
 */
export function clockDurationMs(d: string, bh?: BusinessHours): number {
  const wall = durationMs(d);
  if (!bh || !Number.isFinite(wall)) return wall;
  const hours = parseHours(bh.hours);
  if (!hours) return wall;
  const day = (hours.end - hours.start) * 60_000;
  const unit = d.trim().slice(-1);
  if (unit === "d") return (wall / 86_400_000) * day;
  if (unit === "w") return (wall / 604_800_000) * day * bh.days.length;
  return wall;
}

/** Time elapsed from `from` to `to` on the policy's clock: wall time, or business time with business hours. */
export function elapsedMs(from: number, to: number, bh?: BusinessHours): number {
  if (!bh) return Math.max(0, to - from);
  return businessMs(from, to, bh);
}
