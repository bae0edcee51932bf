/**
 * The app's ledger as the test app (webhook secret "test-secret") seals it on PR #2 of
 * Codertocat/Hello-World: what its check runs carry in `output.text`.
 */
import { ledgerKeyFromSecret, ledgerSubject, sealLedger } from "../../src/output/ledger.js";
import type { Ledger } from "../../src/types.js";
import { NOW, OWNER, REPO } from "./app.js";

/** The key the test app derives from its webhook secret. */
export const LEDGER_KEY = ledgerKeyFromSecret("test-secret");

/** The sealed ledger line for `ledger` on PR `number` (default #2). */
export const sealed = (ledger: Ledger, number = 2): string => sealLedger(ledger, LEDGER_KEY, ledgerSubject(OWNER, REPO, number));

/** The ledger of a PR with nothing recorded: no invoker, no escalation. */
export const EMPTY_LEDGER = sealed({ invokers: [] });

/** The ledger of a PR first found waiting for humans at NOW: when its wait started. */
export const WAITING_LEDGER = sealed({ invokers: [], escalation: { notified: {}, started: NOW } });

/**
 * A check-run body without its ledger (`output.text`), for tests about something else: the text, when
 * present, must be a sealed ledger line (tests/app/ledger.test.ts asserts what it records).
 */
export function withoutLedger<T>(body: T): T {
  const b = body as { output?: { text?: unknown } } | undefined;
  if (!b?.output || b.output.text === undefined) return body;
  if (typeof b.output.text !== "string" || !b.output.text.startsWith("<!-- agent-governance:ledger v1 ")) throw new Error(`not a sealed ledger: ${String(b.output.text).slice(0, 80)}`);
  const { text: _text, ...output } = b.output;
  return { ...b, output } as T;
}
