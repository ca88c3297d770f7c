/**
 * What the per-language scanners extract from a document: the strings that hold connector URLs or
 * plugin settings, with their offsets, plus the configuration structure the YAML quick fix needs.
 */

/** The role of an extracted string. */
export type OccurrenceKind =
  /** A connector URL (`remote_url`, `LMCACHE_REMOTE_URL`, a URL-looking string literal). */
  | "url"
  /** One entry of `remote_storage_plugins`. */
  | "pluginName"
  /** `extra_config["remote_storage_plugin.<name>.module_path"]`. */
  | "modulePath"
  /** `extra_config["remote_storage_plugin.<name>.class_name"]`. */
  | "className";

/** One extracted string. Offsets are into the scanned text (chunk-relative inside a scanner). */
export interface Occurrence {
  kind: OccurrenceKind;
  /** The decoded string value. */
  value: string;
  /** Offsets of the value's source text (inside the quotes, if any). */
  start: number;
  end: number;
  /** True when the source text equals `value`, so offsets inside the value map 1:1 to the text. */
  exact: boolean;
  /** True for values from LMCache configuration (always linted); false for string literals in code. */
  fromConfig: boolean;
  /** For `modulePath` / `className`: the plugin name from the key. */
  pluginName?: string;
  /** For a YAML `remote_url`: offsets of the whole `remote_url: …` line(s), for the plugin-form fix. */
  entryStart?: number;
  entryEnd?: number;
}

/** Where YAML config blocks are, so the external→plugin quick fix can extend them. */
export interface YamlLayout {
  /** `remote_storage_plugins` as a flow list: offset just before its `]`; `empty` if it has no items. */
  pluginsFlowEnd?: { offset: number; empty: boolean };
  /** `remote_storage_plugins` as a block list: offset after its last item and that item's indent. */
  pluginsBlockEnd?: { offset: number; indent: string };
  /** `extra_config` as a block mapping: offset after its last entry and the entries' indent. */
  extraConfigBlockEnd?: { offset: number; indent: string };
  /** Any `remote_storage_plugins` / `extra_config` key seen (even in a form we cannot extend). */
  hasPluginsKey?: boolean;
  hasExtraConfigKey?: boolean;
}

/** A scanner's output for one text. */
export interface ScanResult {
  occurrences: Occurrence[];
  layout?: YamlLayout;
}

/** Shifts a scan result's offsets by `delta` (chunk → document). */
export function shiftScan(result: ScanResult, delta: number): ScanResult {
  if (delta === 0) return result;
  const occurrences = result.occurrences.map((o) => ({
    ...o,
    start: o.start + delta,
    end: o.end + delta,
    entryStart: o.entryStart === undefined ? undefined : o.entryStart + delta,
    entryEnd: o.entryEnd === undefined ? undefined : o.entryEnd + delta,
  }));
  let layout: YamlLayout | undefined;
  if (result.layout) {
    const l = result.layout;
    layout = {
      ...l,
      pluginsFlowEnd: l.pluginsFlowEnd && { ...l.pluginsFlowEnd, offset: l.pluginsFlowEnd.offset + delta },
      pluginsBlockEnd: l.pluginsBlockEnd && { ...l.pluginsBlockEnd, offset: l.pluginsBlockEnd.offset + delta },
      extraConfigBlockEnd: l.extraConfigBlockEnd && { ...l.extraConfigBlockEnd, offset: l.extraConfigBlockEnd.offset + delta },
    };
  }
  return { occurrences, layout };
}

/**
 * Whether a code string literal is worth linting: one that starts with a known `xxx://` scheme, or
 * holds `external://` / `plugin://` elsewhere (a typo before the scheme) — unless it is prose, i.e.
 * has white space around words: a docstring or message that mentions a URL is not a URL.
 */
export function looksLikeConnectorUrl(value: string, knownSchemes: readonly string[]): boolean {
  const lower = value.toLowerCase();
  if (knownSchemes.some((s) => lower.startsWith(s))) return true;
  if (!value.includes("external://") && !value.includes("plugin://")) return false;
  return !/\S\s+\S/.test(value);
}
