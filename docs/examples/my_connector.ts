import { RemoteConnector, type CacheEngineKey, type ConnectorInit, type DType, type LocalCPUBackend, type MemoryFormat, type MemoryObj } from "lmcache-connector-runtime";

type Entry = { bytes: Uint8Array; shape: number[]; dtype: DType; fmt: MemoryFormat };

/** A Map-backed store: replace the Map with your own store. */
export class MyConnector extends RemoteConnector {
  private readonly backend: LocalCPUBackend;
  private readonly store = new Map<string, Entry>();
  private closed = false;

  constructor({ localCpuBackend, config }: ConnectorInit) {
    super(config, localCpuBackend.metadata);
    this.backend = localCpuBackend;
  }

  async exists(key: CacheEngineKey) { return this.existsSync(key); }
  existsSync(key: CacheEngineKey) { return this.open().has(key.toString()); }
  async list() { return [...this.open().keys()]; }
  async close() { this.closed = true; }

  private open(): Map<string, Entry> {
    if (this.closed) throw new Error("MyConnector is closed");
    return this.store;
  }

  async put(key: CacheEngineKey, obj: MemoryObj) {
    // Copy: the caller's buffer is released (by LMCache's wrapper, not by us) once put returns.
    this.open().set(key.toString(), { bytes: obj.byteArray.slice(), shape: obj.getShape(), dtype: obj.getDtype()!, fmt: obj.getMemoryFormat() });
  }

  async get(key: CacheEngineKey): Promise<MemoryObj | null> {
    const entry = this.open().get(key.toString());
    if (!entry) return null; // a miss is a value, not an exception
    const obj = this.backend.allocate(entry.shape, entry.dtype, entry.fmt);
    if (!obj) return null;
    obj.byteArray.set(entry.bytes);
    return obj; // a fresh allocation with ref count 1; the caller releases it
  }
}
