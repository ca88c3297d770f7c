/** LMCache `LFUCachePolicy` (`cache_policy/lfu.py`). */
import { KeyError } from "../../errors";
import { getLogger } from "../../logging";
import { CachePolicy, Evictable } from "./base-policy";

const logger = getLogger("lmcache.v1.storage_backend.cache_policy.lfu");

/**
 * Least frequently used: puts start at frequency 1, each hit adds 1; candidates come from the
 * lowest frequency first, FIFO within a frequency. Like LMCache, choosing a candidate already
 * drops it from the policy's books (the backend's later force-evict call is then a no-op).
 */
export class LFUCachePolicy<K = string> implements CachePolicy<K> {
  readonly name = "LFU";
  private readonly freqToKeys = new Map<number, Set<K>>();
  private readonly keyToFreq = new Map<K, number>();

  constructor() {
    logger.info("Initializing LFUCachePolicy");
  }

  private add(freq: number, key: K): void {
    let bucket = this.freqToKeys.get(freq);
    if (!bucket) this.freqToKeys.set(freq, (bucket = new Set()));
    bucket.add(key);
  }

  private drop(freq: number, key: K): void {
    const bucket = this.freqToKeys.get(freq);
    if (!bucket) return;
    bucket.delete(key);
    if (bucket.size === 0) this.freqToKeys.delete(freq);
  }

  /** Current frequency of `key` (undefined when not tracked). */
  frequencyOf(key: K): number | undefined {
    return this.keyToFreq.get(key);
  }

  updateOnHit(key: K, _cache: Map<K, Evictable>): void {
    const freq = this.keyToFreq.get(key);
    if (freq === undefined) throw new KeyError(String(key));
    this.drop(freq, key);
    this.keyToFreq.set(key, freq + 1);
    this.add(freq + 1, key);
  }

  updateOnPut(key: K): void {
    this.keyToFreq.set(key, 1);
    this.add(1, key);
  }

  updateOnForceEvict(key: K): void {
    const freq = this.keyToFreq.get(key);
    if (!freq) return;
    this.keyToFreq.delete(key);
    this.drop(freq, key);
  }

  getEvictCandidates(cache: Map<K, Evictable>, numCandidates = 1): K[] {
    const picked: [number, K][] = [];
    const freqs = [...this.freqToKeys.keys()].sort((a, b) => a - b);
    outer: for (const freq of freqs) {
      for (const key of this.freqToKeys.get(freq)!) {
        if (!cache.get(key)?.canEvict) continue;
        picked.push([freq, key]);
        this.keyToFreq.delete(key);
        if (picked.length === numCandidates) break outer;
      }
    }
    for (const [freq, key] of picked) this.drop(freq, key);
    return picked.map(([, key]) => key);
  }
}
