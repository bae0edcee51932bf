/**
 * The ledger: what the app must not forget about a PR, kept where only the app can
 * write it. Anyone with write access can edit or delete any comment (the escalation
 * comment's state included) and edit the PR body (a `Requested by:` line), so the
 * invokers the app has ever seen and the escalation's clock and notified tiers are
 * recorded in the app's own check run on the head (`output.text`, a hidden line),
 * carried to each new head, and sealed with an HMAC under a key only the app holds,
 * bound to the repository and PR. Pure: sealing and opening are deterministic.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Evaluation, Ledger, LedgerEscalation } from "../types.js";

/** What the app's key is derived from: the HMAC of this label under its webhook secret. */
export const LEDGER_KEY_LABEL = "agent-governance ledger key v1";

const PREFIX = "<!-- agent-governance:ledger v1 ";
const SUFFIX = " -->";
/** A sealed ledger, the whole text: base64url payload, `.`, base64url HMAC-SHA256 (43 characters). */
const SEALED = /^<!-- agent-governance:ledger v1 ([A-Za-z0-9_-]{1,60000})\.([A-Za-z0-9_-]{43}) -->$/;
/** Any ledger line, sealed or not: "a record is here". */
const MARKED = "<!-- agent-governance:ledger";

/** Invokers kept at most (GitHub allows 10 assignees; the rest come from one body line and commit trailers). */
export const MAX_LEDGER_INVOKERS = 100;

const LOGIN = /^[a-z0-9](?:[a-z0-9-]{0,38})$/;
/** The largest count a ledger keeps (a larger one is not kept: the safe side). */
export const MAX_COUNT = 10_000;
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= MAX_COUNT;
const isDate = (v: unknown): v is string => typeof v === "string" && v.length <= 40 && !Number.isNaN(Date.parse(v));

/** The key for sealing ledgers, from a secret (the webhook secret): an HMAC of a fixed label, so the secret itself never signs anything public. */
export function ledgerKeyFromSecret(secret: string): Buffer {
  return createHmac("sha256", secret).update(LEDGER_KEY_LABEL).digest();
}

/** What a ledger is bound to: one PR of one repository (a ledger copied to another PR does not verify). */
export function ledgerSubject(owner: string, repo: string, number: number): string {
  return `${owner}/${repo}#${number}`.toLowerCase();
}

const mac = (key: Uint8Array, subject: string, payload: string) =>
  createHmac("sha256", key).update(`agent-governance ledger v1\n${subject}\n${payload}`).digest("base64url");

/** A ledger in canonical form: valid fields only, invokers lower case, unique, at most `MAX_LEDGER_INVOKERS`. Null: not a ledger. */
export function cleanLedger(raw: unknown): Ledger | null {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return null;
  const r = raw as { invokers?: unknown; escalation?: unknown };
  if (!Array.isArray(r.invokers)) return null;
  const invokers: string[] = [];
  for (const v of r.invokers) {
    const login = typeof v === "string" ? v.toLowerCase() : "";
    if (LOGIN.test(login) && !invokers.includes(login) && invokers.length < MAX_LEDGER_INVOKERS) invokers.push(login);
  }
  const ledger: Ledger = { invokers };
  const e = r.escalation;
  if (e && typeof e === "object" && !Array.isArray(e)) {
    const x = e as Record<string, unknown>;
    const notified: Record<string, string> = {};
    if (x.notified && typeof x.notified === "object" && !Array.isArray(x.notified)) {
      for (const [k, v] of Object.entries(x.notified)) if (/^\d{1,2}$/.test(k) && isDate(v)) notified[k] = v;
    }
    const escalation: LedgerEscalation = { notified };
    if (isDate(x.started)) escalation.started = x.started;
    if (isDate(x.since)) escalation.since = x.since;
    if (x.paused === true) escalation.paused = true;
    const f = x.failed as { count?: unknown; head?: unknown } | null | undefined;
    if (f && typeof f === "object" && isCount(f.count) && typeof f.head === "string" && /^[0-9a-f]{7,64}$/.test(f.head)) escalation.failed = { count: f.count, head: f.head };
    const st = x.stuck as { at?: unknown; repeats?: unknown } | null | undefined;
    if (st && typeof st === "object" && isDate(st.at) && isCount(st.repeats)) escalation.stuck = { at: st.at, repeats: st.repeats };
    ledger.escalation = escalation;
  }
  return ledger;
}

/** The hidden line that records `ledger` for `subject`, sealed with `key`. */
export function sealLedger(ledger: Ledger, key: Uint8Array, subject: string): string {
  const payload = Buffer.from(JSON.stringify(cleanLedger(ledger) ?? { invokers: [] })).toString("base64url");
  return `${PREFIX}${payload}.${mac(key, subject, payload)}${SUFFIX}`;
}

/**
 * The ledger a check run's text records for `subject`: undefined when it records none,
 * null when it carries a ledger line that does not verify under `key` (altered, sealed
 * with another key, or for another PR), else the ledger.
 */
export function openLedger(text: string | null | undefined, key: Uint8Array, subject: string): Ledger | null | undefined {
  if (!text?.includes(MARKED)) return undefined;
  const m = SEALED.exec(text.trim());
  if (!m) return null;
  const [, payload, sig] = m as unknown as [string, string, string];
  const want = Buffer.from(mac(key, subject, payload));
  const got = Buffer.from(sig);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
  try {
    return cleanLedger(JSON.parse(Buffer.from(payload, "base64url").toString("utf8")));
  } catch {
    return null;
  }
}

/** The ledger a check run's text records, unverified: for `snapshot` (no key), whose facts are a simulation. */
export function peekLedger(text: string | null | undefined): Ledger | null | undefined {
  if (!text?.includes(MARKED)) return undefined;
  const m = SEALED.exec(text.trim());
  if (!m) return null;
  try {
    return cleanLedger(JSON.parse(Buffer.from(m[1]!, "base64url").toString("utf8")));
  } catch {
    return null;
  }
}

const earliest = (a: string | undefined, b: string | undefined) => (a && b ? (Date.parse(a) <= Date.parse(b) ? a : b) : undefined);

function mergeEscalation(a: LedgerEscalation | undefined, b: LedgerEscalation | undefined): LedgerEscalation | undefined {
  if (!a || !b) return a ?? b;
  const notified: Record<string, string> = { ...a.notified };
  for (const [k, v] of Object.entries(b.notified)) notified[k] = earliest(notified[k], v) ?? v;
  const out: LedgerEscalation = { notified };
  // The earlier clock: a wait that started (or restarted) later is never preferred.
  const started = earliest(a.started, b.started) ?? a.started ?? b.started;
  if (started) out.started = started;
  const since = earliest(a.since, b.since);
  if (since) out.since = since;
  if (a.paused && b.paused) out.paused = true;
  // The longer run of failing heads (the side that escalates); the earlier stuck spell and the more `repeat`
  // escalations done (as for tiers: what either record says was done is not done again).
  const failed = [a.failed, b.failed].filter((f) => f !== undefined).sort((x, y) => y.count - x.count)[0];
  if (failed) out.failed = failed;
  if (a.stuck || b.stuck) {
    const at = earliest(a.stuck?.at, b.stuck?.at) ?? a.stuck?.at ?? b.stuck!.at;
    out.stuck = { at, repeats: Math.max(a.stuck?.repeats ?? 0, b.stuck?.repeats ?? 0) };
  }
  return out;
}

/**
 * Two records of one PR (its head's and the head a push replaced) as one, on the safe side:
 * every invoker of either; every tier either notified (at its earliest time); the earlier
 * clock; paused only if both are.
 */
export function mergeLedgers(a: Ledger, b: Ledger): Ledger {
  const invokers = [...a.invokers];
  for (const l of b.invokers) if (!invokers.includes(l)) invokers.push(l);
  const escalation = mergeEscalation(a.escalation, b.escalation);
  return cleanLedger({ invokers, ...(escalation ? { escalation } : {}) })!;
}

/** An escalation state worth recording: a wait started or paused, or a tier notified. */
const recordable = (s: LedgerEscalation | undefined): s is LedgerEscalation =>
  !!s && (Object.keys(s.notified).length > 0 || !!s.started || !!s.since || !!s.paused || !!s.failed || !!s.stuck);

/**
 * The ledger after an evaluation: the recorded one (null or absent: none) with every
 * invoker this evaluation named added, and the escalation state it leaves.
 */
export function nextLedger(recorded: Ledger | null | undefined, e: Evaluation, escalation: LedgerEscalation | undefined): Ledger {
  const invokers = [...(recorded?.invokers ?? [])];
  for (const l of [e.agent.invoker, ...(e.agent.invokers ?? [])]) {
    const login = l?.toLowerCase();
    if (login && !invokers.includes(login)) invokers.push(login);
  }
  const state = recordable(escalation) ? escalation : recorded?.escalation;
  return cleanLedger({ invokers, ...(recordable(state) ? { escalation: state } : {}) })!;
}
