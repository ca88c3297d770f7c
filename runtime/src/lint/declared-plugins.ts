/**
 * Plugin names that configs declare, for checking `plugin://` URLs in source files (ours, the
 * kit's: LMCache reads one config; a source file's URL will run under one of the workspace's).
 * Shared by `lmcache-connector lint` and the editor, so both give sources the same names.
 */
import { scanDocument } from "./linter";
import { isConfigFile } from "./lint-files";
import type { LintDocument } from "./types";

/**
 * The `remote_storage_plugins` names one config document declares (YAML/JSON key,
 * `LMCACHE_REMOTE_STORAGE_PLUGINS` in `.env`/shell), in order; `[]` for a source file.
 */
export function declaredPluginNames(doc: LintDocument): string[] {
  if (!isConfigFile(doc.path, doc.languageId)) return [];
  return scanDocument(doc).scan.occurrences.filter((o) => o.kind === "pluginName").map((o) => o.value);
}

/**
 * The `LintContext.remoteStoragePlugins` for source files, given each config's declared names:
 * every name once, sorted (so the result does not depend on the order configs were read in), or
 * `undefined` when no config declares any (then sources' `plugin://` URLs are not checked).
 */
export function pluginNamesForSources(perConfig: Iterable<readonly string[]>): string[] | undefined {
  const names = new Set<string>();
  for (const list of perConfig) for (const name of list) names.add(name);
  return names.size ? [...names].sort() : undefined;
}
