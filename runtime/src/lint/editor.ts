/**
 * Helpers for the VS Code extension (ours): hover text, completions and document links, all pure
 * and built on the same scanners and runtime parsers as {@link lintDocument}.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseExternalUrl } from "../connector/external-url";
import { parseRemoteUrl } from "../connector/url";
import { MODULE_EXTENSIONS } from "../loader/resolve";
import { classVerdict, type ModuleInfo } from "./modules/module-info";
import { pythonClassVerdict } from "./checks/python-connector-checks";
import { connectorClassNames, moduleInfoFor } from "./checks/module-checks";
import { moduleRoots, resolveConnectorModule } from "./modules/resolve";
import { redactUrl } from "../connector/redact";
import { classifyModuleName } from "../loader/module-name";
import { scanDocument } from "./linter";
import { LineIndex } from "./positions";
import { urlParts } from "./checks/url-checks";
import type { LintContext, LintDocument, LintRange } from "./types";

/** Parsed view of a URL for a hover. Passwords are redacted (`***`). */
export interface UrlDescription {
  /** The URL with its password redacted. */
  url: string;
  scheme: string | null;
  host: string | null;
  port: number | null;
  path: string | null;
  username: string | null;
  /** `"***"` when the URL carries a password, else null. */
  password: string | null;
  queryParams: Record<string, string[]>;
  /** For `external://`: the module path, class, resolved module file and whether the class is a connector. */
  modulePath?: string;
  connectorName?: string;
  moduleFile?: string | null;
  classKind?: "remote-connector" | "connector-adapter" | "none" | "unknown" | "missing";
  /** The error LMCache would raise for this URL's syntax, if any. */
  error?: { name: string; message: string };
  /** Markdown summary for a hover. */
  markdown: string;
}

/** Describes a URL for a hover: parsed parts, the resolved module file, credentials redacted. */
export function describeUrl(url: string, ctx: LintContext): UrlDescription {
  const safe = redactUrl(url);
  const d: UrlDescription = { url: safe, scheme: null, host: null, port: null, path: null, username: null, password: null, queryParams: {}, markdown: "" };
  const schemeEnd = url.indexOf("://");
  d.scheme = schemeEnd < 0 ? null : url.slice(0, schemeEnd);
  try {
    const p = parseRemoteUrl(url);
    Object.assign(d, { host: p.host, port: p.port, path: p.path, username: p.username, password: p.password === null ? null : "***", queryParams: p.queryParams });
  } catch (e) {
    if (!url.startsWith("external://")) d.error = { name: (e as Error).name, message: (e as Error).message.split(url).join(safe) };
  }
  if (url.startsWith("external://")) {
    try {
      const ext = parseExternalUrl(url);
      d.modulePath = ext.modulePath;
      d.connectorName = ext.connectorName;
      d.moduleFile = resolveConnectorModule(ext.modulePath, ctx);
      const info = d.moduleFile ? moduleInfoFor(ext.modulePath, ctx) : null;
      d.classKind = !info ? undefined : info.python ? pythonClassKind(info, ext.modulePath, ext.connectorName, ctx)
        : info.classes.has(ext.connectorName) ? classVerdict(info, ext.connectorName).baseKind : "missing";
    } catch (e) {
      d.error = { name: (e as Error).name, message: (e as Error).message.split(url).join(safe) };
    }
  }
  const rows = [
    `**${d.scheme ?? "(no scheme)"}** connector URL \`${safe}\``,
    d.host !== null ? `- host: \`${d.host}\`, port: \`${d.port}\`` : "",
    d.username !== null ? `- user: \`${d.username}\`, password: ${d.password ?? "none"}` : "",
    d.modulePath ? `- module: \`${d.modulePath}\` → ${d.moduleFile ? `\`${path.relative(ctx.cwd, d.moduleFile)}\`` : "not found"}` : "",
    d.connectorName ? `- class: \`${d.connectorName}\`${d.classKind ? ` (${d.classKind})` : ""}` : "",
    d.error ? `- LMCache raises \`${d.error.name}: ${d.error.message}\`` : "",
  ];
  d.markdown = rows.filter(Boolean).join("\n");
  return d;
}

/** A Python class's kind through its MRO across modules (what the checks see). */
function pythonClassKind(info: ModuleInfo, modulePath: string, className: string, ctx: LintContext): UrlDescription["classKind"] {
  // the plugin role tells adapters from connectors; the kind does not depend on the role otherwise
  const v = pythonClassVerdict({ ctx, resolved: new Map(), modules: new Map() }, info, modulePath, className, "plugin");
  if (v.kind === "connector") return "remote-connector";
  if (v.kind === "adapter") return "connector-adapter";
  if (v.kind === "neither") return "none";
  return v.kind === "unknown" || info.python!.bindings.has(className) || v.raises ? "unknown" : "missing";
}

/** Class names to offer after `connector_name=` for a module path (connector classes first). */
export function completeConnectorNames(modulePath: string, ctx: LintContext): string[] {
  const info = moduleInfoFor(modulePath, ctx);
  return info ? connectorClassNames(info, true) : [];
}

const MODULE_FILE = new RegExp(`(?:${[...MODULE_EXTENSIONS, ".py"].map((e) => e.replace(".", "\\.")).join("|")})$`);

/**
 * Dotted module paths starting with `prefix` (e.g. `pkg.` → `pkg.conn`, `pkg.sub`) found under the
 * module roots; skips node_modules, dot-directories and declaration files.
 */
export function completeModulePaths(prefix: string, ctx: LintContext): string[] {
  const dot = prefix.lastIndexOf(".");
  const parent = dot < 0 ? [] : prefix.slice(0, dot).split(".");
  const stem = prefix.slice(dot + 1);
  const out = new Set<string>();
  // the parent must be a module name (identifiers): `a/../../x.` must not list a folder outside the roots
  if (parent.length && classifyModuleName(parent.join(".")).kind !== "dotted") return [];
  for (const root of moduleRoots(ctx)) {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(root, ...parent), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (e.name.startsWith(".") || e.name === "node_modules" || e.name.endsWith(".d.ts") || e.name === "__pycache__") continue;
      let name: string | null = null;
      if (e.isDirectory()) name = e.name;
      else if (MODULE_FILE.test(e.name)) name = e.name.replace(/\.[^.]+$/, "");
      if (!name || name === "index" || name === "__init__" || !/^[A-Za-z_]\w*$/.test(name) || !name.startsWith(stem)) continue;
      out.add([...parent, name].join("."));
    }
  }
  return [...out].sort();
}

/** A link from a module path in a document to the file it resolves to. */
export interface UrlLink {
  range: LintRange;
  modulePath: string;
  target: string;
}

/** Ranges of module paths (in `external://` URLs and plugin `module_path` keys) that resolve to a file. */
export function findUrlLinks(doc: LintDocument, ctx: LintContext): UrlLink[] {
  const { scan } = scanDocument(doc);
  const lines = new LineIndex(doc.text);
  const links: UrlLink[] = [];
  for (const occ of scan.occurrences) {
    let modulePath: string | null = null;
    let start = occ.start;
    let end = occ.end;
    if (occ.kind === "modulePath") modulePath = occ.value;
    else if (occ.kind === "url" && occ.value.startsWith("external://")) {
      const parts = urlParts(occ.value);
      if (!parts) continue;
      const raw = occ.value.slice(parts.netlocEnd, parts.pathEnd);
      modulePath = raw.replace(/^\/+|\/+$/g, "");
      if (occ.exact) {
        start = occ.start + parts.netlocEnd + (raw.length - raw.replace(/^\/+/, "").length);
        end = start + modulePath.length;
      }
    }
    if (!modulePath) continue;
    const target = resolveConnectorModule(modulePath, ctx);
    if (target) links.push({ range: lines.range(start, end), modulePath, target });
  }
  return links;
}
