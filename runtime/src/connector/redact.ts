/**
 * Credential redaction (ours): the ONE place the kit hides passwords. Every URL and error text the
 * kit prints, logs or writes into a report goes through {@link redactSecrets} (or, for a string
 * known to be one URL, {@link redactUrl}); lint messages and hovers use the same functions.
 * A password becomes `***`; the scheme, user name, host, port, path and query stay readable.
 * LMCache itself embeds URLs with their passwords in its messages; the kit's copies of those
 * messages carry the redacted URL instead.
 */

/** The text placed where a password was. */
export const REDACTED = "***";

/**
 * `netloc` with the password of its userinfo replaced, as Python's `urlparse` splits it: the
 * userinfo ends at the LAST `@`, the password starts after the FIRST `:` of the userinfo.
 */
function redactNetloc(netloc: string): string {
  const at = netloc.lastIndexOf("@");
  if (at < 0) return netloc;
  const colon = netloc.indexOf(":");
  if (colon < 0 || colon > at) return netloc;
  return netloc.slice(0, colon + 1) + REDACTED + netloc.slice(at);
}

/**
 * The URL with its password (if any) replaced by `***` (the netloc ends at `/`, `?` or `#`, as in
 * `urlsplit`). A URL without `://` (`admin:pw@db:6379`, which LMCache rejects as "missing scheme"
 * while printing it) is read as if its netloc started at the beginning.
 */
export function redactUrl(url: string): string {
  const schemeEnd = url.indexOf("://");
  const netlocStart = schemeEnd < 0 ? 0 : schemeEnd + 3;
  const rest = url.slice(netlocStart);
  const netlocLen = rest.search(/[/?#]/);
  const netloc = netlocLen < 0 ? rest : rest.slice(0, netlocLen);
  return url.slice(0, netlocStart) + redactNetloc(netloc) + rest.slice(netloc.length);
}

/**
 * Where a URL's netloc ends inside free text: `urlsplit`'s delimiters and whitespace. Not at a
 * quote: a password may hold one (`u:a"b@h`), and ending early would show it; running on to a
 * later `@` only masks more text than needed.
 */
const NETLOC_END_IN_TEXT = /[/?#\s]/;

/**
 * `text` with the password of every `scheme://user:password@host…` in it replaced by `***`.
 * `knownUrls` (the run's URL, the URL a message is about) are replaced first as whole strings,
 * which also covers a password holding characters that end a URL in free text (a space, a quote).
 * Cheap when there is nothing to do (no `@`: returned as is), so it may sit on logging paths.
 */
export function redactSecrets(text: string, knownUrls: readonly string[] = []): string {
  if (!text.includes("@")) return text;
  let out = text;
  for (const url of knownUrls) {
    const safe = redactUrl(url);
    if (safe !== url) out = out.split(url).join(safe);
  }
  let from = 0;
  let result = "";
  for (let i = out.indexOf("://"); i >= 0; i = out.indexOf("://", i + 3)) {
    const start = i + 3;
    const len = out.slice(start).search(NETLOC_END_IN_TEXT);
    const end = len < 0 ? out.length : start + len;
    const netloc = out.slice(start, end);
    const safe = redactNetloc(netloc);
    if (safe !== netloc) {
      result += out.slice(from, start) + safe;
      from = end;
    }
  }
  return from === 0 ? out : result + out.slice(from);
}

/** Replaces every occurrence of `url` in `text` by its redacted form (and any other URL's password). */
export function redactIn(text: string, url: string): string {
  return redactSecrets(text, [url]);
}

/** `JSON.stringify(value, null, 2)` with every string (values and keys' values) passed through {@link redactSecrets}. */
export function redactedJson(value: unknown, knownUrls: readonly string[] = []): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "string" ? redactSecrets(v, knownUrls) : v), 2);
}

/** A copy of `value` (plain objects and arrays, as in reports) with `fn` applied to every string; other values kept. */
export function mapStrings<T>(value: T, fn: (s: string) => string): T {
  if (typeof value === "string") return fn(value) as T;
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn)) as T;
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = mapStrings(v, fn);
    return out as T;
  }
  return value;
}

/**
 * A copy of `value` with every string passed through {@link redactSecrets}. For renderers that
 * escape text (JSON, XML) after building it, where a password holding a quote would slip past a
 * scan of the output.
 */
export function redactStrings<T>(value: T, knownUrls: readonly string[] = []): T {
  return mapStrings(value, (s) => redactSecrets(s, knownUrls));
}
