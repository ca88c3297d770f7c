/** LMCache `LRUCachePolicy` (`cache_policy/lru.py`). */
import { getLogger } from "../../logging";
import { CachePolicy, Evictable, firstEvictable, moveToEnd } from "./base-policy";

const logger = getLogger("lmcache.v1.storage_backend.cache_policy.lru");

/** Least recently used: a hit moves the key to the end; candidates are taken from the front. */
export class LRUCachePolicy<K = string> implements CachePolicy<K> {
  readonly name = "LRU";

  constructor() {
    logger.info("Initializing LRUCachePolicy");
  }

  updateOnHit(key: K, cache: Map<K, Evictable>): void {
    moveToEnd(cache, key);
  }

  updateOnPut(_key: K): void {}

  updateOnForceEvict(_key: K): void {}

  getEvictCandidates(cache: Map<K, Evictable>, numCandidates = 1): K[] {
    return firstEvictable(cache, numCandidates);
  }
}
