/**
 * Runs the kit's `lmcache` package's own pytest suite (runtime/python/tests) under Debian's
 * /usr/bin/python3, so `npm test` covers it. Any exit status but 0 fails — including pytest's 5
 * ("no tests collected") — and so does a run with skipped tests. Without python3-torch or
 * python3-pytest the test fails with a message saying what to install.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { expect, it } from "vitest";

const PYTHON = "/usr/bin/python3";
const ROOT = path.resolve(__dirname, "../../..");

it("pytest runtime/python/tests passes, with every test run", () => {
  const probe = spawnSync(PYTHON, ["-c", "import torch, pytest"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `${PYTHON} with torch and pytest is required (apt-get install -y --no-install-recommends python3-torch python3-pytest): ` +
        (probe.error?.message ?? probe.stderr.trim()),
    );
  }
  const res = spawnSync(PYTHON, ["-m", "pytest", "runtime/python/tests", "-q", "-p", "no:cacheprovider", "-rs"], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
    timeout: 120_000,
  });
  const output = `${res.stdout}\n${res.stderr}`;
  expect(res.status, output).toBe(0);
  const passed = Number(/(\d+) passed/.exec(res.stdout)?.[1] ?? 0);
  expect(passed, output).toBeGreaterThanOrEqual(50);
  expect(res.stdout, output).not.toMatch(/skipped|failed|error/i);
}, 150_000);
