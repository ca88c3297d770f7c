/**
 * `PythonRemoteConnector` (ours): a TypeScript `RemoteConnector` whose every method is the Python
 * connector's, called through the bridge — so the conformance engine, the harness, `bench`,
 * replay and the reports drive a Python class exactly as they drive a TS one (the
 * `InstrumentedRemoteConnector` wrapper, recording proxy and deadlines sit above it unchanged).
 *
 * Coroutine methods (`exists`, `get`, `put`, `list`, `close`, `ping`, batched ones) run on the
 * bridge's asyncio loop thread; synchronous ones (`exists_sync`, `remove_sync`,
 * `batched_contains`, `support_*`, `requires_put_completion`, `post_init`,
 * `reshape_partial_chunk`) in a caller thread, blocking Node until they answer (deadline
 * {@link SYNC_DEADLINE_MS}). A Python exception surfaces as an error whose `name` is the Python
 * type, whose message carries the traceback and whose `stack` points at the `.py` lines.
 */
import { RemoteConnector } from "../connector/base-connector";
import type { CacheEngineKey } from "../keys/cache-engine-key";
import type { MemoryObj } from "../memory/memory-obj";
import type { PythonConnectorSession } from "./session";
import type { PayloadTransport } from "./shared-arena";
import { truthy } from "./values";

/** What the bridge said about the loaded class. */
export interface PythonConnectorInfo {
  repr: string;
  class: string;
  file: string | null;
  line: number | null;
  /** The instance's `RemoteConnector.__init__` fields that exist (snake_case, JSON values). */
  chunkMeta?: Record<string, unknown>;
}

/** Python field → the proxy's field (`RemoteConnector`'s chunk meta). */
const CHUNK_META_FIELDS = {
  save_chunk_meta: "saveChunkMeta",
  meta_shapes: "metaShapes",
  meta_dtypes: "metaDtypes",
  meta_fmt: "metaFmt",
  full_chunk_size_bytes: "fullChunkSizeBytes",
  single_token_size: "singleTokenSize",
  remote_metadata_bytes: "remoteMetadataBytes",
} as const;

export class PythonRemoteConnector extends RemoteConnector {
  /** The Python class, its file and the interpreter and `lmcache` it runs with. */
  readonly python: PythonConnectorInfo & { interpreter: string; pythonVersion: string; lmcache: string; payloads: PayloadTransport };
  private readonly session: PythonConnectorSession;

  constructor(session: PythonConnectorSession, info: PythonConnectorInfo) {
    super(); // the Python instance computed its own chunk meta (RemoteConnector.__init__) …
    this.session = session;
    // … mirrored here (the harness's health check reads it); absent fields stay absent, as on a
    // Python connector that never called super().__init__(config, metadata).
    for (const [py, ts] of Object.entries(CHUNK_META_FIELDS)) {
      if (info.chunkMeta && py in info.chunkMeta) (this as unknown as Record<string, unknown>)[ts] = info.chunkMeta[py];
    }
    const hello = session.hello;
    this.python = {
      ...info,
      interpreter: hello.python.executable,
      pythonVersion: hello.python.version,
      lmcache: `${hello.lmcache.source} ${hello.lmcache.version}`,
      payloads: session.memory.arena.transport,
    };
  }

  // ---- coroutines ----------------------------------------------------------------------------
  async exists(key: CacheEngineKey): Promise<boolean> {
    return (await this.session.call("exists", [key])) as boolean;
  }
  async get(key: CacheEngineKey): Promise<MemoryObj | null> {
    return (await this.session.call("get", [key])) as MemoryObj | null;
  }
  async put(key: CacheEngineKey, obj: MemoryObj): Promise<void> {
    await this.session.call("put", [key, obj]);
  }
  async list(): Promise<string[]> {
    return (await this.session.call("list", [])) as string[];
  }
  async close(): Promise<void> {
    await this.session.call("close", []);
  }
  override async ping(): Promise<number> {
    return (await this.session.call("ping", [])) as number;
  }
  override async batchedGet(keys: CacheEngineKey[]): Promise<(MemoryObj | null)[]> {
    return (await this.session.call("batched_get", [keys])) as (MemoryObj | null)[];
  }
  override async batchedPut(keys: CacheEngineKey[], objs: MemoryObj[]): Promise<void> {
    await this.session.call("batched_put", [keys, objs]);
  }
  override async batchedAsyncContains(lookupId: string, keys: CacheEngineKey[], pin = false): Promise<number> {
    return (await this.session.call("batched_async_contains", [lookupId, keys, pin])) as number;
  }
  override async batchedGetNonBlocking(lookupId: string, keys: CacheEngineKey[]): Promise<MemoryObj[]> {
    return (await this.session.call("batched_get_non_blocking", [lookupId, keys])) as MemoryObj[];
  }

  // ---- synchronous methods ---------------------------------------------------------------------
  existsSync(key: CacheEngineKey): boolean {
    // LMCache tests the answer with `if`: an `async def exists_sync` returns a coroutine, truthy.
    return truthy(this.session.callSync("exists_sync", [key]));
  }
  override removeSync(key: CacheEngineKey): boolean {
    return this.session.callSync("remove_sync", [key]) as boolean;
  }
  override batchedContains(keys: CacheEngineKey[]): number {
    return this.session.callSync("batched_contains", [keys]) as number;
  }
  override supportPing(): boolean {
    return truthy(this.session.callSync("support_ping", []));
  }
  override supportBatchedGet(): boolean {
    return truthy(this.session.callSync("support_batched_get", []));
  }
  override supportBatchedPut(): boolean {
    return truthy(this.session.callSync("support_batched_put", []));
  }
  override supportBatchedAsyncContains(): boolean {
    return truthy(this.session.callSync("support_batched_async_contains", []));
  }
  override supportBatchedGetNonBlocking(): boolean {
    return truthy(this.session.callSync("support_batched_get_non_blocking", []));
  }
  override supportBatchedContains(): boolean {
    return truthy(this.session.callSync("support_batched_contains", []));
  }
  override requiresPutCompletion(): boolean {
    return truthy(this.session.callSync("requires_put_completion", []));
  }
  override postInit(): void {
    this.session.callSync("post_init", []);
  }
  override reshapePartialChunk(obj: MemoryObj, bytesRead: number): MemoryObj {
    return this.session.callSync("reshape_partial_chunk", [obj, bytesRead]) as MemoryObj;
  }

  /**
   * Python's `repr(connector)` (LMCache's base gives `<ClassName>`) plus the interpreter and the
   * `lmcache` it runs against, so every report header names them:
   * `<DictConnector · Python 3.11.2 (/usr/bin/python3) · lmcache kit 0.1.0>`, and why payloads
   * are copied when they cannot be shared (slower, same verdicts).
   */
  override toString(): string {
    const repr = this.python.repr.replace(/^<(.*)>$/, "$1");
    const copied = this.python.payloads.kind === "copied" ? ` · payloads copied (${this.python.payloads.reason})` : "";
    return `<${repr} · Python ${this.python.pythonVersion} (${this.python.interpreter}) · lmcache ${this.python.lmcache}${copied}>`;
  }
}
