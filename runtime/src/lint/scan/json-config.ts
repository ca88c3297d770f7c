/** Extracts connector settings from LMCache JSON configs (same keys as the YAML form). */
import type { Occurrence, ScanResult } from "../occurrences";
import { readJson, type JsonNode } from "./json-values";
import { PLUGIN_KEY } from "./yaml-config";

function stringOccurrence(node: JsonNode, kind: Occurrence["kind"], pluginName?: string): Occurrence | null {
  if (node.type !== "string") return null;
  return { kind, value: node.value, start: node.start, end: node.end, exact: node.exact, fromConfig: true, pluginName };
}

/** Plugin occurrences from an `extra_config` object (also used for `LMCACHE_EXTRA_CONFIG` JSON). */
export function extraConfigOccurrences(node: JsonNode): Occurrence[] {
  const out: Occurrence[] = [];
  if (node.type !== "object") return out;
  for (const entry of node.entries) {
    const m = PLUGIN_KEY.exec(entry.key);
    if (!m) continue;
    const occ = stringOccurrence(entry.value, m[2] === "module_path" ? "modulePath" : "className", m[1]);
    if (occ) out.push(occ);
  }
  return out;
}

/** Scans a JSON config file. */
export function scanJsonConfig(text: string): ScanResult {
  const root = readJson(text);
  const occurrences: Occurrence[] = [];
  if (!root || root.type !== "object") return { occurrences };
  for (const { key, value } of root.entries) {
    if (key === "remote_url") {
      const occ = stringOccurrence(value, "url");
      if (occ) occurrences.push(occ);
    } else if (key === "remote_storage_plugins" && value.type === "array") {
      for (const item of value.items) {
        const occ = stringOccurrence(item, "pluginName");
        if (occ) occurrences.push(occ);
      }
    } else if (key === "extra_config") {
      occurrences.push(...extraConfigOccurrences(value));
    }
  }
  return { occurrences };
}
