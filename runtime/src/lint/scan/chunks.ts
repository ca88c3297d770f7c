/**
 * Incremental scanning (ours): a text is cut into chunks at content-defined line boundaries, each
 * chunk is scanned on its own and its result cached by the chunk's text. A one-line edit then
 * re-scans only the chunk it touches. A chunk whose scan does not end in a neutral state (inside
 * a template, a triple-quoted string, a block comment …) is merged with the next one, so results
 * equal a whole-text scan.
 */
import { shiftScan, type ScanResult } from "../occurrences";

/** One chunk's scan: its result (chunk-relative offsets) and whether it ended outside any construct. */
export interface ChunkScan extends ScanResult {
  neutral: boolean;
}

/** Per-language chunking rules. */
export interface ChunkRules {
  /** Whether a line (its full text, without the newline) may start a new chunk. */
  canStartChunk(line: string): boolean;
  /** Scans one chunk's text from a neutral state. */
  scan(text: string): ChunkScan;
}

/** A cached chunk: its text, its scan (chunk-relative offsets) and how many newlines it holds. */
export interface CachedChunk {
  text: string;
  scan: ChunkScan;
  newlines: number;
}

/** One chunk of a scanned text: where it starts (offset and 0-based line) and its cached scan. */
export interface PlacedChunk {
  start: number;
  startLine: number;
  chunk: CachedChunk;
}

const MAX_CACHE = 20_000;

/** Cheap string hash (FNV-1a over at most 64 chars) used to pick boundaries by content. */
function lineHash(text: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  const n = Math.min(end, start + 64);
  for (let i = start; i < n; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A chunked scanner with its own chunk-text → result cache. */
export class ChunkedScanner {
  private cache = new Map<string, CachedChunk>();
  private last: { text: string; chunks: PlacedChunk[] } | null = null;

  constructor(private readonly rules: ChunkRules, private readonly spread = 16) {}

  /** Scans `text`, reusing cached chunk results. */
  scan(text: string): ScanResult {
    return joinChunks(this.chunks(text));
  }

  /**
   * The chunks of `text` in order (non-neutral chunks already merged with their successors), each
   * with its start offset and start line, so callers can cache per-chunk work by chunk text.
   *
   * Incremental against the previous text: chunks wholly inside the common prefix are kept, and
   * once the walk over the changed middle lands on the (shifted) start of a chunk inside the
   * common suffix, the rest is the previous chunks moved by the length and line deltas. The walk
   * is deterministic from a chunk start onward, so the result equals a walk over the whole text.
   */
  chunks(text: string): PlacedChunk[] {
    const prev = this.last;
    if (prev && prev.text === text) return prev.chunks;
    const out: PlacedChunk[] = [];
    let pos = 0;
    let line = 0;
    let suffix: { starts: Map<number, number>; chunks: PlacedChunk[]; delta: number } | null = null;
    if (prev) {
      const old = prev.text;
      const p = commonPrefix(old, text);
      // a kept chunk's end must be followed by a whole unchanged line: that line decided the boundary
      for (const c of prev.chunks) {
        const end = c.start + c.chunk.text.length;
        const nl = old.indexOf("\n", end);
        if (end >= old.length || nl < 0 || nl >= p) break;
        out.push(c);
        pos = end;
        line = c.startLine + c.chunk.newlines;
      }
      const s = commonSuffix(old, text, Math.min(old.length, text.length) - pos);
      const suffixStart = old.length - s;
      const starts = new Map<number, number>();
      const delta = text.length - old.length;
      // a reusable suffix chunk starts after a newline that is itself in the common suffix
      for (let k = prev.chunks.length - 1; k >= 0; k--) {
        const c = prev.chunks[k];
        if (c.start === 0 || c.start - 1 < suffixStart) break;
        starts.set(c.start + delta, k);
      }
      suffix = { starts, chunks: prev.chunks, delta };
    }
    do {
      const k = suffix?.starts.get(pos);
      if (k !== undefined && suffix) {
        const lineDelta = line - suffix.chunks[k].startLine;
        for (let m = k; m < suffix.chunks.length; m++) {
          const c = suffix.chunks[m];
          out.push({ start: c.start + suffix.delta, startLine: c.startLine + lineDelta, chunk: c.chunk });
        }
        break;
      }
      let end = this.nextBoundary(text, pos);
      let chunk = this.scanChunk(text.slice(pos, end));
      while (!chunk.scan.neutral && end < text.length) {
        end = this.nextBoundary(text, end);
        chunk = this.scanChunk(text.slice(pos, end));
      }
      out.push({ start: pos, startLine: line, chunk });
      line += chunk.newlines;
      pos = end;
    } while (pos < text.length);
    this.last = { text, chunks: out };
    return out;
  }

  private scanChunk(text: string): CachedChunk {
    let hit = this.cache.get(text);
    if (!hit) {
      let newlines = 0;
      for (let k = text.indexOf("\n"); k >= 0; k = text.indexOf("\n", k + 1)) newlines++;
      hit = { text, scan: this.rules.scan(text), newlines };
      if (this.cache.size >= MAX_CACHE) this.cache.clear();
      this.cache.set(text, hit);
    }
    return hit;
  }

  /** The next chunk boundary after the line starting at `from`: a line start the rules accept, or the text's end. */
  private nextBoundary(text: string, from: number): number {
    let nl = text.indexOf("\n", from);
    while (nl >= 0 && nl + 1 < text.length) {
      const start = nl + 1;
      nl = text.indexOf("\n", start);
      const end = nl < 0 ? text.length : nl;
      // hash in place; only the rare candidate line is sliced
      if (lineHash(text, start, end) % this.spread === 0 && this.rules.canStartChunk(text.slice(start, end))) return start;
    }
    return text.length;
  }
}

const BLOCK = 2048;

/** Length of the common prefix of two strings (compared a block at a time, then by character). */
export function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i + BLOCK <= n && a.slice(i, i + BLOCK) === b.slice(i, i + BLOCK)) i += BLOCK;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** Length of the common suffix of two strings, at most `max`. */
export function commonSuffix(a: string, b: string, max: number): number {
  const n = Math.max(0, max);
  let i = 0;
  while (i + BLOCK <= n && a.slice(a.length - i - BLOCK, a.length - i) === b.slice(b.length - i - BLOCK, b.length - i)) i += BLOCK;
  while (i < n && a.charCodeAt(a.length - 1 - i) === b.charCodeAt(b.length - 1 - i)) i++;
  return i;
}

/** The whole-text scan result of placed chunks (document offsets; later layout facts win). */
export function joinChunks(chunks: readonly PlacedChunk[]): ScanResult {
  const occurrences: ScanResult["occurrences"] = [];
  let layout: ScanResult["layout"];
  for (const { start, chunk } of chunks) {
    const shifted = shiftScan(chunk.scan, start);
    for (const o of shifted.occurrences) occurrences.push(o);
    if (shifted.layout) layout = { ...layout, ...stripUndefined(shifted.layout) };
  }
  return { occurrences, layout };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
