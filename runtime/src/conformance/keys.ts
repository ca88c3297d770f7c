/**
 * Real `CacheEngineKey`s for the cases (ours). Every key's chunk hash starts with the case's
 * namespace (8 hex digits drawn per run), so keys of different cases and runs never meet even on a
 * persistent store, and `list()` output can be filtered to the keys a case wrote.
 */
import { CacheEngineKey } from "../keys/cache-engine-key";
import type { DType } from "../memory/dtypes";

/** Key fields a case may vary. */
export interface KeyOptions {
  /** Default: a Hugging Face style name with `/` (as LMCache gets from vLLM). */
  model?: string;
  worldSize?: number;
  workerId?: number;
  dtype?: DType;
  /** `lmcache.tag.*` request configs without the prefix, e.g. `{ user: "alice" }`. */
  tags?: Record<string, string>;
}

/** The model name real deployments put in keys, `/` included. */
export const DEFAULT_MODEL = "meta-llama/Llama-3.1-8B-Instruct";

/** A key in `namespace`; the same `(namespace, id, opts)` always gives an equal key. */
export function makeKey(namespace: string, id: number, opts: KeyOptions = {}): CacheEngineKey {
  const requestConfigs: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(opts.tags ?? {})) requestConfigs[`lmcache.tag.${name}`] = value;
  return new CacheEngineKey({
    modelName: opts.model ?? DEFAULT_MODEL,
    worldSize: opts.worldSize ?? 1,
    workerId: opts.workerId ?? 0,
    chunkHash: BigInt(`0x${namespace}${id.toString(16).padStart(6, "0")}`),
    dtype: opts.dtype ?? "bfloat16",
    requestConfigs: Object.keys(requestConfigs).length > 0 ? requestConfigs : null,
  });
}

/** True when a `list()` entry belongs to `namespace` (its hash part starts with it). */
export function inNamespace(listed: string, namespace: string): boolean {
  return listed.includes(`@${namespace}`);
}

/** A fresh 8-hex-digit namespace. Deliberately not derived from the seed: reruns must not meet old keys. */
export function freshNamespace(): string {
  // Leading digit 1–f keeps the hex width (and so the key string) stable.
  const n = 0x10000000 + Math.floor(Math.random() * 0xefffffff);
  return n.toString(16);
}
