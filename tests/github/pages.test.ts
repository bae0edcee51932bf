import { describe, expect, it } from "vitest";
import { lastPage, pagesInParallel } from "../../src/github/facts.js";

describe("pagesInParallel", () => {
  it("reads the page count from the first page's link header and keeps the order", async () => {
    const asked: number[] = [];
    const link = '<https://api.github.com/repositories/1/pulls/2/files?per_page=100&page=2>; rel="next", <https://api.github.com/repositories/1/pulls/2/files?per_page=100&page=30>; rel="last"';
    const all = await pagesInParallel(async (page) => {
      asked.push(page);
      // Later pages answer first: the result must still be in page order.
      await new Promise((r) => setTimeout(r, 30 - page));
      return { data: [page * 10, page * 10 + 1], headers: page === 1 ? { link } : {} };
    });
    expect(asked[0]).toBe(1);
    expect(asked.slice().sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(all).toEqual(Array.from({ length: 30 }, (_, i) => [(i + 1) * 10, (i + 1) * 10 + 1]).flat());
  });

  it("is one request for one page", async () => {
    let n = 0;
    expect(await pagesInParallel(async () => (n++, { data: ["a"], headers: {} }))).toEqual(["a"]);
    expect(n).toBe(1);
  });

  it("parses rel=last wherever it sits", () => {
    expect(lastPage(undefined)).toBe(1);
    expect(lastPage('<https://x/y?page=7&per_page=100>; rel="last"')).toBe(7);
    expect(lastPage('<https://x/y?page=2>; rel="next"')).toBe(1);
  });
});
