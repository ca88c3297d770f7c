/**
 * Checks one connector URL the way LMCache would treat it. The verdict on the URL's syntax comes
 * from the runtime's own parser (`parseExternalUrl` / `parseRemoteUrl`), never re-implemented:
 * the linter reports exactly the errors the runtime throws, with LMCache's messages (passwords
 * redacted), and only adds ranges, fixes and the static module/class checks.
 */
import { parseExternalUrl } from "../../connector/external-url";
import { parseQsPython, parseRemoteUrl, pythonStrRepr, urlsplitPython } from "../../connector/url";
import type { Occurrence } from "../occurrences";
import type { LintDiagnostic, LintFix } from "../types";
import type { LintCodeKey } from "../codes";
import { builtinServesPlugin, extractPluginType, suggestScheme } from "./schemes";
import { upstreamSchemeFor, type UpstreamScheme } from "../../connector/upstream-schemes";
import { analyzeMemo, checkClass, checkModulePath, connectorClassNames, resolveMemo } from "./module-checks";
import { diag, insertionRange, subRange, type CheckEnv } from "./env";
import { redactIn } from "../../connector/redact";
import { urlCredentials } from "../../connector/url";
import { pluginFormFix } from "./plugin-form-fix";

/** Offsets of a URL's parts (raw text, as `urlsplit` cuts it). */
export interface UrlParts {
  schemeEnd: number;
  netlocStart: number;
  netlocEnd: number;
  pathEnd: number;
  queryStart: number;
  queryEnd: number;
}

/** Cuts a `scheme://…` URL into part offsets (null without `://`). */
export function urlParts(url: string): UrlParts | null {
  const schemeEnd = url.indexOf("://");
  if (schemeEnd < 0) return null;
  const netlocStart = schemeEnd + 3;
  const find = (chars: string, from: number) => {
    for (let i = from; i < url.length; i++) if (chars.includes(url[i])) return i;
    return url.length;
  };
  const netlocEnd = find("/?#", netlocStart);
  const pathEnd = find("?#", netlocEnd);
  const queryStart = url[pathEnd] === "?" ? pathEnd + 1 : -1;
  const queryEnd = queryStart < 0 ? pathEnd : find("#", queryStart);
  return { schemeEnd, netlocStart, netlocEnd, pathEnd, queryStart, queryEnd };
}

/** Which code an error from `parseExternalUrl` maps to. */
export function classifyParserError(message: string): LintCodeKey {
  if (message.startsWith("Only one host is supported")) return "multipleHosts";
  if (message.endsWith(": missing host")) return "missingHost";
  if (message.endsWith(": missing port")) return "missingPort";
  if (message.startsWith("Port ")) return "invalidPort";
  if (message.includes("'connector_name'")) return "missingConnectorName";
  if (message === "Empty module name") return "emptyModulePath";
  if (message.includes("relative import")) return "notDottedPath";
  return "malformedUrl";
}

/** parseExternalUrl is pure in its input: memoise outcomes by URL text (bounded). */
const parsedMemo = new Map<string, { ok: ReturnType<typeof parseExternalUrl> } | { error: Error }>();
function parseExternalMemo(url: string): ReturnType<typeof parseExternalUrl> {
  let hit = parsedMemo.get(url);
  if (!hit) {
    try {
      hit = { ok: parseExternalUrl(url) };
    } catch (error) {
      hit = { error: error as Error };
    }
    if (parsedMemo.size > 5000) parsedMemo.clear();
    parsedMemo.set(url, hit);
  }
  if ("error" in hit) throw hit.error;
  return hit.ok;
}

const stripSlashes = (s: string) => s.replace(/^\/+|\/+$/g, "");

/** Lints one URL occurrence. */
export function checkUrl(env: CheckEnv, occ: Occurrence): LintDiagnostic[] {
  const url = occ.value;
  const out: LintDiagnostic[] = [];
  const whole = subRange(env, occ, 0, url.length);
  // urlsplit strips leading C0/space and drops tab/CR/LF, so our offsets only hold for clean URLs.
  const clean = !/^[\x00-\x20]|[\t\r\n]/.test(url);
  const o: Occurrence = clean ? occ : { ...occ, exact: false };
  const parts = urlParts(url);

  if (!parts) {
    const message = `Invalid remote url ${url}: missing scheme`;
    out.push(diag("missingScheme", redactIn(message, url), whole, [], { name: "ValueError", message: redactIn(message, url) }));
    return out;
  }
  checkCredentials(env, o, parts, out);

  if (url.startsWith("plugin://")) {
    if (!checkLegacyPluginUrl(env, o, parts, out)) checkPluginUrl(env, o, out);
    return out;
  }
  const upstream = upstreamSchemeFor(url);
  if (!upstream) {
    const message = `No adapter found for URL: ${url}`;
    const scheme = url.slice(0, parts.schemeEnd);
    const suggestion = suggestScheme(scheme);
    const schemeRange = subRange(env, o, 0, parts.schemeEnd + 3);
    const fixes: LintFix[] = [];
    let hint = "";
    if (suggestion) {
      const caseOnly = suggestion.slice(0, -3) === scheme.toLowerCase();
      hint = caseOnly
        ? ` (adapter schemes are case-sensitive: did you mean '${suggestion}'?)`
        : ` (did you mean '${suggestion}'?)`;
      if (o.exact) fixes.push({ title: caseOnly ? `Fix the scheme's case: '${suggestion}'` : `Change the scheme to '${suggestion}'`, edits: [{ range: schemeRange, newText: suggestion }] });
    }
    out.push(diag("noAdapter", redactIn(message, url) + hint, schemeRange, fixes, { name: "ValueError", message: redactIn(message, url) }));
    return out;
  }
  if (url.startsWith("external://")) checkExternalUrl(env, o, parts, out);
  else if (upstream.validate) checkUpstreamUrl(env, o, parts, upstream.validate, out);
  return out;
}

/**
 * The URL rules of the LMCache adapter that claims the URL (`upstream-schemes.ts`): the error it
 * would raise becomes a diagnostic. Rules that depend on `extra_config` stay quiet here (the
 * linter does not know the config a URL runs under).
 */
function checkUpstreamUrl(
  env: CheckEnv,
  occ: Occurrence,
  parts: UrlParts,
  validate: NonNullable<UpstreamScheme["validate"]>,
  out: LintDiagnostic[],
): void {
  try {
    validate(occ.value, { extraConfig: undefined });
  } catch (error) {
    out.push(parserDiagnostic(env, occ, parts, error as Error, false));
  }
}

function checkCredentials(env: CheckEnv, occ: Occurrence, parts: UrlParts, out: LintDiagnostic[]): void {
  const { username, password } = urlCredentials(occ.value);
  if (password === null) return;
  const at = occ.value.lastIndexOf("@", parts.netlocEnd - 1);
  const range = subRange(env, occ, parts.netlocStart, at >= parts.netlocStart ? at : parts.netlocEnd);
  out.push(diag("credentialsInUrl", `URL carries credentials (user ${pythonStrRepr(username ?? "")}, password ***): they end up in logs and error messages; pass them through extra_config or the environment instead`, range));
}

/**
 * A `plugin://` URL given as LMCache configuration (`remote_url`, `LMCACHE_REMOTE_URL`) takes the
 * legacy RemoteBackend path, which calls `CreateConnector` WITHOUT a plugin name: a built-in
 * adapter then reads its settings from the URL (fs: the path) and fails as LMCache does. True
 * when a diagnostic was added.
 */
function checkLegacyPluginUrl(env: CheckEnv, occ: Occurrence, parts: UrlParts, out: LintDiagnostic[]): boolean {
  if (!occ.fromConfig) return false;
  const validate = upstreamSchemeFor(occ.value)?.validate;
  if (!validate) return false;
  try {
    validate(occ.value, { extraConfig: undefined });
    return false;
  } catch (error) {
    const d = parserDiagnostic(env, occ, parts, error as Error, false);
    d.message += " (remote_url takes LMCache's legacy path, which passes no plugin name; list the plugin in remote_storage_plugins and drop remote_url)";
    out.push(d);
    return true;
  }
}

function checkPluginUrl(env: CheckEnv, occ: Occurrence, out: LintDiagnostic[]): void {
  const declared = env.declaredPlugins ?? env.ctx.remoteStoragePlugins ?? (occ.fromConfig ? [] : null);
  if (declared === null) return;
  const url = occ.value;
  const type = extractPluginType(url.slice("plugin://".length));
  const known = [...new Set([...declared, ...(env.ctx.remoteStoragePlugins ?? [])])];
  const matches = builtinServesPlugin(url.slice("plugin://".length)) || known.some((p) => {
    const t = extractPluginType(p);
    return url.startsWith("plugin://" + t) || t === type;
  });
  if (matches) return;
  const message = `No adapter found for URL: ${url}`;
  const list = known.length ? `declared: ${known.map((p) => `'${p}'`).join(", ")}` : "none declared";
  out.push(diag("unknownPlugin", `${redactIn(message, url)} (no remote_storage_plugins entry of type '${type}'; ${list})`,
    subRange(env, occ, "plugin://".length, url.length), [], { name: "ValueError", message: redactIn(message, url) }));
}

function checkExternalUrl(env: CheckEnv, occ: Occurrence, parts: UrlParts, out: LintDiagnostic[]): void {
  const url = occ.value;
  let parsed: ReturnType<typeof parseExternalUrl>;
  try {
    parsed = parseExternalMemo(url);
  } catch (error) {
    const e = error as Error;
    out.push(parserDiagnostic(env, occ, parts, e));
    return;
  }
  const query = parts.queryStart < 0 ? "" : url.slice(parts.queryStart, parts.queryEnd);
  const names = parseQsPython(query)["connector_name"] ?? [];
  if (names.length > 1) {
    const second = nthFieldStart(query, "connector_name", 1);
    const start = parts.queryStart + (second < 0 ? 0 : second);
    out.push(diag("duplicateConnectorName", `connector_name is given ${names.length} times; LMCache uses the first ('${names[0]}') and ignores ${names.slice(1).map((n) => `'${n}'`).join(", ")}`,
      subRange(env, occ, start, second < 0 ? parts.queryEnd : fieldEnd(url, start, parts.queryEnd))));
  }
  const fix = pluginFormFix(env, occ, parsed.modulePath, parsed.connectorName);
  out.push(diag("externalDeprecated", "External connector is due for deprecation in release v0.5.0. Please use the Remote Storage Plugin Framework instead (remote_storage_plugins + remote_storage_plugin.<name>.module_path/class_name).",
    subRange(env, occ, 0, "external://".length), fix ? [fix] : []));

  const pathRange = subRange(env, occ, parts.netlocEnd, parts.pathEnd);
  const info = checkModulePath(env, parsed.modulePath, pathRange, out);
  if (!info) return;
  const nameStart = nthValueStart(url, parts, 0);
  const nameRange = nameStart < 0 ? subRange(env, occ, parts.queryStart, parts.queryEnd) : subRange(env, occ, nameStart, fieldEnd(url, nameStart, parts.queryEnd));
  checkClass(env, info, parsed.modulePath, parsed.connectorName, nameRange, false, out);
}

/** Offset (in the query) of the n-th non-blank `key=` field, or -1. */
function nthFieldStart(query: string, key: string, n: number): number {
  let pos = 0;
  let seen = 0;
  for (const field of query.split("&")) {
    const eq = field.indexOf("=");
    if (eq >= 0 && field.slice(0, eq) === key && eq + 1 < field.length) {
      if (seen++ === n) return pos;
    }
    pos += field.length + 1;
  }
  return -1;
}

/** URL offset of the n-th non-blank `connector_name` value, or -1. */
function nthValueStart(url: string, parts: UrlParts, n: number): number {
  if (parts.queryStart < 0) return -1;
  const at = nthFieldStart(url.slice(parts.queryStart, parts.queryEnd), "connector_name", n);
  return at < 0 ? -1 : parts.queryStart + at + "connector_name=".length;
}

function fieldEnd(url: string, from: number, limit: number): number {
  const amp = url.indexOf("&", from);
  return amp < 0 || amp > limit ? limit : amp;
}

/** Turns an error thrown by the runtime parser into a diagnostic with a precise range and fixes. */
function parserDiagnostic(env: CheckEnv, occ: Occurrence, parts: UrlParts, error: Error, external = true): LintDiagnostic {
  const url = occ.value;
  const raises = { name: error.name, message: redactIn(error.message, url) };
  const message = redactIn(error.message, url);
  const key = classifyParserError(error.message);
  const netloc = url.slice(parts.netlocStart, parts.netlocEnd);
  const netlocRange = netloc ? subRange(env, occ, parts.netlocStart, parts.netlocEnd) : subRange(env, occ, 0, parts.netlocStart);
  switch (key) {
    case "multipleHosts": {
      const comma = url.indexOf(",");
      return diag(key, message, subRange(env, occ, comma, comma < parts.netlocEnd ? parts.netlocEnd : url.length), [], raises);
    }
    case "missingHost":
      return diag(key, message, netlocRange, [], raises);
    case "missingPort": {
      const at = insertionRange(env, occ, parts.netlocEnd);
      const text = netloc.endsWith(":") ? "0" : ":0";
      const fixes = external && at && netloc ? [{ title: "Add port ':0' (external connectors ignore the port)", edits: [{ range: at, newText: text }] }] : [];
      return diag(key, message, netlocRange, fixes, raises);
    }
    case "invalidPort": {
      const hostinfoStart = parts.netlocStart + netloc.lastIndexOf("@") + 1;
      const info = url.slice(hostinfoStart, parts.netlocEnd);
      const close = info.startsWith("[") ? info.indexOf("]") : -1;
      const colon = info.indexOf(":", close < 0 ? 0 : close);
      const portStart = colon < 0 ? parts.netlocStart : hostinfoStart + colon + 1;
      return diag(key, message, subRange(env, occ, portStart, parts.netlocEnd), [], raises);
    }
    case "missingConnectorName":
      return diag(key, message, parts.queryStart < 0 || parts.queryStart === parts.queryEnd ? subRange(env, occ, 0, url.length) : subRange(env, occ, parts.queryStart, parts.queryEnd), connectorNameFixes(env, occ, parts), raises);
    case "emptyModulePath":
    case "notDottedPath":
      return diag(key, message, parts.pathEnd > parts.netlocEnd ? subRange(env, occ, parts.netlocEnd, parts.pathEnd) : subRange(env, occ, 0, url.length), [], raises);
    default:
      return diag(key, message, subRange(env, occ, 0, url.length), [], raises);
  }
}

/** One fix per class the module defines: insert or complete `connector_name=<Class>`. */
function connectorNameFixes(env: CheckEnv, occ: Occurrence, parts: UrlParts): LintFix[] {
  const url = occ.value;
  let modulePath: string;
  try {
    modulePath = stripSlashes(parseRemoteUrl(url).path);
  } catch {
    return [];
  }
  const file = modulePath ? resolveMemo(env, modulePath) : null;
  const info = file ? analyzeMemo(env, file) : null;
  if (!info) return [];
  const query = parts.queryStart < 0 ? "" : url.slice(parts.queryStart, parts.queryEnd);
  // `connector_name=` with a blank value: complete it; otherwise add a field.
  const blank = /(^|&)connector_name=(?=&|$)/.exec(query);
  let at: number;
  let prefix: string;
  if (blank) {
    at = parts.queryStart + blank.index + blank[0].length;
    prefix = "";
  } else if (parts.queryStart < 0) {
    at = parts.pathEnd;
    prefix = "?connector_name=";
  } else {
    at = parts.queryEnd;
    prefix = query ? "&connector_name=" : "connector_name=";
  }
  const range = insertionRange(env, occ, at);
  if (!range) return [];
  return connectorClassNames(info).map((name) => ({ title: `Add connector_name=${name}`, edits: [{ range, newText: prefix + name }] }));
}
