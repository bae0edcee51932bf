import { describe, expect, it } from "vitest";
import { detectAgent, isAssignedAgent, type DetectConfig } from "../../src/detect/detect.js";
import type { AgentVerdict, Evidence, PullFacts } from "../../src/types.js";
import { ALICE, COPILOT, DEVIN, commit, forkHead, pr } from "./build.js";

const NONE: AgentVerdict = { detected: false, id: null, name: null, kind: "none", confidence: null, evidence: [], invoker: null, invokers: [], agents: [] };

/** The evidence entries of one signal. */
const signal = (v: AgentVerdict, name: string): Evidence[] => v.evidence.filter((e) => e.signal === name);

describe("a plain human PR", () => {
  it("is not detected and carries no evidence", () => {
    expect(detectAgent(pr())).toEqual(NONE);
  });

  it("tolerates missing and null parts of a snapshot", () => {
    const bare = { pull: { number: 1, title: "t", body: null, user: null, head: { ref: "", sha: "a" }, base: { ref: "main" }, labels: [{ name: "" }] } } as unknown as PullFacts;
    expect(detectAgent(bare)).toEqual(NONE);
    const odd = pr({}, { commits: [{ sha: "1" } as unknown as PullFacts["commits"][number]] });
    expect(detectAgent(odd)).toEqual(NONE);
  });
});

describe("verified: the PR author is the agent's GitHub App", () => {
  it.each([
    ["Copilot as REST and webhooks spell it", COPILOT, "copilot"],
    ["Copilot as search spells it", { login: "copilot-swe-agent[bot]", id: 198982749, type: "Bot" }, "copilot"],
    ["Devin", DEVIN, "devin"],
    ["Jules", { login: "google-labs-jules[bot]", id: 161369871, type: "Bot" }, "jules"],
  ])("%s", (_, user, id) => {
    const v = detectAgent(pr({ user }));
    expect(v).toMatchObject({ detected: true, id, kind: "agent", confidence: "high" });
    expect(v.evidence[0]).toEqual({
      signal: "author",
      strength: "verified",
      value: `${user.login} (id ${user.id}, Bot)`,
      where: "pull.user",
      agent: id,
    });
  });

  it("a known bot login without an id to compare is only declared", () => {
    const v = detectAgent(pr({ user: { login: "Copilot", type: "Bot" } }));
    expect(v).toMatchObject({ id: "copilot", confidence: "medium" });
    expect(v.evidence[0]).toMatchObject({ signal: "author", strength: "declared", value: "Copilot (Bot, no id to confirm)" });
  });
});

describe("spoofing never makes a verified agent", () => {
  it("an ordinary User named like Copilot's bot is not an agent", () => {
    expect(detectAgent(pr({ user: { login: "copilot-swe-agent", id: 5, type: "User" } }))).toEqual(NONE);
    expect(detectAgent(pr({ user: { login: "Copilot", id: 198982749, type: "User" } }))).toEqual(NONE);
  });

  it("a Bot with an agent's login but another id is not that agent", () => {
    const v = detectAgent(pr({ user: { login: "Copilot", id: 4242, type: "Bot" } }));
    expect(v.id).not.toBe("copilot");
    expect(v.evidence.some((e) => e.strength === "verified")).toBe(false);
  });

  it("a login that merely contains an agent's login is not that agent", () => {
    const v = detectAgent(pr({ user: { login: "my-devin-ai-integration[bot]", id: 77, type: "Bot" } }));
    expect(v).toMatchObject({ id: "automation", kind: "automation", confidence: "medium" });
  });

  it("an address at an agent's domain, or an agent's display name, is not a declaration", () => {
    const v = detectAgent(
      pr({}, {
        commits: [
          commit("Tidy\n\nCo-authored-by: Someone <someone@anthropic.com>"),
          commit("Tidy\n\nCo-authored-by: Claude <claude@example.com>"),
          commit("Tidy", { email: "dev@cursor.com", name: "Cursor Agent" }),
        ],
      }),
    );
    expect(v).toEqual(NONE);
  });

  it("a branch name alone is a hint, below the default threshold", () => {
    const v = detectAgent(pr({ head: { ref: "claude/fix-dates", sha: "f".repeat(40) } }));
    expect(v).toMatchObject({ detected: false, id: null, confidence: null });
    expect(v.evidence).toEqual([{ signal: "branch", strength: "hint", value: "claude/fix-dates", where: "pull.head.ref", agent: "claude-code" }]);
  });

  it("a fork PR on an agent branch name is reported as a hint from a fork", () => {
    const v = detectAgent(pr({ head: forkHead("copilot/fix-dates") }));
    expect(v.detected).toBe(false);
    expect(v.evidence).toEqual([
      { signal: "branch", strength: "hint", value: "copilot/fix-dates", where: "pull.head.ref (from a fork)", agent: "copilot" },
    ]);
  });
});

describe("declared: what the tools write about themselves", () => {
  it("an exact co-author address in a commit trailer (Claude Code)", () => {
    const v = detectAgent(pr({}, { commits: [commit("Fix\n\nCo-Authored-By: Claude <noreply@anthropic.com>")] }));
    expect(v).toMatchObject({ detected: true, id: "claude-code", confidence: "medium", invoker: "alice" });
    expect(signal(v, "co-author")).toEqual([
      {
        signal: "co-author",
        strength: "declared",
        value: "Co-Authored-By: Claude <noreply@anthropic.com>",
        where: "commits[0].commit.message",
        agent: "claude-code",
      },
    ]);
  });

  it("a co-author trailer whose display name changes still matches by address", () => {
    const v = detectAgent(pr({}, { commits: [commit("Fix\n\nCo-authored-by: Claude Opus 4 (1M context) <noreply@anthropic.com>")] }));
    expect(v.id).toBe("claude-code");
  });

  it("a co-author trailer in the PR body", () => {
    const v = detectAgent(pr({ body: "Adds retries.\n\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>" }));
    expect(v).toMatchObject({ id: "cursor", confidence: "medium" });
    expect(signal(v, "co-author")[0]?.where).toBe("pull.body");
  });

  it("commits authored by an agent account (Cursor's cursoragent)", () => {
    const cursoragent = { login: "cursoragent", id: 199161495, type: "User" };
    const v = detectAgent(pr({}, { commits: [commit("Add retries", { author: cursoragent, committer: cursoragent })] }));
    expect(v).toMatchObject({ id: "cursor", confidence: "medium", invoker: "alice" });
    expect(signal(v, "commit-author")[0]).toMatchObject({ value: "cursoragent (User)", where: "commits[0].author" });
  });

  it("commits authored by an agent's bot account on a human's PR", () => {
    const v = detectAgent(pr({}, { commits: [commit("Apply review", { author: COPILOT })] }));
    expect(v).toMatchObject({ id: "copilot", confidence: "medium", invoker: "alice" });
  });

  it("an agent address as the commit author's e-mail", () => {
    const v = detectAgent(pr({}, { commits: [commit("Add retries", { email: "cursoragent@cursor.com", name: "Cursor Agent" })] }));
    expect(signal(v, "commit-author")[0]).toMatchObject({ value: "Cursor Agent <cursoragent@cursor.com>", agent: "cursor" });
  });

  it.each([
    ["https://chatgpt.com/codex/tasks/task_e_6845826f67f08320a5d18b13120c5e8d", "codex"],
    ["Link to Devin run: https://app.devin.ai/sessions/14ca6a4b494744a3b3c1f8d58490e728", "devin"],
    ["https://jules.google.com/task/1234567890", "jules"],
    ["[Open in Cursor](https://cursor.com/agents/bc-0f1e2d3c)", "cursor"],
    ["https://claude.ai/code/session_01ABC", "claude-code"],
  ])("a session link in the body: %s", (body, id) => {
    const v = detectAgent(pr({ body: `Summary\n\n${body}\n` }));
    expect(v).toMatchObject({ detected: true, id, confidence: "medium" });
    expect(signal(v, "session-link")[0]?.value).toBe(/https?:\/\/[^\s)]+/.exec(body)?.[0]);
  });

  it("a tool footer in the body", () => {
    const v = detectAgent(pr({ body: "Adds retries.\n\n🤖 Generated with [Claude Code](https://claude.ai/code)" }));
    expect(v).toMatchObject({ id: "claude-code", evidence: [expect.objectContaining({ signal: "footer", value: "Generated with [Claude Code]" })] });
  });

  it("Claude's footer without the link brackets", () => {
    expect(detectAgent(pr({ body: "Adds retries.\n\nGenerated with Claude Code" })).id).toBe("claude-code");
  });

  it("the codex label", () => {
    const v = detectAgent(pr({ labels: [{ name: "codex" }] }));
    expect(v).toMatchObject({ id: "codex", confidence: "medium", invoker: "alice" });
    expect(v.evidence).toEqual([{ signal: "label", strength: "declared", value: "codex", where: "pull.labels", agent: "codex" }]);
  });

  it("a merged agent branch in a merge commit is a hint", () => {
    const v = detectAgent(pr({}, { commits: [commit("Merge pull request #27 from alice/p1njaq-codex/add-agents-md\n\nAdd AGENTS.md")] }));
    expect(v.detected).toBe(false);
    expect(v.evidence).toEqual([
      { signal: "merged-branch", strength: "hint", value: "p1njaq-codex/add-agents-md", where: "commits[0].commit.message", agent: "codex" },
    ]);
  });

  it("the same trailer on many commits is one piece of evidence", () => {
    const commits = Array.from({ length: 30 }, (_, i) => commit(`Step ${i}\n\nCo-authored-by: Amp <amp@ampcode.com>`));
    const v = detectAgent(pr({}, { commits }));
    expect(v.id).toBe("amp");
    expect(v.evidence).toHaveLength(1);
    expect(v.evidence[0]?.where).toBe("commits[0].commit.message and 29 more");
  });

  it("keeps at most 20 pieces of evidence and says how many more there were", () => {
    const commits = Array.from({ length: 25 }, (_, i) => commit(`Step\n\nCo-authored-by: Amp <amp@ampcode.com>\nAmp-Thread: https://ampcode.com/threads/T-${i}`));
    const v = detectAgent(pr({}, { commits }));
    expect(v.evidence).toHaveLength(20);
    expect(v.evidence[19]?.where).toMatch(/\(6 more signals not shown\)$/);
  });
});

describe("automation bots are their own class", () => {
  it("Dependabot is automation, verified, with no invoker", () => {
    const v = detectAgent(pr({ user: { login: "dependabot[bot]", id: 49699333, type: "Bot" }, head: { ref: "dependabot/npm_and_yarn/jest-29", sha: "a" } }));
    expect(v).toMatchObject({ detected: true, id: "dependabot", kind: "automation", confidence: "high", invoker: null });
  });

  it("a GitHub App that is in no registry entry is automation, declared", () => {
    const v = detectAgent(pr({ user: { login: "acme-release[bot]", id: 9, type: "Bot" } }));
    expect(v).toMatchObject({ id: "automation", name: "GitHub App", kind: "automation", confidence: "medium" });
  });

  it("a known automation user account is declared; a User merely named like a bot is a hint", () => {
    expect(detectAgent(pr({ user: { login: "greenkeeperio-bot", id: 7, type: "User" } }))).toMatchObject({ id: "greenkeeper", kind: "automation", confidence: "medium" });
    const named = detectAgent(pr({ user: { login: "release-bot", id: 8, type: "User" } }));
    expect(named).toMatchObject({ detected: false, evidence: [{ signal: "author", strength: "hint", value: "release-bot (a User named like a bot)", where: "pull.user", agent: "automation" }] });
    expect(detectAgent(pr({ user: { login: "talbot", id: 9, type: "User" } }))).toEqual(NONE);
  });

  it("an agent's commits on a bot's PR make it an agent PR", () => {
    const v = detectAgent(
      pr({ user: { login: "dependabot[bot]", id: 49699333, type: "Bot" } }, { commits: [commit("Fix the build", { author: COPILOT })] }),
    );
    expect(v).toMatchObject({ id: "copilot", kind: "agent", confidence: "medium" });
  });
});

describe("configuration", () => {
  const also = (a: DetectConfig["also"], rest: DetectConfig = {}): DetectConfig => ({ also: a, ...rest });

  it("agents.also.logins: the repository's own bot is verified, a machine user declared", () => {
    const bot = detectAgent(pr({ user: { login: "acme-agent[bot]", id: 3, type: "Bot" } }), also({ logins: ["acme-agent[bot]"] }));
    expect(bot).toMatchObject({ detected: true, id: null, name: "Agent named in agents.also", kind: "agent", confidence: "high" });
    const user = detectAgent(pr({ user: { login: "acme-agent", id: 4, type: "User" } }), also({ logins: ["ACME-agent"] }));
    expect(user).toMatchObject({ detected: true, id: null, confidence: "medium", invoker: null });
  });

  it("agents.also.branches: declared on the repository, a hint from a fork", () => {
    const config = also({ branches: ["ai/**"] });
    expect(detectAgent(pr({ head: { ref: "ai/fix-dates", sha: "a" } }), config)).toMatchObject({ detected: true, confidence: "medium" });
    const fork = detectAgent(pr({ head: forkHead("ai/fix-dates") }), config);
    expect(fork).toMatchObject({ detected: false, evidence: [expect.objectContaining({ strength: "hint", agent: "configured" })] });
  });

  it("agents.also.labels and agents.also.trailers", () => {
    expect(detectAgent(pr({ labels: [{ name: "AI-Generated" }] }), also({ labels: ["ai-generated"] })).detected).toBe(true);
    const trailer = pr({}, { commits: [commit("Fix\n\nCo-authored-by: Acme Bot <agent@acme.dev>")] });
    expect(detectAgent(trailer).detected).toBe(false);
    expect(detectAgent(trailer, also({ trailers: ["agent@acme.dev"] }))).toMatchObject({ detected: true, confidence: "medium" });
  });

  it("agents.ignore by agent id keeps the evidence visible but detects nothing", () => {
    const v = detectAgent(pr({ labels: [{ name: "codex" }] }), { ignore: ["codex"] });
    expect(v).toMatchObject({ detected: false, id: null });
    expect(v.evidence).toEqual([{ signal: "ignored", strength: "hint", value: "signals of codex are ignored by agents.ignore", where: "agents.ignore" }]);
  });

  it("agents.ignore by the author's login, and `automation` for every automation bot", () => {
    const devin = detectAgent(pr({ user: DEVIN }), { ignore: ["devin-ai-integration[bot]"] });
    expect(devin.detected).toBe(false);
    expect(devin.evidence[0]?.value).toBe("the PR author devin-ai-integration[bot] is in agents.ignore");
    const renovate = detectAgent(pr({ user: { login: "renovate[bot]", id: 29139614, type: "Bot" } }), { ignore: ["automation"] });
    expect(renovate.detected).toBe(false);
  });

  it("agents.min_strength decides which signals count", () => {
    const cursor = pr({ body: "Co-authored-by: Cursor Agent <cursoragent@cursor.com>" });
    expect(detectAgent(cursor, { min_strength: "verified" }).detected).toBe(false);
    expect(detectAgent(pr({ user: COPILOT }), { min_strength: "verified" }).detected).toBe(true);
    const branch = pr({ head: { ref: "devin/1718000000-fix", sha: "a" } });
    expect(detectAgent(branch, { min_strength: "hint" })).toMatchObject({ detected: true, id: "devin", confidence: "low" });
  });
});

describe("the invoker: the human who set the agent going", () => {
  it("Copilot: the requester's Co-authored-by trailer, skipping Copilot's own and bots'", () => {
    const commits = [
      commit("Initial plan", { author: COPILOT }),
      commit(
        "Fix it\n\nCo-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>\nCo-authored-by: dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>\nCo-authored-by: lostintangent <116461+lostintangent@users.noreply.github.com>",
        { author: COPILOT },
      ),
    ];
    expect(detectAgent(pr({ user: COPILOT }, { commits })).invoker).toBe("lostintangent");
  });

  it("Copilot: a trailer with a plain address resolves through a commit on that address", () => {
    const commits = [
      commit("Fix\n\nCo-authored-by: Jon <jon@example.com>", { author: COPILOT }),
      commit("Polish", { author: { login: "jonrohan", id: 54012, type: "User" }, email: "jon@example.com" }),
    ];
    expect(detectAgent(pr({ user: COPILOT }, { commits })).invoker).toBe("jonrohan");
  });

  it("Copilot: no trailer, no invoker", () => {
    expect(detectAgent(pr({ user: COPILOT }, { commits: [commit("Initial plan", { author: COPILOT })] })).invoker).toBeNull();
  });

  it.each([
    ["a mention", "Requested by: @kiet", [], "kiet"],
    ["a bold line", "**Requested by:** Alex (alex@acme.dev)", ["alex@acme.dev"], "alex-acme"],
    ["a heading", "## Requested by\nderek@acme.dev\n", ["derek@acme.dev"], "derek"],
    ["a noreply address", "Requested by: 116461+hand-dot@users.noreply.github.com", [], "hand-dot"],
  ])("Devin: the Requested by line as %s", (_, line, emails, login) => {
    const human = emails.map((email) => commit("Review fix", { author: { login, id: 8, type: "User" }, email }));
    const body = `Changes.\n\nLink to Devin run: https://app.devin.ai/sessions/abc\n${line}`;
    const v = detectAgent(pr({ user: DEVIN, body }, { commits: [commit("Do it", { author: DEVIN }), ...human] }));
    expect(v.invoker).toBe(login);
    expect(signal(v, "requested-by")).toHaveLength(1);
  });

  it("Devin: a bare name counts only when it is someone's login in this PR", () => {
    const body = "Link to Devin run: https://app.devin.ai/sessions/abc\nRequested by: hand-dot";
    const stranger = detectAgent(pr({ user: DEVIN, body }, { commits: [commit("Do it", { author: DEVIN })] }));
    expect(stranger.invoker).toBeNull();
    expect(signal(stranger, "requested-by")[0]).toMatchObject({ value: "hand-dot", where: "pull.body", strength: "declared" });
    const reviewed = detectAgent(
      pr({ user: DEVIN, body }, {
        commits: [commit("Do it", { author: DEVIN })],
        reviews: [{ id: 1, user: { login: "Hand-Dot", type: "User" }, state: "APPROVED", commit_id: "f".repeat(40) }],
      }),
    );
    expect(reviewed.invoker).toBe("Hand-Dot");
  });

  it("Devin: without a Requested by line, the human co-author", () => {
    const commits = [commit("Do it\n\nCo-Authored-By: Kiet <12+kiet@users.noreply.github.com>", { author: DEVIN })];
    expect(detectAgent(pr({ user: DEVIN, body: "https://app.devin.ai/sessions/abc" }, { commits })).invoker).toBe("kiet");
  });

  it("Devin: a decoy Requested by line never hides the human co-author; both are invokers", () => {
    const body = "Link to Devin run: https://app.devin.ai/sessions/abc\nRequested by: @decoy";
    const commits = [commit("Do it\n\nCo-authored-by: Real <4242+realdev@users.noreply.github.com>", { author: DEVIN })];
    const v = detectAgent(pr({ user: DEVIN, body }, { commits }));
    expect(v).toMatchObject({ id: "devin", invoker: "decoy", invokers: ["decoy", "realdev"] });
  });

  it("Copilot: every human co-author is an invoker, once each (case-insensitively), the first is the primary", () => {
    const commits = [
      commit("Plan\n\nCo-authored-by: Ann <1+ann@users.noreply.github.com>\nCo-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>", { author: COPILOT }),
      commit("Fix\n\nCo-authored-by: Ben <2+ben@users.noreply.github.com>\nCo-authored-by: ANN <1+Ann@users.noreply.github.com>", { author: COPILOT }),
    ];
    expect(detectAgent(pr({ user: COPILOT }, { commits }))).toMatchObject({ invoker: "ann", invokers: ["ann", "ben"] });
  });

  it("a human-account agent: the author first, then human co-authors of the commits", () => {
    const commits = [commit("Add\n\nCo-authored-by: Claude <noreply@anthropic.com>\nCo-authored-by: Carol <3+carol@users.noreply.github.com>")];
    const body = "🤖 Generated with [Claude Code](https://claude.ai/code)";
    expect(detectAgent(pr({ body }, { commits }))).toMatchObject({ id: "claude-code", invoker: "alice", invokers: ["alice", "carol"] });
  });

  it("Jules: the human co-author of its commits", () => {
    const jules = { login: "google-labs-jules[bot]", id: 161369871, type: "Bot" };
    const commits = [commit("Refactor\n\nCo-authored-by: bo <9+bo@users.noreply.github.com>", { author: jules })];
    expect(detectAgent(pr({ user: jules }, { commits })).invoker).toBe("bo");
  });

  it.each([
    ["Codex", { labels: [{ name: "codex" }] }, "codex"],
    ["Claude Code", { body: "🤖 Generated with [Claude Code](https://claude.ai/code)" }, "claude-code"],
    ["Cursor", { body: "https://cursor.com/agents/bc-1" }, "cursor"],
  ])("%s opens PRs under the human's own account: the PR author", (_, patch, id) => {
    const v = detectAgent(pr({ ...patch, user: { login: "bob", id: 2, type: "User" } }));
    expect(v).toMatchObject({ id, invoker: "bob" });
  });

  it("a PR opened by an agent's own user account has no author invoker", () => {
    const cursoragent = { login: "cursoragent", id: 199161495, type: "User" };
    const v = detectAgent(pr({ user: cursoragent }, { commits: [commit("Add", { author: cursoragent })] }));
    expect(v).toMatchObject({ id: "cursor", invoker: null, invokers: [] });
  });

  it("automation has no invoker", () => {
    const v = detectAgent(pr({ user: { login: "renovate[bot]", id: 29139614, type: "Bot" } }, { commits: [commit("Update\n\nCo-authored-by: alice <1001+alice@users.noreply.github.com>")] }));
    expect(v).toMatchObject({ kind: "automation", invoker: null, invokers: [] });
  });
});

describe("invokers the PR no longer names: the app's ledger, assignees, the timeline", () => {
  const DEVIN_RUN = "Link to Devin run: https://app.devin.ai/sessions/abc";
  const devinCommits = [commit("Do it", { author: DEVIN })];

  it("every invoker the ledger recorded stays one after `Requested by:` is edited to someone else, after those the PR names", () => {
    const edited = pr({ user: DEVIN, body: `${DEVIN_RUN}\nRequested by: @bob` }, { commits: devinCommits, ledger: { invokers: ["alice", "bob"] } });
    const v = detectAgent(edited);
    expect(v).toMatchObject({ id: "devin", invoker: "bob", invokers: ["bob", "alice"] });
    expect(signal(v, "recorded-invoker")).toEqual([{ signal: "recorded-invoker", strength: "declared", value: "alice", where: "ledger", agent: "devin" }]);
    // The line removed altogether: the recorded one is the invoker shown.
    expect(detectAgent(pr({ user: DEVIN, body: DEVIN_RUN }, { commits: devinCommits, ledger: { invokers: ["alice"] } }))).toMatchObject({ invoker: "alice", invokers: ["alice"] });
  });

  it("a recorded invoker is never an agent or bot account, and hand-written junk is ignored", () => {
    const v = detectAgent(pr({ user: DEVIN, body: DEVIN_RUN }, { commits: devinCommits, ledger: { invokers: ["copilot", "cursoragent", 7 as unknown as string] } }));
    expect(v.invokers).toEqual([]);
    expect(detectAgent(pr({ user: DEVIN, body: DEVIN_RUN }, { commits: devinCommits, ledger: { invokers: "alice" as unknown as string[] } })).invokers).toEqual([]);
  });

  it("no invoker named: a human the PR is assigned to is taken as one (a hint), never an agent, a bot or an `agents.also` login", () => {
    const assignees = [COPILOT, { login: "dependabot[bot]", id: 49699333, type: "Bot" }, { login: "acme-agent", id: 77, type: "User" }, { login: "dana", id: 5, type: "User" }];
    const v = detectAgent(pr({ user: COPILOT, assignees }, { commits: [commit("Initial plan", { author: COPILOT })] }), { also: { logins: ["acme-agent"] } });
    expect(v).toMatchObject({ id: "copilot", invoker: "dana", invokers: ["dana"] });
    expect(signal(v, "assignee")).toEqual([{ signal: "assignee", strength: "hint", value: "dana", where: "pull.assignees", agent: "copilot" }]);
  });

  it("an assignee stays an invoker when the body names someone else, on a PR the agent's account opened", () => {
    // The invoker edits `Requested by:` to a colleague before the app first sees the PR, then approves.
    const v = detectAgent(pr({ user: DEVIN, body: `${DEVIN_RUN}\nRequested by: @bob`, assignees: [{ login: "alice", id: 5, type: "User" }] }, { commits: devinCommits }));
    expect(v).toMatchObject({ id: "devin", invoker: "bob", invokers: ["bob", "alice"] });
    // A PR a human opened with an agent's help: the author is the invoker, an assignee is a reviewer like any other.
    const human = { login: "hal", id: 9, type: "User" };
    const byHuman = pr({ user: human, body: "Generated with [Claude Code](https://claude.ai/code)", assignees: [{ login: "dana", id: 5, type: "User" }] }, { commits: [commit("Fix", { author: human })] });
    expect(detectAgent(byHuman)).toMatchObject({ id: "claude-code", invokers: ["hal"] });
  });

  it("an assignee is not taken when a trailer names the invoker", () => {
    const commits = [commit("Fix\n\nCo-authored-by: Ann <1+ann@users.noreply.github.com>", { author: COPILOT })];
    expect(detectAgent(pr({ user: COPILOT, assignees: [{ login: "dana", id: 5, type: "User" }] }, { commits }))).toMatchObject({ invoker: "ann", invokers: ["ann"] });
  });

  it("the timeline: whoever assigned an agent account (Copilot) is an invoker; assigning a human, or a bot assigning, is not", () => {
    const timeline = [
      { event: "assigned", actor: { login: "erin", id: 6, type: "User" }, assignee: COPILOT, created_at: "2026-11-01T00:00:00Z" },
      { event: "assigned", actor: { login: "frank", id: 7, type: "User" }, assignee: { login: "gina", id: 8, type: "User" } },
      { event: "assigned", actor: COPILOT, assignee: COPILOT },
      { event: "labeled", actor: { login: "hal", id: 9, type: "User" } },
    ];
    const v = detectAgent(pr({ user: COPILOT, assignees: [COPILOT] }, { commits: [commit("Initial plan", { author: COPILOT })], timeline }));
    expect(v).toMatchObject({ id: "copilot", invoker: "erin", invokers: ["erin"] });
    expect(signal(v, "assigner")).toEqual([{ signal: "assigner", strength: "declared", value: "erin assigned Copilot", where: "timeline", agent: "copilot" }]);
    // `assigner`, when GitHub gives it, names who assigned.
    const byAssigner = [{ event: "assigned", actor: COPILOT, assigner: { login: "ivy", id: 10, type: "User" }, assignee: COPILOT }];
    expect(detectAgent(pr({ user: COPILOT }, { commits: [commit("Initial plan", { author: COPILOT })], timeline: byAssigner })).invokers).toEqual(["ivy"]);
  });

  it("knows an agent among the assignees (the timeline is read only then)", () => {
    expect(isAssignedAgent(COPILOT)).toBe(true);
    expect(isAssignedAgent({ login: "cursoragent", id: 199161495, type: "User" })).toBe(true);
    expect(isAssignedAgent({ login: "acme-agent", type: "User" }, { also: { logins: ["ACME-agent"] } })).toBe(true);
    expect(isAssignedAgent(ALICE)).toBe(false);
    expect(isAssignedAgent(null)).toBe(false);
  });
});

describe("several agents on one PR", () => {
  const claudeCommit = (msg = "Tighten the parser") =>
    commit(`${msg}\n\nCo-authored-by: Claude <noreply@anthropic.com>`, { author: COPILOT, committer: COPILOT, email: "198982749+Copilot@users.noreply.github.com", name: "copilot-swe-agent[bot]" });

  it("a Copilot PR with a Claude-co-authored commit lists both, Copilot (the strongest evidence) first", () => {
    const v = detectAgent(pr({ user: COPILOT, head: { ref: "copilot/fix-dates", sha: "f".repeat(40) } }, { commits: [claudeCommit()] }));
    expect(v).toMatchObject({ detected: true, id: "copilot", confidence: "high" });
    expect(v.agents?.map((a) => [a.id, a.name, a.kind, a.confidence])).toEqual([
      ["copilot", "Copilot coding agent", "agent", "high"],
      ["claude-code", "Claude Code", "agent", "medium"],
    ]);
    expect(v.agents?.[1]?.evidence).toEqual([
      { signal: "co-author", strength: "declared", value: "Co-authored-by: Claude <noreply@anthropic.com>", where: "commits[0].commit.message", agent: "claude-code" },
    ]);
    // The primary's own evidence stays its own: the Claude trailer is under `agents[1]` only.
    expect(v.evidence.every((e) => e.agent === "copilot")).toBe(true);
  });

  it("between equally strong agents, the one on most commits is primary", () => {
    const cursor = (m: string) => commit(`${m}\n\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>`);
    const claude = (m: string) => commit(`${m}\n\nCo-authored-by: Claude <noreply@anthropic.com>`);
    const v = detectAgent(pr({}, { commits: [claude("a"), cursor("b"), cursor("c")] }));
    expect(v.agents?.map((a) => a.id)).toEqual(["cursor", "claude-code"]);
    expect(detectAgent(pr({}, { commits: [claude("a"), claude("b"), cursor("c")] })).agents?.map((a) => a.id)).toEqual(["claude-code", "cursor"]);
  });

  it("an agent below min_strength is not listed", () => {
    const v = detectAgent(pr({ user: COPILOT, head: { ref: "claude/x", sha: "f".repeat(40) } }));
    expect(v.agents?.map((a) => a.id)).toEqual(["copilot"]);
  });

  it("a human PR lists no agents", () => {
    expect(detectAgent(pr()).agents).toEqual([]);
  });

  it("agents.ignore by id or by the author's login does not hide the other agent", () => {
    const facts = pr({ user: COPILOT }, { commits: [claudeCommit()] });
    for (const ignore of [["copilot"], ["Copilot"]]) {
      const v = detectAgent(facts, { ignore });
      expect(v, ignore[0]).toMatchObject({ detected: true, id: "claude-code", confidence: "medium" });
      expect(v.agents?.map((a) => a.id)).toEqual(["claude-code"]);
      expect(v.evidence.at(-1)).toEqual({ signal: "ignored", strength: "hint", value: "signals of copilot are ignored by agents.ignore", where: "agents.ignore" });
    }
    // A human author in `agents.ignore` does not launder the agent whose trailer is on the commits.
    const human = detectAgent(pr({}, { commits: [commit("Fix\n\nCo-authored-by: Claude <noreply@anthropic.com>")] }), { ignore: ["alice"] });
    expect(human).toMatchObject({ detected: true, id: "claude-code" });
    expect(human.evidence.some((e) => e.value === "the PR author alice is in agents.ignore")).toBe(true);
    // Ignoring both leaves nothing.
    expect(detectAgent(facts, { ignore: ["copilot", "claude-code"] })).toMatchObject({ detected: false, agents: [] });
  });

  it("every agent's invokers are refused, the primary's first", () => {
    const devinBody = "Requested by: @carol\n\nLink to Devin run: https://app.devin.ai/sessions/abc";
    const v = detectAgent(pr({ user: COPILOT, body: devinBody }, { commits: [commit("Fix\n\nCo-authored-by: Bob <bob@users.noreply.github.com>", { author: COPILOT, committer: COPILOT })] }));
    expect(v.agents?.map((a) => a.id)).toEqual(["copilot", "devin"]);
    expect(v.invokers).toEqual(["bob", "carol"]);
  });
});

describe("Mentat and Ellipsis", () => {
  it("ellipsis-dev[bot] with its id is verified; mentatbot[bot] (no id pinned) is declared", () => {
    expect(detectAgent(pr({ user: { login: "ellipsis-dev[bot]", id: 65095814, type: "Bot" } }))).toMatchObject({ id: "ellipsis", name: "Ellipsis", confidence: "high" });
    expect(detectAgent(pr({ user: { login: "ellipsis-dev[bot]", id: 7, type: "Bot" } })).id).toBe("automation");
    expect(detectAgent(pr({ user: { login: "mentatbot[bot]", id: 123, type: "Bot" } }))).toMatchObject({ id: "mentat", name: "Mentat", confidence: "medium" });
    expect(detectAgent(pr({ user: { login: "mentatbot", id: 123, type: "User" } })).detected).toBe(false);
  });
});
