/** Offset ↔ LSP position conversion for one text (line starts computed once). */
import type { LintPosition, LintRange } from "./types";

/** Maps UTF-16 offsets of one text to 0-based line/character positions. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) this.starts.push(i + 1);
  }

  /** Position of `offset` (clamped to the text). */
  position(offset: number): LintPosition {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.starts[lo] };
  }

  /** Range of the offsets `[start, end)`. */
  range(start: number, end: number): LintRange {
    return { start: this.position(start), end: this.position(end) };
  }

  /** Offset of a position (clamped). */
  offset(pos: LintPosition): number {
    const line = Math.max(0, Math.min(pos.line, this.starts.length - 1));
    const lineEnd = line + 1 < this.starts.length ? this.starts[line + 1] - 1 : this.text.length;
    return Math.min(this.starts[line] + Math.max(0, pos.character), lineEnd);
  }
}
