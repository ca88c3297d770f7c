import { redactIn, redactUrl } from "../../src/connector/redact";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseRemoteUrl, pythonStrListRepr, pythonStrRepr, urlsplitPython } from "../../src/connector/url";
import { parseExternalUrl } from "../../src/connector/external-url";
import { outcomeOf, runPythonOracle } from "./python-oracle";

const piece = (...xs: string[]) => fc.constantFrom(...xs);
const noise = fc
  .array(piece("a", "Z", ":", "/", "@", "?", "#", "&", "=", ";", ",", "%", "%2", "%20", "+", "[", "]", " ", ".", "0", "9", "٣", "é", "\t"), { maxLength: 4 })
  .map((xs) => xs.join(""));

/** URLs assembled from the tricky pieces LMCache URLs are made of, plus a little noise. */
const trickyUrl = fc
  .tuple(
    piece("external:", "fs:", "http:", "HTTP:", "Ext+1.-:", "1a:", "plugin:", "redis-sentinel:", "", " external:", "\u0001mock:", "a_b:"),
    piece("//", "", "/", "///", "//\t"),
    piece("", "u@", "u:p@", "U:@", "a@b@", ":p@", "%40@", "u:p:q@", "[u@"),
    piece("host", "HOST", "", "[::1]", "[::1", "::1]", "[v1.x]", "[V1.x]", "[1.2.3.4]", "[fe80::1%25eth0]", "[FE80::A]", "h.example", "100", "é", "[xyz]", "[::ffff:1.2.3.4]", "[1:2:3:4:5:6:7::]", "[::1::2]", "host]", "ﬁ"),
    piece(":0", ":", ":1", ":abc", ":99999", ":-1", ":+1", ": 1", ":٣", ":1_0", ":65535", ":65536", ":007", ":0:1", "", ":1 "),
    piece("", "/", "/mod.path", "/a%2Eb/", "//a.b//", "/a;p", "/a;p/b;q", "/x,y", "/%zz", "/.rel/", "/pkg.mod/"),
    piece("", "?", "?connector_name=A", "?connector_name=A&connector_name=B", "?connector_name=", "?connector_name", "?a=1;b=2", "?a=+b%20c", "?%E2%82%AC=%C3", "?=v", "?&&a=1&", "?k=%ZZ", "?a=b=c", "?c,d=1", "?connector_name=%41%e2%82", "?connector_name=X&connector_name="),
    piece("", "#", "#frag", "#a?b=c", "#x,y"),
    noise,
    fc.nat(8),
  )
  .map(([scheme, slashes, user, host, port, path, query, frag, extra, at]) => {
    const url = scheme + slashes + user + host + port + path + query + frag;
    const cut = Math.min(at * 4, url.length);
    return url.slice(0, cut) + extra + url.slice(cut);
  });

const urls = fc.sample(trickyUrl, { seed: 20260126, numRuns: 3000 });

// The reference's own examples (lmcache-contract.md §1.1, §1.2).
const referenceExamples = [
  "external://host:0/external_log_connector.lmc_external_log_connector/?connector_name=ExternalLogConnector",
  "external://HOST:0/m/?connector_name=A&connector_name=B",
  "external://[::1]:0/m/?connector_name=X",
  "external://host:abc/m/?connector_name=X",
  "external://host:99999/m/?connector_name=X",
  "external://host/m/?connector_name=X",
  "external://user:pw@host:0/m/?connector_name=X",
  "external://:0/m/?connector_name=X",
  "external://host:0/a%2Eb/?connector_name=X",
  "external://host:0//a.b//?connector_name=X",
  "external://host:0/m/?connector_name=",
  "external://host:0/m/?connector_name",
  "external://host:0/m/?connector_name=a+b%20c",
  "external://host:0/m/?connector_name=X#frag",
  "External://host:0/m/?connector_name=X",
  "fs:///tmp/x",
  "fs://host:0/tmp/x",
  "mock://100/?peeking_latency=1",
  "external://h1:0,h2:0/m/?connector_name=X",
  "external://host:0/m/?connector_name=X&tag=a,b",
];

describe("parseRemoteUrl is CPython 3.11 urlparse + parse_qs + LMCache's asserts", () => {
  it("agrees with python3 on thousands of generated URLs", () => {
    const all = [...referenceExamples, ...urls];
    const expected = runPythonOracle("remote", all);
    const mismatches = all
      .map((url, i) => ({ url, ours: outcomeOf(() => parseRemoteUrl(url)), python: redacted(expected[i], url) }))
      .filter((m) => JSON.stringify(m.ours) !== JSON.stringify(m.python));
    expect(mismatches.slice(0, 5)).toEqual([]);
    // The generator must exercise both successes and each error family, or the test proves little.
    const kinds = new Set(expected.map((o) => (o.ok ? "ok" : `${o.error}:${o.message.split(" ").slice(0, 3).join(" ")}`)));
    for (const k of ["ok", "AssertionError:Invalid URL", "ValueError:Port could not", "ValueError:Port out of", "ValueError:Invalid IPv6 URL"]) {
      expect([...kinds].some((x) => x.startsWith(k))).toBe(true);
    }
  });

  it("reproduces the reference's documented cases", () => {
    const r = parseRemoteUrl("external://HOST:0/a%2Eb/?connector_name=A&connector_name=B&x=&y");
    expect(r).toEqual({ host: "host", port: 0, path: "/a%2Eb/", username: null, password: null, queryParams: { connector_name: ["A", "B"] } });
    expect(parseRemoteUrl("redis://user:pw@[::1]:6379").host).toBe("::1");
    expect(parseRemoteUrl("redis://user:pw@[::1]:6379")).toMatchObject({ username: "user", password: "pw", port: 6379 });
    expect(parseRemoteUrl("x://h:0/?q=a+b%20c").queryParams).toEqual({ q: ["a b c"] });
    const cases: [string, string, string][] = [
      ["x://h:abc/", "ValueError", "Port could not be cast to integer value as 'abc'"],
      ["x://h:99999/", "ValueError", "Port out of range 0-65535"],
      ["x://[::1/", "ValueError", "Invalid IPv6 URL"],
      ["fs:///tmp/x", "AssertionError", "Invalid URL fs:///tmp/x: missing host"],
      ["mock://100/?a=1", "AssertionError", "Invalid URL mock://100/?a=1: missing port"],
      ["x://:0/", "AssertionError", "Invalid URL x://:0/: missing host"],
    ];
    for (const [url, name, message] of cases) {
      expect(outcomeOf(() => parseRemoteUrl(url))).toEqual({ ok: false, error: name, message });
    }
  });

  it("does not split the query on ';' (Python 3.11 parse_qs) and keeps ;params in the path for unknown schemes", () => {
    expect(parseRemoteUrl("x://h:0/a;p?a=1;b=2").queryParams).toEqual({ a: ["1;b=2"] });
    expect(parseRemoteUrl("x://h:0/a;p").path).toBe("/a;p");
    expect(parseRemoteUrl("http://h:0/a;p").path).toBe("/a");
    expect(urlsplitPython("HTTP://h/p?q#f")).toEqual({ scheme: "http", netloc: "h", path: "/p", query: "q", fragment: "f" });
  });

  it("renders Python reprs like python3 does", () => {
    const samples = ["abc", "a'b", 'a"b', "a'\"b", "x\\y", "\u0000\n\t\r", "é€", "\u200b", "\u{1F600}", "\u0085"];
    const res = spawnPy(`import json,sys; xs=json.load(sys.stdin); print(json.dumps([repr(x) for x in xs] + [str(xs)]))`, samples);
    expect([...samples.map(pythonStrRepr), pythonStrListRepr(samples)]).toEqual(res);
  });
});

describe("parseExternalUrl follows ExternalConnectorAdapter's pre-import steps", () => {
  it("agrees with python3 on the generated URLs", () => {
    const all = [...referenceExamples, ...urls];
    const expected = runPythonOracle("external", all);
    const mismatches = all
      .map((url, i) => ({ url, ours: outcomeOf(() => parseExternalUrl(url)), python: redacted(expected[i], url, true) }))
      .filter((m) => JSON.stringify(m.ours) !== JSON.stringify(m.python));
    expect(mismatches.slice(0, 5)).toEqual([]);
    const messages = new Set(expected.filter((o) => !o.ok).map((o) => (o as { message: string }).message.slice(0, 20)));
    for (const m of ["Only one host is sup", "External connector r", "Empty module name", "the 'package' argume"]) {
      expect(messages.has(m)).toBe(true);
    }
  });

  it("takes the canonical example apart", () => {
    expect(parseExternalUrl(referenceExamples[0])).toEqual({
      host: "host",
      port: 0,
      modulePath: "external_log_connector.lmc_external_log_connector",
      connectorName: "ExternalLogConnector",
    });
    expect(outcomeOf(() => parseExternalUrl("external://h:0/m/?connector_name=X&t=a,'b"))).toEqual({
      ok: false,
      error: "ValueError",
      message: `Only one host is supported for external connector, but got ['external://h:0/m/?connector_name=X&t=a', "'b"]`,
    });
  });
});

import { spawnSync } from "node:child_process";

/** Python's outcome with the URL's password redacted, as the kit's copies of LMCache's messages carry it (ours). */
function redacted<T extends { ok: boolean; message?: string }>(outcome: T, url: string, external = false): T {
  if (outcome.ok || outcome.message === undefined) return outcome;
  const hosts = external ? url.split(",") : [url];
  // the multi-host message lists the comma-separated pieces of the URL
  const message = hosts.length > 1
    ? outcome.message.split(pythonStrListRepr(hosts)).join(pythonStrListRepr(redactUrl(url).split(",")))
    : redactIn(outcome.message, url);
  return { ...outcome, message };
}
function spawnPy(code: string, input: unknown): unknown {
  const r = spawnSync("python3", ["-c", code], { input: JSON.stringify(input), encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}
