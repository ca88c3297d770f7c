/**
 * Installs the kit's extension into a fresh extensions folder the way VS Code finds installed
 * extensions: a `publisher.name-version/` folder holding the manifest. The manifest is copied (a
 * snapshot of what is being tested); everything else it may reference (`dist/`, `docs/`, media,
 * `node_modules/` for the bundle's externals) is symlinked to the repository.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "./paths";

interface Manifest {
  name: string;
  publisher: string;
  version: string;
  main?: string;
}

/**
 * Root entries not linked: the manifest (copied) and outputs. Everything else is linked, since the
 * extension may read templates or the runner from anywhere in the repository.
 */
const NOT_EXTENSION = new Set(["package.json", "test-results"]);

/** The folder name VS Code gives an installed extension (`publisher.name-version`). */
export function extensionFolderName(manifest: Manifest = readManifest()): string {
  return `${manifest.publisher}.${manifest.name}-${manifest.version}`;
}

/** The root package.json (the extension's manifest). */
export function readManifest(): Manifest {
  return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as Manifest;
}

/**
 * Places the extension into `extensionsDir` and returns its folder. Fails when the bundle named by
 * `main` has not been built (`npm run build`).
 */
export function installExtension(extensionsDir: string): string {
  const manifest = readManifest();
  const main = path.join(REPO_ROOT, manifest.main ?? "dist/extension.js");
  if (!fs.existsSync(main)) throw new Error(`extension bundle ${main} is missing: run \`npm run build\` first`);
  const folder = path.join(extensionsDir, extensionFolderName(manifest));
  fs.mkdirSync(folder, { recursive: true });
  fs.copyFileSync(path.join(REPO_ROOT, "package.json"), path.join(folder, "package.json"));
  for (const entry of fs.readdirSync(REPO_ROOT)) {
    if (entry.startsWith(".") || NOT_EXTENSION.has(entry)) continue;
    fs.symlinkSync(path.join(REPO_ROOT, entry), path.join(folder, entry));
  }
  return folder;
}
