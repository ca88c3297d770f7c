import { describe, expect, it } from "vitest";
import { runHarness } from "../../src/harness/run-harness";

const small = { numLayers: 2, numKvHeads: 2, headSize: 16 }; // 16-token chunk = 2·2·16·32·2 = 4 KiB

describe("runHarness against memory://", () => {
  it("hits locally and remotely, evicts under a small CPU cache, verifies bytes and leaks nothing", async () => {
    const chunkBytes = 2 * small.numLayers * 16 * small.numKvHeads * small.headSize * 2;
    const capacityChunks = 12;
    const progress: number[] = [];
    const report = await runHarness({
      url: "memory://",
      requests: 60,
      seed: 3,
      chunkSize: 16,
      model: small,
      maxLocalCpuSize: (capacityChunks * 4096) / 1024 ** 3,
      onProgress: (done) => progress.push(done),
    });
    expect(report.chunkBytes).toBe(chunkBytes);
    expect(progress).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    const c = report.chunks;
    expect(c.localHits + c.remoteHits + c.misses).toBe(c.lookedUp);
    expect(c.localHits).toBeGreaterThan(0);
    expect(c.remoteHits).toBeGreaterThan(0);
    expect(report.evictions).toBeGreaterThan(0);
    expect(report.corruptChunks).toBe(0);
    expect(report.hitRates.overall).toBeCloseTo((c.localHits + c.remoteHits) / c.lookedUp, 10);
    expect(report.bytes.written).toBe(c.stored * chunkBytes);
    expect(report.bytes.read).toBe(c.remoteHits * chunkBytes);
    expect(report.leaks).toMatchObject({ leakedObjects: 0, unexpectedRefCounts: 0, doubleFrees: 0 });
    expect(report.leaks.cpuCacheEntries).toBeLessThanOrEqual(capacityChunks);
    // memory:// supports batched_put: one put latency per request's batch (RemoteBackend's batched path).
    expect(report.latency.put.count).toBe(report.paths["batched_submit_put_task(batched_put)"]);
    expect(report.latency.exists.count).toBeGreaterThan(0);
    expect(report.latency.get.p99Ms).toBeGreaterThanOrEqual(report.latency.get.p50Ms);
  });

  it("is reproducible from the seed", async () => {
    const run = () => runHarness({ url: "memory://", requests: 20, seed: 9, chunkSize: 16, model: small, maxLocalCpuSize: 0.001 });
    const [a, b] = [await run(), await run()];
    expect(a.chunks).toEqual(b.chunks);
    expect(a.evictions).toBe(b.evictions);
  });

  it("raises LMCache's error for a URL no adapter parses", async () => {
    await expect(runHarness({ url: "nosuch://x", requests: 1, chunkSize: 16, model: small })).rejects.toThrow(/No adapter found for URL: nosuch:\/\/x/);
  });
});
