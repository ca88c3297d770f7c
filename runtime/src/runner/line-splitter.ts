/**
 * Splits a byte stream into lines with bounded, linear buffering (ours): each chunk is scanned
 * once, the pieces of an unfinished line are kept as a list (joined once, when its newline
 * arrives), and a line longer than `maxLineBytes` is an error — the splitter stops rather than
 * buffer without end.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private pending = 0;
  private broken = false;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: (line: string) => void,
    private readonly onOverflow: (bytes: number) => void,
  ) {}

  /** Feeds the next chunk. */
  push(chunk: Buffer): void {
    if (this.broken) return;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      if (!this.take(chunk.subarray(start, nl))) return;
      const line = this.parts.length === 1 ? this.parts[0]!.toString("utf8") : Buffer.concat(this.parts, this.pending).toString("utf8");
      this.parts = [];
      this.pending = 0;
      this.onLine(line);
      if (this.broken) return;
      start = nl + 1;
    }
    if (start < chunk.length) this.take(chunk.subarray(start));
  }

  /** Bytes of an unfinished last line (the stream ended without its newline). */
  get unfinishedBytes(): number {
    return this.pending;
  }

  /** Stops splitting (after an overflow, or when the reader gives up). */
  stop(): void {
    this.broken = true;
    this.parts = [];
    this.pending = 0;
  }

  private take(piece: Buffer): boolean {
    if (this.pending + piece.length > this.maxLineBytes) {
      const bytes = this.pending + piece.length;
      this.stop();
      this.onOverflow(bytes);
      return false;
    }
    this.parts.push(piece);
    this.pending += piece.length;
    return true;
  }
}
