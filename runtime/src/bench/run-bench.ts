/**
 * `lmcache-connector bench <url>` (ours, in the spirit of LMCache's `lmcache bench l2`):
 * rounds of store → lookup → load against one connector, after warm-up rounds, with a fixed
 * number of keys per round, a payload size, an in-flight depth and a controlled lookup hit rate.
 * Reports p50/p99 latency, ops/s and MB/s per phase, and — as yardsticks measured in the same
 * run — the bandwidth of a plain memory copy of the same payload, into the same buffer (hot) and
 * into a fresh one (what a store pays; `./memcpy`). Bytes are verified in the last round
 * (conformance catalogue C15.1/C15.2).
 *
 * What the timed windows hold: only the connector calls. Payloads are generated before a batch
 * of puts starts its clock, and loaded objects are verified and released after a batch of gets
 * stops it (batches of 4 × in-flight objects, so memory stays bounded). Per-operation latency is
 * measured twice: under the in-flight depth (it includes waiting behind the other operations in
 * flight) and in a serial pass, one operation at a time. `steadyState` reuses the same keys every
 * round, so every measured put overwrites (each round's payload differs, so the last round's
 * verification proves the overwrite took).
 *
 * Every connector call is bounded by `blocking_timeout_secs` (LMCache's default 10 s; the kit's
 * bound for put/exists/close, see `harness/hung-calls`). The first call that misses it stops the
 * bench: the report lists it in `hungCalls` and the run fails.
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
import { boundedCall, HungCallLog, type HungCall } from "../harness/hung-calls";
import { LatencyRecorder, type LatencySummary } from "../harness/latency";
import { measureFreshMemcpyMBps, measureMemcpyMBps, memcpyRepetitions } from "./memcpy";

export { measureFreshMemcpyMBps, measureMemcpyMBps } from "./memcpy";

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
  /** Store the same keys every round, so measured puts overwrite (default false: new keys per round). */
  steadyState?: boolean;
  config?: Partial<LMCacheEngineConfig>;
  onProgress?(done: number, total: number, text?: string): void;
  signal?: AbortSignal;
}

/** One phase's numbers over all measured rounds. */
export interface PhaseReport {
  ops: number;
  opsPerSec: number;
  MBps: number;
  /** Per-operation latency with `inflight` operations in flight: includes queueing behind them. */
  latency: LatencySummary;
}

/** Latency of each phase's operations issued one at a time (no queueing). */
export interface SerialLatency {
  store: LatencySummary;
  lookup: LatencySummary;
  load: LatencySummary;
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
  /** Whether every round stored the same keys (measured puts overwrite). */
  steadyState: boolean;
  store: PhaseReport;
  lookup: PhaseReport & { observedHitRate: number };
  load: PhaseReport;
  /** Hot yardstick: `Buffer.copy` of the payload into the same (cache-resident) buffer each time, this run. */
  memcpyMBps: number;
  /** Fresh yardstick: a copy of the payload into a newly allocated buffer each time (what a store pays), this run. */
  memcpyFreshMBps: number;
  /** The same operations one at a time (a serial pass after the measured rounds; with `inflight` 1, the rounds' own). */
  serialLatency: SerialLatency;
  storeMBps: number;
  loadMBps: number;
  verification: { passed: boolean; round: number; checkedKeys: number; mismatches: number; missing: number; lookupMismatches: number };
  /** Calls that missed `blocking_timeout_secs`, one entry per method; any entry fails the bench. */
  hungCalls: HungCall[];
  ms: number;
}

/** The bench's verdict (the runner's exit code): bytes verified and no call hung. */
export function benchRunClean(r: BenchReport): boolean {
  return r.verification.passed && r.hungCalls.length === 0;
}

const MB = 1e6;

async function pool<T>(items: readonly T[], depth: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(depth, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(workers);
}

function check(name: string, value: number, ok: boolean): void {
  if (!ok) throw new RangeError(`bench: invalid ${name}: ${value}`);
}

/** Splits `items` into consecutive batches of at most `size`. */
function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
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
  const steadyState = opts.steadyState ?? false;
  check("rounds", rounds, Number.isInteger(rounds) && rounds >= 1);
  check("warm-up rounds", warmupRounds, Number.isInteger(warmupRounds) && warmupRounds >= 0);
  check("keys", keys, Number.isInteger(keys) && keys >= 1);
  check("payload bytes", payloadBytes, Number.isInteger(payloadBytes) && payloadBytes >= 1);
  check("hit rate", hitRate, hitRate >= 0 && hitRate <= 1);
  check("in-flight depth", inflight, Number.isInteger(inflight) && inflight >= 1);

  // A batch's objects are generated (store) or held for verification (load) outside the clock.
  const batchSize = inflight * 4;
  // Room for a batch plus the objects a connector may allocate while loading.
  const capacity = Math.max(64 << 20, payloadBytes * (batchSize + 8));
  const config = createEngineConfig({ ...opts.config, maxLocalCpuSize: capacity / 1024 ** 3, remoteUrl: opts.url });
  const metadata = new LMCacheMetadata({ modelName: "bench", worldSize: 1, workerId: 0, kvDtype: "uint8", kvShape: [1, 1, 1, 1, payloadBytes], chunkSize: 1 });
  const localCpu = new LocalCPUBackend({ config, metadata });
  const raw = await createConnector(opts.url, { localCpuBackend: localCpu, config, metadata, cwd: opts.cwd, searchPaths: opts.searchPaths, pluginName: pluginNameFromUrl(opts.url) });
  const hung = new HungCallLog();
  const deadlineMs = Math.max(1, Math.round((config.blockingTimeoutSecs ?? 10) * 1000));
  // After the first hung call every further call is refused, so the bench stops within one deadline.
  const call = <T>(method: string, fn: () => Promise<T>, onLate?: (late: T) => void): Promise<T> =>
    hung.any ? Promise.reject(new Error("bench stopped after a hung call")) : boundedCall(hung, method, deadlineMs, fn, onLate);
  const connector = {
    put: (k: CacheEngineKey, o: MemoryObj) => call("put", () => raw.put(k, o)),
    get: (k: CacheEngineKey) => call("get", () => raw.get(k), (late) => late?.refCountDown()),
    exists: (k: CacheEngineKey) => call("exists", () => raw.exists(k)),
  };
  const shape = [1, 1, 1, payloadBytes];
  const keyOf = (hash: number): CacheEngineKey => new CacheEngineKey({ modelName: "bench", worldSize: 1, workerId: 0, chunkHash: hash, dtype: "uint8" });
  // The bytes of `hash` in `round`: in steady state each round writes different bytes under the same key.
  const pattern = (hash: number, round: number): number => (steadyState ? hash * 1_009 + round : hash);
  const hashesOf = (round: number): number[] => Array.from({ length: keys }, (_, i) => (steadyState ? 1 : round + 1) * 1_000_003 + i);

  const lat = { store: new LatencyRecorder(), lookup: new LatencyRecorder(), load: new LatencyRecorder() };
  const serial = { store: new LatencyRecorder(), lookup: new LatencyRecorder(), load: new LatencyRecorder() };
  const wall = { store: 0, lookup: 0, load: 0 };
  let lookupHits = 0;
  let lookups = 0;
  let loadedBytes = 0;
  const verification = { passed: true, round: rounds, checkedKeys: 0, mismatches: 0, missing: 0, lookupMismatches: 0 };
  const totalRounds = warmupRounds + rounds;

  /** Stores `hashes` with `depth` in flight; returns the time spent in puts only (ms). */
  const store = async (hashes: readonly number[], round: number, depth: number, recorder: LatencyRecorder | null): Promise<number> => {
    let ms = 0;
    for (const batch of batches(hashes, batchSize)) {
      const objs = batch.map((hash) => {
        const obj = localCpu.allocate(shape, "uint8", MemoryFormat.KV_2LTD, false);
        if (!obj) throw new RangeError("bench: CPU buffer exhausted");
        fillChunk(obj.byteArray, pattern(hash, round));
        return { hash, obj };
      });
      const t = performance.now();
      await pool(objs, depth, async ({ hash, obj }) => {
        const s = performance.now();
        await connector.put(keyOf(hash), obj); // the instrumented wrapper releases obj
        recorder?.record(performance.now() - s);
      });
      ms += performance.now() - t;
    }
    return ms;
  };

  /** Gets `hashes`; verifies (when `verify`) and releases each batch after its clock stops. */
  const load = async (hashes: readonly number[], round: number, depth: number, recorder: LatencyRecorder | null, verify: boolean): Promise<{ ms: number; bytes: number }> => {
    let ms = 0;
    let bytesRead = 0;
    for (const batch of batches(hashes, batchSize)) {
      const got: { hash: number; obj: MemoryObj | null }[] = [];
      const t = performance.now();
      await pool(batch, depth, async (hash) => {
        const s = performance.now();
        const obj: MemoryObj | null = await connector.get(keyOf(hash));
        recorder?.record(performance.now() - s);
        got.push({ hash, obj });
      });
      ms += performance.now() - t;
      for (const { hash, obj } of got) {
        if (!obj) {
          if (verify) verification.missing++;
          continue;
        }
        bytesRead += obj.getSize();
        if (verify) {
          verification.checkedKeys++;
          if (obj.getSize() !== payloadBytes || !verifyChunk(obj.byteArray, pattern(hash, round))) verification.mismatches++;
        }
        obj.refCountDown();
      }
    }
    return { ms, bytes: bytesRead };
  };

  try {
    // Steady state without warm-up: store the keys once, unmeasured, so every measured put overwrites.
    if (steadyState && warmupRounds === 0) await store(hashesOf(-1), -1, inflight, null);
    for (let round = 0; round < totalRounds; round++) {
      if (opts.signal?.aborted) throw new Error("bench cancelled");
      const measured = round >= warmupRounds;
      const last = round === totalRounds - 1;
      const hashes = hashesOf(round);

      const storeMs = await store(hashes, round, inflight, measured ? lat.store : null);
      if (measured) wall.store += storeMs;

      // lookup: hitRate of the queries ask for stored keys, the rest for keys never stored
      const hitCount = Math.round(keys * hitRate);
      const queries = hashes.map((h, i) => ({ hash: i < hitCount ? h : 2 ** 40 + h, stored: i < hitCount }));
      const t = performance.now();
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
      const loaded = await load(hashes.slice(0, hitCount), round, inflight, measured ? lat.load : null, last);
      if (measured) {
        wall.load += loaded.ms;
        loadedBytes += loaded.bytes;
      }
      opts.onProgress?.(round + 1, totalRounds, measured ? `round ${round + 1 - warmupRounds}/${rounds}` : "warm-up");
    }

    // The serial pass: the same operations one at a time, for latency without queueing.
    if (inflight > 1) {
      const round = totalRounds;
      const hashes = hashesOf(round).slice(0, Math.min(keys, 256));
      await store(hashes, round, 1, serial.store);
      for (const hash of hashes) await serial.lookup.time(() => connector.exists(keyOf(hash)));
      await load(hashes, round, 1, serial.load, false);
    }
  } catch (err) {
    if (!hung.any) throw err; // a hung call stops the bench; anything else is the run's failure
  } finally {
    const stopped = hung.any;
    await boundedCall(hung, "close", deadlineMs, () => raw.close()).catch(() => {});
    // A bench stopped by a hung call never verified its last round.
    if (stopped) verification.passed = false;
  }
  if (verification.passed) verification.passed = verification.mismatches === 0 && verification.missing === 0 && verification.lookupMismatches === 0;

  const times = memcpyRepetitions(payloadBytes);
  const memcpyMBps = measureMemcpyMBps(payloadBytes, times);
  const memcpyFreshMBps = measureFreshMemcpyMBps(payloadBytes, times);
  const phase = (rec: LatencyRecorder, ms: number, bytes: number): PhaseReport => ({
    ops: rec.count,
    opsPerSec: rec.count / Math.max(ms / 1000, 1e-9),
    MBps: bytes / MB / Math.max(ms / 1000, 1e-9),
    latency: rec.summary(),
  });
  const storeReport = phase(lat.store, wall.store, lat.store.count * payloadBytes);
  const loadReport = phase(lat.load, wall.load, loadedBytes);
  const lookupReport = phase(lat.lookup, wall.lookup, 0);
  const serialLatency: SerialLatency =
    inflight > 1
      ? { store: serial.store.summary(), lookup: serial.lookup.summary(), load: serial.load.summary() }
      : { store: storeReport.latency, lookup: lookupReport.latency, load: loadReport.latency };
  return {
    url: opts.url,
    connector: String(raw),
    rounds,
    warmupRounds,
    keysPerRound: keys,
    payloadBytes,
    hitRate,
    inflight,
    steadyState,
    store: storeReport,
    lookup: { ...lookupReport, observedHitRate: lookups ? lookupHits / lookups : 0 },
    load: loadReport,
    memcpyMBps,
    memcpyFreshMBps,
    serialLatency,
    storeMBps: storeReport.MBps,
    loadMBps: loadReport.MBps,
    verification,
    hungCalls: hung.list(),
    ms: performance.now() - started,
  };
}
