/**
 * Installs the kit's extension as users get it: the .vsix that `npm run package` makes
 * (scripts/package-vsix.mjs), built once per test process, installed with code-server's own
 * `--install-extension` into each session's fresh extensions folder. Nothing of the repository
 * (its dist/, node_modules/ or sources) is reachable from the installed copy.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensureCodeServer } from "./code-server";
import { REPO_ROOT } from "./paths";

interface Manifest {
  name: string;
  publisher: string;
  version: string;
}

/** What scripts/package-vsix.mjs reports on its last line. */
export interface PackagedVsix {
  vsix: string;
  bytes: number;
  files: number;
}

/** The folder name VS Code gives an installed extension (`publisher.name-version`). */
export function extensionFolderName(manifest: Manifest = readManifest()): string {
  return `${manifest.publisher}.${manifest.name}-${manifest.version}`;
}

/** The root package.json (the extension's manifest). */
export function readManifest(): Manifest {
  return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as Manifest;
}

let packaged: PackagedVsix | undefined;

/**
 * Packages the extension once per process into a temporary folder (its own staging folder, so a
 * concurrent `npm run package` or the repository's dist/ are not touched). Needs `npm run build`
 * (the packed runtime in generator/vendor).
 */
export function packagedVsix(): PackagedVsix {
  if (packaged) return packaged;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lmcache-e2e-vsix-"));
  process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  const out = execFileSync(
    process.execPath,
    [path.join(REPO_ROOT, "scripts", "package-vsix.mjs"), "--out", path.join(dir, "kit.vsix"), "--stage", path.join(dir, "stage")],
    { cwd: REPO_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: 300_000 },
  );
  packaged = JSON.parse(out.trim().split("\n").pop()!) as PackagedVsix;
  return packaged;
}

/**
 * Installs the packaged .vsix into `extensionsDir` with `code-server --install-extension` and
 * returns the installed extension's folder.
 */
export function installExtension(extensionsDir: string, userDataDir: string): string {
  const { vsix } = packagedVsix();
  execFileSync(process.execPath, [ensureCodeServer(), "--extensions-dir", extensionsDir, "--user-data-dir", userDataDir, "--install-extension", vsix], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 120_000,
    env: { ...process.env, NODE_OPTIONS: "", NODE_PATH: "" },
  });
  const folder = path.join(extensionsDir, extensionFolderName());
  if (!fs.existsSync(path.join(folder, "package.json"))) {
    throw new Error(`--install-extension did not create ${folder} (found: ${fs.readdirSync(extensionsDir).join(", ")})`);
  }
  return folder;
}
