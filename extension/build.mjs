// Bundles the VS Code extension with esbuild into the root dist/extension.js (CommonJS, node20,
// `vscode` external). Type-checking is separate (`npm run typecheck`).
//   node extension/build.mjs               one build with source maps
//   node extension/build.mjs --production  minified, no source maps
//   node extension/build.mjs --watch       rebuild on change, printing the lines .vscode/tasks.json matches
//   node extension/build.mjs --outfile F   write elsewhere (tests)
import { context } from "esbuild";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { problemMatcherPlugin } from "./esbuild-problem-matcher.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const production = args.includes("--production");
const watch = args.includes("--watch");
const outfileArg = args.indexOf("--outfile");
const outfile = outfileArg >= 0 ? path.resolve(args[outfileArg + 1]) : path.join(root, "dist", "extension.js");

/**
 * The lint core (with the TypeScript scanner, ~10 MB) goes into its own file next to the extension,
 * loaded by `core.ts` on the first lint: parsing it at activation would cost ~250 ms.
 */
const LINT_CORE_FILE = "lint-core.js";
const splitLintCorePlugin = {
  name: "split-lint-core",
  setup(build) {
    build.onResolve({ filter: /^\.\/core-entry(\.js)?$/ }, () => ({ path: `./${LINT_CORE_FILE}`, external: true }));
  },
};

const common = {
  absWorkingDir: root,
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  // esbuild is a runtime dependency of the loader (it compiles connectors when they run); it is not
  // bundled (it ships a native binary).
  external: ["vscode", "esbuild"],
  // In watch mode the plugin reports (for the task's problem matcher); a one-off build logs normally.
  logLevel: watch ? "silent" : "warning",
  // The shared renderer's vendor lookup reads import.meta only when __dirname is missing (ESM).
  logOverride: { "empty-import-meta": "silent" },
};
const reporters = watch ? [problemMatcherPlugin] : [];

const contexts = await Promise.all([
  context({
    ...common,
    entryPoints: [path.join(root, "extension", "src", "extension.ts")],
    outfile,
    // `import()` of the split-off core becomes a plain `require` (the extension host is CommonJS).
    supported: { "dynamic-import": false },
    plugins: [splitLintCorePlugin, ...reporters],
  }),
  context({
    ...common,
    entryPoints: [path.join(root, "extension", "src", "core-entry.ts")],
    outfile: path.join(path.dirname(outfile), LINT_CORE_FILE),
    plugins: reporters,
  }),
  // The runner child process (conformance runs, "Debug this failure") and the `lmcache-connector`
  // CLI (the F5 "Run against local cache" launch), bundled next to the extension. Neither is loaded
  // into the extension host; typescript (only the CLI's lint command needs it) stays a dependency.
  context({
    ...common,
    external: [...common.external, "typescript"],
    entryPoints: [path.join(root, "runtime", "src", "runner", "runner-main.ts")],
    outfile: path.join(path.dirname(outfile), "runner.js"),
    plugins: reporters,
  }),
  context({
    ...common,
    external: [...common.external, "typescript"],
    stdin: {
      contents: `import { main } from "./runtime/src/cli/main";
main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err) => { console.error(err && err.stack ? err.stack : String(err)); process.exitCode = 2; });`,
      resolveDir: root,
      sourcefile: "lmcache-connector-bin.ts",
      loader: "ts",
    },
    outfile: path.join(path.dirname(outfile), "lmcache-connector.js"),
    plugins: reporters,
  }),
]);

if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  const results = await Promise.all(contexts.map((c) => c.rebuild().catch(() => null)));
  await Promise.all(contexts.map((c) => c.dispose()));
  if (results.some((r) => !r || r.errors.length > 0)) process.exit(1);
}
