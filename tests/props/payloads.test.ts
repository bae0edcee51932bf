/**
 * Webhook payloads, mutated at random: real `pull_request`, `pull_request_review`,
 * `issue_comment` and `merge_group` payloads from @octokit/webhooks-examples (Copilot's PR),
 * with fields deleted or replaced by values of any type (huge, non-ASCII, lone
 * surrogates, wrong types), delivered to the real app. GitHub (nock, network
 * disabled) answers everything plausibly: the PR exists, is Copilot's and has no
 * approval. Properties: the app never throws out of an event handler, every check
 * run it writes blocks the PR (an agent PR is never passed), and it keeps
 * serving afterwards.
 */
import fc from "fast-check";
import examples from "@octokit/webhooks-examples";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { INSTALLATION_ID, mergeGroupPayload, pullRequestPayload, receive, reviewPayload, setupApp, teardown } from "../helpers/app.js";
import { plausibleGitHub } from "./github.js";

type Json = Record<string, unknown>;
type Path = (string | number)[];

afterEach(teardown);

/** A real `issue_comment.created` payload made a comment on PR #2 holding a command. */
function commentPayload(body: string): Json {
  const group = (examples as unknown as { name: string; examples: Json[] }[]).find((e) => e.name === "issue_comment")!;
  const payload = structuredClone(group.examples.find((x) => x.action === "created")!);
  payload.installation = { id: INSTALLATION_ID };
  const issue = payload.issue as Json;
  issue.number = 2;
  issue.pull_request = { url: "https://api.github.com/repos/Codertocat/Hello-World/pulls/2" };
  (payload.comment as Json).body = body;
  return payload;
}

/** Every path into `value`, objects and arrays included, down to `depth`; `installation` is Probot's, not ours. */
function pathsOf(value: unknown, depth = 5, prefix: Path = []): Path[] {
  if (depth === 0 || value === null || typeof value !== "object") return [];
  const out: Path[] = [];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value as Json);
  for (const [k, v] of entries) {
    if (prefix.length === 0 && k === "installation") continue;
    const p = [...prefix, k];
    out.push(p, ...pathsOf(v, depth - 1, p));
  }
  return out;
}

/** Fields the app reads: mutated more often than the rest. */
const FOCUS: Path[] = [
  ["action"],
  ["pull_request"],
  ["pull_request", "number"],
  ["pull_request", "user"],
  ["pull_request", "user", "login"],
  ["pull_request", "user", "type"],
  ["pull_request", "user", "id"],
  ["pull_request", "head"],
  ["pull_request", "head", "sha"],
  ["pull_request", "head", "ref"],
  ["pull_request", "head", "repo"],
  ["pull_request", "base"],
  ["pull_request", "title"],
  ["pull_request", "body"],
  ["pull_request", "labels"],
  ["pull_request", "state"],
  ["pull_request", "draft"],
  ["pull_request", "html_url"],
  ["label"],
  ["review"],
  ["review", "user"],
  ["review", "state"],
  ["review", "id"],
  ["review", "commit_id"],
  ["comment"],
  ["comment", "id"],
  ["comment", "body"],
  ["comment", "user"],
  ["issue"],
  ["issue", "number"],
  ["issue", "pull_request"],
  ["changes"],
  ["merge_group"],
  ["merge_group", "head_sha"],
  ["merge_group", "head_ref"],
  ["repository", "name"],
  ["repository", "owner", "login"],
  ["sender"],
];

const strange = fc.oneof(
  fc.constant(null),
  fc.constant(""),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.constantFrom("x".repeat(200_000), "\u0000\uFFFF\uD800", "../../..", "/governance approve", "Copilot", "Bot", "__proto__", "constructor"),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant({}),
  fc.constant([]),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
);

interface Mutation {
  path: Path;
  op: "delete" | "set";
  value?: unknown;
}

const valueAt = (payload: Json, path: Path): unknown =>
  path.reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Json)[k as string] : undefined), payload);

/** Any mutation: delete a field, or replace it by a value of any type. */
function mutations(payload: Json): fc.Arbitrary<Mutation[]> {
  const path = fc.oneof(fc.constantFrom(...FOCUS), fc.constantFrom(...pathsOf(payload)));
  const one = fc.oneof(
    fc.record({ path, op: fc.constant("delete" as const) }),
    fc.record({ path, op: fc.constant("set" as const), value: strange }),
  );
  return fc.array(one, { minLength: 1, maxLength: 3 });
}

const anyText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 60 }),
  fc.string({ unit: "grapheme", maxLength: 60 }),
  fc.constantFrom("", "x".repeat(200_000), "\u0000\uFFFF\uD800", "../../..", "/governance approve", "/governance override because", "Copilot", "Copilot[bot]", "__proto__"),
);

/**
 * A mutation that keeps the payload's shape as GitHub's schema gives it: a string
 * becomes any string (huge, binary, lone surrogates), a number any non-negative
 * integer, a boolean either boolean, a list any sub-list of itself.
 */
function shapedMutations(payload: Json): fc.Arbitrary<Mutation[]> {
  const leaves = [...FOCUS, ...pathsOf(payload)].filter((p) => {
    const v = valueAt(payload, p);
    return typeof v === "string" || typeof v === "number" || typeof v === "boolean" || Array.isArray(v);
  });
  const one = fc.constantFrom(...leaves).chain((path) => {
    const v = valueAt(payload, path);
    const value: fc.Arbitrary<unknown> =
      typeof v === "string" ? anyText
      : typeof v === "number" ? fc.oneof(fc.nat(), fc.maxSafeNat())
      : typeof v === "boolean" ? fc.boolean()
      : fc.subarray(v as unknown[]);
    return value.map((value) => ({ path, op: "set" as const, value }));
  });
  return fc.array(one, { minLength: 1, maxLength: 4 });
}

function apply(payload: Json, ms: Mutation[]): Json {
  const out = structuredClone(payload);
  for (const m of ms) {
    const parent = valueAt(out, m.path.slice(0, -1));
    if (!parent || typeof parent !== "object") continue;
    const key = m.path.at(-1) as string;
    if (m.op === "delete") delete (parent as Json)[key];
    else (parent as Json)[key] = structuredClone(m.value);
  }
  return out;
}

/** Delivers `payload` to a fresh app and GitHub; returns what went wrong, or nothing. */
async function deliver(name: string, payload: Json): Promise<{ thrown: string | null; conclusions: unknown[] }> {
  nock.cleanAll();
  const app = setupApp();
  const github = plausibleGitHub();
  const conclusions: unknown[] = [];
  github.onWrite(({ path, body }) => {
    if (/\/check-runs(\/\d+)?$/.test(path) && body && typeof body === "object" && "conclusion" in body) conclusions.push((body as Json).conclusion);
  });
  let thrown: string | null = null;
  try {
    await receive(app, name, payload);
  } catch (err) {
    thrown = String((err as Error).message ?? err).slice(0, 500);
  }
  return { thrown, conclusions };
}

const BLOCKING = ["failure", "action_required"];

const EVENTS: [string, string, () => Json][] = [
  ["pull_request", "opened", () => pullRequestPayload()],
  ["pull_request", "synchronize", () => pullRequestPayload({ action: "synchronize" })],
  ["pull_request_review", "submitted", () => reviewPayload({ reviewer: { login: "alice", id: 5001, type: "User" } })],
  ["issue_comment", "created", () => commentPayload("/governance approve")],
  ["merge_group", "checks_requested", () => mergeGroupPayload()],
];

describe("mutated webhook payloads (property)", () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (err: unknown) => (unhandled.push(err), process.env.DEBUG_UNHANDLED && console.error("UNHANDLED", (err as Error).stack));
  beforeAll(() => {
    process.on("unhandledRejection", onUnhandled);
    process.on("uncaughtException", onUnhandled);
  });
  afterAll(() => {
    process.off("unhandledRejection", onUnhandled);
    process.off("uncaughtException", onUnhandled);
  });

  it.each(EVENTS)("%s.%s with values GitHub could send: no exception escapes the handler, no check run passes the agent PR", async (name, _action, make) => {
    const base = make();
    await fc.assert(
      fc.asyncProperty(shapedMutations(base), async (ms) => {
        const { thrown, conclusions } = await deliver(name, apply(base, ms));
        expect(thrown).toBeNull();
        for (const c of conclusions) expect(BLOCKING).toContain(c);
      }),
      { numRuns: 40 },
    );
    expect(unhandled).toEqual([]);
  });

  // Fields deleted or of the wrong type: GitHub never signs such a payload. The
  // app drops it with a log line (or evaluates what it can), never throws, and
  // never writes a check that passes the PR.
  it.each(EVENTS)("%s.%s with fields deleted or of any type: nothing thrown, no check run passes the agent PR", async (name, _action, make) => {
    const base = make();
    await fc.assert(
      fc.asyncProperty(mutations(base), async (ms) => {
        const { thrown, conclusions } = await deliver(name, apply(base, ms));
        expect(thrown).toBeNull();
        for (const c of conclusions) expect(BLOCKING).toContain(c);
      }),
      { numRuns: 25 },
    );
    expect(unhandled).toEqual([]);
  });

  // The properties above would hold vacuously if nothing were written: unmutated, each event writes blocking check runs.
  it.each(EVENTS)("%s.%s as GitHub sends it: its check runs are seen, and they block", async (name, _action, make) => {
    const { thrown, conclusions } = await deliver(name, make());
    expect(thrown).toBeNull();
    expect(conclusions.length).toBeGreaterThan(0);
    for (const c of conclusions) expect(BLOCKING).toContain(c);
  });

  it("the app still evaluates an ordinary event after the mutated ones", async () => {
    const { thrown, conclusions } = await deliver("pull_request", pullRequestPayload());
    expect(thrown).toBeNull();
    expect(conclusions).toEqual(["action_required"]);
  });
});
