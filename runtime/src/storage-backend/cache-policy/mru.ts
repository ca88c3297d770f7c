/** LMCache `MRUCachePolicy` (`cache_policy/mru.py`). */
import { getLogger } from "../../logging";
import { CachePolicy, Evictable, firstEvictable, moveToEnd } from "./base-policy";

const logger = getLogger("lmcache.v1.storage_backend.cache_policy.mru");

/** Most recently used: a hit moves the key to the end; candidates are taken from the END. */
export class MRUCachePolicy<K = string> implements CachePolicy<K> {
  readonly name = "MRU";

  constructor() {
    logger.info("Initializing MRUCachePolicy");
  }

  updateOnHit(key: K, cache: Map<K, Evictable>): void {
    moveToEnd(cache, key);
  }

  updateOnPut(_key: K): void {}

  updateOnForceEvict(_key: K): void {}

  getEvictCandidates(cache: Map<K, Evictable>, numCandidates = 1): K[] {
    return firstEvictable([...cache].reverse(), numCandidates);
  }
}
