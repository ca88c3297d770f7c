import { execFileSync } from "node:child_process";
import { beforeEach, describe, expect, it } from "vitest";
import { AuditConnector, sha256Hex } from "../../src/connector/adapters/audit-connector";
import { MockConnector } from "../../src/connector/adapters/mock-connector";
import { SafeLocalCPUBackend } from "../../src/connector/context";
import { createConnector } from "../../src/connector/create-connector";
import { EventLoop } from "../../src/connector/event-loop";
import { createEngineConfig } from "../../src/config/engine-config";
import { clearLogRecords, getLogRecords } from "../../src/logging";
import { LocalCPUBackend } from "../../src/storage-backend/local-cpu-backend";
import { fullChunk, makeBackend, makeKey } from "./helpers";

beforeEach(() => clearLogRecords());

/** `str(ValueError(*args))` computed by python3 itself. */
function pythonValueErrorStr(...args: string[]): string {
  const code = `import sys, json; print(str(ValueError(*json.loads(sys.argv[1]))), end="")`;
  return execFileSync("python3", ["-c", code, JSON.stringify(args)], { encoding: "utf8" });
}

describe("memory:// batched semantics", () => {
  it("batchedGet returns hits up to the first miss then nulls, without allocating after the miss", async () => {
    const b = makeBackend();
    const conn = await createConnector("memory://", { localCpuBackend: b.backend, config: b.config });
    for (const h of [1, 2, 4]) {
      const { obj } = fullChunk(b, h);
      obj.refCountUp();
      await conn.put(makeKey(h), obj);
      obj.refCountDown();
    }
    const got = await conn.batchedGet([1, 2, 3, 4].map((h) => makeKey(h)));
    expect(got.map((o) => o !== null)).toEqual([true, true, false, false]);
    expect(b.allocator.stats().liveObjects).toBe(2);
    expect(conn.batchedContains([1, 2, 3, 4].map((h) => makeKey(h)))).toBe(2);
    expect(await conn.batchedAsyncContains("l", [4, 1].map((h) => makeKey(h)))).toBe(2);
    const nb = await conn.batchedGetNonBlocking("l", [1, 3, 4].map((h) => makeKey(h)));
    expect(nb.length).toBe(1);
    expect(b.allocator.stats().liveObjects).toBe(3);
  });

  it("batchedPut stores every object and the wrapper releases each once", async () => {
    const b = makeBackend();
    const conn = await createConnector("memory://", { localCpuBackend: b.backend });
    const objs = [fullChunk(b, 1).obj, fullChunk(b, 2).obj];
    objs.forEach((o) => o.refCountUp());
    await conn.batchedPut([makeKey(1), makeKey(2)], objs);
    expect(objs.map((o) => o.getRefCount())).toEqual([1, 1]);
    expect((await conn.list()).length).toBe(2);
  });
});

describe("scheduler role (no LocalCPUBackend)", () => {
  it("substitutes SafeLocalCPUBackend whose allocate throws LMCache's RuntimeError", async () => {
    const safe = SafeLocalCPUBackend.create();
    expect(safe).toBeInstanceOf(LocalCPUBackend);
    expect(String(safe)).toBe("SafeLocalCPUBackend(dummy)");
    expect(() => safe.allocate([1], "uint8")).toThrow(
      "SafeLocalCPUBackend.allocate() should never be called. This indicates a bug where scheduler role is trying to allocate memory.",
    );
    expect(() => safe.config).toThrow(expect.objectContaining({ name: "AttributeError" }));
    const conn = await createConnector("memory://", { localCpuBackend: null });
    expect(await conn.exists(makeKey(1))).toBe(false);
  });
});

describe("mock://", () => {
  it("parses capacity and latency settings like LMCache's adapter", async () => {
    const b = makeBackend();
    const conn = await createConnector("mock://3/?peeking_latency=0&read_throughput=8", { localCpuBackend: b.backend });
    expect(String(conn.getWrappedConnector())).toBe(
      "MockConnector(capacity=3GB, peeking_latency=0.0ms, read_throughput=8.0GB/s, write_throughput=2.0GB/s)",
    );
    await expect(createConnector("mock:///?x=1", { localCpuBackend: b.backend })).rejects.toThrow(
      "mock connector requires capacity in GB as netloc, e.g. mock://100/?...",
    );
    await expect(createConnector("mock://abc/", { localCpuBackend: b.backend })).rejects.toMatchObject({
      name: "ValueError",
      message: pythonValueErrorStr("Invalid capacity 'abc' for", " mock connector; must be an integer (GB)."),
    });
  });

  it("stores metadata only: get allocates the right shape; batchedGet stops at the first miss", async () => {
    const b = makeBackend();
    const conn = await createConnector("mock://1/?peeking_latency=0", { localCpuBackend: b.backend });
    const { obj } = fullChunk(b, 1);
    obj.refCountUp();
    await conn.put(makeKey(1), obj);
    expect(obj.getRefCount()).toBe(1);
    expect(await conn.exists(makeKey(1))).toBe(true);
    expect(conn.existsSync(makeKey(2))).toBe(false);
    const got = (await conn.get(makeKey(1)))!;
    expect(got.getShape()).toEqual([2, 2, 16, 16]);
    expect(got.getRefCount()).toBe(1);
    const batch = await conn.batchedGet([makeKey(1), makeKey(2), makeKey(1)]);
    expect(batch.length).toBe(1);
    expect(await conn.list()).toEqual([makeKey(1).toString()]);
    expect(await conn.batchedAsyncContains("l", [makeKey(1), makeKey(2)])).toBe(1);
    await conn.close();
    expect(conn.existsSync(makeKey(1))).toBe(false);
  });

  it("rejects an object larger than the whole capacity with LMCache's tuple-shaped ValueError", async () => {
    const b = makeBackend();
    const conn = new MockConnector({ url: "mock://0", loop: new EventLoop(), localCpuBackend: b.backend, capacity: 0, peekingLatency: 0 });
    const { obj } = fullChunk(b, 1);
    await expect(conn.put(makeKey(1), obj)).rejects.toMatchObject({
      name: "ValueError",
      message: pythonValueErrorStr("Allocation size 2048 is", " greater than capacity {self.capacity}"),
    });
  });
});

describe("blackhole://", () => {
  it("misses everything, drops puts and lists null like LMCache", async () => {
    const b = makeBackend();
    const conn = await createConnector("blackhole://", { localCpuBackend: b.backend, config: b.config });
    const { obj } = fullChunk(b, 1);
    obj.refCountUp();
    await conn.put(makeKey(1), obj);
    expect(obj.getRefCount()).toBe(1);
    expect(await conn.exists(makeKey(1))).toBe(false);
    expect(conn.existsSync(makeKey(1))).toBe(false);
    expect(await conn.get(makeKey(1))).toBeNull();
    expect(await conn.list()).toBeNull();
    // A fork's `remote_black_hole_always_exists` is not upstream: it changes nothing.
    const fork = makeBackend({ remote_black_hole_always_exists: true });
    const still = await createConnector("blackhole://", { localCpuBackend: fork.backend, config: fork.config });
    expect(await still.exists(makeKey(1))).toBe(false);
    expect(still.existsSync(makeKey(1))).toBe(false);
  });
});

describe("audit://", () => {
  it("checksums with SHA-256 and returns null (releasing) when the bytes changed", async () => {
    const name = "audit-" + Math.random();
    const b = makeBackend({
      audit_actual_remote_url: `memory://${name}`,
      audit_calc_checksum: true,
      audit_exclude_cmds: "list, exists",
    });
    const conn = await createConnector("audit://localhost:8080?verify=true", { localCpuBackend: b.backend, config: b.config });
    const audit = conn.getWrappedConnector() as AuditConnector;
    expect(audit).toBeInstanceOf(AuditConnector);
    expect(audit.verifyChecksum).toBe(true);
    expect([...audit.excludedCmds]).toEqual(["list", "exists"]);
    const { obj, bytes } = fullChunk(b, 5);
    obj.refCountUp();
    await conn.put(makeKey(1), obj);
    expect(obj.getRefCount()).toBe(1);
    const good = (await conn.get(makeKey(1)))!;
    expect(Buffer.from(good.byteArray).equals(Buffer.from(bytes))).toBe(true);
    good.refCountDown();
    const expected = execFileSync("python3", ["-c", "import sys,hashlib;print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest(),end='')"], {
      input: Buffer.from(bytes),
      encoding: "utf8",
    });
    expect(sha256Hex(bytes)).toBe(expected);

    // Corrupt the stored chunk behind the auditor's back through a second connector on the same store.
    const other = await createConnector(`memory://${name}`, { localCpuBackend: b.backend });
    const evil = fullChunk(b, 6).obj;
    evil.refCountUp();
    await other.put(makeKey(1), evil);
    const live = b.allocator.stats().liveObjects;
    expect(await conn.get(makeKey(1))).toBeNull();
    expect(b.allocator.stats().liveObjects).toBe(live);
    expect(getLogRecords().some((r) => r.level === "error" && r.message.includes("GET|MISMATCH"))).toBe(true);
    await conn.exists(makeKey(1));
    expect(getLogRecords().some((r) => r.message.includes(":EXISTS|"))).toBe(false);
  });

  it("audit_exclude_cmds takes Python names and bypasses any method, put and get included; tags are upper-cased Python names", async () => {
    const name = "audit-x-" + Math.random();
    const b = makeBackend({
      audit_actual_remote_url: `memory://${name}`,
      audit_calc_checksum: true,
      audit_verify_checksum: true,
      audit_exclude_cmds: "put, get,exists_sync,batched_get",
    });
    const conn = await createConnector("audit://localhost:8080", { localCpuBackend: b.backend, config: b.config });
    const { obj } = fullChunk(b, 5);
    obj.refCountUp();
    await conn.put(makeKey(1), obj);
    // Corrupt the stored chunk: with `get` excluded there is no verification, so the bytes come back.
    const other = await createConnector(`memory://${name}`, { localCpuBackend: b.backend });
    const evil = fullChunk(b, 6);
    evil.obj.refCountUp();
    await other.put(makeKey(1), evil.obj);
    const got = (await conn.get(makeKey(1)))!;
    expect(Buffer.from(got.byteArray).equals(Buffer.from(evil.bytes))).toBe(true);
    got.refCountDown();
    expect(conn.existsSync(makeKey(1))).toBe(true);
    (await conn.batchedGet([makeKey(1)])).forEach((o) => o?.refCountDown());
    expect(await conn.batchedAsyncContains("l", [makeKey(1)])).toBe(1);
    const audit = getLogRecords().filter((r) => r.message.startsWith("[REMOTE_AUDIT]")).map((r) => r.message);
    expect(audit.some((m) => /:(PUT|GET|EXISTS_SYNC|BATCHED_GET)\|/.test(m))).toBe(false);
    expect(audit.some((m) => m.includes(":BATCHED_ASYNC_CONTAINS|SUCCESS"))).toBe(true);
    // A camelCase name is not a Python method name: nothing is excluded by it.
    const camel = makeBackend({ audit_actual_remote_url: `memory://${name}`, audit_exclude_cmds: "existsSync" });
    clearLogRecords();
    const c2 = await createConnector("audit://localhost:8080", { localCpuBackend: camel.backend, config: camel.config });
    c2.existsSync(makeKey(1));
    expect(getLogRecords().some((r) => r.message.includes(":EXISTS_SYNC|SUCCESS"))).toBe(true);
  });

  it("requires a config and an actual remote URL, with LMCache's texts", async () => {
    const b = makeBackend();
    await expect(createConnector("audit://h:1", { localCpuBackend: b.backend })).rejects.toThrow("Config is not set");
    await expect(createConnector("audit://h:1", { localCpuBackend: b.backend, config: createEngineConfig({ extraConfig: {} }) })).rejects.toThrow(
      "audit_actual_remote_url is not set in the config or extra_config",
    );
    await expect(createConnector("audit://h:1", { localCpuBackend: b.backend, config: createEngineConfig({ extraConfig: null }) })).rejects.toMatchObject({
      name: "AttributeError",
      message: "'NoneType' object has no attribute 'get'",
    });
    await expect(createConnector("audit://h:1,h:2", { localCpuBackend: b.backend })).rejects.toThrow(
      "Only one host is supported for audit connector, but got ['audit://h:1', 'h:2']",
    );
  });
});

describe("EventLoop", () => {
  it("runs tasks and executor work, tracks pending tasks and refuses work once closed", async () => {
    const loop = new EventLoop();
    let ran = false;
    const task = loop.createTask(async () => {
      ran = true;
      return 7;
    });
    expect(loop.pendingTasks()).toBe(1);
    expect(await task).toBe(7);
    expect(ran).toBe(true);
    expect(await loop.runInExecutor((a: number, c: number) => a + c, 2, 3)).toBe(5);
    await expect(loop.runInExecutor(() => { throw new Error("x"); })).rejects.toThrow("x");
    await loop.close();
    expect(loop.isClosed()).toBe(true);
    expect(() => loop.createTask(async () => 1)).toThrow("Event loop is closed");
  });
});
