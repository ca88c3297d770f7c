/** LMCache `FIFOCachePolicy` (`cache_policy/fifo.py`). */
import { getLogger } from "../../logging";
import { CachePolicy, Evictable, firstEvictable } from "./base-policy";

const logger = getLogger("lmcache.v1.storage_backend.cache_policy.fifo");

/** First in, first out: hits change nothing; candidates are taken in insertion order. */
export class FIFOCachePolicy<K = string> implements CachePolicy<K> {
  readonly name = "FIFO";

  constructor() {
    logger.info("Initializing FIFOCachePolicy");
  }

  updateOnHit(_key: K, _cache: Map<K, Evictable>): void {}

  updateOnPut(_key: K): void {}

  updateOnForceEvict(_key: K): void {}

  getEvictCandidates(cache: Map<K, Evictable>, numCandidates = 1): K[] {
    return firstEvictable(cache, numCandidates);
  }
}
