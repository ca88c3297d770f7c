/**
 * One Python connector instance, seen from Node (ours): its bridge, the engine backend whose
 * allocator it allocates from, its shared file, and the call path — sweep freed objects, write
 * argument bytes to the file, send, decode the answer.
 */
import { ValueError } from "../errors";
import type { MemoryObj } from "../memory/memory-obj";
import type { BridgeHello, BridgeProcess } from "./bridge-process";
import { SYNC_DEADLINE_MS } from "./bridge-process";
import type { InstanceMemory, ObjectRegistry } from "./object-registry";
import { decodeResult, encodeArg } from "./values";

/** The bridge and the registry it shares with every instance it serves. */
export interface BridgeHandle {
  process: BridgeProcess;
  registry: ObjectRegistry;
  /** Instance memories by allocator, to find the file of an object from any instance. */
  owners: WeakMap<object, InstanceMemory>;
}

function syncDeadlineMs(): number {
  const v = Number(process.env["LMCACHE_KIT_SYNC_DEADLINE_MS"]);
  return Number.isFinite(v) && v > 0 ? v : SYNC_DEADLINE_MS;
}

export class PythonConnectorSession {
  readonly memory: InstanceMemory;
  private readonly bridge: BridgeHandle;

  constructor(bridge: BridgeHandle, memory: InstanceMemory) {
    this.bridge = bridge;
    this.memory = memory;
  }

  get hello(): BridgeHello {
    return this.bridge.process.hello;
  }

  private readonly owner = (obj: MemoryObj): InstanceMemory => {
    const parent = obj.parent();
    const found = parent ? this.bridge.owners.get(parent) : undefined;
    if (!found || found.arena.closed) {
      throw new ValueError(
        "the kit's Python bridge can only pass memory objects allocated from a Python connector's local_cpu_backend " +
          `(got ${obj.toString()} from another allocator)`,
      );
    }
    return found;
  };

  private frame(method: string, args: unknown[]): { t: string; [field: string]: unknown } {
    const freed = this.bridge.registry.sweep();
    const encoded = args.map((a) => encodeArg(a, this.bridge.registry, this.owner));
    return { t: "call", inst: this.memory.id, m: method, args: encoded, ...(freed.length > 0 ? { freed } : {}) };
  }

  /** Awaits coroutine `method` on the bridge's loop. */
  async call(method: string, args: unknown[]): Promise<unknown> {
    const value = await this.bridge.process.request(this.frame(method, args), `${method}()`, { withTraceback: true });
    return decodeResult(value, this.bridge.registry, method);
  }

  /** Runs synchronous `method` in a Python caller thread. */
  callSync(method: string, args: unknown[]): unknown {
    const value = this.bridge.process.callSync(this.frame(method, args), `${method}()`, syncDeadlineMs());
    return decodeResult(value, this.bridge.registry, method);
  }

  /** Tells the bridge the instance is gone (the TS proxy was collected). */
  drop(): void {
    this.bridge.process.notify({ t: "drop", inst: this.memory.id });
  }
}
