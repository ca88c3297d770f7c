import { describe, expect, it } from "vitest";
import { getCachePolicy } from "../../src/storage-backend/cache-policy";

const entry = (canEvict = true) => ({ canEvict });

function cacheOf(keys: string[], pinned: string[] = []): Map<string, { canEvict: boolean }> {
  return new Map(keys.map((k) => [k, entry(!pinned.includes(k))]));
}

describe("getCachePolicy", () => {
  it("is case-insensitive", () => {
    expect(getCachePolicy("lru").name).toBe("LRU");
    expect(getCachePolicy("Lfu").name).toBe("LFU");
    expect(getCachePolicy("fifo").name).toBe("FIFO");
    expect(getCachePolicy("mRu").name).toBe("MRU");
  });

  it("raises LMCache's ValueErrors", () => {
    expect(() => getCachePolicy("")).toThrowError(expect.objectContaining({ name: "ValueError", message: "Cache policy name cannot be empty" }));
    expect(() => getCachePolicy("arc")).toThrowError(
      expect.objectContaining({ name: "ValueError", message: "Unknown cache policy: ARC. Supported policies are: ['LRU', 'LFU', 'FIFO', 'MRU', 'COST_AWARE']" }),
    );
    expect(() => getCachePolicy("cost_aware")).toThrowError(expect.objectContaining({ name: "NotImplementedError" }));
  });
});

describe("eviction order", () => {
  it("LRU: oldest first, a hit moves to the end, unevictable skipped", () => {
    const p = getCachePolicy("LRU");
    const cache = cacheOf(["a", "b", "c", "d"], ["b"]);
    p.updateOnHit("a", cache);
    expect([...cache.keys()]).toEqual(["b", "c", "d", "a"]);
    expect(p.getEvictCandidates(cache, 2)).toEqual(["c", "d"]);
  });

  it("MRU: newest first", () => {
    const p = getCachePolicy("MRU");
    const cache = cacheOf(["a", "b", "c"]);
    p.updateOnHit("a", cache);
    expect(p.getEvictCandidates(cache, 1)).toEqual(["a"]);
    cache.set("a", entry(false));
    expect(p.getEvictCandidates(cache, 2)).toEqual(["c", "b"]);
  });

  it("FIFO: insertion order, hits ignored", () => {
    const p = getCachePolicy("FIFO");
    const cache = cacheOf(["a", "b", "c"]);
    p.updateOnHit("a", cache);
    expect(p.getEvictCandidates(cache, 3)).toEqual(["a", "b", "c"]);
  });

  it("LFU: lowest frequency first, FIFO within a frequency, candidates leave its books", () => {
    const p = getCachePolicy("LFU");
    const cache = cacheOf(["a", "b", "c", "d"]);
    for (const k of cache.keys()) p.updateOnPut(k);
    p.updateOnHit("a", cache);
    p.updateOnHit("a", cache);
    p.updateOnHit("c", cache);
    expect(p.getEvictCandidates(cache, 2)).toEqual(["b", "d"]);
    cache.delete("b");
    cache.delete("d");
    cache.set("c", entry(false));
    expect(p.getEvictCandidates(cache, 5)).toEqual(["a"]);
    expect(p.getEvictCandidates(cache, 5)).toEqual([]); // "a" was already handed out
  });

  it("returns fewer candidates when entries cannot be evicted", () => {
    for (const name of ["LRU", "LFU", "FIFO", "MRU"]) {
      const p = getCachePolicy(name);
      const cache = cacheOf(["a", "b"], ["a", "b"]);
      for (const k of cache.keys()) p.updateOnPut(k);
      expect(p.getEvictCandidates(cache, 1), name).toEqual([]);
    }
  });
});
