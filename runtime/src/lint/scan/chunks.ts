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
  private cache = new Map<string, ChunkScan>();

  constructor(private readonly rules: ChunkRules, private readonly spread = 16) {}

  /** Scans `text`, reusing cached chunk results. */
  scan(text: string): ScanResult {
    const boundaries = this.boundaries(text);
    const occurrences: ScanResult["occurrences"] = [];
    let layout: ScanResult["layout"];
    let i = 0;
    while (i < boundaries.length - 1) {
      let j = i + 1;
      let chunk = this.scanChunk(text.slice(boundaries[i], boundaries[j]));
      while (!chunk.neutral && j < boundaries.length - 1) {
        j++;
        chunk = this.scanChunk(text.slice(boundaries[i], boundaries[j]));
      }
      const shifted = shiftScan(chunk, boundaries[i]);
      for (const o of shifted.occurrences) occurrences.push(o);
      if (shifted.layout) layout = { ...layout, ...stripUndefined(shifted.layout) };
      i = j;
    }
    return { occurrences, layout };
  }

  private scanChunk(text: string): ChunkScan {
    let hit = this.cache.get(text);
    if (!hit) {
      hit = this.rules.scan(text);
      if (this.cache.size >= MAX_CACHE) this.cache.clear();
      this.cache.set(text, hit);
    }
    return hit;
  }

  private boundaries(text: string): number[] {
    const out = [0];
    let start = 0;
    while (start < text.length) {
      const nl = text.indexOf("\n", start);
      const end = nl < 0 ? text.length : nl;
      // hash in place; only the rare candidate line is sliced
      if (start > 0 && lineHash(text, start, end) % this.spread === 0 && this.rules.canStartChunk(text.slice(start, end))) out.push(start);
      if (nl < 0) break;
      start = nl + 1;
    }
    out.push(text.length);
    return out;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
