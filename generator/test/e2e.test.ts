/**
 * One end-to-end run per template: generate with the yeoman generator into a temporary folder,
 * `npm install --prefer-offline` (served from the npm cache the repository's install filled),
 * and run the generated project's own conformance test with `npx vitest run`. The redis project
 * runs against a real redis-server this test starts on a free loopback port and stops afterwards.
 * Slow, so the cases run one after another.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { startRedis } from "./helpers.js";

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const RUN_GENERATOR = path.resolve(here, "../run-generator.mjs");
const work = mkdtempSync(path.join(os.tmpdir(), "lmcache-gen-e2e-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function generateInstallTest(template: string, capabilities: string, env: Record<string, string> = {}): Promise<string> {
  const name = `e2e-${template}`;
  await run(process.execPath, [RUN_GENERATOR, "--name", name, "--template", template, "--capabilities", capabilities, "--yes", "--skip-install"], { cwd: work });
  const project = path.join(work, name);
  await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: project, maxBuffer: 16 << 20 });
  const { stdout, stderr } = await run("npx", ["vitest", "run"], {
    cwd: project,
    env: { ...process.env, ...env, CI: "true", NO_COLOR: "1" },
    maxBuffer: 16 << 20,
  }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(`generated ${template} project's tests failed:\n${error.stdout ?? ""}\n${error.stderr ?? error.message}`);
  });
  return stdout + stderr;
}

describe.sequential("generated projects pass their own conformance test", () => {
  it("memory", async () => {
    const output = await generateInstallTest("memory", "batched,ping,removeSync");
    expect(output).toMatch(/1 passed/);
  }, 300_000);

  it("fs", async () => {
    const output = await generateInstallTest("fs", "batched,removeSync");
    expect(output).toMatch(/1 passed/);
  }, 300_000);

  it("redis, against a real redis-server", async () => {
    const redis = await startRedis();
    try {
      const output = await generateInstallTest("redis", "batched,ping,removeSync", { REDIS_URL: redis.url });
      expect(output).toMatch(/1 passed/);
    } finally {
      await redis.stop();
    }
  }, 300_000);
});
