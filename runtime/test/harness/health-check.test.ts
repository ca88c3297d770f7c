/**
 * The newer health model (RemoteBackendHealthCheck + HealthMonitor): ping healthy iff `== 0` in
 * Python terms, the remote-failed threshold opening a failure window, the wait for recovery and
 * the put → contains → get self-test with the connector's meta_shapes/meta_dtypes/meta_fmt, and
 * the two fallback policies — plus the setting that selects the older era.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createEngineConfig } from "../../src/config";
import { HealthMonitor, pingCodeHealthy, RemoteBackendHealthCheck, type HealthCheckOptions } from "../../src/harness/health-check";
import { RemoteBackend } from "../../src/harness/remote-backend";
import { RemoteMonitor } from "../../src/harness/remote-monitor";
import { healthCheckOptions, healthModelOf } from "../../src/harness/settings";
import { runHarness } from "../../src/harness/run-harness";
import { MemoryFormat } from "../../src/memory/memory-format";
import { LMCacheMetadata } from "../../src/metadata";
import { LocalCPUBackend } from "../../src/storage-backend/local-cpu-backend";
import { FakeConnection, key } from "./fakes";

const OPTS: HealthCheckOptions = { fallbackPolicy: "recompute", remoteFailedThreshold: 2, waitingTimeForRecoverySecs: 10, pingTimeoutSecs: 0.05, checkPutTimeoutSecs: 0.5, pingIntervalSecs: 30 };

/** A fake connection whose "wrapped connector" carries (or lacks) the base class's chunk metadata. */
function setup(withMeta = true, over: Partial<HealthCheckOptions> = {}) {
  const config = createEngineConfig({ remoteUrl: "fake://", maxLocalCpuSize: 0.01, chunkSize: 16 });
  const metadata = new LMCacheMetadata({ modelName: "m", worldSize: 1, workerId: 0, kvDtype: "bfloat16", kvShape: [2, 2, 16, 2, 8], chunkSize: 16 });
  const local = new LocalCPUBackend({ config, metadata });
  const conn = new FakeConnection(local.memoryAllocator);
  // Keep shapes too, as a real store does (the self-test compares shape and bytes).
  const shapes = new Map<string, { shapes: number[][]; dtypes: string[]; fmt: number }>();
  conn.innerPut = async (k, o) => {
    conn.store.set(k.toString(), o.byteArray.slice());
    shapes.set(k.toString(), { shapes: o.getShapes(), dtypes: o.getDtypes() as string[], fmt: o.getMemoryFormat() });
  };
  conn.innerGet = async (k) => {
    const bytes = conn.store.get(k.toString());
    const meta = shapes.get(k.toString());
    if (!bytes || !meta) return null;
    const obj = local.allocate(meta.shapes, meta.dtypes as never, meta.fmt)!;
    obj.byteArray.set(bytes);
    return obj;
  };
  const inner = withMeta ? { metaShapes: [[2, 2, 16, 16]], metaDtypes: ["bfloat16"], metaFmt: MemoryFormat.KV_2LTD } : {};
  (conn as unknown as { getWrappedConnector(): unknown }).getWrappedConnector = () => inner;
  let now = 1_000_000;
  const backend = new RemoteBackend({ url: "fake://", settings: { blockingTimeoutSecs: 0.2, useExistsSync: false }, connect: async () => conn });
  const check = new RemoteBackendHealthCheck(backend, local, { ...OPTS, ...over }, () => now);
  return { conn, backend, check, local, advance: (ms: number) => void (now += ms) };
}

describe("ping codes, as Python compares them", () => {
  it("0, -0, 0.0 and False are healthy; None, '0', 1 and True are not", () => {
    expect([0, -0, 0.0, false].map(pingCodeHealthy)).toEqual([true, true, true, true]);
    expect([null, undefined, "0", 1, true, -1].map(pingCodeHealthy)).toEqual([false, false, false, false, false, false]);
  });

  it("check(): a ping of False is healthy, 3 is not, a hang is not (−1), a throw is not (−2)", async () => {
    const { conn, backend, check } = setup();
    await backend.initConnection();
    conn.pingImpl = async () => false as unknown as number;
    expect(await check.check()).toBe(true);
    conn.pingImpl = async () => 3;
    expect(await check.check()).toBe(false);
    expect(check.lastReason).toBe("ping returned 3");
    conn.pingImpl = () => new Promise(() => undefined);
    expect(await check.check()).toBe(false);
    expect(check.lastReason).toBe("ping returned -1");
    conn.pingImpl = async () => {
      throw new Error("down");
    };
    expect(await check.check()).toBe(false);
    expect(check.lastReason).toBe("ping returned -2");
  });
});

describe("the older RemoteMonitor compares pings the same way", () => {
  it("a ping of False keeps the real connection; None swaps in the blackhole", async () => {
    const { conn, backend } = setup();
    await backend.initConnection();
    const monitor = new RemoteMonitor(backend, { pingIntervalSecs: 30, pingTimeoutSecs: 0.05 });
    conn.pingImpl = async () => false as unknown as number;
    expect(await monitor.tick()).toBe(0);
    expect(monitor.inFallback).toBe(false);
    conn.pingImpl = async () => null as unknown as number;
    expect(await monitor.tick()).toBe(-2);
    expect(monitor.inFallback).toBe(true);
  });
});

describe("failure window and recovery", () => {
  it("failed gets reaching remote_failed_threshold open a window; after waiting_time_for_recovery the self-test closes it", async () => {
    const { conn, backend, check, advance } = setup();
    await backend.initConnection();
    const normalGet = conn.innerGet;
    conn.innerGet = async () => {
      throw new Error("read error");
    };
    await backend.getBlocking(key(1));
    expect(await check.check()).toBe(true); // 1 failed get < threshold 2 (and the count is cleared)
    await backend.getBlocking(key(1));
    await backend.getBlocking(key(2));
    expect(await check.check()).toBe(false);
    expect(check.failureTime).not.toBeNull();
    // Inside the window: unhealthy without even trying.
    conn.innerGet = normalGet;
    advance(5_000);
    expect(await check.check()).toBe(false);
    expect(check.lastReason).toBe("still in the remote-failed recovery window");
    expect(conn.calls).not.toContain("put");
    // After the wait: put → contains → get on the synthetic key, then healthy again.
    advance(6_000);
    expect(await check.check()).toBe(true);
    expect(check.failureTime).toBeNull();
    const testKey = [...conn.store.keys()].find((k) => k.includes("test"));
    expect(testKey).toBeDefined();
    expect(conn.calls.slice(-3)).toEqual(["put", "exists", "get"]);
  });

  it("a connector that never called super(config, metadata) cannot pass the self-test: AttributeError, never recovers", async () => {
    const { backend, check, advance } = setup(false, { waitingTimeForRecoverySecs: 0 });
    await backend.initConnection();
    check.failureTime = 0;
    advance(1);
    await expect(check.check()).rejects.toThrow("object has no attribute 'meta_shapes'");
    const monitor = new HealthMonitor(check);
    expect(await monitor.tick()).toBe(false);
    expect(monitor.events[0]?.reason).toMatch(/AttributeError: .*meta_shapes/);
  });

  it("the self-test fails when the store does not keep what was put", async () => {
    const { conn, backend, check } = setup(true, { waitingTimeForRecoverySecs: 0 });
    await backend.initConnection();
    conn.innerPut = async () => undefined; // accepts, stores nothing
    expect(await check.selfTest()).toBe(false);
    expect(check.lastReason).toBe("Error: Key not exists after put");
  });
});

describe("fallback policies", () => {
  it("recompute marks the system unhealthy; local_cpu bypasses the remote and stays healthy; a passing check undoes both", async () => {
    for (const policy of ["recompute", "local_cpu"] as const) {
      const { conn, backend, check } = setup(true, { fallbackPolicy: policy });
      await backend.initConnection();
      const monitor = new HealthMonitor(check);
      conn.pingImpl = async () => 1;
      await monitor.tick();
      expect({ healthy: monitor.healthy, bypassed: monitor.remoteBypassed }).toEqual(policy === "recompute" ? { healthy: false, bypassed: false } : { healthy: true, bypassed: true });
      conn.pingImpl = async () => 0;
      await monitor.tick();
      expect({ healthy: monitor.healthy, bypassed: monitor.remoteBypassed }).toEqual({ healthy: true, bypassed: false });
      expect(monitor.events.map((e) => e.healthy)).toEqual([false, true]);
    }
  });

  it("reads fallback_policy (an unknown one → recompute), the thresholds and the era from extra_config", () => {
    const cfg = (extra: Record<string, unknown>) => createEngineConfig({ remoteUrl: "memory://", extraConfig: extra });
    expect(healthCheckOptions(cfg({})).fallbackPolicy).toBe("recompute");
    expect(healthCheckOptions(cfg({ fallback_policy: "local_cpu" })).fallbackPolicy).toBe("local_cpu");
    expect(healthCheckOptions(cfg({ fallback_policy: "LOCAL_CPU" })).fallbackPolicy).toBe("recompute");
    expect(healthCheckOptions(cfg({})).waitingTimeForRecoverySecs).toBe(300);
    expect(healthCheckOptions(cfg({ remote_failed_threshold: 3 })).remoteFailedThreshold).toBe(3);
    expect(healthModelOf(cfg({}))).toBe("health_monitor");
    expect(healthModelOf(cfg({ harness_health_model: "remote_monitor" }))).toBe("remote_monitor");
    expect(() => healthModelOf(cfg({ harness_health_model: "x" }))).toThrow(/health_monitor.*remote_monitor/);
  });
});

describe("run with each health era", () => {
  const base = { url: "memory://", requests: 80, seed: 2, chunkSize: 16, model: { numLayers: 2, numKvHeads: 2, headSize: 16 }, maxLocalCpuSize: (12 * 4096) / 1024 ** 3 };

  it("the newer model checks the healthy memory:// store and never skips a request", async () => {
    const report = await runHarness({ ...base, config: { extraConfig: { ping_interval: 0.001 } } });
    expect(report.health.model).toBe("health_monitor");
    expect(report.health.pings).toBeGreaterThan(0);
    expect(report.health.skippedRequests).toBe(0);
    expect(report.health.events).toEqual([]);
  });

  it("the older model is selected by harness_health_model: remote_monitor", async () => {
    const report = await runHarness({ ...base, config: { extraConfig: { ping_interval: 0.001, harness_health_model: "remote_monitor" } } });
    expect(report.health.model).toBe("remote_monitor");
    expect(report.health.fallbackPolicy).toBeUndefined();
    expect(report.health.pings).toBeGreaterThan(0);
  });

  it.each([
    ["recompute", "skippedRequests"],
    ["local_cpu", "bypassedRequests"],
  ] as const)("an unhealthy ping with fallback_policy %s: the requests after the first check show it in %s", async (policy, field) => {
    const report = await runHarness({
      ...base,
      url: "external://host:0/ping_nonzero/?connector_name=PingNonzero",
      cwd: join(__dirname, "..", "fixtures", "broken"),
      requests: 200,
      config: { extraConfig: { ping_interval: 0.001, fallback_policy: policy } },
    });
    expect(report.health.fallbackPolicy).toBe(policy);
    expect(report.health[field]).toBeGreaterThan(0);
    expect(report.health.events[0]).toMatchObject({ healthy: false, reason: expect.stringMatching(/^ping returned /) });
    expect(report.health.inFallbackAtEnd).toBe(true);
  });
});
