import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createEngineConfig } from "../../src/config/engine-config";
import { createConnector } from "../../src/connector/create-connector";
import type { InstrumentedRemoteConnector } from "../../src/connector/instrumented-connector";
import { conformanceMetadata } from "../../src/conformance/env";
import { CacheEngineKey } from "../../src/keys/cache-engine-key";
import { MemoryAllocator } from "../../src/memory/allocator";
import { stopBridges } from "../../src/python/host";
import { nativeAddonPath } from "../../src/python/native-mapping";
import type { PythonRemoteConnector } from "../../src/python/python-connector";
import { LocalCPUBackend } from "../../src/storage-backend/local-cpu-backend";
import { FIXTURES } from "./load-connector";

// How payload bytes reach the Python connector: shared pages (the native mapping adopted as the
// allocator's arena) or copies through the instance's file; both must give the same bytes.
process.env["LMCACHE_PYTHON"] = "/usr/bin/python3";
afterAll(() => stopBridges());

const MiB = 1 << 20;
const key = (h: number) => new CacheEngineKey({ modelName: "m", worldSize: 1, workerId: 0, chunkHash: BigInt(h), dtype: "bfloat16" });

async function open(module: string, cls: string, opts: { capacityBytes: number; allocateFirst?: boolean; copy?: boolean }) {
  const config = createEngineConfig({});
  const allocator = new MemoryAllocator({ capacityBytes: opts.capacityBytes });
  if (opts.allocateFirst) allocator.allocate([16], "uint8")!.refCountDown();
  const local = new LocalCPUBackend({ config, metadata: conformanceMetadata(), allocator });
  if (opts.copy) process.env["LMCACHE_KIT_SHM"] = "copy";
  let connector: InstrumentedRemoteConnector;
  try {
    connector = (await createConnector(`external://host:0/${module}/?connector_name=${cls}`, { localCpuBackend: local, config, metadata: conformanceMetadata(), cwd: join(FIXTURES, module === "dict_connector" ? "good" : "transport") })) as InstrumentedRemoteConnector;
  } finally {
    delete process.env["LMCACHE_KIT_SHM"];
  }
  const python = (connector.getWrappedConnector() as PythonRemoteConnector).python;
  return { local, allocator, connector, python };
}

/** Puts a patterned 1 MiB object, gets it back, and says whether the bytes survived. */
async function roundTrip(opened: Awaited<ReturnType<typeof open>>): Promise<boolean> {
  const obj = opened.local.allocate([MiB], "uint8")!;
  for (let i = 0; i < MiB; i++) obj.byteArray[i] = (i * 31 + 7) & 0xff;
  const want = Buffer.from(obj.byteArray);
  await opened.connector.put(key(1), obj); // the wrapper releases the caller's reference
  const got = (await opened.connector.get(key(1)))!;
  const same = Buffer.compare(Buffer.from(got.byteArray), want) === 0;
  got.refCountDown();
  return same;
}

describe("payload transport", () => {
  it("the native mapping is built for this platform (npm run build compiles runtime/native)", () => {
    expect(nativeAddonPath()).toMatch(/native[/\\]prebuilds[/\\][a-z0-9]+-[a-z0-9]+[/\\]lmcache_kit_shm\.node$/);
  });

  it("shares pages by default: Python's writes land in the engine's own object, and bytes round trip", async () => {
    const opened = await open("stamping_connector", "StampingConnector", { capacityBytes: 8 * MiB });
    expect(opened.python.payloads).toEqual({ kind: "shared", reason: "" });
    const obj = opened.local.allocate([4096], "uint8")!;
    obj.byteArray.fill(1);
    obj.refCountUp(); // the put's own reference, released by the Instrumented wrapper
    await opened.connector.put(key(1), obj);
    expect(obj.byteArray[0]).toBe(0xab); // no copy: the same bytes
    obj.refCountDown();
    await opened.connector.close();

    const dict = await open("dict_connector", "DictConnector", { capacityBytes: 8 * MiB });
    expect(dict.python.payloads.kind).toBe("shared");
    expect(await roundTrip(dict)).toBe(true);
    await dict.connector.close();
    expect(dict.allocator.stats().liveObjects).toBe(0);
  });

  it("LMCACHE_KIT_SHM=copy copies through the file: Python's writes stay in its copy, bytes still round trip", async () => {
    const opened = await open("stamping_connector", "StampingConnector", { capacityBytes: 8 * MiB, copy: true });
    expect(opened.python.payloads).toEqual({ kind: "copied", reason: "LMCACHE_KIT_SHM=copy" });
    expect(String(opened.connector.getWrappedConnector())).toContain("· payloads copied (LMCACHE_KIT_SHM=copy)>");
    const obj = opened.local.allocate([4096], "uint8")!;
    obj.byteArray.fill(1);
    obj.refCountUp(); // the put's own reference, released by the Instrumented wrapper
    await opened.connector.put(key(1), obj);
    expect(obj.byteArray[0]).toBe(1);
    obj.refCountDown();
    await opened.connector.close();

    const dict = await open("dict_connector", "DictConnector", { capacityBytes: 8 * MiB, copy: true });
    expect(await roundTrip(dict)).toBe(true);
    await dict.connector.close();
  });

  it("copies, saying why, when the allocator allocated before the connector existed", async () => {
    const opened = await open("dict_connector", "DictConnector", { capacityBytes: 8 * MiB, allocateFirst: true });
    expect(opened.python.payloads).toEqual({ kind: "copied", reason: "the allocator had allocated before the connector was created" });
    expect(await roundTrip(opened)).toBe(true);
    await opened.connector.close();
  });

  it("copies, saying why, when the arena is over Node's external-buffer limit (4 GiB)", async () => {
    const opened = await open("dict_connector", "DictConnector", { capacityBytes: 5 * 1024 * MiB });
    expect(opened.python.payloads.kind).toBe("copied");
    expect(opened.python.payloads.reason).toMatch(/^the arena \(5\.0 GiB\) is over Node's 4 GiB limit for an external buffer$/);
    expect(await roundTrip(opened)).toBe(true);
    await opened.connector.close();
  });
});

describe("the native mapping's own errors", () => {
  // In a child: a crash (a double free, a bad munmap) must show as a failed exit, not kill vitest.
  const probe = (body: string) =>
    spawnSync(process.execPath, ["-e", `const m = { exports: {} }; process.dlopen(m, ${JSON.stringify(nativeAddonPath())}); const fs = require("fs"); ${body}`], { encoding: "utf8", timeout: 20_000 });

  it("a bad descriptor or length is a JS error", () => {
    const r = probe(`for (const args of [[-1, 4096], [99999, 4096], [0, 0]]) { try { m.exports.map(...args); console.log("mapped"); } catch (e) { console.log(e.message); } }`);
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual([
      "map(fd, length): fd must be open and length positive",
      "mmap of 4096 bytes failed: Bad file descriptor",
      "map(fd, length): fd must be open and length positive",
    ]);
  });

  it("a mapping over Node's Buffer limit is refused once, cleanly (Node runs the finalizer itself)", () => {
    const r = probe(
      `const p = "/dev/shm/lmcache-kit-test-" + process.pid; const fd = fs.openSync(p, "w+", 0o600); fs.unlinkSync(p); fs.ftruncateSync(fd, 5 * 2 ** 30);` +
        `try { m.exports.map(fd, 5 * 2 ** 30); } catch (e) { console.log(e.code ?? e.message); } setTimeout(() => console.log("alive"), 50);`,
    );
    expect(r.stderr).not.toMatch(/double free|Aborted/);
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual(["ERR_BUFFER_TOO_LARGE", "alive"]);
  });

  it("the mapped bytes are the file's bytes, both ways", () => {
    const r = probe(
      `const p = "/dev/shm/lmcache-kit-test-" + process.pid; const fd = fs.openSync(p, "w+", 0o600); fs.ftruncateSync(fd, 8192); fs.writeSync(fd, Buffer.from([7]), 0, 1, 4096);` +
        `const a = new Uint8Array(m.exports.map(fd, 8192)); a[5] = 42; console.log(a[4096], fs.readFileSync(p)[5], a.length); fs.unlinkSync(p);`,
    );
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe("7 42 8192");
  });
});
