import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PolicySchema } from "../../src/config/schema.js";
import { durationMs } from "../../src/config/schema.js";
import { dueTiers, parseState, planEscalation, ESCALATION_MARKER } from "../../src/output/escalation.js";
import { planLabels, planReviewRequests } from "../../src/output/plan.js";
import type { Evaluation, PullFacts } from "../../src/types.js";

const tiers = [
  { after: "0h", notify: ["acme/maintainers"] },
  { after: "24h", notify: ["acme/leads"], label: "escalated" },
  { after: "3d", notify: ["cto"] },
];
const policy = PolicySchema.parse({ escalation: { tiers } });
const OPENED = "2026-11-01T00:00:00.000Z";
const at = (hours: number) => new Date(Date.parse(OPENED) + hours * 3_600_000);

const waiting: Evaluation = {
  agent: { detected: true, id: "copilot", name: "Copilot coding agent", kind: "agent", confidence: "high", evidence: [], invoker: "inv", invokers: ["inv"] },
  mode: "enforce",
  outcome: "waiting",
  conclusion: "action_required",
  title: "Waiting",
  rules: [],
  required: [{ rule: "reviewers", label: "reviewers", needed: 1, have: 0, users: ["bob", "inv", "Copilot"], teams: ["acme/maintainers", "other/team"], min_permission: null, approved_by: [], blocked_by: [] }],
  approvals: [],
  overrides: [],
  head_sha: "abc",
  evaluated_at: OPENED,
};
const facts = (over: Partial<PullFacts["pull"]> = {}, comments: PullFacts["comments"] = []): PullFacts => ({
  pull: { number: 1, title: "t", body: "", user: { login: "Copilot", id: 198982749, type: "Bot" }, head: { ref: "copilot/x", sha: "abc" }, base: { ref: "main", repo: { full_name: "acme/app" } }, created_at: OPENED, labels: [], ...over },
  files: [],
  commits: [],
  reviews: [{ id: 1, user: { login: "carol", type: "User" }, state: "COMMENTED" }],
  comments,
});

describe("durations and due tiers", () => {
  it("parses units", () => {
    expect([durationMs("30m"), durationMs("4h"), durationMs("2d"), durationMs("1w"), durationMs("bad")]).toEqual([1_800_000, 14_400_000, 172_800_000, 604_800_000, Infinity]);
  });
  it("makes each tier due after its time, and escalate-now adds the next one", () => {
    expect(dueTiers(tiers, OPENED, at(1), { notified: {} }, false)).toEqual([0]);
    expect(dueTiers(tiers, OPENED, at(25), { notified: {} }, false)).toEqual([0, 1]);
    expect(dueTiers(tiers, OPENED, at(1), { notified: { "0": OPENED } }, true)).toEqual([0, 1]);
    expect(dueTiers(tiers, OPENED, at(100), { notified: {} }, true)).toEqual([0, 1, 2]);
  });
  it("with business hours, counts the wait in working time: a Friday-evening PR waits the weekend for free", () => {
    const bh = { timezone: "Europe/Berlin", days: ["mon", "tue", "wed", "thu", "fri"] as const, hours: "09:00-17:00", holidays: [] };
    const day = [{ after: "0h", notify: ["a"] }, { after: "1d", notify: ["b"] }, { after: "2d", notify: ["c"] }];
    // Friday 16:00 Berlin to Monday 16:00 Berlin: 1 + 7 working hours, one working day.
    expect(dueTiers(day, "2026-11-20T15:00:00Z", new Date("2026-11-23T14:59:00Z"), { notified: {} }, false, bh)).toEqual([0]);
    expect(dueTiers(day, "2026-11-20T15:00:00Z", new Date("2026-11-23T15:00:00Z"), { notified: {} }, false, bh)).toEqual([0, 1]);
    // On wall time the same wait had reached every tier.
    expect(dueTiers(day, "2026-11-20T15:00:00Z", new Date("2026-11-23T15:00:00Z"), { notified: {} }, false)).toEqual([0, 1, 2]);
  });
  it("reads its state back from the comment and survives anything else", () => {
    expect(parseState(`x <!-- agent-governance:state {"notified":{"0":"${OPENED}","bad":"x","1":"not a date"}} -->`)).toEqual({ notified: { "0": OPENED } });
    fc.assert(fc.property(fc.string(), (body) => typeof parseState(body).notified === "object"));
  });
});

describe("planEscalation", () => {
  it("creates once, then edits in place, then resolves; never on a human PR", () => {
    const first = planEscalation(waiting, facts(), policy, at(1));
    expect(first.comment?.action).toBe("create");
    expect(first.newTiers).toEqual([0]);
    const posted = { id: 7, user: { login: "app[bot]", type: "Bot" }, body: first.comment!.body, created_at: OPENED };
    expect(planEscalation(waiting, facts({}, [posted]), policy, at(2)).comment).toBeNull(); // nothing changed
    const later = planEscalation(waiting, facts({}, [posted]), policy, at(25));
    expect(later.comment).toMatchObject({ action: "update", id: 7 });
    expect(later.newTiers).toEqual([1]);
    const resolved = planEscalation({ ...waiting, outcome: "passed" }, facts({}, [posted]), policy, at(26));
    expect(resolved.comment).toMatchObject({ action: "update", id: 7 });
    expect((resolved.comment as { body: string }).body).toContain("### ✅ Resolved");
    expect(planEscalation({ ...waiting, outcome: "not_governed" }, facts(), policy, at(1)).comment).toBeNull();
  });
  it("a resolved comment gives a time-bound override's expiry", () => {
    const first = planEscalation(waiting, facts(), policy, at(1));
    const posted = { id: 7, user: { login: "app[bot]", type: "Bot" }, body: first.comment!.body, created_at: OPENED };
    const override = { login: "bob", commit: "abc", at: OPENED, reason: "INC-42", comment_id: 9, expires_at: "2026-11-08T00:00:00.000Z" };
    const resolved = planEscalation({ ...waiting, outcome: "overridden", overrides: [override] }, facts({}, [posted]), policy, at(26));
    expect((resolved.comment as { body: string }).body).toContain("The policy is satisfied on `abc`: overridden by @bob until 2026-11-08T00:00:00.000Z: `INC-42`.");
  });
  it("ignores a marker comment written by a human", () => {
    const spoof = { id: 3, user: { login: "mallory", type: "User" }, body: `${ESCALATION_MARKER}\n<!-- agent-governance:state {"notified":{"0":"${OPENED}","1":"${OPENED}","2":"${OPENED}"}} -->`, created_at: OPENED };
    const plan = planEscalation(waiting, facts({}, [spoof]), policy, at(1));
    expect(plan.comment?.action).toBe("create");
    expect(plan.notifiedTiers).toEqual([0]);
  });
  it("leaves a draft alone: no comment, no tiers, no review requests, no waiting label", () => {
    const plan = planEscalation(waiting, facts({ draft: true }), policy, at(100));
    expect(plan).toEqual({ comment: null, newTiers: [], notifiedTiers: [], state: { notified: {} } });
    expect(planReviewRequests(waiting, facts({ draft: true }), policy, plan)).toEqual({ reviewers: [], team_reviewers: [] });
    expect(planLabels(waiting, facts({ draft: true }), policy, plan)).toEqual({ add: ["agent-pr"], remove: [] });
  });

  it("restarts the wait after a draft (or a close, or a pass): marking ready days later does not ping every tier at once", () => {
    const first = planEscalation(waiting, facts(), policy, at(0));
    let posted = { id: 7, user: { login: "app[bot]", type: "Bot" }, body: first.comment!.body, created_at: OPENED };
    // Converted to draft an hour later: the comment records the pause, nothing is due.
    const drafted = planEscalation(waiting, facts({ draft: true }, [posted]), policy, at(1));
    expect(drafted.newTiers).toEqual([]);
    expect((drafted.comment as { body: string }).body).toContain('"paused":true');
    posted = { ...posted, body: (drafted.comment as { body: string }).body };
    // Ready again five days later: the wait counts from now, so only the tiers already due before stay notified.
    const ready = planEscalation(waiting, facts({}, [posted]), policy, at(121));
    expect(ready.newTiers).toEqual([]);
    expect((ready.comment as { body: string }).body).toContain(`"since":"${at(121).toISOString()}"`);
    posted = { ...posted, body: (ready.comment as { body: string }).body };
    // A day after that, the 24h tier falls due.
    expect(planEscalation(waiting, facts({}, [posted]), policy, at(145)).newTiers).toEqual([1]);
    expect(parseState((ready.comment as { body: string }).body)).toEqual({ notified: { "0": at(0).toISOString() }, since: at(121).toISOString() });
  });

  it("counts the wait from when the PR first needed humans (its escalation comment), not from when it was opened", () => {
    // Opened long ago as a draft, marked ready now: only the 0h tier is due.
    expect(planEscalation(waiting, facts(), policy, at(100)).newTiers).toEqual([0]);
  });
});

describe("planEscalation with the app's ledger (facts.ledger)", () => {
  const BOT_COMMENT = (body: string) => ({ id: 7, user: { login: "app[bot]", type: "Bot" }, body, created_at: at(120).toISOString() });
  const withLedger = (ledger: PullFacts["ledger"], comments: PullFacts["comments"] = [], over: Partial<PullFacts["pull"]> = {}): PullFacts => ({ ...facts(over, comments), ledger });
  const tier1 = { invokers: [], escalation: { notified: { "0": at(1).toISOString() }, started: at(1).toISOString() } };

  it("a deleted escalation comment does not restart the wait: the ledger's start counts, and the comment is posted anew", () => {
    const plan = planEscalation(waiting, withLedger(tier1), policy, at(26));
    expect(plan.comment?.action).toBe("create");
    expect(plan.newTiers).toEqual([1]);
    expect(plan.notifiedTiers).toEqual([0, 1]);
    expect(plan.state).toEqual({ notified: { "0": at(1).toISOString(), "1": at(26).toISOString() }, started: at(1).toISOString() });
  });

  it("ignores the comment's state, however it was edited (every tier 'notified', or the wait 'restarted')", () => {
    const edited = `${ESCALATION_MARKER}\n<!-- agent-governance:state {"notified":{"0":"${OPENED}","1":"${OPENED}","2":"${OPENED}"},"since":"${at(24).toISOString()}"} -->`;
    const plan = planEscalation(waiting, withLedger(tier1, [BOT_COMMENT(edited)]), policy, at(26));
    expect(plan.comment).toMatchObject({ action: "update", id: 7 });
    expect(plan.newTiers).toEqual([1]);
  });

  it("a ledger that failed verification (null): the wait counts from the PR's creation, and every tier due is notified again", () => {
    const all = `${ESCALATION_MARKER}\n<!-- agent-governance:state {"notified":{"0":"${OPENED}","1":"${OPENED}"}} -->`;
    const plan = planEscalation(waiting, withLedger(null, [BOT_COMMENT(all)]), policy, at(25));
    expect(plan.newTiers).toEqual([0, 1]);
    expect(plan.state).toEqual({ notified: { "0": at(25).toISOString(), "1": at(25).toISOString() }, started: OPENED });
  });

  it("a PR with nothing recorded yet starts its wait now and records when", () => {
    const plan = planEscalation(waiting, withLedger({ invokers: [] }), policy, at(100));
    expect(plan.newTiers).toEqual([0]);
    expect(plan.state).toEqual({ notified: { "0": at(100).toISOString() }, started: at(100).toISOString() });
  });

  it("records a pass (or a draft) as a pause even without a comment; the wait restarts when it needs humans again", () => {
    const passed = planEscalation({ ...waiting, outcome: "passed" }, withLedger(tier1), policy, at(2));
    expect(passed.state).toEqual({ ...tier1.escalation, paused: true });
    expect(planEscalation(waiting, withLedger(tier1, [], { draft: true }), policy, at(2)).state).toEqual({ ...tier1.escalation, paused: true });
    const back = planEscalation(waiting, withLedger({ invokers: [], escalation: passed.state }), policy, at(50));
    expect(back.newTiers).toEqual([]);
    expect(back.state).toEqual({ ...tier1.escalation, since: at(50).toISOString() });
    // Nothing had started: nothing to pause.
    expect(planEscalation({ ...waiting, outcome: "passed" }, withLedger({ invokers: [] }), policy, at(2)).state).toEqual({ notified: {} });
  });

  it("a wait paused and resumed at the same instant is not restarted", () => {
    const plan = planEscalation(waiting, withLedger({ invokers: [], escalation: { notified: {}, started: at(3).toISOString(), paused: true } }), policy, at(3));
    expect(plan.state).toEqual({ notified: { "0": at(3).toISOString() }, started: at(3).toISOString() });
  });
});

describe("labels and review requests", () => {
  it("adds what the state needs and removes only its own labels", () => {
    const first = planEscalation(waiting, facts(), policy, at(0));
    const posted = { id: 7, user: { login: "app[bot]", type: "Bot" }, body: (first.comment as { body: string }).body, created_at: OPENED };
    const esc = planEscalation(waiting, facts({}, [posted]), policy, at(25));
    expect(planLabels(waiting, facts({ labels: [{ name: "agent-policy-violation" }, { name: "bug" }] }), policy, esc)).toEqual({
      add: ["agent-pr", "needs-human-review", "escalated"],
      remove: ["agent-policy-violation"],
    });
    expect(planLabels({ ...waiting, outcome: "error" }, facts(), policy, esc)).toEqual({ add: [], remove: [] });
  });
  it("says what the check summary says about commands: no `/governance approve` when `commands.approve.enabled` is false", () => {
    const off = PolicySchema.parse({ escalation: { tiers }, commands: { approve: { enabled: false }, override: { min_permission: "maintain" } } });
    const body = planEscalation(waiting, facts(), off, at(1)).comment!.body;
    expect(body).not.toContain("/governance approve");
    expect(body).toContain("- `/governance override [7d] <reason>`: lets the current head commit pass despite failing rules; recorded with who, when, commit and reason; a duration first (`4h`, `7d`) makes it expire (maintain permission or above)");
    expect(planEscalation(waiting, facts(), policy, at(1)).comment!.body).toContain("- `/governance approve`: counts as your approval of the current head commit");
  });
  it("requests reviewers who can satisfy what is missing: not the author, the invoker, bots, other orgs or people who reviewed", () => {
    const esc = planEscalation(waiting, facts(), policy, at(1));
    expect(planReviewRequests(waiting, facts({ requested_reviewers: [{ login: "bob" }] }), policy, esc)).toEqual({ reviewers: [], team_reviewers: ["maintainers"] });
    expect(planReviewRequests(waiting, facts(), policy, esc)).toEqual({ reviewers: ["bob"], team_reviewers: ["maintainers"] });
    expect(planReviewRequests({ ...waiting, outcome: "violation" }, facts(), policy, esc)).toEqual({ reviewers: [], team_reviewers: [] });
  });
  it("requests no agent's account, even one a requirement or a tier names (issue 15, item 1)", () => {
    const esc = planEscalation(waiting, facts(), policy, at(1));
    const required = [{ ...waiting.required[0]!, users: ["bob", "OpenHands-Agent", "cursoragent", "acme-agent"] }];
    const own = PolicySchema.parse({ escalation: { tiers }, agents: { also: { logins: ["acme-agent"] } } });
    expect(planReviewRequests({ ...waiting, required }, facts(), own, esc)).toEqual({ reviewers: ["bob"], team_reviewers: ["maintainers"] });
  });
  it("requests none of the agent's invokers, whatever their case", () => {
    const esc = planEscalation(waiting, facts(), policy, at(1));
    const two: Evaluation = { ...waiting, agent: { ...waiting.agent, invoker: "inv", invokers: ["inv", "RealDev"] } };
    const required = [{ ...waiting.required[0]!, users: ["bob", "inv", "realdev"] }];
    expect(planReviewRequests({ ...two, required }, facts(), policy, esc)).toEqual({ reviewers: ["bob"], team_reviewers: ["maintainers"] });
    const allowed = PolicySchema.parse({ escalation: { tiers }, reviewers: { invoker_can_approve: true } });
    expect(planReviewRequests({ ...two, required }, facts(), allowed, esc)).toEqual({ reviewers: ["bob", "inv", "realdev"], team_reviewers: ["maintainers"] });
  });
});
