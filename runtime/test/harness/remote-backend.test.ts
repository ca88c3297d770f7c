import { describe, expect, it } from "vitest";
import { MIN_RECONNECT_INTERVAL_MS, RemoteBackend, type RemoteBackendSettings } from "../../src/harness/remote-backend";
import { PING_ERROR_CODE, PING_TIMEOUT_CODE, RemoteMonitor } from "../../src/harness/remote-monitor";
import { allocator, deferred, FakeConnection, filled, key } from "./fakes";

const settings = (over: Partial<RemoteBackendSettings> = {}): RemoteBackendSettings => ({
  blockingTimeoutSecs: 10,
  useExistsSync: false,
  ...over,
});

async function connected(conn: FakeConnection, over: Partial<RemoteBackendSettings> = {}): Promise<RemoteBackend> {
  const backend = new RemoteBackend({ url: "fake://", settings: settings(over), connect: async () => conn });
  expect(await backend.initConnection()).toBeNull();
  return backend;
}

describe("RemoteBackend put flow", () => {
  it("holds one reference per in-flight put and de-duplicates a second put of the same key", async () => {
    const alloc = allocator();
    const conn = new FakeConnection(alloc);
    const gate = deferred<void>();
    conn.innerPut = async (k, o) => {
      await gate.promise;
      conn.store.set(k.toString(), o.byteArray.slice());
    };
    const backend = await connected(conn);
    const obj = filled(alloc, 4096, 7);
    const first = backend.submitPutTask(key(1), obj);
    const second = backend.submitPutTask(key(1), obj);
    expect(obj.getRefCount()).toBe(2); // caller + in-flight put
    expect(backend.existsInPutTasks(key(1))).toBe(true);
    gate.resolve();
    await Promise.all([first, second]);
    expect(conn.calls.filter((c) => c === "put")).toHaveLength(1);
    expect(backend.stats.dedupedPuts).toBe(1);
    expect(obj.getRefCount()).toBe(1);
    expect(backend.existsInPutTasks(key(1))).toBe(false);
    expect(backend.stats.bytesWritten).toBe(4096);
    // After the first put finished, the same key can be put again.
    await backend.submitPutTask(key(1), obj);
    expect(conn.calls.filter((c) => c === "put")).toHaveLength(2);
    obj.refCountDown();
    expect(alloc.stats().liveObjects).toBe(0);
  });

  it("counts a failed put, releases its reference and never throws", async () => {
    const alloc = allocator();
    const conn = new FakeConnection(alloc);
    conn.innerPut = async () => {
      throw new Error("disk full");
    };
    const backend = await connected(conn);
    const obj = filled(alloc, 100, 1);
    await expect(backend.submitPutTask(key(2), obj)).resolves.toBeUndefined();
    expect(backend.stats.putFailures).toBe(1);
    expect(obj.getRefCount()).toBe(1);
    expect(backend.putTasks.size).toBe(0);
  });

  it("is a no-op without a connection, and does not reconnect within the 10 s interval", async () => {
    let now = 1_000_000;
    let attempts = 0;
    const backend = new RemoteBackend({
      url: "fake://",
      settings: settings(),
      now: () => now,
      connect: async () => {
        attempts++;
        throw new Error("refused");
      },
    });
    expect(await backend.initConnection()).toBeInstanceOf(Error);
    expect(backend.connection).toBeNull();
    const alloc = allocator();
    const obj = filled(alloc, 10, 0);
    await backend.submitPutTask(key(3), obj);
    expect(obj.getRefCount()).toBe(1);
    expect(await backend.getBlocking(key(3))).toBeNull();
    now += MIN_RECONNECT_INTERVAL_MS - 1;
    await backend.initConnection();
    expect(attempts).toBe(1);
    now += 1;
    await backend.initConnection();
    expect(attempts).toBe(2);
  });
});

describe("RemoteBackend get flow", () => {
  it("returns the stored bytes with the caller owning the reference", async () => {
    const alloc = allocator();
    const conn = new FakeConnection(alloc);
    const backend = await connected(conn);
    const obj = filled(alloc, 512, 9);
    await backend.submitPutTask(key(4), obj);
    obj.refCountDown();
    const got = await backend.getBlocking(key(4));
    expect(got).not.toBeNull();
    expect(Buffer.from(got!.byteArray).equals(Buffer.alloc(512, 9))).toBe(true);
    expect(got!.getRefCount()).toBe(1);
    got!.refCountDown();
    expect(alloc.stats().liveObjects).toBe(0);
    expect(await backend.getBlocking(key(5))).toBeNull();
  });

  it("gives up on a slow get after blocking_timeout_secs and releases the late object", async () => {
    const alloc = allocator();
    const conn = new FakeConnection(alloc);
    const gate = deferred<void>();
    conn.innerGet = async () => {
      await gate.promise;
      return filled(alloc, 64, 3);
    };
    const backend = await connected(conn, { blockingTimeoutSecs: 0.05 });
    const start = Date.now();
    expect(await backend.getBlocking(key(6))).toBeNull();
    const waited = Date.now() - start;
    expect(waited).toBeGreaterThanOrEqual(45);
    expect(waited).toBeLessThan(1000);
    expect(backend.stats.getTimeouts).toBe(1);
    gate.resolve();
    await new Promise((r) => setTimeout(r, 10));
    expect(backend.stats.lateResults).toBe(1);
    expect(alloc.stats().liveObjects).toBe(0);
  });

  it("turns a throwing get into null", async () => {
    const alloc = allocator();
    const conn = new FakeConnection(alloc);
    conn.innerGet = async () => {
      throw new Error("boom");
    };
    const backend = await connected(conn);
    expect(await backend.getBlocking(key(7))).toBeNull();
    expect(backend.stats.getFailures).toBe(1);
  });

  it("batched get without batched support: all slots, nulls after the first failure, later objects released", async () => {
    const alloc = allocator();
    const conn = new FakeConnection(alloc);
    const backend = await connected(conn);
    for (const h of [10, 11, 12, 14]) {
      const o = filled(alloc, 128, h);
      await backend.submitPutTask(key(h), o);
      o.refCountDown();
    }
    // 13 is a miss: a miss is not a failure, later slots keep their objects.
    const withMiss = await backend.batchedGetBlocking([key(10), key(13), key(14)]);
    expect(withMiss.map((o) => (o ? o.byteArray[0] : null))).toEqual([10, null, 14]);
    withMiss.forEach((o) => o?.refCountDown());
    const original = conn.innerGet;
    conn.innerGet = async (k) => {
      if (k.toString() === key(11).toString()) throw new Error("connection reset");
      return original(k);
    };
    const results = await backend.batchedGetBlocking([key(10), key(11), key(12)]);
    expect(results).toHaveLength(3);
    expect(results[0]!.byteArray[0]).toBe(10);
    expect(results[1]).toBeNull();
    expect(results[2]).toBeNull();
    results[0]!.refCountDown();
    await new Promise((r) => setTimeout(r, 10));
    // The fake store keeps bytes, not objects, so nothing may stay allocated — incl. slot 3.
    expect(alloc.stats().liveObjects).toBe(0);
    expect(conn.calls.filter((c) => c === "get").length).toBe(6);
  });

  it("uses one batchedGet call when the connector supports it", async () => {
    const alloc = allocator();
    const conn = new FakeConnection(alloc);
    conn.batched = true;
    const backend = await connected(conn);
    const o = filled(alloc, 32, 5);
    await backend.submitPutTask(key(20), o);
    o.refCountDown();
    const results = await backend.batchedGetBlocking([key(20), key(21)]);
    expect(conn.calls).toContain("batchedGet");
    expect(conn.calls).not.toContain("get");
    expect(results[0]!.byteArray[0]).toBe(5);
    expect(results[1]).toBeNull();
    results[0]!.refCountDown();
  });
});

describe("RemoteBackend contains", () => {
  it("uses exists by default and existsSync with use_exists_sync", async () => {
    const alloc = allocator();
    const asyncConn = new FakeConnection(alloc);
    const asyncBackend = await connected(asyncConn);
    expect(await asyncBackend.contains(key(30))).toBe(false);
    expect(asyncConn.calls).toEqual(["exists"]);

    const syncConn = new FakeConnection(alloc);
    syncConn.store.set(key(31).toString(), new Uint8Array(1));
    const syncBackend = await connected(syncConn, { useExistsSync: true });
    expect(await syncBackend.contains(key(31))).toBe(true);
    expect(await syncBackend.contains(key(32))).toBe(false);
    expect(syncConn.calls).toEqual(["existsSync", "existsSync"]);
    expect(await syncBackend.batchedContains([key(31), key(32), key(31)])).toBe(1);
  });

  it("turns a throwing exists into false", async () => {
    const conn = new FakeConnection(allocator());
    conn.exists = async () => {
      throw new Error("timeout talking to server");
    };
    const backend = await connected(conn);
    expect(await backend.contains(key(33))).toBe(false);
    expect(backend.stats.containsFailures).toBe(1);
  });
});

describe("RemoteMonitor", () => {
  it("falls back to a blackhole while ping is unhealthy and switches back on recovery", async () => {
    const alloc = allocator();
    const conn = new FakeConnection(alloc);
    conn.store.set(key(40).toString(), new Uint8Array(8));
    const backend = await connected(conn);
    const monitor = new RemoteMonitor(backend, { pingIntervalSecs: 30, pingTimeoutSecs: 0.05 });
    const codes = [0, 1000, 0];
    conn.pingImpl = async () => codes.shift()!;
    expect(await monitor.tick()).toBe(0);
    expect(monitor.inFallback).toBe(false);
    expect(await monitor.tick()).toBe(1000);
    expect(monitor.inFallback).toBe(true);
    expect(await backend.contains(key(40))).toBe(false); // blackhole
    const obj = filled(alloc, 16, 1);
    await backend.submitPutTask(key(41), obj);
    expect(obj.getRefCount()).toBe(1); // the fallback releases the put's reference
    expect(conn.store.has(key(41).toString())).toBe(false);
    expect(await monitor.tick()).toBe(0);
    expect(monitor.inFallback).toBe(false);
    expect(await backend.contains(key(40))).toBe(true);
    expect(monitor.events.map((e) => e.healthy)).toEqual([false, true]);
  });

  it("reports a hanging ping as -1 and a throwing ping as -2", async () => {
    const conn = new FakeConnection(allocator());
    const backend = await connected(conn);
    const monitor = new RemoteMonitor(backend, { pingIntervalSecs: 30, pingTimeoutSecs: 0.03 });
    conn.pingImpl = () => new Promise(() => {});
    expect(await monitor.tick()).toBe(PING_TIMEOUT_CODE);
    conn.pingImpl = async () => {
      throw new Error("no route");
    };
    expect(await monitor.tick()).toBe(PING_ERROR_CODE);
    expect(monitor.inFallback).toBe(true);
  });

  it("pings on its own every ping_interval once started", async () => {
    const conn = new FakeConnection(allocator());
    const backend = await connected(conn);
    const monitor = new RemoteMonitor(backend, { pingIntervalSecs: 0.01, pingTimeoutSecs: 0.05 });
    monitor.start();
    await new Promise((r) => setTimeout(r, 120));
    monitor.stop();
    expect(monitor.pings).toBeGreaterThanOrEqual(3);
  });
});
