/**
 * The Python host (ours): what the `external://` and `plugin://` adapters call when a module path
 * resolves to Python. It finds the interpreter, starts (once per interpreter, `lmcache` choice and
 * search roots) the bridge process, gives the new instance a shared file the size of its
 * backend's arena, and asks the bridge to load the class exactly as LMCache does. LMCache's
 * exception comes back as raised in Python (`ImportError("Could not import module '…', error: …")`,
 * `AttributeError(…)`, `TypeError("<C> must be a subclass of RemoteConnector")`, a wrong
 * `__init__`'s `TypeError`, `SyntaxError`), with `error.name` the Python type.
 */
import { camelKey, CONFIG_DEFINITIONS } from "../config/definitions";
import type { LMCacheEngineConfig } from "../config/engine-config";
import type { RemoteConnector } from "../connector/base-connector";
import type { ConnectorContext } from "../connector/context";
import type { ModuleResolveOptions } from "../loader/resolve";
import type { MemoryAllocator } from "../memory/allocator";
import type { LMCacheMetadata } from "../metadata";
import { BridgeProcess, type BridgeHello, type LmcacheMode } from "./bridge-process";
import type { PythonException } from "./errors";
import { findInterpreter } from "./interpreter";
import { ObjectRegistry, type InstanceMemory } from "./object-registry";
import { PythonRemoteConnector, type PythonConnectorInfo } from "./python-connector";
import { pythonSearchRoots } from "./resolve";
import { PythonConnectorSession, type BridgeHandle } from "./session";
import { SharedArena } from "./shared-arena";
import { describe, truthy } from "./values";

/** `--lmcache` in force: `LMCACHE_KIT_LMCACHE` (set by the CLI flag), default `auto`. */
export function lmcacheSetting(env: NodeJS.ProcessEnv = process.env): LmcacheMode {
  const v = env["LMCACHE_KIT_LMCACHE"];
  return v === "installed" || v === "kit" ? v : "auto";
}

const bridges = new Map<string, Promise<BridgeHandle>>();
let nextInstance = 1;

async function bridgeFor(roots: string[], env: NodeJS.ProcessEnv): Promise<BridgeHandle> {
  const interpreter = findInterpreter(env);
  const lmcache = lmcacheSetting(env);
  // One bridge per interpreter, lmcache choice and roots: Python caches imports per process, so
  // two fixture folders with the same module name must not share one.
  const key = JSON.stringify([interpreter.path, lmcache, roots]);
  const existing = bridges.get(key);
  if (existing) {
    const handle = await existing.catch(() => null);
    if (handle && handle.process.alive) return handle;
    bridges.delete(key);
  }
  const started = BridgeProcess.start({ interpreter, lmcache, cwd: roots[0] ?? process.cwd(), env }).then((process) => {
    const registry = new ObjectRegistry();
    const handle: BridgeHandle = { process, registry, owners: new WeakMap() };
    process.onEvents = (events) => registry.apply(events);
    return handle;
  });
  bridges.set(key, started);
  started.catch(() => bridges.delete(key));
  return started;
}

/** Every running bridge's hello (for reports); empty when no Python connector was loaded. */
export async function runningBridges(): Promise<BridgeHello[]> {
  const out: BridgeHello[] = [];
  for (const p of bridges.values()) {
    const h = await p.catch(() => null);
    if (h?.process.alive) out.push(h.process.hello);
  }
  return out;
}

/** Stops every bridge (tests; the processes also end with their parent). */
export async function stopBridges(): Promise<void> {
  for (const p of bridges.values()) (await p.catch(() => null))?.process.kill();
  bridges.clear();
}

/** The engine config as LMCache's snake_case keys (every key of `_CONFIG_DEFINITIONS`). */
export function configFields(config: LMCacheEngineConfig | null): Record<string, unknown> | null {
  if (!config) return null;
  const out: Record<string, unknown> = {};
  const fields = config as unknown as Record<string, unknown>;
  for (const [key] of CONFIG_DEFINITIONS) {
    const value = fields[camelKey(key)];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function metadataFields(metadata: LMCacheMetadata | null): Record<string, unknown> | null {
  if (!metadata) return null;
  return {
    model_name: metadata.modelName,
    world_size: metadata.worldSize,
    local_world_size: metadata.localWorldSize,
    worker_id: metadata.workerId,
    local_worker_id: metadata.localWorkerId,
    kv_dtype: metadata.kvDtype,
    kv_shape: metadata.kvShape,
    use_mla: metadata.useMla,
    chunk_size: metadata.chunkSize,
    role: metadata.role,
    served_model_name: metadata.servedModelName,
  };
}

/** Answers `allocate` from Python with the engine backend's own object. */
function handleCallbacks(handle: BridgeHandle, instances: Map<number, { memory: InstanceMemory; context: ConnectorContext }>): void {
  handle.process.onCallback = (frame) => {
    const entry = instances.get(frame["inst"] as number);
    if (!entry) throw new Error(`no connector instance ${String(frame["inst"])}`);
    if (frame["m"] !== "allocate") throw new Error(`unknown callback ${String(frame["m"])}`);
    const a = frame["args"] as { shapes: number[][]; dtypes: string[]; single: boolean; fmt: number | null; eviction: boolean };
    const backend = entry.context.localCpuBackend;
    const shape = a.single ? a.shapes[0]! : a.shapes;
    const dtype = a.single || a.dtypes.length === 1 ? a.dtypes[0]! : a.dtypes;
    const obj = backend.allocate(shape as never, dtype as never, (a.fmt ?? undefined) as never, a.eviction);
    if (!obj) return null;
    const id = handle.registry.track(obj, entry.memory);
    return describe(obj, id, entry.memory);
  };
}

const instancesByBridge = new WeakMap<BridgeHandle, Map<number, { memory: InstanceMemory; context: ConnectorContext }>>();

const dropped = new FinalizationRegistry<{ session: PythonConnectorSession; instances: Map<number, unknown> }>(({ session, instances }) => {
  instances.delete(session.memory.id);
  session.memory.arena.close();
  session.drop();
});

/** What to load and from where. */
export interface PythonLoadRequest {
  /** `external` (ExternalConnectorAdapter), `plugin` (DynamicConnectorAdapter) or `adapter` (a Python ConnectorAdapter's create_connector). */
  kind: "external" | "plugin" | "adapter";
  /** For `adapter`: the bridge's id of the adapter instance (see {@link createPythonAdapter}). */
  adapterId?: number;
  modulePath: string;
  className: string;
  context: ConnectorContext;
  roots: ModuleResolveOptions;
  env?: NodeJS.ProcessEnv;
}

/**
 * Loads a Python connector class as LMCache does and returns its TypeScript proxy. Throws the
 * Python exception LMCache would raise (as a {@link PythonException}), or a `PythonSetupError` when
 * no usable interpreter exists.
 */
export async function createPythonConnector(req: PythonLoadRequest): Promise<RemoteConnector> {
  const env = req.env ?? process.env;
  const roots = pythonSearchRoots({ ...req.roots, env });
  const handle = await bridgeFor(roots, env);
  let instances = instancesByBridge.get(handle);
  if (!instances) {
    instances = new Map();
    instancesByBridge.set(handle, instances);
    handleCallbacks(handle, instances);
  }
  const backend = req.context.localCpuBackend;
  let allocator: MemoryAllocator | null = null;
  try {
    allocator = backend.memoryAllocator ?? null;
  } catch {
    allocator = null; // SafeLocalCPUBackend (scheduler role) has none
  }
  const arena = new SharedArena(allocator?.capacityBytes ?? 0, allocator, env);
  const memory: InstanceMemory = { id: nextInstance++, allocator, arena };
  if (allocator) handle.owners.set(allocator, memory);
  instances.set(memory.id, { memory, context: req.context });
  let fullChunkSizeBytes: number | null = null;
  try {
    fullChunkSizeBytes = backend.getFullChunkSizeBytes();
  } catch {
    /* no metadata */
  }
  let info: PythonConnectorInfo;
  try {
    info = (await handle.process.request(
      {
        t: "open",
        inst: memory.id,
        kind: req.kind,
        module: req.modulePath,
        cls: req.className,
        roots,
        shm: { path: arena.path, size: arena.size },
        ...(req.kind === "adapter" ? { aid: req.adapterId, url: req.context.url, pluginName: req.context.pluginName } : {}),
        config: configFields(req.context.config),
        metadata: metadataFields(req.context.metadata ?? safeMetadata(req.context)),
        fullChunkSizeBytes,
      },
      `loading ${req.modulePath}.${req.className}`,
    )) as PythonConnectorInfo;
  } catch (err) {
    instances.delete(memory.id);
    arena.close();
    throw err;
  } finally {
    arena.unlink();
  }
  const session = new PythonConnectorSession(handle, memory);
  // The proxy's class carries the Python class's name: reports and the source locator use it.
  const Named = { [info.class]: class extends PythonRemoteConnector {} }[info.class]!;
  const connector = new Named(session, info);
  dropped.register(connector, { session, instances });
  return connector;
}

function safeMetadata(context: ConnectorContext): LMCacheMetadata | null {
  try {
    return context.localCpuBackend.metadata ?? null;
  } catch {
    return null;
  }
}

/**
 * What `className` in Python module `modulePath` is, as LMCache's plugin launcher sorts it:
 * `"adapter"`, `"connector"` or `"neither"`. Python's ImportError/AttributeError propagate.
 */
export async function probePythonClass(modulePath: string, className: string, roots: ModuleResolveOptions, env: NodeJS.ProcessEnv = process.env): Promise<"adapter" | "connector" | "neither"> {
  const searchRoots = pythonSearchRoots({ ...roots, env });
  const handle = await bridgeFor(searchRoots, env);
  return (await handle.process.request({ t: "probe", module: modulePath, cls: className, roots: searchRoots }, `importing ${modulePath}`)) as "adapter" | "connector" | "neither";
}

let nextAdapter = 1;

/**
 * Instantiates Python `ConnectorAdapter` class `className` in the bridge (no arguments, as the
 * plugin launcher does); returns its id, its `schema`, and `canParse` answered by the Python
 * adapter's own `can_parse` in a caller thread.
 */
export async function createPythonAdapter(modulePath: string, className: string, roots: ModuleResolveOptions, env: NodeJS.ProcessEnv = process.env): Promise<{ id: number; schema: string; canParse(url: string): boolean }> {
  const searchRoots = pythonSearchRoots({ ...roots, env });
  const handle = await bridgeFor(searchRoots, env);
  const id = nextAdapter++;
  const { schema } = (await handle.process.request({ t: "adapter", aid: id, module: modulePath, cls: className, roots: searchRoots }, `instantiating ${className}()`)) as { schema: string };
  return {
    id,
    schema,
    canParse: (url) => truthy(handle.process.callSync({ t: "acall", aid: id, m: "can_parse", args: [url] }, `${className}.can_parse()`, 2000)),
  };
}
