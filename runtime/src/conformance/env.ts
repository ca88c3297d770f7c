/**
 * Opening connectors for the cases (ours): each case gets a fresh `LocalCPUBackend` over a small
 * allocator and a fresh connector built by `createConnector` from the URL — LMCache's own loading
 * path (adapter lookup, external/plugin import, Instrumented wrapper).
 */
import { createEngineConfig, type LMCacheEngineConfig } from "../config/engine-config";
import { pluginNameFromUrl } from "../connector/adapter";
import { createConnector } from "../connector/create-connector";
import type { InstrumentedRemoteConnector } from "../connector/instrumented-connector";
import { EventLoop } from "../connector/event-loop";
import { MemoryAllocator } from "../memory/allocator";
import { LMCacheMetadata } from "../metadata";
import { LocalCPUBackend } from "../storage-backend/local-cpu-backend";
import { DEFAULT_MODEL } from "./keys";
import { CHUNK_TOKENS } from "./chunk-tokens";
import { callWithDeadline } from "./timeouts";

/** Tokens per chunk of the conformance model (LMCache's default `chunk_size`). */
export { CHUNK_TOKENS };
/** `kv_shape` of the conformance model: (layers, 2, chunk tokens, kv heads, head size). */
export const KV_SHAPE: [number, number, number, number, number] = [2, 2, CHUNK_TOKENS, 2, 32];

/** A connector opened for a case, with what it was given. */
export interface OpenedConnector {
  connector: InstrumentedRemoteConnector;
  backend: LocalCPUBackend;
  allocator: MemoryAllocator;
  /** Closes the connector (bounded by a deadline; errors ignored) and the allocator. */
  close(): Promise<void>;
}

/** How to open connectors for one run. */
export interface OpenOptions {
  url: string;
  cwd: string;
  searchPaths?: string[];
  config?: Partial<LMCacheEngineConfig>;
  capacityBytes: number;
  poisonOnFree?: boolean;
  closeDeadlineMs: number;
}

/** The metadata of the small model the suite uses (bfloat16, 2 layers, 256-token chunks). */
export function conformanceMetadata(): LMCacheMetadata {
  return new LMCacheMetadata({
    modelName: DEFAULT_MODEL,
    worldSize: 1,
    workerId: 0,
    kvDtype: "bfloat16",
    kvShape: [...KV_SHAPE],
    chunkSize: CHUNK_TOKENS,
  });
}

/** Builds the engine config for a run: LMCache defaults, the caller's overrides, our `remote_url`. */
export function conformanceConfig(url: string, overrides: Partial<LMCacheEngineConfig> = {}): LMCacheEngineConfig {
  return createEngineConfig({ chunkSize: CHUNK_TOKENS, ...overrides, remoteUrl: url });
}

/** Opens one connector on `opts.url` with its own backend and allocator. */
export async function openConnector(opts: OpenOptions): Promise<OpenedConnector> {
  const config = conformanceConfig(opts.url, opts.config);
  const metadata = conformanceMetadata();
  const allocator = new MemoryAllocator({ capacityBytes: opts.capacityBytes, poisonOnFree: opts.poisonOnFree ?? false });
  const backend = new LocalCPUBackend({ config, metadata, allocator });
  const connector = await createConnector(opts.url, {
    loop: new EventLoop(),
    localCpuBackend: backend,
    config,
    metadata,
    cwd: opts.cwd,
    searchPaths: opts.searchPaths,
    pluginName: pluginNameFromUrl(opts.url),
  });
  let closed = false;
  return {
    connector,
    backend,
    allocator,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await callWithDeadline(() => connector.close(), opts.closeDeadlineMs, () => `close() did not settle within ${opts.closeDeadlineMs} ms`);
      } catch {
        /* the lifecycle cases judge close(); here it only frees resources */
      }
    },
  };
}
