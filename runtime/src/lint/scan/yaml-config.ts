/**
 * Extracts connector settings from LMCache YAML configs (`remote_url`, `remote_storage_plugins`,
 * `extra_config` plugin keys) with exact source offsets, via the `yaml` package's document ranges.
 * JSON configs also parse here (YAML accepts JSON) but have their own faster scanner.
 */
import { isMap, isPair, isScalar, isSeq, parseAllDocuments, type Scalar } from "yaml";
import type { Occurrence, YamlLayout } from "../occurrences";
import type { ChunkRules, ChunkScan } from "./chunks";

/** `remote_storage_plugin.<name>.module_path|class_name` (the current LMCache key form). */
export const PLUGIN_KEY = /^remote_storage_plugin\.(.+)\.(module_path|class_name)$/;

/** Occurrence for a scalar node: offsets inside the quotes, `exact` when the source equals the value. */
export function scalarOccurrence(text: string, node: Scalar, kind: Occurrence["kind"], pluginName?: string): Occurrence | null {
  if (typeof node.value !== "string" || !node.range) return null;
  let [start, end] = node.range;
  if (node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE") {
    start += 1;
    end -= 1;
  }
  return { kind, value: node.value, start, end, exact: text.slice(start, end) === node.value, fromConfig: true, pluginName };
}

function lineEndAfter(text: string, offset: number): number {
  const nl = text.indexOf("\n", offset);
  return nl < 0 ? text.length : nl + 1;
}

function indentOfLineAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, offset))![0];
}

/** Comma-separated plugin names inside one string scalar (the env-var form, also accepted here). */
function splitNames(occ: Occurrence): Occurrence[] {
  const out: Occurrence[] = [];
  let pos = 0;
  for (const piece of occ.value.split(",")) {
    const lead = piece.length - piece.trimStart().length;
    const name = piece.trim();
    if (name && occ.exact) out.push({ ...occ, kind: "pluginName", value: name, start: occ.start + pos + lead, end: occ.start + pos + lead + name.length });
    else if (name) out.push({ ...occ, kind: "pluginName", value: name, exact: false });
    pos += piece.length + 1;
  }
  return out;
}

/** Scans one YAML text (a chunk or a whole file). */
export function scanYaml(text: string): ChunkScan {
  const occurrences: Occurrence[] = [];
  const layout: YamlLayout = {};
  let neutral = true;
  for (const doc of parseAllDocuments(text, { uniqueKeys: false, prettyErrors: false })) {
    if (!("contents" in doc)) continue;
    if (doc.errors.some((e) => e.code === "MISSING_CHAR" || e.code === "BAD_INDENT")) neutral = false;
    if (!isMap(doc.contents)) continue;
    for (const pair of doc.contents.items) {
      if (!isPair(pair) || !isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      const value = pair.value;
      if (key === "remote_url" && isScalar(value)) {
        const occ = scalarOccurrence(text, value, "url");
        if (occ && pair.key.range) {
          occ.entryStart = pair.key.range[0];
          occ.entryEnd = lineEndAfter(text, value.range![1]);
          occurrences.push(occ);
        }
      } else if (key === "remote_storage_plugins") {
        layout.hasPluginsKey = true;
        if (isSeq(value)) {
          for (const item of value.items) {
            if (isScalar(item)) {
              const occ = scalarOccurrence(text, item, "pluginName");
              if (occ) occurrences.push(occ);
            }
          }
          const last = value.items[value.items.length - 1];
          if (value.flow && value.range) {
            const close = text.lastIndexOf("]", value.range[1]);
            if (close >= 0) layout.pluginsFlowEnd = { offset: close, empty: value.items.length === 0 };
          } else if (isScalar(last) && last.range) {
            const dash = text.lastIndexOf("-", last.range[0]);
            layout.pluginsBlockEnd = { offset: lineEndAfter(text, last.range[1]), indent: indentOfLineAt(text, dash) };
          }
        } else if (isScalar(value)) {
          const occ = scalarOccurrence(text, value, "pluginName");
          if (occ) occurrences.push(...splitNames(occ));
        }
      } else if (key === "extra_config") {
        layout.hasExtraConfigKey = true;
        if (!isMap(value)) continue;
        let lastEnd = -1;
        let indent = "  ";
        for (const entry of value.items) {
          if (!isPair(entry) || !isScalar(entry.key)) continue;
          if (entry.key.range && lastEnd < 0) indent = indentOfLineAt(text, entry.key.range[0]);
          const end = isScalar(entry.value) && entry.value.range ? entry.value.range[1] : entry.key.range?.[1];
          if (end !== undefined) lastEnd = Math.max(lastEnd, end);
          const m = PLUGIN_KEY.exec(String(entry.key.value));
          if (m && isScalar(entry.value)) {
            const occ = scalarOccurrence(text, entry.value, m[2] === "module_path" ? "modulePath" : "className", m[1]);
            if (occ) occurrences.push(occ);
          }
        }
        if (!value.flow && lastEnd >= 0) layout.extraConfigBlockEnd = { offset: lineEndAfter(text, lastEnd), indent };
      }
    }
  }
  return { occurrences, layout, neutral };
}

/** YAML chunking: a chunk starts at a top-level key line or a `---` document marker. */
export const yamlChunkRules: ChunkRules = {
  canStartChunk(line) {
    if (line.startsWith("---")) return true;
    const c = line[0];
    return c !== undefined && !" \t#-]}\"'\r".includes(c) && /^[A-Za-z_][\w.-]*\s*:/.test(line);
  },
  scan: scanYaml,
};
