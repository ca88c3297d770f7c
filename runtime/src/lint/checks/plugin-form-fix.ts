/**
 * Quick fix (ours) for LMC018: rewrite a YAML `remote_url: external://…` entry into the Remote
 * Storage Plugin Framework form LMCache recommends:
 *   remote_storage_plugins: ["<name>"]
 *   extra_config:
 *     remote_storage_plugin.<name>.module_path: <module>
 *     remote_storage_plugin.<name>.class_name: <Class>
 * extending existing `remote_storage_plugins` / `extra_config` blocks when present.
 */
import type { Occurrence } from "../occurrences";
import type { LintFix, LintTextEdit } from "../types";
import type { CheckEnv } from "./env";

/** A plugin name derived from the module path's last segment (no dots: dots mean `type.instance`). */
export function pluginNameFor(modulePath: string, taken: readonly string[]): string {
  const base = (modulePath.split(".").pop() || "external").toLowerCase().replace(/[^a-z0-9_]/g, "_") || "external";
  let name = base;
  for (let i = 2; taken.includes(name); i++) name = `${base}_${i}`;
  return name;
}

/** The fix, or null when the YAML layout is one we cannot extend safely. */
export function pluginFormFix(env: CheckEnv, occ: Occurrence, modulePath: string, className: string): LintFix | null {
  const y = env.yaml;
  if (!y || occ.entryStart === undefined || occ.entryEnd === undefined) return null;
  const name = pluginNameFor(modulePath, env.declaredPlugins ?? []);
  const entryText = env.lines.text.slice(occ.entryStart, occ.entryEnd);
  const trailing = entryText.endsWith("\n") ? "\n" : "";
  const keyLines = (indent: string) => [
    `${indent}remote_storage_plugin.${name}.module_path: ${modulePath}`,
    `${indent}remote_storage_plugin.${name}.class_name: ${className}`,
  ];
  const replacement: string[] = [];
  const inserts: { offset: number; text: string }[] = [];
  if (!y.hasPluginsKey) replacement.push(`remote_storage_plugins: ["${name}"]`);
  else if (y.pluginsFlowEnd) inserts.push({ offset: y.pluginsFlowEnd.offset, text: y.pluginsFlowEnd.empty ? `"${name}"` : `, "${name}"` });
  else if (y.pluginsBlockEnd) inserts.push({ offset: y.pluginsBlockEnd.offset, text: `${y.pluginsBlockEnd.indent}- ${name}\n` });
  else return null;
  if (!y.hasExtraConfigKey) replacement.push("extra_config:", ...keyLines("  "));
  else if (y.extraConfigBlockEnd) inserts.push({ offset: y.extraConfigBlockEnd.offset, text: keyLines(y.extraConfigBlockEnd.indent).join("\n") + "\n" });
  else return null;
  let newText = replacement.length ? replacement.join("\n") + trailing : "";
  const edits: LintTextEdit[] = [];
  for (const ins of inserts) {
    if (ins.offset >= occ.entryStart && ins.offset <= occ.entryEnd) newText = ins.text + newText;
    else edits.push({ range: env.lines.range(ins.offset, ins.offset), newText: ins.text });
  }
  edits.push({ range: env.lines.range(occ.entryStart, occ.entryEnd), newText });
  return { title: `Convert to remote_storage_plugins form (plugin '${name}')`, edits };
}
