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
    build.onResolve({ filter: /runtime\/src\/lint\/index(\.js)?$/ }, () => ({ path: `./${LINT_CORE_FILE}`, external: true }));
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
    entryPoints: [path.join(root, "runtime", "src", "lint", "index.ts")],
    outfile: path.join(path.dirname(outfile), LINT_CORE_FILE),
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
