/**
 * The literal command a connector author types: `yo lmcache-connector --name x --template memory
 * --yes`, with the real `yo` (7.0.1, installed into a temporary prefix — as a devDependency of the
 * repository its `yodoctor` postinstall broke the root install), then the generated project's
 * `npm install --prefer-offline` and `npm test`. yo finds the generator the way it does on an
 * author's machine: `node_modules/generator-lmcache-connector` in the working folder's ancestry (a
 * symlink to this package, as `npm link` makes).
 *
 * As root, yo drops its privileges (root-check) to an unprivileged user, so the working folder is
 * world-writable and HOME is a world-writable temporary folder; NO_UPDATE_NOTIFIER keeps yo off
 * the network. One slow test.
 */
import { execFile } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, expect, it } from "vitest";
import { RUNTIME_TARBALL_PATH, renderProject, vendoredRuntimeTarball } from "../src/render/index.js";
import { readTree } from "./helpers.js";

const run = promisify(execFile);
const GENERATOR_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const YO_VERSION = "7.0.1";
const asRoot = process.getuid?.() === 0;

const temps: string[] = [];
function tempDir(prefix: string, mode?: number): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(dir);
  if (mode !== undefined) chmodSync(dir, mode);
  return dir;
}
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

async function step(what: string, file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<string> {
  try {
    const { stdout, stderr } = await run(file, args, { ...options, maxBuffer: 32 << 20, timeout: 240_000 });
    return stdout + stderr;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${what} failed:\n${e.stdout ?? ""}\n${e.stderr ?? e.message}`);
  }
}

it(`yo@${YO_VERSION} lmcache-connector --name x --template memory --yes, then npm install and npm test`, async () => {
  // yo itself, outside the repository (readable by yo's unprivileged user when we are root).
  const prefix = tempDir("lmcache-yo-prefix-", 0o755);
  await step("installing yo", "npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", `yo@${YO_VERSION}`], { cwd: prefix });
  const yo = path.join(prefix, "node_modules", ".bin", "yo");

  // The working folder, with the generator where yo looks for it.
  const work = tempDir("lmcache-yo-work-", asRoot ? 0o777 : undefined);
  mkdirSync(path.join(work, "node_modules"));
  symlinkSync(GENERATOR_ROOT, path.join(work, "node_modules", "generator-lmcache-connector"), "dir");
  const home = asRoot ? tempDir("lmcache-yo-home-", 0o777) : os.homedir();

  const yoOutput = await step("yo lmcache-connector", yo, ["lmcache-connector", "--name", "x", "--template", "memory", "--yes", "--skip-install"], {
    cwd: work,
    env: { ...process.env, HOME: home, NO_UPDATE_NOTIFIER: "1", CI: "true", NO_COLOR: "1" },
  });

  // Exactly what the shared renderer gives for the same answers, plus the packed runtime.
  const project = path.join(work, "x");
  const tree = readTree(project);
  expect(tree.get(RUNTIME_TARBALL_PATH)?.equals(Buffer.from(vendoredRuntimeTarball())), `yo wrote no runtime tarball:\n${yoOutput}`).toBe(true);
  tree.delete(RUNTIME_TARBALL_PATH);
  const expected = renderProject({ name: "x", template: "memory" });
  expect([...tree.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [rel, text] of expected) expect(tree.get(rel)!.toString("utf8"), rel).toBe(text);

  await step("npm install in the generated project", "npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: project });
  const testOutput = await step("npm test in the generated project", "npm", ["test"], { cwd: project, env: { ...process.env, CI: "true", NO_COLOR: "1" } });
  expect(testOutput).toMatch(/Tests\s+1 passed/);
}, 600_000);
