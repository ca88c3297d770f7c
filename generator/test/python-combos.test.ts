/**
 * Every Python template × capability combination works, not only parses: each rendered module is
 * imported by Debian's Python against the kit's lmcache package, built as LMCache builds it
 * (`Cls(loop=…, local_cpu_backend=…, config=…)`), and driven through put/get/exists/list/close
 * and exactly the optional methods its capabilities declare (the others must be the base class's:
 * `support_*` false, `remove_sync` NotImplementedError). The redis modules talk to a real
 * redis-server this test starts on loopback and stops, and their exists_sync must see what another
 * client writes and deletes. One interpreter for all 24 modules keeps
 * it fast; the full conformance suite runs on the all-capability projects (python-e2e*.test.ts).
 * And the kit's linter finds nothing wrong in the golden Python projects, but does find a broken one.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CacheEngineKey } from "../../runtime/src/index.js";
import { type Capability, CAPABILITIES, TEMPLATES, renderProject } from "../src/render/index.js";
import { startRedisServer, type RedisServer } from "../../test/support/redis-server.js";
import { GOLDEN_ANSWERS } from "./helpers.js";

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const KIT_PYTHON = path.resolve(here, "../../runtime/python");
const CLI = path.resolve(here, "../../runtime/bin/lmcache-connector.js");
const work = mkdtempSync(path.join(os.tmpdir(), "lmcache-gen-py-combos-"));
let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Every subset of the capabilities, in CAPABILITIES order. */
const SUBSETS: Capability[][] = Array.from({ length: 1 << CAPABILITIES.length }, (_, mask) => CAPABILITIES.filter((_, i) => mask & (1 << i)));

const DRIVER = String.raw`
import asyncio, importlib, json, sys, traceback, torch
from lmcache.utils import CacheEngineKey
from lmcache.v1.config import LMCacheEngineConfig
from lmcache.v1.memory_management import MemoryFormat, TensorMemoryAllocator, tensor_from_buffer
from lmcache.v1.metadata import LMCacheMetadata
from lmcache.v1.storage_backend.local_cpu_backend import LocalCPUBackend

metadata = LMCacheMetadata(model_name="acme", world_size=1, local_world_size=1, worker_id=0, local_worker_id=0,
                           kv_dtype=torch.bfloat16, kv_shape=(2, 2, 256, 2, 32), chunk_size=256)

def filled(backend, seed):
    obj = backend.allocate(torch.Size([2, 16, 64]), torch.float16, MemoryFormat.KV_2TD)
    memoryview(obj.byte_array).cast("B")[:] = bytes((i * 31 + seed) & 0xFF for i in range(obj.get_size()))
    return obj

def check(condition, what):
    if not condition:
        raise AssertionError(what)

async def scenario(cls, backend, config, caps, keys, redis_url=None, prefix=""):
    k1, k2, miss, k3 = (CacheEngineKey.from_string(k) for k in keys)
    c = cls(loop=asyncio.get_running_loop(), local_cpu_backend=backend, config=config)
    check(not await c.exists(k1) and not c.exists_sync(k1), "empty store has k1")
    obj = filled(backend, 7)
    data = bytes(obj.byte_array)
    await c.put(k1, obj)
    obj.ref_count_down()  # the caller releases after put, as LMCache does
    got = await c.get(k1)
    check(got is not None and bytes(got.byte_array) == data, "get(k1) != put(k1)")
    check(list(got.get_shape()) == [2, 16, 64] and got.get_dtype() == torch.float16 and got.get_memory_format() == MemoryFormat.KV_2TD, "shape/dtype/fmt lost")
    got.ref_count_down()
    check(await c.exists(k1) and c.exists_sync(k1), "k1 not found after put")
    check(await c.get(miss) is None, "a miss is not None")
    if redis_url:
        # exists_sync asks the server: a key ANOTHER client writes is seen at once, and one it deletes is gone.
        import redis as redis_py
        other = redis_py.Redis.from_url(redis_url)
        other.set(prefix + keys[3], b"written by another client")
        check(c.exists_sync(k3) and await c.exists(k3), "exists_sync misses another client's write")
        other.delete(prefix + keys[3])
        check(not c.exists_sync(k3), "exists_sync still sees a key another client deleted")
        other.close()
    if "batched" in caps:
        check(c.support_batched_get() and c.support_batched_put() and c.support_batched_contains(), "batched not declared")
        o2, o3 = filled(backend, 2), filled(backend, 3)
        d2 = bytes(o2.byte_array)
        await c.batched_put([k2, k3], [o2, o3])
        o2.ref_count_down(); o3.ref_count_down()
        res = await c.batched_get([k1, k2, miss, k3])
        check(len(res) == 4 and res[2] is None and res[3] is None, "batched_get is not one slot per key with None after the first miss")
        check(bytes(res[1].byte_array) == d2, "batched_get(k2) != batched_put(k2)")
        for r in res[:2]:
            r.ref_count_down()
        check(c.batched_contains([k1, k2, miss, k3]) == 2, "batched_contains is not the hit prefix")
        check(sorted(await c.list()) == sorted(keys[i] for i in (0, 1, 3)), "list() after batched_put")
    else:
        check(not c.support_batched_get() and not c.support_batched_put() and not c.support_batched_contains(), "batched declared")
        check(await c.list() == [keys[0]], "list()")
    if "ping" in caps:
        check(c.support_ping() and await c.ping() == 0, "ping is not 0")
    else:
        check(not c.support_ping(), "ping declared")
    if "removeSync" in caps:
        check(c.remove_sync(k1) is True and not c.exists_sync(k1) and c.remove_sync(k1) is False, "remove_sync")
    else:
        try:
            c.remove_sync(k1)
            check(False, "remove_sync without the capability did not raise")
        except NotImplementedError:
            pass
    await c.close()
    await c.close()  # a second close is harmless
    try:
        await c.get(k1)
        check(False, "get after close did not raise")
    except RuntimeError:
        pass
    return "ok"

results = {}
for entry in json.load(sys.stdin):
    try:
        config = LMCacheEngineConfig.from_defaults(chunk_size=256, extra_config=entry["extra"])
        backend = LocalCPUBackend(config, metadata, memory_allocator=TensorMemoryAllocator(tensor_from_buffer(bytearray(1 << 22))))
        cls = getattr(importlib.import_module(entry["module"]), entry["className"])
        extra = entry["extra"]
        redis_url = extra.get("remote_storage_plugin.acme_store_connector.url")
        prefix = extra.get("remote_storage_plugin.acme_store_connector.key_prefix", "")
        results[entry["module"]] = asyncio.run(scenario(cls, backend, config, entry["capabilities"], entry["keys"], redis_url, prefix))
    except Exception:
        results[entry["module"]] = traceback.format_exc()
print(json.dumps(results))
`;

describe("every Python template × capability combination", () => {
  it("constructs as LMCache constructs it and does what its capabilities declare", async () => {
    const entries: Record<string, unknown>[] = [];
    let n = 0;
    for (const template of TEMPLATES) {
      for (const capabilities of SUBSETS) {
        const module = `combo_${template}_${capabilities.join("_") || "none"}`;
        const files = renderProject({ language: "python", name: "acme-store", template, capabilities, ci: false });
        writeFileSync(path.join(work, `${module}.py`), files.get("src/acme_store/acme_store_connector.py")!);
        const key = (i: number) => new CacheEngineKey({ modelName: "acme", worldSize: 1, workerId: 0, chunkHash: 0x1000 + n * 16 + i, dtype: "bfloat16" }).toString();
        n++;
        const extra: Record<string, string> = {};
        if (template === "fs") extra["remote_storage_plugin.acme_store_connector.base_path"] = path.join(work, `${module}-chunks`);
        if (template === "redis") {
          extra["remote_storage_plugin.acme_store_connector.url"] = redis.url;
          extra["remote_storage_plugin.acme_store_connector.key_prefix"] = `${module}:`;
        }
        entries.push({ module, className: "AcmeStoreConnector", capabilities, extra, keys: [key(1), key(2), key(3), key(4)] });
      }
    }
    // A deliberately broken one: remove_sync claims success for keys it does not hold.
    const good = renderProject({ language: "python", name: "acme-store", template: "memory", capabilities: ["removeSync"], ci: false }).get("src/acme_store/acme_store_connector.py")!;
    const brokenLine = "        return self.store.pop(key.to_string(), None) is not None\n";
    expect(good).toContain(brokenLine);
    writeFileSync(path.join(work, "broken_remove_sync.py"), good.replace(brokenLine, "        self.store.pop(key.to_string(), None)\n        return True\n"));
    entries.push({ ...entries.find((e) => e.module === "combo_memory_removeSync")!, module: "broken_remove_sync" });

    const child = run("/usr/bin/python3", ["-c", DRIVER], { cwd: work, env: { ...process.env, PYTHONPATH: [work, KIT_PYTHON].join(path.delimiter), LMCACHE_LOG_LEVEL: "ERROR" }, maxBuffer: 16 << 20, timeout: 120_000 });
    child.child.stdin!.end(JSON.stringify(entries));
    const { stdout } = await child;
    const results = JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, string>;
    expect(Object.keys(results)).toHaveLength(TEMPLATES.length * SUBSETS.length + 1);
    expect(results.broken_remove_sync).toMatch(/AssertionError: remove_sync/);
    delete results.broken_remove_sync;
    for (const [module, outcome] of Object.entries(results)) expect(outcome, module).toBe("ok");
  }, 120_000);
});

describe("the kit's linter on the generated Python projects", () => {
  const pythonGoldens = Object.entries(GOLDEN_ANSWERS).filter(([, answers]) => answers.language === "python");

  it.each(pythonGoldens.map(([name]) => name))("%s lints without errors or warnings (LMCache's own deprecation notice for external:// aside)", async (name) => {
    const dir = path.join(here, "golden", name);
    const { stdout } = await run(process.execPath, [CLI, "lint", ".", "--format", "json", "--python", "/usr/bin/python3"], { cwd: dir, env: { ...process.env, PYTHONPATH: path.join(dir, "src") }, maxBuffer: 16 << 20 });
    const findings = JSON.parse(stdout) as { file: string; severity: string; code: string; message: string }[];
    expect(findings.filter((f) => f.severity !== "information").map((f) => `${f.file}: ${f.code} ${f.message.slice(0, 200)}`)).toEqual([]);
    for (const f of findings) expect(f.code, `${f.file}: ${f.message}`).toBe("LMC018");
  }, 60_000);

  it("and catches an async exists_sync in a generated class (so the clean verdict means something)", async () => {
    const dir = path.join(work, "lint-broken");
    for (const [rel, text] of renderProject({ language: "python", name: "acme-store" })) {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), rel.endsWith(".py") ? text.replace("    def exists_sync(", "    async def exists_sync(") : text);
    }
    const failed = await run(process.execPath, [CLI, "lint", ".", "--format", "json", "--python", "/usr/bin/python3"], { cwd: dir, env: { ...process.env, PYTHONPATH: path.join(dir, "src") }, maxBuffer: 16 << 20 }).then(
      () => null,
      (e: { code?: number; stdout?: string }) => e,
    );
    expect(failed?.code).toBe(1);
    const findings = JSON.parse(failed!.stdout!) as { file: string; code: string }[];
    expect(findings.filter((f) => f.code === "LMC023").map((f) => f.file)).toContain("src/acme_store/acme_store_connector.py");
  }, 60_000);
});
