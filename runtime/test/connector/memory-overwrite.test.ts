/**
 * memory:// overwrites: the store reuses a key's private buffer (no large allocation per put) while
 * keeping the semantics exact — last write wins, no aliasing of the caller's buffer, and a
 * shrinking overwrite never exposes the previous value's tail.
 */
import { describe, expect, it } from "vitest";
import { createConnector } from "../../src/connector/create-connector";
import { MemoryConnector, type StoredChunk } from "../../src/connector/adapters/memory-connector";
import { createEngineConfig } from "../../src/config/engine-config";
import { MemoryAllocator } from "../../src/memory/allocator";
import { createTestMetadata } from "../../src/metadata";
import { LocalCPUBackend } from "../../src/storage-backend/local-cpu-backend";
import { type Backend, fullChunk, makeBackend, makeKey } from "./helpers";

async function open(b: Backend) {
  const conn = await createConnector("memory://", { localCpuBackend: b.backend, config: b.config, metadata: b.metadata });
  const inner = conn.getWrappedConnector() as MemoryConnector;
  // The store is private; the buffer-reuse tests look at it on purpose.
  const stored = (k: ReturnType<typeof makeKey>) => (inner as unknown as { store: Map<string, StoredChunk> }).store.get(k.toString())!;
  return { conn, stored };
}

/** put through the wrapper the way RemoteBackend does (an extra reference the wrapper releases). */
async function putChunk(conn: Awaited<ReturnType<typeof createConnector>>, key: ReturnType<typeof makeKey>, b: Backend, seed: number, tokens = 16) {
  const { obj, bytes } = fullChunk(b, seed, tokens);
  obj.refCountUp();
  await conn.put(key, obj);
  return { obj, bytes };
}

async function readBack(conn: Awaited<ReturnType<typeof createConnector>>, key: ReturnType<typeof makeKey>) {
  const got = (await conn.get(key))!;
  expect(got).not.toBeNull();
  const out = { bytes: got.byteArray.slice(), shape: got.getShape(), size: got.getSize() };
  got.refCountDown();
  return out;
}

describe("memory:// overwrite", () => {
  it("last write wins, byte-exact, and the same-size overwrite reuses the key's buffer", async () => {
    const b = makeBackend();
    const { conn, stored } = await open(b);
    const key = makeKey(7);
    const first = await putChunk(conn, key, b, 1);
    const backing = stored(key).backing;
    const second = await putChunk(conn, key, b, 2);
    expect(Buffer.from(second.bytes).equals(Buffer.from(first.bytes))).toBe(false);
    expect(stored(key).backing).toBe(backing); // no new allocation on overwrite
    expect(Buffer.from((await readBack(conn, key)).bytes).equals(Buffer.from(second.bytes))).toBe(true);
    first.obj.refCountDown();
    second.obj.refCountDown();
    expect(b.allocator.stats().liveObjects).toBe(0);
  });

  it("never aliases the caller's buffer: writing the source after put leaves the stored value", async () => {
    const b = makeBackend();
    const { conn, stored } = await open(b);
    const key = makeKey(8);
    await putChunk(conn, key, b, 1);
    const { obj, bytes } = await putChunk(conn, key, b, 3); // overwrite path
    expect(stored(key).bytes.buffer).not.toBe(obj.byteArray.buffer);
    obj.byteArray.fill(0x55);
    expect(Buffer.from((await readBack(conn, key)).bytes).equals(Buffer.from(bytes))).toBe(true);
  });

  it("keeps the bytes after the source is freed and poisoned (poisonOnFree)", async () => {
    const config = createEngineConfig({ chunkSize: 16 });
    const metadata = createTestMetadata();
    const allocator = new MemoryAllocator({ capacityBytes: 1 << 20, poisonOnFree: true });
    const b: Backend = { backend: new LocalCPUBackend({ config, metadata, allocator }), allocator, config, metadata };
    const { conn } = await open(b);
    const key = makeKey(9);
    for (const seed of [4, 5]) {
      const { obj, bytes } = await putChunk(conn, key, b, seed);
      obj.refCountDown(); // freed → overwritten with the poison pattern
      expect(Buffer.from((await readBack(conn, key)).bytes).equals(Buffer.from(bytes))).toBe(true);
    }
    expect(allocator.stats().liveObjects).toBe(0);
  });

  it("a shrinking overwrite exposes only the new bytes, and growing again stores the full value", async () => {
    const b = makeBackend();
    const { conn, stored } = await open(b);
    const key = makeKey(10);
    const full = await putChunk(conn, key, b, 1, 16);
    const backing = stored(key).backing;
    const partial = await putChunk(conn, key, b, 2, 12); // 3/4 of the size: reuses the buffer
    expect(stored(key).backing).toBe(backing);
    const back = await readBack(conn, key);
    expect(back.shape).toEqual([2, 2, 12, 16]);
    expect(back.size).toBe(partial.bytes.length);
    expect(Buffer.from(back.bytes).equals(Buffer.from(partial.bytes))).toBe(true);

    const grown = await putChunk(conn, key, b, 3, 16);
    const again = await readBack(conn, key);
    expect(again.shape).toEqual([2, 2, 16, 16]);
    expect(Buffer.from(again.bytes).equals(Buffer.from(grown.bytes))).toBe(true);
    expect(Buffer.from(again.bytes).equals(Buffer.from(full.bytes))).toBe(false);
    for (const x of [full, partial, grown]) x.obj.refCountDown();
  });

  it("does not keep a buffer more than twice the size alive after a much smaller overwrite", async () => {
    const b = makeBackend();
    const { conn, stored } = await open(b);
    const key = makeKey(11);
    await putChunk(conn, key, b, 1, 16);
    const small = await putChunk(conn, key, b, 2, 4);
    expect(stored(key).backing.length).toBe(small.bytes.length);
    expect(Buffer.from((await readBack(conn, key)).bytes).equals(Buffer.from(small.bytes))).toBe(true);
  });

  it("batchedPut of the same key twice keeps the later object", async () => {
    const b = makeBackend();
    const { conn } = await open(b);
    const key = makeKey(12);
    const x = fullChunk(b, 1);
    const y = fullChunk(b, 2);
    x.obj.refCountUp();
    y.obj.refCountUp();
    await conn.batchedPut([key, key], [x.obj, y.obj]);
    expect(Buffer.from((await readBack(conn, key)).bytes).equals(Buffer.from(y.bytes))).toBe(true);
    expect(x.obj.getRefCount()).toBe(1);
    expect(y.obj.getRefCount()).toBe(1);
  });
});
