// Round-trip benchmark (ours): put then get of one 256-token Llama-3-8B chunk
// (shape [2, 32, 256, 1024], bfloat16 = 32 MiB) through createConnector("memory://…") and the
// LocalCPUBackend, against a plain Buffer.copy of the same bytes measured in this run; then the
// per-operation overhead on 4 KiB objects. Imports runtime/dist (run `npm run build` first).
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const rt = require("../dist/index.js");

const SHAPE = [2, 32, 256, 1024];
const CHUNK = 2 * 32 * 256 * 1024 * 2;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);

const metadata = new rt.LMCacheMetadata({ modelName: "meta-llama/Meta-Llama-3-8B", worldSize: 1, workerId: 0, kvDtype: "bfloat16", kvShape: [32, 2, 256, 8, 128], chunkSize: 256 });
const config = rt.createEngineConfig({ maxLocalCpuSize: (CHUNK * 4 + (64 << 20)) / 1024 ** 3 });
const localCpu = new rt.LocalCPUBackend({ config, metadata });
const connector = await rt.createConnector("memory://bench", { localCpuBackend: localCpu, config, metadata });
const key = (h) => new rt.CacheEngineKey({ modelName: metadata.modelName, worldSize: 1, workerId: 0, chunkHash: h, dtype: "bfloat16" });

const src = localCpu.allocate(SHAPE, "bfloat16", rt.MemoryFormat.KV_2LTD);
for (let i = 0; i < src.byteArray.length; i += 4096) src.byteArray[i] = i & 0xff;

async function roundTrip(h) {
  src.refCountUp(); // the put's reference, released by the instrumented wrapper
  await connector.put(key(h), src);
  const got = await connector.get(key(h));
  got.refCountDown();
}
await roundTrip(0); // warm-up
let t = performance.now();
for (let r = 1; r <= ROUNDS; r++) await roundTrip(r);
const rtSec = (performance.now() - t) / 1000;
// A round trip moves the chunk twice (put copies in, get copies out).
const roundTripMBps = (2 * CHUNK * ROUNDS) / 1e6 / rtSec;

const a = Buffer.from(src.byteArray.buffer, src.byteArray.byteOffset, CHUNK);
const b = Buffer.alloc(CHUNK);
a.copy(b);
t = performance.now();
for (let r = 0; r < ROUNDS * 2; r++) a.copy(b);
const copyMBps = (2 * CHUNK * ROUNDS) / 1e6 / ((performance.now() - t) / 1000);
const ratio = roundTripMBps / copyMBps;

// Per-operation overhead on 4 KiB objects.
const N = Number(process.env.BENCH_SMALL_OPS ?? 20000);
const small = localCpu.allocate([4096], "uint8", rt.MemoryFormat.BINARY);
const keys = Array.from({ length: 256 }, (_, i) => key(1_000_000 + i));
for (const k of keys) { small.refCountUp(); await connector.put(k, small); }
t = performance.now();
for (let i = 0; i < N; i++) { small.refCountUp(); await connector.put(keys[i & 255], small); }
const putUs = ((performance.now() - t) * 1000) / N;
t = performance.now();
for (let i = 0; i < N; i++) (await connector.get(keys[i & 255])).refCountDown();
const getUs = ((performance.now() - t) * 1000) / N;
t = performance.now();
for (let i = 0; i < N; i++) await connector.exists(keys[i & 255]);
const existsUs = ((performance.now() - t) * 1000) / N;
const copy4kUs = (() => { const s = Buffer.alloc(4096, 1), d = Buffer.alloc(4096); const t0 = performance.now(); for (let i = 0; i < N; i++) s.copy(d); return ((performance.now() - t0) * 1000) / N; })();
const overheadUs = Math.max(putUs, getUs) - copy4kUs;

const report = {
  chunk: { shape: SHAPE, dtype: "bfloat16", bytes: CHUNK, rounds: ROUNDS },
  roundTripMBps, copyMBps, ratio, ratioTarget: 0.5,
  small: { bytes: 4096, ops: N, putUs, getUs, existsUs, copy4kUs, overheadUs, overheadTargetUs: 10 },
  leaks: localCpu.memoryAllocator.stats().liveObjects - 2, // src and small are still held
};
await connector.close();
if (process.argv.includes("--json")) console.log(JSON.stringify(report, null, 2));
else {
  console.log(`32 MiB chunk round trip (put+get) through memory:// : ${roundTripMBps.toFixed(0)} MB/s`);
  console.log(`Buffer.copy of the same bytes, this run           : ${copyMBps.toFixed(0)} MB/s`);
  console.log(`ratio ${ratio.toFixed(2)} (target ≥ 0.5) ${ratio >= 0.5 ? "ok" : "BELOW TARGET"}`);
  console.log(`4 KiB ops: put ${putUs.toFixed(2)} µs, get ${getUs.toFixed(2)} µs, exists ${existsUs.toFixed(2)} µs; copy ${copy4kUs.toFixed(2)} µs → overhead ${overheadUs.toFixed(2)} µs (target < 10) ${overheadUs < 10 ? "ok" : "ABOVE TARGET"}`);
  console.log(`leaked objects: ${report.leaks}`);
}
