/**
 * The steps LMCache's `ExternalConnectorAdapter.create_connector` takes BEFORE it imports the
 * connector module (`lmcache/v1/storage_backend/connector/external_adapter.py`), with its checks
 * in its order and its error texts.
 */
import { TypeError, ValueError } from "../errors";
import { redactUrl } from "./redact";
import { parseRemoteUrl, pythonStrListRepr, pythonStrRepr } from "./url";

/** What `external://host:port/<module_path>/?connector_name=<Class>` names. */
export interface ParsedExternalURL {
  host: string;
  port: number;
  /** `parsed.path.strip("/")`: dotted Python-style module path, inner slashes kept, not decoded. */
  modulePath: string;
  /** The FIRST `connector_name` query value. */
  connectorName: string;
}

/**
 * Parses an `external://` URL exactly as LMCache's external adapter does before importing:
 * 1. a comma ANYWHERE in the URL (path and query included) →
 *    `ValueError("Only one host is supported for external connector, but got ['a', 'b']")`
 *    (the list rendered like Python's `str(list)`);
 * 2. `parse_remote_url` errors (host and port are mandatory; `:0` is fine);
 * 3. `module_path = path.strip("/")`;
 * 4. missing/blank `connector_name` →
 *    `ValueError("External connector requires 'connector_name' in query parameters")`.
 * Then the two failures `importlib.import_module(module_path)` raises before searching any file,
 * which LMCache does not wrap (they are not `ImportError`s): an empty module path →
 * `ValueError("Empty module name")`, and a leading `.` →
 * `TypeError("the 'package' argument is required to perform a relative import for '.x'")`.
 */
export function parseExternalUrl(url: string): ParsedExternalURL {
  const hosts = url.split(",");
  if (hosts.length > 1) {
    // ours: the pieces of the redacted URL (LMCache prints the password)
    throw new ValueError(`Only one host is supported for external connector, but got ${pythonStrListRepr(redactUrl(url).split(","))}`);
  }
  const parsed = parseRemoteUrl(url);
  const modulePath = stripChars(parsed.path, "/");
  const connectorName = (parsed.queryParams["connector_name"] ?? [""])[0];
  if (!connectorName) {
    throw new ValueError("External connector requires 'connector_name' in query parameters");
  }
  if (modulePath.startsWith(".")) {
    throw new TypeError(`the 'package' argument is required to perform a relative import for ${pythonStrRepr(modulePath)}`);
  }
  if (!modulePath) throw new ValueError("Empty module name");
  return { host: parsed.host, port: parsed.port, modulePath, connectorName };
}

/** Python `str.strip(chars)`. */
function stripChars(s: string, chars: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && chars.includes(s[start])) start++;
  while (end > start && chars.includes(s[end - 1])) end--;
  return s.slice(start, end);
}
