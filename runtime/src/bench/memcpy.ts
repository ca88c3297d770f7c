/**
 * The bench's yardsticks (ours): plain memory-copy bandwidth of the payload size, measured in the
 * same run as the connector, in two flavours —
 * - hot: `Buffer.copy` into the SAME destination every time. For payloads that fit the CPU caches
 *   this is cache bandwidth, an upper bound no store reaches;
 * - fresh: into a NEW destination of the payload's size every time (allocation, zeroing and page
 *   faults included), which is what a store that keeps its own copy must pay per put.
 */
const MB = 1e6;
/** The fresh destinations kept alive at once, so the allocator cannot hand back a warm, freed one. */
const FRESH_HELD_BYTES = 128 << 20;

/** How many copies to time for `bytes`: about 256 MiB in all, at least 8 and at most 256. */
export function memcpyRepetitions(bytes: number): number {
  return Math.max(8, Math.min(256, Math.ceil((256 << 20) / bytes)));
}

/** Bandwidth (MB/s) of copying `bytes` bytes with `Buffer.copy` into the same buffer, `times` times. */
export function measureMemcpyMBps(bytes: number, times: number): number {
  const src = Buffer.alloc(bytes, 0xab);
  const dst = Buffer.alloc(bytes);
  src.copy(dst); // fault the pages in before timing
  const start = performance.now();
  for (let i = 0; i < times; i++) src.copy(dst);
  const s = (performance.now() - start) / 1000;
  return (bytes * times) / MB / Math.max(s, 1e-9);
}

/**
 * Bandwidth (MB/s) of copying `bytes` bytes into a newly allocated `Uint8Array` of that size,
 * `times` times; the allocation is inside the timed window (a store pays it too).
 */
export function measureFreshMemcpyMBps(bytes: number, times: number): number {
  const src = Buffer.alloc(bytes, 0xab);
  let held: Uint8Array[] = [];
  let heldBytes = 0;
  let ms = 0;
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    const dst = new Uint8Array(bytes);
    dst.set(src);
    ms += performance.now() - start;
    held.push(dst);
    heldBytes += bytes;
    if (heldBytes > FRESH_HELD_BYTES) {
      held = [];
      heldBytes = 0;
    }
  }
  void held;
  return (bytes * times) / MB / Math.max(ms / 1000, 1e-9);
}
