/**
 * The generated Python fs and redis projects (every capability) pass their own
 * `/usr/bin/python3 -m pytest` (Debian's python3-pytest, -torch, -aiofiles, -redis), with the
 * kit's CLI found the two other ways tests/conftest.py looks (the project-local npm install is
 * python-e2e.test.ts): fs through LMCACHE_CONNECTOR_CLI (the repository's runtime/bin), redis on
 * PATH after `npm install -g` of the vendored tarball into a prefix of its own. The JUnit report must
 * hold one passed item per conformance case. The redis project starts its own redis-server on
 * loopback and must stop it. The fs project's files are LMCache FSConnector files, both ways,
 * checked against the runtime's port, and `pip install -e .` (offline, into a virtualenv over
 * Debian's packages) makes the class loadable by its URL from any folder, as LMCache loads it.
 * They run concurrently.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CacheEngineKey, LMCacheMetadata, LocalCPUBackend, MemoryAllocator, MemoryFormat, RemoteMetadata, createConnector, createEngineConfig } from "../../runtime/src/index.js";
import { VERSIONS } from "../src/render/index.js";
import { PYTHON, authorEnv, expectAllCasesPassed, generate, processesIn, pytest, run, workDir } from "./python-projects.js";

const RUNTIME = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../runtime");
const CLI = { LMCACHE_CONNECTOR_CLI: path.join(RUNTIME, "bin/lmcache-connector.js") };
const work = workDir();

/** `npm install -g` of the vendored runtime tarball into a prefix of its own (offline); the prefix. */
async function globalInstall(): Promise<string> {
  const prefix = path.join(work, "npm-global");
  const tarball = path.resolve(RUNTIME, "../generator/vendor", `lmcache-connector-runtime-${VERSIONS.runtime}.tgz`);
  await run("npm", ["install", "-g", "--offline", "--no-audit", "--no-fund", "--prefix", prefix, tarball], { env: authorEnv(), maxBuffer: 16 << 20 });
  return prefix;
}
afterAll(() => rmSync(work, { recursive: true, force: true }));

let fsProject: Promise<string>;
beforeAll(() => {
  fsProject = generate(work, "fs", "plugin");
  fsProject.catch(() => undefined); // reported by the tests that await it
});

describe.concurrent("generated Python fs and redis projects pass their own python3 -m pytest", () => {
  it("fs (loaded through remote_storage_plugins, as its YAML says)", async () => {
    const project = await fsProject;
    expect(readFileSync(path.join(project, "tests/test_conformance.py"), "utf8")).toContain('URL = "plugin://e2e_py_fs_connector"');
    expectAllCasesPassed(await pytest(project, CLI), "fs");
  }, 240_000);

  it("fs: its files are LMCache FSConnector files, both ways", async () => {
    await checkFsFormat(await fsProject);
  }, 240_000);

  it("fs: pip install -e . makes the class loadable by its URL from any folder", async () => {
    await checkEditableInstall(await fsProject);
  }, 240_000);

  it("redis (CLI from npm install -g, found on PATH), against the redis-server its test starts on loopback and stops", async () => {
    const [project, prefix] = await Promise.all([generate(work, "redis"), globalInstall()]);
    expect(processesIn(project)).toEqual([]);
    const env = authorEnv();
    expectAllCasesPassed(await pytest(project, { PATH: [path.join(prefix, "bin"), env.PATH].join(path.delimiter) }), "redis");
    expect(processesIn(project)).toEqual([]); // the redis-server the test started is gone
  }, 240_000);
});

/**
 * The generated Python fs connector (run by Debian's Python against the kit's lmcache package)
 * writes `<base>/<key string>.data` = the 28-byte RemoteMetadata header + the bytes, which the
 * runtime's FSConnector (LMCache's, ported) reads; and reads what that FSConnector writes.
 */
async function checkFsFormat(project: string): Promise<void> {
  const base = mkdtempSync(path.join(os.tmpdir(), "lmcache-gen-py-fs-format-"));
  try {
    const config = createEngineConfig({ chunkSize: 256 });
    const metadata = new LMCacheMetadata({ modelName: "acme", worldSize: 1, workerId: 0, kvDtype: "bfloat16", kvShape: [2, 2, 256, 2, 32] });
    const backend = new LocalCPUBackend({ config, metadata, allocator: new MemoryAllocator({ capacityBytes: 1 << 22 }) });
    const lmcache = await createConnector(`fs://${base}`, { localCpuBackend: backend, config, metadata });
    const key = (hash: number) => new CacheEngineKey({ modelName: "acme", worldSize: 1, workerId: 0, chunkHash: hash, dtype: "bfloat16" }).toString();
    const pattern = (seed: number, n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));
    const size = 2 * 16 * 64 * 2; // [2, 16, 64] float16

    const other = backend.allocate([2, 16, 64], "float16", MemoryFormat.KV_2TD)!;
    other.byteArray.set(pattern(99, size));
    await lmcache.put(CacheEngineKey.fromString(key(2)), other);

    const script = `
import asyncio, json, sys, torch
from lmcache.utils import CacheEngineKey
from lmcache.v1.config import LMCacheEngineConfig
from lmcache.v1.memory_management import MemoryFormat, TensorMemoryAllocator, tensor_from_buffer
from lmcache.v1.metadata import LMCacheMetadata
from lmcache.v1.storage_backend.local_cpu_backend import LocalCPUBackend
from e2e_py_fs.e2e_py_fs_connector import E2ePyFsConnector
base, written, read = sys.argv[1:4]
config = LMCacheEngineConfig.from_defaults(chunk_size=256, extra_config={"remote_storage_plugin.e2e_py_fs_connector.base_path": base})
metadata = LMCacheMetadata(model_name="acme", world_size=1, local_world_size=1, worker_id=0, local_worker_id=0, kv_dtype=torch.bfloat16, kv_shape=(2, 2, 256, 2, 32), chunk_size=256)
backend = LocalCPUBackend(config, metadata, memory_allocator=TensorMemoryAllocator(tensor_from_buffer(bytearray(1 << 22))))
async def main():
    connector = E2ePyFsConnector(loop=asyncio.get_running_loop(), local_cpu_backend=backend, config=config)
    obj = backend.allocate(torch.Size([2, 16, 64]), torch.float16, MemoryFormat.KV_2TD)
    memoryview(obj.byte_array).cast("B")[:] = bytes((i * 31 + 7) & 0xFF for i in range(obj.get_size()))
    await connector.put(CacheEngineKey.from_string(written), obj)
    got = await connector.get(CacheEngineKey.from_string(read))
    out = {"read": bytes(got.byte_array).hex(), "shape": list(got.get_shape()), "dtype": str(got.get_dtype()), "fmt": got.get_memory_format().name, "list": sorted(await connector.list())}
    await connector.close()
    print(json.dumps(out))
asyncio.run(main())
`;
    // The kit's lmcache package (no real LMCache here).
    const kitPython = path.join(RUNTIME, "python");
    const { stdout } = await run(PYTHON, ["-c", script, base, key(1), key(2)], {
      cwd: project,
      env: { ...authorEnv(), PYTHONPATH: [kitPython, path.join(project, "src")].join(path.delimiter) },
      maxBuffer: 16 << 20,
    });
    const fromPython = JSON.parse(stdout.trim().split("\n").at(-1)!) as { read: string; shape: number[]; dtype: string; fmt: string; list: string[] };
    expect(Buffer.from(fromPython.read, "hex").equals(pattern(99, size))).toBe(true);
    expect([fromPython.shape, fromPython.dtype, fromPython.fmt]).toEqual([[2, 16, 64], "torch.float16", "KV_2TD"]);
    expect(fromPython.list).toEqual([key(1), key(2)].sort());

    const file = readFileSync(path.join(base, `${key(1)}.data`));
    expect(file.length).toBe(28 + size);
    const header = RemoteMetadata.deserialize(file);
    expect([header.length, header.shape, header.dtype, header.fmt]).toEqual([size, [2, 16, 64], "float16", MemoryFormat.KV_2TD]);
    expect(file.subarray(28).equals(pattern(7, size))).toBe(true);
    const readByLmcache = await lmcache.get(CacheEngineKey.fromString(key(1)));
    expect(readByLmcache && Buffer.from(readByLmcache.byteArray).equals(pattern(7, size))).toBe(true);
    await lmcache.close();
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

/**
 * `pip install -e .` is how the README makes the package importable where LMCache runs: into a
 * virtualenv over Debian's site-packages (torch, aiofiles), offline (setuptools from Debian), then
 * the kit's CLI loads the class by its URL from another folder, with no search path.
 */
async function checkEditableInstall(project: string): Promise<void> {
  const venv = mkdtempSync(path.join(os.tmpdir(), "lmcache-gen-py-venv-"));
  const elsewhere = mkdtempSync(path.join(os.tmpdir(), "lmcache-gen-py-elsewhere-"));
  try {
    await run(PYTHON, ["-m", "venv", "--system-site-packages", "--without-pip", venv]);
    const python = path.join(venv, "bin/python");
    await run(python, ["-m", "pip", "install", "--no-build-isolation", "--no-deps", "--no-index", "--disable-pip-version-check", "-e", project], { env: authorEnv(), maxBuffer: 16 << 20 });
    const url = "external://host:0/e2e_py_fs.e2e_py_fs_connector/?connector_name=E2ePyFsConnector";
    const { stdout } = await run(
      process.execPath,
      [CLI.LMCACHE_CONNECTOR_CLI, "check", url, "--python", python, "--format", "json", "--cases", "lifecycle.*,roundtrip.*", "--extra", `remote_storage_plugin.e2e_py_fs_connector.base_path=${elsewhere}/chunks`],
      { cwd: elsewhere, env: authorEnv(), maxBuffer: 16 << 20 },
    ).catch((e: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`the pip-installed connector did not pass:\n${e.stderr ?? e.message}\n${e.stdout ?? ""}`);
    });
    const report = JSON.parse(stdout) as { connector: string; summary: { passed: number; failed: number } };
    expect(report.connector).toContain(`(${python})`);
    expect(report.summary.failed).toBe(0);
    expect(report.summary.passed).toBeGreaterThanOrEqual(5);
  } finally {
    rmSync(venv, { recursive: true, force: true });
    rmSync(elsewhere, { recursive: true, force: true });
  }
}
