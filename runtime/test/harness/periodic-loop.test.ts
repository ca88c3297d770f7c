/** The loop both health models run: one round per interval after the last settled, stop() ends it. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { PeriodicLoop } from "../../src/harness/periodic-loop";

afterEach(() => vi.useRealTimers());

describe("PeriodicLoop", () => {
  it("runs nothing before start, then one round per interval, never two at once", async () => {
    vi.useFakeTimers();
    let running = 0;
    let maxRunning = 0;
    let rounds = 0;
    const loop = new PeriodicLoop(
      () => 100,
      async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setTimeout(r, 250)); // longer than the interval
        running--;
        rounds++;
      },
    );
    await vi.advanceTimersByTimeAsync(500);
    expect(rounds).toBe(0);
    loop.start();
    await vi.advanceTimersByTimeAsync(100 + 250 + 100 + 250); // two rounds, each an interval after the last settled
    expect(rounds).toBe(2);
    expect(maxRunning).toBe(1);
    loop.stop();
    await vi.advanceTimersByTimeAsync(2000);
    expect(rounds).toBe(2);
  });

  it("reads the interval again before each round", async () => {
    vi.useFakeTimers();
    let interval = 100;
    const at: number[] = [];
    const loop = new PeriodicLoop(
      () => interval,
      async () => {
        at.push(Date.now());
        interval = 300;
      },
    );
    const t0 = Date.now();
    loop.start();
    await vi.advanceTimersByTimeAsync(100 + 300);
    loop.stop();
    expect(at.map((t) => t - t0)).toEqual([100, 400]);
  });
});
