/**
 * A generated Python project passes its own tests offline, as an author runs them: generate with
 * the yeoman generator (`--language python --template memory`, every capability), `npm install
 * --offline` (the kit's CLI from the project's vendored runtime tarball; nothing else on PATH or
 * in the environment points at the kit: tests/conftest.py finds node_modules), then
 * `/usr/bin/python3 -m pytest`: the JUnit report holds one passed item per conformance case. A
 * deliberately broken connector (put keeps a view of LMCache's buffer) then fails exactly the case
 * that catches it, with the explanation and the .py location. Without any CLI, pytest stops with a
 * usage error saying how to install one. (fs and redis: python-e2e-stores.test.ts.)
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PYTHON, authorEnv, expectAllCasesPassed, generate, install, pytest, run, workDir } from "./python-projects.js";

const work = workDir();
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("a generated Python project (memory) passes its own python3 -m pytest offline", () => {
  it("without a CLI anywhere it stops with how to install one; after npm install --offline every case passes; a broken put fails its case", async () => {
    const project = await generate(work, "memory");
    const missing = await run(PYTHON, ["-m", "pytest", "-q", "-p", "no:cacheprovider"], { cwd: project, env: authorEnv() }).then(
      () => ({ code: 0, output: "" }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code, output: `${e.stdout ?? ""}${e.stderr ?? ""}` }),
    );
    expect(missing.code).toBe(4); // pytest's usage error: nothing ran
    expect(missing.output).toMatch(/CLI was not found[\s\S]*npm install --offline/);

    await install(project);
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
});
