/**
 * Extracts URL-looking string literals from Python sources (connectors and launch scripts written
 * for Python LMCache). Comments are skipped; f-strings with placeholders are skipped.
 */
import { looksLikeConnectorUrl, type Occurrence } from "../occurrences";
import { LINTED_SCHEMES } from "../checks/schemes";
import type { ChunkRules, ChunkScan } from "./chunks";
import { tokenizePython } from "./python-tokens";

/** Scans one Python text for connector-URL string literals. */
export function scanPythonStrings(text: string): ChunkScan {
  const occurrences: Occurrence[] = [];
  const { lines, unterminated } = tokenizePython(text);
  for (const line of lines) {
    for (const t of line.tokens) {
      if (t.type !== "string" || t.dynamic || t.unterminated) continue;
      if (!looksLikeConnectorUrl(t.value!, LINTED_SCHEMES)) continue;
      const start = t.contentStart!;
      const end = t.contentEnd!;
      occurrences.push({ kind: "url", value: t.value!, start, end, exact: text.slice(start, end) === t.value, fromConfig: false });
    }
  }
  return { occurrences, neutral: !unterminated };
}

/** Python chunking: a chunk starts at a column-0 statement line. */
export const pythonChunkRules: ChunkRules = {
  canStartChunk: (line) => /^(?:def|class|async|import|from|if|for|while|with|try|@|[A-Za-z_]\w*\s*=)/.test(line),
  scan: scanPythonStrings,
};
