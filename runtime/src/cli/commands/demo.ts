/**
 * `lmcache-connector demo` (ours): the README's main job on the embedded default. Loads the
 * bundled reference connectors through `createConnector`, round-trips real chunks through them
 * and the `LocalCPUBackend`, prints what was stored, read, evicted and released, then runs the
 * conformance suite against `memory://` and prints its table. Takes well under 3 s.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { createEngineConfig } from "../../config";
import { createConnector } from "../../connector/create-connector";
import { CacheEngineKey } from "../../keys/cache-engine-key";
import { MemoryAllocator } from "../../memory/allocator";
import { MemoryFormat } from "../../memory/memory-format";
import { LMCacheMetadata } from "../../metadata";
import { LocalCPUBackend } from "../../storage-backend/local-cpu-backend";
import { fillChunk, verifyChunk } from "../../harness/chunk-bytes";
import { bytes } from "../../harness/format-report";
import type { RunnerEvent } from "../../runner/protocol";
import { readCommandLine, UsageError } from "../argv";
import type { CliCommand, CliIO } from "../command";

const CHUNK_TOKENS = 16;
const CHUNKS = 4;

function setup(capacityChunks: number) {
  const metadata = new LMCacheMetadata({
    modelName: "demo-model",
    worldSize: 1,
    workerId: 0,
    kvDtype: "bfloat16",
    kvShape: [2, 2, CHUNK_TOKENS, 4, 32],
    chunkSize: CHUNK_TOKENS,
  });
  const chunkBytes = 2 * 2 * CHUNK_TOKENS * 4 * 32 * 2;
  const config = createEngineConfig({ chunkSize: CHUNK_TOKENS, maxLocalCpuSize: (capacityChunks * chunkBytes) / 1024 ** 3 });
  // Poison freed memory, so a connector that returns an object without filling it shows up.
  const allocator = new MemoryAllocator({ capacityBytes: capacityChunks * chunkBytes, poisonOnFree: true });
  const localCpu = new LocalCPUBackend({ config, metadata, allocator });
  const keyOf = (hash: number) => new CacheEngineKey({ modelName: "demo-model", worldSize: 1, workerId: 0, chunkHash: hash, dtype: "bfloat16" });
  return { metadata, config, localCpu, keyOf, chunkBytes, shape: metadata.getShapes()[0]! };
}

async function connectorRoundTrips(io: CliIO, fsDir: string): Promise<boolean> {
  const { metadata, config, localCpu, keyOf, chunkBytes, shape } = setup(64);
  io.stdout(`1. Reference connectors — ${CHUNKS} chunks of ${bytes(chunkBytes)} each (bfloat16 ${JSON.stringify(shape)}), put then get\n\n`);
  const urls = [
    ["memory://demo", "in-process reference store (ours)"],
    [`fs://localhost:0${fsDir}`, "LMCache FS connector: one file per key"],
    ["mock://1/?peeking_latency=0&read_throughput=100", "LMCache mock: keeps sizes, not bytes"],
    ["blackhole://", "LMCache blackhole: drops everything"],
  ] as const;
  io.stdout(`   ${"url".padEnd(50)} ${"stored".padEnd(7)} ${"exists".padEnd(7)} ${"read back".padEnd(22)} listed\n`);
  let ok = true;
  for (const [url, what] of urls) {
    const connector = await createConnector(url, { localCpuBackend: localCpu, config, metadata });
    let exists = 0;
    let verified = 0;
    let nulls = 0;
    let differing = 0;
    for (let i = 0; i < CHUNKS; i++) {
      const obj = localCpu.allocate(shape, "bfloat16", MemoryFormat.KV_2LTD)!;
      fillChunk(obj.byteArray, 100 + i);
      await connector.put(keyOf(100 + i), obj); // the instrumented wrapper releases obj's one reference
      if (await connector.exists(keyOf(100 + i))) exists++;
      const got = await connector.get(keyOf(100 + i));
      if (!got) nulls++;
      else {
        if (verifyChunk(got.byteArray, 100 + i)) verified++;
        else differing++;
        got.refCountDown();
      }
    }
    const listed = (await connector.list()) ?? [];
    await connector.close();
    const read = nulls === CHUNKS ? "none (null)" : differing ? `${differing} without payload` : `${verified} byte-exact`;
    io.stdout(`   ${url.padEnd(50)} ${String(CHUNKS).padEnd(7)} ${String(exists).padEnd(7)} ${read.padEnd(22)} ${Array.isArray(listed) ? listed.length : "None"}   ${what}\n`);
    if (url.startsWith("memory://") || url.startsWith("fs://")) ok &&= verified === CHUNKS;
  }
  const live = localCpu.memoryAllocator.stats().liveObjects;
  io.stdout(`\n   allocator: ${live} live objects after all round trips (every get released, every put released by the wrapper)\n\n`);
  return ok && live === 0;
}

function cpuCacheEviction(io: CliIO): boolean {
  const capacity = 3;
  const { localCpu, keyOf, shape, chunkBytes } = setup(capacity);
  io.stdout(`2. LocalCPUBackend — capacity ${capacity} chunks (${bytes(capacity * chunkBytes)}), LRU, storing 5 chunks\n\n`);
  const evicted: number[] = [];
  for (let h = 1; h <= 5; h++) {
    const before = new Set(localCpu.getKeys().map((k) => k.toString()));
    const obj = localCpu.allocate(shape, "bfloat16", MemoryFormat.KV_2LTD);
    if (!obj) return false;
    const after = new Set(localCpu.getKeys().map((k) => k.toString()));
    for (let e = 1; e < h; e++) if (before.has(keyOf(e).toString()) && !after.has(keyOf(e).toString())) evicted.push(e);
    fillChunk(obj.byteArray, h);
    localCpu.submitPutTask(keyOf(h), obj);
    obj.refCountDown(); // the cache now holds the only reference
    if (h === 3) {
      // A lookup hit on chunk 1 (contains with pin, then touchCache, as LMCache's lookup does)
      // makes it the most recently used, so chunks 2 and 3 go first.
      localCpu.contains(keyOf(1), true);
      localCpu.touchCache();
      localCpu.unpin(keyOf(1));
    }
  }
  const kept = localCpu.getKeys().map((k) => k.toString().split("@")[3]);
  io.stdout(`   stored 5, evicted chunk hashes ${evicted.map((e) => e.toString(16)).join(", ") || "none"}; kept ${kept.join(", ")} (hex, LRU → MRU)\n`);
  const held = localCpu.getBlocking(keyOf(5))!;
  io.stdout(`   get chunk 5: ${verifyChunk(held.byteArray, 5) ? "byte-exact" : "CORRUPT"}, ref count ${held.getRefCount()} (cache + reader) → released to ${(held.refCountDown(), held.getRefCount())}\n`);
  const before = localCpu.memoryAllocator.stats().liveObjects;
  localCpu.clear();
  const after = localCpu.memoryAllocator.stats();
  io.stdout(`   clear(): ${before} live objects → ${after.liveObjects}; ${after.allocations} allocations, ${after.frees} frees, ${after.doubleFrees} double frees\n\n`);
  return after.liveObjects === 0 && evicted.length === 2;
}

async function conformance(io: CliIO): Promise<boolean> {
  io.stdout("3. Conformance suite against memory://\n\n");
  let engine: typeof import("../../conformance/engine.js");
  try {
    engine = await import("../../conformance/engine.js");
  } catch (err) {
    io.stdout(`   (conformance engine not available: ${(err as Error).message})\n`);
    return true;
  }
  const rows: string[] = [];
  const titles = new Map<string, string>();
  const { summary } = await engine.runConformance({
    url: "memory://",
    cwd: process.cwd(),
    onEvent: (event: RunnerEvent) => {
      if (event.type === "run-started") for (const c of event.cases) titles.set(c.id, c.title);
      if (event.type === "case-finished") {
        const mark = event.status === "passed" ? "pass" : event.status === "failed" ? "FAIL" : "skip";
        rows.push(`   ${mark.padEnd(5)} ${event.id.padEnd(40)} ${`${event.ms.toFixed(1)} ms`.padStart(9)}  ${titles.get(event.id) ?? ""}`);
      }
    },
  });
  io.stdout(rows.join("\n") + "\n");
  io.stdout(`\n   ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped\n`);
  return summary.failed === 0;
}

const USAGE = "Usage: lmcache-connector demo\n\nThe embedded default job: reference connectors, CPU cache eviction, conformance against memory://.\n";

const command: CliCommand = {
  summary: "round-trip real chunks through the bundled connectors and run the conformance suite",
  async run(args, io) {
    const line = readCommandLine(args, io, { name: "demo", usage: USAGE }, { values: [] }, (parsed) => {
      if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument '${parsed.positionals[0]}'`);
      return undefined;
    });
    if (typeof line === "number") return line;
    const started = performance.now();
    const fsDir = mkdtempSync(path.join(tmpdir(), "lmcache-demo-"));
    try {
      const a = await connectorRoundTrips(io, fsDir);
      const b = cpuCacheEviction(io);
      const c = await conformance(io);
      io.stdout(`\nDemo ${a && b && c ? "finished" : "FOUND PROBLEMS"} in ${((performance.now() - started) / 1000).toFixed(2)} s\n`);
      return a && b && c ? 0 : 1;
    } finally {
      rmSync(fsDir, { recursive: true, force: true });
    }
  },
};

export default command;
