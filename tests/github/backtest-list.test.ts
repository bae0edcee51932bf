/**
 * `backtest --offline` reads the PR list it saved in `--out DIR`: a number or head in it is put into a
 * snapshot's file name, so one that is not a PR number and a commit id is refused, never followed
 * out of the folder (`"head": "../../../home/me/.config/x"`).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LIST_FILE, readList } from "../../src/github/backtest.js";

const listIn = (pulls: unknown) => {
  const dir = mkdtempSync(join(tmpdir(), "backtest-list-"));
  writeFileSync(join(dir, LIST_FILE), JSON.stringify(pulls));
  return dir;
};
const pr = { number: 7, head: "a".repeat(40), created_at: "2026-01-01T00:00:00Z" };

describe("readList", () => {
  it("reads a list of PRs", () => {
    expect(readList(listIn([pr]))).toEqual([pr]);
  });
  it("refuses a head or number that could lead a snapshot's file name out of the folder", () => {
    for (const bad of [{ ...pr, head: "../../../etc/passwd" }, { ...pr, head: `${"a".repeat(40)}/../../x` }, { ...pr, number: -1 }, { ...pr, number: 1.5 }]) {
      const dir = listIn([bad]);
      expect(() => readList(dir)).toThrow(`${join(dir, LIST_FILE)}: not a list of PRs ({ number, head, created_at })`);
    }
  });
});
