/**
 * PR template attestation (`compliance.body.checkboxes`, `.fields`): named
 * task-list items ticked (`- [x] I have read every line`) and named fields
 * answered (`Tool and extent: Copilot, the tests only`). Read from the
 * description without its HTML comments, so a template's hints never count.
 * Pure.
 */

/** Text as labels are compared: lower case, without Markdown emphasis, single-spaced, no closing colon. */
const plain = (s: string) =>
  s
    .replace(/[*_`~]/g, "")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/\s*:$/, "")
    .toLowerCase();

const TASK = /^\s*(?:>\s*)*(?:[-*+]|\d+[.)])\s+\[([ xX])\]\s+(.*)$/;
const HEADING = /^\s{0,3}#{1,6}\s/;

export interface Task {
  ticked: boolean;
  text: string;
}

/** The task-list items of a Markdown text. */
export function tasks(text: string): Task[] {
  return text.split("\n").flatMap((line) => {
    const m = TASK.exec(line);
    return m ? [{ ticked: m[1] !== " ", text: m[2]! }] : [];
  });
}

/** A value that only holds a template's place: empty, `<tool>`, `[describe]`, `{…}`, `...`, `TODO`, `TBD`, `_`. */
export function isPlaceholder(value: string): boolean {
  const v = value.replace(/[*_`~]/g, "").trim();
  return v === "" || /^(?:<[^>]*>|\[[^\]]*\]|\{[^}]*\}|\.{2,}|…|-+|todo|tbd|xxx)$/i.test(v);
}

/**
 * The answer given to `label` in `text`: what follows `Label:` on its line (bold, list
 * bullets and quotes allowed), or else the next non-blank line when that is not a
 * heading, a task or another label of `labels`; null when the label is missing.
 */
export function fieldValue(text: string, label: string, labels: readonly string[] = [label]): string | null {
  const want = plain(label);
  const others = new Set(labels.map(plain));
  const lines = text.split("\n");
  const labelOf = (line: string) => {
    const s = line.replace(/^\s*(?:>\s*)*(?:[-*+]\s+)?/, "").replace(/[*_`~]/g, "");
    const colon = s.indexOf(":");
    return colon < 0 ? null : { label: plain(s.slice(0, colon)), value: s.slice(colon + 1) };
  };
  for (let i = 0; i < lines.length; i++) {
    const l = labelOf(lines[i]!);
    if (!l || l.label !== want) continue;
    if (!isPlaceholder(l.value)) return l.value.trim();
    const next = lines.slice(i + 1).find((x) => x.trim() !== "");
    if (next === undefined || HEADING.test(next) || TASK.test(next)) return "";
    const nl = labelOf(next);
    if (nl && others.has(nl.label)) return "";
    return isPlaceholder(next) ? "" : next.trim();
  }
  return null;
}

/** What the description lacks: unticked or missing checkboxes, fields missing or not filled in. */
export function attestationProblems(req: { checkboxes?: readonly string[] | undefined; fields?: readonly string[] | undefined }, text: string): string[] {
  const problems: string[] = [];
  const items = tasks(text);
  const unticked: string[] = [];
  const absent: string[] = [];
  for (const box of req.checkboxes ?? []) {
    const want = plain(box);
    const matching = items.filter((t) => plain(t.text).startsWith(want));
    if (matching.some((t) => t.ticked)) continue;
    (matching.length ? unticked : absent).push(`\`${box}\``);
  }
  if (unticked.length) problems.push(`checkbox${unticked.length === 1 ? "" : "es"} ${unticked.join(", ")} not ticked`);
  if (absent.length) problems.push(`missing checkbox${absent.length === 1 ? "" : "es"} ${absent.join(", ")}`);
  const empty: string[] = [];
  const missing: string[] = [];
  for (const field of req.fields ?? []) {
    const value = fieldValue(text, field, req.fields);
    if (value === null) missing.push(`\`${field}:\``);
    else if (value === "") empty.push(`\`${field}:\``);
  }
  if (empty.length) problems.push(`field${empty.length === 1 ? "" : "s"} ${empty.join(", ")} not filled in`);
  if (missing.length) problems.push(`missing field${missing.length === 1 ? "" : "s"} ${missing.join(", ")}`);
  return problems;
}
