// Runs the Mocha suite in ./suite inside an INSTALLED desktop VS Code through @vscode/test-electron
// 2.5. The binary comes from LMCACHE_VSCODE_EXECUTABLE; without it the suite is skipped with one
// plain line. It never downloads VS Code: runTests downloads only when no vscodeExecutablePath is given.
import { build } from "esbuild";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..", "..");
const executable = process.env.LMCACHE_VSCODE_EXECUTABLE;

if (!executable) {
  console.log("skipped: no VS Code binary");
  process.exit(0);
}
if (!fs.existsSync(executable)) {
  console.error(`LMCACHE_VSCODE_EXECUTABLE=${executable} does not exist (this suite never downloads VS Code)`);
  process.exit(1);
}

const { runTests } = await import("@vscode/test-electron");
const outDir = path.join(repo, ".cache", "vscode-electron");
await build({
  entryPoints: [path.join(here, "suite", "index.ts")],
  outfile: path.join(outDir, "suite.js"),
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  sourcemap: true,
  external: ["vscode", "mocha", "esbuild"],
  logLevel: "warning",
});
// mocha is resolved from the repository's node_modules.
fs.writeFileSync(path.join(outDir, "index.js"), `module.paths.push(${JSON.stringify(path.join(repo, "node_modules"))});\nmodule.exports = require("./suite.js");\n`);

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), "lmcache-electron-ws-"));
try {
  await runTests({
    vscodeExecutablePath: executable,
    extensionDevelopmentPath: repo,
    extensionTestsPath: path.join(outDir, "index.js"),
    launchArgs: [workspace, "--disable-extensions"],
    extensionTestsEnv: { LMCACHE_ELECTRON_WORKSPACE: workspace, LMCACHE_REPO_ROOT: repo },
  });
} catch (error) {
  console.error(`VS Code test run failed: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
} finally {
  fs.rmSync(workspace, { recursive: true, force: true });
}
