/**
 * One more class in a generated Python project, as an author adds it: `yo lmcache-connector:connector`
 * (here run-generator.mjs) inside a memory project adds an fs class — a Python module in the
 * project's package, its own conformance test and LMCache config, `aiofiles` in pyproject's
 * dependencies — and the project's own `/usr/bin/python3 -m pytest` then runs both classes' suites,
 * every case passing.
 */
import { readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { generate, install, pytest, run, workDir } from "./python-projects.js";

const work = workDir();
afterAll(() => rmSync(work, { recursive: true, force: true }));
const RUN_GENERATOR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../run-generator.mjs");

describe("adding a connector class to a Python project", () => {
  it("writes a Python class that LMCache can load, and both classes pass the project's own pytest", async () => {
    const project = await generate(work, "memory");
    const added = await run(process.execPath, [RUN_GENERATOR, "connector", "--class-name", "ColdStore", "--template", "fs", "--capabilities", "batched,ping", "--yes", "--skip-install"], { cwd: project });
    expect(added.stdout + added.stderr).toContain("ColdStore added. Run `pip install -e .` if pyproject.toml changed, then `python3 -m pytest`.");
    expect(readFileSync(path.join(project, "src", "e2e_py_memory", "cold_store.py"), "utf8")).toContain("class ColdStore(RemoteConnector):");
    expect(readFileSync(path.join(project, "pyproject.toml"), "utf8")).toContain('dependencies = ["aiofiles"]');

    await install(project);
    const result = await pytest(project);
    const bad = result.cases.filter((c) => c.outcome === "failed" || c.outcome === "error");
    expect(bad.map((c) => `${c.name}: ${c.text.slice(0, 1500)}`), result.output.slice(-3000)).toEqual([]);
    expect(result.code, result.output.slice(-3000)).toBe(0);
    // both suites ran in full: one item per case for each class
    const passed = result.cases.filter((c) => c.outcome === "passed");
    expect(passed.length).toBeGreaterThanOrEqual(60);
    for (const id of ["lifecycle.construct", "roundtrip.full-chunk", "batched.get-order"]) {
      expect(passed.filter((c) => c.name === `test_conformance[${id}]`).length, id).toBe(2);
    }
  }, 300_000);
});
