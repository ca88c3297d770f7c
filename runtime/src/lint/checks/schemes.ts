/**
 * URL schemes an adapter accepts. LMCache matches adapters with a case-sensitive
 * `url.startswith(schema)` (so `External://` matches nothing), built-ins first in module-file
 * order, then plugin adapters.
 */

import { ALL_UPSTREAM_PREFIXES } from "../../connector/upstream-schemes";

export { BUILTIN_PLUGIN_TYPES, builtinServesPlugin } from "../../connector/upstream-schemes";

/**
 * Every URL prefix a built-in adapter claims: LMCache's upstream adapters (one table,
 * `connector/upstream-schemes.ts`) plus the kit's own `memory://`. `plugin://` is handled
 * separately (it needs a `remote_storage_plugins` entry or a built-in plugin type).
 */
export const BUILTIN_SCHEMES: readonly string[] = ALL_UPSTREAM_PREFIXES;

/** Every scheme a source-code string may start with to be linted as a connector URL. */
export const LINTED_SCHEMES: readonly string[] = [...BUILTIN_SCHEMES, "plugin://"];

/** LMCache's `extract_plugin_type`: the text before the first `.` (`fs.primary` → `fs`). */
export function extractPluginType(name: string): string {
  const dot = name.indexOf(".");
  return dot < 0 ? name : name.slice(0, dot);
}

/** Levenshtein distance, for did-you-mean suggestions. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

/** The closest known scheme (`xxx://`) to `scheme` (without `://`), within 2 edits; null if none. */
export function suggestScheme(scheme: string): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const known of LINTED_SCHEMES) {
    const name = known.slice(0, -3);
    const d = editDistance(scheme.toLowerCase(), name);
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return best;
}
