/**
 * LMCache's `parse_remote_url` (`lmcache/v1/storage_backend/connector/__init__.py`), built on a
 * line-by-line port of CPython 3.11's `urllib.parse.urlsplit` / `urlparse` / `parse_qs` so that
 * every URL parses — or fails — exactly as it would inside LMCache, error texts included.
 */
import { AssertionError, TypeError, ValueError } from "../errors";
import { getLogger } from "../logging";
import { redactUrl } from "./redact";

const logger = getLogger("lmcache.v1.storage_backend.connector");

/** LMCache's `ParsedRemoteURL` dataclass. Absent values are `null` (Python `None`). */
export interface ParsedRemoteURL {
  /** `urlparse(url).hostname`: lower-cased (except an IPv6 zone id), IPv6 brackets stripped. */
  host: string;
  /** `urlparse(url).port`: 0..65535; `0` is allowed (LMCache checks `is not None`). */
  port: number;
  /** The path, NOT percent-decoded; `;params` removed only for Python's `uses_params` schemes. */
  path: string;
  username: string | null;
  password: string | null;
  /** `parse_qs(query)` with `keep_blank_values=False`: blank values and bare keys are dropped. */
  queryParams: Record<string, string[]>;
}

/** Python's `urllib.parse.SplitResult` (five raw components, nothing decoded). */
export interface PythonSplitResult {
  scheme: string;
  netloc: string;
  path: string;
  query: string;
  fragment: string;
}

/** Python's `urllib.parse.ParseResult` (`urlsplit` plus `;params` split off the last path segment). */
export interface PythonParseResult extends PythonSplitResult {
  params: string;
}

const SCHEME_CHARS = /^[A-Za-z0-9+\-.]*$/;
// Python's `uses_params`: only these schemes get `;params` split off by urlparse ('' = no scheme).
const USES_PARAMS = new Set(["", "ftp", "hdl", "prospero", "http", "imap", "https", "shttp", "rtsp", "rtsps", "rtspu", "sip", "sips", "mms", "sftp", "tel"]);
// _WHATWG_C0_CONTROL_OR_SPACE: stripped from the left only.
const LEADING_C0_OR_SPACE = /^[\x00-\x20]+/;
// _UNSAFE_URL_BYTES_TO_REMOVE: removed everywhere.
const UNSAFE_BYTES = /[\t\r\n]/g;

/**
 * Python's `str.__repr__`: single quotes unless the text holds `'` and no `"`; escapes for
 * backslash, the quote, `\t\n\r`, and `\xhh`/`\uhhhh`/`\Uhhhhhhhh` for non-printable characters.
 * LMCache's error texts embed reprs (`... integer value as 'abc'`), so ours must match byte for byte.
 */
export function pythonStrRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === "\\") out += "\\" + ch;
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (cp < 0x20 || cp === 0x7f) out += "\\x" + hex(cp, 2);
    else if (cp < 0x7f) out += ch;
    else if (isPythonPrintable(ch)) out += ch;
    else if (cp < 0x100) out += "\\x" + hex(cp, 2);
    else if (cp < 0x10000) out += "\\u" + hex(cp, 4);
    else out += "\\U" + hex(cp, 8);
  }
  return out + quote;
}

/** Python's `str(list_of_str)`, e.g. `['a', "b'c"]` — used by LMCache's multi-host error. */
export function pythonStrListRepr(items: readonly string[]): string {
  return "[" + items.map(pythonStrRepr).join(", ") + "]";
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}

// Python's str.isprintable(): false for categories Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs (except ' ').
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;
function isPythonPrintable(ch: string): boolean {
  return ch === " " || !NON_PRINTABLE.test(ch);
}

function isAsciiAlpha(ch: string | undefined): boolean {
  return ch !== undefined && /^[A-Za-z]$/.test(ch);
}

/** Python `_splitnetloc(url, 2)`: the authority ends at the first `/`, `?` or `#`. */
function splitNetloc(url: string, start: number): [string, string] {
  let delim = url.length;
  for (const c of "/?#") {
    const w = url.indexOf(c, start);
    if (w >= 0) delim = Math.min(delim, w);
  }
  return [url.slice(start, delim), url.slice(delim)];
}

/** Python `str.partition(sep)`. */
function partition(s: string, sep: string): [string, string, string] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, "", ""] : [s.slice(0, i), sep, s.slice(i + sep.length)];
}

/** Python `str.rpartition(sep)`. */
function rpartition(s: string, sep: string): [string, string, string] {
  const i = s.lastIndexOf(sep);
  return i < 0 ? ["", "", s] : [s.slice(0, i), sep, s.slice(i + sep.length)];
}

/** `ipaddress.IPv4Address` string validation (3.11: four decimal octets, no leading zeros). */
function isPythonIPv4(s: string): boolean {
  const octets = s.split(".");
  if (octets.length !== 4) return false;
  return octets.every((o) => /^[0-9]{1,3}$/.test(o) && !(o.length > 1 && o[0] === "0") && Number(o) <= 255);
}

/** `ipaddress.IPv6Address` string validation, following CPython 3.11's `_ip_int_from_string`. */
function isPythonIPv6(input: string): boolean {
  const [addr, sep, scope] = partition(input, "%");
  if (sep && (!scope || scope.includes("%"))) return false;
  if (!addr) return false;
  const parts = addr.split(":");
  if (parts.length < 3) return false;
  if (parts[parts.length - 1].includes(".")) {
    const v4 = parts.pop()!;
    if (!isPythonIPv4(v4)) return false;
    parts.push("0", "0"); // two hextets standing in for the IPv4 tail
  }
  if (parts.length > 9) return false;
  let skip: number | null = null;
  for (let i = 1; i < parts.length - 1; i++) {
    if (!parts[i]) {
      if (skip !== null) return false;
      skip = i;
    }
  }
  let hi: number;
  let lo: number;
  if (skip !== null) {
    hi = skip;
    lo = parts.length - skip - 1;
    if (!parts[0]) {
      hi -= 1;
      if (hi) return false;
    }
    if (!parts[parts.length - 1]) {
      lo -= 1;
      if (lo) return false;
    }
    if (8 - (hi + lo) < 1) return false;
  } else {
    if (parts.length !== 8 || !parts[0] || !parts[parts.length - 1]) return false;
    hi = parts.length;
    lo = 0;
  }
  const hextets = [...parts.slice(0, hi), ...parts.slice(parts.length - lo)];
  return hextets.every((h) => /^[0-9a-fA-F]{1,4}$/.test(h));
}

/** Python `urllib.parse._check_bracketed_host`. */
function checkBracketedHost(host: string): void {
  if (host.startsWith("v")) {
    if (!/^v[a-fA-F0-9]+\.[^\n]+$/.test(host)) throw new ValueError("IPvFuture address is invalid");
    return;
  }
  if (isPythonIPv4(host)) throw new ValueError("An IPv4 address cannot be in brackets");
  if (!isPythonIPv6(host)) throw new ValueError(`${pythonStrRepr(host)} does not appear to be an IPv4 or IPv6 address`);
}

/** Python `urllib.parse._checknetloc`: rejects netlocs whose NFKC form smuggles in `/?#@:`. */
function checkNetloc(netloc: string): void {
  if (!netloc || /^[\x00-\x7f]*$/.test(netloc)) return;
  const n = netloc.replace(/[@:#?]/g, "");
  const normalized = n.normalize("NFKC");
  if (n === normalized) return;
  for (const c of "/?#@:") {
    if (normalized.includes(c)) {
      throw new ValueError("netloc '" + netloc + "' contains invalid characters under NFKC normalization");
    }
  }
}

/**
 * CPython 3.11 `urllib.parse.urlsplit(url)`: scheme only if the text before the first `:` starts
 * with an ASCII letter and uses scheme characters (lower-cased); netloc only after `//`; fragment
 * then query split off; nothing decoded. Throws `ValueError` for unbalanced or invalid IPv6 brackets.
 * Exported for the URL linter.
 */
export function urlsplitPython(input: string): PythonSplitResult {
  let url = input.replace(LEADING_C0_OR_SPACE, "").replace(UNSAFE_BYTES, "");
  let scheme = "";
  let netloc = "";
  let query = "";
  let fragment = "";
  const i = url.indexOf(":");
  if (i > 0 && isAsciiAlpha(url[0]) && SCHEME_CHARS.test(url.slice(0, i))) {
    scheme = url.slice(0, i).toLowerCase();
    url = url.slice(i + 1);
  }
  if (url.startsWith("//")) {
    [netloc, url] = splitNetloc(url, 2);
    if (netloc.includes("[") !== netloc.includes("]")) throw new ValueError("Invalid IPv6 URL");
    if (netloc.includes("[") && netloc.includes("]")) {
      checkBracketedHost(partition(partition(netloc, "[")[2], "]")[0]);
    }
  }
  if (url.includes("#")) [url, , fragment] = partition(url, "#");
  if (url.includes("?")) [url, , query] = partition(url, "?");
  checkNetloc(netloc);
  return { scheme, netloc, path: url, query, fragment };
}

/** CPython 3.11 `urllib.parse.urlparse(url)`: `urlsplit` plus `;params` for `uses_params` schemes. */
export function urlparsePython(input: string): PythonParseResult {
  const split = urlsplitPython(input);
  let path = split.path;
  let params = "";
  if (USES_PARAMS.has(split.scheme) && path.includes(";")) {
    const semi = path.includes("/") ? path.indexOf(";", path.lastIndexOf("/")) : path.indexOf(";");
    if (semi >= 0) {
      params = path.slice(semi + 1);
      path = path.slice(0, semi);
    }
  }
  return { ...split, path, params };
}

/** `ParseResult.username` / `.password`: from the text before the LAST `@`, split at its first `:`. */
export function netlocUserinfo(netloc: string): { username: string | null; password: string | null } {
  const [userinfo, haveInfo] = rpartition(netloc, "@");
  if (!haveInfo) return { username: null, password: null };
  const [username, havePassword, password] = partition(userinfo, ":");
  return { username, password: havePassword ? password : null };
}

/** `ParseResult._hostinfo`: raw hostname and port text (port `null` when empty). */
function hostinfo(netloc: string): { hostname: string; port: string | null } {
  const info = rpartition(netloc, "@")[2];
  const [, openBracket, bracketed] = partition(info, "[");
  let hostname: string;
  let port: string;
  if (openBracket) {
    let rest: string;
    [hostname, , rest] = partition(bracketed, "]");
    port = partition(rest, ":")[2];
  } else {
    [hostname, , port] = partition(info, ":");
  }
  return { hostname, port: port ? port : null };
}

/** `ParseResult.hostname`: `null` if empty; lower-cased except an IPv6 zone id after `%`. */
export function netlocHostname(netloc: string): string | null {
  const { hostname } = hostinfo(netloc);
  if (!hostname) return null;
  const [name, percent, zone] = partition(hostname, "%");
  return name.toLowerCase() + percent + zone;
}

/**
 * `ParseResult.port` (CPython 3.11.7): ASCII digits only — `+1`, ` 1`, `1_0`, `-1` and non-ASCII
 * digits are rejected even though `int()` would take them — then range-checked.
 */
export function netlocPort(netloc: string): number | null {
  const { port } = hostinfo(netloc);
  if (port === null) return null;
  if (!/^[0-9]+$/.test(port)) throw new ValueError(`Port could not be cast to integer value as ${pythonStrRepr(port)}`);
  const value = Number(port);
  if (!(value >= 0 && value <= 65535)) throw new ValueError("Port out of range 0-65535");
  return value;
}

/** Python `unquote_to_bytes` on an ASCII run: `%XX` → byte; invalid escapes kept literally. */
function unquoteAsciiRun(run: string): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < run.length; i++) {
    if (run[i] === "%" && /^[0-9a-fA-F]{2}$/.test(run.slice(i + 1, i + 3))) {
      bytes.push(parseInt(run.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(run.charCodeAt(i));
    }
  }
  return Uint8Array.from(bytes);
}

const utf8Replace = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/** Python `urllib.parse.unquote(s)` (UTF-8, errors='replace'): ASCII runs decoded, others kept. */
export function unquotePython(s: string): string {
  if (!s.includes("%")) return s;
  return s.replace(/[\x00-\x7f]+/g, (run) => utf8Replace.decode(unquoteAsciiRun(run)));
}

/**
 * Python 3.11 `parse_qs(qs)` with defaults: split on `&` only (`;` is NOT a separator since
 * 3.9.2/3.10), empty fields and bare keys dropped, blank values dropped, `+` → space, then
 * percent-decoding of names and values; repeated keys accumulate in order.
 */
export function parseQsPython(qs: string): Record<string, string[]> {
  const result: Record<string, string[]> = Object.create(null);
  if (!qs) return result;
  for (const field of qs.split("&")) {
    if (!field) continue;
    const eq = field.indexOf("=");
    if (eq < 0) continue;
    const rawValue = field.slice(eq + 1);
    if (!rawValue.length) continue;
    const name = unquotePython(field.slice(0, eq).replace(/\+/g, " "));
    const value = unquotePython(rawValue.replace(/\+/g, " "));
    (result[name] ??= []).push(value);
  }
  return result;
}

/**
 * LMCache's `parse_remote_url(url)`: `urlparse`, then username, password, hostname and port (the
 * port getter may raise `ValueError` before the host is checked), then `parse_qs` of a non-empty
 * query, then the `assert`s. Throws (with LMCache's/Python's `.name` and text):
 * - `ValueError("Invalid IPv6 URL")` and friends from `urlsplit`;
 * - `ValueError("Port could not be cast to integer value as 'abc'")` / `ValueError("Port out of range 0-65535")`;
 * - `AssertionError("Invalid URL <url>: missing host")` / `AssertionError("Invalid URL <url>: missing port")`
 *   (ours: `<url>` with its password redacted, `redactUrl`; LMCache prints it whole).
 * LMCache's docstring promises multi-host support and `ValueError`; its code has neither, nor do we.
 */
export function parseRemoteUrl(url: string): ParsedRemoteURL {
  if (typeof url !== "string") throw new TypeError(`parse_remote_url expects a str URL, got ${typeof url}`);
  logger.debug(`Parsing remote URL: ${redactUrl(url)}`);
  const parsed = urlparsePython(url);
  const { username, password } = netlocUserinfo(parsed.netloc);
  const host = netlocHostname(parsed.netloc);
  const port = netlocPort(parsed.netloc);
  const path = parsed.path ? parsed.path : "";
  const queryParams = parsed.query ? parseQsPython(parsed.query) : {};
  if (host === null) throw new AssertionError(`Invalid URL ${redactUrl(url)}: missing host`);
  if (port === null) throw new AssertionError(`Invalid URL ${redactUrl(url)}: missing port`);
  return { host, port, path, username, password, queryParams: { ...queryParams } };
}

/** Username/password of a URL as Python's `urlparse` reads them (null when absent or unparsable). */
export function urlCredentials(url: string): { username: string | null; password: string | null } {
  // cheap pre-check: without '@' there is no userinfo
  if (!url.includes("@")) return { username: null, password: null };
  try {
    return netlocUserinfo(urlsplitPython(url).netloc);
  } catch {
    return { username: null, password: null };
  }
}
