/** LMCache `BaseCachePolicy` (`storage_backend/cache_policy/base_policy.py`). */

/** What a policy needs to know about a cached value. */
export interface Evictable {
  readonly canEvict: boolean;
}

/**
 * An eviction policy over a hot-cache `Map` whose insertion order the policy may rearrange
 * (the `Map` plays Python's `OrderedDict`/`dict`). Keys are opaque (the backend uses
 * `CacheEngineKey.hashKey()` strings).
 */
export interface CachePolicy<K = string> {
  /** `"LRU"`, `"LFU"`, `"FIFO"` or `"MRU"`. */
  readonly name: string;
  /** A key was read (or pinned by a lookup). */
  updateOnHit(key: K, cache: Map<K, Evictable>): void;
  /** A key was inserted (already appended to the end of `cache`). */
  updateOnPut(key: K): void;
  /** A key was removed from the cache. */
  updateOnForceEvict(key: K): void;
  /**
   * Up to `numCandidates` keys to evict, skipping entries whose `canEvict` is false
   * (best effort: may return fewer). The caller removes them.
   */
  getEvictCandidates(cache: Map<K, Evictable>, numCandidates?: number): K[];
}

/** Python `OrderedDict.move_to_end(key)` on a `Map`. */
export function moveToEnd<K, V>(map: Map<K, V>, key: K): void {
  if (!map.has(key)) return;
  const value = map.get(key)!;
  map.delete(key);
  map.set(key, value);
}

/**
 * The first `numCandidates` keys of `entries` whose value `canEvict` (fewer when there are not
 * enough): the scan shared by the LRU, FIFO and MRU `getEvictCandidates`.
 */
export function firstEvictable<K>(entries: Iterable<[K, Evictable]>, numCandidates: number): K[] {
  const out: K[] = [];
  for (const [key, value] of entries) {
    if (!value.canEvict) continue;
    out.push(key);
    if (out.length === numCandidates) break;
  }
  return out;
}
