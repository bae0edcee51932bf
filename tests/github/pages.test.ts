import { describe, expect, it } from "vitest";
import { linkPage, pagesInParallel } from "../../src/github/facts.js";

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

  it("follows rel=next page by page when the header names no last page", async () => {
    const asked: number[] = [];
    const all = await pagesInParallel(async (page) => {
      asked.push(page);
      return { data: [page], headers: page < 4 ? { link: `<https://x/y?per_page=100&page=${page + 1}>; rel="next"` } : {} };
    });
    expect(asked).toEqual([1, 2, 3, 4]);
    expect(all).toEqual([1, 2, 3, 4]);
  });

  it("parses rel=next and rel=last wherever they sit", () => {
    const link = '<https://x/y?page=2&per_page=100>; rel="next", <https://x/y?per_page=100&page=7>; rel="last"';
    expect(linkPage(undefined, "last")).toBeNull();
    expect(linkPage(link, "last")).toBe(7);
    expect(linkPage(link, "next")).toBe(2);
    expect(linkPage('<https://x/y?page=2>; rel="next"', "last")).toBeNull();
  });
});
