/**
 * Config values of an LMCache YAML file, judged by the runtime's own reader (`safeLoadPyYaml` +
 * `readConfigMapping`, the same code `check`/`run` load configs with): values LMCache would crash
 * on or silently turn into `None` (LMC025), and keys it ignores (LMC026). A YAML document counts as
 * an LMCache config when a top-level key is one LMCache knows, so other YAML files stay quiet.
 */
import { safeLoadPyYaml } from "../../config/pyyaml";
import { readConfigMapping } from "../../config/read-config";
import { CONFIG_ALIASES, DEFINITION_BY_KEY } from "../../config/definitions";
import type { LMCacheEngineConfig } from "../../config/engine-config";
import { upstreamSchemeFor } from "../../connector/upstream-schemes";
import type { LintDiagnostic } from "../types";
import { diag, type CheckEnv } from "./env";

/** `---`-separated documents with their start offsets (a line that is exactly `---` or starts `--- `). */
function documents(text: string): { start: number; text: string }[] {
  const out: { start: number; text: string }[] = [];
  const re = /^---(?:[ \t].*)?$/gm;
  let start = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    out.push({ start, text: text.slice(start, m.index) });
    start = m.index + m[0].length;
  }
  out.push({ start, text: text.slice(start) });
  return out;
}

/** Offset of a top-level `key:` in a document (plain or quoted key at column 0), or -1. */
function keyOffset(doc: string, key: string): number {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const m = new RegExp(`^(["']?)${escaped}\\1[ \\t]*:`, "m").exec(doc);
  return m ? m.index + m[1]!.length : -1;
}

function isLMCacheConfig(mapping: Record<string, unknown>): boolean {
  return Object.keys(mapping).some((k) => DEFINITION_BY_KEY.has(k) || k in CONFIG_ALIASES);
}

/** LMC025/LMC026 for every document of a YAML file. */
export function checkConfigValues(env: CheckEnv, text: string): LintDiagnostic[] {
  const out: LintDiagnostic[] = [];
  for (const doc of documents(text)) {
    let value: unknown;
    try {
      value = safeLoadPyYaml(doc.text);
    } catch {
      continue; // syntax errors are not ours to report here
    }
    if (!value || typeof value !== "object" || Array.isArray(value)) continue;
    const mapping = value as Record<string, unknown>;
    if (!isLMCacheConfig(mapping)) continue;
    const { config, issues } = readConfigMapping(mapping, "lint");
    const urlIssue = remoteUrlIssue(config);
    if (urlIssue) issues.push(urlIssue);
    for (const issue of issues) {
      const at = keyOffset(doc.text, issue.key);
      const start = doc.start + Math.max(0, at);
      const range = env.lines.range(start, at < 0 ? start : start + issue.key.length);
      out.push(diag(issue.severity === "error" ? "configValue" : "unknownConfigKey", issue.message, range));
    }
  }
  return out;
}

/**
 * The remote_url rules that depend on the rest of the config (resp://: `save_chunk_meta` and
 * `save_unfull_chunk` must be False), reported on `remote_url` when the URL alone passes (the
 * URL-only errors are url-checks' to report).
 */
function remoteUrlIssue(config: LMCacheEngineConfig): { key: string; severity: "error"; message: string } | null {
  const url = config.remoteUrl;
  if (typeof url !== "string") return null;
  const validate = upstreamSchemeFor(url)?.validate;
  if (!validate) return null;
  try {
    validate(url, { extraConfig: undefined });
  } catch {
    return null;
  }
  try {
    validate(url, { extraConfig: config.extraConfig ?? null, saveUnfullChunk: Boolean(config.saveUnfullChunk) });
    return null;
  } catch (error) {
    const e = error as Error;
    return { key: "remote_url", severity: "error", message: `${e.name}: ${e.message} (LMCache's adapter for ${url.slice(0, url.indexOf("://") + 3)} raises it when the connector is created)` };
  }
}
