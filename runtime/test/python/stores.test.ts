import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineConfig } from "../../src/config/engine-config";
import { createConnector } from "../../src/connector/create-connector";
import { conformanceMetadata } from "../../src/conformance/env";
import { runConformance } from "../../src/conformance/engine";
import { CacheEngineKey } from "../../src/keys/cache-engine-key";
import { MemoryFormat } from "../../src/memory/memory-format";
import { LocalCPUBackend } from "../../src/storage-backend/local-cpu-backend";
import { stopBridges } from "../../src/python/host";
import { startRedisServer, type RedisServer } from "../../../test/support/redis-server";

// Python connectors against real stores: LMCache's on-disk format byte-for-byte against the TS
// fs:// port, and redis-py's asyncio client against a real redis-server on loopback.
const STORES = join(__dirname, "..", "fixtures", "python", "stores");
process.env["LMCACHE_PYTHON"] = "/usr/bin/python3";
afterAll(() => stopBridges());

const PY_FS = "external://host:0/py_fs_connector/?connector_name=PyFsConnector";

async function open(url: string, extraConfig: Record<string, unknown>) {
  const config = createEngineConfig({ extraConfig });
  const metadata = conformanceMetadata();
  const backend = new LocalCPUBackend({ config, metadata });
  const connector = await createConnector(url, { localCpuBackend: backend, config, metadata, cwd: STORES });
  return { backend, connector };
}

const KEYS = [
  new CacheEngineKey({ modelName: "meta-llama/Llama-3.1-8B-Instruct", worldSize: 1, workerId: 0, chunkHash: 0x1234abcdn, dtype: "bfloat16" }),
  new CacheEngineKey({ modelName: "org/model", worldSize: 4, workerId: 3, chunkHash: -42n, dtype: "float16", requestConfigs: { "lmcache.tag.user": "alice" } }),
  new CacheEngineKey({ modelName: "plain", worldSize: 1, workerId: 0, chunkHash: 7n, dtype: "float32" }),
];
const SPECS: [number[] | number[][], string | string[], MemoryFormat][] = [
  [[2, 2, 256, 64], "bfloat16", MemoryFormat.KV_2LTD],
  [[3, 5, 7], "float16", MemoryFormat.KV_T2D],
  [[1000], "uint8", MemoryFormat.BINARY],
];

describe("a Python fs connector writes LMCache's on-disk format", () => {
  it("byte-for-byte the files the TS fs:// port writes, and each reads the other's", async () => {
    const tsDir = mkdtempSync(join(tmpdir(), "fs-ts-"));
    const pyDir = mkdtempSync(join(tmpdir(), "fs-py-"));
    const ts = await open(`fs://host:0${tsDir}`, {});
    const py = await open(PY_FS, { fs_base_path: pyDir });
    for (const [i, key] of KEYS.entries()) {
      const [shape, dtype, fmt] = SPECS[i]!;
      for (const side of [ts, py]) {
        const obj = side.backend.allocate(shape as never, dtype as never, fmt)!;
        for (let j = 0; j < obj.byteArray.length; j++) obj.byteArray[j] = (j * 31 + i * 7) & 0xff;
        obj.refCountUp();
        await side.connector.put(key, obj);
        obj.refCountDown();
      }
    }
    const names = readdirSync(tsDir).sort();
    expect(names.length).toBe(KEYS.length);
    expect(readdirSync(pyDir).sort()).toEqual(names);
    for (const name of names) expect(readFileSync(join(pyDir, name)).equals(readFileSync(join(tsDir, name)))).toBe(true);
    expect((await py.connector.list()).sort()).toEqual((await ts.connector.list()).sort());

    // Python reads what TS wrote (shape, dtype, format and bytes from the header). The 1-D object
    // is left out: LMCache's header pads its shape to [1000, 0, 0, 0], a 0-byte allocation on read.
    const pyOnTs = await open(PY_FS, { fs_base_path: tsDir });
    for (const [i, key] of KEYS.entries()) {
      if (SPECS[i]![0].length === 1) continue;
      const fromTs = (await ts.connector.get(key))!;
      const fromPy = (await pyOnTs.connector.get(key))!;
      expect(fromPy.getShapes()).toEqual(fromTs.getShapes());
      expect(fromPy.getDtypes()).toEqual(fromTs.getDtypes());
      expect(fromPy.getMemoryFormat()).toBe(SPECS[i]![2]);
      expect(Buffer.from(fromPy.byteArray).equals(Buffer.from(fromTs.byteArray))).toBe(true);
      fromTs.refCountDown();
      fromPy.refCountDown();
    }
    expect(pyOnTs.backend.memoryAllocator.stats().liveObjects).toBe(0);
  }, 60_000);

  it("gets the same verdict as the TS fs:// port on every case (LMCache's format is lossy: both fail the same cases)", async () => {
    const pyRun = await runConformance({ url: PY_FS, cwd: STORES, seed: 11, config: { extraConfig: { fs_base_path: mkdtempSync(join(tmpdir(), "fs-py-check-")) } } });
    const tsRun = await runConformance({ url: `fs://host:0${mkdtempSync(join(tmpdir(), "fs-ts-check-"))}`, cwd: STORES, seed: 11 });
    expect(pyRun.loadError).toBeUndefined();
    const verdicts = (run: typeof pyRun) => run.results.map((r) => [r.id, r.status]);
    expect(verdicts(pyRun)).toEqual(verdicts(tsRun));
    expect(pyRun.summary.passed).toBeGreaterThan(20);
  }, 60_000);
});

describe("a Python Redis connector (redis-py asyncio) against a real redis-server", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  }, 20_000);
  afterAll(() => server?.stop());

  it("passes the conformance suite", async () => {
    const run = await runConformance({ url: "external://host:0/py_redis_connector/?connector_name=PyRedisConnector", cwd: STORES, seed: 12, config: { extraConfig: { redis_url: server.url } } });
    expect(run.loadError).toBeUndefined();
    expect(run.results.filter((r) => r.status === "failed").map((r) => `${r.id}: ${r.message}`)).toEqual([]);
    expect(run.summary.passed).toBeGreaterThan(30);
  }, 90_000);
});
