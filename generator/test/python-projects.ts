/**
 * Shared by the Python e2e tests: generate a Python project with the yeoman generator, install
 * the kit's CLI offline, run the project's own `/usr/bin/python3 -m pytest` in an author's
 * environment and read its JUnit report.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect } from "vitest";

export const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const RUN_GENERATOR = path.resolve(here, "../run-generator.mjs");
export const PYTHON = "/usr/bin/python3";

/** The environment of an author's shell: nothing that points the tests at the kit or a server. */
export function authorEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: "true", NO_COLOR: "1" };
  for (const key of Object.keys(env)) if (/^(LMCACHE_|REDIS_URL$|PYTHONPATH$|PYTEST_)/.test(key)) delete env[key];
  // npx/vitest put the repository's node_modules/.bin (with the workspace's lmcache-connector) first.
  env.PATH = (env.PATH ?? "").split(path.delimiter).filter((dir) => !dir.includes("node_modules")).join(path.delimiter);
  return env;
}

export interface JUnitCase {
  name: string;
  outcome: "passed" | "failed" | "error" | "skipped";
  text: string;
}

/** The test cases of a pytest JUnit XML report (pytest writes one <testcase> per item). */
export function junitCases(xml: string): JUnitCase[] {
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
export async function pytest(project: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; output: string; cases: JUnitCase[] }> {
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
export function processesIn(dir: string): string[] {
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

/** Generates one project with the yeoman generator. */
export async function generate(work: string, template: string, loading: "external" | "plugin" = "external"): Promise<string> {
  const name = `e2e-py-${template}`;
  await run(process.execPath, [RUN_GENERATOR, "--language", "python", "--name", name, "--template", template, "--capabilities", "batched,ping,removeSync", "--loading", loading, "--yes", "--skip-install"], { cwd: work });
  return path.join(work, name);
}

/** `npm install --offline` in a generated project: the kit's CLI from its vendor/ tarball. */
export async function install(project: string): Promise<string> {
  await run("npm", ["install", "--offline", "--no-audit", "--no-fund"], { cwd: project, env: authorEnv(), maxBuffer: 16 << 20 }).catch((error: { stderr?: string; message: string }) => {
    throw new Error(`npm install --offline failed in ${project}:\n${error.stderr ?? error.message}`);
  });
  return project;
}

/** The checks every template's run (all capabilities declared) must pass. */
export function expectAllCasesPassed(result: Awaited<ReturnType<typeof pytest>>, template: string): void {
  const bad = result.cases.filter((c) => c.outcome === "failed" || c.outcome === "error");
  expect(bad.map((c) => `${c.name}: ${c.outcome}\n${c.text.slice(0, 2000)}`), `${template}:\n${result.output.slice(-4000)}`).toEqual([]);
  // Every capability is declared, so no case may be skipped for a missing one; the engine's other
  // skips (e.g. an in-process store has nothing that persists across instances) keep their reason.
  for (const skipped of result.cases.filter((c) => c.outcome === "skipped")) {
    expect(skipped.text, skipped.name).not.toMatch(/returned false/);
    expect(skipped.text.trim().length, skipped.name).toBeGreaterThan(0);
  }
  expect(result.cases.filter((c) => c.outcome === "passed").length).toBeGreaterThanOrEqual(30);
  expect(result.code, result.output.slice(-4000)).toBe(0);
  // One item per conformance case, named by its id: the kit's suite really ran, all of it.
  expect(result.cases.length).toBeGreaterThanOrEqual(30);
  const ids = result.cases.map((c) => /^test_conformance\[(.+)\]$/.exec(c.name)?.[1]);
  expect(ids.every(Boolean), result.cases.map((c) => c.name).join(", ")).toBe(true);
  for (const id of ["lifecycle.construct", "roundtrip.full-chunk", "refs.no-leak-on-miss", "batched.get-order", "ping.healthy"]) expect(ids).toContain(id);
}

/** A temporary folder for generated projects. */
export function workDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), "lmcache-gen-py-e2e-"));
}
