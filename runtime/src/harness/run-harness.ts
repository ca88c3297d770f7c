/**
 * `lmcache-connector run <url>` (ours): drives a connector the way an LMCache serving engine
 * would — a `RemoteBackend` in front of a `LocalCPUBackend`, fed by an LLM-shaped workload — and
 * reports hit rates, latency percentiles, bytes moved, evictions and reference leaks.
 *
 * Per request (LMCache's store/retrieve in miniature):
 * 1. lookup, prefix-wise: each chunk key is looked for in the CPU cache (pinning hits), then
 *    remotely (`RemoteBackend.contains`); the first chunk found nowhere ends the prefix;
 * 2. load: CPU hits via `getBlocking` (+1 ref, released after use); remote hits via
 *    `batchedGetBlocking`, every object verified byte for byte, written back to the CPU cache
 *    (as LMCache's StorageManager does for remote hits) and released;
 * 3. store after "prefill": each remaining chunk is allocated from the CPU backend (evicting
 *    LRU entries when full), filled, put into the CPU cache and submitted to the remote
 *    (fire-and-forget), then the creator's reference is dropped.
 *
 * Every connector call is bounded by `blocking_timeout_secs` (see `RemoteBackend`). After the
 * first call that misses its deadline the workload stops (ours): each later request would wait
 * the deadline out again, so the run ends within about one deadline of the hang, and the report
 * names the method in `hungCalls` (a failed run).
 */
import { createEngineConfig, type LMCacheEngineConfig } from "../config";
import { pluginNameFromUrl } from "../connector/adapter";
import { createConnector } from "../connector/create-connector";
import { CacheEngineKey } from "../keys/cache-engine-key";
import type { DType } from "../memory/dtypes";
import { MemoryFormat } from "../memory/memory-format";
import type { MemoryObj } from "../memory/memory-obj";
import { LMCacheMetadata } from "../metadata";
import { LocalCPUBackend } from "../storage-backend/local-cpu-backend";
import { fillChunk, verifyChunk } from "./chunk-bytes";
import type { LatencySummary } from "./latency";
import { RemoteBackend, type RemoteBackendStats } from "./remote-backend";
import { RemoteMonitor, type HealthEvent } from "./remote-monitor";
import { remoteBackendSettings, remoteMonitorOptions } from "./settings";
import { generateWorkload } from "./workload";
import type { HungCall } from "./hung-calls";

/** The model whose KV chunks the workload moves. Default: a small Llama-like model. */
export interface HarnessModel {
  name: string;
  numLayers: number;
  numKvHeads: number;
  headSize: number;
  dtype: DType;
}

export const DEFAULT_HARNESS_MODEL: HarnessModel = { name: "harness-model", numLayers: 4, numKvHeads: 8, headSize: 64, dtype: "bfloat16" };

export interface HarnessOptions {
  url: string;
  /** Directory connector module paths resolve against. */
  cwd?: string;
  searchPaths?: string[];
  /** Number of requests (default 200). */
  requests?: number;
  /** Workload seed (default 0). */
  seed?: number;
  /** CPU cache size in GB (default 0.05: small, so eviction happens). */
  maxLocalCpuSize?: number;
  /** Tokens per chunk (default 256, LMCache's). */
  chunkSize?: number;
  model?: Partial<HarnessModel>;
  /** Config overrides (camelCase), e.g. `{ extraConfig: { use_exists_sync: true } }`. */
  config?: Partial<LMCacheEngineConfig>;
  /**
   * Ping interval in seconds when `extra_config.ping_interval` is not set. LMCache's 30 s would
   * never fire in a short run, so the harness scales it down to 0.2 s (ours).
   */
  defaultPingIntervalSecs?: number;
  onProgress?(done: number, total: number, text?: string): void;
  signal?: AbortSignal;
}

export interface HarnessReport {
  url: string;
  connector: string;
  requests: number;
  seed: number;
  chunkSize: number;
  chunkBytes: number;
  maxLocalCpuSize: number;
  chunks: { lookedUp: number; localHits: number; remoteHits: number; misses: number; stored: number };
  hitRates: { local: number; remote: number; overall: number };
  latency: { get: LatencySummary; put: LatencySummary; exists: LatencySummary };
  bytes: { written: number; read: number; localRead: number };
  evictions: number;
  /**
   * Ours: what the remote store itself evicted, when its connector reports it (`stats()` with
   * `evictions`, as `memory://` does under its `memory_capacity_bytes`); absent otherwise.
   */
  remoteStore?: { evictions: number; evictedBytes: number; bytes: number; capacityBytes: number };
  allocationFailures: number;
  /** Chunks read back (locally or remotely) whose bytes differ from what was stored. */
  corruptChunks: number;
  remote: RemoteBackendStats;
  /**
   * Connector calls that did not settle within `blocking_timeout_secs`, one entry per method
   * ("put() did not settle within 10000 ms"); any entry fails the run. Ours: LMCache bounds only
   * gets, and would stall (or, for a put, silently hold the key in `put_tasks`) on the others.
   */
  hungCalls: HungCall[];
  /** Requests run; fewer than `requests` when the workload stopped after a hung call. */
  requestsRun: number;
  health: { pings: number; inFallbackAtEnd: boolean; events: HealthEvent[] };
  leaks: {
    /**
     * Allocator objects alive that the CPU cache does not hold (after every put settled), not
     * counting those a hung put still holds (`heldByHungPuts`).
     */
    leakedObjects: number;
    /** Objects whose put missed its deadline and has not settled: held, not leaked (yet). */
    heldByHungPuts: number;
    /** CPU-cache entries whose ref count is not 1 (an unreleased reference somewhere). */
    unexpectedRefCounts: number;
    /** Ref counts driven below zero during the run. */
    doubleFrees: number;
    liveObjectsAtEnd: number;
    cpuCacheEntries: number;
  };
  ms: number;
}

/** No reference went astray: nothing leaked, no cached entry held an extra reference, no double free. */
export function referencesClean(r: HarnessReport): boolean {
  return r.leaks.leakedObjects === 0 && r.leaks.unexpectedRefCounts === 0 && r.leaks.doubleFrees === 0;
}

/** The verdict of a run, shared by the CLI's exit code and the runner: clean references, intact bytes, no hung call. */
export function harnessRunClean(r: HarnessReport): boolean {
  return referencesClean(r) && r.corruptChunks === 0 && r.hungCalls.length === 0;
}

const GB = 1024 ** 3;

/** The store's own eviction counts, from a connector (under the instrumented wrapper) that has a `stats()` reporting them. */
function remoteStoreStats(connection: unknown): HarnessReport["remoteStore"] {
  const inner = (connection as { getWrappedConnector?(): unknown } | null)?.getWrappedConnector?.() as { stats?(): Record<string, unknown> } | undefined;
  const stats = typeof inner?.stats === "function" ? inner.stats() : null;
  if (!stats || typeof stats.evictions !== "number") return undefined;
  const num = (v: unknown) => (typeof v === "number" ? v : 0);
  return { evictions: stats.evictions, evictedBytes: num(stats.evictedBytes), bytes: num(stats.bytes), capacityBytes: num(stats.capacityBytes) };
}

/** Runs the workload against `opts.url`; throws the connector's load error as LMCache raises it. */
export async function runHarness(opts: HarnessOptions): Promise<HarnessReport> {
  const started = performance.now();
  const requests = opts.requests ?? 200;
  const seed = opts.seed ?? 0;
  const chunkSize = opts.chunkSize ?? 256;
  const maxLocalCpuSize = opts.maxLocalCpuSize ?? 0.05;
  const model = { ...DEFAULT_HARNESS_MODEL, ...opts.model };
  const extraConfig = { ...(opts.config?.extraConfig ?? {}) } as Record<string, unknown>;
  if (!("ping_interval" in extraConfig)) extraConfig.ping_interval = opts.defaultPingIntervalSecs ?? 0.2;
  const config = createEngineConfig({ ...opts.config, chunkSize, maxLocalCpuSize, remoteUrl: opts.url, extraConfig });
  const metadata = new LMCacheMetadata({
    modelName: model.name,
    worldSize: 1,
    workerId: 0,
    kvDtype: model.dtype,
    kvShape: [model.numLayers, 2, chunkSize, model.numKvHeads, model.headSize],
    chunkSize,
  });
  const localCpu = new LocalCPUBackend({ config, metadata });
  const allocator = localCpu.memoryAllocator;
  const shape = metadata.getShapes()[0]!;
  const chunkBytes = localCpu.getFullChunkSizeBytes();
  if (chunkBytes > Math.floor(maxLocalCpuSize * GB)) {
    throw new RangeError(`max_local_cpu_size ${maxLocalCpuSize} GB cannot hold one ${chunkBytes}-byte chunk`);
  }

  const backend = new RemoteBackend({
    url: opts.url,
    settings: remoteBackendSettings(config),
    connect: async (url) =>
      (await createConnector(url, { localCpuBackend: localCpu, config, metadata, cwd: opts.cwd, searchPaths: opts.searchPaths, pluginName: pluginNameFromUrl(url) })),
  });
  const loadError = await backend.initConnection();
  if (loadError) throw loadError;
  const connectorName = String(backend.connection);
  const monitor = new RemoteMonitor(backend, remoteMonitorOptions(config));
  monitor.start();
  const baselineDoubleFrees = allocator.stats().doubleFrees;

  const keyOf = (hash: number): CacheEngineKey =>
    new CacheEngineKey({ modelName: metadata.modelName, worldSize: 1, workerId: 0, chunkHash: hash, dtype: model.dtype });
  const cpuEntries = (): number => localCpu.size;
  const chunks = { lookedUp: 0, localHits: 0, remoteHits: 0, misses: 0, stored: 0 };
  let evictions = 0;
  let allocationFailures = 0;
  let corruptChunks = 0;
  let localRead = 0;

  const allocateChunk = async (): Promise<MemoryObj | null> => {
    const before = cpuEntries();
    let obj = localCpu.allocate(shape, model.dtype, MemoryFormat.KV_2LTD);
    if (!obj) {
      // Everything evictable is gone; in-flight puts hold the rest. Let them land, then retry once.
      await backend.drain();
      obj = localCpu.allocate(shape, model.dtype, MemoryFormat.KV_2LTD);
    }
    evictions += Math.max(0, before - cpuEntries());
    return obj;
  };

  const workload = generateWorkload({ requests, seed, chunkSize });
  let requestsRun = 0;
  try {
    for (const request of workload) {
      if (opts.signal?.aborted) throw new Error("run cancelled");
      if (backend.hungCalls.any) break; // a hung call fails the run; more requests only wait it out again
      const keys = request.chunkHashes.map(keyOf);
      // 1. prefix lookup
      // CPU hits are pinned during the lookup (LMCache `contains(key, pin=True)`), so loading the
      // remote part of the prefix — which allocates, and may evict — cannot evict them.
      const where: Array<"local" | "remote"> = [];
      const pinned: CacheEngineKey[] = [];
      for (const key of keys) {
        if (localCpu.contains(key, true)) {
          where.push("local");
          pinned.push(key);
        } else if (await backend.contains(key)) where.push("remote");
        else break;
      }
      chunks.lookedUp += keys.length;
      // 2. load the prefix; a failed remote load ends it there.
      let prefix = 0;
      const remoteIdx: number[] = [];
      for (let i = 0; i < where.length; i++) {
        if (where[i] === "remote") {
          remoteIdx.push(i);
          continue;
        }
        if (remoteIdx.length > 0) break; // local after remote: loaded with the remote batch below
        const obj = localCpu.getBlocking(keys[i]!);
        if (!obj) break;
        if (!verifyChunk(obj.byteArray, request.chunkHashes[i]!)) corruptChunks++;
        localRead += obj.getSize();
        obj.refCountDown();
        chunks.localHits++;
        prefix = i + 1;
      }
      if (remoteIdx.length > 0) {
        // Load the rest of the found prefix: remote chunks in one batch, CPU chunks directly.
        const base = prefix;
        const rest = where.slice(base);
        const remoteKeys = rest.map((w, j) => (w === "remote" ? keys[base + j]! : null)).filter((k): k is CacheEngineKey => k !== null);
        const loaded = await backend.batchedGetBlocking(remoteKeys);
        let r = 0;
        let ok = true;
        for (let j = 0; j < rest.length; j++) {
          const i = base + j;
          const hash = request.chunkHashes[i]!;
          const obj = rest[j] === "remote" ? loaded[r++] ?? null : localCpu.getBlocking(keys[i]!);
          if (!ok || !obj) {
            ok = false;
            obj?.refCountDown();
            continue;
          }
          if (!verifyChunk(obj.byteArray, hash)) {
            corruptChunks++;
            obj.refCountDown();
            ok = false;
            continue;
          }
          if (rest[j] === "remote") {
            chunks.remoteHits++;
            localCpu.submitPutTask(keys[i]!, obj); // write-back of a remote hit
          } else {
            chunks.localHits++;
            localRead += obj.getSize();
          }
          obj.refCountDown();
          prefix = i + 1;
        }
      }
      for (const key of pinned) localCpu.unpin(key);
      localCpu.touchCache(); // LRU update for this request's CPU hits
      chunks.misses += keys.length - prefix;
      // 3. store what had to be recomputed.
      for (let i = prefix; i < keys.length; i++) {
        const obj = await allocateChunk();
        if (!obj) {
          allocationFailures++;
          break;
        }
        fillChunk(obj.byteArray, request.chunkHashes[i]!);
        localCpu.submitPutTask(keys[i]!, obj);
        void backend.submitPutTask(keys[i]!, obj);
        obj.refCountDown();
        chunks.stored++;
      }
      requestsRun = request.index + 1;
      opts.onProgress?.(request.index + 1, requests, `${chunks.localHits} local / ${chunks.remoteHits} remote hits`);
      // Let fire-and-forget puts and the monitor make progress between requests, as threads would.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await backend.drain();
  } finally {
    monitor.stop();
    monitor.restore();
  }

  // Leak accounting: every put has settled; the CPU cache should hold exactly one ref per entry.
  let unexpectedRefCounts = 0;
  const cachedObjects = new Set<MemoryObj>();
  for (const key of localCpu.getKeys()) {
    const obj = localCpu.getBlocking(key);
    if (!obj) continue;
    cachedObjects.add(obj);
    // +1 for our getBlocking, +1 more while a hung put still holds the object.
    if (obj.getRefCount() !== 2 + (backend.heldByHungPuts.has(obj) ? 1 : 0)) unexpectedRefCounts++;
    obj.refCountDown();
  }
  const cpuCacheEntries = cpuEntries();
  const liveObjectsAtEnd = allocator.stats().liveObjects;
  const heldByHungPuts = backend.heldByHungPuts.size;
  const heldOutsideCache = [...backend.heldByHungPuts].filter((o) => !cachedObjects.has(o)).length;
  const remoteStore = remoteStoreStats(backend.connection);
  await backend.close();
  const total = chunks.lookedUp || 1;
  return {
    url: opts.url,
    connector: connectorName,
    requests,
    seed,
    chunkSize,
    chunkBytes,
    maxLocalCpuSize,
    chunks,
    hitRates: { local: chunks.localHits / total, remote: chunks.remoteHits / total, overall: (chunks.localHits + chunks.remoteHits) / total },
    latency: { get: backend.latency.get.summary(), put: backend.latency.put.summary(), exists: backend.latency.exists.summary() },
    bytes: { written: backend.stats.bytesWritten, read: backend.stats.bytesRead, localRead },
    evictions,
    ...(remoteStore ? { remoteStore } : {}),
    allocationFailures,
    corruptChunks,
    remote: { ...backend.stats },
    hungCalls: backend.hungCalls.list(),
    requestsRun,
    health: { pings: monitor.pings, inFallbackAtEnd: false, events: monitor.events },
    leaks: {
      leakedObjects: Math.max(0, liveObjectsAtEnd - cpuCacheEntries - heldOutsideCache),
      heldByHungPuts,
      unexpectedRefCounts,
      doubleFrees: allocator.stats().doubleFrees - baselineDoubleFrees,
      liveObjectsAtEnd,
      cpuCacheEntries,
    },
    ms: performance.now() - started,
  };
}
