/**
 * Checks of the Remote Storage Plugin Framework settings in one config document:
 * every `remote_storage_plugins` name needs `remote_storage_plugin.<name>.module_path` and
 * `.class_name` in `extra_config` (unless its type is built in: `fs`, `mooncakestore`), and those
 * must name an importable module and a `ConnectorAdapter` or `RemoteConnector` class in it.
 */
import type { Occurrence } from "../occurrences";
import type { LintDiagnostic } from "../types";
import { builtinServesPlugin } from "./schemes";
import { checkClass, checkModulePath } from "./module-checks";
import { diag, subRange, type CheckEnv } from "./env";

/** Lints the plugin names and plugin keys found in a document. */
export function checkPlugins(env: CheckEnv, occurrences: readonly Occurrence[]): LintDiagnostic[] {
  const out: LintDiagnostic[] = [];
  const keys = new Map<string, { modulePath?: Occurrence; className?: Occurrence }>();
  for (const occ of occurrences) {
    if (occ.kind !== "modulePath" && occ.kind !== "className") continue;
    const entry = keys.get(occ.pluginName!) ?? {};
    entry[occ.kind] = occ;
    keys.set(occ.pluginName!, entry);
  }
  for (const occ of occurrences) {
    if (occ.kind !== "pluginName") continue;
    const name = occ.value;
    const entry = keys.get(name);
    if (entry?.modulePath && entry.className) continue;
    if (builtinServesPlugin(name)) continue; // LMCache: any(a.can_parse("plugin://" + name))
    const missing = [!entry?.modulePath && "module_path", !entry?.className && "class_name"].filter(Boolean).map((k) => `remote_storage_plugin.${name}.${k}`);
    out.push(diag("pluginKeysMissing", `Remote connector plugin '${name}' is missing adapter module_path or class_name: set ${missing.join(" and ")} in extra_config (LMCache logs a warning and skips the plugin)`,
      subRange(env, occ, 0, occ.value.length)));
  }
  for (const [name, entry] of keys) {
    if (!entry.modulePath) continue;
    const info = checkModulePath(env, entry.modulePath.value, subRange(env, entry.modulePath, 0, entry.modulePath.value.length), out);
    if (info && entry.className) {
      checkClass(env, info, entry.modulePath.value, entry.className.value, subRange(env, entry.className, 0, entry.className.value.length), true, out, name);
    }
  }
  return out;
}
