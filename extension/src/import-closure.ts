/** A module and every workspace module it imports, transitively (one walk for TS and Python). */
import * as fs from "node:fs";

/**
 * `file` and every file `importsOf` finds in it, transitively. `importsOf` gets a file's path and
 * text and returns the files it imports (null entries: not in the workspace). Unreadable files
 * count as visited, with no imports.
 */
export function importClosure(file: string, importsOf: (file: string, text: string) => Iterable<string | null>): Set<string> {
  const seen = new Set<string>();
  const queue = [file];
  while (queue.length > 0) {
    const current = queue.pop()!;
    if (seen.has(current)) continue;
    seen.add(current);
    let text: string;
    try {
      text = fs.readFileSync(current, "utf8");
    } catch {
      continue;
    }
    for (const target of importsOf(current, text)) if (target && !seen.has(target)) queue.push(target);
  }
  return seen;
}
