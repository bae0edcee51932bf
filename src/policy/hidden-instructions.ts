/**
 * Hidden instructions (`compliance.hidden_instructions`): text in a PR aimed at
 * the next AI that reads it, which a reviewer cannot see or would not expect.
 * Invisible and reordering Unicode (zero-width, bidi controls, tag characters,
 * runs of variation selectors, control characters), HTML and Markdown comments
 * addressed to an AI, and known injection phrasing; in the added lines of docs,
 * agent-steering files and prompts, in the PR description, in commit messages,
 * and (for the characters) in file names. Every quote is made visible
 * (`visible`): the findings never carry the characters themselves. Pure.
 */
import { HIDDEN_KINDS, type Policy } from "../config/schema.js";
import type { FileFacts, PullFacts } from "../types.js";
import { at, findingOutcome, memoized, resolveSetting, snippet, type TextFinding, type FindingAction, type FindingOutcome } from "./findings.js";
import { changedLines, type AddedLine } from "./patch.js";
import { AGENT_FILES, policyFileHits } from "./paths.js";

export type HiddenKind = (typeof HIDDEN_KINDS)[number];

/** Docs, agent-steering files and prompts: the default of `compliance.hidden_instructions.paths`. */
export const SCANNED_FILES = [
  "**/*.md",
  "**/*.mdx",
  "**/*.markdown",
  "**/*.rst",
  "**/*.adoc",
  "**/*.txt",
  "**/*.prompt",
  "**/*.prompt.*",
  "**/prompts/**",
  "**/*.mdc",
  "**/.cursorrules",
  "**/.windsurfrules",
  "**/.clinerules",
  "**/.clinerules/**",
  ...AGENT_FILES,
];

// ---------------------------------------------------------------------------
// Characters

type CharKind = "bidi control" | "tag characters" | "invisible characters" | "variation selectors" | "control characters";

/** Any character that might be hidden: most text has none, and is passed over with this one test. */
const SUSPECT = /[\0-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\u034F\u115F\u1160\u17B4\u17B5\u180E\u200B-\u200D\u2028-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0\uFFF9-\uFFFB]|[\u{1D173}-\u{1D17A}\u{E0000}-\u{E0FFF}]/u;

function charKind(cp: number): CharKind | null {
  if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) return "bidi control";
  if (cp >= 0xe0000 && cp <= 0xe007f) return "tag characters";
  if ((cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef)) return "variation selectors";
  if (cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f)) return cp === 0x09 || cp === 0x0a || cp === 0x0d ? null : "control characters";
  if (
    (cp >= 0x200b && cp <= 0x200d) ||
    (cp >= 0x2060 && cp <= 0x2065) ||
    (cp >= 0x206a && cp <= 0x206f) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0xfeff ||
    cp === 0x034f ||
    cp === 0x115f ||
    cp === 0x1160 ||
    cp === 0x17b4 ||
    cp === 0x17b5 ||
    cp === 0x180e ||
    cp === 0x3164 ||
    cp === 0xffa0 ||
    (cp >= 0xfff9 && cp <= 0xfffb) ||
    (cp >= 0x1d173 && cp <= 0x1d17a) ||
    (cp >= 0xe0080 && cp <= 0xe0fff)
  ) {
    return "invisible characters";
  }
  return null;
}

const EMOJI = /[\p{Extended_Pictographic}\p{Emoji_Modifier}\uFE0F\u20E3]/u;
const PICTOGRAPH = /\p{Extended_Pictographic}/u;
/** A letter or mark of a script that joins (Arabic, Persian, the Indic scripts, …): not Latin, not ASCII. */
const JOINING = /[\p{L}\p{M}]/u;
const joins = (ch: string | undefined) => ch !== undefined && ch.codePointAt(0)! > 0x24f && JOINING.test(ch);
const BLACK_FLAG = 0x1f3f4;
const CANCEL_TAG = 0xe007f;

export interface HiddenRun {
  /** String index of the run's first character. */
  index: number;
  kinds: CharKind[];
  /** What tag characters spell, when the run holds them (`ignore previous…`). */
  decoded?: string;
}

const width = (cp: number) => (cp > 0xffff ? 2 : 1);
/** The code point that ends just before index `i`, or -1. */
function before(text: string, i: number): number {
  if (i <= 0) return -1;
  const low = text.charCodeAt(i - 1);
  return low >= 0xdc00 && low <= 0xdfff && i >= 2 ? text.codePointAt(i - 2)! : low;
}
const charOf = (cp: number) => (cp < 0 ? undefined : String.fromCodePoint(cp));
const isSelector = (cp: number) => (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef);
const isFlagTag = (cp: number) => (cp >= 0xe0030 && cp <= 0xe0039) || (cp >= 0xe0061 && cp <= 0xe007a);

/** Is the hidden character `cp` at `i` one of the legitimate uses `hiddenRuns` lets through? */
function legitimate(text: string, i: number, cp: number): boolean {
  const prev = before(text, i);
  const next = i + width(cp) < text.length ? text.codePointAt(i + width(cp))! : -1;
  if (cp === 0x200d) {
    const [p, n] = [charOf(prev), charOf(next)];
    return (p !== undefined && EMOJI.test(p) && n !== undefined && PICTOGRAPH.test(n)) || (joins(p) && joins(n));
  }
  if (cp === 0x200c) return joins(charOf(prev)) && joins(charOf(next));
  if (cp === 0xfeff) return i === 0;
  if (isSelector(cp)) return prev >= 0 && !isSelector(prev) && !isSelector(next);
  return false;
}

/** After 🏴 (tags from `i`): the index past a subdivision flag's tags and cancel tag (🏴󠁧󠁢󠁳󠁣󠁴󠁿), or `i` when none follows. */
function flagTagsEnd(text: string, i: number): number {
  let j = i;
  let n = 0;
  while (j < text.length && n < 8 && isFlagTag(text.codePointAt(j)!)) {
    j += 2;
    n++;
  }
  return n > 0 && text.codePointAt(j) === CANCEL_TAG ? j + 2 : i;
}

/**
 * The runs of hidden characters in `text`, with the legitimate uses let through: a zero-width
 * joiner inside an emoji sequence or between letters of a joining script (and a zero-width
 * non-joiner there), a byte-order mark that starts the text, the tags of a subdivision flag
 * (🏴 and lower-case tags up to the cancel tag), and one variation selector after a character.
 * At most `limit` runs, the first. One pass, building nothing for ordinary characters.
 */
export function hiddenRuns(text: string, limit = Number.POSITIVE_INFINITY): HiddenRun[] {
  if (!SUSPECT.test(text)) return [];
  const runs: HiddenRun[] = [];
  let run: { index: number; kinds: Set<CharKind>; decoded: string } | null = null;
  const close = () => {
    if (run) runs.push({ index: run.index, kinds: [...run.kinds], ...(run.decoded ? { decoded: run.decoded } : {}) });
    run = null;
  };
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const next = i + width(cp);
    const kind = cp >= 0x20 && cp < 0x7f ? null : charKind(cp);
    if (!kind || legitimate(text, i, cp)) {
      close();
      if (runs.length >= limit) break;
      i = cp === BLACK_FLAG ? flagTagsEnd(text, next) : next;
      continue;
    }
    run ??= { index: i, kinds: new Set(), decoded: "" };
    run.kinds.add(kind);
    if (cp >= 0xe0020 && cp <= 0xe007e) run.decoded += String.fromCharCode(cp - 0xe0000);
    i = next;
  }
  if (runs.length < limit) close();
  return runs;
}

/** A run described for a finding: its kinds, the text around it made visible, what tags spell. */
function describeRun(text: string, run: HiddenRun): string {
  const spelled = run.decoded ? `, spelling \`${snippet(run.decoded, 0, 80)}\`` : "";
  return `${run.kinds.join(" and ")} (\`${snippet(text, run.index, 60)}\`${spelled})`;
}

// ---------------------------------------------------------------------------
// Phrases and comments

const SPACE = /^\s$/u;

/**
 * `text` as phrases are matched in: NFKC, lower case, hidden characters and Markdown emphasis
 * dropped, every run of white space one space; `origin[i]` is the index in `text` of character i.
 */
export function normalized(text: string): { text: string; origin: number[] } {
  let out = "";
  const origin: number[] = [];
  let space = true;
  // Most text is already in NFKC: then no character needs it, and each is only lower-cased.
  const stable = text.normalize("NFKC") === text;
  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) {
        if (!space) {
          out += " ";
          origin.push(i);
          space = true;
        }
      } else if (c >= 0x21 && c !== 0x7f && c !== 0x2a && c !== 0x5f && c !== 0x7e && c !== 0x60) {
        out += c >= 0x41 && c <= 0x5a ? String.fromCharCode(c + 32) : text[i]!;
        origin.push(i);
        space = false;
      }
      i++;
      continue;
    }
    const cp = text.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    const index = i;
    i += ch.length;
    if (charKind(cp) || cp === 0xad || cp === 0x200e || cp === 0x200f || cp === 0x061c) continue;
    if (SPACE.test(ch)) {
      if (!space) {
        out += " ";
        origin.push(index);
        space = true;
      }
      continue;
    }
    // One origin per UTF-16 unit of what is emitted: match indexes count units (an emoji is two).
    const folded = (stable ? ch : ch.normalize("NFKC")).toLowerCase();
    out += folded;
    for (let k = 0; k < folded.length; k++) origin.push(index);
    space = false;
  }
  return { text: out, origin };
}

const WHO = "(?:users?|humans?|reviewers?|maintainers?|developers?|operators?|owners?)";
const EARLIER = "(?:previous|prior|above|earlier|preceding|foregoing|original|initial|system|developer)";
const ORDERS = "(?:instructions?|prompts?|directions?|rules|guidelines|guidance|messages?|context|commands?|orders)";

/** Known injection phrasing, matched in `normalized` text. */
const PHRASES = new RegExp(
  [
    `\\b(?:ignore|disregard|forget|override|bypass|skip) (?:all |any |every )?(?:of )?(?:the |your |my |these |those )?${EARLIER} ${ORDERS}`,
    `\\bforget (?:everything|all) (?:above|before|you (?:were|have been) told)`,
    `\\b(?:reveal|print|leak|output|repeat|show) (?:me )?(?:your|the) (?:system|hidden|initial) prompt`,
    `\\byou are now (?:in )?(?:dan\\b|developer mode|jailbroken|unrestricted|unfiltered|an? unrestricted)`,
    `\\b(?:do not|don't|never) (?:tell|inform|mention (?:this |it )?to|alert|notify|warn|reveal (?:this |it )?to) (?:the |any )?${WHO}`,
    `\\bwithout (?:telling|informing|notifying|alerting|asking) (?:the |any )?${WHO}`,
    `\\b(?:hide|conceal) (?:this|these (?:changes|lines|instructions)|it) from (?:the |any )?${WHO}`,
    `\\bnew (?:system )?instructions ?:`,
    // Chat-template tokens (`_` is dropped from the normalized text).
    `<\\|im_?start\\|> ?system|\\[system\\] ?:|<<sys>>`,
  ].join("|"),
  "g",
);

/** Words addressed to an AI: in a comment (which a reviewer does not see), an instruction to it. */
const ADDRESS = new RegExp(
  [
    `\\b(?:note|message|instructions?|attention|hint|reminder|important|nb)s? (?:to|for) (?:any |all |the |every )?(?:ais?|llms?|(?:large )?language models?|ai (?:assistants?|agents?|models?)|assistants?|coding agents?|agents?|bots?|copilot|claude|codex|gemini|cursor|devin|chatgpt|gpt)\\b`,
    `\\bif you are an? (?:ai|llm|(?:large )?language model|assistant|agent|bot|model|automated)\\b`,
    `\\b(?:ai|llms?|language models?|assistants?|agents?|models?|bots?)(?: \\w+)? (?:reading|processing|parsing|summari[sz]ing|analy[sz]ing|reviewing) this\\b`,
    `^ ?(?:dear |hey |hi |hello )?(?:ai|llm|assistant|agent|copilot|claude|codex|gemini|cursor|devin|chatgpt)s? ?[:,]`,
    `\\b(?:dear|hey|hi|hello),? (?:ai|llm|assistant|agent|copilot|claude|codex|gemini|cursor|devin|chatgpt)\\b`,
    `\\bwhen (?:you are )?(?:summari[sz]ing|reviewing|processing|reading|analy[sz]ing) this\\b`,
  ].join("|"),
);

/** Markdown's link-reference comments: `[//]: # (…)`, `[comment]: <> "…"`. */
const MARKDOWN_COMMENT = /^[ \t]*\[(?:\/\/|comment|_|#)\]:[ \t]*(?:#|<>)[ \t]*(?:\(([^)\n]*)\)|"([^"\n]*)"|'([^'\n]*)')/gm;

/** The comments of a text (HTML, and Markdown's), with their index: linear, an unclosed `<!--` runs to the end. */
function comments(text: string): { index: number; body: string }[] {
  const out: { index: number; body: string }[] = [];
  for (let i = text.indexOf("<!--"); i >= 0; ) {
    const end = text.indexOf("-->", i + 4);
    out.push({ index: i, body: text.slice(i + 4, end < 0 ? text.length : end) });
    if (end < 0) break;
    i = text.indexOf("<!--", end + 3);
  }
  if (text.includes("]:")) {
    for (const m of text.matchAll(MARKDOWN_COMMENT)) out.push({ index: m.index, body: m[1] ?? m[2] ?? m[3] ?? "" });
  }
  return out;
}

interface Hit {
  index: number;
  /** What was found; worked out only for the hits that are shown. */
  what: () => string;
}

/** Hits worked out per text: past this many, a text is flagged enough (and quoting them all would cost). */
const MAX_HITS = 20;

/** A word every phrase holds, tried on the raw text first: most text has none, and needs no normalizing. */
const PHRASE_WORD = /ignor|disregard|forget|overrid|bypass|skip|reveal|print|leak|output|repeat|show|you are|tell|inform|mention|alert|notify|warn|without|hide|conceal|instruction|im_?start|system|<<sys>>/i;

/** What opens a quotation or code span. */
const QUOTE = /^["'`“‘«„]$/u;

function phraseHits(text: string): Hit[] {
  // Words split by hidden characters or written in other letters (full width) are not plain ASCII; split by emphasis, they hold `*_~\``.
  if (/^[^\x80-\u{10FFFF}*_~`]*$/u.test(text) && !PHRASE_WORD.test(text)) return [];
  const n = normalized(text);
  const out: Hit[] = [];
  PHRASES.lastIndex = 0;
  for (let m = PHRASES.exec(n.text); m; m = PHRASES.exec(n.text)) {
    const index = n.origin[m.index]!;
    // A phrase in quotes or in code (`"ignore previous instructions"`) is quoted for the reader, in plain sight: a mention.
    if (QUOTE.test(text.slice(Math.max(0, index - 3), index).trimEnd().slice(-1))) continue;
    const phrase = m[0];
    out.push({ index, what: () => `injection phrasing (\`${snippet(phrase, 0, 80)}\`)` });
    if (out.length >= MAX_HITS) break;
  }
  return out;
}

function commentHits(text: string): Hit[] {
  return comments(text)
    .filter((c) => ADDRESS.test(normalized(c.body).text))
    .map((c) => ({ index: c.index, what: () => `comment addressed to an AI (\`${snippet(c.body.trim(), 0, 80)}\`)` }));
}

// ---------------------------------------------------------------------------
// The scan

export interface HiddenOptions {
  kinds: ReadonlySet<HiddenKind>;
  paths: readonly string[];
}

/** Findings in one text: `place(line)` says where that line of the text is. */
function scanText(text: string, kinds: ReadonlySet<HiddenKind>, place: (line: number) => { line: number; where: string; path?: string }): TextFinding[] {
  const hits: Hit[] = [];
  if (kinds.has("unicode")) for (const run of hiddenRuns(text, MAX_HITS)) hits.push({ index: run.index, what: () => describeRun(text, run) });
  if (kinds.has("comments")) hits.push(...commentHits(text).slice(0, MAX_HITS));
  if (kinds.has("phrases")) hits.push(...phraseHits(text));
  if (hits.length === 0) return [];
  const lineOf = lineIndex(text);
  // One finding per place: several hits on one line are one thing to look at.
  const byWhere = new Map<string, TextFinding>();
  for (const h of hits.sort((a, b) => a.index - b.index).slice(0, MAX_HITS)) {
    const p = place(lineOf(h.index));
    const f = byWhere.get(p.where);
    if (f) f.what += `; ${h.what()}`;
    else byWhere.set(p.where, { ...(p.path !== undefined ? { path: p.path } : {}), line: p.line, where: p.where, what: h.what() });
  }
  return [...byWhere.values()];
}

/** A function giving the line (from 1) of a string index of `text`, by binary search over its line starts. */
function lineIndex(text: string): (index: number) => number {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return (index) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

/** Consecutive added lines, as texts to scan whole (a comment or a phrase may span lines). */
function runsOf(lines: readonly AddedLine[]): { line: number; text: string }[] {
  const runs: { line: number; text: string }[] = [];
  let last = Number.NaN;
  for (const { line, text } of lines) {
    const run = runs[runs.length - 1];
    if (run && line === last + 1) run.text += `\n${text}`;
    else runs.push({ line, text });
    last = line;
  }
  return runs;
}

const short = (sha: string) => sha.slice(0, 7);

/** Every hidden instruction in the PR's scanned files, file names, description and commit messages. */
export function findHiddenInstructions(facts: Pick<PullFacts, "files" | "pull" | "commits" | "policy_files">, opts: HiddenOptions): TextFinding[] {
  const out: TextFinding[] = [];
  if (opts.kinds.has("unicode")) {
    for (const f of facts.files) {
      for (const name of new Set([f.filename, f.previous_filename ?? f.filename])) {
        const runs = hiddenRuns(name);
        if (runs.length) out.push({ path: f.filename, where: at(f.filename), what: `file name with ${runs.map((r) => describeRun(name, r)).join("; ")}` });
      }
    }
  }
  for (const f of policyFileHits(facts, facts.files, opts.paths)) {
    if (f.status === "removed") continue;
    for (const run of runsOf(changedLines(f.patch).added)) {
      out.push(
        ...scanText(run.text, opts.kinds, (n) => {
          const line = run.line + n - 1;
          return { path: f.filename, line, where: at(f.filename, line) };
        }),
      );
    }
  }
  // The description and commit messages often repeat each other (a squashed PR): the same finding once, naming every place.
  const texts: TextFinding[] = [];
  const body = facts.pull.body ?? "";
  texts.push(...scanText(body, opts.kinds, (line) => ({ line, where: `the PR description, line ${line}` })));
  for (const c of facts.commits) {
    const message = c.commit.message;
    texts.push(...scanText(message, opts.kinds, (line) => ({ line, where: `commit ${short(c.sha)}'s message, line ${line}` })));
  }
  const byWhat = new Map<string, TextFinding[]>();
  for (const f of texts) byWhat.set(f.what, [...(byWhat.get(f.what) ?? []), f]);
  for (const [first, ...more] of byWhat.values()) {
    const also = more.length === 1 ? ` and ${more[0]!.where}` : more.length > 1 ? ` and ${more.length} more places` : "";
    out.push({ ...first!, where: `${first!.where}${also}` });
  }
  return out;
}

/** The setting with its defaults, or null when off. */
export function hiddenInstructionsSetting(policy: Policy): (HiddenOptions & FindingAction) | null {
  const r = resolveSetting(policy.compliance.hidden_instructions, "fail");
  return r && { ...r.answer, kinds: new Set(r.set.kinds ?? HIDDEN_KINDS), paths: r.set.paths ?? SCANNED_FILES };
}

/**
 * `compliance.hidden_instructions` for this PR: nothing when off or when nothing is found;
 * else a failing rule (`action: fail`, the default) or a group needing its reviewers' approval.
 */
export function hiddenInstructions(policy: Policy, facts: Pick<PullFacts, "files" | "pull" | "commits" | "policy_files">): FindingOutcome {
  const setting = hiddenInstructionsSetting(policy);
  if (!setting) return { group: null, rule: null };
  return memoized("compliance.hidden_instructions", facts.files, policy.compliance, [facts.pull.body, facts.commits, facts.policy_files], () =>
    findingOutcome(
      "compliance.hidden_instructions",
      "hidden instructions",
      "Hidden instructions",
      setting,
      findHiddenInstructions(facts, setting),
      "Remove the hidden characters and the comments or phrases aimed at AI agents (each is quoted above with invisible characters escaped, e.g. `\\u200B`); put text meant for people where reviewers can see it; push, and edit the description or reword the commits as needed.",
    ),
  );
}
