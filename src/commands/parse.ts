/**
 * Reviewer commands in a PR comment: `/governance <command> [arguments]`.
 *
 * Pure. The first line that starts with `/governance` (up to three spaces of
 * indentation, any case) is the comment's one command. Lines in fenced or
 * indented code blocks, block quotes (`> /governance approve`) and HTML
 * comments never count: quoting someone's command does not repeat it.
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
const QUOTE = /^ {0,3}>/;
const INDENTED_CODE = /^( {4}|\t)/;

const isName = (w: string): w is CommandName => (COMMAND_NAMES as readonly string[]).includes(w);

/** The comment's command, or null when no line outside code, quotes and HTML comments starts with `/governance`. */
export function parseCommand(body: string | null | undefined): ParsedCommand | null {
  // A malformed payload may carry anything here.
  if (typeof body !== "string" || !body.toLowerCase().includes(PREFIX)) return null;
  let fence: { char: string; length: number } | null = null;
  let inHtmlComment = false;
  for (const line of body.split(/\r\n|\r|\n/)) {
    if (fence) {
      const close = FENCE.exec(line);
      if (close && close[1]![0] === fence.char && close[1]!.length >= fence.length && line.trim() === close[1]) fence = null;
      continue;
    }
    if (inHtmlComment) {
      if (line.includes("-->")) inHtmlComment = false;
      continue;
    }
    const open = FENCE.exec(line);
    if (open) {
      fence = { char: open[1]![0]!, length: open[1]!.length };
      continue;
    }
    if (line.includes("<!--") && !line.slice(line.indexOf("<!--") + 4).includes("-->")) {
      inHtmlComment = true;
      continue;
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

/** The command as a comment line; `parseCommand(formatCommand(c))` gives `c` back. */
export function formatCommand(c: Pick<ParsedCommand, "word" | "args">): string {
  return [PREFIX, c.word, c.args].filter(Boolean).join(" ");
}
