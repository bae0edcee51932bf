/** The ledger, pure: sealing and verifying, merging two records, and the record an evaluation leaves. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cleanLedger, ledgerKeyFromSecret, ledgerSubject, mergeLedgers, nextLedger, openLedger, peekLedger, sealLedger } from "../../src/output/ledger.js";
import type { Evaluation, Ledger } from "../../src/types.js";

const KEY = ledgerKeyFromSecret("s3cret");
const SUBJECT = ledgerSubject("Acme", "App", 7);
const T0 = "2026-11-01T00:00:00.000Z";
const T1 = "2026-11-02T00:00:00.000Z";
const T2 = "2026-11-03T00:00:00.000Z";

const LEDGER: Ledger = { invokers: ["alice"], escalation: { notified: { "0": T0 }, started: T0 } };

describe("sealing and verifying", () => {
  it("seals a ledger as one hidden line that opens again under the same key, for the same PR", () => {
    const text = sealLedger(LEDGER, KEY, SUBJECT);
    expect(text).toMatch(/^<!-- agent-governance:ledger v1 [A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43} -->$/);
    expect(openLedger(text, KEY, SUBJECT)).toEqual(LEDGER);
    // GitHub may hand the text back with a line end.
    expect(openLedger(`${text}\n`, KEY, SUBJECT)).toEqual(LEDGER);
  });

  it("binds the subject to the repository and PR, whatever their case", () => {
    expect(ledgerSubject("Acme", "App", 7)).toBe("acme/app#7");
    const text = sealLedger(LEDGER, KEY, SUBJECT);
    expect(openLedger(text, KEY, ledgerSubject("acme", "app", 7))).toEqual(LEDGER);
  });

  it("rejects a ledger sealed with another key, for another PR or repository, or edited", () => {
    const text = sealLedger(LEDGER, KEY, SUBJECT);
    expect(openLedger(text, ledgerKeyFromSecret("other"), SUBJECT)).toBeNull();
    expect(openLedger(text, KEY, ledgerSubject("acme", "app", 8))).toBeNull();
    expect(openLedger(text, KEY, ledgerSubject("acme", "other", 7))).toBeNull();
    // An edited payload (no invoker) with the old signature.
    const [, sig] = /\.([A-Za-z0-9_-]{43}) -->$/.exec(text)!;
    const forged = `<!-- agent-governance:ledger v1 ${Buffer.from(JSON.stringify({ invokers: [] })).toString("base64url")}.${sig} -->`;
    expect(openLedger(forged, KEY, SUBJECT)).toBeNull();
  });

  it("says whether there is a ledger at all: undefined without one, null for a line that does not verify", () => {
    expect(openLedger(undefined, KEY, SUBJECT)).toBeUndefined();
    expect(openLedger("", KEY, SUBJECT)).toBeUndefined();
    expect(openLedger("some other text", KEY, SUBJECT)).toBeUndefined();
    expect(openLedger("<!-- agent-governance:ledger v1 junk -->", KEY, SUBJECT)).toBeNull();
    expect(openLedger(`before ${sealLedger(LEDGER, KEY, SUBJECT)}`, KEY, SUBJECT)).toBeNull();
  });

  it("derives the key as the HMAC of a fixed label under the secret (32 bytes), never the secret itself", () => {
    const key = ledgerKeyFromSecret("s3cret");
    expect(key).toHaveLength(32);
    expect(key.toString("hex")).toBe(ledgerKeyFromSecret("s3cret").toString("hex"));
    expect(key.toString("utf8")).not.toContain("s3cret");
    expect(ledgerKeyFromSecret("s3cret!").equals(key)).toBe(false);
  });

  it("peeks without a key (the CLI's snapshot), but only at a well-formed line", () => {
    expect(peekLedger(sealLedger(LEDGER, KEY, SUBJECT))).toEqual(LEDGER);
    expect(peekLedger("<!-- agent-governance:ledger v1 junk -->")).toBeNull();
    expect(peekLedger(null)).toBeUndefined();
  });

  const login = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,10}$/);
  const date = fc.integer({ min: Date.parse("2020-01-01"), max: Date.parse("2030-01-01") }).map((ms) => new Date(ms).toISOString());
  const ledgers: fc.Arbitrary<Ledger> = fc.record(
    {
      invokers: fc.uniqueArray(login, { maxLength: 5 }),
      escalation: fc.record(
        { notified: fc.dictionary(fc.integer({ min: 0, max: 9 }).map(String), date, { maxKeys: 3 }), started: date, since: date, paused: fc.constant(true) },
        { requiredKeys: ["notified"] },
      ),
    },
    { requiredKeys: ["invokers"] },
  );

  it("property: any ledger survives sealing and opening unchanged", () => {
    fc.assert(
      fc.property(ledgers, (l) => {
        expect(openLedger(sealLedger(l, KEY, SUBJECT), KEY, SUBJECT)).toEqual(cleanLedger(l));
      }),
    );
  });

  it("property: any byte of the sealed line replaced by another is rejected", () => {
    fc.assert(
      fc.property(ledgers, fc.nat(), fc.integer({ min: 0, max: 255 }), (l, at, byte) => {
        const text = Buffer.from(sealLedger(l, KEY, SUBJECT), "latin1");
        const i = at % text.length;
        fc.pre(text[i] !== byte);
        text[i] = byte;
        const opened = openLedger(text.toString("latin1"), KEY, SUBJECT);
        // Rejected: a line that does not verify (null), or no ledger line left at all (undefined); never a ledger.
        expect(opened === null || opened === undefined).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("property: opening never throws, whatever the text", () => {
    fc.assert(fc.property(fc.string(), (s) => void openLedger(`<!-- agent-governance:ledger v1 ${s}`, KEY, SUBJECT)));
  });
});

describe("cleaning a ledger (hand-written facts, or a future version's)", () => {
  it("keeps logins (lower case, once), valid tiers and dates, and drops the rest", () => {
    expect(
      cleanLedger({
        invokers: ["Alice", "alice", "bob", 7, "not a login!", "x".repeat(40)],
        escalation: { notified: { "0": T0, bad: T0, "1": "not a date" }, started: T1, since: 3, paused: "yes" },
        extra: true,
      }),
    ).toEqual({ invokers: ["alice", "bob"], escalation: { notified: { "0": T0 }, started: T1 } });
    expect(cleanLedger({ invokers: "alice" })).toBeNull();
    expect(cleanLedger(null)).toBeNull();
    expect(cleanLedger([])).toBeNull();
  });

  it("keeps at most 100 invokers", () => {
    expect(cleanLedger({ invokers: Array.from({ length: 150 }, (_, i) => `u${i}`) })!.invokers).toHaveLength(100);
  });
});

describe("merging two records of one PR (its head's and the replaced head's)", () => {
  it("keeps every invoker of either, in order", () => {
    expect(mergeLedgers({ invokers: ["alice", "bob"] }, { invokers: ["carol", "alice"] })).toEqual({ invokers: ["alice", "bob", "carol"] });
  });

  it("keeps every tier either notified (the earlier time), the earlier clock, and a pause only if both are paused", () => {
    const a: Ledger = { invokers: [], escalation: { notified: { "0": T1 }, started: T1, since: T2, paused: true } };
    const b: Ledger = { invokers: [], escalation: { notified: { "0": T0, "1": T2 }, started: T0 } };
    expect(mergeLedgers(a, b)).toEqual({ invokers: [], escalation: { notified: { "0": T0, "1": T2 }, started: T0 } });
    expect(mergeLedgers(a, { invokers: [], escalation: { notified: {}, started: T0, since: T1, paused: true } })).toEqual({
      invokers: [],
      escalation: { notified: { "0": T1 }, started: T0, since: T1, paused: true },
    });
  });

  it("takes the one escalation there is", () => {
    expect(mergeLedgers({ invokers: [] }, LEDGER)).toEqual(LEDGER);
    expect(mergeLedgers(LEDGER, { invokers: [] })).toEqual(LEDGER);
  });
});

describe("the record an evaluation leaves", () => {
  const evaluation = (invokers: string[], detected = true): Evaluation => ({
    agent: { detected, id: detected ? "devin" : null, name: null, kind: detected ? "agent" : "none", confidence: null, evidence: [], invoker: invokers[0] ?? null, invokers },
    mode: "enforce",
    outcome: detected ? "waiting" : "not_governed",
    conclusion: "action_required",
    title: "",
    rules: [],
    required: [],
    approvals: [],
    overrides: [],
    head_sha: "abc",
    evaluated_at: T2,
  });

  it("adds the invokers the evaluation named (lower case) to those recorded, and never drops one", () => {
    expect(nextLedger({ invokers: ["alice"] }, evaluation(["Bob", "alice"]), undefined)).toEqual({ invokers: ["alice", "bob"] });
    // The PR no longer names alice, or is no longer even detected: she stays recorded.
    expect(nextLedger({ invokers: ["alice"] }, evaluation([], false), undefined)).toEqual({ invokers: ["alice"] });
    // Nothing recorded yet (a new PR), or a record that failed verification.
    expect(nextLedger(undefined, evaluation(["bob"]), undefined)).toEqual({ invokers: ["bob"] });
    expect(nextLedger(null, evaluation([]), undefined)).toEqual({ invokers: [] });
  });

  it("records the escalation state the evaluation leaves; an empty one leaves the recorded state", () => {
    const state = { notified: { "0": T1 }, started: T0 };
    expect(nextLedger(LEDGER, evaluation([]), state)).toEqual({ invokers: ["alice"], escalation: state });
    expect(nextLedger(LEDGER, evaluation([]), { notified: {} })).toEqual(LEDGER);
    expect(nextLedger({ invokers: [] }, evaluation([]), { notified: {} })).toEqual({ invokers: [] });
  });
});
