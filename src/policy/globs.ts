/** Glob matching for policy paths: minimatch 11, `dot: true`, compiled once per glob list. */
import { Minimatch } from "minimatch";
import type { FileFacts } from "../types.js";

const cache = new Map<string, Minimatch>();
const CACHE_LIMIT = 5000;

function compiled(glob: string): Minimatch {
  let m = cache.get(glob);
  if (!m) {
    m = new Minimatch(glob, { dot: true, nocomment: true, nonegate: true });
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(glob, m);
  }
  return m;
}

/** Returns a predicate: does a path match any of `globs`? */
export function matcher(globs: readonly string[]): (path: string) => boolean {
  const ms = globs.map(compiled);
  return (path) => ms.some((m) => m.match(path));
}

/** The names a changed file is known by: its new name and, for a rename, its old one. */
export function fileNames(file: FileFacts): string[] {
  return file.previous_filename ? [file.filename, file.previous_filename] : [file.filename];
}

/** Changed files matching any of `globs`, by old or new name. */
export function filesMatching(files: readonly FileFacts[], globs: readonly string[]): FileFacts[] {
  if (globs.length === 0) return [];
  const match = matcher(globs);
  return files.filter((f) => fileNames(f).some(match));
}
