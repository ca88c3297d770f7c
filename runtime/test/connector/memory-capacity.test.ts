import { totalmem } from "node:os";
import { beforeEach, describe, expect, it } from "vitest";
import { createConnector } from "../../src/connector/create-connector";
import { defaultMemoryCapacityBytes, MemoryConnector } from "../../src/connector/adapters/memory-connector";
import { clearLogRecords, getLogRecords } from "../../src/logging";
import { runHarness } from "../../src/harness/run-harness";
import { formatHarnessReport } from "../../src/harness/format-report";
import { type Backend, fullChunk, makeBackend, makeKey } from "./helpers";

const CHUNK = 2 * 2 * 16 * 16 * 2; // fullChunk(b, seed): [2, 2, 16, 16] bfloat16

async function open(extra: Record<string, unknown> | null, url = "memory://") {
  const b = makeBackend(extra);
  const conn = await createConnector(url, { localCpuBackend: b.backend, config: b.config, metadata: b.metadata });
  return { b, conn, inner: conn.getWrappedConnector() as MemoryConnector };
}

async function put(conn: Awaited<ReturnType<typeof createConnector>>, b: Backend, hash: number) {
  const { obj } = fullChunk(b, hash);
  obj.refCountUp(); // the wrapper releases one reference, as after RemoteBackend's put
  await conn.put(makeKey(hash), obj);
  obj.refCountDown();
}

beforeEach(() => clearLogRecords());

describe("memory:// has a capacity and evicts least recently used entries", () => {
  it("defaults to 2 GiB or a quarter of RAM", async () => {
    expect(defaultMemoryCapacityBytes()).toBe(Math.min(2 * 1024 ** 3, Math.floor(totalmem() / 4)));
    const { inner } = await open(null);
    expect(inner.stats().capacityBytes).toBe(defaultMemoryCapacityBytes());
  });

  it("holds at most memory_capacity_bytes, evicts the LRU entry (a get counts as a use), counts and warns once", async () => {
    const { b, conn, inner } = await open({ memory_capacity_bytes: 3 * CHUNK });
    for (const h of [1, 2, 3]) await put(conn, b, h);
    expect(inner.stats()).toMatchObject({ entries: 3, bytes: 3 * CHUNK, evictions: 0 });
    // use 1, so 2 is now the least recently used
    (await conn.get(makeKey(1)))!.refCountDown();
    await put(conn, b, 4);
    expect(await conn.exists(makeKey(2))).toBe(false);
    expect(await conn.exists(makeKey(1))).toBe(true);
    expect(await conn.exists(makeKey(3))).toBe(true);
    expect(await conn.exists(makeKey(4))).toBe(true);
    await put(conn, b, 5);
    await put(conn, b, 6);
    expect(inner.stats()).toEqual({ entries: 3, bytes: 3 * CHUNK, capacityBytes: 3 * CHUNK, evictions: 3, evictedBytes: 3 * CHUNK });
    expect((await conn.list()).sort()).toEqual([makeKey(4), makeKey(5), makeKey(6)].map(String).sort());
    // what is left reads back byte-exact
    const got = (await conn.get(makeKey(6)))!;
    expect(Buffer.from(got.byteArray).equals(Buffer.from(fullChunk(b, 6).bytes))).toBe(true);
    got.refCountDown();
    const warnings = getLogRecords().filter((r) => r.level === "warning" && r.message.includes("reached its capacity"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain("memory_capacity_bytes");
  });

  it("an overwrite and removeSync keep the accounting exact", async () => {
    const { b, conn, inner } = await open({ memory_capacity_bytes: "8192" });
    await put(conn, b, 1);
    await put(conn, b, 1);
    expect(inner.stats()).toMatchObject({ entries: 1, bytes: CHUNK, evictions: 0 });
    expect(inner.removeSync(makeKey(1))).toBe(true);
    expect(inner.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });

  it("a value larger than the whole capacity is refused and the old value stays", async () => {
    const { b, conn } = await open({ memory_capacity_bytes: CHUNK });
    await put(conn, b, 1);
    const big = b.backend.allocate([2, 2, 32, 16], "bfloat16")!;
    await expect(conn.getWrappedConnector().put(makeKey(1), big)).rejects.toThrow(/does not fit in the store's capacity of 2048 bytes \(extra_config\.memory_capacity_bytes\)/);
    big.refCountDown();
    expect(await conn.exists(makeKey(1))).toBe(true);
  });

  it("a bad memory_capacity_bytes is a clear error at creation", async () => {
    for (const bad of [0, -1, 1.5, "lots", true]) {
      const b = makeBackend({ memory_capacity_bytes: bad });
      await expect(createConnector("memory://", { localCpuBackend: b.backend, config: b.config })).rejects.toThrow(/memory_capacity_bytes must be a positive integer number of bytes/);
    }
  });

  it("a named store is shared with its capacity and eviction count", async () => {
    MemoryConnector.dropStore("cap-shared");
    const one = await open({ memory_capacity_bytes: 2 * CHUNK }, "memory://cap-shared");
    const two = await open(null, "memory://cap-shared");
    for (const h of [1, 2, 3]) await put(one.conn, one.b, h);
    expect(two.inner.stats()).toMatchObject({ entries: 2, capacityBytes: 2 * CHUNK, evictions: 1 });
    MemoryConnector.dropStore("cap-shared");
  });

  it("the harness report shows the store's evictions", async () => {
    const small = { numLayers: 2, numKvHeads: 2, headSize: 16 }; // 16-token chunk = 4 KiB
    const report = await runHarness({ url: "memory://", requests: 20, seed: 1, chunkSize: 16, model: small, config: { extraConfig: { memory_capacity_bytes: 5 * 4096 } } });
    expect(report.remoteStore).toBeDefined();
    expect(report.remoteStore!.evictions).toBeGreaterThan(0);
    expect(report.remoteStore!.bytes).toBeLessThanOrEqual(5 * 4096);
    expect(formatHarnessReport(report)).toContain(`Remote store evictions: ${report.remoteStore!.evictions} (`);
  });
});
