/**
 * Remote serde (`lmcache/v1/storage_backend/naive_serde`). Only `naive` is real here: serialize
 * takes one extra reference and returns the SAME object, deserialize is the identity. The put path
 * then drops the caller's temporary reference, so the in-flight put owns exactly one reference,
 * which the instrumented connection releases when the put ends.
 */
import { NotImplementedError, ValueError } from "../errors";
import type { MemoryObj } from "../memory/memory-obj";

export interface Serializer {
  serialize(obj: MemoryObj): MemoryObj;
}
export interface Deserializer {
  deserialize(obj: MemoryObj): MemoryObj;
}

/** LMCache `CreateSerde(remote_serde, …)`: `naive`; `kivi`/`cachegen` are LMCache's but not ported. */
export function createSerde(name: string): [Serializer, Deserializer] {
  if (name === "naive") {
    return [
      {
        serialize: (obj) => {
          obj.refCountUp();
          return obj;
        },
      },
      { deserialize: (obj) => obj },
    ];
  }
  if (name === "kivi" || name === "cachegen") {
    // Ours: these are GPU codecs in LMCache; the kit has no port of them.
    throw new NotImplementedError(`remote_serde '${name}' is not available in the connector kit (only 'naive')`);
  }
  throw new ValueError(`Invalid type: ${name}`);
}
