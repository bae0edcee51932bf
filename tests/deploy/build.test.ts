/**
 * `npm start` builds only when the sources changed: `npm run build` is
 * `tsc -b` with an incremental build info file inside `dist/`, so an unchanged
 * tree is "up to date" in about two seconds (a full build takes about thirty),
 * a change recompiles only what it affects, and a missing `dist/` (a fresh
 * clone: `npm ci` runs `prepare`) is a full build.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../cli/run.js";

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
const build = JSON.parse(readFileSync(join(ROOT, "tsconfig.build.json"), "utf8")) as { compilerOptions: Record<string, unknown> };

describe("npm start's build", () => {
  it("is tsc's build mode, run before start, test and on install", () => {
    expect(pkg.scripts.build).toBe("tsc -b tsconfig.build.json");
    expect(pkg.scripts.prestart).toBe("npm run build");
    expect(pkg.scripts.prepare).toBe("npm run build");
    expect(pkg.scripts.start).toBe("node dist/main.js");
  });

  it("keeps its incremental build info inside dist/, so deleting dist/ rebuilds everything", () => {
    expect(build.compilerOptions).toMatchObject({ outDir: "dist", incremental: true, tsBuildInfoFile: "dist/tsconfig.build.tsbuildinfo" });
  });

  it("finds the tree up to date after a build, and compiles nothing", () => {
    // `npm test` has just built; run `npm run build` first when running this file alone.
    const r = spawnSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-b", "tsconfig.build.json", "--dry", "--verbose"], { cwd: ROOT, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/is up to date/);
    expect(r.stdout).not.toMatch(/A non-dry build would/);
  });
});
