// The bench's yardsticks and modes (issue 11): the fresh-destination copy beside the hot one,
// timed windows that hold only connector calls, steady state (overwrites), latency one at a time.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";

// Payload generation and verification cost 1000 ms each on the fake clock below; connector calls cost nothing.
const clock = { now: 0, fake: false };
vi.mock("../../src/harness/chunk-bytes", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/harness/chunk-bytes")>();
  return {
    ...real,
    fillChunk: (bytes: Uint8Array, hash: number) => { clock.now += 1000; real.fillChunk(bytes, hash); },
    verifyChunk: (bytes: Uint8Array, hash: number) => { clock.now += 1000; return real.verifyChunk(bytes, hash); },
  };
});

import { measureFreshMemcpyMBps, measureMemcpyMBps, runBench } from "../../src/bench/run-bench";
import { formatBenchReport } from "../../src/bench/format-bench";
import { main } from "../../src/cli/main";

afterEach(() => {
  vi.restoreAllMocks();
  clock.fake = false;
});

/** A connector module that keeps its objects in a Map and counts first writes and overwrites on globalThis. */
function recordingConnectorDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "bench-rec-"));
  writeFileSync(join(dir, "rec_store.js"), `const { RemoteConnector } = require("lmcache-connector-runtime");
class RecStore extends RemoteConnector {
  constructor({ localCpuBackend, config }) { super(config, localCpuBackend.metadata); this.backend = localCpuBackend; this.map = new Map(); globalThis.__benchPuts = { first: 0, overwrite: 0 }; }
  async exists(key) { return this.map.has(key.toString()); }
  existsSync(key) { return this.map.has(key.toString()); }
  async put(key, obj) { const k = key.toString(); globalThis.__benchPuts[this.map.has(k) ? "overwrite" : "first"]++; this.map.set(k, { bytes: Uint8Array.from(obj.byteArray), shape: obj.getShape(), dtype: obj.getDtype(), fmt: obj.getMemoryFormat() }); }
  async get(key) { const e = this.map.get(key.toString()); if (!e) return null; const o = this.backend.allocate(e.shape, e.dtype, e.fmt); o.byteArray.set(e.bytes); return o; }
  async list() { return [...this.map.keys()]; }
  async close() {}
}
module.exports = { RecStore };
`);
  return dir;
}

describe("bench yardsticks", () => {
  it("reports the fresh-destination copy beside the hot one, both measured", async () => {
    expect(measureFreshMemcpyMBps(1 << 16, 8)).toBeGreaterThan(0);
    expect(measureMemcpyMBps(1 << 16, 8)).toBeGreaterThan(0);
    const r = await runBench({ url: "memory://", rounds: 1, warmupRounds: 0, keys: 4, payloadBytes: 1 << 16 });
    expect(r.memcpyFreshMBps).toBeGreaterThan(0);
    expect(r.memcpyMBps).toBeGreaterThan(0);
    const text = formatBenchReport(r);
    expect(text).toMatch(/memcpy .* MB\/s\s+fresh: into a new buffer/);
    expect(text).toMatch(/memcpy .* MB\/s\s+hot: Buffer\.copy into the same buffer/);
  });
});

describe("bench timed windows", () => {
  it("hold only connector calls: generation and verification (1000 fake ms each) are outside", async () => {
    vi.spyOn(performance, "now").mockImplementation(() => clock.now);
    const r = await runBench({ url: "memory://", rounds: 2, warmupRounds: 0, keys: 8, payloadBytes: 4096, inflight: 2 });
    expect(r.verification.passed).toBe(true);
    expect(r.verification.checkedKeys).toBe(8); // verification ran, at 1000 fake ms per object
    // Had one generation or verification fallen inside a window, its phase would show ≥ 1000 ms.
    for (const phase of [r.store, r.load]) {
      expect(phase.latency.maxMs).toBe(0);
      expect(phase.opsPerSec).toBeGreaterThan(1e6);
    }
    expect(r.serialLatency.store.maxMs).toBe(0);
  });
});

describe("bench modes", () => {
  it("steady state overwrites the same keys in every round and verifies the last round's bytes", async () => {
    const cwd = recordingConnectorDir();
    const url = "external://host:0/rec_store/?connector_name=RecStore";
    const r = await runBench({ url, cwd, rounds: 3, warmupRounds: 1, keys: 5, payloadBytes: 4096, inflight: 2, steadyState: true });
    const puts = (globalThis as { __benchPuts?: { first: number; overwrite: number } }).__benchPuts!;
    expect(r.steadyState).toBe(true);
    expect(puts.first).toBe(5); // the warm-up round
    expect(puts.overwrite).toBe(3 * 5 + 5); // every measured round, then the serial pass
    expect(r.verification).toMatchObject({ passed: true, checkedKeys: 5, mismatches: 0 });
    expect(formatBenchReport(r)).toMatch(/steady state: every round stores the same keys/);
  });

  it("steady state with no warm-up stores the keys once, unmeasured, so measured puts still overwrite", async () => {
    const cwd = recordingConnectorDir();
    const r = await runBench({ url: "external://host:0/rec_store/?connector_name=RecStore", cwd, rounds: 1, warmupRounds: 0, keys: 3, payloadBytes: 1024, inflight: 1, steadyState: true });
    const puts = (globalThis as { __benchPuts?: { first: number; overwrite: number } }).__benchPuts!;
    expect(puts).toEqual({ first: 3, overwrite: 3 });
    expect(r.store.ops).toBe(3);
  });

  it("without steady state every round stores new keys", async () => {
    const cwd = recordingConnectorDir();
    await runBench({ url: "external://host:0/rec_store/?connector_name=RecStore", cwd, rounds: 2, warmupRounds: 1, keys: 4, payloadBytes: 1024, inflight: 2 });
    const puts = (globalThis as { __benchPuts?: { first: number; overwrite: number } }).__benchPuts!;
    expect(puts).toEqual({ first: 3 * 4 + 4, overwrite: 0 });
  });

  it("reports latency one at a time beside the queued latency, and says which is which", async () => {
    const r = await runBench({ url: "memory://", rounds: 1, warmupRounds: 0, keys: 6, payloadBytes: 2048, inflight: 4 });
    for (const op of ["store", "lookup", "load"] as const) expect(r.serialLatency[op].count).toBe(6);
    const text = formatBenchReport(r);
    expect(text).toMatch(/Latency \(4 in flight: includes waiting behind the other operations in flight\)/);
    expect(text).toMatch(/Latency \(one at a time, a serial pass after the rounds\)/);
    const one = await runBench({ url: "memory://", rounds: 1, warmupRounds: 0, keys: 3, payloadBytes: 2048, inflight: 1 });
    expect(one.serialLatency.store).toEqual(one.store.latency); // depth 1 is already one at a time
    expect(formatBenchReport(one)).toMatch(/Latency \(one at a time\)/);
  });
});

describe("lmcache-connector bench --steady-state", () => {
  it("reaches runBench through the CLI and the runner", async () => {
    let out = "";
    const io = { stdout: (t: string) => void (out += t), stderr: () => {}, isTTY: false, cwd: process.cwd(), env: process.env };
    const code = await main(["bench", "memory://", "--steady-state", "--format", "json", "--rounds", "1", "--keys", "4", "--payload-bytes", "4096"], io);
    expect(code).toBe(0);
    const r = JSON.parse(out);
    expect(r.steadyState).toBe(true);
    expect(r.memcpyFreshMBps).toBeGreaterThan(0);
    expect(r.serialLatency.store.count).toBe(4);
  });
});
