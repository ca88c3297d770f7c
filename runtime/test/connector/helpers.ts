/** Shared test helpers: a real LocalCPUBackend over a small arena, keys, deterministic bytes. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEngineConfig, type LMCacheEngineConfig } from "../../src/config/engine-config";
import { CacheEngineKey } from "../../src/keys/cache-engine-key";
import { MemoryAllocator } from "../../src/memory/allocator";
import type { MemoryObj } from "../../src/memory/memory-obj";
import { createTestMetadata, type LMCacheMetadata } from "../../src/metadata";
import { LocalCPUBackend } from "../../src/storage-backend/local-cpu-backend";

export interface Backend {
  backend: LocalCPUBackend;
  allocator: MemoryAllocator;
  config: LMCacheEngineConfig;
  metadata: LMCacheMetadata;
}

/** A backend with test metadata (one full chunk = [2, 2, 16, 16] bfloat16 = 2048 bytes). */
export function makeBackend(extraConfig: Record<string, unknown> | null = null, capacityBytes = 1 << 20): Backend {
  const config = createEngineConfig({ extraConfig, chunkSize: 16 });
  const metadata = createTestMetadata();
  const allocator = new MemoryAllocator({ capacityBytes });
  const backend = new LocalCPUBackend({ config, metadata, allocator });
  return { backend, allocator, config, metadata };
}

export function makeKey(hash: number | bigint, modelName = "test-model"): CacheEngineKey {
  return new CacheEngineKey({ modelName, worldSize: 1, workerId: 0, chunkHash: BigInt(hash), dtype: "bfloat16" });
}

/** Fills `obj` with bytes derived from `seed` and returns a copy of them. */
export function fill(obj: MemoryObj, seed: number): Uint8Array {
  const bytes = obj.byteArray;
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return bytes.slice();
}

/** Allocates a full chunk (ref 1) filled from `seed`. */
export function fullChunk(b: Backend, seed: number, tokens = 16): { obj: MemoryObj; bytes: Uint8Array } {
  const obj = b.backend.allocate([2, 2, tokens, 16], "bfloat16")!;
  return { obj, bytes: fill(obj, seed) };
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "lmc-connector-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
