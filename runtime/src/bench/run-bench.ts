/**
 * `lmcache-connector bench <url>` (ours, in the spirit of LMCache's `lmcache bench l2`):
 * rounds of store → lookup → load against one connector, after warm-up rounds, with a fixed
 * number of keys per round, a payload size, an in-flight depth and a controlled lookup hit rate.
 * Reports p50/p99 latency, ops/s and MB/s per phase, and — as a yardstick measured in the same
 * run — the bandwidth of a plain memory copy of the same payload. Bytes are verified in the last
 * round (conformance catalogue C15.1/C15.2).
 */
import { createEngineConfig, type LMCacheEngineConfig } from "../config";
import { pluginNameFromUrl } from "../connector/adapter";
import { createConnector } from "../connector/create-connector";
import { CacheEngineKey } from "../keys/cache-engine-key";
import { MemoryFormat } from "../memory/memory-format";
import type { MemoryObj } from "../memory/memory-obj";
import { LMCacheMetadata } from "../metadata";
import { LocalCPUBackend } from "../storage-backend/local-cpu-backend";
import { fillChunk, verifyChunk } from "../harness/chunk-bytes";
import { LatencyRecorder, type LatencySummary } from "../harness/latency";

export interface BenchOptions {
  url: string;
  cwd?: string;
  searchPaths?: string[];
  /** Measured rounds (default 3). */
  rounds?: number;
  /** Warm-up rounds, not measured (default 1). */
  warmupRounds?: number;
  /** Keys stored per round (default 32). */
  keys?: number;
  /** Bytes per object (default 1 MiB). */
  payloadBytes?: number;
  /** Fraction of lookups that ask for a stored key (default 1.0). */
  hitRate?: number;
  /** Operations in flight at once (default 8). */
  inflight?: number;
  config?: Partial<LMCacheEngineConfig>;
  onProgress?(done: number, total: number, text?: string): void;
  signal?: AbortSignal;
}

/** One phase's numbers over all measured rounds. */
export interface PhaseReport {
  ops: number;
  opsPerSec: number;
  MBps: number;
  latency: LatencySummary;
}

export interface BenchReport {
  url: string;
  connector: string;
  rounds: number;
  warmupRounds: number;
  keysPerRound: number;
  payloadBytes: number;
  hitRate: number;
  inflight: number;
  store: PhaseReport;
  lookup: PhaseReport & { observedHitRate: number };
  load: PhaseReport;
  /** Plain `Buffer.copy` bandwidth of the same payload, measured in this run. */
  memcpyMBps: number;
  storeMBps: number;
  loadMBps: number;
  verification: { passed: boolean; round: number; checkedKeys: number; mismatches: number; missing: number; lookupMismatches: number };
  ms: number;
}

const MB = 1e6;

async function pool<T>(items: readonly T[], depth: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(depth, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(workers);
}

/** Bandwidth (MB/s) of copying `bytes` bytes with `Buffer.copy`, `times` times. */
export function measureMemcpyMBps(bytes: number, times: number): number {
  const src = Buffer.alloc(bytes, 0xab);
  const dst = Buffer.alloc(bytes);
  src.copy(dst); // fault the pages in before timing
  const start = performance.now();
  for (let i = 0; i < times; i++) src.copy(dst);
  const s = (performance.now() - start) / 1000;
  return (bytes * times) / MB / Math.max(s, 1e-9);
}

function check(name: string, value: number, ok: boolean): void {
  if (!ok) throw new RangeError(`bench: invalid ${name}: ${value}`);
}

/** Runs the benchmark; throws the connector's load error as LMCache raises it. */
export async function runBench(opts: BenchOptions): Promise<BenchReport> {
  const started = performance.now();
  const rounds = opts.rounds ?? 3;
  const warmupRounds = opts.warmupRounds ?? 1;
  const keys = opts.keys ?? 32;
  const payloadBytes = opts.payloadBytes ?? 1 << 20;
  const hitRate = opts.hitRate ?? 1.0;
  const inflight = opts.inflight ?? 8;
  check("rounds", rounds, Number.isInteger(rounds) && rounds >= 1);
  check("warm-up rounds", warmupRounds, Number.isInteger(warmupRounds) && warmupRounds >= 0);
  check("keys", keys, Number.isInteger(keys) && keys >= 1);
  check("payload bytes", payloadBytes, Number.isInteger(payloadBytes) && payloadBytes >= 1);
  check("hit rate", hitRate, hitRate >= 0 && hitRate <= 1);
  check("in-flight depth", inflight, Number.isInteger(inflight) && inflight >= 1);

  // Room for every in-flight object plus the ones a connector may allocate while loading.
  const capacity = Math.max(64 << 20, payloadBytes * (inflight * 4 + 8));
  const config = createEngineConfig({ ...opts.config, maxLocalCpuSize: capacity / 1024 ** 3, remoteUrl: opts.url });
  const metadata = new LMCacheMetadata({ modelName: "bench", worldSize: 1, workerId: 0, kvDtype: "uint8", kvShape: [1, 1, 1, 1, payloadBytes], chunkSize: 1 });
  const localCpu = new LocalCPUBackend({ config, metadata });
  const connector = await createConnector(opts.url, { localCpuBackend: localCpu, config, metadata, cwd: opts.cwd, searchPaths: opts.searchPaths, pluginName: pluginNameFromUrl(opts.url) });
  const shape = [1, 1, 1, payloadBytes];
  const keyOf = (hash: number): CacheEngineKey => new CacheEngineKey({ modelName: "bench", worldSize: 1, workerId: 0, chunkHash: hash, dtype: "uint8" });

  const lat = { store: new LatencyRecorder(), lookup: new LatencyRecorder(), load: new LatencyRecorder() };
  const wall = { store: 0, lookup: 0, load: 0 };
  let lookupHits = 0;
  let lookups = 0;
  let loadedBytes = 0;
  const verification = { passed: true, round: rounds, checkedKeys: 0, mismatches: 0, missing: 0, lookupMismatches: 0 };
  const totalRounds = warmupRounds + rounds;

  try {
    for (let round = 0; round < totalRounds; round++) {
      if (opts.signal?.aborted) throw new Error("bench cancelled");
      const measured = round >= warmupRounds;
      const last = round === totalRounds - 1;
      const hashes = Array.from({ length: keys }, (_, i) => (round + 1) * 1_000_003 + i);

      // store
      let t = performance.now();
      await pool(hashes, inflight, async (hash) => {
        const obj = localCpu.allocate(shape, "uint8", MemoryFormat.KV_2LTD, false);
        if (!obj) throw new RangeError("bench: CPU buffer exhausted");
        fillChunk(obj.byteArray, hash);
        const s = performance.now();
        await connector.put(keyOf(hash), obj); // the instrumented wrapper releases obj
        if (measured) lat.store.record(performance.now() - s);
      });
      if (measured) wall.store += performance.now() - t;

      // lookup: hitRate of the queries ask for stored keys, the rest for keys never stored
      const hitCount = Math.round(keys * hitRate);
      const queries = hashes.map((h, i) => ({ hash: i < hitCount ? h : 2 ** 40 + h, stored: i < hitCount }));
      t = performance.now();
      await pool(queries, inflight, async (q) => {
        const s = performance.now();
        const found = await connector.exists(keyOf(q.hash));
        if (measured) {
          lat.lookup.record(performance.now() - s);
          lookups++;
          if (found) lookupHits++;
        }
        if (last && found !== q.stored) verification.lookupMismatches++;
      });
      if (measured) wall.lookup += performance.now() - t;

      // load the hits
      t = performance.now();
      await pool(hashes.slice(0, hitCount), inflight, async (hash) => {
        const s = performance.now();
        const obj: MemoryObj | null = await connector.get(keyOf(hash));
        if (measured) lat.load.record(performance.now() - s);
        if (!obj) {
          if (last) verification.missing++;
          return;
        }
        if (measured) loadedBytes += obj.getSize();
        if (last) {
          verification.checkedKeys++;
          if (obj.getSize() !== payloadBytes || !verifyChunk(obj.byteArray, hash)) verification.mismatches++;
        }
        obj.refCountDown();
      });
      if (measured) wall.load += performance.now() - t;
      opts.onProgress?.(round + 1, totalRounds, measured ? `round ${round + 1 - warmupRounds}/${rounds}` : "warm-up");
    }
  } finally {
    await connector.close().catch(() => {});
  }
  verification.passed = verification.mismatches === 0 && verification.missing === 0 && verification.lookupMismatches === 0;

  const memcpyMBps = measureMemcpyMBps(payloadBytes, Math.max(8, Math.min(256, Math.ceil((256 << 20) / payloadBytes))));
  const phase = (rec: LatencyRecorder, ms: number, bytes: number): PhaseReport => ({
    ops: rec.count,
    opsPerSec: rec.count / Math.max(ms / 1000, 1e-9),
    MBps: bytes / MB / Math.max(ms / 1000, 1e-9),
    latency: rec.summary(),
  });
  const store = phase(lat.store, wall.store, lat.store.count * payloadBytes);
  const load = phase(lat.load, wall.load, loadedBytes);
  return {
    url: opts.url,
    connector: String(connector),
    rounds,
    warmupRounds,
    keysPerRound: keys,
    payloadBytes,
    hitRate,
    inflight,
    store,
    lookup: { ...phase(lat.lookup, wall.lookup, 0), observedHitRate: lookups ? lookupHits / lookups : 0 },
    load,
    memcpyMBps,
    storeMBps: store.MBps,
    loadMBps: load.MBps,
    verification,
    ms: performance.now() - started,
  };
}
