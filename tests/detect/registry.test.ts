import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AGENTS, agentById } from "../../src/detect/agents.js";
import { agentAccount, agentOfEmail, coAuthorTrailers, detectAgent, requestedBy } from "../../src/detect/detect.js";
import { pr } from "./build.js";

/** The agent ids used across the project (tests, docs, config, the corpus). */
const PROJECT_IDS = [
  "copilot", "codex", "devin", "claude-code", "cursor", "jules", "openhands", "sweep", "amazon-q", "codegen",
  "factory", "tembo", "kiro", "opencode", "junie", "aider", "replit", "amp", "windsurf", "gemini",
];

describe("the registry", () => {
  it("has every project agent id, once, as an agent", () => {
    const ids = AGENTS.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of PROJECT_IDS) expect(agentById(id)?.kind, id).toBe("agent");
  });

  it("keeps Dependabot, Renovate and GitHub Actions as automation", () => {
    for (const login of ["dependabot[bot]", "renovate[bot]", "github-actions[bot]"]) {
      expect(AGENTS.find((a) => a.bots?.some((b) => b.login === login))?.kind, login).toBe("automation");
    }
  });

  it("gives every agent a signal stronger than a branch name", () => {
    for (const a of AGENTS.filter((x) => x.kind === "agent")) {
      const strong = (a.bots?.length ?? 0) + (a.accounts?.length ?? 0) + (a.emails?.length ?? 0) + (a.links?.length ?? 0) + (a.footers?.length ?? 0);
      expect(strong, a.id).toBeGreaterThan(0);
    }
  });

  it("matches whole addresses only: lower case, one @, never a bare domain", () => {
    for (const a of AGENTS) {
      for (const e of a.emails ?? []) {
        expect(e, a.id).toBe(e.toLowerCase());
        expect(e, a.id).toMatch(/^[^@\s]+@[^@\s]+\.[a-z]+$/);
      }
    }
    expect(agentOfEmail("NoReply@Anthropic.com")?.id).toBe("claude-code");
    expect(agentOfEmail("anthropic.com")).toBeUndefined();
    expect(agentOfEmail("someone@anthropic.com")).toBeUndefined();
  });

  it("pins bot ids as positive integers, and app bot logins end in [bot] (Copilot's REST login aside)", () => {
    for (const a of AGENTS) {
      for (const b of a.bots ?? []) {
        if (b.id !== undefined) expect(Number.isSafeInteger(b.id) && b.id > 0, `${a.id} ${b.login}`).toBe(true);
        if (b.login !== "Copilot") expect(b.login, a.id).toMatch(/\[bot\]$/);
      }
    }
  });

  it("detects each agent from the first of its declared e-mail addresses", () => {
    for (const a of AGENTS.filter((x) => x.emails?.length)) {
      const v = detectAgent(pr({ body: `Done.\n\nCo-authored-by: ${a.name} <${a.emails?.[0]}>` }));
      expect(v.id, a.id).toBe(a.id);
    }
  });
});

describe("coAuthorTrailers", () => {
  const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9 ().-]{0,30}$/).map((s) => s.trim()).filter((s) => s.length > 0);
  const email = fc.emailAddress();

  it("reads back the address of any well-formed trailer, lower-cased", () => {
    fc.assert(
      fc.property(fc.string(), name, email, fc.constantFrom("Co-authored-by", "Co-Authored-By", "co-authored-by"), (before, n, e, key) => {
        const text = `${before.replace(/co-authored-by/gi, "")}\n\n${key}: ${n} <${e}>\n`;
        const found = coAuthorTrailers(text);
        expect(found.at(-1)).toEqual({ name: n, email: e.toLowerCase(), line: `${key}: ${n} <${e}>` });
      }),
    );
  });

  it("never throws and only returns addresses that were between angle brackets", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 500 }), (text) => {
        for (const t of coAuthorTrailers(text)) expect(text.toLowerCase()).toContain(`<${t.email}>`);
      }),
    );
  });

  it("ignores the words inside a sentence", () => {
    expect(coAuthorTrailers("We could add a co-authored-by: trailer <later>")).toEqual([]);
  });
});

describe("requestedBy", () => {
  it.each([
    ["Requested by: kiet@onlook.dev", "kiet@onlook.dev"],
    ["**Requested by:** Alex (meta.alex@example.com)\n", "Alex (meta.alex@example.com)"],
    ["Requested by**: hirotaka@example.com\n", "hirotaka@example.com"],
    ["## Requested by\r\nderek@example.com\r\n", "derek@example.com"],
    ["## Requested by\nRoman (romwtb@example.com)\n", "Roman (romwtb@example.com)"],
    ["No requester here", null],
    ["Requested by:   \n\n", null],
  ])("%j → %j", (body, value) => {
    expect(requestedBy(body)).toBe(value);
  });

  it("returns one line of at most 200 characters, for any body", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), fc.string({ maxLength: 400 }), (before, after) => {
        const v = requestedBy(`${before}\nRequested by: ${after}`);
        if (v !== null) {
          expect(v.length).toBeLessThanOrEqual(200);
          expect(v).not.toMatch(/[\r\n]/);
        }
      }),
    );
  });
});

describe("detectAgent on pathological text", () => {
  it("answers for a 65,536-character body of spaces after a trailer key and a Requested by", () => {
    const spaces = " ".repeat(65_536);
    const body = `Co-authored-by:${spaces}x\nRequested by: ${spaces}x\n`;
    const v = detectAgent(pr({ body }, { commits: [{ sha: "1", commit: { message: `Co-authored-by:${spaces}` } }] }));
    expect(v.detected).toBe(false);
    expect(requestedBy(body)).toBeNull();
  });
});

describe("detectAgent on arbitrary text", () => {
  it("never throws, and text alone never verifies anything", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 60 }), fc.array(fc.string({ maxLength: 200 }), { maxLength: 4 }), (body, ref, messages) => {
        const v = detectAgent(
          pr({ body, head: { ref, sha: "a" } }, { commits: messages.map((message, i) => ({ sha: String(i), commit: { message } })) }),
        );
        expect(v.evidence.every((e) => e.strength !== "verified")).toBe(true);
        expect(v.confidence === null).toBe(!v.detected);
      }),
    );
  });
});

describe("agentAccount: logins detection knows as agents' own accounts (issue 15, item 1)", () => {
  it("names every registry account a login alone identifies, in any case, with its agent", () => {
    for (const a of AGENTS) {
      for (const x of a.accounts ?? []) {
        if (x.type === "Bot") continue;
        expect(agentAccount(x.login), x.login).toBe(`an ${a.kind} account (${a.name})`);
        expect(agentAccount(x.login.toUpperCase()), x.login).toBe(`an ${a.kind} account (${a.name})`);
      }
    }
    expect(agentAccount("openhands-agent")).toBe("an agent account (OpenHands)");
    expect(agentAccount("cursoragent")).toBe("an agent account (Cursor background agent)");
  });

  it("names the policy's `agents.also.logins`, in any case", () => {
    expect(agentAccount("ACME-agent", { also: { logins: ["acme-agent"] } })).toBe("an agent account (in `agents.also.logins`)");
    expect(agentAccount("acme-agent")).toBeNull();
  });

  it("leaves accounts pinned to `type: Bot` to their type: a User named `copilot` is a person", () => {
    expect(agentAccount("copilot")).toBeNull();
    expect(agentAccount("Copilot")).toBeNull();
  });

  it("is null for any login that is neither (property)", () => {
    const known = new Set(AGENTS.flatMap((a) => (a.accounts ?? []).filter((x) => x.type !== "Bot").map((x) => x.login.toLowerCase())));
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9-]{1,39}$/), fc.array(fc.stringMatching(/^[a-z0-9-]{1,20}$/), { maxLength: 3 }), (login, also) => {
        const named = known.has(login.toLowerCase()) || also.includes(login.toLowerCase());
        expect(agentAccount(login, { also: { logins: also } }) !== null).toBe(named);
      }),
    );
  });
});
