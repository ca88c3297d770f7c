import { inspect } from "node:util";
import { beforeEach, describe, expect, it } from "vitest";
import { RemoteConnector } from "../../src/connector/base-connector";
import { CONNECTOR_BRAND } from "../../src/loader/brand";
import { isRemoteConnectorClass } from "../../src/loader/connector-class";
import { clearLogRecords, getLogRecords } from "../../src/logging";
import { MemoryFormat } from "../../src/memory/memory-format";
import { NoopConnector, ScriptedConnector } from "./fakes";
import { makeBackend, makeKey } from "./helpers";

beforeEach(() => clearLogRecords());

describe("RemoteConnector defaults (Era B/C)", () => {
  it("carries the brand, repr and optional-capability defaults", async () => {
    const b = makeBackend();
    const c = new ScriptedConnector(b);
    expect((RemoteConnector as unknown as Record<symbol, unknown>)[CONNECTOR_BRAND]).toBe(true);
    expect(isRemoteConnectorClass(ScriptedConnector)).toBe(true);
    expect(String(c)).toBe("<ScriptedConnector>");
    expect(inspect(c)).toBe("<ScriptedConnector>");
    expect(c.supportPing()).toBe(false);
    await expect(c.ping()).rejects.toMatchObject({ name: "NotImplementedError" });
    expect(c.supportBatchedGet()).toBe(false);
    await expect(c.batchedGet([])).rejects.toMatchObject({ name: "NotImplementedError" });
    expect(c.supportBatchedPut()).toBe(false);
    expect(c.supportBatchedContains()).toBe(false);
    expect(() => c.batchedContains([])).toThrow(expect.objectContaining({ name: "NotImplementedError" }));
    expect(() => c.removeSync(makeKey(1))).toThrow(expect.objectContaining({ name: "NotImplementedError" }));
    expect(c.supportBatchedAsyncContains()).toBe(true);
    expect(c.supportBatchedGetNonBlocking()).toBe(true);
    expect(c.requiresPutCompletion()).toBe(false);
    c.postInit();
    expect(getLogRecords().some((r) => r.message === "Dummy post-initializing remote connector")).toBe(true);
  });

  it("leaves chunk-meta fields undefined without super(config, metadata), like ExternalLogConnector", () => {
    const c = new ScriptedConnector(makeBackend());
    expect(c.saveChunkMeta).toBeUndefined();
    expect(c.fullChunkSizeBytes).toBeUndefined();
    expect(() => c.reshapePartialChunk(null as never, 1)).toThrow(expect.objectContaining({ name: "AttributeError" }));
  });

  it("computes chunk-meta fields from (config, metadata)", () => {
    const b = makeBackend({ save_chunk_meta: false });
    const c = new NoopConnector(b.config, b.metadata);
    expect(c.saveChunkMeta).toBe(false);
    expect(c.metaShapes).toEqual(b.metadata.getShapes());
    expect(c.metaDtypes).toEqual(["bfloat16"]);
    expect(c.metaFmt).toBe(MemoryFormat.KV_2LTD);
    expect(c.fullChunkSizeBytes).toBe(2 * 2 * 16 * 16 * 2);
    expect(c.singleTokenSize).toBe(c.fullChunkSizeBytes! / 16);
    expect(c.remoteMetadataBytes).toBe(28);
  });

  it("batchedAsyncContains counts the leading hits of a concurrent exists", async () => {
    const c = new ScriptedConnector(makeBackend(), { "1": "hit", "2": "hit", "3": "miss", "4": "hit" });
    const keys = [1, 2, 3, 4].map((h) => makeKey(h));
    expect(await c.batchedAsyncContains("l", keys)).toBe(2);
    expect(await c.batchedAsyncContains("l", keys.slice(0, 2))).toBe(2);
    expect(await c.batchedAsyncContains("l", [])).toBe(0);
  });

  it("batchedGetNonBlocking returns the hit prefix and releases every object after the first miss", async () => {
    const b = makeBackend();
    const c = new ScriptedConnector(b, { "1": "hit", "2": "hit", "3": "miss", "4": "hit", "5": "hit" });
    const objs = await c.batchedGetNonBlocking("l", [1, 2, 3, 4, 5].map((h) => makeKey(h)));
    expect(objs.length).toBe(2);
    expect(b.allocator.stats().liveObjects).toBe(2);
    objs.forEach((o) => o.refCountDown());
    expect(b.allocator.stats().liveObjects).toBe(0);
  });

  it("batchedGetNonBlocking treats an exception as the first failure and logs it", async () => {
    const b = makeBackend();
    const c = new ScriptedConnector(b, { "1": "hit", "2": "throw", "3": "hit" });
    const objs = await c.batchedGetNonBlocking("l", [1, 2, 3].map((h) => makeKey(h)));
    expect(objs.length).toBe(1);
    expect(b.allocator.stats().liveObjects).toBe(1);
    expect(getLogRecords().some((r) => r.level === "warning" && r.message === "Exception during batched get: boom 2")).toBe(true);
  });
});

describe("reshapePartialChunk", () => {
  const b = makeBackend({ save_chunk_meta: false });
  const c = new NoopConnector(b.config, b.metadata);
  const single = c.singleTokenSize!;
  const full = c.fullChunkSizeBytes!;

  for (const tokens of [1, 8, 15]) {
    it(`shrinks a 4-D chunk to ${tokens} tokens (dimension 2) and truncates the bytes`, () => {
      const obj = b.backend.allocate([2, 2, 16, 16], "bfloat16")!;
      const out = c.reshapePartialChunk(obj, tokens * single);
      expect(out).toBe(obj);
      expect(out.getShape()).toEqual([2, 2, tokens, 16]);
      expect(out.byteArray.length).toBe(tokens * single);
      expect(out.getSize()).toBe(tokens * single);
      obj.refCountDown();
    });
  }

  it("uses dimension 0 for 3-D and 2-D shapes (LMCache's newest test)", () => {
    const t3 = b.backend.allocate([16, 2, 32], "bfloat16")!;
    expect(c.reshapePartialChunk(t3, 3 * single).getShape()).toEqual([3, 2, 32]);
    const t2 = b.backend.allocate([16, 64], "bfloat16")!;
    expect(c.reshapePartialChunk(t2, 5 * single).getShape()).toEqual([5, 64]);
  });

  it("returns a full read unchanged", () => {
    const obj = b.backend.allocate([2, 2, 16, 16], "bfloat16")!;
    expect(c.reshapePartialChunk(obj, full)).toBe(obj);
    expect(obj.getShape()).toEqual([2, 2, 16, 16]);
    expect(obj.byteArray.length).toBe(full);
  });

  for (const [label, bytes] of [
    ["zero", 0],
    ["unaligned", single + 1],
    ["over-full", full + single],
    ["negative", -single],
  ] as const) {
    it(`rejects ${label} sizes with LMCache's ValueError`, () => {
      const obj = b.backend.allocate([2, 2, 16, 16], "bfloat16")!;
      expect(() => c.reshapePartialChunk(obj, bytes)).toThrow(
        expect.objectContaining({
          name: "ValueError",
          message: `bytes_read: ${bytes} is illegal, single_token_size: ${single}, full_chunk_size_bytes: ${full}`,
        }),
      );
      expect(obj.getShape()).toEqual([2, 2, 16, 16]);
    });
  }
});
