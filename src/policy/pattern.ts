/**
 * The regular expressions a policy supplies (`compliance.title_pattern`), run by
 * RE2JS, a pure-JavaScript port of RE2: an automaton engine whose matching time
 * is linear in the text whatever the pattern, so no pattern can hang the event
 * loop (V8's backtracking engine takes exponential or high-polynomial time on
 * patterns such as `^\w+\s?\w+\s?\w+\s?\w+\s?\w+:`). The price is RE2's
 * syntax: no lookaround and no backreferences, which `patternProblem` refuses
 * at validation, with the file and line. The schema also bounds a pattern's
 * compiled size, the other factor of its matching time.
 */
import { RE2JS } from "re2js";

/**
 * Most instructions a pattern may compile to. Matching costs up to this many
 * steps per character of the title (`{m,n}` counts multiply it: `.{0,200}` is
 * about 400): the title patterns in use compile to tens or hundreds.
 */
export const MAX_PATTERN_PROGRAM = 1000;

/** A compiled pattern, or why it is refused. Never throws. */
function compileLinear(source: string): { re: RE2JS } | { problem: string } {
  let re: RE2JS;
  try {
    // JavaScript's escapes (`\u00e9`, `\cJ`, `(?<name>…)`) written in RE2's syntax.
    re = RE2JS.compile(RE2JS.translateRegExp(source));
  } catch (err) {
    const why = (err as Error).message.replace(/^error parsing regexp: /, "");
    return {
      problem: `the linear-time matcher does not accept it (${why}); it has no lookahead, lookbehind or backreferences`,
    };
  }
  const size = re.programSize();
  if (size > MAX_PATTERN_PROGRAM) {
    return { problem: `the pattern compiles to ${size} matcher instructions (at most ${MAX_PATTERN_PROGRAM}); use smaller \`{m,n}\` counts or fewer of them` };
  }
  return { re };
}

/**
 * Why the linear-time matcher refuses `source`, or null when it accepts it.
 * `source` is already a valid JavaScript regular expression.
 */
export function patternProblem(source: string): string | null {
  const c = compileLinear(source);
  return "problem" in c ? c.problem : null;
}

const cache = new Map<string, RE2JS | null>();
const CACHE_LIMIT = 500;

/**
 * Does `text` contain a match of `source` (as `RegExp.prototype.test` would say)?
 * Linear in `text`. A pattern the matcher refuses (only a policy that skipped
 * validation can hold one) matches nothing.
 */
export function patternMatches(source: string, text: string): boolean {
  let re = cache.get(source);
  if (re === undefined) {
    const c = compileLinear(source);
    re = "re" in c ? c.re : null;
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(source, re);
  }
  return re !== null && re.test(text);
}
