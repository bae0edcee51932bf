/**
 * Well-known token and key formats, looked for in the lines a PR adds.
 * A finding carries the file, line and kind only: the matched value is never
 * kept, so it cannot reach a log, a check run or a comment. Text the app writes
 * to GitHub goes through `redactSecrets`, for secrets in what users wrote
 * (a commit subject, the PR title, a path) that a message quotes: those of the
 * known formats, and those without a known prefix that their context gives away
 * (`aws_secret_access_key=…`, `https://user:password@host`).
 */
import type { FileFacts } from "../types.js";
import { addedLines } from "./patch.js";

export interface SecretKind {
  id: string;
  name: string;
  pattern: RegExp;
}

/** Formats with a distinctive prefix or structure, so few false positives. */
export const SECRET_KINDS: readonly SecretKind[] = [
  { id: "private_key", name: "private key", pattern: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----/ },
  { id: "aws_access_key", name: "AWS access key ID", pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/ },
  { id: "github_token", name: "GitHub token", pattern: /\bgh[pousr]_[A-Za-z0-9]{36,251}\b/ },
  { id: "github_pat", name: "GitHub fine-grained token", pattern: /\bgithub_pat_[A-Za-z0-9_]{60,255}\b/ },
  { id: "gitlab_token", name: "GitLab token", pattern: /\bglpat-[A-Za-z0-9_-]{20,}\b/ },
  { id: "slack_token", name: "Slack token", pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
  { id: "slack_webhook", name: "Slack webhook URL", pattern: /hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]{20,}/ },
  { id: "google_api_key", name: "Google API key", pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { id: "stripe_key", name: "Stripe live key", pattern: /\b[rs]k_live_[0-9A-Za-z]{20,}\b/ },
  // At most 200 characters before the marker (real keys have far fewer): unbounded, each `sk-` of a long run re-scanned the whole run.
  { id: "openai_key", name: "OpenAI API key", pattern: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,200}T3BlbkFJ[A-Za-z0-9_-]{20,}/ },
  { id: "anthropic_key", name: "Anthropic API key", pattern: /\bsk-ant-(?:api|admin)\d\d-[A-Za-z0-9_-]{80,}/ },
  { id: "npm_token", name: "npm token", pattern: /\bnpm_[A-Za-z0-9]{36}\b/ },
  { id: "pypi_token", name: "PyPI token", pattern: /\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}/ },
  { id: "huggingface_token", name: "Hugging Face token", pattern: /\bhf_[A-Za-z0-9]{34,}\b/ },
  { id: "sendgrid_key", name: "SendGrid API key", pattern: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b/ },
  { id: "azure_storage_key", name: "Azure storage account key", pattern: /AccountKey=[A-Za-z0-9+/]{86}==/ },
];

/** AWS's documented example keys end in EXAMPLE; they are not secrets. */
const PLACEHOLDER = /EXAMPLE\b/;

export interface SecretFinding {
  path: string;
  line: number;
  kind: string;
}

/** The literal marks every kind contains, tried first so most lines cost one cheap regex test. */
const ANY = /-----BEGIN|A[KS]IA|ABIA|ACCA|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|hooks\.slack\.com|AIza|k_live_|T3BlbkFJ|sk-ant-|npm_|pypi-|hf_|SG\.|AccountKey=/;

/**
 * Each kind with a global copy of its pattern, to look past a placeholder and to
 * start a search mid-text, and whether the pattern ends in `\b` (looks at the
 * character after its match).
 */
const SEARCHES = SECRET_KINDS.map((kind) => ({
  kind,
  all: new RegExp(kind.pattern.source, `${kind.pattern.flags}g`),
  boundaryEnd: kind.pattern.source.endsWith("\\b"),
}));

/** A long line is scanned in windows of this many characters, so each character costs about the same however long its line. */
const WINDOW = 4000;
/**
 * What consecutive windows share: more than any secret's text (the longest pattern,
 * a fine-grained GitHub token, matches at most 266 characters), so a secret
 * anywhere in a line lies whole in some window.
 */
const OVERLAP = 400;

/**
 * The first kind (in `SECRET_KINDS` order) found in `piece` from `begin`. When the
 * piece is `cut` from a longer line, a match ending in `\b` at the cut does not
 * count: the `\b` is the cut's, the text may go on (the next window holds any
 * real secret there whole).
 */
function kindIn(piece: string, begin: number, cut: boolean): SecretKind | null {
  for (const { kind, all, boundaryEnd } of SEARCHES) {
    all.lastIndex = begin;
    for (let m = all.exec(piece); m; m = all.exec(piece)) {
      if (cut && boundaryEnd && m.index + m[0].length === piece.length) break;
      if (!PLACEHOLDER.test(m[0])) return kind;
    }
  }
  return null;
}

/** The kind of a secret in `text` (one line), scanning it in overlapping windows, or null. */
function secretIn(text: string): SecretKind | null {
  for (let start = 0; ; start += WINDOW - OVERLAP) {
    // One character of the line either side of the window, so `\b` at its edges sees the line, not the cut.
    const from = Math.max(0, start - 1);
    const to = Math.min(text.length, start + WINDOW + 1);
    const piece = text.slice(from, to);
    const kind = ANY.test(piece) ? kindIn(piece, start - from, to < text.length) : null;
    if (kind) return kind;
    if (to >= text.length) return null;
  }
}

/** Git's SHA-1 of the empty blob: a file with this content has nothing to scan. */
export const EMPTY_BLOB_SHA = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";

/**
 * Changed files whose new content the scan cannot see: GitHub lists them without
 * a patch (binary files, and diffs too large to show), other than deletions and
 * empty files. A rename listed without a patch is one too: a binary file renamed
 * and changed is listed just like an unchanged one.
 */
export function unscannedFiles(files: readonly FileFacts[]): FileFacts[] {
  return files.filter((f) => !f.patch && f.status !== "removed" && f.sha !== EMPTY_BLOB_SHA);
}

/** Finds well-known secret formats in the added lines of `files`: at most one finding per line. */
export function findSecrets(files: readonly FileFacts[]): SecretFinding[] {
  const out: SecretFinding[] = [];
  for (const f of files) {
    for (const { line, text } of addedLines(f.patch)) {
      const kind = secretIn(text);
      if (kind) out.push({ path: f.filename, line, kind: kind.name });
    }
  }
  return out;
}

/**
 * Credentials in a URL: the user-info of `scheme://user:password@host` (also
 * `oauth2:TOKEN@`, `TOKEN:x-oauth-basic@`), when it holds a `:`. The run after
 * `://` holds no `/`, so no two matches scan the same characters.
 */
const URL_CREDENTIALS = /:\/\/([^\s/?#@'"`<>]+)@/g;

/**
 * Words that, in a name, say its value is a secret: `aws_secret_access_key`,
 * `DB_PASSWORD`, `api-key`, `access_token`, `Authorization`…
 */
const SECRET_NAME = /secret|passw(?:or)?d|passphrase|pwd|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|authorization/gi;
/** A character of a name (`aws_secret_access_key`, `db.password`, `api-key`). */
const NAME_CHAR = /[\w.-]/;
/** What joins a name to its value: `=`, `:`, `": "`, with spaces or tabs around. */
const ASSIGNS = /["']?[ \t]*([=:])[ \t]*/y;
/**
 * A value: an HTTP credential (`Bearer …`, `Basic …`), a quoted string, or a run
 * (after a quote that does not close on its line, if any) up to a space, a
 * quote, `&` (a URL's next parameter) or a Markdown delimiter, so a table cell or
 * a code span stays whole. A `[` cannot start one, so a redacted value is left as
 * it is. A quote that does not close on its line is the last of its kind there,
 * so a line costs at most two failed searches for a closing quote.
 */
const VALUE = /(?:bearer|basic|token)[ \t]+[^\s'"`<>|]+|"[^"\n]+"|'[^'\n]+'|["']?[^\s'"`<>|,;&()[\]{}]+/iy;

/**
 * `text` with the value of every `name=value` or `name: value` whose name says it
 * is a secret replaced by `[redacted]`. After a `:`, a value of letters alone
 * shorter than 16 (`token: handle expiry`) is prose, and kept. Linear: each name
 * is read once (the next search starts after it), and so is each redacted value.
 */
function redactNamedValues(text: string): string {
  let out = "";
  let copied = 0;
  SECRET_NAME.lastIndex = 0;
  for (let m = SECRET_NAME.exec(text); m; m = SECRET_NAME.exec(text)) {
    let i = m.index + m[0].length;
    while (i < text.length && NAME_CHAR.test(text[i]!)) i++;
    SECRET_NAME.lastIndex = i;
    ASSIGNS.lastIndex = i;
    const a = ASSIGNS.exec(text);
    if (!a) continue;
    VALUE.lastIndex = ASSIGNS.lastIndex;
    const v = VALUE.exec(text);
    if (!v) continue;
    if (a[1] === ":" && /^[A-Za-z]{1,15}$/.test(v[0])) continue;
    out += `${text.slice(copied, v.index)}[redacted]`;
    copied = v.index + v[0].length;
    SECRET_NAME.lastIndex = copied;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * `text` with secrets replaced, for everything the app writes to GitHub, which
 * quotes what users wrote (commit subjects, the PR title, paths): every secret
 * of a known format by `[redacted <kind>]` (AWS's example keys kept), the
 * credentials of a URL by `[redacted credentials]`, and the value of an
 * assignment whose name says it is a secret (`aws_secret_access_key=…`,
 * `password: …`) by `[redacted]`. Idempotent.
 */
export function redactSecrets(text: string): string {
  let out = text;
  if (ANY.test(out)) {
    for (const { kind, all } of SEARCHES) out = out.replace(all, (m) => (PLACEHOLDER.test(m) ? m : `[redacted ${kind.name}]`));
  }
  // Named values first: a value redacted inside a URL's user-info (`://password:[redacted]@`) is then taken whole.
  out = redactNamedValues(out);
  if (out.includes("://")) out = out.replace(URL_CREDENTIALS, (m, info: string) => (info.includes(":") ? "://[redacted credentials]@" : m));
  return out;
}
