/**
 * Reviewer commands in a PR comment: `/governance <command> [arguments]`.
 *
 * Pure. The first line that starts with `/governance` (up to three spaces of
 * indentation, any case) is the comment's one command. Lines in fenced or
 * indented code blocks (a fence in a list item included), block quotes
 * (`> /governance approve`) and HTML comments never count: quoting someone's
 * command does not repeat it. What GitHub shows does count: a command line
 * with an HTML comment opening after it is still a command.
 */

export const COMMAND_NAMES = ["approve", "override", "recheck", "explain", "escalate", "help"] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export interface ParsedCommand {
  /** The command, `help` for a bare `/governance`, `unknown` for a word that is not a command. */
  name: CommandName | "unknown";
  /** The word as written, lower-cased (`""` for a bare `/governance`). */
  word: string;
  /** The rest of the line, trimmed: the override's reason. */
  args: string;
}

const PREFIX = "/governance";
const COMMAND_LINE = /^ {0,3}\/governance(?:\s+(\S+)(?:\s+(.*))?)?\s*$/is;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
/** A fence opening in a list item (`- ```` , `1. ~~~`, nested items too): the content starts 1–4 spaces after each marker. */
const LIST_FENCE = /^( {0,3}(?:(?:[-+*]|\d{1,9}[.)]) {1,4})+)(`{3,}|~{3,})/;
/** `<!--` first on a line (after any list or quote markers): an HTML block, hidden up to its `-->`, blank lines included. */
const HTML_BLOCK_COMMENT = /^(?:[ \t]*(?:[-+*][ \t]|\d{1,9}[.)][ \t]|>))*[ \t]*<!--/;
const QUOTE = /^ {0,3}>/;
const INDENTED_CODE = /^( {4}|\t)/;

const isName = (w: string): w is CommandName => (COMMAND_NAMES as readonly string[]).includes(w);

/** The comment's command, or null when no line outside code, quotes and HTML comments starts with `/governance`. */
export function parseCommand(body: string | null | undefined): ParsedCommand | null {
  // A malformed payload may carry anything here.
  if (typeof body !== "string" || !body.toLowerCase().includes(PREFIX)) return null;
  // `indent`: the column a list item's content starts at, for a fence opened in one (0 otherwise).
  let fence: { char: string; length: number; indent: number } | null = null;
  let inHtmlComment = false;
  const lines = body.split(/\r\n|\r|\n/);
  let closing: boolean[] | null = null;
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (fence) {
      const col = indentColumns(line);
      const text = line.trim();
      // A line indented less than its list item's content ends the item, and the code block with it.
      const itemEnded = fence.indent > 0 && text !== "" && col < fence.indent;
      if (!itemEnded) {
        const closes = col - fence.indent <= 3 && text.length >= fence.length && [...text].every((c) => c === fence!.char);
        if (closes) fence = null;
        continue;
      }
      fence = null;
    }
    if (inHtmlComment) {
      if (line.includes("-->")) inHtmlComment = false;
      continue;
    }
    const open = FENCE.exec(line);
    const listOpen = open ? null : LIST_FENCE.exec(line);
    if (open || listOpen) {
      const chars = open ? open[1]! : listOpen![2]!;
      fence = { char: chars[0]!, length: chars.length, indent: listOpen ? listOpen[1]!.length : 0 };
      continue;
    }
    const comment = line.indexOf("<!--");
    if (comment >= 0 && !line.slice(comment + 4).includes("-->")) {
      if (HTML_BLOCK_COMMENT.test(line)) {
        inHtmlComment = true;
        continue;
      }
      // Later in a line it is an inline comment only when `-->` follows before the paragraph ends
      // (else GitHub shows `<!--` as text); either way the text before it is shown.
      if ((closing ??= closedLater(lines))[i]) {
        inHtmlComment = true;
        line = line.slice(0, comment);
      }
    }
    if (QUOTE.test(line) || INDENTED_CODE.test(line)) continue;
    const m = COMMAND_LINE.exec(line);
    if (!m) continue;
    const word = (m[1] ?? "").toLowerCase();
    const args = (m[2] ?? "").trim();
    return { name: word === "" ? "help" : isName(word) ? word : "unknown", word, args };
  }
  return null;
}

/** Leading whitespace in columns (a tab to the next multiple of 4). */
function indentColumns(line: string): number {
  let col = 0;
  for (const c of line) {
    if (c === " ") col++;
    else if (c === "\t") col += 4 - (col % 4);
    else break;
  }
  return col;
}

/** For each line: does a later line of its paragraph (before a blank line) hold `-->`? One pass from the end. */
function closedLater(lines: readonly string[]): boolean[] {
  const out: boolean[] = new Array<boolean>(lines.length).fill(false);
  let seen = false;
  for (let j = lines.length - 1; j >= 0; j--) {
    out[j] = seen;
    if (lines[j]!.trim() === "") seen = false;
    else if (lines[j]!.includes("-->")) seen = true;
  }
  return out;
}

/** The command as a comment line; `parseCommand(formatCommand(c))` gives `c` back. */
export function formatCommand(c: Pick<ParsedCommand, "word" | "args">): string {
  return [PREFIX, c.word, c.args].filter(Boolean).join(" ");
}
