import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { COMMAND_NAMES, formatCommand, parseCommand } from "../../src/commands/parse.js";

describe("parseCommand", () => {
  it.each([
    ["/governance approve", "approve", ""],
    ["/GOVERNANCE Approve", "approve", ""],
    ["/Governance APPROVE", "approve", ""],
    ["  /governance   approve  ", "approve", ""],
    ["\t/governance approve".replace("\t", "   "), "approve", ""],
    ["/governance\tapprove\t", "approve", ""],
    ["/governance approve\r\n", "approve", ""],
    ["/governance override hotfix for the outage,  INC-42 ", "override", "hotfix for the outage,  INC-42"],
    ["/governance Override Reason Keeps Its Case", "override", "Reason Keeps Its Case"],
    ["/governance recheck", "recheck", ""],
    ["/governance explain", "explain", ""],
    ["/governance escalate", "escalate", ""],
    ["/governance help", "help", ""],
    ["/governance", "help", ""],
    ["/governance   ", "help", ""],
  ])("%j is %s", (body, name, args) => {
    expect(parseCommand(body)).toMatchObject({ name, args });
  });

  it("names an unknown word, lower-cased", () => {
    expect(parseCommand("/governance LGTM please")).toEqual({ name: "unknown", word: "lgtm", args: "please" });
  });

  it("takes the first command line of the comment, after other text", () => {
    expect(parseCommand("Looks good to me.\n\n/governance approve\n/governance override nope")).toEqual({ name: "approve", word: "approve", args: "" });
  });

  it.each([
    ["a quote", "> /governance approve"],
    ["a nested quote", "> > /governance approve"],
    ["an indented quote", "  > /governance approve"],
    ["a fenced code block", "```\n/governance approve\n```"],
    ["a tilde fence", "~~~md\n/governance approve\n~~~"],
    ["an unclosed fence", "```\n/governance approve"],
    ["an indented code block", "    /governance approve"],
    ["a tab-indented code block", "\t/governance approve"],
    ["an HTML comment", "<!--\n/governance approve\n-->"],
    ["inline text", "please run /governance approve"],
    ["inline code", "`/governance approve`"],
    ["a list item", "- /governance approve"],
    ["a fenced code block in a list item", "To approve, write:\n\n- ```\n  /governance approve\n  ```\n"],
    ["a fence in an ordered list item", "1. ~~~\n   /governance approve\n   ~~~"],
    ["a fence in a nested list item", "- - ```\n    /governance approve\n    ```"],
    ["an HTML comment in a list item, across a blank line", "- <!--\n\n  /governance approve\n\n  -->"],
    ["an inline HTML comment across lines", "Thanks <!-- a note\n/governance approve\n-->"],
    ["a longer word", "/governanceapprove"],
    ["a different prefix", "/governancex approve"],
    ["nothing", ""],
  ])("does not count %s", (_what, body) => {
    expect(parseCommand(body)).toBeNull();
  });

  it("counts a command after a closed fence, and not one inside a longer fence", () => {
    expect(parseCommand("```\n/governance override x\n```\n/governance approve")).toMatchObject({ name: "approve" });
    expect(parseCommand("````\n```\n/governance approve\n````")).toBeNull();
    expect(parseCommand("<!-- hidden -->\n/governance recheck")).toMatchObject({ name: "recheck" });
  });

  it("counts what GitHub shows: a command line opening an HTML comment, a command after a list item's code block", () => {
    // Never closed, `<!--` is shown as text.
    expect(parseCommand("/governance recheck <!-- please")).toEqual({ name: "recheck", word: "recheck", args: "<!-- please" });
    // Closed on a later line, the comment is hidden: the reason is what is shown.
    expect(parseCommand("/governance override hotfix <!-- internal\nnote -->")).toEqual({ name: "override", word: "override", args: "hotfix" });
    expect(parseCommand("Thanks <!-- never closed\n\n/governance approve")).toMatchObject({ name: "approve" });
    expect(parseCommand("- ```\n  /governance override x\n  ```\n/governance approve")).toMatchObject({ name: "approve" });
    // A line at the margin ends the list item, and its code block with it.
    expect(parseCommand("- ```\n/governance approve")).toMatchObject({ name: "approve" });
  });

  it("handles null and undefined bodies", () => {
    expect(parseCommand(null)).toBeNull();
    expect(parseCommand(undefined)).toBeNull();
  });
});

const word = fc.oneof(fc.constantFrom(...COMMAND_NAMES), fc.stringMatching(/^[a-z0-9_-]{1,12}$/));
const args = fc.string({ maxLength: 80 }).map((s) => s.replace(/[\r\n\u2028\u2029\u0085]/g, " ").trim());

describe("parseCommand properties", () => {
  it("never throws, whatever the comment", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (body) => {
        parseCommand(body);
        parseCommand(`/governance ${body}`);
        parseCommand(`\`\`\`\n${body}`);
      }),
    );
  });

  it("round-trips: parsing a formatted command gives it back", () => {
    fc.assert(
      fc.property(word, args, (w, a) => {
        const parsed = parseCommand(formatCommand({ word: w, args: a }));
        expect(parsed).toEqual({ name: (COMMAND_NAMES as readonly string[]).includes(w) ? w : "unknown", word: w, args: a });
      }),
    );
  });

  it("is case-insensitive in the prefix and the command word", () => {
    fc.assert(
      fc.property(fc.constantFrom(...COMMAND_NAMES), fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }), (name, upper) => {
        const text = formatCommand({ word: name, args: "" });
        const mixed = [...text].map((ch, i) => (upper[i % upper.length] ? ch.toUpperCase() : ch)).join("");
        expect(parseCommand(mixed)?.name).toBe(name);
      }),
    );
  });

  it("never counts a quoted or fenced command, whatever surrounds it", () => {
    fc.assert(
      fc.property(fc.constantFrom(...COMMAND_NAMES), args, fc.constantFrom("> ", ">", "    ", "\t"), (w, a, prefix) => {
        const line = formatCommand({ word: w, args: a });
        expect(parseCommand(`${prefix}${line}`)).toBeNull();
        expect(parseCommand(`\`\`\`\n${line}\n\`\`\``)).toBeNull();
      }),
    );
  });

  // A fence in a list item: `lead` spaces, a marker, 1–4 spaces, the fence; the item's content starts at the fence.
  const listFence = fc.record({
    lead: fc.integer({ min: 0, max: 3 }),
    marker: fc.constantFrom("-", "*", "+", "1.", "2)", "10."),
    gap: fc.integer({ min: 1, max: 4 }),
    fence: fc.constantFrom("```", "````", "~~~", "```js"),
  });

  it("never counts a command in a fenced block inside a list item, indented anywhere within the item", () => {
    fc.assert(
      fc.property(listFence, fc.constantFrom(...COMMAND_NAMES), args, fc.integer({ min: 0, max: 8 }), fc.boolean(), (f, w, a, extra, closed) => {
        const content = " ".repeat(f.lead + f.marker.length + f.gap);
        const close = f.fence.replace(/[a-z]+$/, "");
        const body = `${" ".repeat(f.lead)}${f.marker}${" ".repeat(f.gap)}${f.fence}\n${content}${" ".repeat(extra)}${formatCommand({ word: w, args: a })}${closed ? `\n${content}${close}` : ""}`;
        expect(parseCommand(body)).toBeNull();
      }),
    );
  });

  it("counts a command after a list item's fenced block is closed, or once a line at the margin ends the item", () => {
    fc.assert(
      fc.property(listFence, fc.constantFrom(...COMMAND_NAMES), args, fc.boolean(), (f, w, a, closed) => {
        const content = " ".repeat(f.lead + f.marker.length + f.gap);
        const close = f.fence.replace(/[a-z]+$/, "");
        const block = `${" ".repeat(f.lead)}${f.marker}${" ".repeat(f.gap)}${f.fence}\n${content}code${closed ? `\n${content}${close}` : ""}`;
        expect(parseCommand(`${block}\n${formatCommand({ word: w, args: a })}`)).toEqual({ name: w, word: w, args: a });
      }),
    );
  });

  it("counts a command line whatever follows `<!--` on it, when the comment is never closed", () => {
    const tail = fc.string({ maxLength: 40 }).filter((t) => !/[\r\n\u2028\u2029\u0085]|-->/.test(t));
    fc.assert(
      fc.property(fc.constantFrom(...COMMAND_NAMES), args, tail, (w, a, t) => {
        const parsed = parseCommand(`${formatCommand({ word: w, args: a })} <!--${t}`);
        expect(parsed).toEqual({ name: w, word: w, args: `${a} <!--${t}`.trim() });
      }),
    );
  });

  it("finds the command after any lines that do not start with the prefix", () => {
    const other = fc.string({ maxLength: 40 }).filter((s) => !/[\r\n`~<>]|\/governance/i.test(s));
    fc.assert(
      fc.property(fc.array(other, { maxLength: 5 }), fc.constantFrom(...COMMAND_NAMES), args, (before, w, a) => {
        const body = [...before, formatCommand({ word: w, args: a })].join("\n");
        expect(parseCommand(body)).toEqual({ name: w, word: w, args: a });
      }),
    );
  });
});
