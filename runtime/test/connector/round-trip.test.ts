/**
 * LMCache's tests/v1/test_connector.py flow, for memory:// and fs://: miss first, put through the
 * instrumented wrapper (ref count back to the caller's 1), byte-exact get, list, on-disk format.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createConnector } from "../../src/connector/create-connector";
import { FSConnector } from "../../src/connector/adapters/fs-connector";
import { MemoryConnector } from "../../src/connector/adapters/memory-connector";
import { RemoteMetadata } from "../../src/protocol/remote-metadata";
import { fill, fullChunk, makeBackend, makeKey, tempDir } from "./helpers";

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

async function roundTrip(url: string, extra: Record<string, unknown> | null, tokens = 16) {
  const b = makeBackend(extra);
  const conn = await createConnector(url, { localCpuBackend: b.backend, config: b.config, metadata: b.metadata });
  const key = makeKey(0x1234abcd);
  expect(await conn.exists(key)).toBe(false);
  expect(conn.existsSync(key)).toBe(false);
  expect(await conn.get(key)).toBeNull();

  const { obj, bytes } = fullChunk(b, 3, tokens);
  obj.refCountUp(); // the in-flight put's reference, as RemoteBackend takes it
  expect(obj.getRefCount()).toBe(2);
  await conn.put(key, obj);
  expect(obj.getRefCount()).toBe(1);
  expect(await conn.exists(key)).toBe(true);
  expect(conn.existsSync(key)).toBe(true);

  const got = (await conn.get(key))!;
  expect(got).not.toBeNull();
  expect(got).not.toBe(obj);
  expect(got.getRefCount()).toBe(1);
  expect(Buffer.from(got.byteArray).equals(Buffer.from(bytes))).toBe(true);
  expect(got.getShape()).toEqual([2, 2, tokens, 16]);
  expect(got.getDtype()).toBe("bfloat16");
  expect(await conn.list()).toEqual([key.toString()]);
  got.refCountDown();
  obj.refCountDown();
  expect(b.allocator.stats().liveObjects).toBe(0);
  return { b, conn, key, bytes };
}

describe("memory:// round trip", () => {
  it("follows LMCache's connector test flow", async () => {
    const { conn } = await roundTrip("memory://rt-" + Math.random(), null);
    expect(conn.getWrappedConnector()).toBeInstanceOf(MemoryConnector);
    await conn.close();
  });

  it("copies bytes on put: changing the source afterwards does not change the stored chunk", async () => {
    const b = makeBackend();
    const conn = await createConnector("memory://", { localCpuBackend: b.backend, config: b.config });
    const key = makeKey(1);
    const { obj, bytes } = fullChunk(b, 9);
    obj.refCountUp();
    await conn.put(key, obj);
    obj.byteArray.fill(0);
    const got = (await conn.get(key))!;
    expect(Buffer.from(got.byteArray).equals(Buffer.from(bytes))).toBe(true);
  });

  it("shares a store between connectors of the same name, not with memory:// alone", async () => {
    const b = makeBackend();
    const name = "memory://shared-" + Math.random();
    const a = await createConnector(name, { localCpuBackend: b.backend });
    const c = await createConnector(name, { localCpuBackend: b.backend });
    const anon = await createConnector("memory://", { localCpuBackend: b.backend });
    const { obj } = fullChunk(b, 1);
    obj.refCountUp();
    await a.put(makeKey(5), obj);
    expect(await c.exists(makeKey(5))).toBe(true);
    expect(await anon.exists(makeKey(5))).toBe(false);
  });

  it("throws a RuntimeError after close", async () => {
    const b = makeBackend();
    const conn = await createConnector("memory://", { localCpuBackend: b.backend });
    await conn.close();
    await expect(conn.exists(makeKey(1))).rejects.toMatchObject({ name: "RuntimeError" });
    await conn.close();
  });
});

describe("fs:// round trip", () => {
  for (const saveChunkMeta of [true, false]) {
    for (const tokens of [16, 5]) {
      it(`save_chunk_meta=${saveChunkMeta}, ${tokens === 16 ? "full" : "partial"} chunk`, async () => {
        const { dir, cleanup } = tempDir();
        cleanups.push(cleanup);
        const extra = { save_chunk_meta: saveChunkMeta };
        const { key, conn } = await roundTrip(`fs://host:0${dir}/`, extra, tokens);
        const files = readdirSync(dir).filter((f) => f.endsWith(".data"));
        expect(files).toEqual([key.toString() + ".data"]);
        const payload = 2 * 2 * tokens * 16 * 2;
        expect(statSync(join(dir, files[0]!)).size).toBe(payload + (saveChunkMeta ? 28 : 0));
        const inner = conn.getWrappedConnector() as FSConnector;
        expect(inner.saveChunkMeta).toBe(saveChunkMeta);
        expect(readdirSync(dir).some((f) => f.endsWith(".tmp"))).toBe(false);
      });
    }
  }

  it("writes LMCache's 28-byte RemoteMetadata header", async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const b = makeBackend();
    const conn = await createConnector(`fs://host:0${dir}`, { localCpuBackend: b.backend, config: b.config });
    const { obj } = fullChunk(b, 2);
    obj.refCountUp();
    await conn.put(makeKey(7), obj);
    const { readFileSync } = await import("node:fs");
    const raw = readFileSync(join(dir, makeKey(7).toString() + ".data"));
    const header = RemoteMetadata.deserialize(new Uint8Array(raw.subarray(0, 28)));
    expect(header.length).toBe(2048);
    expect(header.shapes).toEqual([[2, 2, 16, 16]]);
    expect(header.dtypes).toEqual(["bfloat16"]);
  });

  it("shards comma-separated base paths by abs(chunk_hash) % n and lists stems of all", async () => {
    const a = tempDir();
    const c = tempDir();
    cleanups.push(a.cleanup, c.cleanup);
    const b = makeBackend();
    const conn = await createConnector(`fs://host:0${a.dir},${c.dir}`, { localCpuBackend: b.backend, config: b.config });
    for (const h of [-3n, 4n]) {
      const { obj } = fullChunk(b, 1);
      obj.refCountUp();
      await conn.put(makeKey(h), obj);
      obj.refCountDown();
    }
    // abs(-3) % 2 = 1 → second dir; 4 % 2 = 0 → first dir
    expect(readdirSync(c.dir)).toEqual([makeKey(-3n).toString() + ".data"]);
    expect(readdirSync(a.dir)).toEqual([makeKey(4n).toString() + ".data"]);
    expect((await conn.list()).sort()).toEqual([makeKey(-3n).toString(), makeKey(4n).toString()].sort());
    expect(conn.removeSync(makeKey(4n))).toBe(true);
    expect(conn.removeSync(makeKey(4n))).toBe(false);
  });

  it("escapes '/' in key strings as -SEP-", async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const b = makeBackend();
    const conn = await createConnector(`fs://host:0${dir}`, { localCpuBackend: b.backend, config: b.config });
    const key = makeKey(1, "org/model");
    const { obj } = fullChunk(b, 1);
    obj.refCountUp();
    await conn.put(key, obj);
    expect(readdirSync(dir)).toEqual([key.toString().replace("/", "-SEP-") + ".data"]);
    expect(await conn.exists(key)).toBe(true);
  });

  it("resolves the base path from extra_config in plugin mode, else fails with LMCache's text", async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const b = makeBackend({ "remote_storage_plugin.fs.primary.base_path": dir });
    const conn = await createConnector("plugin://fs.primary", {
      localCpuBackend: b.backend,
      config: b.config,
      pluginName: "fs.primary",
    });
    expect((conn.getWrappedConnector() as FSConnector).basePaths).toEqual([dir]);
    const bare = makeBackend({});
    await expect(
      createConnector("plugin://fs", { localCpuBackend: bare.backend, config: bare.config, pluginName: "fs" }),
    ).rejects.toThrow("FS connector requires base_path via URL or extra_config");
    await expect(createConnector("fs://host:0", { localCpuBackend: bare.backend, config: bare.config })).rejects.toThrow(
      "Invalid fs URL 'fs://host:0': no path. Expected fs://[host:port]/path, for example fs:///var/lmcache",
    );
  });

  it("releases its allocation and returns null when a headerless file is not token-aligned", async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const b = makeBackend({ save_chunk_meta: false });
    const conn = await createConnector(`fs://${dir}`, { localCpuBackend: b.backend, config: b.config });
    const key = makeKey(9);
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(dir, key.toString() + ".data"), Buffer.alloc(100));
    expect(await conn.get(key)).toBeNull();
    expect(b.allocator.stats().liveObjects).toBe(0);
    const fresh = b.backend.allocate([2, 2, 16, 16], "bfloat16")!;
    fill(fresh, 1);
    expect(fresh.getRefCount()).toBe(1);
  });
});
