/**
 * Engine values ↔ bridge frame values (ours). Keys go as their fields (Python builds a real
 * `CacheEngineKey`), memory objects as descriptors after their bytes were written to the shared
 * file; Python's answers come back as JSON values, object ids (Node reads the bytes back and
 * mirrors a changed shape or size) or `$py` descriptions of anything else.
 */
import { TypeError } from "../errors";
import { CacheEngineKey, LayerCacheEngineKey } from "../keys/cache-engine-key";
import { MemoryObj } from "../memory/memory-obj";
import type { DType } from "../memory/dtypes";
import type { MemoryFormat } from "../memory/memory-format";
import type { InstanceMemory, ObjectRegistry } from "./object-registry";

/** A Python value that has no JSON form (`{"$py": …}`). */
export interface PythonValue {
  type: string;
  repr: string;
  truthy: boolean;
}

function hashField(h: CacheEngineKey["chunkHash"]): Record<string, string> {
  if (typeof h === "bigint") return { i: h.toString() };
  if (typeof h === "string") return { s: h };
  return { b: Buffer.from(h).toString("hex") };
}

/** A key as its fields. */
export function encodeKey(key: CacheEngineKey): object {
  const fields: Record<string, unknown> = { m: key.modelName, ws: key.worldSize, wid: key.workerId, h: hashField(key.chunkHash), dt: key.dtype ?? null, rc: key.requestConfigs };
  if (key instanceof LayerCacheEngineKey) fields["layer"] = key.layerId;
  return { $key: fields };
}

/** Writes `obj`'s bytes to its instance's file and describes it. */
export function encodeObj(obj: MemoryObj, registry: ObjectRegistry, owner: (obj: MemoryObj) => InstanceMemory): object {
  const instance = owner(obj);
  const id = registry.track(obj, instance);
  instance.arena.writeFrom(obj);
  return { $obj: describe(obj, id, instance) };
}

/** The descriptor Python builds its `TensorMemoryObj` from. */
export function describe(obj: MemoryObj, id: number, instance: InstanceMemory): object {
  return {
    id,
    inst: instance.id,
    addr: obj.meta.address,
    phy: obj.meta.phySize,
    size: obj.getSize(),
    shapes: obj.getShapes(),
    dtypes: obj.getDtypes(),
    fmt: obj.getMemoryFormat(),
    ref: obj.getRefCount(),
    pin: obj.meta.pinCount,
  };
}

/** Any argument: keys, memory objects, arrays of them, plain JSON values. */
export function encodeArg(value: unknown, registry: ObjectRegistry, owner: (obj: MemoryObj) => InstanceMemory): unknown {
  if (value instanceof CacheEngineKey) return encodeKey(value);
  if (value instanceof MemoryObj) return encodeObj(value, registry, owner);
  if (Array.isArray(value)) return value.map((v) => encodeArg(v, registry, owner));
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString("hex") };
  return value ?? null;
}

interface ObjResult {
  $obj: number;
  shapes: number[][];
  dtypes: DType[];
  fmt: MemoryFormat;
  size: number;
}

/**
 * A Python answer as an engine value. Objects are the engine's own (Node reads their bytes
 * from the file and mirrors shape and size changes such as `reshape_partial_chunk`'s).
 */
export function decodeResult(value: unknown, registry: ObjectRegistry, method: string): unknown {
  if (Array.isArray(value)) return value.map((v) => decodeResult(v, registry, method));
  if (value === null || typeof value !== "object") return value;
  const v = value as Record<string, unknown>;
  if ("$obj" in v) {
    const r = v as unknown as ObjResult;
    const tracked = registry.get(r.$obj);
    if (!tracked) throw new TypeError(`${method}() returned a memory object the engine no longer holds (it was freed before ${method}() returned)`);
    const { obj, instance } = tracked;
    const meta = obj.meta;
    if (JSON.stringify(r.shapes) !== JSON.stringify(obj.getShapes())) {
      meta.shape = r.shapes[0]!;
      if (meta.shapes) meta.shapes = r.shapes;
    }
    if (r.size !== obj.getSize()) obj.setUsedSize(r.size);
    instance.arena.readInto(obj);
    return obj;
  }
  if ("$py" in v) {
    const py = v["$py"] as PythonValue;
    if (py.type === "memory_obj") {
      throw new TypeError(`${method}() returned a memory object that local_cpu_backend.allocate() did not hand out (${py.repr}); the kit can only return objects allocated from the backend it gave the connector`);
    }
    return py;
  }
  return value;
}

/** Python's truthiness of a decoded value (`if connection.exists_sync(key):`). */
export function truthy(value: unknown): boolean {
  if (value !== null && typeof value === "object" && "truthy" in (value as object) && "repr" in (value as object)) return (value as PythonValue).truthy;
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}
