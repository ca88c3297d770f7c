import { beforeEach, describe, expect, it } from "vitest";
import { InstrumentedRemoteConnector } from "../../src/connector/instrumented-connector";
import { MemoryConnector } from "../../src/connector/adapters/memory-connector";
import { EventLoop } from "../../src/connector/event-loop";
import { clearLogRecords, getLogRecords, setLogLevel } from "../../src/logging";
import { ScriptedConnector } from "./fakes";
import { fullChunk, makeBackend, makeKey } from "./helpers";

beforeEach(() => clearLogRecords());

describe("InstrumentedRemoteConnector", () => {
  it("releases the put reference exactly once, also when the inner put throws (and rethrows)", async () => {
    const b = makeBackend();
    const ok = new InstrumentedRemoteConnector(new ScriptedConnector(b));
    const { obj } = fullChunk(b, 1);
    obj.refCountUp();
    await ok.put(makeKey(1), obj);
    expect(obj.getRefCount()).toBe(1);

    const failing = new InstrumentedRemoteConnector(new ScriptedConnector(b, {}, true));
    obj.refCountUp();
    await expect(failing.put(makeKey(2), obj)).rejects.toThrow("put failed");
    expect(obj.getRefCount()).toBe(1);
    expect(b.allocator.stats().doubleFrees).toBe(0);
    expect(ok.stats().puts).toBe(1);
    expect(ok.stats().putBytes).toBe(2048);
  });

  it("batchedPut logs 'batched put error' without throwing and releases every object once", async () => {
    const b = makeBackend();
    const wrapper = new InstrumentedRemoteConnector(new ScriptedConnector(b, {}, true));
    const objs = [fullChunk(b, 1).obj, fullChunk(b, 2).obj];
    objs.forEach((o) => o.refCountUp());
    await wrapper.batchedPut([makeKey(1), makeKey(2)], objs);
    expect(objs.map((o) => o.getRefCount())).toEqual([1, 1]);
    expect(getLogRecords().some((r) => r.level === "warning" && r.message === "batched put error: put failed")).toBe(true);
  });

  it("get returns the inner result and records read bytes", async () => {
    const b = makeBackend();
    const wrapper = new InstrumentedRemoteConnector(new ScriptedConnector(b, { "1": "hit" }));
    const hit = await wrapper.get(makeKey(1));
    expect(hit?.getRefCount()).toBe(1);
    expect(await wrapper.get(makeKey(2))).toBeNull();
    expect(wrapper.stats()).toMatchObject({ gets: 2, getHits: 1, getBytes: 2048 });
  });

  it("logs LMCache's 'Bytes offloaded/loaded' debug lines only when debug is enabled", async () => {
    const b = makeBackend();
    const wrapper = new InstrumentedRemoteConnector(new ScriptedConnector(b, { "1": "hit" }));
    const { obj } = fullChunk(b, 1);
    const debugLines = () => getLogRecords().filter((r) => r.level === "debug").map((r) => r.message);
    const previous = setLogLevel("info");
    try {
      obj.refCountUp();
      await wrapper.put(makeKey(1), obj);
      (await wrapper.get(makeKey(1)))?.refCountDown();
      expect(debugLines()).toEqual([]);
      setLogLevel("debug");
      obj.refCountUp();
      await wrapper.put(makeKey(1), obj);
      (await wrapper.get(makeKey(1)))?.refCountDown();
      expect(debugLines()).toEqual([
        expect.stringMatching(/^\[InstrumentedRemoteConnector\(.*\)\]Bytes offloaded: 0\.002 MBytes in \d+\.\d{3} ms$/),
        expect.stringMatching(/^\[InstrumentedRemoteConnector\(.*\)\]Bytes loaded: 0\.002 MBytes in \d+\.\d{3} ms$/),
      ]);
    } finally {
      setLogLevel(previous);
    }
  });

  it("delegates every other method, support flags and repr included", async () => {
    const b = makeBackend();
    const inner = new MemoryConnector({ loop: new EventLoop(), localCpuBackend: b.backend, config: b.config });
    const wrapper = new InstrumentedRemoteConnector(inner);
    expect(wrapper.getWrappedConnector()).toBe(inner);
    expect(String(wrapper)).toBe(`InstrumentedRemoteConnector(${String(inner)})`);
    expect(wrapper.name).toBe(String(wrapper));
    expect(wrapper.supportPing()).toBe(true);
    expect(await wrapper.ping()).toBe(0);
    expect(wrapper.supportBatchedGet()).toBe(true);
    expect(wrapper.supportBatchedPut()).toBe(true);
    expect(wrapper.supportBatchedContains()).toBe(true);
    const { obj } = fullChunk(b, 4);
    obj.refCountUp();
    await wrapper.put(makeKey(1), obj);
    expect(wrapper.batchedContains([makeKey(1), makeKey(2)])).toBe(1);
    expect(await wrapper.batchedAsyncContains("l", [makeKey(1)])).toBe(1);
    expect(wrapper.removeSync(makeKey(1))).toBe(true);
    expect(wrapper.existsSync(makeKey(1))).toBe(false);
    expect(() => wrapper.reshapePartialChunk(obj, 1)).toThrow(expect.objectContaining({ name: "ValueError" }));
    // Like LMCache's wrapper, the chunk-meta fields live on the inner connector only.
    expect(wrapper.fullChunkSizeBytes).toBeUndefined();
    expect(inner.fullChunkSizeBytes).toBe(2048);
  });
});
