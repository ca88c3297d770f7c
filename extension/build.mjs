// Bundles the VS Code extension with esbuild into the root dist/extension.js (CommonJS, node20,
// `vscode` external). Type-checking is separate (`npm run typecheck`).
//   node extension/build.mjs               one build with source maps
//   node extension/build.mjs --production  minified, no source maps
//   node extension/build.mjs --watch       rebuild on change, printing the lines .vscode/tasks.json matches
//   node extension/build.mjs --outfile F   write elsewhere (tests)
import { context } from "esbuild";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { brotliCompressSync, constants as zlib } from "node:zlib";
import { fileURLToPath } from "node:url";
import { problemMatcherPlugin } from "./esbuild-problem-matcher.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const production = args.includes("--production");
const watch = args.includes("--watch");
const outfileArg = args.indexOf("--outfile");
const outfile = outfileArg >= 0 ? path.resolve(args[outfileArg + 1]) : path.join(root, "dist", "extension.js");

/**
 * The lint core goes into its own file next to the extension, loaded by `core.ts` on the first lint,
 * so activation parses only the small glue bundle.
 */
const LINT_CORE_FILE = "lint-core.js";
/** Likewise the shared project renderer (~100 KB of templates), needed only by the scaffolding commands. */
const RENDER_FILE = "render.js";
const splitLintCorePlugin = {
  name: "split-lint-core",
  setup(build) {
    build.onResolve({ filter: /^\.\/core-entry(\.js)?$/ }, () => ({ path: `./${LINT_CORE_FILE}`, external: true }));
    build.onResolve({ filter: /generator\/src\/render\/index(\.js)?$/ }, () => ({ path: `./${RENDER_FILE}`, external: true }));
  },
};

/**
 * TypeScript (~9 MB; only the TS/JS string scanner and module analysis use it) is written ONCE, as
 * `typescript.js` next to the bundles, and every bundle gets a lazy stand-in for `typescript`: the
 * real file is required on the first property access, i.e. when a TS/JS source is first scanned.
 * Linting YAML/JSON/.env, the runner and the CLI's other commands never parse it. The stand-in
 * answers `__esModule` without loading, because esbuild's interop helper asks for it at import.
 * A production build (the .vsix) ships it brotli-compressed as `typescript.js.br` (0.8 MB against
 * 1.0 MB zipped); the stand-in then decompresses it in memory (~30 ms, once) and registers it under
 * the `typescript.js` name, as a plain require would.
 */
const TYPESCRIPT_FILE = "typescript.js";
const LAZY_TYPESCRIPT = `let real;
function load() {
  if (real) return real;
  const fs = require("fs"), path = require("path"), Module = require("module");
  const file = path.join(__dirname, "${TYPESCRIPT_FILE}");
  const compressed = file + ".br";
  if (!fs.existsSync(compressed)) return (real = require("./${TYPESCRIPT_FILE}"));
  const mod = new Module(file);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(__dirname);
  Module._cache[file] = mod;
  mod._compile(require("zlib").brotliDecompressSync(fs.readFileSync(compressed)).toString("utf8"), file);
  mod.loaded = true;
  return (real = mod.exports);
}
module.exports = new Proxy({}, {
  get: (_, key) => (key === "__esModule" ? undefined : load()[key]),
  has: (_, key) => key in load(),
});`;
const lazyTypescriptPlugin = {
  name: "lazy-typescript",
  setup(build) {
    build.onResolve({ filter: /^typescript$/ }, () => ({ path: "typescript", namespace: "lazy-typescript" }));
    build.onResolve({ filter: /^\.\/typescript\.js$/ }, (args) => ({ path: args.path, external: true }));
    build.onLoad({ filter: /.*/, namespace: "lazy-typescript" }, () => ({ contents: LAZY_TYPESCRIPT, loader: "js", resolveDir: root }));
  },
};

/**
 * The loader compiles user connectors with esbuild's API. An installed extension has no
 * node_modules, and esbuild's native binary is per platform, so the bundles use esbuild-wasm (the
 * same API and output, one portable .wasm; see docs/architecture.md "Packaging"), copied next to
 * them as `esbuild-wasm/`. Two edits to the copy, each checked so an esbuild update cannot slip by:
 * - its Node API starts `node bin/esbuild`, but "node" may not be on PATH (the runner runs under
 *   the editor's own Node/Electron), so it starts `process.execPath`;
 * - the 14 MB .wasm ships brotli-compressed (2.7 MB against 3.7 MB zipped, which decides the .vsix
 *   size budget), and its launcher decompresses it in memory (~30 ms per compiler start) and
 *   compiles it with V8's baseline compiler only (see below).
 * Brotli at quality 11 takes ~20 s, so the compressed file is cached under node_modules/.cache.
 */
const ESBUILD_WASM_DIR = "esbuild-wasm";
const ESBUILD_WASM_FILES = ["package.json", "LICENSE.md", "lib/main.js", "bin/esbuild", "wasm_exec.js", "wasm_exec_node.js"];
const esbuildWasmPlugin = {
  name: "esbuild-wasm",
  setup(build) {
    build.onResolve({ filter: /^esbuild$/ }, () => ({ path: `./${ESBUILD_WASM_DIR}/lib/main.js`, external: true }));
  },
};

/** Replaces `from` (which must occur) with `to` in `file`. */
function patchFile(file, from, to) {
  const text = readFileSync(file, "utf8");
  if (!text.includes(from)) throw new Error(`${file} changed upstream: cannot find ${JSON.stringify(from)}`);
  writeFileSync(file, text.replace(from, to));
}

/** `data` brotli-compressed at quality 11 (slow), cached under node_modules/.cache by content hash. */
function brotliCached(data) {
  const hash = createHash("sha256").update(data).digest("hex").slice(0, 32);
  const cached = path.join(root, "node_modules", ".cache", "lmcache-connector-kit", `${hash}.br`);
  if (!existsSync(cached)) {
    const br = brotliCompressSync(data, {
      params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_LGWIN]: 24, [zlib.BROTLI_PARAM_SIZE_HINT]: data.length },
    });
    mkdirSync(path.dirname(cached), { recursive: true });
    writeFileSync(`${cached}.${process.pid}.tmp`, br);
    renameSync(`${cached}.${process.pid}.tmp`, cached);
  }
  return cached;
}

function compressedWasm(from) {
  return brotliCached(readFileSync(path.join(from, "esbuild.wasm")));
}

/** Production: replaces typescript.js by typescript.js.br (the lazy stand-in reads either). */
function compressTypescript(outDir) {
  const file = path.join(outDir, TYPESCRIPT_FILE);
  copyFileSync(brotliCached(readFileSync(file)), `${file}.br`);
  rmSync(file);
}

function copyEsbuildWasm(outDir) {
  const from = path.join(root, "node_modules", "esbuild-wasm");
  const to = path.join(outDir, ESBUILD_WASM_DIR);
  for (const rel of ESBUILD_WASM_FILES) {
    mkdirSync(path.dirname(path.join(to, rel)), { recursive: true });
    copyFileSync(path.join(from, rel), path.join(to, rel));
  }
  copyFileSync(compressedWasm(from), path.join(to, "esbuild.wasm.br"));
  patchFile(
    path.join(to, "lib", "main.js"),
    'return ["node", [path2.join(__dirname, "..", "bin", "esbuild")]];',
    'return [process.execPath, [path2.join(__dirname, "..", "bin", "esbuild")]];',
  );
  const launcher = path.join(to, "bin", "esbuild");
  patchFile(launcher, "path.join(__dirname, '..', 'esbuild.wasm')", "path.join(__dirname, '..', 'esbuild.wasm.br')");
  // Liftoff only: a compile runs for well under a second, and V8's optimising tier-up of the 14 MB
  // module would compete with it for the CPU (1.1 s -> 0.5 s per compile on 2 busy cores). Set at
  // run time, where an unknown flag is ignored rather than refused.
  patchFile(
    launcher,
    "new WebAssembly.Module(bytes)",
    "(require('v8').setFlagsFromString('--liftoff-only'), new WebAssembly.Module(require('zlib').brotliDecompressSync(bytes)))",
  );
}

const common = {
  absWorkingDir: root,
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  external: ["vscode"],
  // In watch mode the plugin reports (for the task's problem matcher); a one-off build logs normally.
  logLevel: watch ? "silent" : "warning",
  // The shared renderer's vendor lookup reads import.meta only when __dirname is missing (ESM).
  logOverride: { "empty-import-meta": "silent" },
};
const runtimePlugins = [lazyTypescriptPlugin, esbuildWasmPlugin];
const reporters = watch ? [problemMatcherPlugin] : [];

const contexts = await Promise.all([
  context({
    ...common,
    entryPoints: [path.join(root, "extension", "src", "extension.ts")],
    outfile,
    // Read by extension.ts for its "activated in" log line: when the bundle began and finished
    // evaluating (module-local vars of the CJS bundle).
    banner: { js: "\"use strict\";\nvar __extensionBundleStart = performance.now();" },
    footer: { js: "var __extensionBundleEnd = performance.now();" },
    // `import()` of the split-off core becomes a plain `require` (the extension host is CommonJS).
    supported: { "dynamic-import": false },
    plugins: [splitLintCorePlugin, ...runtimePlugins, ...reporters],
  }),
  context({
    ...common,
    entryPoints: [path.join(root, "extension", "src", "core-entry.ts")],
    outfile: path.join(path.dirname(outfile), LINT_CORE_FILE),
    plugins: [...runtimePlugins, ...reporters],
  }),
  context({
    ...common,
    entryPoints: [path.join(root, "generator", "src", "render", "index.ts")],
    outfile: path.join(path.dirname(outfile), RENDER_FILE),
    plugins: [...runtimePlugins, ...reporters],
  }),
  // The runner child process (conformance runs, "Debug this failure") and the `lmcache-connector`
  // CLI (the F5 "Run against local cache" launch), bundled next to the extension. Neither is loaded
  // into the extension host; both share typescript.js and esbuild-wasm/ with the lint core.
  context({
    ...common,
    entryPoints: [path.join(root, "runtime", "src", "runner", "runner-main.ts")],
    outfile: path.join(path.dirname(outfile), "runner.js"),
    plugins: [...runtimePlugins, ...reporters],
  }),
  context({
    ...common,
    stdin: {
      contents: `import { main } from "./runtime/src/cli/main";
main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err) => { console.error(err && err.stack ? err.stack : String(err)); process.exitCode = 2; });`,
      resolveDir: root,
      sourcefile: "lmcache-connector-bin.ts",
      loader: "ts",
    },
    outfile: path.join(path.dirname(outfile), "lmcache-connector.js"),
    plugins: [...runtimePlugins, ...reporters],
  }),
  // TypeScript itself, once, for the lazy stand-ins above.
  context({
    ...common,
    entryPoints: [path.join(root, "node_modules", "typescript", "lib", "typescript.js")],
    outfile: path.join(path.dirname(outfile), TYPESCRIPT_FILE),
    sourcemap: false,
    logLevel: "error",
  }),
]);

copyEsbuildWasm(path.dirname(outfile));
// A development build over an older production one: the stand-in must find this typescript.js.
if (!production) rmSync(path.join(path.dirname(outfile), `${TYPESCRIPT_FILE}.br`), { force: true });

if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  const results = await Promise.all(contexts.map((c) => c.rebuild().catch(() => null)));
  await Promise.all(contexts.map((c) => c.dispose()));
  if (results.some((r) => !r || r.errors.length > 0)) process.exit(1);
  if (production) compressTypescript(path.dirname(outfile));
}
