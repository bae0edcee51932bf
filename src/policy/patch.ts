/** Reading unified-diff patches as GitHub returns them in `files[].patch`. */

export interface AddedLine {
  /** Line number in the new version of the file. */
  line: number;
  text: string;
}

export interface RemovedLine {
  /** Line number in the old version of the file. */
  old: number;
  /** Where the removal sits in the new version: the line that now follows it (for annotations). */
  line: number;
  text: string;
}

export interface PatchLines {
  added: AddedLine[];
  removed: RemovedLine[];
}

const HUNK = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

/** One line of a patch: added (`+`), removed (`-`) or context (` `), with its numbers in the new and old versions. */
export interface PatchRow {
  op: "+" | "-" | " ";
  text: string;
  /** The new version's line (for a removed line: the line that now follows it). */
  line: number;
  /** The old version's line (for an added line: the line that followed it there). */
  old: number;
  /** Which hunk (from 0): rows of different hunks are not neighbours. */
  hunk: number;
}

/** Calls `visit` with each row of a patch, in order. One pass; never throws. */
function walk(patch: string | undefined | null, visit: (op: PatchRow["op"], text: string, line: number, old: number, hunk: number) => void): void {
  if (!patch) return;
  let line = 0;
  let old = 0;
  let hunk = -1;
  for (const raw of patch.split("\n")) {
    const header = HUNK.exec(raw);
    if (header) {
      old = Number(header[1]);
      line = Number(header[2]);
      hunk++;
      continue;
    }
    if (raw.startsWith("+")) visit("+", raw.slice(1), line++, old, hunk);
    else if (raw.startsWith("-")) visit("-", raw.slice(1), line, old++, hunk);
    // "\ No newline at end of file": no line in either version.
    else if (!raw.startsWith("\\")) visit(" ", raw.slice(1), line++, old++, hunk);
  }
}

/** The lines a patch adds and removes, with their line numbers. One pass; never throws. */
export function patchLines(patch: string | undefined | null): PatchLines {
  const out: PatchLines = { added: [], removed: [] };
  walk(patch, (op, text, line, old) => {
    if (op === "+") out.added.push({ line, text });
    else if (op === "-") out.removed.push({ old, line, text });
  });
  return out;
}

/** Every row of a patch, context included: for rules that look at a changed line's neighbours. */
export function patchRows(patch: string | undefined | null): PatchRow[] {
  const out: PatchRow[] = [];
  walk(patch, (op, text, line, old, hunk) => out.push({ op, text, line, old, hunk }));
  return out;
}

/** Trimmed line texts as a multiset. */
function countsOf(lines: readonly { text: string }[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const { text } of lines) {
    const t = text.trim();
    out.set(t, (out.get(t) ?? 0) + 1);
  }
  return out;
}

/** `lines` without those whose trimmed text is also in `others` (each of `others` matches once). */
function without<T extends { text: string }>(lines: readonly T[], others: readonly { text: string }[]): T[] {
  const left = countsOf(others);
  return lines.filter(({ text }) => {
    const t = text.trim();
    const n = left.get(t) ?? 0;
    if (n > 0) left.set(t, n - 1);
    return n === 0;
  });
}

/**
 * The lines a patch really adds and removes: a line it removes and adds back with the same
 * text (a move, a re-indent) is neither. Each removed line cancels one added line.
 */
export function changedLines(patch: string | undefined | null): PatchLines {
  const { added, removed } = patchLines(patch);
  return { added: without(added, removed), removed: without(removed, added) };
}

/** The lines a patch adds, with their line numbers in the new file. Never throws. */
export function addedLines(patch: string | undefined | null): AddedLine[] {
  return patchLines(patch).added;
}

/** Files GitHub changed without a patch (binary, or too large to diff), other than deletions. */
export function hasMissingPatch(file: { status?: string; patch?: string; additions?: number; changes?: number }): boolean {
  return !file.patch && file.status !== "removed" && (file.additions ?? file.changes ?? 1) > 0;
}
