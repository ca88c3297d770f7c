/** Credential redaction for messages and hovers (ours): passwords never appear in full. */
import { netlocUserinfo, urlsplitPython } from "../../connector/url";

/** The URL with its password (if any) replaced by `***`. */
export function redactUrl(url: string): string {
  const schemeEnd = url.indexOf("://");
  if (schemeEnd < 0) return url;
  const netlocStart = schemeEnd + 3;
  const rest = url.slice(netlocStart);
  const netlocLen = rest.search(/[/?#]/);
  const netloc = netlocLen < 0 ? rest : rest.slice(0, netlocLen);
  const at = netloc.lastIndexOf("@");
  if (at < 0) return url;
  const colon = netloc.indexOf(":");
  if (colon < 0 || colon > at) return url;
  return url.slice(0, netlocStart + colon + 1) + "***" + url.slice(netlocStart + at);
}

/** Replaces every occurrence of `url` in `text` by its redacted form. */
export function redactIn(text: string, url: string): string {
  const safe = redactUrl(url);
  return safe === url ? text : text.split(url).join(safe);
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
