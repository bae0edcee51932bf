/**
 * The app's ledger as the test app (webhook secret "test-secret") seals it on PR #2 of
 * Codertocat/Hello-World: what its check runs carry in `output.text`.
 */
import { ledgerKeyFromSecret, ledgerSubject, sealLedger } from "../../src/output/ledger.js";
import type { Ledger } from "../../src/types.js";
import { OWNER, REPO } from "./app.js";

/** The key the test app derives from its webhook secret. */
export const LEDGER_KEY = ledgerKeyFromSecret("test-secret");

/** The sealed ledger line for `ledger` on PR `number` (default #2). */
export const sealed = (ledger: Ledger, number = 2): string => sealLedger(ledger, LEDGER_KEY, ledgerSubject(OWNER, REPO, number));

/** The ledger of a PR with nothing recorded: no invoker, no escalation. */
export const EMPTY_LEDGER = sealed({ invokers: [] });
