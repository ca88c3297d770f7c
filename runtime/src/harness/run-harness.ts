/**
 * `lmcache-connector run <url>` (ours): drives a connector the way an LMCache serving engine
 * would — a `RemoteBackend` in front of a `LocalCPUBackend`, fed by an LLM-shaped workload — and
 * reports hit rates, latency percentiles, bytes moved, evictions and reference leaks.
 *
 * Per request (LMCache's store/retrieve in miniature), along every path RemoteBackend has:
 * 1. lookup, prefix-wise as StorageManager does: the CPU cache first (pinning its hits), then the
 *    remote for the rest — `batched_async_contains` on odd requests when the connector supports
 *    it, else `batched_contains` (delegated to the connector when it supports it, else the
 *    per-key `contains` loop through `exists`/`exists_sync`);
 * 2. load: CPU hits via `getBlocking`; remote hits via `batched_get_non_blocking` on odd requests
 *    when supported, else `get_blocking` (one chunk) or `batched_get_blocking` (several; its
 *    length assertion may raise, which is reported in `backendErrors` and treated as a miss);
 *    every object is verified byte for byte, written back to the CPU cache and released;
 * 3. store after "prefill": each remaining chunk is allocated from the CPU backend (evicting LRU
 *    entries when full), filled, put into the CPU cache and submitted to the remote with
 *    `batched_submit_put_task` (one `batched_put` when supported, else a put per key).
 * After the workload, the first request's chunks are removed (`remove` → `remove_sync`).
 *
 * Health: the newer `HealthMonitor` + `RemoteBackendHealthCheck` (default) — while unhealthy the
 * `recompute` policy skips every cache operation of a request, `local_cpu` bypasses the remote —
 * or, with `extra_config.harness_health_model: remote_monitor`, the older `RemoteMonitor`'s
 * blackhole swap (see `./settings`).
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
import { HealthMonitor, RemoteBackendHealthCheck, type FallbackPolicy, type HealthCheckEvent } from "./health-check";
import { RemoteMonitor, type HealthEvent } from "./remote-monitor";
import { healthCheckOptions, healthModelOf, remoteBackendSettings, remoteMonitorOptions, type HealthModel } from "./settings";
import { generateWorkload } from "./workload";
import type { HungCall } from "./hung-calls";

/** The model whose KV chunks the workload moves. Default: a small Llama-like model. */
export interface HarnessModel {
  name: string;
  numLayers: number;
  numKvHeads: number;
  headSize: number;
  dtype: DType;
  /** MLA model (`use_mla`; default false). */
  useMla?: boolean;
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
  /**
   * The engine's tensor-parallel place (default a single worker: 1 and 0). With an MLA model, a
   * world size above 1 and a non-zero worker id, LMCache's MLA worker-id-0 mode applies (reads use
   * worker 0's keys, puts are skipped) unless `extra_config.remote_enable_mla_worker_id_as0` is false.
   */
  worldSize?: number;
  workerId?: number;
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
  /**
   * Exceptions RemoteBackend raised to its caller — in LMCache they reach the serving engine —
   * one entry per kind: `batched_get_blocking`'s `AssertionError` on a `batched_get` list of the
   * wrong length, a `TypeError` on a result that is not a list. Any entry fails the run.
   */
  backendErrors: Array<{ method: string; errorName: string; message: string; count: number }>;
  /** How often each RemoteBackend path was taken (ours: shows which paths the connector exercised). */
  paths: Record<string, number>;
  /** The `remove` step after the workload: keys asked, `remove_sync` true, still found afterwards. */
  removes: { attempted: number; removed: number; stillFound: number };
  /** Requests run; fewer than `requests` when the workload stopped after a hung call. */
  requestsRun: number;
  health: {
    /** Which era's model ran (`extra_config.harness_health_model`). */
    model: HealthModel;
    /** `fallback_policy` of the newer model. */
    fallbackPolicy?: FallbackPolicy;
    /** Pings (older model) or health checks (newer model) run. */
    pings: number;
    inFallbackAtEnd: boolean;
    /** Requests whose cache operations were skipped (`recompute`) or that bypassed the remote (`local_cpu`). */
    skippedRequests: number;
    bypassedRequests: number;
    events: Array<HealthEvent | HealthCheckEvent>;
  };
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

/** The verdict of a run, shared by the CLI's exit code and the runner: clean references, intact bytes, no hung call, nothing raised. */
export function harnessRunClean(r: HarnessReport): boolean {
  return referencesClean(r) && r.corruptChunks === 0 && r.hungCalls.length === 0 && r.backendErrors.length === 0;
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
    worldSize: opts.worldSize ?? 1,
    workerId: opts.workerId ?? 0,
    useMla: model.useMla ?? false,
    kvDtype: model.dtype,
    kvShape: [model.numLayers, model.useMla ? 1 : 2, chunkSize, model.numKvHeads, model.headSize],
    chunkSize,
  });
  const localCpu = new LocalCPUBackend({ config, metadata });
  const allocator = localCpu.memoryAllocator;
  const shape = metadata.getShapes()[0]!;
  const chunkBytes = localCpu.getFullChunkSizeBytes();
  if (chunkBytes > Math.floor(maxLocalCpuSize * GB)) {
    throw new RangeError(`max_local_cpu_size ${maxLocalCpuSize} GB cannot hold one ${chunkBytes}-byte chunk`);
  }

  const healthModel = healthModelOf(config);
  const checkOptions = healthModel === "health_monitor" ? healthCheckOptions(config) : null;
  const monitorOptions = healthModel === "remote_monitor" ? remoteMonitorOptions(config) : null;
  const backend = new RemoteBackend({
    url: opts.url,
    settings: remoteBackendSettings(config, metadata),
    connect: async (url) =>
      (await createConnector(url, { localCpuBackend: localCpu, config, metadata, cwd: opts.cwd, searchPaths: opts.searchPaths, pluginName: pluginNameFromUrl(url) })),
  });
  const loadError = await backend.initConnection();
  if (loadError) throw loadError;
  const connectorName = String(backend.connection);
  const monitor = monitorOptions ? new RemoteMonitor(backend, monitorOptions) : null;
  const health = checkOptions ? new HealthMonitor(new RemoteBackendHealthCheck(backend, localCpu, checkOptions)) : null;
  monitor?.start();
  health?.start();
  const paths: Record<string, number> = {};
  const took = (path: string): void => void (paths[path] = (paths[path] ?? 0) + 1);
  const backendErrors = new Map<string, HarnessReport["backendErrors"][number]>();
  const noteRaised = (method: string, err: unknown): void => {
    const errorName = (err as Error)?.name ?? "Error";
    const message = (err as Error)?.message ?? String(err);
    const entry = backendErrors.get(`${method}/${errorName}`);
    if (entry) entry.count++;
    else backendErrors.set(`${method}/${errorName}`, { method, errorName, message, count: 1 });
  };
  let skippedRequests = 0;
  let bypassedRequests = 0;
  const baselineDoubleFrees = allocator.stats().doubleFrees;

  const keyOf = (hash: number): CacheEngineKey =>
    new CacheEngineKey({ modelName: metadata.modelName, worldSize: metadata.worldSize, workerId: metadata.workerId, chunkHash: hash, dtype: model.dtype });
  const cpuEntries = (): number => localCpu.size;
  const chunks = { lookedUp: 0, localHits: 0, remoteHits: 0, misses: 0, stored: 0 };
  let evictions = 0;
  let allocationFailures = 0;
  let corruptChunks = 0;
  let localRead = 0;

  const chunkFmt = model.useMla ? MemoryFormat.KV_MLA_FMT : MemoryFormat.KV_2LTD;
  const allocateChunk = async (): Promise<MemoryObj | null> => {
    const before = cpuEntries();
    let obj = localCpu.allocate(shape, model.dtype, chunkFmt);
    if (!obj) {
      // Everything evictable is gone; in-flight puts hold the rest. Let them land, then retry once.
      await backend.drain();
      obj = localCpu.allocate(shape, model.dtype, chunkFmt);
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
      const odd = request.index % 2 === 1;
      const lookupId = `req-${request.index}`;
      chunks.lookedUp += keys.length;
      if (health && !health.healthy) {
        // recompute policy, unhealthy: the engine skips every cache operation.
        skippedRequests++;
        chunks.misses += keys.length;
      } else {
        const remoteOn = !health?.remoteBypassed;
        if (!remoteOn) bypassedRequests++;
        // 1. prefix lookup: the CPU cache first (hits pinned, LMCache `contains(key, pin=True)`, so
        // loading the remote part — which allocates and may evict — cannot evict them), then the remote.
        let localCount = 0;
        while (localCount < keys.length && localCpu.contains(keys[localCount]!, true)) localCount++;
        const pinned = keys.slice(0, localCount);
        let remoteCount = 0;
        const rest = keys.slice(localCount);
        if (remoteOn && rest.length > 0) {
          if (odd && backend.supportBatchedAsyncContains()) {
            took("batched_async_contains");
            remoteCount = await backend.batchedAsyncContains(lookupId, rest);
          } else {
            took(backend.connection?.supportBatchedContains() ? "batched_contains" : "contains");
            remoteCount = await backend.batchedContains(rest);
          }
          remoteCount = Math.max(0, Math.min(rest.length, Math.trunc(Number(remoteCount)) || 0));
        }
        // 2. load the prefix; the first missing or corrupt chunk ends it.
        let prefix = 0;
        for (let i = 0; i < localCount; i++) {
          const obj = localCpu.getBlocking(keys[i]!);
          if (!obj) break;
          const intact = verifyChunk(obj.byteArray, request.chunkHashes[i]!);
          if (!intact) corruptChunks++;
          localRead += obj.getSize();
          obj.refCountDown();
          if (!intact) break;
          chunks.localHits++;
          prefix = i + 1;
        }
        if (prefix === localCount && remoteCount > 0) {
          const remoteKeys = keys.slice(localCount, localCount + remoteCount);
          let loaded: (MemoryObj | null)[] = [];
          if (odd && backend.supportBatchedGetNonBlocking()) {
            took("batched_get_non_blocking");
            loaded = await backend.batchedGetNonBlocking(lookupId, remoteKeys);
          } else if (remoteKeys.length === 1) {
            took("get_blocking");
            loaded = [await backend.getBlocking(remoteKeys[0]!)];
          } else {
            took(backend.connection?.supportBatchedGet() ? "batched_get_blocking(batched_get)" : "batched_get_blocking(get)");
            try {
              loaded = await backend.batchedGetBlocking(remoteKeys);
            } catch (err) {
              noteRaised("batched_get_blocking", err);
            }
          }
          let ok = true;
          for (let j = 0; j < loaded.length; j++) {
            const obj = loaded[j] ?? null;
            const i = localCount + j;
            if (!ok || !obj || j >= remoteKeys.length) {
              ok = false;
              obj?.refCountDown();
              continue;
            }
            if (!verifyChunk(obj.byteArray, request.chunkHashes[i]!)) {
              corruptChunks++;
              obj.refCountDown();
              ok = false;
              continue;
            }
            chunks.remoteHits++;
            localCpu.submitPutTask(keys[i]!, obj); // write-back of a remote hit
            obj.refCountDown();
            prefix = i + 1;
          }
        }
        for (const key of pinned) localCpu.unpin(key);
        localCpu.touchCache(); // LRU update for this request's CPU hits
        chunks.misses += keys.length - prefix;
        // 3. store what had to be recomputed.
        const storeKeys: CacheEngineKey[] = [];
        const storeObjs: MemoryObj[] = [];
        for (let i = prefix; i < keys.length; i++) {
          const obj = await allocateChunk();
          if (!obj) {
            allocationFailures++;
            break;
          }
          fillChunk(obj.byteArray, request.chunkHashes[i]!);
          localCpu.submitPutTask(keys[i]!, obj);
          storeKeys.push(keys[i]!);
          storeObjs.push(obj);
          chunks.stored++;
        }
        if (remoteOn && storeKeys.length > 0) {
          took(backend.connection?.supportBatchedPut() ? "batched_submit_put_task(batched_put)" : "submit_put_task");
          void backend.batchedSubmitPutTask(storeKeys, storeObjs);
        }
        for (const obj of storeObjs) obj.refCountDown();
      }
      requestsRun = request.index + 1;
      opts.onProgress?.(request.index + 1, requests, `${chunks.localHits} local / ${chunks.remoteHits} remote hits`);
      // Let fire-and-forget puts and the monitor make progress between requests, as threads would.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await backend.drain();
  } finally {
    health?.stop();
    monitor?.stop();
    monitor?.restore();
  }

  // remove → remove_sync, on the first request's chunks (skipped while the remote is bypassed).
  const removes = { attempted: 0, removed: 0, stillFound: 0 };
  const first = workload[0];
  if (first && !backend.hungCalls.any && !health?.remoteBypassed && !(health && !health.healthy)) {
    for (const hash of first.chunkHashes) {
      removes.attempted++;
      took("remove");
      if (backend.remove(keyOf(hash))) {
        removes.removed++;
        if (await backend.contains(keyOf(hash))) removes.stillFound++;
      }
    }
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
    backendErrors: [...backendErrors.values()],
    paths,
    removes,
    requestsRun,
    health: {
      model: healthModel,
      ...(checkOptions ? { fallbackPolicy: checkOptions.fallbackPolicy } : {}),
      pings: monitor?.pings ?? health?.checks ?? 0,
      inFallbackAtEnd: health ? !health.healthy || health.remoteBypassed : false,
      skippedRequests,
      bypassedRequests,
      events: monitor?.events ?? health?.events ?? [],
    },
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
