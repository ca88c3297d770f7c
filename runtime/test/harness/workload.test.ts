import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { chunkPrefixHashes, generateWorkload } from "../../src/harness/workload";
import { percentile, LatencyRecorder } from "../../src/harness/latency";

describe("workload", () => {
  it("is deterministic per seed and different across seeds", () => {
    const a = generateWorkload({ requests: 20, seed: 7, chunkSize: 16 });
    const b = generateWorkload({ requests: 20, seed: 7, chunkSize: 16 });
    const c = generateWorkload({ requests: 20, seed: 8, chunkSize: 16 });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it("gives requests that share a system prompt equal leading chunk hashes", () => {
    const reqs = generateWorkload({ requests: 40, seed: 1, chunkSize: 8, systemPrompts: 2, systemPromptChunks: [2, 2] });
    const firstChunks = new Set(reqs.map((r) => r.chunkHashes.slice(0, 2).join(",")));
    expect(firstChunks.size).toBeLessThanOrEqual(2);
    // A continued conversation extends its previous request: the old hashes are a prefix of the new.
    const byConv = new Map<number, number[]>();
    for (const r of reqs) {
      const prev = byConv.get(r.conversation);
      if (prev) expect(r.chunkHashes.slice(0, prev.length)).toEqual(prev);
      byConv.set(r.conversation, r.chunkHashes);
      expect(r.chunkHashes).toHaveLength(Math.floor(r.tokens / 8));
    }
  });

  it("hashes each chunk together with the hash of everything before it", () => {
    const tokens = Array.from({ length: 10 }, (_, i) => i * 3);
    const hashes = chunkPrefixHashes(tokens, 4);
    expect(hashes).toHaveLength(2); // the 2-token tail is not a full chunk
    const expected: number[] = [];
    let prev = 0;
    for (const chunk of [tokens.slice(0, 4), tokens.slice(4, 8)]) {
      const buf = Buffer.alloc(8 + 16);
      buf.writeUIntLE(prev, 0, 6);
      chunk.forEach((t, i) => buf.writeUInt32LE(t, 8 + 4 * i));
      prev = createHash("sha256").update(buf).digest().readUIntLE(0, 6);
      expected.push(prev);
    }
    expect(hashes).toEqual(expected);
    // Same chunk content after a different prefix → different hash.
    expect(chunkPrefixHashes([...tokens.slice(4, 8), ...tokens.slice(0, 4)], 4)[1]).not.toBe(hashes[0]);
  });

  it("rejects a bad chunk size", () => {
    expect(() => generateWorkload({ requests: 1, seed: 0, chunkSize: 0 })).toThrow(/chunk size/);
  });
});

describe("latency percentiles", () => {
  it("uses nearest rank", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    const sorted = [...values].sort((a, b) => a - b);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile([], 50)).toBe(0);
    const rec = new LatencyRecorder();
    values.forEach((v) => rec.record(v));
    const s = rec.summary();
    expect([s.count, s.p50Ms, s.p90Ms, s.p99Ms, s.maxMs]).toEqual([100, 50, 90, 99, 100]);
  });
});
