/** Small hand-written connectors for exercising base-class defaults and the wrapper. */
import type { CacheEngineKey } from "../../src/keys/cache-engine-key";
import type { MemoryObj } from "../../src/memory/memory-obj";
import { RemoteConnector } from "../../src/connector/base-connector";
import type { Backend } from "./helpers";
import { fill } from "./helpers";

/**
 * `get` answers from `plan[keyHash]`: "hit" allocates a fresh filled chunk, "miss" returns null,
 * "throw" rejects. `put` records calls, optionally throwing.
 */
export class ScriptedConnector extends RemoteConnector {
  puts: string[] = [];
  constructor(
    private readonly b: Backend,
    private readonly plan: Record<string, "hit" | "miss" | "throw"> = {},
    private readonly failPut = false,
  ) {
    super();
  }
  private outcome(key: CacheEngineKey) {
    return this.plan[String(key.chunkHash)] ?? "miss";
  }
  async exists(key: CacheEngineKey): Promise<boolean> {
    return this.outcome(key) === "hit";
  }
  existsSync(key: CacheEngineKey): boolean {
    return this.outcome(key) === "hit";
  }
  async get(key: CacheEngineKey): Promise<MemoryObj | null> {
    const o = this.outcome(key);
    if (o === "throw") throw new Error(`boom ${String(key.chunkHash)}`);
    if (o === "miss") return null;
    const obj = this.b.backend.allocate([2, 2, 16, 16], "bfloat16")!;
    fill(obj, Number(key.chunkHash));
    return obj;
  }
  async put(key: CacheEngineKey, _obj: MemoryObj): Promise<void> {
    this.puts.push(key.toString());
    if (this.failPut) throw new Error("put failed");
  }
  override async batchedPut(keys: CacheEngineKey[], objs: MemoryObj[]): Promise<void> {
    for (let i = 0; i < keys.length; i++) await this.put(keys[i]!, objs[i]!);
  }
  async list(): Promise<string[]> {
    return [];
  }
  async close(): Promise<void> {}
}

/** The smallest complete connector: every abstract method a no-op miss (for tests of the base's own behaviour). */
export class NoopConnector extends RemoteConnector {
  async exists() { return false; }
  existsSync() { return false; }
  async get() { return null; }
  async put() {}
  async list() { return []; }
  async close() {}
}
