/**
 * One end-to-end run per template: generate with the yeoman generator into a temporary folder,
 * `npm install --prefer-offline` (served from the npm cache the repository's install filled),
 * type-check it (`npm run typecheck`) and run the generated project's own tests with `npx vitest run`. The redis project runs against
 * a real redis-server this test starts on a free loopback port and stops afterwards (its tests
 * include existsSync seeing a key another client wrote). The fs project's files are checked
 * against LMCache's FSConnector format, both ways, with the runtime's port of that connector.
 * Slow, so the cases run one after another.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import {
  CacheEngineKey,
  LMCacheMetadata,
  LocalCPUBackend,
  MemoryAllocator,
  MemoryFormat,
  RemoteMetadata,
  createConnector,
  createEngineConfig,
} from "../../runtime/src/index.js";
import { externalUrl } from "../src/render/index.js";
import { startRedisServer } from "../../test/support/redis-server.js";

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
  // The project's own type-check covers the runtime's sources too (its `types` point at src/).
  await run("npm", ["run", "typecheck"], { cwd: project, maxBuffer: 16 << 20 }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(`generated ${template} project does not type-check:\n${error.stdout ?? ""}\n${error.stderr ?? error.message}`);
  });
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

  it("fs, whose files are LMCache FSConnector files", async () => {
    const output = await generateInstallTest("fs", "batched,removeSync");
    expect(output).toMatch(/1 passed/);
    await checkFsFormat(path.join(work, "e2e-fs"), "E2eFsConnector");
  }, 300_000);

  it("redis, against a real redis-server", async () => {
    const redis = await startRedisServer();
    try {
      const output = await generateInstallTest("redis", "batched,ping,removeSync", { REDIS_URL: redis.url });
      expect(output).toMatch(/Tests\s+2 passed/); // conformance, and existsSync against another client's write
      expect(output).toMatch(/exists_sync\.test\.ts/);
    } finally {
      await redis.stop();
    }
  }, 300_000);
});

/**
 * A chunk the generated fs connector writes is `<base>/<key string>.data` = the 28-byte
 * RemoteMetadata header + the bytes, and the runtime's FSConnector (LMCache's, ported) reads it;
 * a chunk that FSConnector writes, the generated connector reads.
 */
async function checkFsFormat(project: string, className: string): Promise<void> {
  const base = mkdtempSync(path.join(os.tmpdir(), "lmcache-gen-fs-format-"));
  try {
    const url = externalUrl(className);
    const config = createEngineConfig({ chunkSize: 256, remoteUrl: url, extraConfig: { "remote_storage_plugin.e2e_fs_connector.base_path": base } });
    const metadata = new LMCacheMetadata({ modelName: "acme", worldSize: 1, workerId: 0, kvDtype: "bfloat16", kvShape: [2, 2, 256, 2, 32] });
    const backend = new LocalCPUBackend({ config, metadata, allocator: new MemoryAllocator({ capacityBytes: 1 << 22 }) });
    const generated = await createConnector(url, { localCpuBackend: backend, config, metadata, cwd: project });
    const lmcache = await createConnector(`fs://${base}`, { localCpuBackend: backend, config, metadata });
    const filled = (seed: number) => {
      const obj = backend.allocate([2, 16, 64], "float16", MemoryFormat.KV_2TD)!;
      obj.byteArray.forEach((_, i) => (obj.byteArray[i] = (i * 31 + seed) & 0xff));
      return obj;
    };
    const key = (hash: number) => new CacheEngineKey({ modelName: "acme", worldSize: 1, workerId: 0, chunkHash: hash, dtype: "bfloat16" });

    // Copies taken before put: the object is released once put settles, as RemoteBackend does.
    const written = filled(7);
    const writtenBytes = Buffer.from(written.byteArray);
    await generated.put(key(1), written);
    const file = readFileSync(path.join(base, `${key(1).toString()}.data`));
    expect(file.length).toBe(28 + writtenBytes.length);
    const header = RemoteMetadata.deserialize(file);
    expect([header.length, header.shape, header.dtype, header.fmt]).toEqual([writtenBytes.length, [2, 16, 64], "float16", MemoryFormat.KV_2TD]);
    expect(file.subarray(28).equals(writtenBytes)).toBe(true);
    const readByLmcache = await lmcache.get(key(1));
    expect(readByLmcache && Buffer.from(readByLmcache.byteArray).equals(writtenBytes)).toBe(true);

    const other = filled(99);
    const otherBytes = Buffer.from(other.byteArray);
    await lmcache.put(key(2), other);
    const readByGenerated = await generated.get(key(2));
    expect(readByGenerated && Buffer.from(readByGenerated.byteArray).equals(otherBytes)).toBe(true);
    expect((await generated.list()).sort()).toEqual([key(1).toString(), key(2).toString()].sort());
    await generated.close();
    await lmcache.close();
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
