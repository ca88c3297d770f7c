/**
 * How a generated Python project's pytest reports a broken connector (deliberately broken copies
 * of the generated memory connector; the kit's CLI from LMCACHE_CONNECTOR_CLI): a put that keeps
 * a view of LMCache's buffer fails exactly the case that catches it, explained, with the .py
 * location; a constructor LMCache cannot call is ONE failing `load` item carrying
 * LMCache's TypeError (and no password of the settings it shows); `os._exit` inside `get` fails the case in flight with the bridge's exit,
 * and the cases around it still pass; Ctrl-C in pytest ends the CLI and its bridge too. They run
 * concurrently.
 */
import { spawn } from "node:child_process";
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PYTHON, authorEnv, generate, processesIn, pytest, workDir } from "./python-projects.js";

const CLI = { LMCACHE_CONNECTOR_CLI: path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../runtime/bin/lmcache-connector.js") };
const MODULE = "src/e2e_py_memory/e2e_py_memory_connector.py";
const work = workDir();
let generated: Promise<string>;
beforeAll(() => {
  generated = generate(work, "memory");
  generated.catch(() => undefined); // reported by the tests
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A copy of the generated project with `edit` applied to its connector module. */
async function brokenCopy(name: string, edit: (source: string) => string): Promise<string> {
  const copy = path.join(work, name);
  cpSync(await generated, copy, { recursive: true });
  const file = path.join(copy, MODULE);
  const source = readFileSync(file, "utf8");
  const edited = edit(source);
  expect(edited).not.toBe(source);
  writeFileSync(file, edited);
  return copy;
}

describe.concurrent("a broken Python connector in a generated project", () => {
  it("whose put keeps a view of LMCache's buffer fails exactly the case that catches it, explained, at the .py", async () => {
    const keep = "            bytes(memory_obj.byte_array),\n";
    // Keeps a view of LMCache's buffer instead of copying it: the buffer is reused after put.
    const project = await brokenCopy("keeps-view", (s) => s.replace(keep, "            memory_obj.byte_array,\n"));
    const source = path.join(project, MODULE);
    const broken = await pytest(project, { ...CLI, LMCACHE_CONNECTOR_CASES: "lifecycle.*,ownership.*" });
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
  }, 120_000);

  it("that LMCache cannot construct is one failing load item with LMCache's TypeError", async () => {
    const project = await brokenCopy("wrong-init", (s) => s.replace("def __init__(self, loop, local_cpu_backend, config):", "def __init__(self, config, metadata):"));
    // A setting with a password, which the failure (it shows the command) must not print.
    const test = path.join(project, "tests/test_conformance.py");
    const withSecret = readFileSync(test, "utf8").replace("    config=CONFIG,\n", '    config=CONFIG,\n    extra={"remote_storage_plugin.x.url": "redis://:s3cret-pw@127.0.0.1:1"},\n');
    expect(withSecret).toContain("s3cret-pw");
    writeFileSync(test, withSecret);
    const result = await pytest(project, CLI);
    expect(result.code).toBe(1);
    expect(result.cases.map((c) => [c.name, c.outcome])).toEqual([["test_conformance[load]", "failed"]]);
    expect(result.cases[0]!.text).toContain("E2ePyMemoryConnector.__init__() got an unexpected keyword argument 'loop'");
    expect(result.cases[0]!.text).toMatch(/could not be loaded/);
    expect(result.cases[0]!.text).toContain("redis://:***@127.0.0.1:1");
    expect(result.output + result.cases[0]!.text).not.toContain("s3cret-pw");
  }, 120_000);

  it("stops with pytest: Ctrl-C during the run leaves no CLI or bridge process behind", async () => {
    const project = await brokenCopy("interrupted", (s) => s.replace("    async def get(self, key: CacheEngineKey) -> Optional[MemoryObj]:\n", "    async def get(self, key: CacheEngineKey) -> Optional[MemoryObj]:\n        await asyncio.sleep(3600)\n").replace("# Standard\n", "# Standard\nimport asyncio\n"));
    const child = spawn(PYTHON, ["-m", "pytest", "-q", "-p", "no:cacheprovider"], { cwd: project, env: { ...authorEnv(), ...CLI }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    // Wait until the suite is running: the CLI and its Python bridge are up (their cwd is the project).
    const deadline = Date.now() + 60_000;
    while (!processesIn(project).some((p) => p.includes("lmcache_connector_kit") || p.includes("bridge"))) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the suite never started:\n${output}\n${processesIn(project).join("\n")}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGINT");
    expect(await exited, output).not.toBe(0);
    // The CLI ends its runner and bridge (their own process groups) when it is told to stop.
    for (let i = 0; i < 20 && processesIn(project).length > 0; i++) await new Promise((r) => setTimeout(r, 250));
    expect(processesIn(project)).toEqual([]);
  }, 120_000);

  it("that exits inside get fails the case in flight, naming the exit; the others pass", async () => {
    const project = await brokenCopy("exits-in-get", (s) => s.replace("    async def get(self, key: CacheEngineKey) -> Optional[MemoryObj]:\n", "    async def get(self, key: CacheEngineKey) -> Optional[MemoryObj]:\n        import os\n        os._exit(3)\n"));
    const result = await pytest(project, { ...CLI, LMCACHE_CONNECTOR_CASES: "lifecycle.construct,roundtrip.4kib" });
    expect(result.code).toBe(1);
    const outcomes = Object.fromEntries(result.cases.map((c) => [c.name, c.outcome]));
    expect(outcomes).toEqual({ "test_conformance[lifecycle.construct]": "passed", "test_conformance[roundtrip.4kib]": "failed" });
    expect(result.cases.find((c) => c.outcome === "failed")!.text).toMatch(/exited with code 3 while get\(\) was in flight/);
  }, 120_000);
});
