/**
 * Bounded capture of a connector's output (ours): keeps the first `headBytes` and the last
 * `tailBytes` of what was written, counts what fell in between, and renders it as text with a
 * note saying how much was dropped. Memory stays at most head + tail (+ one chunk) however much
 * the connector prints; every byte is copied a bounded number of times.
 */
export class OutputCapture {
  private head: Buffer[] = [];
  private headSize = 0;
  private tail: Buffer[] = [];
  private tailSize = 0;
  private dropped = 0;

  constructor(private readonly headBytes = 4096, private readonly tailBytes = 4096) {}

  /** Total bytes written. */
  get total(): number {
    return this.headSize + this.tailSize + this.dropped;
  }

  /** Bytes cut from the middle. */
  get droppedBytes(): number {
    return this.dropped;
  }

  write(chunk: Buffer): void {
    let rest = chunk;
    if (this.headSize < this.headBytes) {
      const take = rest.subarray(0, this.headBytes - this.headSize);
      this.head.push(Buffer.from(take));
      this.headSize += take.length;
      rest = rest.subarray(take.length);
    }
    if (rest.length === 0) return;
    if (rest.length >= this.tailBytes) {
      this.dropped += this.tailSize + rest.length - this.tailBytes;
      this.tail = [Buffer.from(rest.subarray(rest.length - this.tailBytes))];
      this.tailSize = this.tailBytes;
      return;
    }
    this.tail.push(Buffer.from(rest));
    this.tailSize += rest.length;
    while (this.tailSize > this.tailBytes) {
      const first = this.tail[0]!;
      const excess = this.tailSize - this.tailBytes;
      if (first.length <= excess) {
        this.tail.shift();
        this.tailSize -= first.length;
        this.dropped += first.length;
      } else {
        this.tail[0] = first.subarray(excess);
        this.tailSize -= excess;
        this.dropped += excess;
      }
    }
  }

  /** The captured text; a dropped middle is marked `… [N bytes dropped] …`. */
  text(): string {
    const head = Buffer.concat(this.head).toString("utf8");
    const tail = Buffer.concat(this.tail).toString("utf8");
    if (this.dropped === 0) return head + tail;
    return `${head}\n… [${this.dropped} bytes of output dropped] …\n${tail}`;
  }
}
