/**
 * MockConnector's concurrency as upstream: `AsyncPQExecutor(loop)` runs four workers, and only the
 * PressureManager's read lock and write lock serialise reads and writes (peeks hold no lock).
 * Timers are faked, so the test asserts ordering, not wall-clock speed.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MockConnector } from "../../src/connector/adapters/mock-connector";
import { EventLoop } from "../../src/connector/event-loop";
import { fullChunk, makeBackend, makeKey } from "./helpers";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

/** GB/s at which one 2048-byte chunk takes exactly 10 s. */
const TEN_SECONDS_PER_CHUNK = 2048 / (10 * 1024 ** 3);

function track<T>(p: Promise<T>): { done: () => boolean; value: Promise<T> } {
  let settled = false;
  void p.finally(() => (settled = true)).catch(() => {});
  return { done: () => settled, value: p };
}

describe("MockConnector workers and pressure locks", () => {
  it("overlaps a peek, two reads and a write on four workers; reads queue on the read lock only", async () => {
    const b = makeBackend();
    const conn = new MockConnector({
      url: "mock://1", loop: new EventLoop(), localCpuBackend: b.backend, capacity: 1,
      peekingLatency: 0, readThroughput: TEN_SECONDS_PER_CHUNK, writeThroughput: TEN_SECONDS_PER_CHUNK,
    });
    const { obj } = fullChunk(b, 1);
    const first = track(conn.put(makeKey(1), obj));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(first.done()).toBe(true);

    const getA = track(conn.get(makeKey(1)));
    const getB = track(conn.get(makeKey(1)));
    const put2 = track(conn.put(makeKey(2), fullChunk(b, 2).obj));
    const peek = track(conn.exists(makeKey(1)));
    await vi.advanceTimersByTimeAsync(1);
    expect(conn.executor.running).toBe(3); // the peek finished; A, B (waiting on the read lock) and the put run
    expect(peek.done()).toBe(true);
    expect(await peek.value).toBe(true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(getA.done()).toBe(true);
    expect(put2.done()).toBe(true); // the write lock is independent of the read lock
    expect(getB.done()).toBe(false); // the second read waited for the first
    await vi.advanceTimersByTimeAsync(10_000);
    expect(getB.done()).toBe(true);
    for (const g of [getA, getB]) (await g.value)?.refCountDown();
  });

  it("runs at most four jobs at once; the fifth waits for a free worker", async () => {
    const b = makeBackend();
    const conn = new MockConnector({
      url: "mock://1", loop: new EventLoop(), localCpuBackend: b.backend, capacity: 1,
      peekingLatency: 0, writeThroughput: TEN_SECONDS_PER_CHUNK,
    });
    const puts = [1, 2, 3, 4, 5].map((h) => track(conn.put(makeKey(h), fullChunk(b, h).obj)));
    await vi.advanceTimersByTimeAsync(1);
    expect(conn.executor.running).toBe(4);
    expect(conn.executor.pending).toBe(1);
    await vi.advanceTimersByTimeAsync(50_000);
    expect(puts.every((p) => p.done())).toBe(true);
    const closing = track(conn.close());
    await vi.advanceTimersByTimeAsync(1);
    expect(closing.done()).toBe(true);
    await expect(conn.exists(makeKey(1))).rejects.toMatchObject({ name: "RuntimeError" });
  });
});
