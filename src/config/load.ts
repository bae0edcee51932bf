/**
 * Pure policy parsing: YAML text in, a validated `Policy` or precise problems out.
 * Problems carry the file, line and column of the offending key or value.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from "yaml";
import type { z } from "zod";
import { PolicySchema, POLICY_PATH, type Policy } from "./schema.js";
import { didYouMean } from "./words.js";

export interface ConfigProblem {
  file: string;
  line: number;
  col: number;
  /** Dotted path of the key, e.g. `paths.forbidden[2]`. */
  path: string;
  message: string;
  /**
   * `warning`: the policy does what it says, but perhaps not what was meant (an override's list
   * that drops the base's entries); `validate` prints it as `FILE:LINE:COL: warning: …` and exits 0
   * when there is nothing else. Absent: an error.
   */
  severity?: "warning";
}

/** Where a key path sits in the parsed file (1-based), for problems found after parsing. */
export type Locate = (path: readonly PropertyKey[]) => { line: number; col: number };

export type ParseResult =
  | { ok: true; policy: Policy; raw: Record<string, unknown>; extends: string | null; locate?: Locate }
  | { ok: false; problems: ConfigProblem[] };

/** The largest policy file the app reads; beyond it the file is refused, not parsed. */
export const MAX_POLICY_BYTES = 256 * 1024;

export function formatProblem(p: ConfigProblem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.message}`;
}

export function pathToString(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

export { didYouMean } from "./words.js";

/** Keys a zod object schema accepts at `path`, for did-you-mean on unknown keys. */
function knownKeysAt(path: readonly PropertyKey[]): string[] {
  let schema: z.ZodType | undefined = PolicySchema;
  for (const key of path) {
    schema = unwrap(schema);
    if (!schema) return [];
    const def = (schema as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
    if (def.type === "object") schema = (def.shape as Record<string, z.ZodType>)[String(key)];
    else if (def.type === "array") schema = def.element as z.ZodType;
    else return [];
  }
  schema = unwrap(schema);
  const def = schema && (schema as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  return def?.type === "object" ? Object.keys(def.shape as object) : [];
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let s = schema;
  for (let i = 0; i < 10 && s; i++) {
    const def = (s as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
    if (def.type === "optional" || def.type === "default" || def.type === "prefault" || def.type === "nullable") {
      s = def.innerType as z.ZodType;
    } else if (def.type === "pipe") {
      s = def.in as z.ZodType;
    } else break;
  }
  return s;
}

/** Finds the YAML node at `path`; `key: true` returns the key node of the last segment. */
function nodeAt(root: YamlNode | null | undefined, path: readonly PropertyKey[], key = false): YamlNode | null {
  let node: unknown = root;
  let last: YamlNode | null = (root as YamlNode) ?? null;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) return last;
      if (key && i === path.length - 1) return (pair.key as YamlNode) ?? last;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === "number") {
      node = node.items[seg];
    } else return last;
    if (node && typeof node === "object" && "range" in (node as object)) last = node as YamlNode;
  }
  return last;
}

/**
 * Parses and validates a policy file's text. `file` is the name used in problems.
 * Never throws.
 */
/**
 * The offset of the last `open` bracket before `end` that no bracket closes, or -1. Quoted text and
 * comments are skipped; good enough to point at the bracket a YAML flow collection left open.
 */
export function unclosedBracket(text: string, end: number, open: "[" | "{"): number {
  const stack: { ch: string; at: number }[] = [];
  for (let i = 0; i < Math.min(end, text.length); i++) {
    const ch = text[i]!;
    if (ch === "#" && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i < end && text[i] !== "\n") i++;
    } else if (ch === '"' || ch === "'") {
      for (i++; i < end && text[i] !== ch && text[i] !== "\n"; i++) if (ch === '"' && text[i] === "\\") i++;
    } else if (ch === "[" || ch === "{") stack.push({ ch, at: i });
    else if ((ch === "]" || ch === "}") && stack.at(-1)?.ch === (ch === "]" ? "[" : "{")) stack.pop();
  }
  for (let j = stack.length - 1; j >= 0; j--) if (stack[j]!.ch === open) return stack[j]!.at;
  return -1;
}

export function parsePolicy(text: string, file = POLICY_PATH): ParseResult {
  const at = (line: number, col: number, message: string, path = ""): ConfigProblem => ({
    file,
    line,
    col,
    path,
    message,
  });
  if (Buffer.byteLength(text, "utf8") > MAX_POLICY_BYTES) {
    return { ok: false, problems: [at(1, 1, `the file is larger than ${MAX_POLICY_BYTES / 1024} KiB; keep the policy short`)] };
  }
  const lineCounter = new LineCounter();
  let doc;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  } catch (err) {
    return { ok: false, problems: [at(1, 1, `could not parse YAML: ${(err as Error).message}`)] };
  }
  const pos = (offset: number | undefined) => {
    const p = lineCounter.linePos(offset ?? 0);
    return { line: p.line, col: p.col };
  };
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const { line, col } = pos(e.pos[0]);
        const message = e.message.split("\n")[0]!;
        // An unclosed `[` or `{` is found where the block goes on: the mistake is where the bracket opened.
        const close = /must be sufficiently indented and end with a ([\]}])/.exec(message)?.[1];
        const opened = close ? unclosedBracket(text, e.pos[0], close === "]" ? "[" : "{") : -1;
        if (opened >= 0) {
          const o = pos(opened);
          return at(o.line, o.col, `invalid YAML: this \`${close === "]" ? "[" : "{"}\` is never closed with \`${close}\` (noticed at line ${line}, column ${col}: ${message})`);
        }
        return at(line, col, `invalid YAML: ${message}`);
      }),
    };
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 50 }) ?? {};
  } catch (err) {
    return { ok: false, problems: [at(1, 1, `invalid YAML: ${(err as Error).message}`)] };
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return { ok: false, problems: [at(1, 1, "the policy must be a YAML mapping of keys such as `reviewers:` and `paths:`")] };
  }
  const { _extends, ...rest } = raw as Record<string, unknown>;
  if (_extends !== undefined && typeof _extends !== "string") {
    const n = nodeAt(doc.contents, ["_extends"]);
    const { line, col } = pos(n?.range?.[0]);
    return { ok: false, problems: [at(line, col, "`_extends` must be a string such as `.github` or `org/repo:path.yml`", "_extends")] };
  }
  const result = PolicySchema.safeParse(rest);
  if (!result.success) {
    return { ok: false, problems: zodProblems(result.error.issues, doc.contents, pos, file) };
  }
  const contents = doc.contents;
  const locate: Locate = (path) => pos(nodeAt(contents, path)?.range?.[0]);
  return { ok: true, policy: result.data, raw: rest, extends: (_extends as string | undefined) ?? null, locate };
}

function zodProblems(
  issues: readonly z.core.$ZodIssue[],
  root: YamlNode | null | undefined,
  pos: (offset: number | undefined) => { line: number; col: number },
  file: string,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      const known = knownKeysAt(issue.path);
      for (const k of issue.keys) {
        const path = [...issue.path, k];
        const n = nodeAt(root, path, true);
        const hint = didYouMean(k, known);
        const where = issue.path.length ? `under \`${pathToString(issue.path)}\`` : "at the top level";
        const { line, col } = pos(n?.range?.[0]);
        problems.push({
          file,
          line,
          col,
          path: pathToString(path),
          message:
            `unknown key \`${k}\` ${where}` +
            (hint ? `; did you mean \`${hint}\`?` : known.length ? `; known keys: ${known.join(", ")}` : ""),
        });
      }
      continue;
    }
    const n = nodeAt(root, issue.path);
    const { line, col } = pos(n?.range?.[0]);
    const key = pathToString(issue.path) || "(top level)";
    const missing = issue.code === "invalid_type" && /received undefined$/.test(issue.message) && issue.path.length > 0;
    const message = missing
      ? `\`${pathToString(issue.path.slice(0, -1)) || "(top level)"}\` needs \`${String(issue.path.at(-1))}:\` (${TYPE_WORDS[(issue as { expected?: string }).expected ?? ""] ?? issue.message.replace(/, received undefined$/, "").replace(/^Invalid input: /, "")})`
      : `\`${key}\`: ${plainMessage(issue, n)}${valueHint(issue, n)}`;
    problems.push({ file, line, col, path: key, message });
  }
  return problems.sort((a, b) => a.line - b.line || a.col - b.col);
}

/** Zod's type names, as a maintainer would say them. */
const TYPE_WORDS: Record<string, string> = {
  number: "a number",
  int: "a whole number",
  string: "text",
  boolean: "true or false",
  array: "a list",
  object: "a mapping",
  record: "a mapping",
};

/** What the file holds at a key, in words: `the text "two"`, `the number 5`, `a list`. */
function describeNode(node: YamlNode | null): string {
  if (isScalar(node)) {
    const v = node.value;
    if (v === null || v === undefined) return "nothing";
    if (typeof v === "string") return `the text "${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
    if (typeof v === "number" || typeof v === "boolean") return `${typeof v === "number" ? "the number " : ""}${String(v)}`;
    return "";
  }
  if (isSeq(node)) return "a list";
  if (isMap(node)) return "a mapping";
  return "";
}

/**
 * Zod's default messages ("Invalid input: expected number, received string",
 * "Too big: expected array to have <=200 items") in plain words: "must be a
 * number, not the text "two"", "must have at most 200 entries". Messages the
 * schema writes itself are kept.
 */
function plainMessage(issue: z.core.$ZodIssue, node: YamlNode | null): string {
  if (!/^(Invalid input|Invalid option|Too small|Too big)\b/.test(issue.message)) return issue.message;
  const i = issue as { code: string; expected?: string; values?: unknown[]; origin?: string; minimum?: number | bigint; maximum?: number | bigint; inclusive?: boolean };
  const bound = (n: number | bigint | undefined, inclusive: boolean | undefined, at: string, beyond: string) => `${inclusive === false ? beyond : at} ${String(n)}`;
  const count = (n: number | bigint | undefined, one: string, many: string) => (Number(n) === 1 ? one : many);
  switch (i.code) {
    case "invalid_type": {
      const want = TYPE_WORDS[i.expected ?? ""];
      const got = describeNode(node);
      return want ? `must be ${want}${got ? `, not ${got}` : ""}` : issue.message;
    }
    case "invalid_value":
      return i.values?.length ? `must be one of ${i.values.map((v) => `\`${String(v)}\``).join(", ")}` : issue.message;
    case "too_small":
    case "too_big": {
      const small = i.code === "too_small";
      const n = small ? i.minimum : i.maximum;
      const limit = small ? bound(n, i.inclusive, "at least", "more than") : bound(n, i.inclusive, "at most", "less than");
      if (i.origin === "number" || i.origin === "int" || i.origin === "bigint") return `must be ${limit}`;
      if (i.origin === "array" || i.origin === "set") return `must have ${limit} ${count(n, "entry", "entries")}`;
      if (i.origin === "string") return `must be ${limit} ${count(n, "character", "characters")} long`;
      return issue.message;
    }
    case "invalid_union": {
      // An override's list, or `{ add: [...] }`: say what each form wants.
      const branches = (issue as { errors?: z.core.$ZodIssue[][] }).errors ?? [];
      const list = branches.findIndex((b) => b.some((e) => e.code === "invalid_type" && e.path.length === 0 && (e as { expected?: string }).expected === "array"));
      if (list < 0 || !branches.some((b, k) => k !== list && b.length > 0)) return issue.message;
      const rest = branches.find((_, k) => k !== list) ?? [];
      const other = rest.find((e) => e.code === "unrecognized_keys") ?? rest[0];
      const why = !other
        ? ""
        : other.code === "unrecognized_keys"
          ? `; ${(other as { keys: string[] }).keys.map((k) => `\`${k}\``).join(", ")} is not a key of it`
          : `; \`${pathToString(other.path) || "add"}\` ${plainMessage(other, null)}`;
      return `must be a list, which replaces the base policy's, or \`{ add: [...] }\`, which adds to it${why}`;
    }
    default:
      return issue.message;
  }
}

/** "; did you mean `enforce`?" for a misspelt choice such as `mode: enforced`. */
function valueHint(issue: z.core.$ZodIssue, node: YamlNode | null): string {
  if (issue.code !== "invalid_value" || !isScalar(node) || typeof node.value !== "string") return "";
  const hint = didYouMean(node.value, issue.values.filter((v): v is string => typeof v === "string"));
  return hint ? `; did you mean \`${hint}\`?` : "";
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Merges an `_extends` base under a repository's file: mappings merge key by key,
 * and anything else the repository writes, lists included, replaces the base's.
 * (Probot's loader concatenates lists; a repository that writes `forbidden:` expects
 * its own list, so here lists replace. Repeat the base's entries to keep them.)
 */
export function mergePolicies(base: unknown, repo: unknown): unknown {
  if (isPlainObject(base) && isPlainObject(repo)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(repo)) {
      if (k === "__proto__" || k === "constructor" || k === "prototype") continue;
      out[k] = Object.hasOwn(base, k) ? mergePolicies(base[k], v) : v;
    }
    return out;
  }
  return repo === undefined ? base : repo;
}

/**
 * Parses the repository's file over an `_extends` base's (already parsed) raw
 * object. A problem that only the merge reveals is placed at the repository
 * file's key when it has one, else at line 1.
 */
export function parseExtended(
  baseRaw: Record<string, unknown>,
  repo: { ok: true; raw: Record<string, unknown>; locate?: Locate },
  file: string,
): ParseResult {
  const merged = mergePolicies(baseRaw, repo.raw) as Record<string, unknown>;
  const result = PolicySchema.safeParse(merged);
  if (!result.success) {
    return {
      ok: false,
      problems: result.error.issues.map((i) => {
        const { line, col } = repo.locate?.(i.path) ?? { line: 1, col: 1 };
        return {
          file,
          line,
          col,
          path: pathToString(i.path),
          message: `after merging \`_extends\`: \`${pathToString(i.path)}\`: ${plainMessage(i, null)}`,
        };
      }),
    };
  }
  return { ok: true, policy: result.data, raw: merged, extends: null, ...(repo.locate ? { locate: repo.locate } : {}) };
}
