/**
 * A generated Python project passes its own tests offline, as an author runs them: generate with
 * the yeoman generator (`--language python --template memory`, every capability), `npm install
 * --offline` (the kit's CLI from the project's vendored runtime tarball; nothing else on PATH or
 * in the environment points at the kit: tests/conftest.py finds node_modules), then
 * `/usr/bin/python3 -m pytest`: the JUnit report holds one passed item per conformance case.
 * Without any CLI, pytest stops with a usage error saying how to install one. (fs and redis:
 * python-e2e-stores.test.ts; broken connectors: python-e2e-failures.test.ts.)
 */
import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { PYTHON, authorEnv, expectAllCasesPassed, generate, install, pytest, run, workDir } from "./python-projects.js";

const work = workDir();
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("a generated Python project (memory) passes its own python3 -m pytest offline", () => {
  it("without a CLI anywhere it stops with how to install one; after npm install --offline every case passes", async () => {
    const project = await generate(work, "memory");
    const missing = await run(PYTHON, ["-m", "pytest", "-q", "-p", "no:cacheprovider"], { cwd: project, env: authorEnv() }).then(
      () => ({ code: 0, output: "" }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code, output: `${e.stdout ?? ""}${e.stderr ?? ""}` }),
    );
    expect(missing.code).toBe(4); // pytest's usage error: nothing ran
    expect(missing.output).toMatch(/CLI was not found[\s\S]*npm install --offline/);

    await install(project);
    expectAllCasesPassed(await pytest(project), "memory");
  }, 240_000);
});
