/**
 * Issue 14, "the harness is LMCache's RemoteBackend": the batched put / contains / async contains
 * / non-blocking get paths, remove → remove_sync, the MLA worker-id-0 mode, the scheduler-role
 * (no LocalCPUBackend) short-circuits and batched_get_blocking's length assertion.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createEngineConfig } from "../../src/config";
import { AssertionError } from "../../src/errors";
import { LMCacheMetadata } from "../../src/metadata";
import { RemoteBackend, type RemoteBackendSettings } from "../../src/harness/remote-backend";
import { RemoteConnector } from "../../src/connector/base-connector";
import { InstrumentedRemoteConnector } from "../../src/connector/instrumented-connector";
import type { CacheEngineKey } from "../../src/keys/cache-engine-key";
import type { MemoryObj } from "../../src/memory/memory-obj";
import { remoteBackendSettings } from "../../src/harness/settings";
import { harnessRunClean, runHarness } from "../../src/harness/run-harness";
import { formatHarnessReport } from "../../src/harness/format-report";
import { allocator, deferred, FakeConnection, filled, key } from "./fakes";

async function over(conn: FakeConnection, settings: Partial<RemoteBackendSettings> = {}, hasLocalCpuBackend = true): Promise<RemoteBackend> {
  const backend = new RemoteBackend({ url: "fake://", settings: { blockingTimeoutSecs: 0.1, useExistsSync: false, ...settings }, connect: async () => conn, hasLocalCpuBackend });
  expect(await backend.initConnection()).toBeNull();
  return backend;
}

describe("batched_submit_put_task", () => {
  it("with support_batched_put: one batched_put, exclusively, no de-duplication, references released", async () => {
    const alloc = allocator();
    const conn = new FakeConnection(alloc);
    conn.batchedPutSupported = true;
    const gate = deferred<void>();
    conn.innerBatchedPut = async (keys, objs) => {
      await gate.promise;
      keys.forEach((k, i) => conn.store.set(k.toString(), objs[i]!.byteArray.slice()));
    };
    const backend = await over(conn, { blockingTimeoutSecs: 5 });
    const a = filled(alloc, 32, 1);
    const b = filled(alloc, 32, 2);
    const first = backend.batchedSubmitPutTask([key(1), key(2)], [a, b]);
    // The same keys again while the first batch is in flight: LMCache does not check put_tasks here.
    const second = backend.batchedSubmitPutTask([key(1), key(2)], [a, b]);
    expect(a.getRefCount()).toBe(3); // caller + two in-flight batches
    gate.resolve();
    await Promise.all([first, second]);
    expect(conn.calls.filter((c) => c === "batchedPut")).toHaveLength(2);
    expect(conn.calls).not.toContain("put");
    expect(backend.stats.dedupedPuts).toBe(0);
    expect(backend.stats.batchedPuts).toBe(2);
    expect([a.getRefCount(), b.getRefCount()]).toEqual([1, 1]);
    expect(conn.store.size).toBe(2);
  });

  it("an error escaping batched_put is counted, never thrown; references still released", async () => {
    const alloc = allocator();
    const conn = new FakeConnection(alloc);
    conn.batchedPutSupported = true;
    conn.innerBatchedPut = async () => {
      throw new Error("store down");
    };
    const backend = await over(conn);
    const a = filled(alloc, 16, 1);
    await expect(backend.batchedSubmitPutTask([key(1)], [a])).resolves.toBeUndefined();
    expect(backend.stats.putFailures).toBe(1);
    expect(a.getRefCount()).toBe(1);
  });

  it("through LMCache's Instrumented wrapper a failing batched_put is swallowed (logged), and every reference is released once", async () => {
    class FailingBatch extends RemoteConnector {
      batches = 0;
      async exists(): Promise<boolean> { return false; }
      existsSync(): boolean { return false; }
      async get(): Promise<MemoryObj | null> { return null; }
      async put(): Promise<void> { throw new Error("per-key put must not be used"); }
      async list(): Promise<string[]> { return []; }
      async close(): Promise<void> {}
      override supportBatchedPut(): boolean { return true; }
      override async batchedPut(_k: CacheEngineKey[], _o: MemoryObj[]): Promise<void> {
        this.batches++;
        throw new Error("store down");
      }
    }
    const inner = new FailingBatch();
    const alloc = allocator();
    const backend = new RemoteBackend({ url: "x://", settings: { blockingTimeoutSecs: 1, useExistsSync: false }, connect: async () => new InstrumentedRemoteConnector(inner) });
    await backend.initConnection();
    const objs = [filled(alloc, 8, 1), filled(alloc, 8, 2)];
    await backend.batchedSubmitPutTask([key(1), key(2)], objs);
    expect(inner.batches).toBe(1);
    expect(backend.stats.putFailures).toBe(0); // swallowed by the wrapper, as in LMCache
    expect(objs.map((o) => o.getRefCount())).toEqual([1, 1]);
  });

  it("without the capability: a put per key, de-duplicated through put_tasks", async () => {
    const alloc = allocator();
    const conn = new FakeConnection(alloc);
    const backend = await over(conn);
    const a = filled(alloc, 16, 1);
    await backend.batchedSubmitPutTask([key(1), key(1)], [a, a]);
    expect(conn.calls.filter((c) => c === "put")).toHaveLength(1);
    expect(conn.calls).not.toContain("batchedPut");
    expect(backend.stats.dedupedPuts).toBe(1);
  });
});

describe("contains paths", () => {
  it("batched_contains is delegated when supported and gives 0 on an exception; else the contains loop", async () => {
    const alloc = allocator();
    const conn = new FakeConnection(alloc);
    conn.store.set(key(1).toString(), new Uint8Array(1));
    conn.store.set(key(2).toString(), new Uint8Array(1));
    const backend = await over(conn);
    expect(await backend.batchedContains([key(1), key(2), key(3), key(1)])).toBe(2);
    expect(conn.calls.filter((c) => c === "exists")).toHaveLength(3);
    conn.calls.length = 0;
    conn.batchedContainsSupported = true;
    expect(await backend.batchedContains([key(1), key(2), key(3)])).toBe(2);
    expect(conn.calls).toEqual(["batchedContains"]);
    conn.batchedContains = () => {
      throw new Error("boom");
    };
    expect(await backend.batchedContains([key(1)])).toBe(0);
    expect(backend.stats.batchedContainsFailures).toBe(1);
  });

  it("batched_async_contains: the connector's count under wait_for; unsupported, raising or hanging → 0", async () => {
    const alloc = allocator();
    const conn = new FakeConnection(alloc);
    conn.store.set(key(1).toString(), new Uint8Array(1));
    const backend = await over(conn);
    expect(backend.supportBatchedAsyncContains()).toBe(false);
    expect(await backend.batchedAsyncContains("l1", [key(1)])).toBe(0); // the assertion, caught
    conn.asyncContainsSupported = true;
    expect(backend.supportBatchedAsyncContains()).toBe(true);
    expect(await backend.batchedAsyncContains("l2", [key(1), key(2)])).toBe(1);
    conn.batchedAsyncContains = () => new Promise(() => undefined);
    expect(await backend.batchedAsyncContains("l3", [key(1)])).toBe(0);
    expect(backend.hungCalls.list().map((c) => c.method)).toEqual(["batchedAsyncContains"]);
    expect(backend.stats.batchedContainsFailures).toBe(2);
  });
});

describe("get paths", () => {
  it("batched_get_non_blocking: the connector's list under wait_for; a raise or a hang gives []", async () => {
    const alloc = allocator();
    const conn = new FakeConnection(alloc);
    conn.store.set(key(1).toString(), new Uint8Array([9]));
    conn.nonBlockingSupported = true;
    const backend = await over(conn);
    expect(backend.supportBatchedGetNonBlocking()).toBe(true);
    const objs = await backend.batchedGetNonBlocking("l", [key(1), key(2)]);
    expect(objs.map((o) => o.byteArray[0])).toEqual([9]);
    objs.forEach((o) => o.refCountDown());
    conn.batchedGetNonBlocking = async () => {
      throw new Error("x");
    };
    expect(await backend.batchedGetNonBlocking("l", [key(1)])).toEqual([]);
    conn.batchedGetNonBlocking = () => new Promise(() => undefined);
    expect(await backend.batchedGetNonBlocking("l", [key(1)])).toEqual([]);
    expect(backend.stats.nonBlockingGetFailures).toBe(2);
    expect(alloc.stats().liveObjects).toBe(0);
  });

  it("batched_get_blocking asserts len(objs) == len(keys): a short batched_get list raises AssertionError", async () => {
    const alloc = allocator();
    const conn = new FakeConnection(alloc);
    conn.batched = true;
    conn.store.set(key(1).toString(), new Uint8Array([1]));
    conn.batchedGet = async (keys) => [await conn.innerGet(keys[0]!)];
    const backend = await over(conn);
    const err = await backend.batchedGetBlocking([key(1), key(2), key(3)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AssertionError);
    expect((err as Error).message).toBe("keys length: 3, decompressed memory objs length: 1");
    expect(alloc.stats().liveObjects).toBe(0); // the short list's object was released (ours)
    // The right length passes, nulls and all.
    conn.batchedGet = async (keys) => Promise.all(keys.map((k) => conn.innerGet(k)));
    const objs = await backend.batchedGetBlocking([key(1), key(2)]);
    expect(objs.map((o) => (o ? o.byteArray[0] : null))).toEqual([1, null]);
    objs[0]!.refCountDown();
  });

  it("with no LocalCPUBackend (scheduler role): get → null, batched get → all null, non-blocking → [], without calling the connector", async () => {
    const conn = new FakeConnection(allocator());
    conn.batched = true;
    conn.nonBlockingSupported = true;
    const backend = await over(conn, {}, false);
    expect(await backend.getBlocking(key(1))).toBeNull();
    expect(await backend.batchedGetBlocking([key(1), key(2)])).toEqual([null, null]);
    expect(await backend.batchedGetNonBlocking("l", [key(1)])).toEqual([]);
    expect(conn.calls).toEqual([]);
  });
});

describe("remove and the MLA worker-id-0 mode", () => {
  it("remove calls remove_sync; an exception or no connection gives false", async () => {
    const conn = new FakeConnection(allocator());
    conn.store.set(key(1).toString(), new Uint8Array(1));
    const backend = await over(conn);
    expect(backend.remove(key(1))).toBe(true);
    expect(backend.remove(key(1))).toBe(false);
    expect(conn.calls).toEqual(["removeSync", "removeSync"]);
    conn.removeSync = () => {
      throw new Error("NotImplementedError");
    };
    expect(backend.remove(key(1))).toBe(false);
    const none = new RemoteBackend({ url: "x://", settings: { blockingTimeoutSecs: 1, useExistsSync: false }, connect: async () => conn });
    expect(none.remove(key(1))).toBe(false);
  });

  it("in MLA worker-id-0 mode reads use worker id 0 and puts are skipped", async () => {
    const alloc = allocator();
    const conn = new FakeConnection(alloc);
    const rank0 = key(5).withNewWorkerId(0).toString();
    conn.store.set(rank0, new Uint8Array([4]));
    const seen: string[] = [];
    const exists = conn.exists.bind(conn);
    conn.exists = async (k) => (seen.push(k.toString()), exists(k));
    const backend = await over(conn, { mlaWorkerIdAs0: true });
    const myKey = key(5).withNewWorkerId(3);
    expect(await backend.contains(myKey)).toBe(true);
    expect(seen).toEqual([rank0]);
    const obj = await backend.getBlocking(myKey);
    expect(obj?.byteArray[0]).toBe(4);
    obj?.refCountDown();
    const put = filled(alloc, 8, 1);
    await backend.submitPutTask(myKey, put);
    conn.batchedPutSupported = true;
    await backend.batchedSubmitPutTask([myKey], [put]);
    expect(conn.calls.filter((c) => c === "put" || c === "batchedPut")).toEqual([]);
    expect(backend.stats.mlaSkippedPuts).toBe(2);
    expect(put.getRefCount()).toBe(1);
  });

  it("the mode is on only with MLA, world_size > 1, worker_id != 0 and the extra_config flag (default use_mla)", () => {
    const meta = (useMla: boolean, worldSize: number, workerId: number) =>
      new LMCacheMetadata({ modelName: "m", worldSize, workerId, kvDtype: "bfloat16", kvShape: [2, 1, 16, 1, 8], chunkSize: 16, useMla });
    const cfg = (extra: Record<string, unknown> = {}) => createEngineConfig({ remoteUrl: "memory://", extraConfig: extra });
    expect(remoteBackendSettings(cfg(), meta(true, 2, 1)).mlaWorkerIdAs0).toBe(true);
    expect(remoteBackendSettings(cfg(), meta(true, 2, 0)).mlaWorkerIdAs0).toBe(false);
    expect(remoteBackendSettings(cfg(), meta(true, 1, 1)).mlaWorkerIdAs0).toBe(false);
    expect(remoteBackendSettings(cfg(), meta(false, 2, 1)).mlaWorkerIdAs0).toBe(false);
    expect(remoteBackendSettings(cfg({ remote_enable_mla_worker_id_as0: false }), meta(true, 2, 1)).mlaWorkerIdAs0).toBe(false);
    // Turning the flag on does not make a non-MLA model use the mode.
    expect(remoteBackendSettings(cfg({ remote_enable_mla_worker_id_as0: true }), meta(false, 2, 1)).mlaWorkerIdAs0).toBe(false);
  });
});

describe("run drives every path the connector offers", () => {
  it("memory:// (every capability): batched put, batched contains, async contains, non-blocking and batched gets, remove", async () => {
    const report = await runHarness({ url: "memory://", requests: 60, seed: 3, chunkSize: 16, model: { numLayers: 2, numKvHeads: 2, headSize: 16 }, maxLocalCpuSize: (12 * 4096) / 1024 ** 3 });
    for (const path of ["batched_submit_put_task(batched_put)", "batched_contains", "batched_async_contains", "batched_get_non_blocking", "batched_get_blocking(batched_get)", "remove"]) {
      expect(report.paths[path] ?? 0, path).toBeGreaterThan(0);
    }
    expect(report.paths.submit_put_task).toBeUndefined();
    expect(report.remote.batchedPuts).toBe(report.paths["batched_submit_put_task(batched_put)"]);
    expect(report.removes.removed).toBe(report.removes.attempted);
    expect(report.removes.stillFound).toBe(0);
    expect(report.backendErrors).toEqual([]);
    const text = formatHarnessReport(report);
    expect(text).toMatch(/^Paths: .*batched_async_contains ×\d+.*; remove: (\d+) of \1 removed$/m);
    expect(text).not.toContain("RemoteBackend raised");
  });

  it("a connector whose batched_get stops at the first miss fails the run with LMCache's AssertionError named", async () => {
    const report = await runHarness({
      url: "external://host:0/batched_get_stops_at_miss/?connector_name=BatchedGetStopsAtMiss",
      cwd: join(__dirname, "..", "fixtures", "broken"),
      requests: 80,
      seed: 3,
      chunkSize: 16,
      model: { numLayers: 2, numKvHeads: 2, headSize: 16 },
      maxLocalCpuSize: (12 * 4096) / 1024 ** 3,
    });
    expect(report.backendErrors).toMatchObject([{ method: "batched_get_blocking", errorName: "AssertionError", message: expect.stringMatching(/^keys length: \d+, decompressed memory objs length: \d+$/) }]);
    expect(harnessRunClean(report)).toBe(false);
    expect(formatHarnessReport(report)).toMatch(/RemoteBackend raised: batched_get_blocking: AssertionError: keys length/);
    expect(report.leaks.leakedObjects).toBe(0);
  });

  it("MLA worker-id-0 mode end to end: worker 1 of 2 finds what worker 0 stored and writes nothing", async () => {
    const store = `memory://mla-${process.pid}`;
    const common = { url: store, requests: 40, seed: 4, chunkSize: 16, model: { numLayers: 2, numKvHeads: 1, headSize: 32, useMla: true }, maxLocalCpuSize: (12 * 2048) / 1024 ** 3, worldSize: 2 };
    const rank0 = await runHarness({ ...common, workerId: 0 });
    expect(rank0.remote.mlaSkippedPuts).toBe(0);
    expect(rank0.bytes.written).toBeGreaterThan(0);
    const rank1 = await runHarness({ ...common, workerId: 1 });
    expect(rank1.remote.mlaSkippedPuts).toBeGreaterThan(0);
    expect(rank1.bytes.written).toBe(0);
    expect(rank1.chunks.remoteHits).toBeGreaterThan(0); // worker 0's keys, read through the rewrite
    expect(rank1.corruptChunks).toBe(0);
    // Switched off, worker 1 looks for its own keys and finds none remotely.
    const own = await runHarness({ ...common, workerId: 1, config: { extraConfig: { remote_enable_mla_worker_id_as0: false } } });
    expect(own.remote.mlaSkippedPuts).toBe(0);
    expect(own.bytes.written).toBeGreaterThan(0);
  });
});
