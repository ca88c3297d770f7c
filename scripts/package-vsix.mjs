// Packages the VS Code extension as a .vsix with @vscode/vsce (`npm run package` builds the runtime
// and the generator first; this script needs their outputs: generator/vendor/*.tgz).
//
// The package is assembled in a staging folder rather than from the repository root:
//   - the extension is built there with `--production` (minified, no source maps), so the
//     repository's own dist/ (which tests and the CLI use) is never rewritten under them;
//   - the stage holds only what the extension loads at run time, and no node_modules, so vsce sees
//     no workspace symlinks and no test fixtures (.vscodeignore is copied too, as the allowlist);
//   - the staged manifest has no scripts: the build is done (`vscode:prepublish` in the root
//     manifest does the same build for anyone running `vsce package` at the root).
// README links are relative; vsce rewrites them against the manifest's `repository`.
//
//   node scripts/package-vsix.mjs [--out FILE.vsix] [--stage DIR]
// Prints a summary, and as its last line a JSON object { vsix, bytes, files }.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? path.resolve(args[i + 1]) : undefined;
};
const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const out = option("--out") ?? path.join(root, `${manifest.name}-${manifest.version}.vsix`);
const stage = option("--stage") ?? path.join(root, ".cache", "vsix-stage");

/** Files and folders copied as they are (relative to the root); missing optional ones are skipped. */
const COPIED = ["README.md", "CHANGELOG.md", "LICENSE", ".vscodeignore", "media/icon.png", "media/walkthrough", "docs/diagnostics.md"];
/**
 * The Python lane's bridge and the kit's `lmcache` package (without their tests), staged as
 * `python/`: the runtime's kitPythonDir() looks for a `python/` folder above the bundle.
 */
const PYTHON = { from: "runtime/python", to: "python" };
const NOT_SHIPPED_PYTHON = /(^|\/)(tests|__pycache__|\.pytest_cache)(\/|$)|\.pyc$|(^|\/)\.gitignore$/;

/**
 * The native shared mapping built for this machine's platform (the Python bridge's zero-copy path),
 * staged as `native/prebuilds/<platform>-<arch>/`, where the runtime's nativeAddonPath() looks;
 * on any other platform the extension falls back to copying payloads.
 */
const NATIVE = { from: "runtime/native/prebuilds", to: "native/prebuilds" };

function fail(message) {
  console.error(`package-vsix: ${message}`);
  process.exit(1);
}

rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });

// 1. The bundles: extension, lint core, runner, CLI, typescript.js, esbuild-wasm/.
execFileSync(process.execPath, [path.join(root, "extension", "build.mjs"), "--production", "--outfile", path.join(stage, "dist", "extension.js")], { cwd: root, stdio: "inherit" });

// 2. Static files.
for (const rel of COPIED) {
  if (!existsSync(path.join(root, rel))) fail(`${rel} is missing`);
  cpSync(path.join(root, rel), path.join(stage, rel), { recursive: true });
}
const pythonDir = path.join(root, PYTHON.from);
if (existsSync(pythonDir)) {
  cpSync(pythonDir, path.join(stage, PYTHON.to), { recursive: true, filter: (src) => !NOT_SHIPPED_PYTHON.test(path.relative(pythonDir, src)) });
}

const nativeDir = path.join(root, NATIVE.from);
if (existsSync(nativeDir)) cpSync(nativeDir, path.join(stage, NATIVE.to), { recursive: true });

// 3. The packed runtime that "New Connector Project…" writes into new projects (scaffold.ts looks
// for it in <extension>/generator/vendor, as in the repository).
const vendor = path.join(root, "generator", "vendor");
const tarballs = existsSync(vendor) ? readdirSync(vendor).filter((f) => f.endsWith(".tgz")) : [];
if (tarballs.length !== 1) fail(`expected one packed runtime in generator/vendor, found ${tarballs.length}: run \`npm run build\` first`);
mkdirSync(path.join(stage, "generator", "vendor"), { recursive: true });
cpSync(path.join(vendor, tarballs[0]), path.join(stage, "generator", "vendor", tarballs[0]));

// 4. The manifest, without what only the repository uses.
const staged = { ...manifest };
for (const key of ["scripts", "devDependencies", "dependencies", "workspaces", "private"]) delete staged[key];
writeFileSync(path.join(stage, "package.json"), JSON.stringify(staged, null, 2) + "\n");

// 5. vsce.
mkdirSync(path.dirname(out), { recursive: true });
rmSync(out, { force: true });
const vsce = path.join(root, "node_modules", "@vscode", "vsce", "vsce");
try {
  // vsce prints every file it packs; only its errors are worth showing.
  execFileSync(process.execPath, [vsce, "package", "--no-dependencies", "--out", out], { cwd: stage, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
} catch (err) {
  fail(`vsce package failed:\n${err.stdout ?? ""}${err.stderr ?? ""}`);
}
if (!existsSync(out)) fail(`vsce wrote no ${out}`);

const listing = execFileSync(process.execPath, [vsce, "ls", "--no-dependencies"], { cwd: stage, encoding: "utf8" }).trim().split("\n").filter(Boolean);
const bytes = statSync(out).size;
console.log(`${path.relative(process.cwd(), out)}: ${(bytes / 1024 / 1024).toFixed(2)} MB, ${listing.length} files`);
console.log(JSON.stringify({ vsix: out, bytes, files: listing.length }));
