/** `readRuleInputs`: what the finding rules and a verified linked issue read, bounded and cached. */
import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterEach, beforeEach, expect, it } from "vitest";
import { clearCaches, MAX_HEAD_FILE_BYTES, readRuleInputs } from "../../src/github/facts.js";

const API = "https://api.github.com";
const SHA = "c0ffee0000000000000000000000000000000001";
const ref = { owner: "o", repo: "r" };
const gh = () => new ProbotOctokit({ auth: { token: "t" }, retry: { enabled: false }, throttle: { enabled: false } } as never);
const file = (text: string, extra: Record<string, unknown> = {}) => ({ type: "file", encoding: "base64", size: Buffer.byteLength(text), content: Buffer.from(text).toString("base64"), ...extra });

beforeEach(() => {
  nock.disableNetConnect();
  clearCaches();
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

it("reads nothing when nothing is needed", async () => {
  expect(await readRuleInputs(gh(), ref, SHA, {})).toEqual({});
});

it("reads each file at the head commit once; too large, missing or not a file reads as null; a second ask is served from the cache", async () => {
  nock(API)
    .get("/repos/o/r/contents/package.json")
    .query({ ref: SHA })
    .reply(200, file('{"scripts":{}}'))
    .get("/repos/o/r/contents/.github%2Fworkflows%2Fbig.yml")
    .query({ ref: SHA })
    .reply(200, file("x", { size: MAX_HEAD_FILE_BYTES + 1 }))
    .get("/repos/o/r/contents/gone.toml")
    .query({ ref: SHA })
    .reply(404, { message: "Not Found" })
    .get("/repos/o/r/contents/link.json")
    .query({ ref: SHA })
    .reply(200, { type: "symlink", target: "/etc/passwd", size: 11 });
  const need = { contents: ["package.json", ".github/workflows/big.yml", "gone.toml", "link.json"] };
  const expected = { head_contents: { "package.json": '{"scripts":{}}', ".github/workflows/big.yml": null, "gone.toml": null, "link.json": null } };
  expect(await readRuleInputs(gh(), ref, SHA, need)).toEqual(expected);
  expect(nock.isDone()).toBe(true);
  expect(await readRuleInputs(gh(), ref, SHA, need)).toEqual(expected);
});

it("reads the linked issue: a 404 or 410 is no issue, another error is thrown (the evaluation retries)", async () => {
  nock(API).get("/repos/o/r/issues/7").reply(200, { number: 7, state: "closed", html_url: "https://github.com/o/r/issues/7", title: "t", body: "b" });
  expect(await readRuleInputs(gh(), ref, SHA, { issue: 7 })).toEqual({ linked_issues: { "7": { number: 7, state: "closed", html_url: "https://github.com/o/r/issues/7" } } });
  nock(API).get("/repos/o/r/issues/8").reply(410, { message: "This issue was deleted" });
  expect(await readRuleInputs(gh(), ref, SHA, { issue: 8 })).toEqual({ linked_issues: { "8": null } });
  nock(API).get("/repos/o/r/issues/9").reply(502, { message: "Bad gateway" });
  await expect(readRuleInputs(gh(), ref, SHA, { issue: 9 })).rejects.toMatchObject({ status: 502 });
  expect(nock.isDone()).toBe(true);
});
