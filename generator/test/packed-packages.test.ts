/**
 * The npm packages as a user gets them (issue 11): `npm pack` of runtime/ and generator/, installed
 * from the tarballs into an empty folder with `npm ci --offline` (see ./offline-lock: every other
 * package comes from the npm cache the repository's install filled; no registry request), then
 * used from there — the `lmcache-connector` CLI, `require("lmcache-connector-runtime")`, and the
 * packed generator found and run the way `yo` finds it (yeoman-environment's lookup), whose
 * project passes `lmcache-connector check` with the packed runtime. Packs the already built
 * packages (`npm test`'s pretest builds them), so `--ignore-scripts`.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { offlineInstallFiles } from "./offline-lock.js";

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
const work = mkdtempSync(path.join(os.tmpdir(), "lmcache-packed-"));
const folder = path.join(work, "empty");
const env = { ...process.env, NO_COLOR: "1", NO_UPDATE_NOTIFIER: "1", npm_config_update_notifier: "false" };
const version = (dir: string): string => JSON.parse(readFileSync(path.join(repo, dir, "package.json"), "utf8")).version;

/** `npm pack --json` of a workspace into `work`; returns the tarball path and its file list. */
async function pack(dir: string): Promise<{ tarball: string; files: string[] }> {
  const { stdout } = await run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", work], { cwd: path.join(repo, dir), env, maxBuffer: 16 << 20 });
  const [info] = JSON.parse(stdout.slice(stdout.indexOf("["))) as { filename: string; files: { path: string }[] }[];
  return { tarball: path.join(work, info!.filename), files: info!.files.map((f) => f.path) };
}

let runtimeFiles: string[] = [];
let generatorFiles: string[] = [];

beforeAll(async () => {
  const [runtime, generator] = await Promise.all([pack("runtime"), pack("generator")]);
  runtimeFiles = runtime.files;
  generatorFiles = generator.files;
  mkdirSync(folder);
  const files = offlineInstallFiles(repo, folder, [
    { name: "lmcache-connector-runtime", workspace: "runtime", tarball: runtime.tarball },
    { name: "generator-lmcache-connector", workspace: "generator", tarball: generator.tarball },
  ]);
  writeFileSync(path.join(folder, "package.json"), files.packageJson);
  writeFileSync(path.join(folder, "package-lock.json"), files.packageLock);
  await run("npm", ["ci", "--offline", "--no-audit", "--no-fund", "--loglevel", "error"], { cwd: folder, env, maxBuffer: 16 << 20 });
}, 240_000);

describe("packed npm packages, installed offline into an empty folder", () => {
  it("ship what runs, and no tests or fixtures", () => {
    for (const f of ["package.json", "README.md", "LICENSE", "bin/lmcache-connector.js", "dist/cli.js", "dist/index.js", "dist/runner.js", "src/index.ts"]) expect(runtimeFiles, f).toContain(f);
    expect(runtimeFiles.some((f) => /^python\/.+\.py$/.test(f)), "python/**").toBe(true); // the Python lane's package ships too
    // the native shared mapping: its source, and the build for this platform (prepack builds it)
    for (const f of ["native/src/shm_map.c", `native/prebuilds/${process.platform}-${process.arch}/lmcache_kit_shm.node`]) expect(runtimeFiles, f).toContain(f);
    for (const f of ["package.json", "README.md", "LICENSE", "run-generator.mjs", "generators/app/index.js", "generators/connector/index.js", "dist/render/index.cjs", `vendor/lmcache-connector-runtime-${version("runtime")}.tgz`]) expect(generatorFiles, f).toContain(f);
    for (const f of [...runtimeFiles, ...generatorFiles]) expect(f).not.toMatch(/(^|\/)(tests?|fixtures|golden)\/|\.test\.ts$|__pycache__|\.pyc$/);
    const generatorPkg = JSON.parse(readFileSync(path.join(folder, "node_modules/generator-lmcache-connector/package.json"), "utf8"));
    expect(generatorPkg.private).toBeUndefined();
    for (const key of ["repository", "license", "engines", "keywords", "files"]) expect(generatorPkg[key], key).toBeDefined();
    expect(generatorPkg.keywords).toContain("yeoman-generator"); // how yo's lookup and the registry find generators
  });

  it("npx lmcache-connector --version and check memory:// work from the tarball", async () => {
    const v = await run("npx", ["--no-install", "lmcache-connector", "--version"], { cwd: folder, env });
    expect(v.stdout).toBe(`lmcache-connector-runtime ${version("runtime")}\n`);
    const check = await run("npx", ["--no-install", "lmcache-connector", "check", "memory://", "--seed", "1"], { cwd: folder, env });
    expect(check.stdout).toMatch(/^OK: \d+ passed, 0 failed/m);
  });

  it("require('lmcache-connector-runtime') gives the public API", async () => {
    const script = `const rt = require("lmcache-connector-runtime");
console.log(JSON.stringify({ base: typeof rt.RemoteConnector, create: typeof rt.createConnector, conformance: typeof rt.runConformance, from: require.resolve("lmcache-connector-runtime") }));`;
    const { stdout } = await run(process.execPath, ["-e", script], { cwd: folder, env });
    const api = JSON.parse(stdout);
    expect(api).toMatchObject({ base: "function", create: "function", conformance: "function" });
    expect(api.from).toBe(path.join(folder, "node_modules/lmcache-connector-runtime/dist/index.js"));
  });

  it("yo's lookup finds the packed generator; its project passes check with the packed runtime, and the sub-generator adds a class with --yes", async () => {
    // What `yo lmcache-connector` does: look generators up in node_modules, then run the namespace.
    // (yo itself refuses to run as root without dropping privileges; yo-cli.test.ts covers yo.)
    const script = `import { createEnv } from "yeoman-environment";
const env = createEnv();
const found = await env.lookup({ localOnly: true });
console.error("found " + found.map((g) => g.namespace).join(","));
await env.run(process.argv.slice(1));`;
    const gen = await run(process.execPath, ["--input-type=module", "-e", script, "lmcache-connector", "--name", "acme-store", "--template", "memory", "--yes", "--skip-install"], { cwd: folder, env, maxBuffer: 16 << 20 });
    expect(gen.stderr).toMatch(/found .*lmcache-connector:app/);
    const project = path.join(folder, "acme-store");
    const pkg = JSON.parse(readFileSync(path.join(project, "package.json"), "utf8"));
    expect(pkg.peerDependencies["lmcache-connector-runtime"]).toBe(`^${version("runtime")}`);
    const vendored = readdirSync(path.join(project, "vendor"));
    expect(vendored).toEqual([`lmcache-connector-runtime-${version("runtime")}.tgz`]);
    expect(readFileSync(path.join(project, "vendor", vendored[0]!)).equals(readFileSync(path.join(folder, "node_modules/generator-lmcache-connector/vendor", vendored[0]!)))).toBe(true);

    const url = "external://host:0/src.acme_store_connector/?connector_name=AcmeStoreConnector";
    const check = await run("npx", ["--no-install", "lmcache-connector", "check", url, "--cwd", project, "--seed", "1"], { cwd: folder, env });
    expect(check.stdout).toMatch(/^OK: \d+ passed, 0 failed/m);

    // The packed generator's own bin, inside the project, without a terminal (stdin closed).
    const bin = path.join(folder, "node_modules/.bin/lmcache-connector-generate");
    const sub = await run(bin, ["connector", "--class-name", "OtherStore", "--template", "fs", "--yes", "--skip-install"], { cwd: project, env });
    expect(sub.stdout + sub.stderr).toMatch(/OtherStore added/);
    const launch = JSON.parse(readFileSync(path.join(project, ".vscode/launch.json"), "utf8"));
    expect(launch.configurations.map((c: { name: string }) => c.name)).toContain("Run against local cache (OtherStore)");
  }, 120_000);
});
