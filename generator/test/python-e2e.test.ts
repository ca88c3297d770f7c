/**
 * Generated Python projects pass their own tests, offline, as an author runs them: generate with
 * the yeoman generator (`--language python`, every capability), `npm install --offline` in the
 * memory project (the kit's CLI from its vendored runtime tarball; nothing else on PATH or in the
 * environment points at the kit; the fs and redis projects use that CLI through
 * LMCACHE_CONNECTOR_CLI), then `/usr/bin/python3 -m pytest` (Debian's python3-pytest, -torch,
 * -aiofiles, -redis). The JUnit report must hold one passed item per conformance case and
 * none failed or skipped. The redis project starts its own redis-server on loopback and must stop
 * it. A deliberately broken connector (put keeps a view of LMCache's buffer) must fail exactly the
 * case that catches it, with the explanation and the .py location in the failure.
 * The three templates run concurrently.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const RUN_GENERATOR = path.resolve(here, "../run-generator.mjs");
const PYTHON = "/usr/bin/python3";
const work = mkdtempSync(path.join(os.tmpdir(), "lmcache-gen-py-e2e-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The environment of an author's shell: nothing that points the tests at the kit or a server. */
function authorEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: "true", NO_COLOR: "1" };
  for (const key of Object.keys(env)) if (/^(LMCACHE_|REDIS_URL$|PYTHONPATH$|PYTEST_)/.test(key)) delete env[key];
  // npx/vitest put the repository's node_modules/.bin (with the workspace's lmcache-connector) first.
  env.PATH = (env.PATH ?? "").split(path.delimiter).filter((dir) => !dir.includes("node_modules")).join(path.delimiter);
  return env;
}

interface JUnitCase {
  name: string;
  outcome: "passed" | "failed" | "error" | "skipped";
  text: string;
}

/** The test cases of a pytest JUnit XML report (pytest writes one <testcase> per item). */
function junitCases(xml: string): JUnitCase[] {
  const cases: JUnitCase[] = [];
  for (const m of xml.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const name = /\bname="([^"]*)"/.exec(m[1]!)?.[1] ?? "";
    const body = m[3] ?? "";
    const outcome = /<failure\b/.test(body) ? "failed" : /<error\b/.test(body) ? "error" : /<skipped\b/.test(body) ? "skipped" : "passed";
    const text = body.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#10;/g, "\n").replace(/&amp;/g, "&");
    cases.push({ name, outcome, text });
  }
  return cases;
}

/** Runs the project's own test command; resolves with its exit code and JUnit cases. */
async function pytest(project: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; output: string; cases: JUnitCase[] }> {
  const report = path.join(project, "report.xml");
  rmSync(report, { force: true });
  let code = 0;
  let output = "";
  try {
    const { stdout, stderr } = await run(PYTHON, ["-m", "pytest", "-q", "-p", "no:cacheprovider", `--junitxml=${report}`], { cwd: project, env: { ...authorEnv(), ...env }, maxBuffer: 32 << 20, timeout: 180_000 });
    output = stdout + stderr;
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    code = typeof e.code === "number" ? e.code : -1;
    output = `${e.stdout ?? ""}${e.stderr ?? ""}`;
  }
  let xml = "";
  try {
    xml = readFileSync(report, "utf8");
    rmSync(report, { force: true });
  } catch {
    throw new Error(`pytest wrote no JUnit report (exit ${code}):\n${output}`);
  }
  return { code, output, cases: junitCases(xml) };
}

/** Processes whose working directory is inside `dir` (what a leaked redis-server would be). */
function processesIn(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      if (cwd === dir || cwd.startsWith(dir + path.sep)) found.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ")}`);
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

const TEMPLATES = ["memory", "fs", "redis"] as const;
const projects = new Map<string, Promise<string>>();

/** Generates one project with the yeoman generator. */
async function generate(template: string): Promise<string> {
  const name = `e2e-py-${template}`;
  await run(process.execPath, [RUN_GENERATOR, "--language", "python", "--name", name, "--template", template, "--capabilities", "batched,ping,removeSync", "--yes", "--skip-install"], { cwd: work });
  return path.join(work, name);
}

/** `npm install --offline` in a generated project: the kit's CLI from its vendor/ tarball. */
async function install(project: string): Promise<string> {
  await run("npm", ["install", "--offline", "--no-audit", "--no-fund"], { cwd: project, env: authorEnv(), maxBuffer: 16 << 20 }).catch((error: { stderr?: string; message: string }) => {
    throw new Error(`npm install --offline failed in ${project}:\n${error.stderr ?? error.message}`);
  });
  return project;
}

beforeAll(() => {
  // Only the memory project installs (what an author does); the others find the CLI through
  // LMCACHE_CONNECTOR_CLI, the other way conftest.py looks, which keeps this file fast.
  for (const template of TEMPLATES) {
    const started = template === "memory" ? generate(template).then(install) : generate(template);
    started.catch(() => undefined); // reported by the test that awaits it
    projects.set(template, started);
  }
});

/** The CLI the memory project installed, for the projects that did not install one. */
async function installedCli(): Promise<string> {
  return path.join(await projects.get("memory")!, "node_modules/.bin/lmcache-connector");
}

/** The checks every template's run must pass. */
function expectAllCasesPassed(result: Awaited<ReturnType<typeof pytest>>, template: string): void {
  const notPassed = result.cases.filter((c) => c.outcome !== "passed");
  expect(notPassed.map((c) => `${c.name}: ${c.outcome}\n${c.text.slice(0, 2000)}`), `${template}:\n${result.output.slice(-4000)}`).toEqual([]);
  expect(result.code, result.output.slice(-4000)).toBe(0);
  // One item per conformance case, named by its id: the kit's suite really ran, all of it.
  expect(result.cases.length).toBeGreaterThanOrEqual(30);
  const ids = result.cases.map((c) => /^test_conformance\[(.+)\]$/.exec(c.name)?.[1]);
  expect(ids.every(Boolean), result.cases.map((c) => c.name).join(", ")).toBe(true);
  for (const id of ["lifecycle.construct", "roundtrip.full-chunk", "refs.no-leak-on-miss", "batched.get-order", "ping.healthy"]) expect(ids).toContain(id);
}

describe.concurrent("generated Python projects pass their own python3 -m pytest (offline)", () => {
  it("memory; and a broken put fails exactly its case, explained, pointing at the .py", async () => {
    const project = await projects.get("memory")!;
    expectAllCasesPassed(await pytest(project), "memory");

    const source = path.join(project, "src/e2e_py_memory/e2e_py_memory_connector.py");
    const good = readFileSync(source, "utf8");
    const keep = "            bytes(memory_obj.byte_array),\n";
    expect(good).toContain(keep);
    // Keeps a view of LMCache's buffer instead of copying it: the buffer is reused after put.
    writeFileSync(source, good.replace(keep, "            memory_obj.byte_array,\n"));
    const broken = await pytest(project, { LMCACHE_CONNECTOR_CASES: "lifecycle.*,ownership.*" });
    expect(broken.code).toBe(1);
    const failed = broken.cases.filter((c) => c.outcome === "failed");
    expect(failed.map((c) => c.name)).toContain("test_conformance[ownership.put-buffer-not-kept]");
    const caught = failed.find((c) => c.name === "test_conformance[ownership.put-buffer-not-kept]")!;
    expect(caught.text).toMatch(/put\(\) copies the bytes/);
    expect(caught.text).toContain(`at ${source}:`);
    expect(caught.text).toMatch(/operations \(\d+/);
    // Only the cases asked for ran (LMCACHE_CONNECTOR_CASES), and those that do not touch put's copy still pass.
    expect(broken.cases.every((c) => /^test_conformance\[(lifecycle|ownership)\./.test(c.name)), broken.cases.map((c) => c.name).join(", ")).toBe(true);
    expect(broken.cases.find((c) => c.name === "test_conformance[lifecycle.construct]")?.outcome).toBe("passed");
  }, 240_000);

  it("fs (CLI from LMCACHE_CONNECTOR_CLI); without any CLI, pytest stops with how to install one", async () => {
    const project = await projects.get("fs")!;
    const missing = await run(PYTHON, ["-m", "pytest", "-q", "-p", "no:cacheprovider"], { cwd: project, env: authorEnv() }).then(
      () => ({ code: 0, output: "" }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code, output: `${e.stdout ?? ""}${e.stderr ?? ""}` }),
    );
    expect(missing.code).toBe(4); // pytest's usage error: nothing ran
    expect(missing.output).toMatch(/CLI was not found[\s\S]*npm install --offline/);
    expectAllCasesPassed(await pytest(project, { LMCACHE_CONNECTOR_CLI: await installedCli() }), "fs");
  }, 240_000);

  it("redis, against the redis-server its test starts on loopback and stops", async () => {
    const project = await projects.get("redis")!;
    expect(processesIn(project)).toEqual([]);
    expectAllCasesPassed(await pytest(project, { LMCACHE_CONNECTOR_CLI: await installedCli() }), "redis");
    expect(processesIn(project)).toEqual([]); // the redis-server the test started is gone
  }, 240_000);
});
