/**
 * Where the runtime pieces the extension starts live. The installed extension (the .vsix) carries
 * its own runner and CLI (`dist/runner.js`, `dist/lmcache-connector.js`, built by
 * extension/build.mjs) with everything they load beside them (`dist/typescript.js`,
 * `dist/esbuild-wasm/`), so nothing is looked up in a node_modules; when run from the repository
 * they also exist as `runtime/dist/*`.
 *
 * F5 ("Run against local cache") prefers the workspace's own runtime
 * (`node_modules/lmcache-connector-runtime/bin/lmcache-connector.js`, the version the project pins
 * and that its plain `node` launch configurations use) and falls back to the bundled CLI.
 * Conformance runs always use the bundled runner: its NDJSON protocol is the one this extension
 * speaks.
 */
import { existsSync } from "node:fs";
import * as path from "node:path";
import { defaultCompileCacheDir } from "../../runtime/src/loader/cache-dir";

/** The runtime's npm package name. */
export const RUNTIME_PACKAGE = "lmcache-connector-runtime";

function firstExisting(candidates: string[]): string {
  return candidates.find((p) => existsSync(p)) ?? candidates[0]!;
}

/** The bundled runner script (`runner.js`). */
export function bundledRunnerPath(extensionPath: string): string {
  return firstExisting([path.join(extensionPath, "dist", "runner.js"), path.join(extensionPath, "runtime", "dist", "runner.js")]);
}

/** The bundled `lmcache-connector` CLI. */
export function bundledCliPath(extensionPath: string): string {
  return firstExisting([path.join(extensionPath, "dist", "lmcache-connector.js"), path.join(extensionPath, "runtime", "bin", "lmcache-connector.js")]);
}

/** The workspace's own runtime CLI, if the project installed the runtime. */
export function workspaceCliPath(folder: string): string | undefined {
  const bin = path.join(folder, "node_modules", RUNTIME_PACKAGE, "bin", "lmcache-connector.js");
  return existsSync(bin) ? bin : undefined;
}

/**
 * The loader's compile cache (`runtime/src/loader/cache-dir.ts`, per user and private): user
 * connectors run from here, compiled with inline source maps, so the debugger must be allowed to
 * read maps in it. The runner and the CLI inherit the extension host's environment, so they
 * resolve the same folder.
 */
export function compileCacheDir(): string {
  return defaultCompileCacheDir();
}
