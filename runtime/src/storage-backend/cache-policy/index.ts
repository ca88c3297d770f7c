/** LMCache `get_cache_policy` (`cache_policy/__init__.py`). */
import { NotImplementedError, ValueError } from "../../errors";
import { CachePolicy } from "./base-policy";
import { FIFOCachePolicy } from "./fifo";
import { LFUCachePolicy } from "./lfu";
import { LRUCachePolicy } from "./lru";
import { MRUCachePolicy } from "./mru";

export * from "./base-policy";
export * from "./fifo";
export * from "./lfu";
export * from "./lru";
export * from "./mru";

/** LMCache's `POLICY_MAPPING` names, in its order (COST_AWARE is named but not implemented by the kit). */
export const CACHE_POLICY_NAMES = ["LRU", "LFU", "FIFO", "MRU", "COST_AWARE"] as const;

/**
 * The policy named `policyName` (case-insensitive). Errors are LMCache's:
 * `ValueError("Cache policy name cannot be empty")` and
 * `ValueError("Unknown cache policy: X. Supported policies are: ['LRU', 'LFU', 'FIFO', 'MRU', 'COST_AWARE']")`.
 * `COST_AWARE` exists in LMCache but not in the kit: `NotImplementedError`.
 */
export function getCachePolicy<K = string>(policyName: string): CachePolicy<K> {
  if (!policyName) throw new ValueError("Cache policy name cannot be empty");
  const upper = String(policyName).toUpperCase();
  switch (upper) {
    case "LRU":
      return new LRUCachePolicy<K>();
    case "LFU":
      return new LFUCachePolicy<K>();
    case "FIFO":
      return new FIFOCachePolicy<K>();
    case "MRU":
      return new MRUCachePolicy<K>();
    case "COST_AWARE":
      throw new NotImplementedError("The COST_AWARE cache policy of LMCache is not implemented by the connector kit");
    default:
      throw new ValueError(
        `Unknown cache policy: ${upper}. Supported policies are: [${CACHE_POLICY_NAMES.map((n) => `'${n}'`).join(", ")}]`,
      );
  }
}
