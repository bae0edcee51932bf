/** Reading unified-diff patches as GitHub returns them in `files[].patch`. */

export interface AddedLine {
  /** Line number in the new version of the file. */
  line: number;
  text: string;
}

const HUNK = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

/** The lines a patch adds, with their line numbers in the new file. Never throws. */
export function addedLines(patch: string | undefined | null): AddedLine[] {
  if (!patch) return [];
  const out: AddedLine[] = [];
  let line = 0;
  for (const raw of patch.split("\n")) {
    const hunk = HUNK.exec(raw);
    if (hunk) {
      line = Number(hunk[1]);
      continue;
    }
    if (raw.startsWith("+")) {
      out.push({ line, text: raw.slice(1) });
      line++;
    } else if (raw.startsWith("-") || raw.startsWith("\\")) {
      // A removed line, or "\ No newline at end of file": no line in the new file.
    } else {
      line++;
    }
  }
  return out;
}

/** Files GitHub changed without a patch (binary, or too large to diff), other than deletions. */
export function hasMissingPatch(file: { status?: string; patch?: string; additions?: number; changes?: number }): boolean {
  return !file.patch && file.status !== "removed" && (file.additions ?? file.changes ?? 1) > 0;
}
