import { describe, expect, it } from "vitest";
import { PolicySchema, type PolicyInput } from "../../src/config/schema.js";
import { planEscalation } from "../../src/output/escalation.js";
import { mergeLedgers, nextLedger, cleanLedger } from "../../src/output/ledger.js";
import { failedHeads, lastActivity, planStuck, STUCK_MARKER, stuckReason } from "../../src/output/stuck.js";
import type { Evaluation, PullFacts, RuleResult } from "../../src/types.js";

const OPENED = "2026-11-02T08:00:00.000Z"; // a Monday, 09:00 in Berlin
const at = (hours: number) => new Date(Date.parse(OPENED) + hours * 3_600_000);
const H = "a".repeat(40);

const policyOf = (escalation: PolicyInput["escalation"]) => PolicySchema.parse({ escalation });

const evaluation = (rules: RuleResult[] = [], over: Partial<Evaluation> = {}): Evaluation => ({
  agent: { detected: true, id: "copilot", name: "Copilot coding agent", kind: "agent", confidence: "high", evidence: [], invoker: "inv", invokers: ["inv"] },
  mode: "enforce",
  outcome: "violation",
  conclusion: "failure",
  title: "Policy violation",
  rules,
  required: [],
  approvals: [],
  overrides: [],
  head_sha: H,
  evaluated_at: OPENED,
  ...over,
});
const checks = (status: RuleResult["status"]): RuleResult => ({ id: "compliance.required_checks", status, message: "m" });

const facts = (over: Partial<PullFacts> = {}): PullFacts => ({
  pull: { number: 1, title: "t", body: "", user: { login: "Copilot", id: 198982749, type: "Bot" }, head: { ref: "copilot/x", sha: H }, base: { ref: "main", repo: { full_name: "acme/app" } }, created_at: OPENED },
  files: [],
  commits: [],
  reviews: [],
  comments: [],
  seen_at: { [H]: OPENED },
  ...over,
});

describe("failedHeads: the run of heads whose required checks failed", () => {
  const policy = policyOf({ stuck: { failed_heads: 3 } });
  it("counts a failing head once, keeps the count while checks run, and starts again at a head that passes", () => {
    const one = failedHeads(policy, evaluation([checks("fail")]), undefined);
    expect(one).toEqual({ count: 1, head: H });
    expect(failedHeads(policy, evaluation([checks("fail")]), one)).toEqual(one); // the same head again
    const B = "b".repeat(40);
    expect(failedHeads(policy, evaluation([checks("pending")], { head_sha: B }), one)).toEqual(one);
    expect(failedHeads(policy, evaluation([checks("fail")], { head_sha: B }), one)).toEqual({ count: 2, head: B });
    expect(failedHeads(policy, evaluation([checks("pass")], { head_sha: B }), { count: 2, head: B })).toEqual({ count: 0, head: B });
  });
  it("is not kept when the policy does not count failing heads", () => {
    expect(failedHeads(policyOf({}), evaluation([checks("fail")]), undefined)).toBeUndefined();
    expect(failedHeads(policyOf({ stuck: { idle: "3d" } }), evaluation([checks("fail")]), { count: 4, head: H })).toBeUndefined();
  });
});

describe("lastActivity and stuckReason", () => {
  const policy = policyOf({ stuck: { idle: "3d" } });
  it("takes the latest of: the head first seen, a human's review or comment; not a bot's, not the agent's", () => {
    const f = facts({
      reviews: [{ id: 1, user: { login: "alice", type: "User" }, state: "COMMENTED", submitted_at: "2026-11-03T10:00:00Z" }],
      comments: [
        { id: 2, user: { login: "ci[bot]", type: "Bot" }, body: "x", created_at: "2026-11-09T10:00:00Z" },
        { id: 3, user: { login: "Copilot", type: "Bot" }, body: "x", created_at: "2026-11-09T10:00:00Z" },
      ],
    });
    expect(new Date(lastActivity(policy, f, at(200))).toISOString()).toBe("2026-11-03T10:00:00.000Z");
    // A head the app has not seen yet was pushed now.
    expect(lastActivity(policy, facts({ seen_at: { [H]: null } }), at(200))).toBe(at(200).getTime());
    // Hand-written facts without `seen_at`: the head commit's committer date.
    const commit = { sha: H, commit: { message: "m", committer: { date: "2026-11-04T00:00:00Z" } } };
    expect(new Date(lastActivity(policy, facts({ seen_at: undefined, commits: [commit] }), at(200))).toISOString()).toBe("2026-11-04T00:00:00.000Z");
  });
  it("is idle after `idle` of wall time, or of business time with business hours", () => {
    expect(stuckReason(policy, facts(), undefined, at(71))).toBeNull();
    expect(stuckReason(policy, facts(), undefined, at(72))).toBe(`nothing was pushed and no human reviewed or commented for 3d (since ${OPENED})`);
    const business = policyOf({ stuck: { idle: "3d" }, business_hours: { timezone: "Europe/Berlin" } });
    // Three working days of 8 hours from Monday 09:00 Berlin end on Wednesday 17:00 (16:00 UTC).
    expect(stuckReason(business, facts(), undefined, new Date("2026-11-04T15:59:00Z"))).toBeNull();
    expect(stuckReason(business, facts(), undefined, new Date("2026-11-04T16:00:00Z"))).toContain("for 3d of business hours");
  });
  it("is stuck on failing heads once the run reaches `failed_heads`", () => {
    const p = policyOf({ stuck: { failed_heads: 2 } });
    expect(stuckReason(p, facts(), { count: 1, head: H }, at(1))).toBeNull();
    expect(stuckReason(p, facts(), { count: 2, head: H }, at(1))).toBe("its required checks failed on 2 pushes in a row (the last `aaaaaaa`)");
  });
});

describe("planStuck", () => {
  const policy = policyOf({ stuck: { idle: "1d", notify: ["acme/leads", "Inv"], repeat: "1d" }, tiers: [{ after: "1w", notify: ["lead"] }, { after: "2w", notify: ["cto"] }] });
  it("a spell that begins tells the invoker and `notify` in a new comment, once", () => {
    const plan = planStuck(policy, facts(), evaluation(), undefined, undefined, at(24));
    expect(plan).toEqual({
      stuck: { at: at(24).toISOString(), repeats: 0 },
      nextTier: false,
      reason: `nothing was pushed and no human reviewed or commented for 1d (since ${OPENED})`,
      notice: [
        STUCK_MARKER,
        "### ⚠️ This agent PR looks stuck",
        "",
        `@inv: nothing was pushed and no human reviewed or commented for 1d (since ${OPENED}). Copilot coding agent may need a hand: new instructions, a fix pushed, or the PR closed.`,
        "",
        "cc @acme/leads",
      ].join("\n"),
    });
    expect(planStuck(policy, facts(), evaluation(), plan.stuck, undefined, at(30))).toMatchObject({ notice: null, nextTier: false, stuck: plan.stuck });
  });
  it("every `repeat` after that escalates the next tier; nobody to tell escalates it at once", () => {
    const spell = { at: at(24).toISOString(), repeats: 0 };
    expect(planStuck(policy, facts(), evaluation(), spell, undefined, at(48))).toMatchObject({ nextTier: true, stuck: { at: spell.at, repeats: 1 } });
    expect(planStuck(policy, facts(), evaluation(), { ...spell, repeats: 1 }, undefined, at(60))).toMatchObject({ nextTier: false });
    const nobody = policyOf({ stuck: { idle: "1d" } });
    expect(planStuck(nobody, facts(), evaluation([], { agent: { ...evaluation().agent, invoker: null, invokers: [] } }), undefined, undefined, at(24))).toMatchObject({ notice: null, nextTier: true });
  });
  it("a `repeat` so short that the count outgrows what the ledger keeps never restarts the spell (a new notice on every evaluation); 0m is refused", () => {
    expect(() => policyOf({ stuck: { idle: "1d", repeat: "0m" } })).toThrow(/longer than nothing/);
    for (const repeat of ["0.001m"]) {
      const p = policyOf({ stuck: { idle: "1d", notify: ["lead"], repeat }, tiers: [{ after: "1w", notify: ["cto"] }] });
      let stuck = planStuck(p, facts(), evaluation(), undefined, undefined, at(24)).stuck;
      for (const hours of [25, 26, 27]) {
        const plan = planStuck(p, facts(), evaluation(), stuck, undefined, at(hours));
        expect(plan.notice).toBeNull();
        // What the ledger keeps of the spell after this evaluation.
        stuck = cleanLedger(JSON.parse(JSON.stringify(nextLedger(null, evaluation(), { notified: {}, ...(plan.stuck ? { stuck: plan.stuck } : {}) }))))?.escalation?.stuck;
        expect(stuck?.at).toBe(at(24).toISOString());
      }
    }
  });
  it("activity ends the spell", () => {
    const f = facts({ comments: [{ id: 5, user: { login: "alice", type: "User" }, body: "try again", created_at: at(30).toISOString() }] });
    expect(planStuck(policy, f, evaluation(), { at: at(24).toISOString(), repeats: 0 }, undefined, at(40))).toEqual({ stuck: undefined, notice: null, nextTier: false, reason: null });
  });
});

describe("planEscalation with `escalation.stuck`", () => {
  const policy = policyOf({ stuck: { failed_heads: 2, repeat: "1d" }, tiers: [{ after: "1w", notify: ["lead"] }] });
  it("records the run of failing heads, tells the invoker when it reaches the limit, then escalates the next tier after `repeat`", () => {
    const first = planEscalation(evaluation([checks("fail")]), facts({ ledger: { invokers: [] } }), policy, at(1));
    expect(first.state).toEqual({ notified: {}, started: at(1).toISOString(), failed: { count: 1, head: H } });
    expect(first.notice).toBeUndefined();
    const B = "b".repeat(40);
    const second = planEscalation(evaluation([checks("fail")], { head_sha: B }), facts({ ledger: { invokers: [], escalation: first.state }, pull: { ...facts().pull, head: { ref: "x", sha: B } } }), policy, at(2));
    expect(second.state).toEqual({ notified: {}, started: at(1).toISOString(), failed: { count: 2, head: B }, stuck: { at: at(2).toISOString(), repeats: 0 } });
    expect(second.notice).toContain("@inv: its required checks failed on 2 pushes in a row (the last `bbbbbbb`).");
    expect(second.newTiers).toEqual([]);
    expect(second.comment?.action === "create" && second.comment.body).toContain("⚠️ **Stuck:** its required checks failed on 2 pushes in a row (the last `bbbbbbb`).");
    const later = planEscalation(evaluation([checks("fail")], { head_sha: B }), facts({ ledger: { invokers: [], escalation: second.state }, pull: { ...facts().pull, head: { ref: "x", sha: B } } }), policy, at(26));
    expect(later.newTiers).toEqual([0]);
    expect(later.notice).toBeUndefined();
    expect(later.state.stuck).toEqual({ at: at(2).toISOString(), repeats: 1 });
    // A head that passes its checks: the run starts again, the PR no longer stuck.
    const C = "c".repeat(40);
    const fixed = planEscalation(evaluation([checks("pass")], { head_sha: C, outcome: "passed", conclusion: "success" }), facts({ ledger: { invokers: [], escalation: later.state } }), policy, at(27));
    expect(fixed.state.failed).toEqual({ count: 0, head: C });
    expect(fixed.state.stuck).toBeUndefined();
  });
});

describe("the ledger keeps the stuck records", () => {
  it("seals them, drops malformed ones, and merges on the escalating side", () => {
    const esc = { notified: {}, failed: { count: 3, head: H }, stuck: { at: OPENED, repeats: 2 } };
    expect(cleanLedger({ invokers: [], escalation: esc })).toEqual({ invokers: [], escalation: esc });
    expect(cleanLedger({ invokers: [], escalation: { notified: {}, failed: { count: -1, head: H }, stuck: { at: "soon", repeats: 1 } } })).toEqual({ invokers: [], escalation: { notified: {} } });
    const merged = mergeLedgers({ invokers: [], escalation: { notified: {}, failed: { count: 1, head: "b".repeat(40) }, stuck: { at: at(5).toISOString(), repeats: 0 } } }, { invokers: [], escalation: esc });
    expect(merged.escalation).toEqual({ notified: {}, failed: { count: 3, head: H }, stuck: { at: OPENED, repeats: 2 } });
    // A run reset to 0 is recorded, so the reset is not lost to the record before it.
    expect(nextLedger({ invokers: [], escalation: { notified: {}, failed: { count: 2, head: H } } }, evaluation(), { notified: {}, failed: { count: 0, head: H } }).escalation).toEqual({ notified: {}, failed: { count: 0, head: H } });
  });
});
