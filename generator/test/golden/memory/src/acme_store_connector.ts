/**
 * AcmeStoreConnector: an LMCache remote storage connector that keeps chunks in a Map inside the process
 * (generated from the `memory` template of generator-lmcache-connector).
 *
 * LMCache loads it either from a URL (see lmcache/acme_store_connector.yaml)
 *   remote_url: "external://host:0/src.acme_store_connector/?connector_name=AcmeStoreConnector"
 * or through the Remote Storage Plugin Framework
 *   remote_storage_plugins: ["acme_store_connector"]
 *   extra_config:
 *     remote_storage_plugin.acme_store_connector.module_path: src.acme_store_connector
 *     remote_storage_plugin.acme_store_connector.class_name: AcmeStoreConnector
 *
 * The rules LMCache relies on, which `npm test` (the conformance suite) checks:
 * - `get` returns a FRESH object from `localCpuBackend.allocate(...)` filled with the stored bytes,
 *   or `null` on a miss. If anything fails after allocating, release it (`refCountDown()`).
 * - `put` must NOT call `obj.refCountDown()`: LMCache releases the object after `put` settles.
 * - `existsSync`, `removeSync` and `batchedContains` are called synchronously.
 * - After `close()`, calls reject instead of hanging or succeeding.
 */
import {
  RemoteConnector,
  RuntimeError,
  getLogger,
  type CacheEngineKey,
  type ConnectorInit,
  type DType,
  type EventLoop,
  type LocalCPUBackend,
  type MemoryFormat,
  type MemoryObj,
} from "lmcache-connector-runtime";

const logger = getLogger("acme_store_connector");

/** What is kept per chunk: a private copy of the bytes, and how `get` re-allocates the object. */
interface StoredChunk {
  bytes: Uint8Array;
  shapes: number[][];
  dtypes: (DType | null)[];
  fmt: MemoryFormat;
}

/** AcmeStoreConnector: see the module comment. */
export class AcmeStoreConnector extends RemoteConnector {
  readonly loop: EventLoop;
  readonly localCpuBackend: LocalCPUBackend;
  /** Your store goes here: this Map stands in for the service the connector talks to. */
  private readonly store = new Map<string, StoredChunk>();
  private closed = false;

  constructor({ loop, localCpuBackend }: ConnectorInit) {
    // LMCache: super().__init__(local_cpu_backend.config, local_cpu_backend.metadata)
    super(localCpuBackend.config, localCpuBackend.metadata);
    this.loop = loop;
    this.localCpuBackend = localCpuBackend;
    // Open your client here. LMCache passes no URL: read settings from config.extraConfig.
  }

  override async exists(key: CacheEngineKey): Promise<boolean> {
    return this.existsSync(key);
  }

  override existsSync(key: CacheEngineKey): boolean {
    this.assertOpen();
    return this.store.has(key.toString());
  }

  override async get(key: CacheEngineKey): Promise<MemoryObj | null> {
    this.assertOpen();
    const chunk = this.store.get(key.toString());
    if (chunk === undefined) return null;
    return this.allocateFilled(chunk.shapes, chunk.dtypes, chunk.fmt, chunk.bytes);
  }

  override async put(key: CacheEngineKey, obj: MemoryObj): Promise<void> {
    this.assertOpen();
    // Copy: obj's bytes belong to LMCache's CPU cache and are released after put settles.
    this.store.set(key.toString(), {
      bytes: obj.byteArray.slice(),
      shapes: obj.getShapes().map((shape) => [...shape]),
      dtypes: [...obj.getDtypes()],
      fmt: obj.getMemoryFormat(),
    });
  }

  override async list(): Promise<string[]> {
    this.assertOpen();
    return [...this.store.keys()];
  }

  override async close(): Promise<void> {
    // Close your client here; a second close() must be harmless.
    this.closed = true;
  }

  /** Allocates the object `get` returns and copies `bytes` in; releases it again if that fails. */
  private allocateFilled(shapes: number[][], dtypes: (DType | null)[], fmt: MemoryFormat, bytes: Uint8Array): MemoryObj | null {
    const single = shapes.length === 1;
    const obj = this.localCpuBackend.allocate(single ? shapes[0]! : shapes, (single ? dtypes[0] : dtypes) as DType | DType[], fmt);
    if (obj === null) {
      // The local CPU cache is full: a miss, as LMCache's own connectors report it.
      logger.warning("Failed to allocate memory during remote receive");
      return null;
    }
    try {
      if (obj.byteArray.length !== bytes.length) {
        throw new RuntimeError(`allocated ${obj.byteArray.length} bytes for a ${bytes.length}-byte chunk`);
      }
      obj.byteArray.set(bytes);
      return obj;
    } catch (error) {
      logger.error(`Failed to read chunk: ${(error as Error).message}`);
      obj.refCountDown(); // our own allocation: nobody else will release it
      return null;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new RuntimeError(`${this.constructor.name} is closed`);
  }
}
